#!/usr/bin/env python3
"""Draw the figures of PlottingBenchmark.typicalReportFigures() with matplotlib (Agg) and print
one JSON line per figure and format: {"figure", "format", "seconds", "cpu_seconds",
"tool": "matplotlib", "matplotlib": version}. seconds is wall-clock (perf_counter), cpu_seconds is
this process's CPU time (process_time), the steadier measure on a shared machine.

Same data (closed forms, no RNG), same sizes (CSS px = matplotlib px at dpi 100; PNG at 2x =
dpi 200), same decorations (titles, labels, legend, colour bar). Each timing builds the figure
and saves it to memory, as `mgdl-report bench-figures` does; the median of --repeats is printed.

Usage: python3 scripts/bench_matplotlib.py [--repeats 10] [--out DIR]
"""
import argparse
import io
import json
import math
import os
import statistics
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def heatmap():
    fig = plt.figure(figsize=(6.4, 4.2), dpi=100)
    fig.suptitle("Spectral evolution", fontweight="bold")
    ax = fig.add_subplot()
    freqs = np.arange(1, 101, dtype=float)
    iters = np.arange(1, 11, dtype=float) * 1000
    k, it = np.meshgrid(freqs, iters)
    values = np.exp(-k * 1000 / (it * 4)) * (0.6 + 0.4 * np.cos(k * 0.37)) * 0.5 + 0.5 * np.exp(-k / 30)
    mesh = ax.pcolormesh(freqs, iters, values, cmap="viridis", shading="nearest")
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label("relative error")
    ax.set_xlabel("frequency k")
    ax.set_ylabel("iteration")
    return fig


def loss_curves():
    fig = plt.figure(figsize=(6.4, 4.2), dpi=100)
    ax = fig.add_subplot()
    steps = np.arange(1, 1001, dtype=float)
    for name, rate, floor in [("SGDL", 0.35, 2e-3), ("MGDL", 0.8, 1e-4), ("Fourier features", 0.6, 4e-4)]:
        loss = steps ** (-rate) * (1 + 0.15 * np.sin(steps * 0.13)) + floor
        ax.plot(steps, loss, label=name, linewidth=1.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("training loss (MSE)")
    ax.set_title("Training loss")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return fig


def image_grid():
    fig, axes = plt.subplots(2, 3, figsize=(7.2, 5.2), dpi=100)
    fig.suptitle("Reconstructions per grade", fontweight="bold")
    n = 128
    v, u = np.meshgrid(np.arange(n) / n, np.arange(n) / n, indexing="ij")
    for g, ax in enumerate(axes.flat):
        sharp = g + 1.0
        img = np.stack([0.5 + 0.5 * np.sin(6.283 * (u * sharp * 2) + v * 3),
                        0.5 + 0.5 * np.cos(6.283 * v * sharp),
                        u * v], axis=-1)
        ax.imshow(img, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title("target" if g == 5 else "grade %d: PSNR %.1f dB" % (g + 1, 18 + g * 3.1))
    return fig


FIGURES = [("heatmap", heatmap), ("loss-curves", loss_curves), ("image-grid", image_grid)]


def render(make, fmt):
    fig = make()
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg")
    else:
        fig.savefig(buf, format="png", dpi=200)
    plt.close(fig)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--out", help="also write the figures here, for looking at")
    args = ap.parse_args()
    for name, make in FIGURES:
        for fmt in ("svg", "png"):
            render(make, fmt)  # warm-up: font cache, imports
            times, cpus = [], []
            for _ in range(max(1, args.repeats)):
                t0, c0 = time.perf_counter(), time.process_time()
                data = render(make, fmt)
                times.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - c0)
            if args.out:
                os.makedirs(args.out, exist_ok=True)
                with open(os.path.join(args.out, "%s.%s" % (name, fmt)), "wb") as f:
                    f.write(data)
            print(json.dumps({"figure": name, "format": fmt, "seconds": statistics.median(times),
                              "cpu_seconds": statistics.median(cpus),
                              "tool": "matplotlib", "matplotlib": matplotlib.__version__}))


if __name__ == "__main__":
    main()
