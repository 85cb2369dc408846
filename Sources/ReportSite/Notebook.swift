import Experiments
import Foundation
import Plotting

/// The notebook of a report, `site/<report>/<report>.ipynb`, in nbformat 4.5.
///
/// - The prose is Markdown cells, each experiment a Markdown cell with its configuration as YAML.
/// - Every figure is a code cell that reads `figures/NAME.csv` (relative to the notebook) with the
///   `csv` module and redraws it with numpy and matplotlib; its stored output is the site's own PNG
///   (`display_data`, `image/png`, with the alt text as `text/plain`), so the notebook reads on any
///   viewer without running. A figure that could not be drawn is a Markdown cell with the error.
/// - Deterministic bytes: sorted keys, cell ids `cell-0000`, `cell-0001`… by position, no
///   execution counts, no training times; only the last cell (provenance: commit, machine)
///   depends on where it was built.
struct Notebook {
    let page: ReportPage

    typealias JSON = [String: Any]

    func data() throws -> Data {
        try JSONSerialization.data(withJSONObject: object(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    func object() -> JSON {
        var cells: [JSON] = []
        func markdown(_ text: String) { cells.append(["cell_type": "markdown", "metadata": JSON(), "source": Self.lines(text)]) }
        func code(_ text: String, outputs: [JSON]) {
            cells.append(["cell_type": "code", "metadata": JSON(), "source": Self.lines(text),
                          "execution_count": NSNull(), "outputs": outputs])
        }
        let report = page.report

        var intro = "# \(Self.text(report.title))\n"
        if !report.summary.isEmpty { intro += "\n\(Self.text(report.summary))\n" }
        intro += """

            This notebook is the report `\(report.file)` as built by mgdl-report \(toolVersion). Each figure \
            cell reads the data behind the figure, `figures/NAME.csv` (one row per plotted value: \
            `panel,kind,series,x,y,value`), and redraws it with matplotlib; the output stored under it is \
            the figure of the site. The data is embedded in the notebook (the `FIGURE_DATA` cell), so it \
            runs on its own, anywhere; the same CSVs are beside it in the site.

            """
        if page.failed {
            intro += "\n**This report is incomplete:**\n\n" + page.failures.map { "- \(Self.text($0))" }.joined(separator: "\n") + "\n"
        }
        markdown(intro)
        code(Self.helpers, outputs: [])
        if let data = embeddedData() { code(data, outputs: []) }

        for segment in report.segments {
            switch segment {
            case .prose(let text):
                markdown(page.proseWithBuiltValues(text).trimmingCharacters(in: .newlines))
            case .experiment(let name):
                for spec in report.experiments where spec.group == name {
                    markdown(experimentMarkdown(spec))
                }
            case .figure(let name):
                guard let spec = report.figures.first(where: { $0.name == name }) else { continue }
                let caption = spec.caption.isEmpty ? "" : " \(Self.text(spec.caption))"
                if let files = page.figures[name], files.error == nil, let png = files.png {
                    markdown("**Figure `\(name)`.**\(caption)")
                    let output: JSON = [
                        "output_type": "display_data", "metadata": JSON(),
                        "data": ["image/png": png.base64EncodedString(), "text/plain": Self.lines(files.altText)],
                    ]
                    code(figureCode(spec), outputs: [output])
                } else {
                    let error = page.figures[name]?.error ?? "this figure was not drawn"
                    markdown("**Figure `\(name)` could not be drawn:** \(Self.text(error))\(caption.isEmpty ? "" : "\n\nCaption:\(caption)")")
                }
            case .table(let name):
                guard let spec = report.tables.first(where: { $0.name == name }) else { continue }
                markdown(TableRecipes.markdown(for: spec, runs: page.runs, labels: page.runLabels, repeats: page.runRepeats, specs: page.runSpecs))
            case .claim(let name):
                guard let spec = report.claims.first(where: { $0.name == name }) else { continue }
                let result = page.claims[name]
                let source = spec.source.map { " (\($0))" } ?? ""
                markdown("**Claim `\(name)`: \(result?.verdict.words ?? "not checked").** \(spec.statement)\(source)\n\n\(result?.evidence ?? "")")
            }
        }
        markdown(provenanceMarkdown())

        for i in cells.indices { cells[i]["id"] = String(format: "cell-%04d", i) }
        return [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["name": "python3", "display_name": "Python 3", "language": "python"],
                "language_info": ["name": "python"],
                "mgdl_report": ["report": report.id, "tool_version": toolVersion],
            ] as JSON,
            "cells": cells,
        ]
    }

    /// nbformat's multi-line strings: a list of lines, each but the last ending in "\n".
    static func lines(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if c == "\n" { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// A user's string inside a Markdown cell shows as text, as on the pages: HTML is escaped
    /// (Jupyter renders raw HTML in Markdown), and so are the characters that would start
    /// Markdown markup; a line break becomes a space.
    static func text(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r", "\r\n": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "#", "!": out += "\\\(c)"
            default: out.append(c)
            }
        }
        return out
    }

    static func longestBacktickRun(_ s: String) -> Int {
        var longest = 0, run = 0
        for c in s { run = c == "`" ? run + 1 : 0; longest = max(longest, run) }
        return longest
    }

    /// A Python string literal (JSON's string syntax is valid Python).
    static func py(_ s: String) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: s, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "\"\""
        }
        return String(decoding: data, as: UTF8.self)
    }

