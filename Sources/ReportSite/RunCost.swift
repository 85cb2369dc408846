import Experiments
import Foundation

/// A run's estimated cost, in multiply-adds of its forward passes over the training data:
/// points seen × weights × epochs (every network of a multi-grade, multi-scale or multi-stage
/// method counts). Only ratios matter: the progress display calibrates it against the measured
/// rate to give an overall ETA, so the constant factors of backward passes and optimizers cancel.
enum RunCost {
    static func estimate(_ spec: ExperimentSpec) -> Double {
        let task = spec.task
        let points: Double
        if task.kind == .image, let size = task.size {
            points = Double(size * size) / (task.imageProtocol == .mgdl ? 1 : 4)
        } else {
            points = Double(max(1, task.points))
        }
        var input = task.inputDimension
        switch spec.features.kind {
        case .basic: input = 2 * input
        case .positional, .positionalPowers: input = 2 * spec.features.count * input
        case .gaussian: input = 2 * spec.features.count
        case .none: break
        }
        let output = task.kind == .image ? (task.colour ?? .rgb).channels : 1
        func weights(_ widths: [Int]) -> Double {
            zip(widths, widths.dropFirst()).reduce(0) { $0 + Double($1.0 * $1.1) }
        }
        let model = spec.model
        let perEpoch: Double
        switch spec.method {
        case .mlp:
            perEpoch = weights(model.widths)
        case .mgdl:
            var total = 0.0, previous = input
            for grade in model.grades {
                // The frozen grades' features are computed once per grade, not per epoch.
                total += weights([previous] + grade + [output])
                previous = grade.last ?? previous
            }
            perEpoch = total
        case .mscale:
            perEpoch = Double(max(1, model.scales.count)) * weights([input] + model.hidden + [output])
        case .multistage:
            perEpoch = Double(max(1, model.stages)) * weights([input] + model.hidden + [output])
        case .phaseShift:
            let bands = max(1, model.bands ?? 1)
            perEpoch = weights([input] + model.hidden + [1]) + Double(bands - 1) * weights([input] + model.hidden + [2])
        case .sgdl, .mscaleGroups, .adaptiveActivation:
            perEpoch = weights([input] + model.hidden + [output])
        }
        // `steps` is optimizer steps (mlp) or epochs per network (the others).
        let batches = spec.train.batch.map { max(1, (Int(points) + $0 - 1) / $0) } ?? 1
        // An L-BFGS iteration (multistage `train.lbfgs`) is one full-batch evaluation or, in a line
        // search, a few: counted as one epoch.
        let epochs = spec.method == .mlp ? Double(max(1, spec.train.steps)) / Double(batches)
            : Double(max(1, spec.train.steps) + (spec.train.lbfgs ?? 0))
        return max(1, points * perEpoch * epochs)
    }
}
