import Foundation
import Learning
import Numerics
import Tasks

/// What a run produced: enough to draw every figure and table without training again.
public struct RunResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ok, failed }

    public var name: String
    public var status: Status
    /// Why the run failed (nil when it succeeded).
    public var message: String?
    /// Inputs of the grid the network is trained and evaluated on.
    public var inputs: [Double]
    public var target: [Double]
    public var frequencies: [Int]
    /// The target's own amplitude at each frequency, 2|DFT(target)(k)|/n.
    public var targetAmplitudes: [Double]
    /// Training loss at every optimizer step.
    public var losses: [Double]
    public var snapshots: [Snapshot]
    public var seconds: Double
    public var parameterCount: Int
    /// Relative squared error of the final prediction on the grid.
    public var finalRSE: Double?

    public struct Snapshot: Codable, Sendable, Equatable {
        public var step: Int
        public var prediction: [Double]
    }
}

/// Progress of one training, for the build's progress display.
public struct RunProgress: Sendable {
    public let run: String
    public let step: Int
    public let totalSteps: Int
    public let loss: Double
}

/// Trains declared experiments on our engine.
public enum Runner {
    /// Runs one experiment. Never throws: a failure is a `RunResult` with status `.failed`.
    public static func run(_ spec: ExperimentSpec, progress: ((RunProgress) -> Void)? = nil) -> RunResult {
        let grid = Grid.equispaced(count: spec.task.points)
        let phases = spec.task.phases
            ?? SumOfSines.seededPhases(count: spec.task.frequencies.count, seed: spec.task.phaseSeed ?? spec.seed)
        let amplitudes: SumOfSines.Amplitudes
        switch spec.task.amplitudeProfile {
        case "decreasing": amplitudes = .decreasing
        case "increasing": amplitudes = .increasing
        case "x_dependent": amplitudes = .xDependent
        case "explicit": amplitudes = .explicit(spec.task.amplitudes)
        default: amplitudes = .constant(spec.task.amplitudes.first ?? 1)
        }
        let function: SumOfSines
        do {
            function = try SumOfSines.validated(frequencies: spec.task.frequencies.map(Double.init),
                                                amplitudes: amplitudes, phases: phases)
        } catch {
            return RunResult(name: spec.name, status: .failed, message: "invalid task: \(error)", inputs: [], target: [],
                             frequencies: spec.task.frequencies, targetAmplitudes: [], losses: [], snapshots: [],
                             seconds: 0, parameterCount: 0, finalRSE: nil)
        }
        let target = grid.map { function($0) }
        let targetSpectrum = Spectra.amplitudeSpectrum(target)
        var result = RunResult(name: spec.name, status: .ok, message: nil, inputs: grid, target: target,
                               frequencies: spec.task.frequencies,
                               targetAmplitudes: spec.task.frequencies.map { targetSpectrum[$0] },
                               losses: [], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        switch spec.train.precision {
        case "float64": trainNetwork(Double.self, spec: spec, grid: grid, target: target, into: &result, progress: progress)
        default: trainNetwork(Float.self, spec: spec, grid: grid, target: target, into: &result, progress: progress)
        }
        return result
    }

    private static func trainNetwork<T: RealScalar>(_: T.Type, spec: ExperimentSpec, grid: [Double], target: [Double],
                                             into result: inout RunResult, progress: ((RunProgress) -> Void)?) {
        let networkSpec = NetworkSpec(widths: spec.model.widths,
                                      hidden: Activation(rawValue: spec.model.activation) ?? .relu,
                                      output: .identity,
                                      initializer: Initializer(rawValue: spec.model.initializer) ?? .pytorchDefault)
        let network = Network<T>(spec: networkSpec, seed: spec.seed)
        let optimizer: Optimizer = spec.train.optimizer == "sgd"
            ? .sgd(learningRate: spec.train.learningRate, momentum: 0)
            : .adam(learningRate: spec.train.learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        let batches = spec.train.batch.map { (grid.count + $0 - 1) / $0 } ?? 1
        let epochs = max(1, spec.train.steps / batches)
        let trainingSpec = TrainingSpec(optimizer: optimizer, loss: .mse, batchSize: spec.train.batch,
                                        epochs: epochs, seed: spec.seed)
        let x = Matrix<T>(rows: grid.count, cols: 1, values: grid.map { T($0) })
        let y = Matrix<T>(rows: grid.count, cols: 1, values: target.map { T($0) })
        var divergedAt: Int?
        let history = Learning.train(network, x: x, y: y, spec: trainingSpec, snapshotEvery: spec.train.recordEvery,
                            snapshotInputs: x) { step, total, loss in
            if !loss.isFinite { divergedAt = step; return false }
            progress?(RunProgress(run: spec.name, step: step, totalSteps: total, loss: loss))
            return true
        }
        result.losses = history.losses
        result.snapshots = history.snapshots.map { RunResult.Snapshot(step: $0.step, prediction: $0.prediction) }
        result.seconds = history.seconds
        result.parameterCount = network.parameterCount
        if let step = divergedAt ?? history.losses.firstIndex(where: { !$0.isFinite }) {
            result.status = .failed
            result.message = "training diverged: the loss became \(history.losses.indices.contains(step) ? "\(history.losses[step])" : "non-finite") at step \(step); lower train.lr or check the data"
            return
        }
        if let last = result.snapshots.last {
            result.finalRSE = Metrics.rse(prediction: last.prediction, target: target)
        }
    }
}
