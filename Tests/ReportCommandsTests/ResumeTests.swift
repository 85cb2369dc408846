import Foundation
import XCTest

/// A build killed while a run trains continues that run from its checkpoint, and stores and
/// publishes the bytes an uninterrupted build does.
final class ResumeTests: XCTestCase, BuiltBinaryTesting {
    static let report = """
    ---
    version: 1
    title: "Resume"
    ---

    A run long enough to be killed while it trains.

    \(longRun)
    """

    /// A run long enough to be killed while it trains (8000 steps), and its loss figure.
    static let longRun = """
    ```experiment long
    task:
      kind: sum_of_sines
      frequencies: [1, 3]
      points: 32
    model:
      widths: [1, 16, 16, 1]
    train:
      lr: 3.0e-3
      steps: 8000
      record_every: 1000
    ```

    ```figure loss
    kind: loss
    run: long
    caption: "Loss."
    ```
    """

    func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try Self.report.write(to: dir.appendingPathComponent("reports/resume.md"), atomically: true, encoding: .utf8)
        return dir
    }

    var arguments: [String] { ["build", "--templates", templates, "-j", "1", "--json", "--checkpoint-every", "0.05"] }

    /// The one stored entry's files, by name ("key": its key).
    func entry(_ dir: URL) throws -> [String: Data] {
        let runs = dir.appendingPathComponent(".mgdl-store/runs")
        let keys = try FileManager.default.contentsOfDirectory(atPath: runs.path)
        XCTAssertEqual(keys.count, 1)
        let folder = runs.appendingPathComponent(keys[0])
        var files: [String: Data] = ["key": Data(keys[0].utf8)]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    func testKilledBuildResumesTheRunBitIdentically() throws {
        let reference = try workspace(), killed = try workspace()
        defer { for dir in [reference, killed] { try? FileManager.default.removeItem(at: dir) } }
        let uninterrupted = try run(arguments, in: reference)
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)
        XCTAssertTrue(uninterrupted.stderr.contains("\"step\":1,"), "a run from scratch reports its first step")

        // Start the build, wait for the run's first checkpoint, kill -9.
        let process = try launch(arguments, in: killed)
        let checkpoints = killed.appendingPathComponent(".mgdl-store/tmp/checkpoints")
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).filter({ $0.hasSuffix(".json") }).isEmpty
                && Date() < deadline && process.isRunning {
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the build was killed before it finished")
        let left = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(left.count, 1, "the killed run left its checkpoint")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: killed.appendingPathComponent(".mgdl-store/runs").path)) ?? [], [],
                       "the killed run is not stored")

        // Build again: the run continues from its checkpoint (it never reports step 1) and gives the same bytes.
        let resumed = try run(arguments, in: killed)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertFalse(resumed.stderr.contains("\"step\":1,"), "the run continued from its checkpoint")
        let a = try entry(reference), b = try entry(killed)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        XCTAssertFalse(b.keys.contains { $0.contains("checkpoint") }, "no checkpoint in the store entry")
        // spec.json (and so digest.json) holds the report's folder, which differs between the two workspaces.
        for name in ["key", "result.json", "compute.json"] {
            XCTAssertEqual(a[name], b[name], "\(name) differs after the resumed build")
        }
        for page in ["resume/runs/long.json", "resume/figures/loss.csv", "resume/index.html"] {
            XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent("site/\(page)")),
                           try Data(contentsOf: killed.appendingPathComponent("site/\(page)")), page)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path), [], "the checkpoint is removed once the run is stored")
    }
}
