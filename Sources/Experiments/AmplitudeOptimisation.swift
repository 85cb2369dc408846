import Foundation
import Learning
import Numerics
import Tasks
import Yams

/// An `ntk_optimisation` figure's protocol: Tancik et al.'s Fig. 5 (App. A.1; notebook
/// `Experiments/1d_ntk_opt.ipynb`). For each signal exponent α, the amplitudes a_j of the mapping
/// [a_j sin 2πjv, a_j cos 2πjv]/‖a‖, j = 1 … n/2, are optimised with Adam through the NTK linear
/// model of the network (``FourierAmplitudeObjective``) to minimise its test error on an ensemble
/// of 1/f^α signals (``PowerLawEnsemble``), starting from the basic mapping (a = e₁) plus
/// |N(0, 10⁻⁶)| noise; then the model's test error on held-out signals is measured for the
/// optimised amplitudes and for the power-law falloffs a_j = j^(−p), p = 0, 0.125, … 2 and ∞
/// (the basic mapping), as the notebook compares them. Computed from the declaration alone.
public struct AmplitudeOptimisationSpec: Sendable, Equatable, Hashable, Codable {
    /// α of the signal ensembles, one optimisation each.
    public var exponents: [Double]
    /// n: training points (the even points of a 2n-point grid); n/2 amplitudes.
    public var trainPoints: Int
    public var hiddenLayers: Int
    public var width: Int
    /// t = learning rate × iterations of the modelled network.
    public var time: Double
    public var trainSignals: Int
    public var testSignals: Int
    public var steps: Int
    public var learningRate: Double
    public var seed: Int

    public init(exponents: [Double], trainPoints: Int, hiddenLayers: Int, width: Int, time: Double, trainSignals: Int,
                testSignals: Int, steps: Int, learningRate: Double, seed: Int) {
        self.exponents = exponents; self.trainPoints = trainPoints; self.hiddenLayers = hiddenLayers; self.width = width
        self.time = time; self.trainSignals = trainSignals; self.testSignals = testSignals; self.steps = steps
        self.learningRate = learningRate; self.seed = seed
    }

    /// The power-law falloffs the optimised amplitudes are compared with: the notebook's
    /// linspace(0, 2, 17); p = ∞ (the basic mapping) is added by the computation.
    public static let falloffs: [Double] = (0...16).map { Double($0) / 8 }

    static func read(_ map: MappingReader) -> AmplitudeOptimisationSpec? {
        let reader = map.reader
        var exponents: [Double] = []
        if let node = map.required("exponents") {
            if case .sequence(let items) = node, !items.isEmpty, items.count <= 6 {
                for (i, item) in items.enumerated() {
                    guard let text = item.string, let value = Double(text), value.isFinite, value >= 0, value <= 8 else {
                        reader.report(item, "\(map.path("exponents"))[\(i)]", "expected an exponent α between 0 and 8")
                        continue
                    }
                    exponents.append(value)
                }
                if Set(exponents).count != exponents.count { reader.report(node, map.path("exponents"), "an exponent is listed twice") }
            } else {
                reader.report(node, map.path("exponents"), "expected a list of 1 to 6 exponents α of the 1/f^α signals, e.g. [1, 1.5, 2]")
            }
        }
        let points = map.int("points", default: 128, minimum: 4)
        if let p = points, p % 2 != 0 || p > 512 {
            reader.report(map["points"], map.path("points"), "the training points n must be even and at most 512 (n/2 amplitudes), found \(p)")
        }
        let layers = map.int("hidden_layers", default: 3, minimum: 1)
        if let h = layers, h > 100 { reader.report(map["hidden_layers"], map.path("hidden_layers"), "at most 100 hidden layers, found \(h)") }
        let width = map.int("width", default: 1024, minimum: 1)
        if let w = width, w > 65_536 { reader.report(map["width"], map.path("width"), "at most 65,536, found \(w)") }
        let time = map.double("time", default: 5, positive: true)
        let train = map.int("train_signals", default: 1024, minimum: 1)
        if let s = train, s > 8192 { reader.report(map["train_signals"], map.path("train_signals"), "at most 8,192 signals, found \(s)") }
        let test = map.int("test_signals", default: 8, minimum: 1)
        if let s = test, s > 1024 { reader.report(map["test_signals"], map.path("test_signals"), "at most 1,024 signals, found \(s)") }
        let steps = map.int("steps", default: 800, minimum: 1)
        if let s = steps, s > 20_000 { reader.report(map["steps"], map.path("steps"), "at most 20,000 steps, found \(s)") }
        let lr = map.double("learning_rate", default: 0.01, positive: true)
        let seed = map.int("seed", default: 0, minimum: 0)
        guard !exponents.isEmpty, let points, points % 2 == 0, points <= 512, let layers, layers <= 100, let width, width <= 65_536,
              let time, let train, train <= 8192, let test, test <= 1024, let steps, steps <= 20_000, let lr, let seed else { return nil }
        return AmplitudeOptimisationSpec(exponents: exponents, trainPoints: points, hiddenLayers: layers, width: width, time: time,
                                         trainSignals: train, testSignals: test, steps: steps, learningRate: lr, seed: seed)
    }

