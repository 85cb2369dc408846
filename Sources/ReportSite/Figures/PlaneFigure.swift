import Experiments
import Foundation
import Plotting
import Tasks

/// `plane`: predictions over the plane around a manifold's curve, grade by grade.
enum PlaneFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.planePredictions(input.series, labels: input.runLabels)
    }

    /// The notebook's cell: heatmaps on a symmetric diverging scale with the curve on top, and
    /// the error rows on log axes.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let titles = cell.outline.panels.compactMap { p in p.title.map { "\(p.number): \(Notebook.py($0))" } }.joined(separator: ", ")
        return """
            # \(cell.spec.name): predictions over the plane (rows 1, 3, ...: heatmaps of the model summed up to each grade, the curve on top)
            # and |prediction − target| along the curve against t (rows 2, 4, ...; log scale).
            rows = load_figure(\(cell.path))
            titles = {\(titles)}
            fig, axes = plt.subplots(\(cell.outline.rows), \(cell.outline.columns), \(cell.size), squeeze=False, constrained_layout=True)
            for panel, ax in panel_axes(axes, rows):
                if any(int(r["panel"]) == panel and r["kind"] == "heatmap" for r in rows):
                    x, y, grid = heatmap(rows, panel)
                    bound = np.nanmax(np.abs(grid))
                    mesh = ax.pcolormesh(edges(x), edges(y), grid, cmap="RdBu_r", vmin=-bound, vmax=bound)
                    fig.colorbar(mesh, ax=ax)
                    for name, (cx, cy) in series(rows, panel).items():
                        ax.plot(cx, cy, color="black", linewidth=1)
                    ax.set_aspect("equal")
                else:
                    for name, (t, error) in series(rows, panel).items():
                        ax.plot(t, error, linewidth=1)
                    ax.set_yscale("log")
                ax.set_title(titles.get(panel, ""), fontsize=8)
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// Predictions over the plane around a manifold task's curve (`train.plane`), grade by grade:
    /// for each run, a row of heatmaps of the model summed up to each grade (one panel for a
    /// single network) on the grid over [−E, E]², with the curve γ_q drawn over them, and under
    /// it a row of |prediction − target| at the training points against the curve parameter t
    /// (log axis). Colours: a diverging scale symmetric about 0, its bound the target's largest
    /// |value| (values beyond it show at the end colours; the CSV keeps them).
    static func planePredictions(_ groups: [Series], labels: [String: String]) throws -> Figure {
        let runs = groups.map(\.first)
        for run in runs where run.plane == nil || run.grades == nil {
            throw RecipeError(description: "run '\(run.name)' has no predictions over the plane (train.plane on a manifold task)")
        }
        let columns = runs[0].plane!.grades.count
        guard runs.allSatisfy({ $0.plane!.grades.count == columns }) else {
            throw RecipeError(description: "the runs of a plane figure must have as many grades each (\(runs.map { "\($0.name): \($0.plane!.grades.count)" }.joined(separator: ", "))); draw one figure per run")
        }
        let figure = Figure(width: Double(columns) * 250 + 120, height: Double(runs.count) * 470 + 40)
        let panels = figure.grid(rows: 2 * runs.count, columns: columns)
        for (r, run) in runs.enumerated() {
            let plane = run.plane!
            let name = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            let centres = plane.centres
            let bound = max(1e-12, run.target.map(abs).max() ?? 1)
            let manifold = Manifold(q: plane.q)
            let curve = stride(from: 0.0, through: 1.0, by: 1.0 / 512).map { manifold.point($0) }
            var sum = [Double](repeating: 0, count: plane.size * plane.size)
            var along = [Double](repeating: 0, count: run.target.count)
            var last: Heatmap?
            for g in 0..<columns {
                for i in sum.indices { sum[i] += plane.grades[g][i] }
                let grade = run.grades![g]
                if grade.output.count == along.count { for i in along.indices { along[i] += grade.output[i] } }
                let top = panels[(2 * r) * columns + g], bottom = panels[(2 * r + 1) * columns + g]
                let title = columns > 1 ? "\(name): grade \(g + 1)" : name
                top.title = title
                let rows = (0..<plane.size).map { i in Array(sum[(i * plane.size)..<((i + 1) * plane.size)]) }
                last = top.heatmap(rows, x: centres, y: centres, colormap: .diverging, range: -bound...bound)
                top.line(x: curve.map(\.x), y: curve.map(\.y), label: "curve γ", color: Color(hex: "#000000"), width: 1)
                top.xLabel = "x₁"
                top.yLabel = "x₂"
                bottom.title = String(format: "|error| on the curve · RSE %.2g", Metrics.rse(prediction: along, target: run.target))
                bottom.line(x: run.inputs, y: zip(along, run.target).map { abs($0 - $1) }, label: "|prediction − target|", width: 1)
                bottom.yScale = .log
                bottom.xLabel = "curve parameter t"
                bottom.yLabel = "|error|"
            }
            if let last { panels[(2 * r) * columns + columns - 1].colorbar(for: last, label: "prediction (scale ±max |target|)") }
        }
        return figure
    }
}
