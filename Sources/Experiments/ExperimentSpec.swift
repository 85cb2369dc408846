import Foundation
import Learning
import Tasks
import Yams

/// A declared experiment: a task, a model and how to train it. Decoded from an
/// ```` ```experiment NAME ```` block with the chosen profile's overlay applied.
public struct ExperimentSpec: Sendable, Equatable, Codable {
    public var name: String
    public var method: MethodKind
    public var seed: UInt64
    public var task: TaskSpec
    public var model: ModelSpec
    public var train: TrainSpec
    /// The profile whose overlay was applied ("" when the block declares none for it).
    public var profile: String
    /// The experiment block this run comes from (the run's own name for a block without a sweep).
    public var group: String
    /// The sweep point, e.g. `task.amplitudes = decreasing, seed = 1` ("" without a sweep).
    public var label: String
    /// The sweep point by dotted key, every axis but `name` (`features.scale` -> "10"), as the
    /// YAML values read; nil without a sweep. Bookkeeping for figures, not part of the run's key.
    public var sweepValues: [String: String]? = nil

    public var features: FeatureSpec

    /// With `repeat: N`: the name of the run the copies repeat (this run is `NAME--repeat-i`);
    /// nil without repeats. Bookkeeping, not part of the run's key (the copies' seeds are).
    public var repeatOf: String?
    /// With `repeat: N`: this copy's index, 0 ..< N (its seed is `seed + index`).
    public var repeatIndex: Int?
    /// With `repeat: N`: N.
    public var repeatCount: Int?
    /// The sweep point's value on each axis (`task.manifold.q` -> 4), in the sweep's order; nil
    /// without a sweep. Bookkeeping for figures over sweep axes, not part of the run's key.
    public var sweepAxes: [SweepValue]?

    /// One axis of a sweep point: the dotted key, its value as shown, and as a number when it
    /// is one (a number, or a list of one number such as `frequencies: [50]`).
    public struct SweepValue: Sendable, Equatable, Codable {
        public var key: String
        public var text: String
        public var number: Double?
    }

    /// The value of sweep axis `key` at this run's point, nil when the run has no such axis.
    public func sweepValue(_ key: String) -> SweepValue? { sweepAxes?.first { $0.key == key } }

    public struct FeatureSpec: Sendable, Equatable, Codable {
        public var kind: FeatureKind
        public var scale: Double
        public var count: Int
        public var seed: UInt64
        /// `power_falloff`: p of the weights a_j = j^(−p); `ntk_optimised`: the exponent α of the
        /// signals the amplitudes are optimised for (nil for the other kinds, which keeps their run keys).
        public var exponent: Double? = nil
        /// `power_falloff` with `exponent: inf`: a_1 = 1 and every other a_j = 0 among `count`
        /// frequencies (Tancik et al.'s `power_infty`); nil otherwise (which keeps run keys).
        public var infiniteExponent: Bool? = nil
        /// `ntk_optimised`: the `ntk_optimisation` figure of the report whose amplitudes are used
        /// (bookkeeping: not part of the run's key, its protocol is).
        public var figure: String? = nil
        /// `ntk_optimised`: that figure's protocol, filled in when the report is loaded (part of
        /// the run's key: the amplitudes are computed from it when the run trains).
        public var optimisation: AmplitudeOptimisationSpec? = nil

        /// The amplitudes an `ntk_optimised` mapping uses: the figure's optimisation for `exponent`
        /// (nil before the report has resolved the figure, or for another kind).
        public var optimisedAmplitudes: [Double]? {
            guard kind == .ntkOptimised, let optimisation, let alpha = exponent else { return nil }
            return optimisation.compute().families.first { $0.exponent == alpha }?.amplitudes
        }

        /// The mapping the Learning layer applies.
        public var mapping: FeatureMapping {
            switch kind {
            case .basic: return .basic
            case .positional: return .positional(scale: scale, count: count)
            case .positionalPowers: return .positionalPowers(exponent: scale, count: count)
            case .gaussian: return .gaussian(scale: scale, count: count, seed: seed)
            case .powerFalloff: return .powerFalloff(exponent: infiniteExponent == true ? .infinity : exponent ?? 0, count: count)
            case .ntkOptimised: return .amplitudes(optimisedAmplitudes ?? [1])
            case .uniform, .uniformLog, .laplacian:
                return .sampled(kind.frequencyDistribution!, scale: scale, count: count, seed: seed)
            case .none: return .none
            }
        }

