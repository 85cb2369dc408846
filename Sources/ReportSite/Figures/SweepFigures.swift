import Experiments
import Foundation
import Plotting

/// `sweep_heatmap`: a metric over two sweep axes of one swept experiment (Rahaman et al., Fig. 9).
enum SweepHeatmapFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.sweepHeatmap(input.spec, input.series, sweepAxes: input.sweepAxes)
    }

    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let spec = cell.spec
        return """
            # \(spec.name): \(spec.heatmapMetric?.rawValue ?? "metric") (colour) over the sweep axes \(spec.xAxis ?? "x") (x) and \(spec.yAxis ?? "y") (y), the mean over repeats.
            rows = load_figure(\(cell.path))
            x, y, value = heatmap(rows)
            fig, ax = plt.subplots(\(cell.size), constrained_layout=True)
            mesh = ax.pcolormesh(edges(x), edges(y), value, cmap="viridis")
            ax.set_xticks(x)
            ax.set_yticks(y)
            ax.set_xlabel(\(cell.label(cell.first.xLabel, spec.xAxis ?? "x")))
            ax.set_ylabel(\(cell.label(cell.first.yLabel, spec.yAxis ?? "y")))
            fig.colorbar(mesh, ax=ax, label=\(cell.label(cell.first.colorbar, spec.heatmapMetric?.rawValue ?? "value")))
            plt.show()
            """
    }
}

/// `perturbation`: the spectrum of the trained network under random parameter perturbations
/// (Rahaman et al., Fig. 3), one heatmap panel per series.
enum PerturbationFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.perturbation(input.series, labels: input.seriesLabels)
    }

    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let colorbar = cell.outline.panels.compactMap(\.colorbar).first
        return """
            # \(cell.spec.name): colour = |f̃_θ(k)| / |f̃_θ*(k)| at each target frequency k (x) after moving the trained
            # parameters by δ (y) along random unit directions, the mean over directions (and repeats); one panel per run.
            rows = load_figure(\(cell.path))
            fig, axes = plt.subplots(\(cell.outline.rows), \(cell.outline.columns), \(cell.size), squeeze=False, sharey=True, constrained_layout=True)
            for panel, ax in panel_axes(axes, rows):
                k, delta, ratio = heatmap(rows, panel)
                mesh = ax.pcolormesh(edges(k), edges(delta), ratio, cmap="viridis", vmin=0, vmax=1)
                ax.set_xlabel(\(cell.label(cell.first.xLabel, "frequency k")))
                ax.set_ylabel(\(cell.label(cell.first.yLabel, "perturbation size δ")))
            fig.colorbar(mesh, ax=axes, label=\(cell.label(colorbar, "|f̃_θ(k)| / |f̃_θ*(k)| (clipped to [0, 1])")))
            plt.show()
            """
    }
}

/// Figures over a sweep's axes, and of what a run measures after training: a metric as a
/// heatmap over two sweep axes, a 2-D model's output over the input plane, and the spectrum under
/// parameter perturbations.
extension FigureRecipes {
    /// `sweep_heatmap`: one cell per point of two sweep axes (`x`, `y`), coloured by `metric`
    /// (any claim metric: accuracy, RSE, losses, ...), the mean over the point's repeats
    /// (Rahaman et al.'s Fig. 9: training accuracy over (k, L)). The colour range is the data's own
    /// (nothing clips); the CSV has every cell's mean.
    static func sweepHeatmap(_ spec: FigureSpec, _ groups: [Series], sweepAxes: [String: [ExperimentSpec.SweepValue]]) throws -> Figure {
        guard let xKey = spec.xAxis, let yKey = spec.yAxis, let metric = spec.heatmapMetric else {
            throw RecipeError(description: "a sweep_heatmap names two sweep axes (x, y) and a metric")
        }
        var cells: [Double: [Double: [Double]]] = [:]
        for group in groups {
            for run in group.runs {
                let values = sweepAxes[run.name] ?? []
                guard let x = values.first(where: { $0.key == xKey })?.number, let y = values.first(where: { $0.key == yKey })?.number else {
                    throw RecipeError(description: "run '\(run.name)' has no numeric value on the sweep axes \(xKey) and \(yKey)")
                }
                guard let value = metric.value(of: run), value.isFinite else {
                    throw RecipeError(description: "run '\(run.name)' has no \(metric.words)")
                }
                cells[x, default: [:]][y, default: []].append(value)
            }
        }
        let xs = cells.keys.sorted()
        let ys = Set(cells.values.flatMap(\.keys)).sorted()
        let grid = ys.map { y in xs.map { x in cells[x]?[y].map { $0.reduce(0, +) / Double($0.count) } ?? .nan } }
        let counts = Set(cells.values.flatMap { $0.values.map(\.count) })
        let figure = Figure(width: 640, height: 440)
        let panel = figure.addAxes()
        if let n = counts.max(), n > 1 { panel.title = counts.count == 1 ? "mean of \(n) runs per cell" : "mean of up to \(n) runs per cell" }
        panel.xLabel = xKey
        panel.yLabel = yKey
        let heatmap = panel.heatmap(grid, x: xs, y: ys, colormap: .viridis, range: nil)
        panel.colorbar(for: heatmap, label: metric.words)
        // A tick at each sweep value (the cells' centres), when they fit.
        if xs.count <= 12 { panel.xTickValues = xs }
        if ys.count <= 16 { panel.yTickValues = ys }
        return figure
    }

    /// `perturbation` (Rahaman et al., Fig. 3): x = frequency k, y = perturbation size δ, colour =
    /// |f̃_θ(k)| / |f̃_θ*(k)| averaged over the random directions and over repeats; one panel per
    /// run. The colour scale is [0, 1] and clips; the CSV keeps the unclipped mean.
    static func perturbation(_ groups: [Series], labels: [String: String]) throws -> Figure {
        let means = try groups.map { group -> RunResult.Perturbation in
            let all = group.runs.compactMap(\.perturbation)
            guard all.count == group.runs.count, let first = all.first, !first.deltas.isEmpty else {
                throw RecipeError(description: "run '\(group.first.name)' measured no perturbations (write train.perturb on an mlp)")
            }
            guard all.allSatisfy({ $0.deltas == first.deltas && $0.ratios.first?.count == first.ratios.first?.count }) else {
                throw RecipeError(description: "the repeats of '\(group.name)' were perturbed at different sizes δ")
            }
            var mean = first
            mean.ratios = first.ratios.indices.map { i in first.ratios[i].indices.map { j in all.reduce(0) { $0 + $1.ratios[i][j] } / Double(all.count) } }
            return mean
        }
        let (figure, panels) = heatmapPanels(groups.count, sharedY: true)
        for (i, (panel, p)) in zip(panels, means).enumerated() {
            let n = groups[i].runs.count
            let parts = [groups.count > 1 ? labels[groups[i].name] ?? groups[i].name : nil,
                         "\(p.directions) direction\(p.directions == 1 ? "" : "s")" + (n > 1 ? " × \(n) runs" : "")].compactMap { $0 }
            panel.title = parts.joined(separator: " · ")
            panel.xLabel = "frequency k"
            panel.yLabel = "perturbation size δ"
            let heatmap = panel.heatmap(p.ratios, x: groups[i].first.frequencies.map(Double.init), y: p.deltas, colormap: .viridis, range: 0...1)
            if i == means.count - 1 || groups.count == 1 {
                panel.colorbar(for: heatmap, label: "$|\\tilde f_{\\theta}(k)| / |\\tilde f_{\\theta*}(k)|$ (colour clipped to [0, 1])")
            }
        }
        return figure
    }
}
