@testable import Experiments
import Foundation
@testable import Learning
import XCTest

/// Resumable runs: a run interrupted after a checkpoint and run again continues from it and
/// stores the same bytes as a run that was never interrupted.
final class RunCheckpointTests: XCTestCase {
    func spec(_ body: String) throws -> ExperimentSpec {
        let text = "---\ntitle: \"c\"\n---\n\n```experiment c\n\(body)\n```\n"
        let (report, problems) = ReportLoader.parse(text: text, id: "c", file: "c.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    /// The bytes the store keeps of a result (the wall times aside).
    func bytes(_ result: RunResult) throws -> Data { try RunStore.encoder().encode(result.timeless) }

    static let sines = "task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 24, split: mgdl, validation: 8, test: 8}"

    /// Every method and the mlp path, with minibatches, recording and several grades or stages:
    /// interrupted after `stop` checkpoints (one after every epoch), then resumed, the result is
    /// byte-identical to the uninterrupted run's, and the resumed run took fewer checkpoints (it
    /// did not start over).
    func testInterruptedRunsResumeBitIdentically() throws {
        let cases: [(String, Int)] = [
            ("task: {kind: sum_of_sines, frequencies: [1, 3], points: 24}\nmodel: {widths: [1, 8, 1]}\n"
             + "train: {lr: 1.0e-2, steps: 24, batch: 8, record_every: 3, keep_predictions: [6], record_norms: true}", 4),
            ("task: {kind: sum_of_sines, frequencies: [1, 3], points: 24}\nmodel: {widths: [1, 8, 1]}\ntrain: {lr: 1.0e-2, lr_final: 1.0e-3, steps: 12}", 5),
            ("method: sgdl\n\(Self.sines)\nmodel: {hidden: [8]}\ntrain: {lr: 1.0e-2, epochs: 6, batch: 10, record_every: 2}", 3),
            ("method: mgdl\n\(Self.sines)\nmodel: {grades: [[8], [8], [8]]}\ntrain: {lr: 1.0e-2, lr_final: 1.0e-3, epochs: 6, record_every: 2}", 7),
            ("method: multistage\n\(Self.sines)\nmodel: {hidden: [8], stages: 2}\ntrain: {lr: 1.0e-2, epochs: 5, record_every: 2}", 6),
            ("method: mscale\n\(Self.sines)\nmodel: {hidden: [8], scales: [1, 3]}\ntrain: {lr: 1.0e-2, epochs: 6, batch: 10, record_every: 2}", 2),
        ]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, (body, stop)) in cases.enumerated() {
            let spec = try self.spec(body)
            let file = folder.appendingPathComponent("\(index).json")
            let uninterrupted = Runner.run(spec)
            XCTAssertEqual(uninterrupted.status, .ok, "\(body): \(uninterrupted.message ?? "")")

            let policy = CheckpointPolicy(interval: 0)
            policy.interruptAfter = stop
            let interrupted = Runner.run(spec, checkpoints: RunCheckpointing(file: file, policy: policy))
            XCTAssertEqual(interrupted.status, .failed, body)
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), "\(body): a checkpoint is left")

            let everyEpoch = CheckpointPolicy(interval: 0)
            let resumed = Runner.run(spec, checkpoints: RunCheckpointing(file: file, policy: everyEpoch))
            XCTAssertEqual(resumed.status, .ok, "\(body): \(resumed.message ?? "")")
            XCTAssertEqual(try bytes(resumed), try bytes(uninterrupted), "\(body): resumed after \(stop) checkpoint(s)")
            let fromScratch = CheckpointPolicy(interval: 0)
            _ = Runner.run(spec, checkpoints: RunCheckpointing(file: folder.appendingPathComponent("scratch-\(index).json"), policy: fromScratch))
            XCTAssertEqual(everyEpoch.saved + stop, fromScratch.saved, "\(body): the resumed run continued, it did not start over")
        }
    }

    /// A checkpoint that cannot be read (damaged, or of another format) is ignored: the run
    /// starts over and gives the uninterrupted result.
    func testUnreadableCheckpointStartsOver() throws {
        let spec = try self.spec("method: sgdl\n\(Self.sines)\nmodel: {hidden: [8]}\ntrain: {lr: 1.0e-2, epochs: 4}")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-checkpoint-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("{\"format\": 1, \"records\": ".utf8).write(to: file)
        let run = Runner.run(spec, checkpoints: RunCheckpointing(file: file, interval: 1000))
        XCTAssertEqual(try bytes(run), try bytes(Runner.run(spec)))
    }
}
