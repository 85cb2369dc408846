import Foundation
import Learning

/// The bulky parts of a run's result that only some figures, tables or claims read. `freeze`
/// keeps, of each run it commits, only the parts that a figure, table or claim of a report
/// declaring that run reads (`Report.resultPartsRead`); the others are emptied and listed in
/// `RunResult.omitted`. Everything else of a result (every scalar, the steps of the loss curve
/// that run pages, tables and claims read, the validation curve) is always kept, and what is kept
/// is kept exactly.
///
/// What reads what is stated once, here, from the typed declarations (`FigureKind.reads`,
/// `ClaimMetric.reads`, `ClaimKind`, `TableSpec`); the run pages and the notebooks read none of
/// these parts (a notebook redraws a figure from its CSV, and the run page counts the recorded
/// predictions, whose steps are kept).
public enum ResultPart: String, Codable, CaseIterable, Sendable, Comparable {
    /// Each grade's (stage's) own output on the evaluation inputs (`GradeResult.output`).
    case gradeOutputs = "grade_outputs"
    /// The whole predictions kept at recorded steps (`RunResult.snapshots`' `prediction`; the
    /// steps stay, so the number of recorded predictions is unchanged).
    case predictions
    /// The training grid: `RunResult.inputs` and `target`.
    case grid
    /// The learning curves recorded at `record_every` (`RunResult.curves`).
    case curves
    /// The spectra recorded at `record_every` (`RunResult.spectra`).
    case spectra
    /// Each grade's output over the plane (`RunResult.plane`).
    case plane
    /// The spectral norms of the layers at recorded steps (`train.record_norms`: `RunResult.layerNorms`).
    case layerNorms = "layer_norms"
    /// The spectra under parameter perturbations (`train.perturb`: `RunResult.perturbation`).
    case perturbation
    /// The training-loss curve (`RunResult.losses`, as `LossThinning` keeps it) beyond the steps
    /// that the run pages, tables and claims read: the last step (the final loss), the step of
    /// the lowest finite loss, the first non-finite loss and each grade's first and last step
    /// (`lossCurveEssentials`), which are always kept; the step counts stay.
    case lossCurve = "loss_curve"
    /// An image run's panels as a `reconstruction` figure draws them: the target and, per
    /// grade, the clamped sum of the grades up to it (and the kept predictions), at 8 bits per
    /// channel. Held by the grid, the grade outputs and the kept predictions as trained; a run
    /// that only reconstruction figures read is frozen with just these levels
    /// (`RunResult.eightBitImages`, `EightBitImages`) and its target left out (the declared image).
    case images

    public static func < (a: ResultPart, b: ResultPart) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The words a message uses ("grade outputs").
    public var words: String {
        switch self {
        case .gradeOutputs: return "grade outputs"
        case .predictions: return "kept predictions"
        case .grid: return "training grid (inputs and target)"
        case .curves: return "learning curves"
        case .spectra: return "recorded spectra"
        case .plane: return "plane predictions"
        case .layerNorms: return "layer norms"
        case .perturbation: return "perturbation measurements"
        case .lossCurve: return "training-loss curve"
        case .images: return "image panels"
        }
    }
}

extension ClaimMetric {
    /// The parts of a result this metric is computed from (the rest are scalars, the loss curve
    /// or the validation curve, always kept). The mean and final spectral ratios read the recorded spectra,
    /// or, without them, the kept predictions.
    public var reads: Set<ResultPart> {
        self == .meanSpectralRatio || self == .finalSpectralRatio ? [.spectra, .predictions] : []
    }
}

