import Foundation
import Tasks
import Yams

/// A claim's verdict.
public enum ClaimVerdict: String, Sendable, Codable, CaseIterable {
    case reproduced
    case notReproduced = "not_reproduced"
    case notRun = "not_run"

    public var words: String {
        switch self {
        case .reproduced: return "reproduced"
        case .notReproduced: return "not reproduced"
        case .notRun: return "not run at this profile"
        }
    }
}

/// A checked claim: the verdict and the evidence behind it, in words.
public struct ClaimResult: Sendable, Codable, Equatable {
    public var name: String
    public var verdict: ClaimVerdict
    /// What we measured and how it compares, e.g. "ours 1.1e-5 (mean of 3), paper 6.5e-6: ×1.69, within ×2".
    public var evidence: String
}

/// Checks claims on a report's runs.
public enum ClaimCheck {
    /// Numbers in claims' evidence: 3 significant digits.
    public static func number(_ v: Double) -> String {
        if v == 0 { return "0" }
        if !v.isFinite { return "\(v)" }
        let magnitude = abs(v)
        if magnitude >= 1e-3 && magnitude < 1e5 {
            var text = String(format: "%.3g", v)
            if text.contains("e") { text = String(format: "%.0f", v) }
            return text
        }
        return String(format: "%.2e", v).replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
    }

    /// The runs a claim's name stands for: the run itself, or every repeat of it, or the runs of
    /// block B labelled L for `B--L` (``labelSeries(_:specs:)``), or the runs of the experiment
    /// block of that name. Names are resolved against `specs` (the report's runs).
    public static func members(_ name: String, specs: [ExperimentSpec]) -> [ExperimentSpec] {
        let exact = specs.filter { $0.name == name || $0.repeatOf == name }
        if !exact.isEmpty { return exact }
        let series = labelSeries(name, specs: specs)
        if !series.isEmpty { return series }
        return specs.filter { $0.group == name }
    }

    /// `B--L`: the runs of experiment block B whose sweep label is L, when a grid beside a zip's
    /// `name` axis gives several runs that label (one mapping on every image of the grid); a
    /// claim reads their mean. Empty when no run is named so.
    public static func labelSeries(_ name: String, specs: [ExperimentSpec]) -> [ExperimentSpec] {
        specs.filter { !$0.label.isEmpty && $0.name != name && "\($0.group)--\($0.label)" == name }
    }

