import Experiments
import Foundation
import Plotting

extension FigureRecipes {
    /// Learning curves compared across runs (`curves` with `panels: sets`; Tancik et al., Fig. 3):
    /// one panel per set — training, validation, test, those any run recorded — with one line per
    /// run (or repeated run: the mean, with a min–max band). For `metric: loss` the training panel
    /// has the loss at every step (long runs: the min and max of each step bucket), the others
    /// the loss at the recorded steps; for `rse` and `psnr` every panel has the recorded steps.
    /// Log y axes, except PSNR.
    static func curvesBySet(_ groups: [Series], metric: CurveMetric, labels: [String: String]) throws -> Figure {
        typealias Value = (RunResult.CurvePoint) -> Double?
        let recorded: [(String, Value)] = metric == .loss
            ? [("validation", { $0.validationLoss }), ("test", { $0.testLoss })]
            : [("training", { $0.trainMetric }), ("validation", { $0.validationMetric }), ("test", { $0.testMetric })]
        for group in groups where group.runs.contains(where: { $0.curvePoints.isEmpty }) && metric != .loss {
            throw RecipeError(description: "run '\(group.first.name)' recorded no learning curves (write train.record_every)")
        }
        let present = recorded.filter { _, value in groups.contains { $0.runs.contains { $0.curvePoints.contains { value($0) != nil } } } }
        var sets: [(String, Value?)] = metric == .loss ? [("training", nil)] : []
        sets += present.map { ($0.0, Optional($0.1)) }
        guard !sets.isEmpty else { throw RecipeError(description: "the runs recorded no curves") }
        let figure = Figure(width: sets.count == 1 ? 640 : (sets.count == 2 ? 960 : 1200), height: 380)
        let panels = sets.count == 1 ? [figure.addAxes()] : figure.grid(rows: 1, columns: sets.count, sharedX: true, sharedY: false)
        let quantity = metric == .loss ? "loss (MSE)" : (metric == .rse ? "RSE" : "PSNR (dB)")
        let repeated = groups.contains { $0.runs.count > 1 }
        for (panel, (set, value)) in zip(panels, sets) {
            panel.title = set == "training" && metric == .loss ? "training (every step)" : set
            panel.xLabel = "training step"
            panel.yLabel = quantity + (repeated ? " (mean, band min–max)" : "")
            panel.yScale = metric == .psnr ? .linear : .log
            for group in groups {
                let label = labels[group.name] ?? group.name
                let n = group.runs.count
                let text = label + (n > 1 ? " · mean of \(n)" : "")
                if let value {
                    let points = group.runs.map(\.curvePoints)
                    guard let first = points.first, points.allSatisfy({ $0.map(\.step) == first.map(\.step) }) else {
                        throw RecipeError(description: "the repeats of '\(group.name)' were recorded at different steps")
                    }
                    let steps = first.map { Double($0.step) }
                    let columns = steps.indices.map { i in points.compactMap { value($0[i]) } }
                    guard columns.contains(where: { !$0.isEmpty }) else { continue }
                    panel.line(x: steps, y: columns.map { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) }, label: text)
                    if n > 1 {
                        panel.band(x: steps, lower: columns.map { $0.min() ?? .nan }, upper: columns.map { $0.max() ?? .nan }, underLastLine: true)
                    }
                } else {
                    FigureRecipes.meanLoss(group.runs, label: text, on: panel)
                }
            }
            panel.showsLegend = panel === panels[0]
        }
        return figure
    }
}
