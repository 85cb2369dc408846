import Experiments
import Foundation
import Plotting

/// `validation_loss`: the validation loss at the recorded steps, laid out as `loss`.
enum ValidationLossFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.validationLoss(input.series, labels: input.seriesLabels)
    }
}

extension FigureRecipes {
    /// The loss on the validation set (clean targets when the task adds label noise) every
    /// `record_every` steps, laid out and aggregated over repeats as `loss`.
    static func validationLoss(_ all: [Series], labels: [String: String]) throws -> Figure {
        for run in all.flatMap(\.runs) where (run.validationCurve ?? []).isEmpty {
            throw RecipeError(description: "run '\(run.name)' recorded no validation loss (it needs a validation set and method sgdl or mgdl)")
        }
        return curves(all, labels: labels, quantity: "validation loss", unit: "",
                      values: { $0.validationCurve!.map(\.value) }, steps: { $0.validationCurve!.map { Double($0.step) } })
    }
}
