/// Elementwise activation functions.
public enum Activation: String, CaseIterable, Sendable, Codable {
    case relu, tanh, sin, sigmoid, identity
    /// MscaleDNN's compactly supported sReLU(z) = ReLU(z)·ReLU(1 - z) (= z(1 - z) on (0, 1), else 0).
    case sReLU = "srelu"
    /// MscaleDNN's s2ReLU(z) = sin(2πz)·sReLU(z).
    case s2ReLU = "s2relu"

    /// Whether the backward pass needs the pre-activation `z` (otherwise the derivative is
    /// computed from the output `a = f(z)`: relu `a > 0`, tanh `1 - a²`, sigmoid `a(1 - a)`).
    var needsPreactivation: Bool { self == .sin || self == .sReLU || self == .s2ReLU }
}

/// Weight initialisers. Draws come from `SeededGenerator` in Double, layer by layer, weights
/// (stored inputs x outputs, row-major) before biases.
public enum Initializer: String, CaseIterable, Sendable, Codable {
    /// PyTorch's `nn.Linear` default: weights and biases uniform in ±1/sqrt(fan_in).
    case pytorchDefault = "pytorch_default"
    /// Weights normal with std sqrt(2 / (fan_in + fan_out)), biases zero.
    case glorotNormal = "glorot_normal"
    /// Weights normal with std sqrt(2 / fan_in), biases zero.
    case heNormal = "he_normal"
    /// Weights normal with std sqrt(1 / fan_in), biases zero: neural-tangents' standard
    /// parameterisation (`stax.Dense(parameterization='standard')`, W_std = 1, b_std = 0), the
    /// network of Tancik et al.'s notebooks.
    case lecunNormal = "lecun_normal"
}

/// Losses, all averaged over every element of the output (rows x output width), like
/// PyTorch's `F.mse_loss`: `mse = mean((f - y)²)`, `halfMSE = mse / 2` (MGDL's 1/(2N) Σ|f - y|²
/// for one output), `bce` = mean binary cross-entropy of logits f against targets y in [0, 1]
/// (PyTorch's `BCEWithLogitsLoss`; see `binaryCrossEntropyWithLogits`).
public enum Loss: String, CaseIterable, Sendable, Codable {
    case halfMSE = "half_mse"
    case mse
    case bce
}

/// Optimizers, with PyTorch's update rules.
public enum Optimizer: Sendable, Equatable {
    /// Adam with bias correction: m ← β1 m + (1-β1) g, v ← β2 v + (1-β2) g²,
    /// p ← p - (lr / (1-β1ᵗ)) m / (sqrt(v) / sqrt(1-β2ᵗ) + ε).
    case adam(learningRate: Double, beta1: Double, beta2: Double, epsilon: Double)
    /// SGD with (heavy-ball) momentum: b ← μ b + g, p ← p - lr b (plain SGD when μ = 0).
    case sgd(learningRate: Double, momentum: Double)

    /// Adam with the default betas (0.9, 0.999) and epsilon 1e-8.
    public static func adam(learningRate: Double) -> Optimizer {
        .adam(learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    }

    public var learningRate: Double {
        switch self {
        case .adam(let lr, _, _, _): return lr
        case .sgd(let lr, _): return lr
        }
    }
}

/// Learning-rate schedules, evaluated once per epoch (a full-batch step is one epoch).
public enum LearningRateSchedule: Sendable, Equatable {
    /// The optimizer's learning rate throughout.
    case constant
    /// MGDL's schedule: geometric decay per epoch from `initial` (epoch 0) to `final` (last
    /// epoch): lr(e) = initial · (final/initial)^(e / (epochs - 1)). Replaces the optimizer's rate.
    case exponential(initial: Double, final: Double)
    /// The optimizer's rate times factor^⌊e / every⌋.
    case step(every: Int, factor: Double)