        /// Reads a `features` mapping (`extra`: further keys the caller reads itself, e.g. a label).
        static func read(_ node: Node, keyPath: String, reader: SpecReader, extra: [String] = []) -> FeatureSpec? {
            guard let map = MappingReader(node, keyPath: keyPath, reader: reader) else { return nil }
            map.checkKeys(SpecSchema.keys("experiment.features") + extra)
            let kind = map.choice("kind", default: FeatureKind.none) ?? .none
            if kind == .powerFalloff, map["scale"] != nil {
                reader.report(map["scale"], map.path("scale"), "power_falloff has no scale: its frequencies are 1 ... count, weighted j^(-exponent)")
            }
            if kind == .ntkOptimised {
                for key in ["count", "scale", "seed"] where map[key] != nil {
                    reader.report(map[key], map.path(key), "ntk_optimised takes its amplitudes (n/2 of them) from the ntk_optimisation figure it names: it has no '\(key)'")
                }
                let figure = map.string("figure")
                if let figure, !ReportLoader.isSafeName(figure) {
                    reader.report(map["figure"], map.path("figure"), "expected the name of an ntk_optimisation figure of this report, found '\(figure)'")
                }
                let alpha = map.double("exponent", positive: false)
                if let a = alpha, a < 0 || !a.isFinite {
                    reader.report(map["exponent"], map.path("exponent"), "expected the exponent α of the figure's signals, finite and at least 0, found \(a)")
                }
                guard let figure, let alpha, alpha >= 0, alpha.isFinite else { return nil }
                return FeatureSpec(kind: kind, scale: 1, count: 0, seed: 0, exponent: alpha, figure: figure)
            } else if map["figure"] != nil {
                reader.report(map["figure"], map.path("figure"), "'figure' applies to kind ntk_optimised")
            }
            let scale = map.double("scale", default: kind.hasScale ? nil : 1, positive: true) ?? 1
            let count = map.int("count", default: kind.hasFrequencies ? nil : 0, minimum: 1) ?? 0
            let seed = map.int("seed", default: 0, minimum: 0) ?? 0
            var exponent: Double?
            var infinite: Bool?
            if kind == .powerFalloff {
                if let node = map["exponent"], let text = node.string, ["inf", ".inf", "infinity", "∞"].contains(text.lowercased()) {
                    infinite = true
                } else {
                    exponent = map.double("exponent", positive: false)
                    if let p = exponent, p < 0 || !p.isFinite {
                        reader.report(map["exponent"], map.path("exponent"), "expected an exponent of at least 0, or inf (a_1 = 1, the other a_j = 0), found \(p)")
                    }
                }
            } else if map["exponent"] != nil {
                reader.report(map["exponent"], map.path("exponent"), "'exponent' applies to kinds power_falloff and ntk_optimised")
            }
            return FeatureSpec(kind: kind, scale: kind == .powerFalloff ? 1 : scale, count: count, seed: UInt64(seed), exponent: exponent,
                               infiniteExponent: infinite)
        }
    }

    public struct TaskSpec: Sendable, Equatable, Codable {
        public var kind: TaskKind
        /// For `formula`: the target written in x.
        public var formula: String?
        public var frequencies: [Int]
        public var amplitudeProfile: AmplitudeProfile
        public var amplitudes: [Double]
        public var phases: [Double]?
        public var phaseSeed: UInt64?
        /// `grid`: train and evaluate on `points` equispaced points of [0, 1).
        /// `mgdl`: train on `points` equispaced points, validate and test on uniform draws (Fang & Xu).
        public var split: TaskSplit
        public var points: Int
        public var validation: Int
        public var test: Int
        public var validationSeed: UInt64
        public var testSeed: UInt64
        /// Inputs on the manifold γ_q(t) = (1 + sin(2πqt)/2)(cos 2πt, sin 2πt) instead of t itself.
        public var manifoldQ: Double?
        /// `power_law`: 1/f^α random signal.
        public var exponent: Double?
        public var maxFrequency: Int?
        public var noiseSeed: UInt64?
        /// The generator of the phases and the validation/test points; nil: ours (xoshiro), the
        /// default, left out of the run key so that existing keys do not change.
        public var generator: TaskGenerator?
        /// `image`: the PNG (path relative to the report), grey or rgb, centre-cropped to a square
        /// and resized to `size`×`size`; `protocol` tancik (test on the odd grid) or mgdl (test on every pixel).
        public var file: String?
        public var colour: Image.Colour?
        public var size: Int?
        public var imageProtocol: ImageTask.Evaluation?
        /// `image` with `text: {seed: N}` instead of a file: Tancik et al.'s random strings of
        /// random sizes and colours on white, drawn at 512 × 512 by ``TextImage`` from the seed.
        public var textSeed: UInt64?
        /// `image` with `sinusoid: {angle, frequency}` instead of a file: Tancik et al.'s oriented
        /// sinusoid (App. A.5, Fig. 11), drawn by ``SinusoidImage`` at `size` × `size`; the
        /// angle in degrees, the frequency in cycles per unit length.
        public var sinusoidAngle: Double?
        public var sinusoidFrequency: Double?
        /// `dataset`: the labels kept (a class's index in this list is its target's index).
        public var classes: [Int]?
        /// `dataset` (default one_hot), or a function task turned into binary classification
        /// (the sign of λ); nil: regression of the value.
        public var targets: TargetEncoding?
        /// `dataset`: shares of the chosen samples held out, and the seed of the shuffle.
        public var validationFraction: Double?
        public var testFraction: Double?
        public var splitSeed: UInt64?
        /// Label noise on the training targets; validation and test stay clean.
        public var noise: LabelNoise?
        /// `dataset`, `kernel_spectrum`: Rahaman et al.'s generalised spectrum, the eigenvectors of
        /// a Gaussian kernel over the training inputs (``GaussianKernelSpectrum``), which
        /// `kernel_eigenvectors` noise is drawn along and recording measures the network in.
        public var kernelSpectrum: KernelSpectrumSpec?
        /// `split: interleaved`: train on every `stride`-th point of the grid, test on the others
        /// (nil for the other splits, which keeps their run keys).
        public var stride: Int? = nil
        /// `delta_spike`: the spike's centre (it sits at the grid point nearest it) and height
        /// (nil for the other kinds, which keeps their run keys).
        public var spikeCenter: Double? = nil
        public var spikeHeight: Double? = nil
        /// `power_law_ensemble`: the ensemble's size and which of its signals is the target
        /// (0-based; copy i of a repeat takes `signal + i`); nil for the other kinds.
        public var signals: Int? = nil
        public var signal: Int? = nil

