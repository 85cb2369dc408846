import Experiments
import Foundation
import Learning
import Numerics
import Tasks

/// A run's estimated training cost: its FLOPs and its time on this machine.
///
/// A run is a list of training phases (`TrainingPhase`): one network shape trained for a number
/// of optimizer steps on a number of points per step (one phase for `mlp` and SGDL, one per grade
/// for MGDL, one per stage for multi-stage; MscaleDNN's jointly trained networks count as one
/// phase of `networks` networks). FLOPs are 6 × points × Σ fan_in·fan_out per step (forward 2,
/// backward 4, as the peer benchmarks count them; activations, losses and the optimizer are left
/// out). Time is each phase's steps times the engine's measured seconds per step for that shape
/// (`EngineSpeed`, which times the engine itself on this machine), so it follows what the engine
/// really does with small and large matrices, not a FLOP rate. Not counted: recording (at most
/// a few percent at `record_every: 100`, see `mgdl-report bench recording`), data preparation and
/// evaluation. Checked against real training times (`RunCostTests`): within a factor of 2.
enum RunCost {
    /// One network shape trained for `steps` optimizer steps of `rows` points each.
    struct TrainingPhase: Hashable, Sendable {
        var widths: [Int]
        var rows: Int
        var steps: Int
        /// Networks trained side by side on the same points (MscaleDNN's scales), else 1.
        var networks: Int = 1
        var float64: Bool

        /// Multiply-adds of one forward pass of one point.
        var weights: Double { zip(widths, widths.dropFirst()).reduce(0) { $0 + Double($1.0 * $1.1) } }
        var flops: Double { 6 * Double(rows) * weights * Double(steps) * Double(networks) }
    }

    /// The phases a run trains (see the type's documentation).
    static func phases(_ spec: ExperimentSpec) -> [TrainingPhase] {
        let task = spec.task
        // The interleaved split trains on every stride-th point only.
        let stride = max(1, task.stride ?? 1)
        var points = max(1, (task.points + stride - 1) / stride)
        var input = task.inputDimension
        var output = 1
        if task.kind == .image, let size = task.size {
            points = task.imageProtocol == .mgdl ? size * size : max(1, (size / 2) * (size / 2))
            output = (task.colour ?? .rgb).channels
        } else if task.kind == .dataset, let shape = datasetShape(spec) {
            (points, input, output) = shape
        } else if let encoding = task.targets {
            output = encoding.outputDimension(classes: 2)
        }
        switch spec.features.kind {
        case .basic: input = 2 * input
        case .positional, .positionalPowers, .powerFalloff: input = 2 * spec.features.count * input
        case .gaussian, .uniform, .uniformLog, .laplacian: input = 2 * spec.features.count
        case .none: break
        }
        let batches = spec.train.batch.map { max(1, (points + $0 - 1) / $0) } ?? 1
        let rows = max(1, Int((Double(points) / Double(batches)).rounded()))
        let float64 = spec.train.precision == .float64
        func phase(_ widths: [Int], epochs: Int, networks: Int = 1) -> TrainingPhase {
            TrainingPhase(widths: widths, rows: rows, steps: max(0, epochs) * batches, networks: networks, float64: float64)
        }
        let model = spec.model
        switch spec.method {
        case .mlp:
            // `train.steps` counts optimizer steps: whole epochs of `batches` steps.
            return [phase(model.widths, epochs: max(1, spec.train.steps / batches))]
        case .mgdl:
            var previous = input
            return model.grades.enumerated().map { i, grade in
                defer { previous = grade.last ?? previous }
                return phase([previous] + grade + [output], epochs: spec.train.grades?[safe: i]?.steps ?? spec.train.steps)
            }
        case .mscale:
            return [phase([input] + model.hidden + [output], epochs: spec.train.steps, networks: max(1, model.scales.count))]
        case .multistage:
            // An L-BFGS iteration (`train.lbfgs`) is one full-batch evaluation or, in a line
            // search, a few: counted as one epoch.
            return (0..<max(1, model.stages)).map { i in
                phase([input] + model.hidden + [output],
                      epochs: (spec.train.grades?[safe: i]?.steps ?? spec.train.steps) + (spec.train.lbfgs ?? 0))
            }
        case .phaseShift:
            // One network for the lowest band, and one of two outputs for each other band.
            let bands = max(1, model.bands ?? 1)
            return [phase([input] + model.hidden + [1], epochs: spec.train.steps)]
                + (bands > 1 ? [phase([input] + model.hidden + [2], epochs: spec.train.steps, networks: bands - 1)] : [])
        case .sgdl, .mscaleGroups, .adaptiveActivation:
            return [phase([input] + model.hidden + [output], epochs: spec.train.steps)]
        }
    }

    /// Training FLOPs (see the type's documentation).
    static func flops(_ spec: ExperimentSpec) -> Double { phases(spec).reduce(0) { $0 + $1.flops } }

    /// Estimated seconds of training on this machine, on the thread count `BLASThreads` is set to.
    static func seconds(_ spec: ExperimentSpec, speed: EngineSpeed) -> Double {
        phases(spec).reduce(0) { $0 + speed.seconds($1) }
    }

    /// A relative cost (multiply-adds of the forward passes over the training data): FLOPs / 6.
    static func estimate(_ spec: ExperimentSpec) -> Double { max(1, flops(spec) / 6) }

    /// A dataset task's training points, input and output widths, from its file and split.
    static func datasetShape(_ spec: ExperimentSpec) -> (Int, Int, Int)? {
        guard let file = spec.task.file,
              let dataset = try? LabelledDataset.load(contentsOf: spec.resolve(file)) else { return nil }
        let classes = spec.task.classes ?? []
        let n = dataset.labels.filter { classes.isEmpty || classes.contains($0) }.count
        let test = Int((Double(n) * (spec.task.testFraction ?? 0)).rounded())
        let validation = Int((Double(n) * (spec.task.validationFraction ?? 0.2)).rounded())
        let output = (spec.task.targets ?? .oneHot).outputDimension(classes: max(2, classes.count))
        return (max(1, n - test - validation), dataset.featureCount, output)
    }
}

/// The engine's measured speed on this machine, per network shape (`StepTiming`), kept for the
/// life of the value: each shape is timed once (about 20 ms, more for a shape whose single step
/// takes longer). Steps of more than 1024 points are timed on 1024 and scaled linearly (the
/// engine trains in chunks of 1024 rows on one thread, so the cost per point is flat above it).
final class EngineSpeed: @unchecked Sendable {
    private var cache: [String: Double] = [:]
    private let lock = NSLock()
    static let largestTimedRows = 1024

    init() {}

    /// Estimated seconds of a phase.
    func seconds(_ phase: RunCost.TrainingPhase) -> Double {
        guard phase.steps > 0, phase.widths.count >= 2, phase.widths.allSatisfy({ $0 > 0 }) else { return 0 }
        let timedRows = min(phase.rows, Self.largestTimedRows)
        let perStep = secondsPerStep(widths: phase.widths, rows: timedRows, float64: phase.float64)
        return perStep * Double(phase.rows) / Double(timedRows) * Double(phase.steps) * Double(phase.networks)
    }

    func secondsPerStep(widths: [Int], rows: Int, float64: Bool) -> Double {
        let key = "\(widths) \(rows) \(float64) \(BLASThreads.current)"
        lock.lock()
        if let known = cache[key] { lock.unlock(); return known }
        lock.unlock()
        let measured = StepTiming.secondsPerStep(widths: widths, rows: rows, float64: float64)
        lock.lock(); cache[key] = measured; lock.unlock()
        return measured
    }
}