    /// Checks `claim` on `runs` (by run name) built at `profile`; an `optimised_mapping` claim on
    /// the computation of its figure among `figures`.
    public static func check(_ claim: ClaimSpec, specs: [ExperimentSpec], runs: [String: RunResult], profile: String,
                             figures: [FigureSpec] = []) -> ClaimResult {
        func result(_ verdict: ClaimVerdict, _ evidence: String) -> ClaimResult {
            ClaimResult(name: claim.name, verdict: verdict, evidence: evidence)
        }
        if !claim.profiles.isEmpty && !claim.profiles.contains(profile) {
            return result(.notRun, "checked only at profile\(claim.profiles.count == 1 ? "" : "s") \(claim.profiles.joined(separator: ", ")); this build used profile '\(profile.isEmpty ? "(none)" : profile)'")
        }
        // Gather each named series' results.
        func series(_ name: String) -> Result<[RunResult], ClaimFailure> {
            // A list (`run: [a, b]`): the runs of every element together.
            if let list = name == claim.run ? claim.runList : (name == claim.than ? claim.thanList : nil) {
                var all: [RunResult] = []
                for element in list {
                    switch series(element) {
                    case .success(let runs): all += runs
                    case .failure(let failure): return .failure(failure)
                    }
                }
                return .success(all)
            }
            let members = members(name, specs: specs)
            guard !members.isEmpty else { return .failure(.notRun("no run is named '\(name)'")) }
            var out: [RunResult] = []
            for spec in members {
                guard let run = runs[spec.name] else { return .failure(.notRun("run \(spec.name) has no result")) }
                guard run.status == .ok else { return .failure(.notReproduced("run \(spec.name) failed: \(run.message ?? "no message")")) }
                out.append(run)
            }
            return .success(out)
        }
        func metricMean(_ runs: [RunResult], _ metric: ClaimMetric, _ name: String) -> Result<(Double, Int), ClaimFailure> {
            let values = runs.compactMap { metric.value(of: $0) }
            guard values.count == runs.count else { return .failure(.notReproduced("run \(name) has no \(metric.words)")) }
            return .success((values.reduce(0, +) / Double(values.count), values.count))
        }
        func n(_ count: Int) -> String { count > 1 ? " (mean of \(count) runs)" : "" }
        do throws(ClaimFailure) {
            switch claim.kind {
            case .value:
                guard let metric = claim.metric, let paper = claim.paper, let tolerance = claim.tolerance else {
                    return result(.notReproduced, "the claim is incomplete")
                }
                let (ours, count) = try metricMean(series(claim.run).get(), metric, claim.run).get()
                let holds: Bool
                var comparison: String
                switch tolerance {
                case .factor(let f):
                    let ratio = ours / paper
                    holds = ratio.isFinite && ratio >= 1 / f && ratio <= f
                    comparison = "ours ÷ paper = \(number(ratio))"
                case .decibels(let d):
                    holds = abs(ours - paper) <= d
                    comparison = "difference \(number(ours - paper)) dB"
                case .absolute(let a):
                    holds = abs(ours - paper) <= a
                    comparison = "difference \(number(ours - paper))"
                }
                comparison += holds ? ", \(tolerance.words)" : ", not \(tolerance.words)"
                let unit = metric.isDecibels ? " dB" : ""
                return result(holds ? .reproduced : .notReproduced,
                              "\(metric.words) of \(claim.run): ours \(number(ours))\(unit)\(n(count)), paper \(number(paper))\(unit); \(comparison)")
            case .compare:
                guard let metric = claim.metric, let than = claim.than else { return result(.notReproduced, "the claim is incomplete") }
                let (a, countA) = try metricMean(series(claim.run).get(), metric, claim.run).get()
                let (b, countB) = try metricMean(series(than).get(), metric, than).get()
                let holds: Bool
                let ratio: Double
                let side = claim.direction == .below ? "below" : "above"
                if let margin = claim.margin {
                    let gap = claim.direction == .below ? b - a : a - b
                    let unit = metric.isDecibels ? " dB" : ""
                    return result(gap >= margin ? .reproduced : .notReproduced,
                                  "\(metric.words): \(claim.run) \(number(a))\(n(countA)), \(than) \(number(b))\(n(countB)); \(claim.run) is \(number(gap))\(unit) \(side) (claimed: at least \(number(margin))\(unit))")
                }
                switch claim.direction {
                case .below:
                    holds = a <= b / claim.factor
                    ratio = b / a
                case .above:
                    holds = a >= b * claim.factor
                    ratio = a / b
                }
                return result(holds ? .reproduced : .notReproduced,
                              "\(metric.words): \(claim.run) \(number(a))\(n(countA)), \(than) \(number(b))\(n(countB)); \(claim.run) is ×\(number(ratio)) \(side) (claimed: at least ×\(number(claim.factor)))")
            case .order:
                let members = try series(claim.run).get()
                return orderResult(claim, members)
            case .robustnessOrder:
                let members = try series(claim.run).get()
                return robustnessResult(claim, members)
            case .optimisedMapping:
                return optimisedMappingResult(claim, specs: specs, runs: runs, figures: figures)
            case .ntkTheory:
                return ntkTheoryResult(claim, specs: specs, runs: runs, figures: figures)
            case .spread:
                guard let metric = claim.metric, let atMost = claim.atMost else { return result(.notReproduced, "the claim is incomplete") }
                // One value per run: the mean over its repeats, in the order the runs are named.
                var order: [String] = []
                var values: [String: [Double]] = [:]
                for element in claim.runList ?? [claim.run] {
                    for run in try series(element).get() {
                        let name = specs.first { $0.name == run.name }?.repeatOf ?? run.name
                        guard let value = metric.value(of: run), value.isFinite else {
                            return result(.notReproduced, "run \(run.name) has no \(metric.words)")
                        }
                        if values[name] == nil { order.append(name) }
                        values[name, default: []].append(value)
                    }
                }
                let means = order.map { name in (name, values[name]!.reduce(0, +) / Double(values[name]!.count)) }
                guard let low = means.min(by: { $0.1 < $1.1 }), let high = means.max(by: { $0.1 < $1.1 }), means.count > 1 else {
                    return result(.notReproduced, "a spread needs at least two runs; \(claim.run) names \(means.count)")
                }
                let unit = metric.isDecibels ? " dB" : ""
                let spread = high.1 - low.1
                return result(spread <= atMost ? .reproduced : .notReproduced,
                              "\(metric.words) over \(means.count) runs from \(number(low.1))\(unit) (\(low.0)) to \(number(high.1))\(unit) (\(high.0)): a spread of \(number(spread))\(unit) (claimed: at most \(number(atMost))\(unit))")
            }
        } catch {
            switch error {
            case .notRun(let why): return result(.notRun, why)
            case .notReproduced(let why): return result(.notReproduced, why)
            }
        }
    }

