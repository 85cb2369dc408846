import Learning
import Tasks

// The report format's words, typed where the YAML is read. Each raw value is the word a report
// writes; the reader accepts exactly `allCases` and the schema (`mgdl-report schema`) lists them,
// so a word added here is accepted, documented and switched on everywhere the compiler finds.
// Encoded as their raw values, so run keys do not depend on the Swift names.
// The activations, initialisers and losses are the engine's own (`Learning`), image colours and
// evaluation protocols the task's (`Tasks`).

/// `method`: how the model is built and trained.
public enum MethodKind: String, CaseIterable, Codable, Sendable {
    /// One network, trained by optimizer steps on a 1-D target (Rahaman et al.).
    case mlp
    /// Single-grade deep learning: one deep network trained end to end, by epochs.
    case sgdl
    /// Multi-grade deep learning (Fang & Xu): shallow grades trained one after another.
    case mgdl
    /// MscaleDNN: subnetworks on scaled inputs, trained jointly.
    case mscale
    /// MscaleDNN-1: one network whose first-layer unit groups see the input scaled by aᵢ.
    case mscaleGroups = "mscale_groups"
    /// Globally adaptive activations (Jagtap et al.): f(n·a·z), one trainable slope a.
    case adaptiveActivation = "adaptive_activation"
    /// PhaseDNN (Cai, Li & Liu): frequency bands shifted down, one network per band (1-D).
    case phaseShift = "phase_shift"
    /// Multi-stage networks (Wang & Lai): each stage fits the residual of the ones before.
    case multistage

    /// The key that counts the training length: optimizer steps for `mlp`, epochs of each
    /// network (grade, stage) for the others.
    public var lengthKey: String { self == .mlp ? "steps" : "epochs" }

    /// What the method is, in words (the run page's summary).
    public var words: String {
        switch self {
        case .mlp: return "one network trained end to end"
        case .sgdl: return "single-grade: one deep network trained end to end"
        case .mgdl: return "multi-grade: shallow grades trained one after another, each on the frozen features of the one before and on the residual"
        case .mscale: return "MscaleDNN: subnetworks on scaled inputs"
        case .mscaleGroups: return "MscaleDNN-1: one network whose first-layer unit groups see the input scaled"
        case .adaptiveActivation: return "adaptive activation: one network with a trainable slope in every hidden activation"
        case .phaseShift: return "PhaseDNN: frequency bands of the data shifted to low frequency, each fitted by its own network"
        case .multistage: return "multi-stage: each stage fits the residual of the ones before"
        }
    }
}

/// `task.kind`: the target.
public enum TaskKind: String, CaseIterable, Codable, Sendable {
    case sumOfSines = "sum_of_sines"
    case formula
    case powerLaw = "power_law"
    /// Tancik et al.'s band-limited 1/f^α signal (amplitude (1 + k)^(−α) below points/4, min–max normalised).
    case bandLimitedPowerLaw = "band_limited_power_law"
    /// Rahaman et al.'s δ-spike (App. A.5): `height` at the grid point nearest `center`, 0 elsewhere.
    case deltaSpike = "delta_spike"
    /// One signal of an ensemble of Tancik et al.'s Fig. 5 1/f^α signals (every DFT bin
    /// (1 + |k|)^(−α)(a + ib), the ensemble min–max normalised together): ``PowerLawEnsemble``.
    case powerLawEnsemble = "power_law_ensemble"
    case image
    case dataset

    /// Whether the task is a function sampled on `points` grid points (not an image or a dataset).
    public var isSampledFunction: Bool {
        switch self {
        case .sumOfSines, .formula, .powerLaw, .bandLimitedPowerLaw, .deltaSpike, .powerLawEnsemble: return true
        case .image, .dataset: return false
        }
    }
}

