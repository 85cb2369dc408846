import Experiments
import Foundation
import Plotting
import Tasks

/// `fit`: the target and the network on the grid at a few iterations; several runs one row
/// each, and with `grades` a multi-grade run after each grade (`FigureRecipes.fits`).
enum FitFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        if input.series.count > 1 || input.spec.grades == true {
            return try FigureRecipes.fits(input.series, at: input.spec.at, byGrade: input.spec.grades == true, labels: input.seriesLabels)
        }
        return try FigureRecipes.fit(input.series[0], at: input.spec.at)
    }

    /// The notebook's cell: redraws the figure from its CSV.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        return """
            # \(cell.spec.name): the target and the network's prediction on the grid, one panel per recorded iteration.
            rows = load_figure(\(cell.path))
            titles = {\(cell.outline.panels.compactMap { p in p.title.map { "\(p.number): \(Notebook.py($0))" } }.joined(separator: ", "))}
            ylabels = {\(cell.outline.panels.compactMap { p in p.yLabel.map { "\(p.number): \(Notebook.py($0))" } }.joined(separator: ", "))}
            fig, axes = plt.subplots(\(cell.outline.rows), \(cell.outline.columns), \(cell.size), sharex=True, sharey=True, squeeze=False,
                                     constrained_layout=True)
            for panel, ax in panel_axes(axes, rows):
                for name, (z, value) in series(rows, panel).items():
                    target = name.startswith("target")
                    ax.plot(z, value, label=name, color="0.5" if target else None, linewidth=1.2 if target else 1.6,
                            linestyle="--" if target else "-", zorder=3 if target else 2)
                ax.set_title(titles.get(panel, f"panel {panel}"))
                if ax.get_subplotspec().is_first_col():
                    ax.set_ylabel(ylabels.get(panel, "value"))  # the row's run, in the rows of several runs
            for ax in axes[-1]:
                ax.set_xlabel(\(cell.label(cell.first.xLabel, "x")))
            axes[0, 0].legend()
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// Target and network on the grid at four iterations (nearest recorded snapshots). Of a
    /// repeated run, the first copy is shown (the copies' targets differ when their phases or noise seeds do),
    /// and the panel titles say so.
    static func fit(_ series: Series, at requested: [Int]) throws -> Figure {
        let run = series.first
        guard !run.snapshots.isEmpty else { throw RecipeError(description: "run '\(run.name)' recorded no predictions") }
        let snapshots = chooseSnapshots(run.snapshots, requested: requested)
        // Up to three panels in one row, four or more two to a row: no empty panel (requested
        // steps past the end of training collapse onto the last snapshot).
        let columns = snapshots.count <= 3 ? snapshots.count : 2
        let rows = (snapshots.count + columns - 1) / columns
        let figure = Figure(width: columns == 3 ? 1080 : 880, height: rows == 1 ? 340 : 520)
        let panels = figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (panel, snapshot) in zip(panels, snapshots) {
            panel.title = "iteration \(snapshot.step)" + (series.runs.count > 1 ? " (run 1 of \(series.runs.count))" : "")
            panel.line(x: run.inputs, y: snapshot.prediction, label: "network", width: 1.6)
            // The target over the network, dashed, so neither hides the other.
            panel.line(x: run.inputs, y: run.target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.2, dashed: true)
            panel.xLabel = "x"
            panel.yLabel = "value"
        }
        panels.first?.showsLegend = true
        return figure
    }

    static func chooseSnapshots(_ all: [RunResult.Snapshot], requested: [Int]) -> [RunResult.Snapshot] {
        var chosen: [RunResult.Snapshot] = []
        let wanted: [Int]
        if requested.isEmpty {
            let last = all.last!.step
            wanted = [0, last / 8, last / 3, last]
        } else {
            wanted = requested
        }
        for step in wanted {
            let nearest = all.min { abs($0.step - step) < abs($1.step - step) }!
            if !chosen.contains(where: { $0.step == nearest.step }) { chosen.append(nearest) }
        }
        return chosen
    }
}
extension FigureRecipes {
    /// 1-D fits of several runs, one row per run (Fang & Xu's slide: SGDL at several steps
    /// against MGDL after each grade). With `grades`, a multi-grade run (MGDL, multi-stage) shows
    /// the sum of its grades 1 to l after each grade l, on the training grid; every other run
    /// shows its kept predictions nearest the `at` steps (four evenly spaced without `at`). Each
    /// panel gives its RSE against the target on the grid; the target is grey, dashed, on top.
    /// The run's name (and "run 1 of N" of a repeated run) labels its row on the y axis, so the
    /// panel titles stay short enough for four or five panels to a row.
    static func fits(_ groups: [Series], at requested: [Int], byGrade: Bool, labels: [String: String]) throws -> Figure {
        struct Panel { let title: String; let prediction: [Double] }
        var rows: [(run: RunResult, label: String, panels: [Panel])] = []
        for group in groups {
            let run = group.first
            let name = labels[group.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name
            let repeated = group.runs.count > 1 ? " (run 1 of \(group.runs.count))" : ""
            let label = name + repeated
            var panels: [Panel] = []
            if byGrade, let grades = run.grades, grades.count > 1 {
                guard grades.allSatisfy({ $0.output.count == run.target.count }) else {
                    throw RecipeError(description: "run '\(run.name)' kept its grades' outputs on another set than its training grid")
                }
                var sum = [Double](repeating: 0, count: run.target.count)
                for grade in grades {
                    for i in sum.indices { sum[i] += grade.output[i] }
                    panels.append(Panel(title: "grade \(grade.index + 1)", prediction: sum))
                }
            } else {
                let kept = run.snapshots.filter { $0.prediction.count == run.target.count }
                guard !kept.isEmpty else { throw RecipeError(description: "run '\(run.name)' kept no predictions on its grid") }
                panels = chooseSnapshots(kept, requested: requested).map {
                    Panel(title: "step \($0.step)", prediction: $0.prediction)
                }
            }
            rows.append((run, label, panels))
        }
        let columns = rows.map(\.panels.count).max() ?? 1
        let figure = Figure(width: Double(min(columns, 5)) * 230 + 60, height: Double(rows.count) * 220 + 60)
        let axes = figure.grid(rows: rows.count, columns: columns, sharedX: true, sharedY: true)
        for (r, row) in rows.enumerated() {
            for (c, panel) in row.panels.enumerated() {
                let a = axes[r * columns + c]
                let rse = Metrics.rse(prediction: panel.prediction, target: row.run.target)
                a.title = String(format: "%@ · RSE %.2g", panel.title, rse)
                a.line(x: row.run.inputs, y: panel.prediction, label: "network", width: 1.4)
                a.line(x: row.run.inputs, y: row.run.target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.1, dashed: true)
                a.xLabel = "x"
                a.yLabel = row.label
            }
        }
        axes.first?.showsLegend = true
        return figure
    }
}