    enum ClaimFailure: Error {
        case notRun(String)
        case notReproduced(String)
    }

    /// The `order` check on the mean spectral evolution of `runs`.
    static func orderResult(_ claim: ClaimSpec, _ runs: [RunResult]) -> ClaimResult {
        guard let evolution = SpectralEvolution.mean(of: runs) else {
            return ClaimResult(name: claim.name, verdict: .notReproduced,
                               evidence: "\(claim.run) recorded no spectra to check the order on (an mlp run with train.record_every, or a method that records snapshots)")
        }
        let first = evolution.firstReach(threshold: claim.threshold)
        let k = evolution.frequencies
        let last = evolution.steps.last ?? 0
        func when(_ i: Int) -> String { first[i].map { "\($0)" } ?? "never (by \(last))" }
        // A kernel spectrum's "frequencies" are bins of eigen-indices n.
        func name(_ i: Int) -> String {
            guard let bin = evolution.eigenBin else { return "k = \(k[i])" }
            return bin == 1 ? "n = \(k[i])" : "n = \(k[i])–\(k[i] + bin - 1)"
        }
        var violations: [String] = []
        for i in k.indices {
            for j in k.indices where k[j] > k[i] {
                let a = first[i] ?? Int.max, b = first[j] ?? Int.max
                if a > b { violations.append("\(name(i)) (\(when(i))) after \(name(j)) (\(when(j)))") }
            }
        }
        let reached = k.indices.map { "\(name($0)): \(when($0))" }.joined(separator: "; ")
        let mean = runs.count > 1 ? " (mean over \(runs.count) runs)" : ""
        let ratio = evolution.eigenBin == nil ? "|f̃(k)|/A_k" : "|⟨v_n, f⟩|/|⟨v_n, y⟩| (bin means)"
        let head = "first step at which \(ratio) ≥ \(number(claim.threshold))\(mean): \(reached)"
        if first.allSatisfy({ $0 == nil }) {
            return ClaimResult(name: claim.name, verdict: .notReproduced, evidence: "no frequency reached \(number(claim.threshold)) of its amplitude by step \(last); \(head)")
        }
        if violations.isEmpty { return ClaimResult(name: claim.name, verdict: .reproduced, evidence: head) }
        let shown = violations.prefix(4).joined(separator: "; ") + (violations.count > 4 ? "; and \(violations.count - 4) more" : "")
        return ClaimResult(name: claim.name, verdict: .notReproduced, evidence: "out of order: \(shown). \(head)")
    }
}

/// The normalised amplitude |f̃(k)|/A_k of a run's recorded predictions at its target
/// frequencies (Rahaman et al.), unclipped; averaged over repeats by `mean(of:)`.
public struct SpectralEvolution: Sendable, Equatable {
    public var frequencies: [Int]
    public var steps: [Int]
    /// rows[i][j]: snapshot i, frequency j.
    public var rows: [[Double]]
    /// With repeats: the standard deviation over them (empty for one run).
    public var spread: [[Double]] = []
    /// The ratio is of sums over the bins within ± this of each frequency (`train.spectrum_band`).
    public var band: Int?
    /// `task.kernel_spectrum`: the "frequencies" are the first eigen-index of bins of this many
    /// kernel eigenvectors (`RunResult.eigenBin`).
    public var eigenBin: Int?

