import Experiments
import Foundation
import Plotting

/// `spectral_evolution`: the amplitude of each target frequency in the prediction over training
/// (Rahaman et al., Fig. 1), one heatmap panel per series.
enum SpectralEvolutionFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.spectralEvolution(input.series, labels: input.seriesLabels, sharedSteps: input.spec.ownSteps != true)
    }

    /// The notebook's cell: redraws the figure from its CSV.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        return """
            # \(cell.spec.name): colour = |f̃(k)| / A_k of the prediction at each target frequency k (x) and recorded iteration (y).
            rows = load_figure(\(cell.path))
            k, iteration, amplitude = heatmap(rows)
            fig, ax = plt.subplots(\(cell.size), constrained_layout=True)
            mesh = ax.pcolormesh(edges(k), edges(iteration), amplitude, cmap="viridis", vmin=0, vmax=1)
            ax.set_xlabel(\(cell.label(cell.first.xLabel, "frequency k")))
            ax.set_ylabel(\(cell.label(cell.first.yLabel, "training iteration")))
            fig.colorbar(mesh, ax=ax, label=\(cell.label(cell.first.colorbar, "|f̃(k)| / A_k (clipped to [0, 1])")))
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// x = frequency k, y = iteration, colour = 2|DFT(prediction)(k)|/n divided by the target's
    /// amplitude A_k (Rahaman et al., Fig. 1), averaged over repeats; one panel per series. The
    /// colour scale is [0, 1] and clips (values above 1 show at the end colour); the CSV keeps
    /// the unclipped ratio. Repeats recorded at different steps (a multi-stage run's L-BFGS stops
    /// when it converges, so its later stages start at different steps) cannot be averaged row by
    /// row: the panel then shows the first copy and says so ("run 1 of N").
    static func spectralEvolution(_ groups: [Series], labels: [String: String], sharedSteps: Bool = true) throws -> Figure {
        var firstOnly = Set<String>()
        let evolutions = try groups.map { group -> SpectralEvolution in
            var mean = SpectralEvolution.mean(of: group.runs)
            if mean == nil, group.runs.count > 1, let first = SpectralEvolution.mean(of: [group.first]) {
                mean = first
                firstOnly.insert(group.name)
            }
            guard let e = mean else {
                throw RecipeError(description: "run '\(group.first.name)' recorded no predictions during training (set train.record_every)")
            }
            guard e.steps.count > 1 else {
                throw RecipeError(description: "run '\(group.first.name)' recorded only its final prediction: a spectral-evolution heatmap needs snapshots during training (train.record_every)")
            }
            return e
        }
        let (figure, panels) = heatmapPanels(groups.count, sharedY: sharedSteps)
        for (i, (panel, e)) in zip(panels, evolutions).enumerated() {
            let n = groups[i].runs.count
            if groups.count > 1 || n > 1 || e.band != nil {
                let parts = [groups.count > 1 ? labels[groups[i].name] ?? groups[i].name : nil,
                             n > 1 ? (firstOnly.contains(groups[i].name) ? "run 1 of \(n)" : "mean of \(n) runs") : nil,
                             e.band.map { "band ±\($0)" }].compactMap { $0 }
                panel.title = parts.joined(separator: " · ")
            }
            // A kernel spectrum (task.kernel_spectrum): bins of eigen-indices, placed at their centres.
            let bin = e.eigenBin
            panel.xLabel = bin.map { "kernel eigen-index n (\($0 == 1 ? "each" : "bins of \($0)"))" } ?? "frequency k"
            panel.yLabel = "training iteration"
            let x = e.frequencies.map { Double($0) + Double((bin ?? 1) - 1) / 2 }
            let heatmap = panel.heatmap(e.rows, x: x, y: e.steps.map(Double.init), colormap: .viridis, range: 0...1)
            if i == evolutions.count - 1 || groups.count == 1 {
                panel.colorbar(for: heatmap, label: bin == nil ? "$|\\tilde f(k)| / A_k$ (colour clipped to [0, 1])"
                                                          : "|⟨vₙ, f⟩| / |⟨vₙ, y⟩| (colour clipped to [0, 1])")
            }
        }
        return figure
    }
}