        /// Whether the task has frequencies at which a run's spectrum is recorded and compared with
        /// the target's: a sum of sines', or a delta_spike's declared `frequencies`.
        public var hasSpectrumFrequencies: Bool { (kind == .sumOfSines || kind == .deltaSpike) && !frequencies.isEmpty }

        /// Inputs per sample (1, or 2 for images and manifolds).
        public var inputDimension: Int { kind == .image || manifoldQ != nil ? 2 : 1 }
    }

    /// `task.kernel_spectrum`: the kernel's width σ and the eigen-indices per recorded bin.
    public struct KernelSpectrumSpec: Sendable, Equatable, Codable {
        public var width: Double
        public var bin: Int
        public init(width: Double, bin: Int) { self.width = width; self.bin = bin }
    }

    /// SHA-256 of every input file (e.g. an image), by path: part of the run's key.
    public var inputHashes: [String: String] = [:]
    /// The report's folder, which relative input paths start from (not part of the key: the
    /// files' hashes are).
    public var baseDirectory = ""

    /// An input file's location on this machine.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory.isEmpty ? path : URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).path
    }

    public struct ModelSpec: Sendable, Equatable, Codable {
        /// `mlp`: every width, input to output.
        public var widths: [Int]
        /// `sgdl`, `mscale`, `mscale_groups`, `adaptive_activation`, `phase_shift` (each band's
        /// network), `multistage`: hidden widths.
        public var hidden: [Int]
        /// `mgdl`: the hidden widths of each grade.
        public var grades: [[Int]]
        /// `mscale`, `mscale_groups`: input scales a_i.
        public var scales: [Double]
        /// `multistage`: the number of stages.
        public var stages: Int
        public var activation: Activation
        public var initializer: Initializer
        /// `sgdl`: the output activation, `sigmoid` (Tancik et al.'s image network); nil: identity
        /// (left out of the run key so existing keys stay).
        public var output: OutputActivation? = nil
        /// `adaptive_activation`: the fixed factor n of f(n·a·z) (nil for the other methods,
        /// which keeps their run keys).
        public var factor: Double? = nil
        /// `phase_shift`: the number of frequency bands and their width Δ in cycles per unit
        /// input (nil for the other methods).
        public var bands: Int? = nil
        public var bandWidth: Double? = nil
    }

    /// The method-specific keys of `model` each method takes (`init` is every method's).
    static func modelKeys(of method: MethodKind) -> [String] {
        switch method {
        case .mlp: return ["widths", "activation", "init"]
        case .sgdl: return ["hidden", "init", "output"]
        case .mgdl: return ["grades", "init"]
        case .mscale, .mscaleGroups: return ["hidden", "scales", "activation", "init"]
        case .adaptiveActivation: return ["hidden", "activation", "factor", "init"]
        case .phaseShift: return ["hidden", "bands", "band_width", "activation", "init"]
        case .multistage: return ["hidden", "stages", "init"]
        }
    }

    /// `model.output` of an `sgdl` network.
    public enum OutputActivation: String, Sendable, Equatable, Codable, CaseIterable {
        case identity, sigmoid
    }

    public struct TrainSpec: Sendable, Equatable, Codable {
        public var optimizer: OptimizerKind
        public var learningRate: Double
        /// Exponential decay per epoch from `lr` to this (MGDL's t_max -> t_min); nil: constant.
        public var finalLearningRate: Double?
        /// Optimizer steps (`mlp`), or epochs of each network (grade, stage) for the other methods.
        public var steps: Int
        /// nil: full batch.
        public var batch: Int?
        public var recordEvery: Int
        public var precision: Precision
        /// `record_norms: true`: the spectral norm of every weight matrix at each recorded step
        /// (nil when not asked for, which keeps older run keys).
        public var recordNorms: Bool?
        /// `keep_predictions: [steps]`: compact recording. At every recorded step only the
        /// spectrum at the target's frequencies is kept; whole predictions only at these steps
        /// (and the last). nil: every recorded prediction is kept whole (mlp's default).
        public var keepPredictions: [Int]?
        /// Methods other than `mlp`: record the whole model during training (true when the block
        /// writes `record_every`; nil otherwise, which keeps older run keys).
        public var recordSnapshots: Bool?
        /// The loss; nil: `mse`, the default (left out of the run key so existing keys stay).
        public var loss: Loss?
        /// `mgdl`: one entry per grade overriding `lr`, `lr_final` and `epochs` for that grade
        /// (a key left out keeps the block's value); nil: every grade trains alike.
        public var grades: [GradeTrainSpec]?
        /// `multistage`: L-BFGS iterations per stage after its Adam epochs (`train.lbfgs`); nil: none.
        /// With `flopBudget`, also a limit on each stage's L-BFGS evaluations (what the budget counts).
        public var lbfgs: Int? = nil
        /// `spectrum_band: b`: the recorded amplitude at each target frequency k (and the
        /// target's, its reference) is the sum of 2|DFT|/N over the bins k − b … k + b (Fang & Xu's
        /// Fig. 9 for x-dependent amplitudes); nil (or 0): the bin k alone, which keeps older keys.
        public var spectrumBand: Int?
        /// `plane: {size: N, extent: E}` (manifold tasks): after training, every grade is also
        /// evaluated on an N × N grid of cell centres over [−E, E]², the plane around the curve.
        public var plane: PlaneSpec?
        /// `perturb`: after training, the spectrum under random parameter perturbations
        /// (Rahaman et al.'s Fig. 3; mlp); nil: not measured (keeps older run keys).
        public var perturb: PerturbSpec? = nil
        /// `flop_budget`: the training FLOPs (`TrainingFLOPs`) that set `steps` (the largest length
        /// within it); nil: `steps` as written, which keeps older run keys.
        public var flopBudget: Double? = nil
        /// `weight_clip: c` (mlp): after every optimizer step every weight-matrix entry is clamped
        /// to [−c, c] (Rahaman et al.'s App. A.5); nil: no clipping, which keeps older run keys.
        public var weightClip: Double? = nil

        /// Grade (stage) `index`'s own settings (`train.grades[index]`); nil when the block's apply.
        public func ownSettings(ofGrade index: Int) -> GradeTrainSpec? {
            guard let grades, grades.indices.contains(index) else { return nil }
            return grades[index]
        }

        /// The learning rate grade (stage) `index` starts from: its own (`train.grades`), else `lr`.
        public func learningRate(ofGrade index: Int) -> Double {
            ownSettings(ofGrade: index)?.learningRate ?? learningRate
        }

        /// The epochs grade (stage) `index` trains: its own (`train.grades`), else `steps`.
        public func steps(ofGrade index: Int) -> Int {
            ownSettings(ofGrade: index)?.steps ?? steps
        }
    }

    /// The square of the plane a model is evaluated on after training (`train.plane`).
    public struct PlaneSpec: Sendable, Equatable, Codable {
        /// Cells per side.
        public var size: Int
        /// Half the side: the grid covers [−extent, extent]².
        public var extent: Double
    }

    /// `train.perturb: {directions: 100, max: 5, deltas: 100, seed: 0}`: after training, the
    /// parameters θ* are moved to θ* + δ·θ̂ along `directions` random unit directions θ̂ (Gaussian,
    /// normalised over all parameters), for `deltas` values of δ equispaced in [0, max]; at each δ
    /// the amplitude of the prediction at the target's frequencies is divided by the trained
    /// model's own and averaged over the directions.
    public struct PerturbSpec: Sendable, Equatable, Codable {
        public var directions: Int
        public var maximum: Double
        public var deltas: Int
        public var seed: UInt64
        /// The perturbation sizes δ.
        public var sizes: [Double] { (0..<deltas).map { maximum * Double($0) / Double(max(1, deltas - 1)) } }
    }

    /// One grade's own learning rates and epochs (`train.grades[l]`).
    public struct GradeTrainSpec: Sendable, Equatable, Codable {
        public var learningRate: Double
        public var finalLearningRate: Double?
        public var steps: Int
    }
}
