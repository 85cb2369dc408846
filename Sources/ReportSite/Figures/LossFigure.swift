import Experiments
import Foundation
import Plotting

/// `loss`: the training loss at every step, on a log axis, one series per run.
enum LossFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        FigureRecipes.loss(input.series, labels: input.seriesLabels)
    }

    /// The notebook's cell: redraws the figure from its CSV.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        return """
            # \(cell.spec.name): training loss at every step\(cell.first.yLog ? ", log scale" : "") (long runs: the min and max of each step bucket).
            rows = load_figure(\(cell.path))
            fig, ax = plt.subplots(\(cell.size), constrained_layout=True)
            curves = series(rows, 1)
            for name, (step, loss) in curves.items():
                ax.plot(step, loss, label=name, linewidth=1)
            for r in rows:
                if r["kind"] == "vline":  # e.g. where a new grade or stage starts
                    ax.axvline(num(r["x"]), linestyle="--", color="0.5", linewidth=1)
            ax.set_yscale(\(cell.first.yLog ? "\"log\"" : "\"linear\""))
            ax.set_xlabel(\(cell.label(cell.first.xLabel, "training iteration")))
            ax.set_ylabel(\(cell.label(cell.first.yLabel, "training loss (MSE)")))
            if len(curves) > 1:
                ax.legend()
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// Training loss against iteration on a log axis, one series per run. Long curves are
    /// reduced to the minimum and maximum of each of ~2000 buckets, which keeps every excursion.
    /// With grades (MGDL) or stages, a dashed vertical line marks where each new one starts
    /// (drawn when the runs that have grades share them). Runs of a sweep with more than four
    /// points are grouped into panels by every part of their label but the last
    /// (`amplitudes = constant` | `method = sgdl`, `method = mgdl`), so no legend hides a curve.
    static func loss(_ runs: [RunResult], labels: [String: String] = [:]) -> Figure {
        loss(runs.map { Series(name: $0.name, runs: [$0]) }, labels: labels)
    }

    /// With repeats, each series is drawn as the mean over its runs with a min–max band (the
    /// legend says so): on a log axis a ±std band can go below zero, min–max cannot.
    static func loss(_ all: [Series], labels: [String: String]) -> Figure {
        curves(all, labels: labels, quantity: "training loss", unit: " (MSE)", values: \.losses, steps: nil)
    }
}