/// `features.kind`: the input mapping in front of the method (Tancik et al.).
public enum FeatureKind: String, CaseIterable, Codable, Sendable {
    case none
    case basic
    case positional
    case positionalPowers = "positional_powers"
    case gaussian
    /// [a_j cos 2πjv, a_j sin 2πjv]/‖a‖ with a_j = j^(−p), j = 1..count (Tancik et al.'s Figs. 2–3).
    case powerFalloff = "power_falloff"
    /// m random frequencies per row of B with standard deviation σ (`scale`), as `gaussian` but
    /// drawn from another distribution (Tancik et al.'s Fig. 4): uniform on [−√3σ, √3σ];
    case uniform
    /// log-uniform magnitudes c·2^(−6u), u ~ U[0, 1) (six octaves), random sign, c such that √E[b²] = σ;
    case uniformLog = "uniform_log"
    /// Laplacian with density e^(−|b|/s)/(2s), s = σ/√2.
    case laplacian
    /// [a_j cos 2πjv, a_j sin 2πjv]/‖a‖ with the amplitudes a_j an `ntk_optimisation` figure of the
    /// report optimises for signals of one exponent α (Tancik et al.'s Fig. 5).
    case ntkOptimised = "ntk_optimised"

    /// The distribution of a randomly drawn frequency matrix (nil for the deterministic mappings).
    public var frequencyDistribution: FrequencyDistribution? {
        switch self {
        case .gaussian: return .gaussian
        case .uniform: return .uniform
        case .uniformLog: return .uniformLog
        case .laplacian: return .laplacian
        case .none, .basic, .positional, .positionalPowers, .powerFalloff, .ntkOptimised: return nil
        }
    }

    /// Whether the mapping takes `count` (basic and none take no count).
    public var hasFrequencies: Bool {
        switch self {
        case .none, .basic, .ntkOptimised: return false
        case .positional, .positionalPowers, .gaussian, .powerFalloff, .uniform, .uniformLog, .laplacian: return true
        }
    }

    /// Whether the mapping takes `scale` (power_falloff's frequencies are 1 ... count).
    public var hasScale: Bool { hasFrequencies && self != .powerFalloff }
}

/// `train.precision`: the arithmetic.
public enum Precision: String, CaseIterable, Codable, Sendable {
    case float32, float64
}

/// `train.optimizer`.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
    case adam, sgd
}

/// `task.split`: where a 1-D task trains and is evaluated.
public enum TaskSplit: String, CaseIterable, Codable, Sendable {
    /// Train and evaluate on the `points` grid.
    case grid
    /// Train on the grid; validate and test on uniform draws (Fang & Xu).
    case mgdl
    /// Train on every `stride`-th grid point, test on the others (Tancik et al.'s 1-D protocol).
    case interleaved
}

/// `task.amplitudes` of a sum of sines: a named profile, or `explicit` when the block lists one
/// amplitude per frequency (and `constant` when it gives one number).
public enum AmplitudeProfile: String, CaseIterable, Codable, Sendable {
    /// Fang & Xu's profiles (MGDL §3.1): `decreasing` 1.05 − 0.05 j, `increasing` 0.05 j,
    /// `x_dependent` e^(−x) cos((j − 1) x).
    case constant, decreasing, increasing
    case xDependent = "x_dependent"
    /// Rahaman et al.'s Fig. 1b profile: α_j = j / n for n frequencies (0.1, 0.2, …, 1.0 for their
    /// ten), the largest amplitude on the highest frequency. Named apart from Fang & Xu's
    /// `increasing` (0.05 j), which is a different family.
    case rahamanIncreasing = "rahaman_increasing"
    /// Not a word of the format: the block wrote a list.
    case explicit

    /// The profiles a block may name.
    public static let named: [AmplitudeProfile] = allCases.filter { $0 != .explicit }
}

/// `kind` of a ```` ```figure ```` block: the recipe that draws it.
public enum FigureKind: String, CaseIterable, Codable, Sendable {
    case spectralEvolution = "spectral_evolution"
    case loss
    case curves
    case fit
    case layerNorms = "layer_norms"
    case gradeSpectra = "grade_spectra"
    case reconstruction
    case validationLoss = "validation_loss"
    /// Amplitude spectra of declared functions, no training (names no run).
    case functionSpectra = "function_spectra"
    /// Predictions over the plane around a manifold's curve, grade by grade (`train.plane`).
    case plane
    /// The analytic neural tangent kernel behind input mappings (no run).
    case ntk
    /// The mapping's amplitudes optimised through the NTK linear model (Tancik et al.'s Fig. 5; no run).
    case ntkOptimisation = "ntk_optimisation"
    /// Runs' recorded train and test losses beside the NTK theory of their training (solid and
    /// dashed; Tancik et al.'s Fig. 12), or, with `bins`, the DFT of the training residual at
    /// those bins (``NTKTrainingTheory``).
    case ntkTraining = "ntk_training"
    /// A run metric against a swept parameter.
    case parameterSweep = "parameter_sweep"
    /// One point per run: a run metric against a swept value or a measured property of the run.
    case scatter