    /// The learning rate of epoch `epoch` (0-based) of `epochs`, for an optimizer rate `base`.
    public func learningRate(epoch: Int, epochs: Int, base: Double) -> Double {
        switch self {
        case .constant:
            return base
        case .exponential(let initial, let final):
            if epochs <= 1 { return initial }
            return initial * pow(final / initial, Double(epoch) / Double(epochs - 1))
        case .step(let every, let factor):
            return base * pow(factor, Double(epoch / max(every, 1)))
        }
    }
}

/// One dense layer: `a = f(x W + b)` with `W` of shape inputs x outputs.
public struct LayerSpec: Sendable, Equatable {
    public var inputs: Int
    public var outputs: Int
    public var activation: Activation
    public init(inputs: Int, outputs: Int, activation: Activation) {
        precondition(inputs > 0 && outputs > 0, "LayerSpec: widths must be positive")
        self.inputs = inputs; self.outputs = outputs; self.activation = activation
    }
}

/// Variations of the dense layers that two remedies need; the default is the plain network.
public struct NetworkOptions: Sendable, Equatable {
    /// MscaleDNN-1 (Liu, Cai & Xu 2020): first-layer unit j computes f(s_j·(xW)_j + b_j), i.e.
    /// it sees the input multiplied by s_j (one entry per first-layer unit). nil: every s_j = 1.
    public var firstLayerUnitScales: [Double]?
    /// Globally adaptive activation (Jagtap, Kawaguchi & Karniadakis 2020): every hidden layer
    /// computes f(n·a·z), z = xW + b, with n this fixed factor and a one trainable slope shared
    /// by every neuron, stored as the network's last parameter and initialised to 1/n (so
    /// training starts from f(z)). nil: f(z).
    public var adaptiveActivationFactor: Double?

    public init(firstLayerUnitScales: [Double]? = nil, adaptiveActivationFactor: Double? = nil) {
        self.firstLayerUnitScales = firstLayerUnitScales
        self.adaptiveActivationFactor = adaptiveActivationFactor
    }
}

/// A multilayer perceptron: widths from input to output, one activation for the hidden layers
/// and one for the output layer.
public struct NetworkSpec: Sendable, Equatable {
    public var widths: [Int]
    public var hidden: Activation
    public var output: Activation
    public var initializer: Initializer

    public init(widths: [Int], hidden: Activation = .relu, output: Activation = .identity,
                initializer: Initializer = .pytorchDefault) {
        precondition(widths.count >= 2, "NetworkSpec: need at least input and output widths")
        precondition(widths.allSatisfy { $0 > 0 }, "NetworkSpec: widths must be positive")
        self.widths = widths; self.hidden = hidden; self.output = output
        self.initializer = initializer
    }

    /// The layers, input to output.
    public var layers: [LayerSpec] {
        (0..<(widths.count - 1)).map { i in
            LayerSpec(inputs: widths[i], outputs: widths[i + 1],
                      activation: i == widths.count - 2 ? output : hidden)
        }
    }
}

/// How to train.
public struct TrainingSpec: Sendable, Equatable {
    public var optimizer: Optimizer
    public var schedule: LearningRateSchedule
    public var loss: Loss
    /// Points per optimizer step; nil (or at least the sample count) means full batch.
    /// Minibatches cover a fresh permutation of the samples every epoch (the last batch of an
    /// epoch holds the remainder).
    public var batchSize: Int?
    public var epochs: Int
    /// Seeds the minibatch permutations.
    public var seed: UInt64
    /// Weight clipping (Rahaman et al.'s App. A.5): after every optimizer step each entry of every
    /// weight matrix is clamped to [−c, c] (biases are not); nil: no clipping.
    public var weightClip: Double?

    public init(optimizer: Optimizer, schedule: LearningRateSchedule = .constant, loss: Loss = .mse,
                batchSize: Int? = nil, epochs: Int, seed: UInt64, weightClip: Double? = nil) {
        precondition(epochs >= 0, "TrainingSpec: negative epoch count")
        precondition(batchSize.map { $0 > 0 } ?? true, "TrainingSpec: batch size must be positive")
        precondition(weightClip.map { $0 > 0 && $0.isFinite } ?? true, "TrainingSpec: the weight clip must be positive and finite")
        self.optimizer = optimizer; self.schedule = schedule; self.loss = loss
        self.batchSize = batchSize; self.epochs = epochs; self.seed = seed; self.weightClip = weightClip
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
