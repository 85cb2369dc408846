import Experiments
import Foundation
import Plotting
import Tasks

/// `final_fits`: the final predictions of several runs in one panel, over the target (Rahaman et
/// al.'s App. A.5: the fitted functions of networks of several depths, widths or weight clips
/// against the δ-spike).
enum FinalFitsFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.finalFits(input.series, labels: input.seriesLabels)
    }
}

extension FigureRecipes {
    /// The last whole prediction a run kept on its grid (an mlp keeps its last step's whatever
    /// `keep_predictions` says), with its step.
    static func finalPrediction(_ run: RunResult) throws -> RunResult.Snapshot {
        guard let last = run.snapshots.last(where: { $0.prediction.count == run.target.count && !run.target.isEmpty }) else {
            throw RecipeError(description: "run '\(run.name)' kept no prediction on its grid")
        }
        return last
    }

    /// One panel: each series' final prediction (of a repeated run the first copy, as the legend
    /// says) in the cycle's colours, in the order named, and the first series' target grey and
    /// dashed over them. The legend gives each run's RSE on the grid.
    static func finalFits(_ groups: [Series], labels: [String: String]) throws -> Figure {
        let figure = Figure(width: 720, height: 420)
        let panel = figure.addAxes()
        var steps = Set<Int>()
        for group in groups {
            let run = group.first
            let final = try finalPrediction(run)
            steps.insert(final.step)
            let name = labels[group.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name
            let rse = Metrics.rse(prediction: final.prediction, target: run.target)
            let copy = group.runs.count > 1 ? "; run 1 of \(group.runs.count)" : ""
            panel.line(x: run.inputs, y: final.prediction, label: String(format: "%@ (RSE %.2g%@)", name, rse, copy), width: 1.5)
        }
        let reference = groups[0].first
        panel.line(x: reference.inputs, y: reference.target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.2, dashed: true)
        panel.title = steps.count == 1 ? "after \(steps.first!) steps" : "at each run's last step"
        panel.xLabel = "x"
        panel.yLabel = "value"
        panel.showsLegend = true
        return figure
    }
}
