import Foundation
import Tasks
import Yams

/// What a claim checks (the `kind:` of a ```` ```claim NAME ```` block).
public enum ClaimKind: String, Sendable, Codable, CaseIterable {
    /// A published number, and ours within a tolerance of it.
    case value
    /// Spectral bias: every lower target frequency reaches `threshold` of its amplitude no later
    /// than every higher one (the first recorded step at which the normalised amplitude, averaged
    /// over repeats, is at least `threshold`).
    case order
    /// One run's metric at least `factor` times below (or above) another's.
    case compare
    /// Robustness to parameter perturbation (Rahaman et al., Fig. 3): every higher target
    /// frequency falls below `threshold` of its trained amplitude at a perturbation size δ no
    /// larger than every lower one (the first δ at which |f̃_θ(k)|/|f̃_θ*(k)|, averaged over the
    /// directions and repeats, is below `threshold`).
    case robustnessOrder = "robustness_order"
    /// Tancik et al.'s Fig. 5b: for the signals of exponent `exponent`, the amplitudes optimised
    /// through the NTK linear model (an `ntk_optimisation` figure, named by `figure`) test at least
    /// `factor` times below the best power-law falloff (the mean test error over the held-out signals).
    case optimisedMapping = "optimised_mapping"
    /// Tancik et al.'s Fig. 12: the NTK theory against the trained networks of an `ntk_training`
    /// figure (named by `figure`), every run of it: `quantity: train_loss` or `test_loss`, the
    /// last recorded loss within `factor` of the theory's at that step (either way);
    /// `quantity: bin_order`, the last step's training residual, as a fraction of the target at
    /// each of the figure's `bins`, larger at every higher bin (lower frequencies fitted further).
    case ntkTheory = "ntk_theory"
    /// The runs' metric varies little: its largest minus its smallest value over the runs named
    /// (each run the mean over its repeats) is at most `at_most` (Tancik et al.'s Fig. 11: Gaussian
    /// features fit a sinusoid about as well at every orientation).
    case spread
}

/// What an `optimised_mapping` claim checks: the figure's NTK model (the default) or the networks
/// its `trained` experiments train with each mapping (Tancik et al.'s Fig. 5b).
public enum OptimisedNetworks: String, Sendable, Codable, CaseIterable {
    case model, trained
}

/// The metrics a claim can read from a run (mean over its repeats).
public enum ClaimMetric: String, Sendable, Codable, CaseIterable {
    case trainRSE = "train_rse"
    case validationRSE = "validation_rse"
    case testRSE = "test_rse"
    case trainPSNR = "train_psnr"
    case testPSNR = "test_psnr"
    case finalLoss = "final_loss"
    /// The lowest and the last point of the recorded validation loss (against clean targets).
    case lowestValidationLoss = "lowest_validation_loss"
    case finalValidationLoss = "final_validation_loss"
    /// The recorded step at which the validation loss is lowest (the first, on a tie): where
    /// the dip of a run on noisy labels is.
    case lowestValidationStep = "lowest_validation_step"
    case trainAccuracy = "train_accuracy"
    case validationAccuracy = "validation_accuracy"
    case testAccuracy = "test_accuracy"
    /// The mean of the normalised amplitude |f̃(k)|/A_k over the target's frequencies and the
    /// recorded steps (the mean of the spectral-evolution heatmap, unclipped): the larger, the
    /// sooner the frequencies were learned.
    case meanSpectralRatio = "mean_spectral_ratio"
    /// The mean of |f̃(k)|/A_k over the target's frequencies at the last recorded step only (the
    /// heatmap's last row, unclipped): how much of the target's spectrum the trained network
    /// reaches, whenever it got there.
    case finalSpectralRatio = "final_spectral_ratio"

    /// Whether a larger value is the better one (PSNR, accuracy, the spectral ratio), as a
    /// leaderboard ranks; errors and losses are better smaller.
    public var higherIsBetter: Bool {
        switch self {
        case .trainPSNR, .testPSNR, .trainAccuracy, .validationAccuracy, .testAccuracy, .meanSpectralRatio, .finalSpectralRatio: return true
        default: return false
        }
    }

