@testable import Experiments
import Foundation
import Learning
@testable import ReportSite
import XCTest

/// The committed results store keeps long loss curves thinned (`LossThinning`): small, same keys,
/// same tables, the same figure of one run; repeats drawn at the steps all of them kept.
final class CommittedResultsTests: XCTestCase {
    static let text = """
        ---
        version: 1
        title: "Long"
        ---

        ```experiment g
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 32}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 20, record_every: 5}
        ```

        ```table per-grade
        kind: rse
        grades: true
        run: g
        ```

        ```figure loss
        kind: loss
        run: g
        ```

        ```figure curves
        kind: curves
        metric: loss
        run: g
        ```
        """

    /// A noisy decreasing loss over `steps` steps, deterministic.
    static func curve(_ steps: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<steps).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53)
            return exp(-Double(i) / 4000) * (0.5 + noise) + 1e-6
        }
    }

    /// `run` as if its two grades had trained 30,000 steps each.
    static func long(_ run: RunResult, seed: UInt64 = 7) -> RunResult {
        var copy = run
        let grades = run.grades!
        let curves = [curve(30_000, seed: seed), curve(30_000, seed: seed + 1)]
        copy.grades = zip(grades, curves).map { g, losses in
            GradeResult(index: g.index, losses: losses, seconds: g.seconds, trainRSE: g.trainRSE, validationRSE: g.validationRSE,
                        testRSE: g.testRSE, output: g.output, parameterCount: g.parameterCount)
        }
        copy.losses = curves[0] + curves[1]
        copy.gradeBoundaries = [30_000]
        return copy
    }

    func testThinningKeepsWhatFiguresAndTablesShow() throws {
        let losses = Self.curve(50_000, seed: 3) + [Double.nan] + Self.curve(9_999, seed: 4)
        let kept = LossThinning.keptSteps(losses, segmentStarts: [50_000])
        XCTAssertLessThan(kept.count, 4 * LossThinning.figureBuckets + 2 * (LossThinning.logPoints + 2) + 10)
        XCTAssertEqual(kept, kept.sorted())
        XCTAssertEqual(Set(kept).count, kept.count)
        for step in [0, 1, 2, 49_999, 50_000, 50_001, 59_999, 50_000] { XCTAssertTrue(kept.contains(step), "step \(step)") }
        let lowest = losses.indices.filter { losses[$0].isFinite }.min { losses[$0] < losses[$1] }!
        XCTAssertTrue(kept.contains(lowest))
        // The figure's envelope of the thinned curve is the envelope of the whole one.
        let whole = FigureRecipes.envelope(losses, buckets: LossThinning.figureBuckets)
        let thinned = FigureRecipes.envelope(kept.map { losses[$0] }, steps: kept, length: losses.count, buckets: LossThinning.figureBuckets)
        XCTAssertEqual(whole.0, thinned.0)
        XCTAssertEqual(whole.1.map { $0.bitPattern }, thinned.1.map { $0.bitPattern })
        // Short curves are kept whole.
        XCTAssertEqual(LossThinning.keptSteps(Array(Self.curve(LossThinning.wholeUpTo, seed: 1))), Array(0..<LossThinning.wholeUpTo))
    }

    func testFrozenLongRunIsSmallKeepsItsKeyAndBuildsTheSameTablesAndFigure() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("committed-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try Self.text.write(to: reports.appendingPathComponent("long.md"), atomically: true, encoding: .utf8)
        let report = try ReportSiteTests.report(Self.text, id: "long")
        let spec = report.experiments[0]
        let run = Self.long(Runner.run(spec))
        // The run store holds the run as today's binary writes it: every step, twice (run and grades).
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        try store.store(run, for: spec)
        let key = RunStore.key(for: spec)
        let storedBytes = try Data(contentsOf: dir.appendingPathComponent("store/runs/\(key)/result.json")).count
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        try store.freeze(spec, into: results)
        let frozenBytes = try Data(contentsOf: dir.appendingPathComponent("results/runs/\(key)/result.json")).count
        XCTAssertGreaterThan(storedBytes, 2_000_000)
        XCTAssertLessThan(frozenBytes, 250_000, "thinned: \(frozenBytes) bytes (whole: \(storedBytes))")
        XCTAssertEqual(results.problems().count, 0, "the frozen entry verifies")
        let restored = try XCTUnwrap(results.result(for: spec))
        XCTAssertEqual(restored.stepCount, 60_000)
        XCTAssertEqual(restored.gradeStepCounts, [30_000, 30_000])
        XCTAssertEqual(restored.losses.last, run.losses.last)
        XCTAssertEqual(restored.lowestLoss?.step, run.lowestLoss?.step)
        XCTAssertEqual(restored.grades?.map(\.trainRSE), run.grades?.map(\.trainRSE))
        XCTAssertEqual(restored.grades?[1].losses.last, run.losses.last, "each grade's curve is cut from the run's again")
        // Freezing again changes nothing.
        try store.freeze(spec, into: results)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("results/runs/\(key)/result.json")).count, frozenBytes)

        // The site from the run store and the site from the results store alone: the same pages,
        // tables and figures; only the run's downloadable JSON is thinned.
        func site(_ name: String, store: URL, results: URL?) throws -> URL {
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates, outputDirectory: out,
                                      profile: "quick", storeDirectory: store, frozen: true)
            builder.resultsDirectory = results
            let summary = try builder.build()
            XCTAssertTrue(summary.succeeded, "\(summary.failedRuns) \(summary.failedFigures)")
            return out.appendingPathComponent("long")
        }
        let whole = try site("whole", store: dir.appendingPathComponent("store"), results: nil)
        let thinned = try site("thinned", store: dir.appendingPathComponent("empty"), results: dir.appendingPathComponent("results"))
        let files = try XCTUnwrap(fm.subpathsOfDirectory(atPath: whole.path)).filter { !$0.hasSuffix("/") }.sorted()
        XCTAssertTrue(files.contains("tables/per-grade.md") && files.contains("figures/loss.csv") && files.contains("figures/curves.png"), "\(files)")
        for file in files where !file.hasPrefix("runs/g.json") {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: whole.appendingPathComponent(file).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            XCTAssertEqual(try Data(contentsOf: whole.appendingPathComponent(file)), try Data(contentsOf: thinned.appendingPathComponent(file)), file)
        }
        let page = try String(contentsOf: thinned.appendingPathComponent("runs/g.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("60000"), "the step count")
    }

    func testRepeatsAreDrawnAtTheStepsAllOfThemKept() throws {
        let report = try ReportSiteTests.report(Self.text, id: "long")
        let base = Runner.run(report.experiments[0])
        var a = Self.long(base, seed: 1).compactForResults.withGradeLosses, b = Self.long(base, seed: 5).compactForResults.withGradeLosses
        a.name = "a"; b.name = "b"
        XCTAssertNotEqual(a.lossSteps, b.lossSteps, "each run keeps its own bucket extremes")
        let (steps, columns, length) = FigureRecipes.alignedLosses([a, b])
        XCTAssertEqual(length, 60_000)
        XCTAssertGreaterThanOrEqual(steps.count, LossThinning.uniformPoints)
        XCTAssertEqual(steps.last, 59_999)
        XCTAssertEqual(columns.count, steps.count)
        let mean = FigureRecipes.loss([FigureRecipes.Series(name: "g", runs: [a, b])], labels: [:])
        XCTAssertTrue(mean.csv().contains("59999"), "drawn to the last step")
    }
}