    /// A metric over two sweep axes of one swept experiment.
    case sweepHeatmap = "sweep_heatmap"
    /// The spectrum under parameter perturbations (`train.perturb`).
    case perturbation
    /// The final predictions of several runs in one panel, over the target (1-D tasks).
    case finalFits = "final_fits"
    /// The amplitude spectra of several runs' final predictions in one panel, with the target's.
    case fitSpectra = "fit_spectra"
    /// The recorded spectrum of a run at chosen iterations (`at`), one curve each, over the
    /// target's spectrum and those of `reference` runs' targets (Rahaman et al.'s Fig. 6).
    case spectralSnapshots = "spectral_snapshots"

    /// Kinds drawn from declared functions alone: they name no run.
    public var trainsNothing: Bool { self == .functionSpectra || self == .ntk || self == .ntkOptimisation }
}

/// `kind` of a ```` ```table ```` block: which metrics its columns show.
public enum TableKind: String, CaseIterable, Codable, Sendable {
    /// Train / validation / test relative squared error.
    case rse
    /// Train / test PSNR in dB.
    case psnr
    /// Train / validation / test classification accuracy.
    case accuracy
    /// The lowest validation loss, the step it was reached, and the final one.
    case validationLoss = "validation_loss"
    /// Methods ranked on tasks: per task (an experiment) and method (its sweep label), the
    /// metric's mean ± std over the repeats, the training FLOPs, the time and the rank.
    case leaderboard

    /// The metrics of its columns, in order; with `grades` (a row per grade), the errors are
    /// followed by each grade's time, `seconds`.
    public func columns(grades: Bool) -> [String] {
        switch self {
        case .rse: return ["train", "validation", "test"] + (grades ? ["seconds"] : [])
        case .psnr: return ["train_psnr", "test_psnr"] + (grades ? ["seconds"] : [])
        case .accuracy: return ["train_accuracy", "validation_accuracy", "test_accuracy"]
        case .validationLoss: return ["lowest_validation_loss", "lowest_validation_step", "final_validation_loss"]
        case .leaderboard: return ["metric", "flops", "seconds", "rank"]
        }
    }

    /// The keys its `paper.values` may give: its columns but the step of the lowest loss (ours
    /// to find, not a published number).
    public func paperMetrics(grades: Bool) -> [String] {
        if self == .leaderboard { return [] }   // ours only: ranks at one budget
        return columns(grades: grades).filter { $0 != "lowest_validation_step" }
    }
}

extension Activation {
    /// The hidden activations of one network (`mlp`): every activation but MscaleDNN's.
    static let mlpChoices = allCases.filter { a in !MscaleActivation.allCases.contains { $0.rawValue == a.rawValue } }
    /// The hidden activations of `adaptive_activation` and `phase_shift`: mlp's but identity.
    static let adaptiveChoices = mlpChoices.filter { $0 != .identity }
}

extension CaseIterable where Self: RawRepresentable, Self.RawValue == String {
    /// The words a report may write, for the reader and the schema.
    static var words: [String] { allCases.map(\.rawValue) }
}

// Interpolated in messages and pages as the report writes them (`sum_of_sines`, not `sumOfSines`).
extension MethodKind: CustomStringConvertible { public var description: String { rawValue } }
extension TaskKind: CustomStringConvertible { public var description: String { rawValue } }
extension FeatureKind: CustomStringConvertible { public var description: String { rawValue } }
extension Precision: CustomStringConvertible { public var description: String { rawValue } }
extension OptimizerKind: CustomStringConvertible { public var description: String { rawValue } }
extension TaskSplit: CustomStringConvertible { public var description: String { rawValue } }
extension AmplitudeProfile: CustomStringConvertible { public var description: String { rawValue } }
extension FigureKind: CustomStringConvertible { public var description: String { rawValue } }
extension TableKind: CustomStringConvertible { public var description: String { rawValue } }
