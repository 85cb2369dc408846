import Foundation

/// The figures of a typical report, for `mgdl-report bench-figures` and
/// `scripts/bench_matplotlib.py` (which draws the same figures with matplotlib). Data are
/// deterministic closed forms (no RNG), so both sides draw identical values.
public enum PlottingBenchmark {
    public static func typicalReportFigures() -> [(name: String, figure: Figure)] {
        names.map { ($0, figure(named: $0)!) }
    }

    /// The figure names, in order: "heatmap", "loss-curves", "image-grid".
    public static let names = ["heatmap", "loss-curves", "image-grid"]

    /// Builds one figure (data included), so a benchmark can time building plus rendering as
    /// `scripts/bench_matplotlib.py` does.
    public static func figure(named name: String) -> Figure? {
        switch name {
        case "heatmap": return heatmap()
        case "loss-curves": return lossCurves()
        case "image-grid": return imageGrid()
        default: return nil
        }
    }

    /// Median wall-clock and CPU seconds (this process) to build the figure and render it as
    /// "svg" or "png" (2x), over `repeats` runs after one warm-up. CPU time is the steadier
    /// measure on a shared machine; both are reported.
    public static func measure(figure name: String, format: String, repeats: Int) throws -> (wall: Double, cpu: Double) {
        var walls: [Double] = [], cpus: [Double] = []
        for i in 0...max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuSeconds()
            guard let fig = figure(named: name) else { throw PlottingError.invalidData("no benchmark figure \(name)") }
            _ = format == "svg" ? try fig.svg() : try fig.png()
            let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = cpuSeconds() - c0
            if i > 0 { walls.append(dt); cpus.append(dc) }
        }
        return (median(walls), median(cpus))
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted(), n = s.count
        guard n > 0 else { return .nan }
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// 100 × 10 spectral-evolution heatmap (x = frequency index, y = iteration) with a colour bar.
    static func heatmap() -> Figure {
        let fig = Figure(width: 640, height: 420)
        fig.title = "Spectral evolution"
        let ax = fig.addAxes()
        let freqs = (0..<100).map { Double($0 + 1) }
        let iters = (0..<10).map { Double(($0 + 1) * 1000) }
        let values = iters.map { it in
            freqs.map { k in exp(-k * 1000 / (it * 4)) * (0.6 + 0.4 * cos(k * 0.37)) * 0.5 + 0.5 * exp(-k / 30) }
        }
        let h = ax.heatmap(values, x: freqs, y: iters, colormap: .viridis)
        ax.colorbar(for: h, label: "relative error")
        ax.xLabel = "frequency k"
        ax.yLabel = "iteration"
        return fig
    }

    /// Three training-loss curves of 1,000 points on log-log axes.
    static func lossCurves() -> Figure {
        let fig = Figure(width: 640, height: 420)
        let ax = fig.addAxes()
        let steps = (1...1000).map(Double.init)
        for (name, rate, floor) in [("SGDL", 0.35, 2e-3), ("MGDL", 0.8, 1e-4), ("Fourier features", 0.6, 4e-4)] {
            let loss = steps.map { s in pow(s, -rate) * (1 + 0.15 * sin(s * 0.13)) + floor }
            ax.line(x: steps, y: loss, label: name)
        }
        ax.xScale = .log
        ax.yScale = .log
        ax.showsLegend = true
        ax.xLabel = "iteration"
        ax.yLabel = "training loss (MSE)"
        ax.title = "Training loss"
        return fig
    }

    /// 2 × 3 grid of 128 × 128 RGB reconstructions with titles.
    static func imageGrid() -> Figure {
        let fig = Figure(width: 720, height: 520)
        fig.title = "Reconstructions per grade"
        let axes = fig.grid(rows: 2, columns: 3)
        let n = 128
        for (g, ax) in axes.enumerated() {
            var px = [Double](repeating: 0, count: n * n * 3)
            let sharp = Double(g + 1)
            // sin(a(u) + b(v)) = sin a cos b + cos a sin b: transcendental functions per row and
            // per column only (numpy's vectorised version in the Python script is as cheap).
            let sa = (0..<n).map { sin(6.283 * (Double($0) / Double(n) * sharp * 2)) }
            let ca = (0..<n).map { cos(6.283 * (Double($0) / Double(n) * sharp * 2)) }
            for r in 0..<n {
                let v = Double(r) / Double(n)
                let sb = sin(v * 3), cb = cos(v * 3), green = 0.5 + 0.5 * cos(6.283 * v * sharp)
                for c in 0..<n {
                    let u = Double(c) / Double(n)
                    px[(r * n + c) * 3] = 0.5 + 0.5 * (sa[c] * cb + ca[c] * sb)
                    px[(r * n + c) * 3 + 1] = green
                    px[(r * n + c) * 3 + 2] = u * v
                }
            }
            ax.image(px, width: n, height: n, channels: 3)
            ax.title = g == 5 ? "target" : "grade \(g + 1): PSNR \(String(format: "%.1f", 18 + Double(g) * 3.1)) dB"
        }
        return fig
    }
}
