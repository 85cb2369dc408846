import Numerics

/// The hidden activation of MscaleDNN's subnetworks.
public enum MscaleActivation: String, CaseIterable, Sendable {
    /// sReLU(z) = ReLU(z)·ReLU(1 - z).
    case sReLU = "srelu"
    /// s2ReLU(z) = sin(2πz)·sReLU(z).
    case s2ReLU = "s2relu"

    public var activation: Activation {
        switch self {
        case .sReLU: return .sReLU
        case .s2ReLU: return .s2ReLU
        }
    }
}

/// A way to fit a regression `x -> y` (see `Sources/Learning/Methods/README.md`).
public enum Method: Sendable, Equatable {
    /// Single-grade deep learning: one deep ReLU net `d_in -> hidden... -> d_out`, trained end to end.
    case sgdl(hidden: [Int])
    /// Multi-grade deep learning (Fang & Xu): the hidden widths of each grade, e.g.
    /// `[[256, 256], [256, 256], [256, 256]]`. Grade l > 1 takes the frozen last-hidden features
    /// of grade l - 1 and fits the residual; the model is the sum of the grades' outputs.
    case mgdl(grades: [[Int]])
    /// MscaleDNN: Σᵢ fᵢ(aᵢ v), subnetworks `d_in -> hidden... -> d_out` with the given hidden
    /// activation, trained jointly.
    case mscale(scales: [Double], hidden: [Int], activation: MscaleActivation)
    /// Multi-stage networks (Wang & Lai): stage k fits the residual divided by its RMS; tanh
    /// hidden layers, and for k ≥ 2 a sin first layer whose frequency is set from the residual's
    /// dominant FFT frequency. Float64 recommended.
    case multistage(stages: Int, hidden: [Int])
    /// MscaleDNN-1: one network `d_in -> hidden... -> d_out` whose first hidden layer is split
    /// into `scales.count` consecutive groups of (nearly) equal size, group i seeing the input
    /// multiplied by aᵢ; the given hidden activation throughout, linear output.
    case mscaleGroups(scales: [Double], hidden: [Int], activation: MscaleActivation)
    /// Globally adaptive activation (Jagtap et al.): one network whose hidden layers compute
    /// f(n·a·z) with a single trainable a (initialised to 1/n) and n = `factor`.
    case adaptive(hidden: [Int], activation: Activation, factor: Double)
    /// PhaseDNN (Cai, Li & Liu), parallel form, 1-D: the data's frequency bands
    /// |ν − jΔ| ≤ Δ/2, j = 0..<bands (Δ = `bandWidth`, cycles per unit input) are shifted down to
    /// [−Δ/2, Δ/2] and each is fitted by its own network `1 -> hidden... -> 2` (real and imaginary
    /// part; band 0: 1 output), then shifted back and summed.
    case phaseShift(bands: Int, bandWidth: Double, hidden: [Int], activation: Activation)
}

extension Method {
    /// MscaleDNN-1's first-layer unit scales: `units` split into `scales.count` consecutive groups,
    /// group i = units [⌊i·units/N⌋, ⌊(i+1)·units/N⌋) scaled by aᵢ.
    static func groupScales(_ scales: [Double], units: Int) -> [Double] {
        precondition(!scales.isEmpty && scales.count <= units, "MscaleDNN-1: need 1 to \(units) scales for \(units) first-layer units")
        return (0..<units).map { j in scales[j * scales.count / units] }
    }
}

/// How each network (each grade, stage, subnetwork set, or the SGDL net) is trained. Every
/// network gets a fresh optimizer state and the schedule restarted; its initial parameters and
/// minibatch order are seeded from `seed` and the network's index (see `componentSeeds`).
public struct MethodTraining: Sendable, Equatable {
    public var optimizer: Optimizer
    public var schedule: LearningRateSchedule
    public var loss: Loss
    /// Points per optimizer step; nil means full batch.
    public var batchSize: Int?
    /// Epochs per network (per grade for MGDL, per stage for multi-stage).
    public var epochs: Int
    public var seed: UInt64
    public var initializer: Initializer
    /// MGDL only: grade l's optimizer (learning rate), schedule and epochs, replacing the ones
    /// above for that grade (e.g. Fang & Xu's per-grade image learning rates). nil: every grade
    /// trains as above.
    public var perGrade: [GradeSchedule]? = nil
    /// SGDL only: the output layer's activation (Tancik et al.'s image network ends in a
    /// sigmoid); the other methods sum unbounded outputs and ignore it.
    public var outputActivation: Activation = .identity
    /// Multi-stage only: after its Adam epochs, each stage runs up to this many full-batch L-BFGS
    /// iterations (`refineWithLBFGS`), as Wang & Lai do; 0: none.
    public var lbfgsIterations: Int = 0
    /// Multi-stage only: stop each stage's L-BFGS at the end of the iteration during which its loss
    /// and gradient evaluations reached `lbfgsIterations` (a FLOP budget counts evaluations, and a
    /// line search may evaluate more than once per iteration); false: iterations alone limit it.
    public var lbfgsEvaluationsLimited = false