extension FigureKind {
    /// The parts of each run's result a figure of this kind reads when it draws `run` (its recipe
    /// in `Sources/ReportSite/Figures`; `metric`: a parameter sweep's, scatter's or heatmap's
    /// run metric; `curveMetric`: a curves figure's). An mlp's learning curves may be computed from
    /// its kept predictions (`RunResult.curvePoints`), so a curves figure of an mlp reads those
    /// too; the training loss is drawn by `loss` figures and `curves` figures of the loss.
    public func reads(_ run: ExperimentSpec, metric: ClaimMetric? = nil, curveMetric: CurveMetric? = nil) -> Set<ResultPart> {
        switch self {
        case .spectralEvolution, .spectralSnapshots: return [.spectra, .predictions]
        case .curves:
            // `metric: loss` (the default) draws the training loss at every step (kept) beside the recorded curves.
            let loss: Set<ResultPart> = (curveMetric ?? .loss) == .loss ? [.lossCurve] : []
            return loss.union(run.method == .mlp ? [.curves, .predictions, .grid] : [.curves])
        case .fit: return [.predictions, .grid, .gradeOutputs]
        case .finalFits, .fitSpectra: return [.predictions, .grid]
        case .gradeSpectra: return [.grid, .gradeOutputs]
        case .reconstruction: return [.images]
        case .plane: return [.plane, .grid, .gradeOutputs]
        case .layerNorms: return [.layerNorms]
        case .perturbation: return [.perturbation]
        case .loss: return [.lossCurve]
        case .parameterSweep, .scatter, .sweepHeatmap: return metric?.reads ?? []
        // The recorded curves beside the theory; with bins, the final prediction on the training points.
        case .ntkTraining: return [.curves, .predictions]
        case .validationLoss, .functionSpectra, .ntk, .ntkOptimisation: return []
        }
    }
}

extension FigureSpec {
    /// The run metric this figure plots (parameter sweep, scatter: `runMetric`; heatmap).
    var plottedMetric: ClaimMetric? { kind == .sweepHeatmap ? heatmapMetric : runMetric }
}

extension Report {
    /// Run name -> the parts of its result that some figure, table or claim of this report
    /// reads (at the profile the report was loaded at); a run none reads a part of is absent.
    /// Names are resolved as a claim resolves them (a run, its repeats, a label series, an
    /// experiment block: `ClaimCheck.members`).
    public func resultPartsRead() -> [String: Set<ResultPart>] {
        var read: [String: Set<ResultPart>] = [:]
        func add(_ name: String, _ parts: (ExperimentSpec) -> Set<ResultPart>) {
            for spec in ClaimCheck.members(name, specs: experiments) {
                let p = parts(spec)
                if !p.isEmpty { read[spec.name, default: []].formUnion(p) }
            }
        }
        for figure in figures {
            for name in figure.runs + (figure.references ?? []) {
                add(name) { figure.kind.reads($0, metric: figure.plottedMetric, curveMetric: figure.metric) }
            }
        }
        for table in tables where table.kind == .leaderboard {
            for name in table.runs {
                add(name) { table.metric(of: $0.group).reads }
            }
        }
        let profile = experiments.first?.profile ?? ""
        for claim in claims where claim.profiles.isEmpty || claim.profiles.contains(profile) {
            let parts: Set<ResultPart>
            switch claim.kind {
            case .value, .compare, .spread: parts = claim.metric?.reads ?? []
            case .order: parts = [.spectra, .predictions]
            case .robustnessOrder: parts = [.perturbation]
            case .optimisedMapping, .ntkTheory: parts = []   // ntk_theory: what its figure reads
            }
            guard !parts.isEmpty else { continue }
            for name in [claim.run] + (claim.runList ?? []) + [claim.than].compactMap({ $0 }) + (claim.thanList ?? []) {
                add(name) { _ in parts }
            }
        }
        return read
    }

    /// Run key (`RunStore.key(for:)`) -> the parts of its result that some figure, table or
    /// claim of any of `reports` declaring it reads: what `freeze` keeps of that entry.
    public static func resultPartsRead(by reports: [Report]) -> [String: Set<ResultPart>] {
        var byKey: [String: Set<ResultPart>] = [:]
        for report in reports {
            let read = report.resultPartsRead()
            for spec in report.experiments {
                byKey[RunStore.key(for: spec), default: []].formUnion(read[spec.name] ?? [])
            }
        }
        return byKey
    }

    /// The parts of `result` this report reads that `freeze` left out of it (`RunResult.omitted`),
    /// or empty.
    public func missingParts(of result: RunResult, run: String, read: [String: Set<ResultPart>]? = nil) -> [ResultPart] {
        guard var omitted = result.omitted, !omitted.isEmpty else { return [] }
        // The image panels are in the exact parts unless they were frozen as 8-bit levels (and
        // made whole again on reading: `restoringImages`).
        if result.eightBitImages == nil, result.isEmpty(.gradeOutputs), !Set(omitted).isDisjoint(with: ResultPart.holdingImages),
           !omitted.contains(.images) {
            omitted.append(.images)
        }
        let needed = (read ?? resultPartsRead())[run] ?? []
        return omitted.filter(needed.contains).sorted()
    }
}