    func experimentMarkdown(_ spec: ExperimentSpec) -> String {
        let run = page.runs[spec.name]
        var text = "**Experiment `\(spec.name)`**"
        if !spec.label.isEmpty { text += " (\(Self.text(spec.label)))" }
        text += " as this build ran it (profile: \(spec.profile.isEmpty ? "none" : spec.profile)). "
        text += "Run page: [\(ReportPage.runPage(spec.name))](\(ReportPage.runPage(spec.name))); "
        text += "metrics and recorded predictions: [\(ReportPage.runJSON(spec.name))](\(ReportPage.runJSON(spec.name))).\n\n"
        let yaml = RunPage.declarationYAML(spec)
        let fence = String(repeating: "`", count: max(3, Self.longestBacktickRun(yaml) + 1))
        text += "\(fence)yaml\n\(yaml)\(fence)\n"
        if let run {
            if run.status == .failed {
                text += "\n**This run failed:** \(Self.text(run.message ?? "no message"))\n"
            } else {
                // No training time here: the notebook's bytes depend only on the declarations and results.
                let rows = ReportPage.resultRows(run, spec: spec).filter { $0["key"] != "status" && $0["key"] != "training time" }
                text += "\n" + rows.map { "- \($0["key"]!): \($0["value"]!)" }.joined(separator: "\n") + "\n"
            }
        } else {
            text += "\n**This run has no result.**\n"
        }
        return text
    }

    func provenanceMarkdown() -> String {
        let p = page.provenance.context
        var text = "## Provenance\n\n"
        text += "- tool: mgdl-report \(p["toolVersion"] ?? toolVersion)\n"
        text += "- commit: `\(p["commit"] ?? "")`\((p["dirty"] as? Bool) == true ? " (working tree had uncommitted changes)" : "")\n"
        text += "- profile: \(p["profile"] ?? "")\n"
        if let overrides = p["overrides"] as? [[String: String]], !overrides.isEmpty {
            text += "- overrides: " + overrides.map { "`-S \($0["text"] ?? "")`" }.joined(separator: ", ")
                + " (where the prose states the declared settings, the numbers come from these)\n"
        }
        text += "- machine: \(p["os"] ?? ""); \(p["cpu"] ?? "")\n"
        for spec in page.report.experiments {
            text += "- run `\(spec.name)`: seed \(spec.seed)\(page.runs[spec.name]?.status == .failed ? " (failed)" : "")\n"
        }
        text += "\nTraining times and where each run came from (trained or restored from the run store) are on the "
            + "report page and the run pages; `runs/NAME.json` holds every metric.\n"
        return text
    }

    // MARK: - Code

    /// The first code cell: small helpers over the tidy CSV, numpy and matplotlib only.
    static let helpers = #"""
        # Helpers for the figure cells below: the csv module, numpy and matplotlib only.
        import base64
        import csv
        import io
        import numpy as np
        import matplotlib.pyplot as plt

        csv.field_size_limit(1 << 30)  # an image is one field: its PNG, base64


        FIGURE_DATA = {}  # filled by the next cell: the figures' CSVs, embedded


        def load_figure(path):
            """The rows of a figure's CSV (columns panel, kind, series, x, y, value) as dicts:
            from the embedded copy, else from the file beside the notebook."""
            if path in FIGURE_DATA:
                return list(csv.DictReader(io.StringIO(FIGURE_DATA[path], newline="")))
            with open(path, newline="", encoding="utf-8") as f:
                return list(csv.DictReader(f))


        def num(text):
            return float(text) if text not in ("", None) else float("nan")


        def panels(rows):
            """The panel numbers, in order (1 is the top-left panel, row by row)."""
            return sorted({int(r["panel"]) for r in rows})


        def panel_axes(axes, rows):
            """(panel number, axes) of every panel with data (1 is the top-left panel, row by row);
            the axes of the other panels are hidden."""
            shown = panels(rows)
            for panel, ax in enumerate(axes.flat, start=1):
                ax.set_visible(panel in shown)
            return [(panel, ax) for panel, ax in enumerate(axes.flat, start=1) if panel in shown]