    /// The noise seed of the held-out ensemble of the exponent at `index` of `exponents` (the
    /// training ensemble takes the next seed, the initial noise the one after).
    public static func testSeed(seed: Int, index: Int) -> UInt64 { UInt64(seed) &* 1_000_003 &+ UInt64(index) &* 3 }

    /// The keys only this figure kind takes (beside `points` and `hidden_layers`).
    static let keys = ["exponents", "width", "time", "train_signals", "test_signals", "steps", "learning_rate", "seed"]
}

/// What an `ntk_optimisation` figure and its claims read.
public struct AmplitudeOptimisationResult: Sendable {
    /// One optimisation: the signal exponent, the optimised amplitudes, the loss over the steps,
    /// the test errors (one per held-out signal) of the optimised mapping and of each falloff.
    public struct Family: Sendable {
        public var exponent: Double
        public var amplitudes: [Double]
        public var losses: [Double]
        public var optimisedErrors: [Double]
        /// falloffErrors[i]: p = falloffs[i]; the last entry is p = ∞ (the basic mapping).
        public var falloffErrors: [[Double]]
        /// The kernel row of the optimised mapping at the n training points (Δ = 2i/N).
        public var kernel: [Double]
        /// The mean test MSE over the signals the amplitudes were optimised on, of the optimised
        /// mapping and of each falloff.
        public var optimisedTrainingError: Double
        public var falloffTrainingErrors: [Double]

    }
    public var families: [Family]
    /// The kernel row of the basic mapping at the training points.
    public var basicKernel: [Double]
    /// p of each falloff entry (∞ last).
    public var falloffs: [Double]

    /// |DFT| of a kernel row (unnormalised, as the notebook's `np.abs(np.fft.fft(·))`), one-sided:
    /// k = 0 … count/2 (FFTW).
    public static func spectrum(_ row: [Double]) -> [Double] { FourierTransform.amplitudes(row) }
}

extension AmplitudeOptimisationSpec {
    /// Computed once per process and protocol (figures and claims share it): a few seconds at most.
    public func compute() -> AmplitudeOptimisationResult {
        AmplitudeOptimisationCache.shared.result(for: self)
    }

