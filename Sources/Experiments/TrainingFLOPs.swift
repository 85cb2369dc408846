import Foundation
import Learning
import Tasks

/// A run's training FLOPs, counted from its declaration: the one place the project counts them
/// (`plan`'s cost, `train.flop_budget`, the leaderboard's FLOP column).
///
/// What is counted, as the engine computes it (n = training points, after the interleaved split's
/// stride, the image protocol's training pixels or a dataset's split; a network of widths
/// w₀ … w_L has the layer products Σ_l w_l·w_{l+1}):
/// - **One training pass of a network over the n points** (an epoch; a full-batch L-BFGS
///   evaluation): the matrix products of the forward pass, 2·n·Σ_l w_l·w_{l+1}; of the weight
///   gradients, the same; of the input gradients, the same without the first layer, whose input
///   gradient the engine never computes: n·(6·Σ_l w_l·w_{l+1} − 2·w₀·w₁). An `mlp` step on a
///   minibatch of n/B points counts n/B.
/// - **The input mapping** (`features`), once before training: each of its k frequency rows is a
///   dot product with the d-dimensional input, 2·n·k·d.
/// - **MGDL's frozen grades**: after grade g (g < L) the engine runs it forward twice on the n
///   points, for the residual (the whole grade, 2·n·Σ) and for the next grade's input (its hidden
///   layers, without the output layer).
/// - **Multi-stage**: per stage, its Adam epochs and its L-BFGS evaluations (`train.lbfgs`, one
///   full-batch pass each), and after every stage but the last one forward pass for the residual.
/// - **MscaleDNN-2**: one pass per scale's network; **PhaseDNN**: one per band's network.
/// Not counted: activations (also sin, the adaptive slope, MscaleDNN-1's column scales), biases,
/// the loss, the optimizer's update, transcendental functions of the mapping, the DFTs (PhaseDNN's
/// bands, the multi-stage dominant frequency), recording and evaluation. They are elementwise
/// or O(n log n) work, a few percent of the products at the widths the reports use.
public enum TrainingFLOPs {
    /// The sizes that set the count.
    public struct Shape: Equatable, Sendable {
        /// Training points per epoch.
        public var points: Int
        /// The input width of the task (before the mapping).
        public var rawInput: Int
        /// The network's input width (after the mapping).
        public var input: Int
        public var output: Int
        /// Frequency rows of the input mapping (0 without one).
        public var mappingRows: Int
        /// Minibatches per epoch.
        public var batches: Int
    }

    /// The run's training points, widths and minibatches.
    public static func shape(_ spec: ExperimentSpec) -> Shape {
        let task = spec.task
        // The interleaved split trains on every stride-th point only.
        let stride = max(1, task.stride ?? 1)
        var points = max(1, (task.points + stride - 1) / stride)
        var input = task.inputDimension
        var output = 1
        if task.kind == .image, let size = task.size ?? task.textSeed.map({ _ in TextImage.side }) {
            // Both protocols train on the even pixel grid (`ImageTask.split`); they differ in the
            // pixels they test on.
            let side = (size + 1) / 2
            points = max(1, side * side)
            output = (task.colour ?? .rgb).channels
        } else if task.kind == .dataset, let shape = datasetShape(spec) {
            (points, input, output) = shape
        } else if let encoding = task.targets {
            output = encoding.outputDimension(classes: 2)
        }
        let rows = spec.features.kind == .none ? 0 : (spec.features.mapping.frequencies(inputWidth: input)?.rows ?? 0)
        let batches = spec.train.batch.map { max(1, (points + $0 - 1) / $0) } ?? 1
        return Shape(points: points, rawInput: input, input: rows > 0 ? 2 * rows : input, output: output,
                     mappingRows: rows, batches: batches)
    }

