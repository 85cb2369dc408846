@testable import Experiments
import Foundation
import XCTest

final class RunStoreTests: XCTestCase {
    func spec(lr: Double = 1e-3, name: String = "a", profile: String = "") -> ExperimentSpec {
        let (report, problems) = ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertEqual(problems, [])
        var spec = report!.experiments[0]
        spec.train.learningRate = lr
        spec.name = name
        spec.profile = profile
        return spec
    }

    func testKeyIgnoresNameAndProfileButNotValues() {
        XCTAssertEqual(RunStore.key(for: spec(name: "a")), RunStore.key(for: spec(name: "b", profile: "quick")))
        XCTAssertNotEqual(RunStore.key(for: spec(lr: 1e-3)), RunStore.key(for: spec(lr: 3e-4)))
        XCTAssertEqual(RunStore.key(for: spec()).count, 64)
    }

    func testStoreRoundTripAndMissReason() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try RunStore(root: root)
        try store.lock()
        let s = spec()
        XCTAssertNil(store.result(for: s))
        XCTAssertEqual(store.missReason(for: s, report: "tiny"), "never run")
        let result = RunResult(name: "a", status: .ok, message: nil, inputs: [0, 0.5], target: [1, 2], frequencies: [1],
                               targetAmplitudes: [1], losses: [0.5, 0.25], snapshots: [.init(step: 0, prediction: [0, 0])],
                               seconds: 1, parameterCount: 3, finalRSE: 0.1)
        try store.store(result, for: s)
        store.remember(s, report: "tiny")
        XCTAssertEqual(store.result(for: s), result)
        XCTAssertEqual(store.corruptEntries(), [])
        let changed = spec(lr: 3e-4)
        XCTAssertEqual(store.missReason(for: changed, report: "tiny"), "train.lr changed 0.001 -> 0.0003")
        // A second lock on the same store fails at once with a clear message.
        let other = try RunStore(root: root)
        XCTAssertThrowsError(try other.lock()) { XCTAssertTrue("\($0)".contains("another mgdl-report build")) }
        // A corrupted entry is reported by verify and not read as valid.
        let entry = root.appendingPathComponent("runs/\(RunStore.key(for: s))/result.json")
        try Data("{\"trunc".utf8).write(to: entry)
        XCTAssertNil(store.result(for: s))
        XCTAssertEqual(store.corruptEntries(), [RunStore.key(for: s)])
    }
}

final class SpecSchemaTests: XCTestCase {
    /// docs/report-schema.json is the generated schema: regenerate it with
    /// `mgdl-report schema > docs/report-schema.json` when the format changes.
    func testDocumentedSchemaIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let documented = try String(contentsOf: root.appendingPathComponent("docs/report-schema.json"), encoding: .utf8)
        XCTAssertEqual(documented, SpecSchema.jsonSchema(), "docs/report-schema.json is out of date: run mgdl-report schema > docs/report-schema.json")
    }

    func testEveryReaderKeyIsInTheSchema() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(SpecSchema.jsonSchema().utf8)) as! [String: Any]
        let defs = schema["$defs"] as! [String: Any]
        let train = (defs["experiment.train"] as! [String: Any])["properties"] as! [String: Any]
        XCTAssertEqual(Set(train.keys), ["optimizer", "lr", "lr_final", "steps", "epochs", "batch", "record_every", "precision",
                                        "record_norms", "keep_predictions"])
        // A key outside the schema is refused by the reader with a suggestion.
        let bad = ReportLoaderTests.valid.replacingOccurrences(of: "record_every: 10", with: "record_evry: 10")
        let (_, problems) = ReportLoader.parse(text: bad, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("did you mean 'record_every'") }, "\(problems)")
    }
}
