import Experiments
import Foundation
import Plotting
import Tasks

/// `plane`: predictions over the plane around a manifold's curve, grade by grade.
enum PlaneFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        let classifiers = Set(input.series.map(\.first.name).filter { input.specs[$0]?.train.loss == .bce })
        return try FigureRecipes.planePredictions(input.series, labels: input.runLabels, classifiers: classifiers)
    }

    /// The colour bar's label of a classifier's panels (`loss: bce`), which the notebook cell
    /// reads from the outline to redraw them on the same [0, 1] scale and linear error axis.
    static let probabilityLabel = "P(class 1) = σ(logit)"

    /// The notebook's cell: heatmaps on a symmetric diverging scale with the curve on top, and
    /// the error rows on log axes; for a classifier, σ(logit) on [0, 1] and the errors on a
    /// linear axis with the line ½ above which a point is misclassified.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let titles = cell.outline.panels.compactMap { p in p.title.map { "\(p.number): \(Notebook.py($0))" } }.joined(separator: ", ")
        let classifier = cell.outline.panels.contains { $0.colorbar == probabilityLabel }
        let comment = classifier ? """
            # \(cell.spec.name): a classifier's probability of class 1, σ(logit), over the plane (rows 1, 3, ...: the model summed up
            # to each grade, the curve on top; white is the decision boundary σ = 1/2) and |σ(logit) − label| at the training
            # points against t (rows 2, 4, ...; above 1/2 a point is misclassified).
            """ : """
            # \(cell.spec.name): predictions over the plane (rows 1, 3, ...: heatmaps of the model summed up to each grade, the curve on top)
            # and |prediction − target| along the curve against t (rows 2, 4, ...; log scale).
            """
        let scale = classifier
            ? "mesh = ax.pcolormesh(edges(x), edges(y), grid, cmap=\"RdBu_r\", vmin=0, vmax=1)\n        fig.colorbar(mesh, ax=ax, label=\(Notebook.py(probabilityLabel)))"
            : "bound = np.nanmax(np.abs(grid))\n        mesh = ax.pcolormesh(edges(x), edges(y), grid, cmap=\"RdBu_r\", vmin=-bound, vmax=bound)\n        fig.colorbar(mesh, ax=ax)"
        let errors = classifier ? """
                    for name, (t, error) in series(rows, panel, "points").items():
                        ax.plot(t, error, ".", markersize=2)
                    for name, (t, half) in series(rows, panel).items():
                        ax.plot(t, half, color="gray", linestyle="--", linewidth=1)
                    ax.set_ylim(0, 1)
            """ : """
                    for name, (t, error) in series(rows, panel).items():
                        ax.plot(t, error, linewidth=1)
                    ax.set_yscale("log")
            """
        return """
            \(comment)
            rows = load_figure(\(cell.path))
            titles = {\(titles)}
            fig, axes = plt.subplots(\(cell.outline.rows), \(cell.outline.columns), \(cell.size), squeeze=False, constrained_layout=True)
            for panel, ax in panel_axes(axes, rows):
                if any(int(r["panel"]) == panel and r["kind"] == "heatmap" for r in rows):
                    x, y, grid = heatmap(rows, panel)
                    \(scale)
                    for name, (cx, cy) in series(rows, panel).items():
                        ax.plot(cx, cy, color="black", linewidth=1)
                    ax.set_aspect("equal")
                else:
            \(errors)
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
    ///
    /// A run in `classifiers` (trained with `loss: bce`, so its outputs are logits and its targets
    /// 0/1 labels) is drawn as a classifier instead: the heatmaps show σ(summed logits) on [0, 1]
    /// (white at ½, the decision boundary), and the row under them |σ(logit) − label| at each
    /// training point on a linear [0, 1] axis, a point above ½ being misclassified, titled with
    /// the training accuracy (a logit's distance to a 0/1 label, or its RSE, means nothing).
    static func planePredictions(_ groups: [Series], labels: [String: String], classifiers: Set<String> = []) throws -> Figure {
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
            let classifier = classifiers.contains(run.name)
            let bound = max(1e-12, run.target.map(abs).max() ?? 1)
            let sigmoid = { (z: Double) -> Double in 1 / (1 + exp(-z)) }
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
                let shown = classifier ? sum.map(sigmoid) : sum
                let rows = (0..<plane.size).map { i in Array(shown[(i * plane.size)..<((i + 1) * plane.size)]) }
                last = top.heatmap(rows, x: centres, y: centres, colormap: .diverging, range: classifier ? 0...1 : -bound...bound)
                top.line(x: curve.map(\.x), y: curve.map(\.y), label: "curve γ", color: Color(hex: "#000000"), width: 1)
                top.xLabel = "x₁"
                top.yLabel = "x₂"
                bottom.xLabel = "curve parameter t"
                if classifier {
                    let accuracy = TargetEncoding.zeroOne.accuracy(prediction: along, target: run.target, outputDimension: 1, logits: true)
                    bottom.title = String(format: "training points · accuracy %.3f", accuracy)
                    bottom.points(x: run.inputs, y: zip(along, run.target).map { abs(sigmoid($0) - $1) }, label: "|σ(logit) − label|", width: 0.8)
                    bottom.line(x: [0, 1], y: [0.5, 0.5], label: "½: misclassified above", color: Color(hex: "#808080"), width: 1, dashed: true)
                    bottom.yLimits = 0...1
                    bottom.yLabel = "|σ(logit) − label|"
                } else {
                    bottom.title = String(format: "|error| on the curve · RSE %.2g", Metrics.rse(prediction: along, target: run.target))
                    bottom.line(x: run.inputs, y: zip(along, run.target).map { abs($0 - $1) }, label: "|prediction − target|", width: 1)
                    bottom.yScale = .log
                    bottom.yLabel = "|error|"
                }
            }
            if let last {
                panels[(2 * r) * columns + columns - 1].colorbar(for: last, label: classifier ? PlaneFigure.probabilityLabel : "prediction (scale ±max |target|)")
            }
        }
        return figure
    }
}