    /// Why `spec`'s runs cannot have this metric, from the declaration alone (nil: they can).
    public func unavailable(for spec: ExperimentSpec) -> String? {
        let task = spec.task
        let hasValidation = task.kind == .dataset ? (task.validationFraction ?? 0.2) > 0 : task.split == .mgdl && task.validation > 0
        let hasTest = task.kind == .dataset ? (task.testFraction ?? 0) > 0 : task.split == .mgdl && task.test > 0
        let records = spec.method == .mlp || spec.train.recordSnapshots == true
        switch self {
        case .trainAccuracy, .validationAccuracy, .testAccuracy:
            if task.targets == nil { return "its task is a regression (set task.targets for a classification)" }
        case .trainPSNR, .testPSNR:
            if task.kind != .image { return "it is not an image task" }
        case .meanSpectralRatio, .finalSpectralRatio:
            if !task.hasSpectrumFrequencies && task.kernelSpectrum == nil { return "it has no target frequencies (a sum_of_sines task's, or a delta_spike's recorded frequencies) nor a kernel_spectrum" }
            if !records { return "it records nothing during training (write train.record_every)" }
        case .lowestValidationLoss, .finalValidationLoss, .lowestValidationStep:
            if !hasValidation || spec.method == .mlp || !records { return "it records no validation loss (a validation set and train.record_every, method other than mlp)" }
        default: break
        }
        switch self {
        case .validationRSE, .validationAccuracy: if !hasValidation { return "it has no validation set" }
        case .testRSE, .testAccuracy: if !hasTest { return "it has no test set" }
        default: break
        }
        return nil
    }

    /// The metric of one run, nil when the run does not have it (e.g. no test set).
    public func value(of run: RunResult) -> Double? {
        switch self {
        case .meanSpectralRatio:
            guard let e = SpectralEvolution(run), !e.rows.isEmpty else { return nil }
            let all = e.rows.flatMap { $0 }
            return all.reduce(0, +) / Double(all.count)
        case .finalSpectralRatio:
            guard let e = SpectralEvolution(run), let last = e.rows.last, !last.isEmpty else { return nil }
            return last.reduce(0, +) / Double(last.count)
        case .trainRSE: return run.trainRSE ?? run.finalRSE
        case .validationRSE: return run.validationRSE
        case .testRSE: return run.testRSE
        case .trainPSNR: return run.trainPSNR
        case .testPSNR: return run.testPSNR
        case .finalLoss: return run.losses.last
        case .lowestValidationLoss: return run.validationCurve?.map(\.value).min()
        case .finalValidationLoss: return run.validationCurve?.last?.value
        case .lowestValidationStep:
            guard let curve = run.validationCurve, let low = curve.map(\.value).min() else { return nil }
            return curve.first { $0.value == low }.map { Double($0.step) }
        case .trainAccuracy: return run.trainAccuracy
        case .validationAccuracy: return run.validationAccuracy
        case .testAccuracy: return run.testAccuracy
        }
    }

    public var words: String {
        switch self {
        case .trainRSE: return "train RSE"
        case .validationRSE: return "validation RSE"
        case .testRSE: return "test RSE"
        case .trainPSNR: return "train PSNR"
        case .testPSNR: return "test PSNR"
        case .finalLoss: return "final training loss"
        case .lowestValidationLoss: return "lowest validation loss"
        case .finalValidationLoss: return "final validation loss"
        case .lowestValidationStep: return "step of the lowest validation loss"
        case .trainAccuracy: return "train accuracy"
        case .validationAccuracy: return "validation accuracy"
        case .testAccuracy: return "test accuracy"
        case .meanSpectralRatio: return "mean normalised amplitude over training"
        case .finalSpectralRatio: return "mean normalised amplitude after training"
        }
    }

    public var isDecibels: Bool { self == .trainPSNR || self == .testPSNR }
}

/// How close a published value and ours must be.
public enum ClaimTolerance: Sendable, Codable, Equatable {
    /// ours / paper within [1/f, f].
    case factor(Double)
    /// |ours − paper| ≤ d (decibels, for PSNR).
    case decibels(Double)
    /// |ours − paper| ≤ a.
    case absolute(Double)

    var words: String {
        switch self {
        case .factor(let f): return "within ×\(ClaimCheck.number(f))"
        case .decibels(let d): return "within \(ClaimCheck.number(d)) dB"
        case .absolute(let a): return "within ±\(ClaimCheck.number(a))"
        }
    }
}

/// Which side of the other run a `compare` claim puts the first.
public enum ClaimDirection: String, Sendable, Codable, CaseIterable {
    /// run ≤ than / factor
    case below
    /// run ≥ than × factor
    case above
}