    /// One run's evolution, nil when it recorded nothing.
    public init?(_ run: RunResult) {
        guard !run.frequencies.isEmpty, !run.targetAmplitudes.isEmpty else { return nil }
        band = run.spectrumBand
        eigenBin = run.eigenBin
        if let recorded = run.spectra, !recorded.isEmpty {
            frequencies = run.frequencies
            steps = recorded.map(\.step)
            rows = recorded.map { snapshot in zip(snapshot.amplitudes, run.targetAmplitudes).map { $0 / $1 } }
            return
        }
        guard !run.snapshots.isEmpty, run.image == nil, run.eigenBin == nil else { return nil }
        frequencies = run.frequencies
        steps = run.snapshots.map(\.step)
        rows = run.snapshots.map {
            zip(Spectra.amplitudes(in: Spectra.amplitudeSpectrum($0.prediction), at: run.frequencies, halfWidth: run.spectrumBand ?? 0),
                run.targetAmplitudes).map { $0 / $1 }
        }
    }

    init(frequencies: [Int], steps: [Int], rows: [[Double]], spread: [[Double]]) {
        self.frequencies = frequencies; self.steps = steps; self.rows = rows; self.spread = spread
    }

    /// The mean (and standard deviation) over runs recorded at the same steps and frequencies;
    /// nil if any run recorded nothing or the runs do not line up.
    public static func mean(of runs: [RunResult]) -> SpectralEvolution? {
        let all = runs.compactMap(SpectralEvolution.init)
        guard let first = all.first, all.count == runs.count else { return nil }
        if all.count == 1 { return first }
        guard all.allSatisfy({ $0.steps == first.steps && $0.frequencies == first.frequencies && $0.band == first.band && $0.eigenBin == first.eigenBin }) else { return nil }
        let count = Double(all.count)
        var mean = first.rows, spread = first.rows
        for i in first.rows.indices {
            for j in first.rows[i].indices {
                let values = all.map { $0.rows[i][j] }
                let m = values.reduce(0, +) / count
                mean[i][j] = m
                spread[i][j] = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (count - 1)).squareRoot()
            }
        }
        var result = SpectralEvolution(frequencies: first.frequencies, steps: first.steps, rows: mean, spread: spread)
        result.band = first.band
        result.eigenBin = first.eigenBin
        return result
    }

    /// For each frequency, the first recorded step at which the ratio is at least `threshold`.
    public func firstReach(threshold: Double) -> [Int?] {
        frequencies.indices.map { j in rows.indices.first { rows[$0][j] >= threshold }.map { steps[$0] } }
    }
}
extension ClaimCheck {
    /// The `robustness_order` check on the mean perturbation measurement of `runs`.
    static func robustnessResult(_ claim: ClaimSpec, _ runs: [RunResult]) -> ClaimResult {
        let all = runs.compactMap(\.perturbation)
        guard all.count == runs.count, let first = all.first, all.allSatisfy({ $0.deltas == first.deltas }),
              let k = runs.first?.frequencies, !k.isEmpty else {
            return ClaimResult(name: claim.name, verdict: .notReproduced,
                               evidence: "\(claim.run) measured no perturbations to check (write train.perturb on an mlp)")
        }
        // For each frequency, the first δ at which the mean ratio is below the threshold.
        let falls: [Double?] = k.indices.map { j in
            first.deltas.indices.first { i in all.reduce(0) { $0 + $1.ratios[i][j] } / Double(all.count) < claim.threshold }.map { first.deltas[$0] }
        }
        let largest = first.deltas.last ?? 0
        func when(_ j: Int) -> String { falls[j].map { "δ = \(number($0))" } ?? "never (by δ = \(number(largest)))" }
        var violations: [String] = []
        for i in k.indices {
            for j in k.indices where k[j] > k[i] {
                let low = falls[i] ?? .infinity, high = falls[j] ?? .infinity
                if high > low { violations.append("k = \(k[j]) (\(when(j))) after k = \(k[i]) (\(when(i)))") }
            }
        }
        let mean = runs.count > 1 ? " (mean over \(first.directions) directions × \(runs.count) runs)" : " (mean over \(first.directions) directions)"
        let head = "first δ at which |f̃_θ(k)|/|f̃_θ*(k)| < \(number(claim.threshold))\(mean): " + k.indices.map { "k = \(k[$0]): \(when($0))" }.joined(separator: "; ")
        if falls.allSatisfy({ $0 == nil }) {
            return ClaimResult(name: claim.name, verdict: .notReproduced, evidence: "no frequency fell below \(number(claim.threshold)) by δ = \(number(largest)); \(head)")
        }
        if violations.isEmpty { return ClaimResult(name: claim.name, verdict: .reproduced, evidence: head) }
        let shown = violations.prefix(4).joined(separator: "; ") + (violations.count > 4 ? "; and \(violations.count - 4) more" : "")
        return ClaimResult(name: claim.name, verdict: .notReproduced, evidence: "out of order: \(shown). \(head)")
    }
}

