@testable import Experiments
import Foundation
@testable import Plotting
@testable import ReportSite
import XCTest

/// `kind: leaderboard`: methods (sweep labels) ranked on tasks (experiments), mean ± std over
/// repeats, FLOPs from the declaration, times from provenance.js, and the overall ranking.
final class LeaderboardTableTests: XCTestCase {
    static func text(table: String) -> String {
        """
        ---
        version: 1
        ---

        ```experiment low
        method: sgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], split: mgdl, points: 16, validation: 4, test: 4}
        model: {hidden: [4]}
        train: {lr: 1.0e-3, flop_budget: 1.0e6}
        repeat: 2
        sweep:
          zip:
            name: [plain, grades, wide]
            method: [sgdl, mgdl, sgdl]
            model: [{hidden: [4]}, {grades: [[4], [4]]}, {hidden: [8]}]
        ```

        ```experiment high
        method: sgdl
        task: {kind: sum_of_sines, frequencies: [5, 7], split: mgdl, points: 32, validation: 4, test: 4}
        model: {hidden: [4]}
        train: {lr: 1.0e-3, flop_budget: 1.0e6}
        repeat: 2
        sweep:
          zip:
            name: [plain, grades]
            method: [sgdl, mgdl]
            model: [{hidden: [4]}, {grades: [[4], [4]]}]
        ```

        \(table)
        """
    }

    /// Test RSE per run: (task, method) -> the two repeats'.
    static let errors: [String: [Double]] = [
        "low--plain": [0.2, 0.5], "low--grades": [0.1, 0.1], "low--wide": [0.3, 0.3],
        "high--plain": [0.5, 0.7], "high--grades": [0.9, 0.9],
    ]

    func load(_ table: String) throws -> (Report, [String: RunResult]) {
        let (report, problems) = ReportLoader.parse(text: Self.text(table: table), id: "lb", file: "reports/lb.md", profile: "quick")
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        var runs: [String: RunResult] = [:]
        for spec in r.experiments {
            var run = try ReportSiteTests.result(name: spec.name)
            run.testRSE = Self.errors[spec.repeatOf!]![spec.repeatIndex!]
            runs[spec.name] = run
        }
        return (r, runs)
    }