/// A declared claim: what a paper reports, checked on our runs. See docs/report-format.md.
///
/// ```yaml
/// kind: value                 # value | order | compare
/// statement: "MGDL reaches a test RSE of 6.5e-6 on setting 1."
/// source: "Fang & Xu (2024), Table 1"
/// profiles: [paper]           # checked only at these profiles (default: every profile)
/// run: compare--mgdl          # an experiment, or one run of a sweep; repeats are averaged
/// metric: test_rse            # value, compare
/// paper: 6.5e-6               # value
/// within: {factor: 2}         # value: {factor: F} | {db: D} | {absolute: A}
/// than: compare--sgdl         # compare: the other run
/// factor: 100                 # compare: how many times below (or above)
/// direction: below            # compare: below | above
/// threshold: 0.9              # order: fraction of each frequency's amplitude
/// ```
public struct ClaimSpec: Sendable, Equatable, Codable {
    public var name: String
    public var kind: ClaimKind
    public var statement: String
    public var source: String?
    public var profiles: [String]
    public var run: String
    public var metric: ClaimMetric?
    public var paper: Double?
    public var tolerance: ClaimTolerance?
    public var than: String?
    public var factor: Double
    /// compare: with `margin: D`, run ≥ than + D (above) or run ≤ than − D (below) in the
    /// metric's unit (a gap in dB), instead of a factor; nil: the factor applies.
    public var margin: Double? = nil
    /// spread: the largest allowed max − min of the metric over the runs, in its unit.
    public var atMost: Double? = nil
    /// `run:` or `than:` written as a list: the claim reads the mean over all of those runs
    /// (e.g. one mapping on several images); `run` / `than` then hold the names joined by " + ".
    public var runList: [String]? = nil
    public var thanList: [String]? = nil
    public var direction: ClaimDirection
    public var threshold: Double
    /// The file line of the block's `run:` key, for messages.
    public var line: Int
    /// optimised_mapping: the `ntk_optimisation` figure whose computation is checked, and which of
    /// its signal exponents α (nil for the other kinds, which read runs).
    public var figure: String? = nil
    public var exponent: Double? = nil
    /// ntk_theory: what is checked (`train_loss`, `test_loss`, `bin_order`).
    public var quantity: NTKTheoryQuantity? = nil
    /// optimised_mapping: `trained` checks the networks of the figure's `trained` experiments
    /// instead of its NTK model (nil: the model, which keeps earlier claims as they were).
    public var networks: OptimisedNetworks? = nil

