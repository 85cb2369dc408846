@testable import Experiments
import Foundation
import XCTest

/// `task.kind: delta_spike` and `train.weight_clip` (Rahaman et al.'s App. A.5): read, validated
/// at their lines, in the run key only when written, and applied by the runner.
final class DeltaSpikeSpecTests: XCTestCase {
    static func report(task: String = "", train: String = "", method: String = "mlp") -> String {
        """
        ---
        version: 1
        ---

        ```experiment spike
        method: \(method)
        seed: 1
        task:
          kind: delta_spike
          points: 32
        \(task.isEmpty ? "" : "  " + task)
        model:
          \(method == "mlp" ? "widths: [1, 8, 8, 1]" : "hidden: [8, 8]")
        train:
          lr: 1.0e-2
          \(method == "mlp" ? "steps" : "epochs"): 40
        \(train.isEmpty ? "" : "  " + train)
        ```
        """
    }

    func load(task: String = "", train: String = "", method: String = "mlp") -> (ExperimentSpec?, [SpecProblem]) {
        let (report, problems) = ReportLoader.parse(text: Self.report(task: task, train: train, method: method), id: "spike", file: "spike.md", profile: "quick")
        return (report?.experiments.first, problems)
    }

    func testTheSpikeIsReadAndTrained() throws {
        let (read, problems) = load(task: "frequencies: {from: 2, to: 14, step: 4}", train: "record_every: 10\n  keep_predictions: [20]")
        XCTAssertEqual(problems, [])
        let spec = try XCTUnwrap(read)
        XCTAssertEqual(spec.task.kind, .deltaSpike)
        XCTAssertEqual(spec.task.spikeCenter, 0.5); XCTAssertEqual(spec.task.spikeHeight, 1)
        XCTAssertEqual(spec.task.frequencies, [2, 6, 10, 14])
        XCTAssertNil(spec.task.phases)
        let result = Runner.run(spec)
        XCTAssertEqual(result.status, .ok, result.message ?? "")
        XCTAssertEqual(result.target.filter { $0 != 0 }, [1])
        XCTAssertEqual(result.target[16], 1)
        // Flat: every recorded frequency's target amplitude is 2·height/N.
        for a in result.targetAmplitudes { XCTAssertEqual(a, 2.0 / 32, accuracy: 1e-12) }
        XCTAssertEqual(result.spectra?.map(\.step), [0, 10, 20, 30, 40])
        let (moved, _) = load(task: "center: 0.25\n  height: -2")
        let target = Runner.run(try XCTUnwrap(moved)).target
        XCTAssertEqual(target[8], -2); XCTAssertEqual(target.filter { $0 != 0 }.count, 1)
    }

    func testSpikeKeysAreValidatedAtTheirLines() {
        for (task, key) in [("center: 1.0", "task.center"), ("height: 0", "task.height"), ("amplitudes: 1", "task.amplitudes"),
                            ("split: mgdl", "task.split"), ("manifold: {q: 2}", "task.manifold"), ("phases: {seed: 0}", "task.phases")] {
            let (_, problems) = load(task: task)
            XCTAssertTrue(problems.contains { $0.keyPath.hasSuffix(key) && $0.line == 11 }, "\(task): \(problems)")
        }
        let (_, elsewhere) = ReportLoader.parse(text: ModelOptionsTests.report(task: "center: 0.5"), id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(elsewhere.contains { $0.keyPath.hasSuffix("task.center") }, "\(elsewhere)")
    }

    func testWeightClipIsReadValidatedKeyedAndApplied() throws {
        let (plain, p1) = load(), (clipped, p2) = load(train: "weight_clip: 0.05")
        XCTAssertEqual(p1 + p2, [])
        let a = try XCTUnwrap(plain), b = try XCTUnwrap(clipped)
        XCTAssertNil(a.train.weightClip)
        XCTAssertEqual(b.train.weightClip, 0.05)
        XCTAssertFalse(String(decoding: RunStore.canonicalDeclaration(a), as: UTF8.self).contains("weightClip"))
        XCTAssertNotEqual(RunStore.key(for: a), RunStore.key(for: b))
        XCTAssertTrue(DeclarationKeys.differences(a, b).contains { $0.contains("weight_clip") }, "\(DeclarationKeys.differences(a, b))")
        XCTAssertNotEqual(Runner.run(a).losses.last, Runner.run(b).losses.last)
        for (value, line) in [("0", 17), ("-1", 17), ("big", 17)] {
            let (_, problems) = load(train: "weight_clip: \(value)")
            XCTAssertTrue(problems.contains { $0.keyPath.hasSuffix("train.weight_clip") && $0.line == line }, "\(value): \(problems)")
        }
        let (_, sgdl) = load(train: "weight_clip: 0.5", method: "sgdl")
        XCTAssertTrue(sgdl.contains { $0.keyPath.hasSuffix("train.weight_clip") && $0.message.contains("mlp") }, "\(sgdl)")
    }
}
