import Foundation
import Learning
import Numerics
import Tasks

/// The NTK theory of one declared run (Tancik et al.'s Figs. 3 and 12, notebook
/// `Experiments/1d_regression.ipynb`): the linearised network (``LinearisedTraining``) whose
/// kernel is the analytic NTK of the run's own network at initialisation
/// (``ReLUNeuralTangentKernel/standardParameterisation(xx:yy:xy:widths:weightVariances:)``:
/// its layer widths behind its input mapping, its initialiser's weight variances, zero biases,
/// biases trained), trained from f₀ = 0 by the run's own full-batch gradient descent on its
/// training points, step for step: the step's factor on the kernel is 2η/n for the mean squared
/// error (η/n for half of it) at the run's learning rate η. Computed from the declaration alone;
/// the run's recorded curves are drawn beside it (`ntk_training` figures, `ntk_theory` claims).
public struct NTKTrainingTheory: Sendable {
    public let run: String
    public let trainInputs: [Double]
    public let trainTargets: [Double]
    public let testTargets: [Double]
    public let model: LinearisedTraining
    /// The run's optimizer steps.
    public let steps: Int

    /// Why the theory does not describe `spec`'s training, or nil when it does: one ReLU network
    /// (`sgdl`) with zero-initialised biases (glorot_normal, he_normal, lecun_normal), plain full-batch
    /// gradient descent at a constant learning rate on the (half) mean squared error, and a 1-D
    /// sampled target on an interleaved split.
    public static func unsupported(_ spec: ExperimentSpec) -> String? {
        if spec.method != .sgdl { return "run '\(spec.name)' is method \(spec.method); the NTK theory models one network (sgdl)" }
        if spec.model.activation != .relu { return "run '\(spec.name)' has \(spec.model.activation.rawValue) activations; the analytic NTK is the ReLU network's" }
        if spec.model.initializer == .pytorchDefault {
            return "run '\(spec.name)' draws its biases at random (pytorch_default); the NTK theory needs zero-initialised biases (glorot_normal, he_normal, lecun_normal)"
        }
        if spec.train.optimizer != .sgd || spec.train.batch != nil || spec.train.finalLearningRate != nil || spec.train.grades != nil {
            return "run '\(spec.name)' is not trained by full-batch gradient descent at a constant learning rate (optimizer: sgd, batch: full, no lr_final)"
        }
        if let loss = spec.train.loss, loss != .mse && loss != .halfMSE { return "run '\(spec.name)' trains on \(loss.rawValue); the theory is the squared error's" }
        if !spec.task.kind.isSampledFunction || spec.task.split != .interleaved || spec.task.manifoldQ != nil {
            return "run '\(spec.name)' has no 1-D target on an interleaved split (task.split: interleaved)"
        }
        if spec.task.kind == .sumOfSines && spec.task.frequencies.isEmpty { return "run '\(spec.name)' has no target frequencies" }
        return nil
    }

    /// The theory of `spec` (which ``unsupported(_:)`` accepts).
    public init(_ spec: ExperimentSpec, dynamics: LinearisedTraining.Dynamics = .gradientDescent) throws {
        if let reason = Self.unsupported(spec) { throw NTKTheoryError(description: reason) }
        let function = try Runner.targetFunction(spec)
        let split = Split.interleaved(grid: Grid.equispaced(count: spec.task.points), stride: spec.task.stride ?? 2,
                                      inputDimension: 1, embedding: { [$0] }, target: function)
        run = spec.name
        trainInputs = split.train.inputs
        trainTargets = split.train.targets
        testTargets = split.test.targets
        steps = spec.train.steps
        let mapping = spec.features.mapping
        func mapped(_ xs: [Double]) -> [[Double]] {
            let m = mapping.apply(Matrix<Double>(rows: xs.count, cols: 1, values: xs))
            return (0..<m.rows).map { Array(m.values[($0 * m.cols)..<(($0 + 1) * m.cols)]) }
        }
        let train = mapped(split.train.inputs), test = mapped(split.test.inputs)
        let widths = [train.first?.count ?? 1] + spec.model.hidden + [1]
        let variances = (0..<(widths.count - 1)).map { l -> Double in
            switch spec.model.initializer {
            case .heNormal: return 2 / Double(widths[l])
            case .lecunNormal: return 1 / Double(widths[l])
            default: return 2 / Double(widths[l] + widths[l + 1])
            }
        }
        func theta(_ a: [Double], _ b: [Double]) -> Double {
            var aa = 0.0, bb = 0.0, ab = 0.0
            for (u, v) in zip(a, b) { aa += u * u; bb += v * v; ab += u * v }
            return ReLUNeuralTangentKernel.standardParameterisation(xx: aa, yy: bb, xy: ab, widths: widths, weightVariances: variances)
        }
        let n = train.count
        var k = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { let v = theta(train[i], train[j]); k[i * n + j] = v; k[j * n + i] = v } }
        let kt = test.flatMap { t in train.map { theta(t, $0) } }
        let perKernel = (spec.train.loss == .halfMSE ? 1.0 : 2.0) * spec.train.learningRate / Double(n)
        model = try LinearisedTraining(trainKernel: k, testKernel: kt, targets: split.train.targets, rate: perKernel, dynamics: dynamics)
    }

    /// The training MSE of the theory after `steps` steps.
    public func trainLoss(steps k: Double) -> Double { Metrics.mse(prediction: model.trainPrediction(steps: k), target: trainTargets) }

    /// The test MSE of the theory after `steps` steps.
    public func testLoss(steps k: Double) -> Double {
        testTargets.isEmpty ? .nan : Metrics.mse(prediction: model.testPrediction(steps: k), target: testTargets)
    }

    /// |R_b|: the magnitude of the unnormalised DFT of the theory's training residual f − y at
    /// each bin b of `bins` (over the n training points in grid order), after `steps` steps.
    public func residualBins(steps k: Double, bins: [Int]) -> [Double] {
        Self.bins(of: zip(model.trainPrediction(steps: k), trainTargets).map { $0 - $1 }, bins)
    }

    /// The same of a prediction on the training points (a run's final one).
    public func residualBins(prediction: [Double], bins: [Int]) -> [Double] {
        precondition(prediction.count == trainTargets.count, "NTKTrainingTheory: \(prediction.count) predictions for \(trainTargets.count) training points")
        return Self.bins(of: zip(prediction, trainTargets).map { $0 - $1 }, bins)
    }

    /// |Y_b|: the target's own magnitude at each bin (the residual's at f = 0).
    public func targetBins(_ bins: [Int]) -> [Double] { Self.bins(of: trainTargets.map { -$0 }, bins) }

    /// |DFT(r)| at bins b ≤ n/2 (unnormalised, as numpy's `abs(fft(r))[b]`).
    static func bins(of r: [Double], _ bins: [Int]) -> [Double] {
        let (re, im) = FourierTransform.spectrum(r)
        return bins.map { b in b < re.count ? (re[b] * re[b] + im[b] * im[b]).squareRoot() : .nan }
    }
}

public struct NTKTheoryError: Error, CustomStringConvertible {
    public let description: String
}