        def series(rows, panel, kind="line"):
            """{series name: (x array, y array)} of one kind of artist in one panel, in file order."""
            out = {}
            for r in rows:
                if int(r["panel"]) == panel and r["kind"] == kind:
                    xs, ys = out.setdefault(r["series"], ([], []))
                    xs.append(num(r["x"]))
                    ys.append(num(r["y"]))
            return {name: (np.array(xs), np.array(ys)) for name, (xs, ys) in out.items()}


        def heatmap(rows, panel=1):
            """(x values, y values, grid with grid[i, j] at y[i], x[j]) of the first heatmap of a panel."""
            cells = [r for r in rows if int(r["panel"]) == panel and r["kind"] == "heatmap"]
            cells = [r for r in cells if r["series"] == cells[0]["series"]]
            xs = sorted({num(r["x"]) for r in cells})
            ys = sorted({num(r["y"]) for r in cells})
            ix = {v: j for j, v in enumerate(xs)}
            iy = {v: i for i, v in enumerate(ys)}
            grid = np.full((len(ys), len(xs)), np.nan)
            for r in cells:
                grid[iy[num(r["y"])], ix[num(r["x"])]] = num(r["value"])
            return np.array(xs), np.array(ys), grid


        def edges(centres):
            """Cell edges around sorted cell centres: the midpoints, and half a step beyond each end."""
            c = np.asarray(centres, dtype=float)
            if len(c) == 1:
                return np.array([c[0] - 0.5, c[0] + 0.5])
            mid = (c[1:] + c[:-1]) / 2
            return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


        def draw_panel(ax, rows, panel):
            """Draws every artist of a panel: lines, bands, heatmaps, vertical markers, notes, images."""
            lower, upper = series(rows, panel, "band_lower"), series(rows, panel, "band_upper")
            for name, (x, y) in lower.items():
                ax.fill_between(x, y, upper[name][1], alpha=0.25, linewidth=0, label=name)
            for name, (x, y) in series(rows, panel).items():
                ax.plot(x, y, label=name)
            for name, (x, y) in series(rows, panel, "points").items():
                ax.plot(x, y, "o", label=name)
            if any(int(r["panel"]) == panel and r["kind"] == "heatmap" for r in rows):
                x, y, grid = heatmap(rows, panel)
                mesh = ax.pcolormesh(edges(x), edges(y), grid, cmap="viridis")
                ax.figure.colorbar(mesh, ax=ax)
            for r in rows:
                if int(r["panel"]) != panel:
                    continue
                if r["kind"] == "vline":
                    ax.axvline(num(r["x"]), linestyle="--", color="0.5", linewidth=1)
                elif r["kind"] == "annotation":
                    ax.annotate(r["series"], (num(r["x"]), num(r["y"])))
            image = [r for r in rows if int(r["panel"]) == panel and r["kind"] == "image"]
            if image and image[0]["value"].startswith("data:image/png;base64,"):
                # One row per image: its width, height and drawn pixels as a PNG data URI.
                png = base64.b64decode(image[0]["value"].split(",", 1)[1])
                ax.imshow(plt.imread(io.BytesIO(png), format="png"), interpolation="nearest")
                ax.set_axis_off()
            elif image:
                w = int(max(num(r["x"]) for r in image)) + 1
                h = int(max(num(r["y"]) for r in image)) + 1
                # One row per pixel; its value is the drawn colour, #rrggbb.
                pixels = np.zeros((h, w, 3))
                for r in image:
                    c = r["value"].lstrip("#")
                    pixels[int(num(r["y"])), int(num(r["x"]))] = [int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)]
                ax.imshow(pixels, vmin=0, vmax=1, interpolation="nearest")
                ax.set_axis_off()
        """#

    /// The cell that embeds every drawn figure's CSV (`FIGURE_DATA[path] = "..."`, one string
    /// literal each, in page order), so the downloaded notebook needs no other file.
    func embeddedData() -> String? {
        let embedded = page.report.figures.compactMap { spec -> String? in
            guard let files = page.figures[spec.name], files.error == nil, let csv = files.csv else { return nil }
            return "FIGURE_DATA[\(Self.py("figures/\(spec.name).csv"))] = \(Self.py(String(decoding: csv, as: UTF8.self)))"
        }
        guard !embedded.isEmpty else { return nil }
        return "# The data behind every figure (the site's figures/NAME.csv), so this notebook runs on its own.\n"
            + embedded.joined(separator: "\n") + "\n"
    }

    /// The code cell that redraws one figure from its CSV: its kind's (`FigureKind.recipe`), with
    /// the figure's own grid, titles, labels and log axes (`FigureOutline`, kept with the figure).
    func figureCode(_ spec: FigureSpec) -> String {
        let files = page.figures[spec.name]
        let cell = NotebookFigureCell(spec: spec, outline: files?.outline ?? FigureOutline(),
                                      width: files?.width ?? 640, height: files?.height ?? 420)
        return spec.kind.recipe.notebookCell(cell)
    }

    static func decimal(_ v: Double) -> String {
        String(format: "%.2f", v)
    }
}
