import Experiments
import Foundation
@testable import ReportSite
import Learning
import XCTest

/// `grades: true` on an rse table: a row per grade of a multi-grade run, the grade's time (filled
/// on the page from provenance.js, left out of the exports), the training settings, and published
/// values matched by `RUN/grade-N`.
final class GradeTableTests: XCTestCase {
    static let text = """
        ---
        version: 1
        ---

        ```experiment m
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], split: mgdl, points: 16, validation: 4, test: 4}
        model: {grades: [[4], [4]]}
        train: {lr: 1.0e-4, lr_final: 1.0e-5, epochs: 30, batch: 8, loss: half_mse, precision: float64}
        ```

        ```table t
        kind: rse
        run: m
        grades: true
        paper:
          source: "Somewhere, Table 1"
          values:
            m/grade-1: {test: 0.5, seconds: 40}
            m: {test: 0.01}
        ```
        """

    func testGradeRowsTimesSettingsAndPaperValues() throws {
        let (report, problems) = ReportLoader.parse(text: Self.text, id: "g", file: "reports/g.md", profile: "quick")
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        let spec = try XCTUnwrap(r.tables.first)
        XCTAssertTrue(spec.grades)
        func grade(_ i: Int, _ rse: Double, _ seconds: Double) -> GradeResult {
            GradeResult(index: i, losses: [1], seconds: seconds, trainRSE: rse, validationRSE: rse * 2, testRSE: rse * 3,
                        output: [], parameterCount: 10)
        }
        var run = try ReportSiteTests.result(name: "m")
        run.seconds = 50
        run.grades = [grade(0, 0.2, 20), grade(1, 0.001, 30)]
        run.trainRSE = 0.001; run.validationRSE = 0.002; run.testRSE = 0.003
        let table = TableRecipes.table(for: spec, runs: ["m": run], labels: [:], specs: ["m": r.experiments[0]])
        XCTAssertEqual(table.columns, ["train RSE", "validation RSE", "test RSE", "time (s)", "training"])
        XCTAssertEqual(table.rows.map(\.run), ["m/grade-1", "m/grade-2", "m"])
        XCTAssertEqual(table.rows.map(\.label), ["m · grade 1", "m · grade 2", "m"])
        let first = table.rows[0].cells
        XCTAssertEqual(first[2].ours, 0.6000000000000001)
        XCTAssertEqual(first[2].paper, 0.5)
        // Times are not in the table (they depend on the clock): the page fills them from
        // provenance.js, by run name and grade.
        XCTAssertNil(first[3].ours)
        XCTAssertEqual(first[3].timeRuns, ["m"])
        XCTAssertEqual(first[3].timeGrade, 1)
        XCTAssertEqual(first[3].paper, 40)
        XCTAssertEqual(table.rows[2].cells[2].paper, 0.01)
        XCTAssertEqual(table.rows[2].cells[3].timeRuns, ["m"])
        XCTAssertNil(table.rows[2].cells[3].timeGrade)
        XCTAssertTrue(table.hasTimes)
        XCTAssertEqual(first[4].text, "lr 1.00e−4 → 1.00e−5, batch 8, 30 epochs, half_mse, float64")
        let context = TableRecipes.context(for: spec, runs: ["m": run], labels: [:], specs: ["m": r.experiments[0]])
        let cells = try XCTUnwrap((context["rows"] as? [[String: Any]])?.first?["cells"] as? [[String: Any]])
        XCTAssertEqual(cells[3]["isTime"] as? Bool, true)
        XCTAssertEqual(cells[3]["runs"] as? String, "m")
        XCTAssertEqual(cells[3]["grade"] as? String, "1")
        XCTAssertEqual(context["hasTimes"] as? Bool, true)
        // The exports leave the time column out and say where the times are.
        let exported = table.withoutTimes
        XCTAssertEqual(exported.columns, ["train RSE", "validation RSE", "test RSE", "training"])
        XCTAssertTrue(exported.rows.allSatisfy { $0.cells.count == 4 && !$0.cells.contains(where: \.isTime) })
        XCTAssertTrue(TableExport.markdown(exported, spec: spec).contains("provenance.json"))
        XCTAssertTrue(TableExport.latex(exported, spec: spec, report: "g").contains("% Training times depend on the machine"))
        let markdown = TableRecipes.markdown(for: spec, runs: ["m": run], labels: [:], specs: ["m": r.experiments[0]])
        XCTAssertFalse(markdown.contains("time (s)"), markdown)
        XCTAssertFalse(markdown.contains("| 20"), markdown)
        let csv = SiteBuilder.csv(exported)
        XCTAssertFalse(csv.contains("time"), csv)
        XCTAssertTrue(csv.contains("m/grade-1,m · grade 1,test RSE,0.6000000000000001,0.5,"), csv)
        XCTAssertTrue(csv.contains("m,m,training,\"lr 1.00e−4 → 1.00e−5, batch 8, 30 epochs per grade, half_mse, float64\""), csv)
    }
}