extension ClaimCheck {
    /// The `optimised_mapping` check: the mean test error of the optimised amplitudes against the
    /// best power-law falloff's, for the claim's exponent, from its figure's computation.
    static func optimisedMappingResult(_ claim: ClaimSpec, specs: [ExperimentSpec] = [], runs: [String: RunResult] = [:],
                                       figures: [FigureSpec]) -> ClaimResult {
        func result(_ verdict: ClaimVerdict, _ evidence: String) -> ClaimResult { ClaimResult(name: claim.name, verdict: verdict, evidence: evidence) }
        guard let name = claim.figure, let alpha = claim.exponent, let figure = figures.first(where: { $0.name == name }),
              let protocolSpec = figure.optimisation else {
            return result(.notReproduced, "no ntk_optimisation figure '\(claim.figure ?? "")' in this report")
        }
        if claim.networks == .trained {
            guard figure.trained != nil else { return result(.notReproduced, "figure '\(name)' names no trained experiments (trained:)") }
            let errors: [TrainedMappingErrors]
            do { errors = try TrainedMappingErrors.compute(figure: figure, specs: specs, runs: runs) } catch {
                let text = "\(error)"
                return result(text.hasSuffix("has no result") ? .notRun : .notReproduced, text)
            }
            guard let family = errors.first(where: { $0.exponent == alpha }) else {
                return result(.notReproduced, "figure '\(name)' trains no networks on signals of α = \(number(alpha))")
            }
            let p = family.falloffs[family.bestFalloff]
            let power = p.isInfinite ? "p = ∞" : "p = \(number(p))"
            let ours = family.optimisedMean, theirs = family.bestMean
            let holds = ours <= theirs / claim.factor
            let model = protocolSpec.compute().families.first { $0.exponent == alpha }
            let modelText = model.map { "; the NTK model, mean of its \($0.optimisedErrors.count) held-out signals: optimised \(number($0.optimisedMean)), best falloff \(number($0.bestMean))" } ?? ""
            return result(holds ? .reproduced : .notReproduced,
                          "α = \(number(alpha)), trained networks' test MSE (mean of \(family.optimisedErrors.count) held-out signal\(family.optimisedErrors.count == 1 ? "" : "s")): optimised amplitudes \(number(ours)), best of the \(family.falloffs.count) power-law falloffs trained \(power) \(number(theirs)); the optimised mapping is ×\(number(theirs / ours)) below (claimed: at least ×\(number(claim.factor)))\(modelText)")
        }
        let computed = protocolSpec.compute()
        guard let family = computed.families.first(where: { $0.exponent == alpha }) else {
            return result(.notReproduced, "figure '\(name)' optimises no signals of α = \(number(alpha))")
        }
        let best = family.bestFalloff
        let p = computed.falloffs[best]
        let power = p.isInfinite ? "p = ∞ (the basic mapping)" : "p = \(number(p))"
        let ours = family.optimisedMean, theirs = family.bestMean
        let holds = ours <= theirs / claim.factor
        let n = family.optimisedErrors.count
        return result(holds ? .reproduced : .notReproduced,
                      "α = \(number(alpha)), NTK-model test MSE (mean of \(n) held-out signals): optimised amplitudes \(number(ours)), best power-law falloff \(power) \(number(theirs)); the optimised mapping is ×\(number(theirs / ours)) below (claimed: at least ×\(number(claim.factor))). On the \(protocolSpec.trainSignals) signals the amplitudes were optimised on: optimised \(number(family.optimisedTrainingError)), that falloff \(number(family.falloffTrainingErrors[best])), the best falloff there \(number(family.falloffTrainingErrors.min() ?? .nan))")
    }
}