    /// The count split into what is spent once (`fixed`: the mapping, frozen grades, residuals,
    /// L-BFGS) and what each unit of the training length costs (`perUnit`: one epoch of every
    /// network, grade and stage; one step for `mlp`), so that total = fixed + perUnit × length
    /// when every grade trains the declared length.
    public static func split(_ spec: ExperimentSpec) -> (fixed: Double, perUnit: Double) {
        let s = shape(spec)
        let n = Double(s.points)
        let model = spec.model
        var fixed = 2 * n * Double(s.mappingRows * s.rawInput)
        var perUnit = 0.0
        switch spec.method {
        case .mlp:
            // A step trains on one minibatch: n / batches points.
            perUnit = n / Double(s.batches) * pass(model.widths)
        case .sgdl, .mscaleGroups, .adaptiveActivation:
            perUnit = n * pass([s.input] + model.hidden + [s.output])
        case .mscale:
            perUnit = n * Double(max(1, model.scales.count)) * pass([s.input] + model.hidden + [s.output])
        case .phaseShift:
            let bands = max(1, model.bands ?? 1)
            perUnit = n * (pass([s.input] + model.hidden + [1]) + Double(bands - 1) * pass([s.input] + model.hidden + [2]))
        case .mgdl:
            var previous = s.input
            for (g, grade) in model.grades.enumerated() {
                let widths = [previous] + grade + [s.output]
                perUnit += n * pass(widths)
                if g + 1 < model.grades.count {
                    fixed += 2 * n * (products(widths) + products(Array(widths.dropLast())))
                }
                previous = grade.last ?? previous
            }
        case .multistage:
            let widths = [s.input] + model.hidden + [s.output]
            let stages = Double(max(1, model.stages))
            perUnit = stages * n * pass(widths)
            fixed += stages * Double(spec.train.lbfgs ?? 0) * n * pass(widths) + (stages - 1) * 2 * n * products(widths)
        }
        return (fixed, perUnit)
    }

    /// Training FLOPs of the run as declared (per-grade epochs of `train.grades` included).
    public static func total(_ spec: ExperimentSpec) -> Double {
        let (fixed, perUnit) = split(spec)
        guard spec.method == .mgdl, spec.train.grades != nil else { return fixed + perUnit * Double(spec.train.steps) }
        // Per-grade epochs: each grade's own pass count.
        let s = shape(spec)
        var previous = s.input, sum = fixed
        for (g, grade) in spec.model.grades.enumerated() {
            let widths = [previous] + grade + [s.output]
            sum += Double(s.points) * pass(widths) * Double(spec.train.steps(ofGrade: g))
            previous = grade.last ?? previous
        }
        return sum
    }

    /// The training length (epochs, or `mlp` steps) that `budget` FLOPs pay for: the largest
    /// whose total stays within the budget; nil when not even one fits.
    public static func length(for budget: Double, _ spec: ExperimentSpec) -> Int? {
        let (fixed, perUnit) = split(spec)
        guard perUnit > 0 else { return nil }
        let units = ((budget - fixed) / perUnit).rounded(.down)
        guard units >= 1 else { return nil }
        return Int(min(units, Double(Limits.steps)))
    }

    /// Σ_l w_l·w_{l+1}: multiply-adds of one point's forward pass.
    static func products(_ widths: [Int]) -> Double {
        zip(widths, widths.dropFirst()).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// FLOPs of one point's training pass: forward, weight gradients, input gradients but the first layer's.
    static func pass(_ widths: [Int]) -> Double {
        guard widths.count >= 2 else { return 0 }
        return 6 * products(widths) - 2 * Double(widths[0]) * Double(widths[1])
    }

    /// A dataset task's training points, input and output widths, from its file and split.
    static func datasetShape(_ spec: ExperimentSpec) -> (Int, Int, Int)? {
        guard let file = spec.task.file, let dataset = datasetSummary(spec.resolve(file)) else { return nil }
        let classes = spec.task.classes ?? []
        let n: Int = dataset.labels.filter { classes.isEmpty || classes.contains($0.key) }.values.reduce(0, +)
        let test = Int((Double(n) * (spec.task.testFraction ?? 0)).rounded())
        let validation = Int((Double(n) * (spec.task.validationFraction ?? 0.2)).rounded())
        let output = (spec.task.targets ?? .oneHot).outputDimension(classes: max(2, classes.count))
        return (max(1, n - test - validation), dataset.featureCount, output)
    }

    /// A dataset file's samples per label and feature count, read once per process and version of
    /// the file (every run of a report on the same file, and every page's budget, asks for them).
    private static func datasetSummary(_ path: String) -> (labels: [Int: Int], featureCount: Int)? {
        summaryLock.lock()
        defer { summaryLock.unlock() }
        // Keyed by the file's size and modification time too: `serve` sees an edited file afresh.
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let key = "\(path) \((attributes?[.size] as? NSNumber)?.intValue ?? -1) \((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        if let known = summaries[key] { return known }
        guard let dataset = try? LabelledDataset.load(contentsOf: path) else { return nil }
        let counts: [Int: Int] = Dictionary(dataset.labels.map { ($0, 1) }, uniquingKeysWith: +)
        let summary = (labels: counts, featureCount: dataset.featureCount)
        summaries[key] = summary
        return summary
    }

    private static let summaryLock = NSLock()
    nonisolated(unsafe) private static var summaries: [String: (labels: [Int: Int], featureCount: Int)] = [:]
}