    public init(optimizer: Optimizer, schedule: LearningRateSchedule, loss: Loss = .mse, batchSize: Int?,
                epochs: Int, seed: UInt64, initializer: Initializer = .pytorchDefault) {
        precondition(epochs >= 0, "MethodTraining: negative epoch count")
        precondition(batchSize.map { $0 > 0 } ?? true, "MethodTraining: batch size must be positive")
        self.optimizer = optimizer; self.schedule = schedule; self.loss = loss
        self.batchSize = batchSize; self.epochs = epochs; self.seed = seed
        self.initializer = initializer
    }

    /// How grade `index` (0-based) is trained: this, with `perGrade[index]` applied.
    func forGrade(_ index: Int) -> MethodTraining {
        guard let perGrade, index < perGrade.count else { return self }
        var training = self
        training.optimizer = perGrade[index].optimizer
        training.schedule = perGrade[index].schedule
        training.epochs = perGrade[index].epochs
        training.perGrade = nil
        return training
    }

    /// Seeds of network `index` (0-based): its initial parameters and its minibatch order.
    /// SplitMix64-style mixing, so neighbouring indices give unrelated streams.
    func componentSeeds(_ index: Int) -> (network: UInt64, batches: UInt64) {
        (mixSeed(seed, 2 * UInt64(index) + 1), mixSeed(seed, 2 * UInt64(index) + 2))
    }

    func trainingSpec(batchSeed: UInt64) -> TrainingSpec {
        TrainingSpec(optimizer: optimizer, schedule: schedule, loss: loss, batchSize: batchSize,
                     epochs: epochs, seed: batchSeed)
    }

    /// Optimizer steps per network on `rows` training samples.
    func steps(rows: Int) -> Int {
        if let b = batchSize, b < rows { return epochs * ((rows + b - 1) / b) }
        return epochs
    }
}

/// One grade's own optimizer, schedule and epochs (``MethodTraining/perGrade``).
public struct GradeSchedule: Sendable, Equatable {
    public var optimizer: Optimizer
    public var schedule: LearningRateSchedule
    public var epochs: Int

    public init(optimizer: Optimizer, schedule: LearningRateSchedule, epochs: Int) {
        precondition(epochs >= 0, "GradeSchedule: negative epoch count")
        self.optimizer = optimizer; self.schedule = schedule; self.epochs = epochs
    }
}

/// SplitMix64 finaliser of `seed + salt·γ`.
func mixSeed(_ seed: UInt64, _ salt: UInt64) -> UInt64 {
    var z = seed &+ salt &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// One grade (MGDL), one stage (multi-stage), or the single entry of SGDL / MscaleDNN.
public struct GradeResult: Sendable, Codable, Equatable {
    /// 0-based.
    public let index: Int
    /// Training loss per optimizer step (on that step's batch, before the update).
    public let losses: [Double]
    /// Wall time of this grade: computing its training inputs (and, for stages, its target and
    /// frequency) plus training; evaluation excluded.
    public var seconds: Double
    /// RSE = Σ(y - ŷ)²/Σy² of the model summed up to and including this grade.
    public let trainRSE: Double
    public let validationRSE: Double?
    public let testRSE: Double?
    /// This grade's own contribution on the evaluation inputs (row-major, evaluation rows x
    /// output width); the grades' outputs sum to the prediction (up to rounding).
    public let output: [Double]
    public let parameterCount: Int

    public init(index: Int, losses: [Double], seconds: Double, trainRSE: Double, validationRSE: Double?,
                testRSE: Double?, output: [Double], parameterCount: Int) {
        self.index = index; self.losses = losses; self.seconds = seconds; self.trainRSE = trainRSE
        self.validationRSE = validationRSE; self.testRSE = testRSE; self.output = output
        self.parameterCount = parameterCount
    }
}

/// A value recorded during training after `step` optimizer steps (counted across all grades or
/// stages, as `MethodResult.losses` is), e.g. the validation loss.
public struct CurvePoint: Sendable, Codable, Equatable {
    public let step: Int
    public let value: Double

    public init(step: Int, value: Double) {
        self.step = step; self.value = value
    }
}

/// What `fit` returns.
public struct MethodResult: Sendable, Codable, Equatable {
    public let grades: [GradeResult]
    /// The whole model on the evaluation inputs (row-major).
    public let prediction: [Double]
    public let trainRSE: Double
    public let validationRSE: Double?
    public let testRSE: Double?
    /// All trainable parameters of the model (every grade, stage or subnetwork).
    public let parameterCount: Int
    /// Wall time of the whole `fit` (training and evaluation).
    public let seconds: Double

    public init(grades: [GradeResult], prediction: [Double], trainRSE: Double, validationRSE: Double?,
                testRSE: Double?, parameterCount: Int, seconds: Double) {
        self.grades = grades; self.prediction = prediction; self.trainRSE = trainRSE
        self.validationRSE = validationRSE; self.testRSE = testRSE
        self.parameterCount = parameterCount; self.seconds = seconds
    }

    /// All grades' losses concatenated.
    public var losses: [Double] { grades.flatMap(\.losses) }

    /// The step index (into `losses`) where each grade after the first starts.
    public var gradeBoundaries: [Int] {
        var result: [Int] = [], total = 0
        for g in grades.dropLast() { total += g.losses.count; result.append(total) }
        return result
    }
}
