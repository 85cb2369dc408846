import Experiments
import Foundation
import Learning
import Numerics
import Tasks

/// A run's estimated training cost: its FLOPs and its time on this machine.
///
/// FLOPs are `TrainingFLOPs.total` (the one count; see there what it includes). Time: a run is
/// a list of training phases (`TrainingPhase`): one network shape trained for a number of
/// optimizer steps on a number of points per step (one phase for `mlp` and SGDL, one per grade
/// for MGDL, one per stage for multi-stage; MscaleDNN's jointly trained networks count as one
/// phase of `networks` networks), each phase's steps times the engine's measured seconds per step
/// for that shape (`EngineSpeed`, which times the engine itself on this machine), so it follows
/// what the engine really does with small and large matrices, not a FLOP rate. Not counted:
/// recording (at most a few percent at `record_every: 100`, see `mgdl-report bench recording`),
/// data preparation and evaluation. Checked against real training times (`RunCostTests`):
/// within a factor of 2.
enum RunCost {
    /// One network shape trained for `steps` optimizer steps of `rows` points each.
    struct TrainingPhase: Hashable, Sendable {
        var widths: [Int]
        var rows: Int
        var steps: Int
        /// Networks trained side by side on the same points (MscaleDNN's scales), else 1.
        var networks: Int = 1
        var float64: Bool
        /// The hidden layers' activation: ReLU for SGDL and MGDL, tanh for multi-stage networks,
        /// the declared one for the rest.
        var activation: Activation = .relu
    }

    /// The phases a run trains (see the type's documentation).
    static func phases(_ spec: ExperimentSpec) -> [TrainingPhase] {
        let shape = TrainingFLOPs.shape(spec)
        let input = shape.input, output = shape.output, batches = shape.batches
        let rows = max(1, Int((Double(shape.points) / Double(batches)).rounded()))
        let float64 = spec.train.precision == .float64
        let activation: Activation
        switch spec.method {
        case .sgdl, .mgdl: activation = .relu
        // tanh throughout (a stage's first layer is a sine from the second stage on: as costly).
        case .multistage: activation = .tanh
        case .mlp, .mscale, .mscaleGroups, .phaseShift, .adaptiveActivation: activation = spec.model.activation
        }
        func phase(_ widths: [Int], epochs: Int, networks: Int = 1) -> TrainingPhase {
            TrainingPhase(widths: widths, rows: rows, steps: max(0, epochs) * batches, networks: networks, float64: float64,
                          activation: activation)
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
                return phase([previous] + grade + [output], epochs: spec.train.steps(ofGrade: i))
            }
        case .mscale:
            return [phase([input] + model.hidden + [output], epochs: spec.train.steps, networks: max(1, model.scales.count))]
        case .multistage:
            // An L-BFGS iteration (`train.lbfgs`) is one full-batch evaluation or, in a line
            // search, a few: counted as one epoch.
            return (0..<max(1, model.stages)).map { i in
                phase([input] + model.hidden + [output],
                      epochs: spec.train.steps(ofGrade: i) + (spec.train.lbfgs ?? 0))
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

    /// Training FLOPs (`TrainingFLOPs.total`).
    static func flops(_ spec: ExperimentSpec) -> Double { TrainingFLOPs.total(spec) }

    /// Estimated seconds of training on this machine, on the thread count `BLASThreads` is set to.
    static func seconds(_ spec: ExperimentSpec, speed: EngineSpeed) -> Double {
        phases(spec).reduce(0) { $0 + speed.seconds($1) }
    }

    /// A relative cost (the training FLOPs over 6, about the multiply-adds of the forward passes).
    static func estimate(_ spec: ExperimentSpec) -> Double { max(1, flops(spec) / 6) }
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
        let perStep = secondsPerStep(widths: phase.widths, rows: timedRows, float64: phase.float64, activation: phase.activation)
        return perStep * Double(phase.rows) / Double(timedRows) * Double(phase.steps) * Double(phase.networks)
    }

    func secondsPerStep(widths: [Int], rows: Int, float64: Bool, activation: Activation = .relu) -> Double {
        let key = "\(widths) \(rows) \(float64) \(activation.rawValue) \(BLASThreads.current)"
        lock.lock()
        if let known = cache[key] { lock.unlock(); return known }
        lock.unlock()
        let measured = StepTiming.secondsPerStep(widths: widths, rows: rows, float64: float64, activation: activation)
        lock.lock(); cache[key] = measured; lock.unlock()
        return measured
    }
}