    func run() -> AmplitudeOptimisationResult {
        let n = trainPoints, N = 2 * n, m = n / 2
        let frequencies = (1...m).map(Double.init)
        let falloffs = Self.falloffs + [.infinity]
        func amplitudes(_ p: Double) -> [Double] {
            p.isInfinite ? (0..<m).map { $0 == 0 ? 1 : 0 } : frequencies.map { pow($0, -p) }
        }
        var families: [AmplitudeOptimisationResult.Family] = []
        var basicKernel: [Double] = []
        for (index, alpha) in exponents.enumerated() {
            // Seeds: per exponent, one for the test signals, one for the training signals, one for the noise.
            let base = Self.testSeed(seed: seed, index: index)
            let test = PowerLawEnsemble.signals(points: N, exponent: alpha, count: testSignals, seed: base)
            let train = PowerLawEnsemble.signals(points: N, exponent: alpha, count: trainSignals, seed: base &+ 1)
            let objective = FourierAmplitudeObjective(trainPoints: n, frequencies: frequencies, hiddenLayers: hiddenLayers,
                                                      width: width, time: time, signals: train)
            var noise = SeededGenerator(seed: base &+ 2)
            let start = amplitudes(.infinity).map { $0 + abs(noise.normal()) * 0.001 }
            let (optimised, losses) = objective.optimise(from: start, learningRate: learningRate, steps: steps)
            let row = objective.kernelRow(optimised)
            // The loss is ½ · the mean test MSE over the training signals ÷ N.
            let trainingError = { (a: [Double]) in 2 * Double(N) * objective.loss(a) }
            families.append(.init(exponent: alpha, amplitudes: optimised, losses: losses,
                                  optimisedErrors: objective.testErrors(optimised, signals: test),
                                  falloffErrors: falloffs.map { objective.testErrors(amplitudes($0), signals: test) },
                                  kernel: stride(from: 0, to: N, by: 2).map { row[$0] },
                                  optimisedTrainingError: trainingError(optimised),
                                  falloffTrainingErrors: falloffs.map { trainingError(amplitudes($0)) }))
            if basicKernel.isEmpty {
                let basic = objective.kernelRow(amplitudes(.infinity))
                basicKernel = stride(from: 0, to: N, by: 2).map { basic[$0] }
            }
        }
        return AmplitudeOptimisationResult(families: families, basicKernel: basicKernel, falloffs: falloffs)
    }
}

/// Results by protocol, computed once per process (thread-safe: the build draws figures and checks
/// claims on several threads).
final class AmplitudeOptimisationCache: @unchecked Sendable {
    static let shared = AmplitudeOptimisationCache()
    private let lock = NSLock()
    private var results: [AmplitudeOptimisationSpec: AmplitudeOptimisationResult] = [:]

    func result(for spec: AmplitudeOptimisationSpec) -> AmplitudeOptimisationResult {
        lock.lock()
        defer { lock.unlock() }
        if let done = results[spec] { return done }
        let result = spec.run()
        results[spec] = result
        return result
    }
}

/// Test errors of the power-law falloffs a_j = j^(−p) and of the optimised mapping, one per
/// held-out signal each (Tancik et al.'s Fig. 5b/c): the NTK model's (`AmplitudeOptimisationResult.Family`)
/// and the trained networks' (`TrainedMappingErrors`) share their summaries through this.
public protocol MappingErrorTable {
    /// falloffErrors[i]: one error per signal for the falloff at index i (p = ∞ last).
    var falloffErrors: [[Double]] { get }
    var optimisedErrors: [Double] { get }
}

extension MappingErrorTable {
    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    /// The sample standard deviation (n − 1), 0 for a single value.
    static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
    public var falloffMeans: [Double] { falloffErrors.map(Self.mean) }
    public var falloffStandardDeviations: [Double] { falloffErrors.map(Self.standardDeviation) }
    public var optimisedMean: Double { Self.mean(optimisedErrors) }
    /// The falloff (an index into the falloffs) with the lowest mean test error.
    public var bestFalloff: Int {
        let means = falloffMeans
        return means.indices.min { means[$0] < means[$1] }!
    }
    public var bestMean: Double { falloffMeans[bestFalloff] }
}

extension AmplitudeOptimisationResult.Family: MappingErrorTable {}
