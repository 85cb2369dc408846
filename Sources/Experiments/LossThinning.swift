import Foundation
import Learning

/// Thinning of the training-loss curve for the committed results store (`freeze`).
///
/// A run records its training loss at every optimizer step (60,000 numbers for a paper-profile
/// multi-stage run, stored twice: the run's curve and each grade's part of it), where a figure
/// shows at most a few thousand. `freeze` keeps, of a curve longer than `wholeUpTo` steps, only the steps that
/// a figure or a table can show, each with its loss exactly as trained (no value is rounded or
/// averaged):
/// - of each of the `figureBuckets` equal step buckets the loss figures draw (`envelope` in
///   ReportSite), the step with the lowest and the step with the highest loss (the first of
///   equals), so a figure of one run is drawn from the thinned curve exactly as from the whole one;
/// - the first step of every other bucket, `uniformPoints` in all (an even grid that every run of
///   the same length shares, where the mean of repeated runs is drawn);
/// - per grade (stage), `logPoints` steps log-spaced from its first step, so the early training
///   of each grade is kept as densely as a log step axis would show it, and its first and last step;
/// - the last step (the final loss of tables and claims), the step of the lowest finite loss (the
///   run page's "lowest training loss") and the first non-finite loss, if any.
/// At most about 4 · `figureBuckets` + (`logPoints` + 2) per grade points remain, whatever the run's
/// length. `RunResult.lossSteps` lists the kept steps; the step count, each grade's step count and
/// every number a table shows are unchanged. A figure of repeated runs (their mean, a min–max
/// band) is drawn at the steps all of them kept: it differs from the one of whole curves only by
/// that thinning.
public enum LossThinning {
    /// Curves of at most this many steps are kept whole (thinning them would save little).
    public static let wholeUpTo = 8192
    /// The step buckets of the loss figures (their min and max are drawn): kept exactly.
    public static let figureBuckets = 2000
    /// Points of the even grid shared by every run of one length.
    public static let uniformPoints = 1000
    /// Log-spaced steps kept per grade (stage), from its first step.
    public static let logPoints = 500

    /// The steps [lo, hi) of bucket `b` of `buckets` equal buckets over `length` steps (as the
    /// figures bucket them).
    public static func bucket(_ b: Int, of buckets: Int, length: Int) -> Range<Int> {
        let size = Double(length) / Double(buckets)
        let lo = Int(Double(b) * size), hi = min(length, Int(Double(b + 1) * size))
        return lo..<max(lo, hi)
    }

    /// The steps to keep of `losses` (ascending), whose grades start at `segmentStarts` (after
    /// the first, which starts at 0); every step when the curve has at most `wholeUpTo`.
    public static func keptSteps(_ losses: [Double], segmentStarts: [Int] = []) -> [Int] {
        let n = losses.count
        guard n > wholeUpTo else { return Array(0..<n) }
        var kept = Set<Int>()
        for b in 0..<figureBuckets {
            let range = bucket(b, of: figureBuckets, length: n)
            guard !range.isEmpty else { continue }
            var iMin = range.lowerBound, iMax = range.lowerBound
            for i in range {
                if losses[i] < losses[iMin] { iMin = i }
                if losses[i] > losses[iMax] { iMax = i }
            }
            kept.insert(iMin); kept.insert(iMax)
        }
        for b in 0..<uniformPoints { kept.insert(bucket(b, of: uniformPoints, length: n).lowerBound) }
        let starts = [0] + segmentStarts.filter { $0 > 0 && $0 < n }.sorted()
        for (k, start) in starts.enumerated() {
            let end = k + 1 < starts.count ? starts[k + 1] : n
            guard end > start else { continue }
            kept.insert(start); kept.insert(end - 1)
            let span = Double(end - start)
            for j in 0..<logPoints {
                let offset = Int(exp(log(span) * Double(j) / Double(logPoints - 1)).rounded(.down)) - 1
                kept.insert(start + min(max(offset, 0), end - start - 1))
            }
        }
        kept.insert(n - 1)
        if let lowest = losses.indices.filter({ losses[$0].isFinite }).min(by: { losses[$0] < losses[$1] }) { kept.insert(lowest) }
        if let nonFinite = losses.firstIndex(where: { !$0.isFinite }) { kept.insert(nonFinite) }
        return kept.sorted()
    }
}

extension RunResult {
    /// The optimizer step of each entry of `losses` (0-based): `lossSteps`, or every step.
    public var lossStepNumbers: [Int] { lossSteps ?? Array(losses.indices) }

    /// Optimizer steps the run took (`losses.count`, or the thinned curve's last step + 1).
    public var stepCount: Int { lossSteps?.last.map { $0 + 1 } ?? losses.count }

    /// Each grade's (stage's) optimizer steps, from the grade boundaries (nil without grades).
    public var gradeStepCounts: [Int]? {
        guard let grades else { return nil }
        guard lossSteps != nil, let boundaries = gradeBoundaries, boundaries.count == grades.count - 1 else {
            return grades.map(\.losses.count)
        }
        let edges = [0] + boundaries + [stepCount]
        return (0..<grades.count).map { edges[$0 + 1] - edges[$0] }
    }

    /// The lowest finite training loss and its step (0-based), or nil.
    public var lowestLoss: (step: Int, loss: Double)? {
        let steps = lossStepNumbers
        return losses.indices.filter { losses[$0].isFinite }.min { losses[$0] < losses[$1] }.map { (steps[$0], losses[$0]) }
    }

    /// The result as the committed results store keeps it: the training loss thinned to the steps
    /// a figure or table can show when it has more than `LossThinning.wholeUpTo` steps
    /// (`LossThinning`), and the grades' own loss curves, which are the run's curve cut at the
    /// grade boundaries, left empty (`withGradeLosses` cuts them again on reading).
    public var compactForResults: RunResult {
        var copy = self
        if lossSteps == nil, losses.count > LossThinning.wholeUpTo {
            let kept = LossThinning.keptSteps(losses, segmentStarts: gradeBoundaries ?? [])
            copy.losses = kept.map { losses[$0] }
            copy.lossSteps = kept
        }
        if let grades, !losses.isEmpty, (gradeBoundaries ?? []).count == grades.count - 1,
           !grades.allSatisfy({ $0.losses.isEmpty }), grades.flatMap(\.losses) == losses {
            copy.grades = grades.map { grade in
                GradeResult(index: grade.index, losses: [], seconds: grade.seconds, trainRSE: grade.trainRSE, validationRSE: grade.validationRSE,
                            testRSE: grade.testRSE, output: grade.output, parameterCount: grade.parameterCount)
            }
        }
        return copy
    }

    /// A result whose grades' curves were left empty (`compactForResults`: then the run's curve is
    /// not empty, which no trained result has), with each grade's curve cut from the run's again;
    /// any other result as it is.
    public var withGradeLosses: RunResult {
        guard !losses.isEmpty, let grades, let boundaries = gradeBoundaries, boundaries.count == grades.count - 1,
              grades.allSatisfy({ $0.losses.isEmpty }) else { return self }
        let steps = lossStepNumbers
        let edges = [0] + boundaries + [Int.max]
        var copy = self
        copy.grades = grades.enumerated().map { k, grade in
            let inside = steps.indices.filter { steps[$0] >= edges[k] && steps[$0] < edges[k + 1] }
            return GradeResult(index: grade.index, losses: inside.map { losses[$0] }, seconds: grade.seconds, trainRSE: grade.trainRSE,
                               validationRSE: grade.validationRSE, testRSE: grade.testRSE, output: grade.output,
                               parameterCount: grade.parameterCount)
        }
        return copy
    }
}
