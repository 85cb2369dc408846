@testable import Experiments
import Learning
import Foundation
import Numerics
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
                                        "record_norms", "keep_predictions", "loss", "grades", "lbfgs", "spectrum_band", "plane", "perturb",
                                        "flop_budget", "weight_clip"])
        // A key outside the schema is refused by the reader with a suggestion.
        let bad = ReportLoaderTests.valid.replacingOccurrences(of: "record_every: 10", with: "record_evry: 10")
        let (_, problems) = ReportLoader.parse(text: bad, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("did you mean 'record_every'") }, "\(problems)")
    }
}

/// The store checks content, not only that entries decode.
final class RunStoreDigestTests: XCTestCase {
    func makeStore() throws -> (RunStore, URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        let store = try RunStore(root: root)
        try store.lock()
        return (store, root)
    }

    func result(loss: Double = 0.25) -> RunResult {
        RunResult(name: "a", status: .ok, message: nil, inputs: [0, 0.5], target: [1, 2], frequencies: [1],
                  targetAmplitudes: [1], losses: [0.5, loss], snapshots: [.init(step: 0, prediction: [0, 0])],
                  seconds: 1, parameterCount: 3, finalRSE: 0.1)
    }

    func testAChangedDigitIsCaughtReportedByKeyAndReplacedByTheNextStore() throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        let key = RunStore.key(for: spec)
        try store.store(result(), for: spec)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("runs/\(key)/digest.json").path))
        XCTAssertEqual(store.problems().count, 0)
        // One digit of a loss changed: the JSON still decodes, but the entry no longer verifies.
        let url = root.appendingPathComponent("runs/\(key)/result.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("0.25"))
        try text.replacingOccurrences(of: "0.25", with: "0.26").write(to: url, atomically: true, encoding: .utf8)
        XCTAssertNil(store.result(for: spec), "a changed result is never read as valid")
        XCTAssertEqual(store.corruptEntries(), [key])
        XCTAssertEqual(store.problems().first?.reason, "result.json does not match its digest")
        // Storing the run again replaces the corrupt entry.
        try store.store(result(), for: spec)
        XCTAssertEqual(store.result(for: spec)?.losses, result().losses)
        XCTAssertEqual(store.problems().count, 0)
        // A flipped bit, a missing digest, a missing file.
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: url)
        XCTAssertEqual(store.corruptEntries(), [key])
        try store.store(result(), for: spec)
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs/\(key)/digest.json"))
        XCTAssertNil(store.result(for: spec))
        XCTAssertTrue(store.problems().first?.reason.contains("digest.json") == true)
        try store.store(result(), for: spec)
        try FileManager.default.removeItem(at: root.appendingPathComponent("runs/\(key)/spec.json"))
        XCTAssertEqual(store.problems().first?.reason, "spec.json is missing")
    }

    func testTheFigureCacheIsVerifiedTheSameWay() throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = ["a.png": Data([1, 2, 3]), "meta.json": Data("{}".utf8)]
        store.cache(kind: "figures", key: "k1", files: files)
        XCTAssertEqual(store.cachedFiles(kind: "figures", key: "k1", names: ["a.png", "meta.json"]), files)
        try Data([1, 2, 4]).write(to: root.appendingPathComponent("figures/k1/a.png"))
        XCTAssertNil(store.cachedFiles(kind: "figures", key: "k1", names: ["a.png", "meta.json"]), "a damaged figure is drawn again")
        XCTAssertEqual(store.problems().map(\.kind), ["figures"])
        XCTAssertEqual(store.problems().map(\.key), ["k1"])
        store.cache(kind: "figures", key: "k1", files: files)
        XCTAssertEqual(store.cachedFiles(kind: "figures", key: "k1", names: ["a.png", "meta.json"]), files)
        XCTAssertEqual(store.problems().count, 0)
    }

    func testMergeReplacesADamagedEntryAndRefusesADamagedSource() throws {
        let (a, rootA) = try makeStore()
        let (b, rootB) = try makeStore()
        defer { try? FileManager.default.removeItem(at: rootA); try? FileManager.default.removeItem(at: rootB) }
        let spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        let key = RunStore.key(for: spec)
        try a.store(result(), for: spec)
        try b.store(result(), for: spec)
        try Data("{}".utf8).write(to: rootB.appendingPathComponent("runs/\(key)/result.json"))
        XCTAssertEqual(try b.merge(from: rootA), 1)
        XCTAssertEqual(b.problems().count, 0)
        try Data("{}".utf8).write(to: rootA.appendingPathComponent("runs/\(key)/result.json"))
        XCTAssertThrowsError(try b.merge(from: rootA))
    }

    func testThreadCountIsPartOfTheKeyAndTheTimeIsOutsideTheDigest() throws {
        let (store, root) = try makeStore()
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: root); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        var spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        spec.task.points = 2 * RunStore.oneThreadBelowPointsPerThread   // steps big enough for 2 threads
        RunStore.computeThreads = 1
        RunStore.acceptAnyThreadCount = false
        let one = RunStore.key(for: spec)
        XCTAssertEqual(one, RunStore.key(for: spec, threads: 1), "one thread: the keys of earlier versions")
        XCTAssertNotEqual(one, RunStore.key(for: spec, threads: 2))
        RunStore.computeThreads = 2
        var timed = result()
        timed.seconds = 12.5
        try store.store(timed, for: spec)
        let key = RunStore.key(for: spec)
        XCTAssertEqual(store.result(for: spec)?.seconds, 12.5, "the time is read back from provenance.json")
        XCTAssertEqual(store.problems().count, 0, "the key is checked with the entry's recorded thread count")
        let bytes = try String(contentsOf: root.appendingPathComponent("runs/\(key)/result.json"), encoding: .utf8)
        XCTAssertTrue(bytes.contains("\"seconds\":0"), "result.json does not depend on the clock")
        // Changing the time changes nothing that is verified.
        try Data("{\"seconds\": 99, \"threads\": 2}".utf8).write(to: root.appendingPathComponent("runs/\(key)/provenance.json"))
        XCTAssertEqual(store.problems().count, 0)
        // Another thread count misses, except for a build that trains nothing (--frozen).
        RunStore.computeThreads = 1
        XCTAssertNil(store.result(for: spec))
        RunStore.acceptAnyThreadCount = true
        XCTAssertEqual(store.result(for: spec)?.losses, timed.losses)
    }

    /// Each grade's wall time is kept out of the verified bytes too, and read back from the entry's
    /// provenance.
    /// A result.json from before `gradeLearningRates` was dropped (each grade's rate is read from
    /// the declaration now) still loads: the old field is ignored, and not written again.
    func testAResultWithTheOldGradeLearningRatesStillLoads() throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        var old = try XCTUnwrap(JSONSerialization.jsonObject(with: RunStore.encoder().encode(result())) as? [String: Any])
        old["gradeLearningRates"] = [0.01, 0.005]
        let key = RunStore.key(for: spec)
        try store.install(["spec.json": RunStore.encoder().encode(spec),
                           "result.json": JSONSerialization.data(withJSONObject: old, options: [.sortedKeys]),
                           "compute.json": RunStore.encoder().encode(["threads": RunStore.threads(for: spec)])],
                          at: root.appendingPathComponent("runs/\(key)"), name: key)
        let loaded = try XCTUnwrap(store.result(for: spec), "an entry with the old field loads")
        XCTAssertEqual(loaded.losses, result().losses)
        XCTAssertEqual(loaded.finalRSE, result().finalRSE)
        XCTAssertFalse(String(decoding: try RunStore.encoder().encode(loaded), as: UTF8.self).contains("gradeLearningRates"))
    }

    func testGradeTimesLiveInTheProvenance() throws {
        let (store, root) = try makeStore()
        defer { try? FileManager.default.removeItem(at: root) }
        let spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        var graded = result()
        graded.grades = [GradeResult(index: 0, losses: [1], seconds: 3.25, trainRSE: 0.5, validationRSE: nil, testRSE: nil, output: [0, 0], parameterCount: 4),
                         GradeResult(index: 1, losses: [0.5], seconds: 4.5, trainRSE: 0.25, validationRSE: nil, testRSE: nil, output: [0, 0], parameterCount: 4)]
        try store.store(graded, for: spec)
        let folder = root.appendingPathComponent("runs/\(RunStore.key(for: spec))")
        let bytes = try String(contentsOf: folder.appendingPathComponent("result.json"), encoding: .utf8)
        XCTAssertFalse(bytes.contains("3.25") || bytes.contains("4.5"), "result.json carries no grade time")
        XCTAssertEqual(store.result(for: spec)?.grades?.map(\.seconds), [3.25, 4.5])
        XCTAssertEqual(graded.timeless.grades?.map(\.seconds), [0, 0])
    }

    /// A run whose steps are too small for the engine's threads computes on one: its key and
    /// recorded thread count are those of one thread, whatever `-j` leaves each run.
    func testSmallStepsComputeOnOneThread() throws {
        let (store, root) = try makeStore()
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: root); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        var spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        RunStore.acceptAnyThreadCount = false
        RunStore.computeThreads = 2
        spec.task.points = 200
        spec.train.batch = nil
        XCTAssertEqual(spec.pointsPerStep, 200)
        XCTAssertEqual(RunStore.threads(for: spec), 1, "200 points per step: one thread")
        XCTAssertEqual(RunStore.key(for: spec), RunStore.key(for: spec, threads: 1))
        try store.store(result(), for: spec)
        XCTAssertEqual(RunStore.threads(try? Data(contentsOf: root.appendingPathComponent("runs/\(RunStore.key(for: spec))/compute.json"))), 1)
        XCTAssertEqual(store.problems().count, 0, "the entry verifies with the thread count it records")
        RunStore.computeThreads = 1
        XCTAssertNotNil(store.result(for: spec), "the same run as a one-thread build's")
        RunStore.computeThreads = 2
        spec.task.points = 6000
        XCTAssertEqual(RunStore.threads(for: spec), 2, "6000 points per step: every thread")
        spec.train.batch = 100
        XCTAssertEqual(RunStore.threads(for: spec), 1, "minibatches of 100: one thread")
    }

    /// Runs trained side by side on one thread each (as the build trains small runs) give the
    /// bits each gives alone.
    func testSideBySideRunsKeepTheirBits() throws {
        var spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        let saved = BLASThreads.current
        defer { BLASThreads.set(saved) }
        BLASThreads.set(1)
        let specs: [ExperimentSpec] = (0..<3).map { i in spec.seed = UInt64(i); return spec }
        let alone = specs.map { Runner.run($0).losses }
        let lock = NSLock()
        var together = [[Double]](repeating: [], count: specs.count)
        DispatchQueue.concurrentPerform(iterations: specs.count) { i in
            let losses = Runner.run(specs[i]).losses
            lock.lock(); together[i] = losses; lock.unlock()
        }
        XCTAssertEqual(together, alone)
        XCTAssertNotEqual(alone[0], alone[1], "the copies differ")
    }

    func testEntriesFromBeforeDigestsAreAdoptedOnlyWhenAsked() throws {
        let (store, root) = try makeStore()
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: root); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        RunStore.computeThreads = 1
        RunStore.acceptAnyThreadCount = false
        let spec = try XCTUnwrap(ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md", profile: "quick").0?.experiments.first)
        // An entry as the version before digests wrote it: spec.json and result.json (with its time).
        let key = RunStore.key(for: spec)
        let entry = root.appendingPathComponent("runs/\(key)")
        try FileManager.default.createDirectory(at: entry, withIntermediateDirectories: true)
        var old = result()
        old.seconds = 3.5
        try RunStore.encoder().encode(spec).write(to: entry.appendingPathComponent("spec.json"))
        try RunStore.encoder().encode(old).write(to: entry.appendingPathComponent("result.json"))
        // One whose declaration no longer hashes to its key is not adopted.
        let other = root.appendingPathComponent("runs/" + String(repeating: "0", count: 64))
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try RunStore.encoder().encode(spec).write(to: other.appendingPathComponent("spec.json"))
        try RunStore.encoder().encode(old).write(to: other.appendingPathComponent("result.json"))
        XCTAssertNil(store.result(for: spec), "not read without a digest")
        XCTAssertEqual(store.problems().count, 2)
        XCTAssertEqual(store.adoptUndigested(), 1)
        XCTAssertEqual(store.result(for: spec)?.seconds, 3.5)
        XCTAssertEqual(store.result(for: spec)?.losses, old.losses)
        XCTAssertEqual(store.problems().map(\.key), [String(repeating: "0", count: 64)])
    }
}