    func page(_ r: Report) -> (labels: [String: String], specs: [String: ExperimentSpec], repeats: [String: String]) {
        (Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0.label) }),
         Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0) }),
         Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0.repeatOf!) }))
    }

    func testRowsPerTaskInRankOrderWithMeanStdFLOPsTimesAndRanks() throws {
        let (r, runs) = try load("""
        ```table board
        kind: leaderboard
        run: [low, high]
        caption: "Two tasks."
        ```
        """)
        let spec = try XCTUnwrap(r.tables.first)
        let p = page(r)
        let table = TableRecipes.table(for: spec, runs: runs, labels: p.labels, repeats: p.repeats, specs: p.specs)
        XCTAssertEqual(table.columns, ["test RSE", "training FLOPs", "time (s)", "rank"])
        XCTAssertEqual(table.rows.map(\.label), ["low · grades", "low · wide", "low · plain", "high · plain", "high · grades"])
        XCTAssertEqual(table.rows.map(\.run), ["low--grades", "low--wide", "low--plain", "high--plain", "high--grades"])
        XCTAssertEqual(table.rows.map { $0.cells[3].ours }, [1, 2, 3, 1, 2])
        // low · plain: mean 0.35, sample sd √0.045, n = 2.
        let plain = table.rows[2].cells[0]
        XCTAssertEqual(plain.ours ?? 0, 0.35, accuracy: 1e-12)
        XCTAssertEqual(plain.spread ?? 0, 0.045.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(plain.count, 2)
        // FLOPs: the declared count of the run (within its budget).
        let flops = try XCTUnwrap(table.rows[0].cells[1].ours)
        XCTAssertEqual(flops, TrainingFLOPs.total(p.specs["low--grades--repeat-1"]!))
        XCTAssertLessThanOrEqual(flops, 1.0e6)
        // Times come from provenance.js (both repeats), and the exports leave them out.
        XCTAssertEqual(table.rows[0].cells[2].timeRuns, ["low--grades--repeat-1", "low--grades--repeat-2"])
        XCTAssertNil(table.rows[0].cells[2].ours)
        let exported = table.withoutTimes
        XCTAssertEqual(exported.columns, ["test RSE", "training FLOPs", "rank"])
        let csv = SiteBuilder.csv(exported)
        XCTAssertTrue(csv.contains("low--plain,low · plain,test RSE,0.35,"), csv)
        XCTAssertTrue(csv.contains("high--grades,high · grades,rank,2.0,,,,1"), csv)
        let markdown = TableExport.markdown(exported, spec: spec)
        XCTAssertTrue(markdown.contains("| low · plain | 3.50e−1 ± 2.12e−1 (n = 2) |"), markdown)
        let context = TableRecipes.context(for: spec, runs: runs, labels: p.labels, repeats: p.repeats, specs: p.specs)
        XCTAssertEqual(context["rowHeader"] as? String, "task · method")
    }

    func testTiesShareTheirPlacesAndFailuresRankLast() {
        XCTAssertEqual(TableRecipes.averageRanks([0.3, 0.1, 0.3, nil, 0.5], higherIsBetter: false), [2.5, 1, 2.5, 5, 4])
        XCTAssertEqual(TableRecipes.averageRanks([20, 30, nil, nil], higherIsBetter: true), [2, 1, 3.5, 3.5])
    }

    func testOverallRankingByMeanRank() throws {
        let (r, runs) = try load("""
        ```table overall
        kind: leaderboard
        run: [low, high]
        overall: true
        ```
        """)
        let spec = try XCTUnwrap(r.tables.first)
        let p = page(r)
        var failing = runs
        failing["high--plain--repeat-2"]?.status = .failed
        let table = TableRecipes.table(for: spec, runs: failing, labels: p.labels, repeats: p.repeats, specs: p.specs)
        XCTAssertEqual(table.columns, ["rank: low", "rank: high", "mean rank", "place"])
        // low: grades 1, wide 2, plain 3; high: plain failed -> grades 1, plain 2; wide absent -> 3.
        // Tied places keep the methods' order (plain before wide).
        XCTAssertEqual(table.rows.map(\.label), ["grades", "plain", "wide"])
        XCTAssertEqual(table.rows.map { $0.cells.map(\.ours) }, [[1, 1, 1, 1], [3, 2, 2.5, 2.5], [2, 3, 2.5, 2.5]])
    }

    func testValidation() {
        var (_, problems) = ReportLoader.parse(text: Self.text(table: """
        ```table board
        kind: leaderboard
        run: [low, high--plain--repeat-1]
        metric: test_psnr
        paper: {source: "x", values: {}}
        ```
        """), id: "lb", file: "reports/lb.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("'high--plain--repeat-1' is one run") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.message.contains("ranks by test_psnr, which 'low' cannot have") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.message.contains("takes no 'paper'") }, "\(problems)")
        (_, problems) = ReportLoader.parse(text: Self.text(table: """
        ```table board
        kind: rse
        run: [low]
        overall: true
        metrics: {lo: test_rse}
        ```
        """), id: "lb", file: "reports/lb.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("'overall' is a key of leaderboard tables") }, "\(problems)")
    }

    /// Repeats recorded at different steps (multi-stage runs whose L-BFGS stops at different
    /// iterations) are drawn as their first copy, said in the panel title, not refused.
    func testSpectralEvolutionOfRepeatsAtDifferentStepsShowsTheFirst() throws {
        var one = try ReportSiteTests.result(name: "m--repeat-1")
        var two = try ReportSiteTests.result(name: "m--repeat-2")
        one.spectra = [.init(step: 0, amplitudes: [0, 0]), .init(step: 4, amplitudes: [1, 1])]
        two.spectra = [.init(step: 0, amplitudes: [0, 0]), .init(step: 6, amplitudes: [1, 1])]
        var same = two
        same.spectra = [.init(step: 0, amplitudes: [0, 0]), .init(step: 4, amplitudes: [0.5, 1])]
        let shifted = try FigureRecipes.spectralEvolution([.init(name: "m", runs: [one, two])], labels: [:])
        XCTAssertEqual(shifted.axesList.first?.title, "run 1 of 2")
        let averaged = try FigureRecipes.spectralEvolution([.init(name: "m", runs: [one, same])], labels: [:])
        XCTAssertEqual(averaged.axesList.first?.title, "mean of 2 runs")
        // `own_steps: true`: runs of one budget train different numbers of steps, each panel its own axis.
        let pair = [FigureRecipes.Series(name: "a", runs: [one]), FigureRecipes.Series(name: "b", runs: [two])]
        XCTAssertTrue(try FigureRecipes.spectralEvolution(pair, labels: [:]).sharedY)
        XCTAssertFalse(try FigureRecipes.spectralEvolution(pair, labels: [:], sharedSteps: false).sharedY)
        let recording = Self.text(table: """
        ```figure heat
        kind: spectral_evolution
        run: low
        own_steps: true
        ```
        """).replacingOccurrences(of: "flop_budget: 1.0e6}", with: "flop_budget: 1.0e6, record_every: 5}")
        let (report, fine) = ReportLoader.parse(text: recording, id: "lb", file: "reports/lb.md", profile: "quick")
        XCTAssertEqual(fine, [])
        XCTAssertEqual(report?.figures.first?.ownSteps, true)
        let (_, problems) = ReportLoader.parse(text: recording.replacingOccurrences(of: "kind: spectral_evolution", with: "kind: loss"),
                                               id: "lb", file: "reports/lb.md", profile: "quick")
        XCTAssertEqual(problems.map(\.message), ["'own_steps' applies to a spectral_evolution figure"])
    }
}
