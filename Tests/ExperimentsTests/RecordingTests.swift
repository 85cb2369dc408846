@testable import Experiments
import Tasks
import XCTest

/// Compact recording (`keep_predictions`) and layer norms (`record_norms`) of an mlp run.
final class RecordingTests: XCTestCase {
    func spec(_ train: String) throws -> ExperimentSpec {
        let text = """
        ---
        title: "r"
        ---

        ```experiment r
        task:
          kind: sum_of_sines
          frequencies: [1, 3, 5]
          phases: {seed: 1}
          points: 32
        model:
          widths: [1, 16, 16, 1]
        train:
          lr: 3.0e-3
          steps: 60
          record_every: 10
        \(train)
        ```
        """
        let (report, problems) = ReportLoader.parse(text: text, id: "r", file: "r.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    func testCompactRecordingKeepsSpectraAndAskedPredictions() throws {
        let full = Runner.run(try spec(""))
        let compactSpec = try spec("  keep_predictions: [20, 0]\n  record_norms: true")
        XCTAssertEqual(compactSpec.train.keepPredictions, [0, 20])
        XCTAssertNotEqual(RunStore.key(for: compactSpec), RunStore.key(for: try spec("")))
        let compact = Runner.run(compactSpec)
        XCTAssertEqual(full.status, .ok); XCTAssertEqual(compact.status, .ok)
        XCTAssertNil(full.spectra)
        XCTAssertEqual(full.snapshots.map(\.step), [0, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(compact.snapshots.map(\.step), [0, 20, 60], "asked steps and the last")
        XCTAssertEqual(compact.spectra?.map(\.step), [0, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(compact.losses, full.losses, "recording does not change training")
        let a = try XCTUnwrap(SpectralEvolution(full)), b = try XCTUnwrap(SpectralEvolution(compact))
        XCTAssertEqual(a.steps, b.steps)
        for (x, y) in zip(a.rows.joined(), b.rows.joined()) { XCTAssertEqual(x, y, accuracy: 1e-9) }
        XCTAssertEqual(compact.finalRSE!, full.finalRSE!, accuracy: 1e-12)
        let norms = try XCTUnwrap(compact.layerNorms)
        XCTAssertEqual(norms.map(\.step), [0, 10, 20, 30, 40, 50, 60])
        XCTAssertTrue(norms.allSatisfy { $0.norms.count == 3 && $0.norms.allSatisfy { $0 > 0 } })
        XCTAssertNotEqual(norms.first!.norms, norms.last!.norms, "training moves the weights")
    }

    func testKeepPredictionsMustBeRecordedSteps() {
        let text = """
        ---
        title: "r"
        ---

        ```experiment r
        task: {kind: sum_of_sines, frequencies: [1], points: 8}
        model: {widths: [1, 4, 1]}
        train: {lr: 1.0e-3, steps: 10, record_every: 5, keep_predictions: [7], record_norms: maybe}
        ```
        """
        let (_, problems) = ReportLoader.parse(text: text, id: "r", file: "r.md", profile: "")
        XCTAssertTrue(problems.contains { $0.keyPath == "r.train.keep_predictions" && $0.message.contains("step 7") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.keyPath == "r.train.record_norms" }, "\(problems)")
    }
}