extension ClaimCheck {
    /// The `ntk_theory` check on every run of its `ntk_training` figure (``NTKTrainingTheory``):
    /// the last recorded train or test loss against the theory's at that step, or the order of the
    /// last step's relative residual over the figure's bins.
    static func ntkTheoryResult(_ claim: ClaimSpec, specs: [ExperimentSpec], runs: [String: RunResult], figures: [FigureSpec]) -> ClaimResult {
        func result(_ verdict: ClaimVerdict, _ evidence: String) -> ClaimResult { ClaimResult(name: claim.name, verdict: verdict, evidence: evidence) }
        guard let name = claim.figure, let quantity = claim.quantity,
              let figure = figures.first(where: { $0.name == name && $0.kind == .ntkTraining }) else {
            return result(.notReproduced, "no ntk_training figure '\(claim.figure ?? "")' in this report")
        }
        var lines: [String] = [], failed: [String] = []
        var worst = 1.0
        for member in figure.runs.flatMap({ members($0, specs: specs) }) {
            guard let run = runs[member.name] else { return result(.notRun, "run \(member.name) has no result") }
            guard run.status == .ok else { return result(.notReproduced, "run \(member.name) failed: \(run.message ?? "no message")") }
            let theory: NTKTrainingTheory
            do { theory = try NTKTrainingTheory(member) } catch { return result(.notReproduced, "no NTK theory for run \(member.name): \(error)") }
            let label = member.label.isEmpty ? member.name : member.label
            switch quantity {
            case .trainLoss, .testLoss:
                guard let last = run.curvePoints.last, let ours = quantity == .trainLoss ? last.trainLoss : last.testLoss else {
                    return result(.notReproduced, "run \(member.name) recorded no \(quantity == .trainLoss ? "training" : "test") loss")
                }
                let predicted = quantity == .trainLoss ? theory.trainLoss(steps: Double(last.step)) : theory.testLoss(steps: Double(last.step))
                let ratio = ours / predicted
                let off = max(ratio, 1 / ratio)
                worst = max(worst, off.isFinite ? off : .infinity)
                lines.append("\(label) \(number(ours)) vs \(number(predicted)) (×\(number(ratio)))")
                if !(off <= claim.factor) { failed.append(label) }
            case .binOrder:
                guard let bins = figure.bins, bins.count >= 2 else { return result(.notReproduced, "figure '\(name)' draws no bins (bins: [1, 5, 15])") }
                guard let last = run.snapshots.last, last.prediction.count == theory.trainTargets.count else {
                    return result(.notReproduced, "run \(member.name) kept no final prediction on its training points")
                }
                let residual = theory.residualBins(prediction: last.prediction, bins: bins)
                let relative = zip(residual, theory.targetBins(bins)).map { $0 / $1 }
                let ordered = zip(relative, relative.dropFirst()).allSatisfy { $0 < $1 }
                lines.append("\(label) " + zip(bins, relative).map { "k=\($0): \(number($1))" }.joined(separator: ", "))
                if !ordered { failed.append(label) }
            }
        }
        let head: String
        switch quantity {
        case .trainLoss, .testLoss:
            head = "last recorded \(quantity == .trainLoss ? "training" : "test") MSE, network vs NTK theory (network ÷ theory): "
                + lines.joined(separator: "; ") + ". Largest gap ×\(number(worst)) (claimed: within ×\(number(claim.factor)) for every run)"
        case .binOrder:
            head = "|training residual| ÷ |target| at the last step, by DFT bin: " + lines.joined(separator: "; ")
        }
        if failed.isEmpty { return result(.reproduced, head) }
        return result(.notReproduced, "not for \(failed.joined(separator: ", ")). " + head)
    }
}
