import Experiments
import Foundation
import Plotting

/// `curves`: training, validation and test loss, RSE or PSNR over training, a panel per run.
enum CurvesFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        if input.spec.panels == .sets {
            return try FigureRecipes.curvesBySet(input.series, metric: input.spec.metric ?? .loss, labels: input.seriesLabels)
        }
        return try FigureRecipes.curves(input.series, metric: input.spec.metric ?? .loss, labels: input.seriesLabels)
    }
}

extension FigureRecipes {
    /// Learning curves (Rahaman et al., Fig. 10; the MGDL papers' loss plots): for each run, the
    /// training, validation and test loss or metric at the recorded steps (the training loss at
    /// every step for `loss`), on a log axis (linear for PSNR); dashed lines where grades start.
    /// With repeats, the mean of each curve with a min–max band. One panel per run when several
    /// runs are named, so that train, validation and test of a run share a panel.
    static func curves(_ groups: [Series], metric: CurveMetric, labels: [String: String]) throws -> Figure {
        let columns = min(groups.count, 2)
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: groups.count == 1 ? 380 : Double(rows) * 280 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        let name = metric == .loss ? "loss (MSE)" : (metric == .rse ? "RSE" : "PSNR (dB)")
        for (panel, group) in zip(panels, groups) {
            let n = group.runs.count
            let points = group.runs.map(\.curvePoints)
            guard let first = points.first, !first.isEmpty, points.allSatisfy({ $0.map(\.step) == first.map(\.step) }) else {
                throw RecipeError(description: points.first?.isEmpty != false
                    ? "run '\(group.first.name)' recorded no learning curves (write train.record_every)"
                    : "the repeats of '\(group.name)' were recorded at different steps")
            }
            if groups.count > 1 || n > 1 {
                panel.title = (groups.count > 1 ? labels[group.name] ?? group.name : "") + (n > 1 ? (groups.count > 1 ? " · " : "") + "mean of \(n) runs, band min–max" : "")
            }
            panel.xLabel = (group.first.gradeBoundaries ?? []).isEmpty ? "training step" : "training step (all grades in order)"
            panel.yLabel = name
            panel.yScale = metric == .psnr ? .linear : .log
            let steps = first.map { Double($0.step) }
            func draw(_ label: String, _ value: (RunResult.CurvePoint) -> Double?) {
                let values = steps.indices.map { i in points.compactMap { value($0[i]) } }
                guard values.contains(where: { !$0.isEmpty }) else { return }
                let mean = values.map { $0.isEmpty ? Double.nan : $0.reduce(0, +) / Double($0.count) }
                panel.line(x: steps, y: mean, label: label)
                if n > 1 {
                    panel.band(x: steps, lower: values.map { $0.min() ?? .nan }, upper: values.map { $0.max() ?? .nan }, underLastLine: true)
                }
            }
            switch metric {
            case .loss:
                // The training loss at every step (of the batch, before the update).
                let (at, columns, length) = alignedLosses(group.runs)
                let mean = columns.map { $0.reduce(0, +) / Double(n) }
                let (x, y) = envelope(mean, steps: at, length: length, buckets: LossThinning.figureBuckets)
                panel.line(x: x, y: y, label: "training (every step)")
                if n > 1 {
                    let (bx, lo) = envelope(columns.map { $0.min()! }, steps: at, length: length, buckets: 1000, keep: .min)
                    let (_, hi) = envelope(columns.map { $0.max()! }, steps: at, length: length, buckets: 1000, keep: .max)
                    panel.band(x: bx, lower: lo, upper: hi, underLastLine: true)
                }
                draw("validation", { $0.validationLoss })
                draw("test", { $0.testLoss })
            case .rse, .psnr:
                draw("training", { $0.trainMetric })
                draw("validation", { $0.validationMetric })
                draw("test", { $0.testMetric })
            }
            for (i, step) in (group.first.gradeBoundaries ?? []).enumerated() {
                panel.verticalLine(at: Double(step), label: "grade \(i + 2)")
            }
            panel.showsLegend = panel === panels[0]
        }
        return figure
    }
}
