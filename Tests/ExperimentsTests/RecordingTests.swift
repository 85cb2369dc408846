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

    func methodSpec(_ body: String) throws -> ExperimentSpec {
        let text = "---\ntitle: \"m\"\n---\n\n```experiment m\n\(body)\n```\n"
        let (report, problems) = ReportLoader.parse(text: text, id: "m", file: "m.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    static let task = "task: {kind: sum_of_sines, frequencies: [1, 2, 4], phases: {seed: 3}, points: 32}"

    /// Every method records the whole model when `record_every` is written: the spectrum at each
    /// recorded step (epochs counted across grades, grade boundaries recorded once), whole
    /// predictions at the kept steps, and the last record is the final model.
    func testEveryMethodRecordsSnapshots() throws {
        let models = [
            ("sgdl", "model: {hidden: [8, 8]}", 1),
            ("mgdl", "model: {grades: [[8], [8], [8]]}", 3),
            ("mscale", "model: {hidden: [8], scales: [1, 2]}", 1),
            ("multistage", "model: {hidden: [8], stages: 2}", 2),
            ("sgdl", "model: {hidden: [8]}\nfeatures: {kind: positional, scale: 4, count: 3}", 1),
        ]
        for (method, model, networks) in models {
            let spec = try methodSpec("method: \(method)\n\(Self.task)\n\(model)\ntrain: {lr: 1.0e-2, epochs: 20, record_every: 5, keep_predictions: [10, 30]}")
            XCTAssertEqual(spec.train.recordSnapshots, true)
            let run = Runner.run(spec)
            XCTAssertEqual(run.status, .ok, "\(method): \(run.message ?? "")")
            let expected = Array(stride(from: 0, through: 20 * networks, by: 5))
            XCTAssertEqual(run.spectra?.map(\.step), expected, "\(method) \(model)")
            XCTAssertEqual(run.snapshots.map(\.step), [10, 30].filter { $0 < 20 * networks } + [20 * networks],
                           "\(method): kept predictions and the final one")
            // The last record is the final model: its spectrum matches the final prediction's.
            let final = Spectra.amplitudeSpectrum(run.snapshots.last!.prediction)
            for (a, k) in zip(run.spectra!.last!.amplitudes, [1, 2, 4]) { XCTAssertEqual(a, final[k], accuracy: 1e-5, method) }
            XCTAssertNotNil(SpectralEvolution(run), method)
        }
        // Without record_every, nothing is recorded and the run key is the one of older versions.
        let plain = try methodSpec("method: mgdl\n\(Self.task)\nmodel: {grades: [[8]]}\ntrain: {lr: 1.0e-2, epochs: 5}")
        XCTAssertNil(plain.train.recordSnapshots)
        let declaration = String(decoding: RunStore.canonicalDeclaration(plain), as: UTF8.self)
        XCTAssertFalse(declaration.contains("recordSnapshots") || declaration.contains("keepPredictions") || declaration.contains("recordNorms")
                       || declaration.contains("repeat"),
                       "no new keys in a declaration that does not use them")
        XCTAssertNil(Runner.run(plain).spectra)
    }

    /// Learning curves for every method: loss and RSE on the training, validation and test sets
    /// at the recorded steps; the last point is the final model's.
    func testCurvesOnEverySet() throws {
        let spec = try methodSpec("""
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 48}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 30, record_every: 10}
        """)
        let run = Runner.run(spec)
        XCTAssertEqual(run.status, .ok, run.message ?? "")
        let curves = try XCTUnwrap(run.curves)
        XCTAssertEqual(curves.map(\.step), [0, 10, 20, 30, 40, 50, 60])
        let last = try XCTUnwrap(curves.last)
        XCTAssertEqual(last.testMetric!, run.testRSE!, accuracy: 1e-4 * run.testRSE!)
        XCTAssertEqual(last.validationMetric!, run.validationRSE!, accuracy: 1e-4 * run.validationRSE!)
        XCTAssertEqual(last.trainMetric!, run.trainRSE!, accuracy: 1e-4 * run.trainRSE!)
        XCTAssertLessThan(last.trainLoss!, curves[0].trainLoss!, "training lowers the loss")
        // An mlp's curves come from its recorded predictions.
        let mlp = Runner.run(try self.spec(""))
        XCTAssertNil(mlp.curves)
        XCTAssertEqual(mlp.curvePoints.map(\.step), [0, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(mlp.curvePoints.last!.trainMetric!, mlp.finalRSE!, accuracy: 1e-12)
    }
}