extension RunResult {
    /// The result with every part not in `kept` emptied (`ResultPart`), the emptied ones (those
    /// that had content) listed in `omitted`; every kept part as it was. Nothing emptied: the
    /// result as it is.
    public func keeping(_ kept: Set<ResultPart>) -> RunResult {
        var kept = kept
        var copy = self
        var omitted = Set(self.omitted ?? [])
        if kept.contains(.images), eightBitImages == nil {
            if kept.isDisjoint(with: ResultPart.holdingImages), let levels = keepingEightBitImages() {
                // Only reconstruction figures read this run: keep the levels they draw.
                copy = levels
                for part in ResultPart.holdingImages where !self.isEmpty(part) { omitted.insert(part) }
            } else {
                kept.formUnion(ResultPart.holdingImages)  // drawn from the exact parts, which something else reads too
            }
        }
        for part in ResultPart.allCases where !kept.contains(part) {
            switch part {
            case .gradeOutputs:
                guard let grades, grades.contains(where: { !$0.output.isEmpty }) else { continue }
                copy.grades = grades.map { g in
                    GradeResult(index: g.index, losses: g.losses, seconds: g.seconds, trainRSE: g.trainRSE, validationRSE: g.validationRSE,
                                testRSE: g.testRSE, output: [], parameterCount: g.parameterCount)
                }
            case .predictions:
                guard snapshots.contains(where: { !$0.prediction.isEmpty }) else { continue }
                copy.snapshots = snapshots.map { Snapshot(step: $0.step, prediction: []) }
            case .grid:
                guard !inputs.isEmpty || !target.isEmpty else { continue }
                copy.inputs = []; copy.target = []
            case .curves:
                guard let curves, !curves.isEmpty else { continue }
                copy.curves = []
            case .spectra:
                guard let spectra, !spectra.isEmpty else { continue }
                copy.spectra = []
            case .plane:
                guard plane != nil else { continue }
                copy.plane = nil
            case .layerNorms:
                guard layerNorms != nil else { continue }
                copy.layerNorms = nil
            case .perturbation:
                guard perturbation != nil else { continue }
                copy.perturbation = nil
            case .lossCurve:
                // Only once the grades' copies of the curve are cut from it (`compactForResults`):
                // a grade's own curve is then read from the kept steps.
                guard grades?.allSatisfy({ $0.losses.isEmpty }) ?? true else { continue }
                let keep = lossCurveEssentials
                guard keep.count < losses.count else { continue }
                let steps = lossStepNumbers
                copy.losses = keep.map { losses[$0] }
                copy.lossSteps = keep.map { steps[$0] }
            case .images:
                guard copy.eightBitImages != nil else { continue }
                copy.eightBitImages = nil
            }
            omitted.insert(part)
        }
        copy.omitted = omitted.isEmpty ? nil : omitted.sorted()
        return copy
    }
}

extension ResultPart {
    /// The parts that hold an image run's panels as trained (`images`).
    public static let holdingImages: Set<ResultPart> = [.grid, .gradeOutputs, .predictions]
}

extension RunResult {
    /// Whether this result has nothing of `part` (one of `ResultPart.holdingImages`).
    func isEmpty(_ part: ResultPart) -> Bool {
        switch part {
        case .gradeOutputs: return !(grades?.contains { !$0.output.isEmpty } ?? false)
        case .predictions: return !snapshots.contains { !$0.prediction.isEmpty }
        case .grid: return inputs.isEmpty && target.isEmpty
        default: return false
        }
    }

    /// The positions in `losses` that a run page, table or claim reads, sorted: the last (the
    /// final loss, and with it the step count), the lowest finite loss (the first of equal ones, as
    /// `lowestLoss` finds it), the first non-finite one, and each grade's first and last step
    /// (its boundaries, and the curve each grade is cut to stays non-empty).
    var lossCurveEssentials: [Int] {
        guard !losses.isEmpty else { return [] }
        let steps = lossStepNumbers
        var kept: Set<Int> = [losses.count - 1]
        if let lowest = losses.indices.filter({ losses[$0].isFinite }).min(by: { losses[$0] < losses[$1] }) { kept.insert(lowest) }
        if let nonFinite = losses.firstIndex(where: { !$0.isFinite }) { kept.insert(nonFinite) }
        let starts = [0] + (gradeBoundaries ?? [])
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] : Int.max
            let inside = steps.indices.filter { steps[$0] >= start && steps[$0] < end }
            if let first = inside.first, let last = inside.last { kept.insert(first); kept.insert(last) }
        }
        return kept.sorted()
    }
}