    static func read(_ node: Node, name: String, reader: SpecReader) -> ClaimSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("claim"))
        let kindText = map.string("kind", oneOf: ClaimKind.allCases.map(\.rawValue))
        let statement = map.string("statement")
        let source = map.string("source", default: "")
        var profiles: [String] = []
        if let p = map["profiles"] {
            switch p {
            case .scalar(let s): profiles = [s.string]
            case .sequence(let items): profiles = items.compactMap(\.string)
            default: reader.report(p, map.path("profiles"), "expected a profile name or a list of them, found \(p.kindDescription)")
            }
        }
        // `run` (and `than`) may be a list of runs whose metric is averaged.
        func names(_ key: String) -> (String?, [String]?) {
            if case .sequence(let items)? = map[key] {
                let list = items.compactMap(\.string)
                if list.isEmpty { reader.report(map[key], map.path(key), "expected a run name or a non-empty list of run names") }
                return (list.isEmpty ? nil : list.joined(separator: " + "), list.count > 1 ? list : nil)
            }
            return (map.string(key), nil)
        }
        let readsFigure = kindText == ClaimKind.optimisedMapping.rawValue || kindText == ClaimKind.ntkTheory.rawValue
        if readsFigure, map["run"] != nil {
            reader.report(map["run"], map.path("run"), kindText == ClaimKind.ntkTheory.rawValue
                ? "an ntk_theory claim reads the runs of an ntk_training figure (figure:), not a run"
                : "an optimised_mapping claim reads an ntk_optimisation figure (figure:), not a run")
        }
        let (run, runList): (String?, [String]?) = readsFigure ? ("", nil) : names("run")
        guard let kindText, let kind = ClaimKind(rawValue: kindText) else { return nil }
        let allowed: [ClaimKind: [String]] = [
            .value: ["metric", "paper", "within"], .compare: ["metric", "than", "factor", "margin", "direction"], .order: ["threshold"],
            .robustnessOrder: ["threshold"], .optimisedMapping: ["figure", "exponent", "factor", "networks"], .spread: ["metric", "at_most"],
            .ntkTheory: ["figure", "quantity", "factor"],
        ]
        for pair in map.pairs {
            for (other, keys) in allowed where other != kind && keys.contains(pair.key) && !(allowed[kind] ?? []).contains(pair.key) {
                reader.report(pair.keyNode, map.path(pair.key), "'\(pair.key)' does not apply to a claim of kind '\(kind.rawValue)' (it belongs to kind '\(other.rawValue)')")
            }
        }
        var metric: ClaimMetric?, paper: Double?, tolerance: ClaimTolerance?, than: String?
        var factor = 1.0, direction = ClaimDirection.below, threshold = 0.9, margin: Double?, thanList: [String]?, atMost: Double?
        switch kind {
        case .value, .compare, .spread:
            if let m = map.string("metric", oneOf: ClaimMetric.allCases.map(\.rawValue)) { metric = ClaimMetric(rawValue: m) }
        case .order, .robustnessOrder, .optimisedMapping, .ntkTheory: break
        }
        var figure: String?, exponent: Double?, quantity: NTKTheoryQuantity?, networks: OptimisedNetworks?
        switch kind {
        case .value:
            paper = map.double("paper")
            if let w = map.required("within"), let wm = MappingReader(w, keyPath: map.path("within"), reader: reader) {
                wm.checkKeys(["factor", "db", "absolute"])
                if wm.pairs.count != 1 {
                    reader.report(w, map.path("within"), "give exactly one of factor, db, absolute (e.g. {factor: 2})")
                } else if wm["factor"] != nil, let f = wm.double("factor", positive: true) {
                    if f < 1 { reader.report(wm["factor"], wm.path("factor"), "a factor tolerance is at least 1 (ours within [paper/F, paper·F]), found \(f)") }
                    else { tolerance = .factor(f) }
                } else if wm["db"] != nil, let d = wm.double("db", positive: true) {
                    tolerance = .decibels(d)
                } else if wm["absolute"] != nil, let a = wm.double("absolute", positive: true) {
                    tolerance = .absolute(a)
                }
            }
            if case .factor = tolerance, let p = paper, p <= 0 {
                reader.report(map["paper"], map.path("paper"), "a factor tolerance needs a positive published value, found \(p)")
            }
        case .compare:
            (than, thanList) = names("than")
            factor = map.double("factor", default: 1, positive: true) ?? 1
            if map["margin"] != nil {
                margin = map.double("margin", positive: false)
                if let m = margin, m < 0 { reader.report(map["margin"], map.path("margin"), "a margin is at least 0, found \(m)") }
                if map["factor"] != nil { reader.report(map["margin"], map.path("margin"), "give a factor or a margin, not both") }
            }
            if let d = map.string("direction", default: "below", oneOf: ClaimDirection.allCases.map(\.rawValue)) {
                direction = ClaimDirection(rawValue: d) ?? .below
            }
        case .order:
            threshold = map.double("threshold", default: 0.9, positive: true) ?? 0.9
        case .robustnessOrder:
            threshold = map.double("threshold", default: 0.5, positive: true) ?? 0.5
        case .optimisedMapping:
            figure = map.string("figure")
            exponent = map.double("exponent")
            factor = map.double("factor", default: 1, positive: true) ?? 1
            if map["networks"] != nil, let n: OptimisedNetworks = map.choice("networks"), n == .trained { networks = .trained }
        case .ntkTheory:
            figure = map.string("figure")
            if let q = map.string("quantity", oneOf: NTKTheoryQuantity.allCases.map(\.rawValue)) { quantity = NTKTheoryQuantity(rawValue: q) }
            factor = map.double("factor", default: 2, positive: true) ?? 2
            if factor < 1 { reader.report(map["factor"], map.path("factor"), "a factor is at least 1 (ours within [theory/F, theory·F]), found \(factor)") }
            if quantity == .binOrder, map["factor"] != nil { reader.report(map["factor"], map.path("factor"), "'factor' applies to quantity train_loss or test_loss") }
        case .spread:
            atMost = map.double("at_most")
            if let a = atMost, a < 0 { reader.report(map["at_most"], map.path("at_most"), "a spread is at least 0, found \(a)"); atMost = nil }
        }
        guard let statement, let run else { return nil }
        if kind == .optimisedMapping, figure == nil || exponent == nil { return nil }
        if kind == .ntkTheory, figure == nil || quantity == nil { return nil }
        var claim = ClaimSpec(name: name, kind: kind, statement: statement, source: source?.isEmpty == false ? source : nil,
                              profiles: profiles, run: run, metric: metric, paper: paper, tolerance: tolerance, than: than,
                              factor: factor, margin: margin, atMost: atMost, runList: runList, thanList: thanList, direction: direction, threshold: threshold,
                              line: reader.lineOffset + ((readsFigure ? map["figure"] : map["run"])?.mark?.line ?? 1))
        claim.figure = figure
        claim.exponent = exponent
        claim.quantity = quantity
        claim.networks = networks
        return claim
    }

    /// The run names this claim reads (`run` and, for compare, `than`; each element of a list).
    public var runNames: [String] { kind == .optimisedMapping || kind == .ntkTheory ? [] : (runList ?? [run]) + (thanList ?? than.map { [$0] } ?? []) }
}

/// What an `ntk_theory` claim checks.
public enum NTKTheoryQuantity: String, Sendable, Codable, CaseIterable {
    case trainLoss = "train_loss"
    case testLoss = "test_loss"
    case binOrder = "bin_order"
}
