@testable import Experiments
import Foundation

import XCTest

/// `model.output` (sgdl) and `features.kind: positional_powers` (Tancik et al.'s code): the
/// default output keeps existing run keys; the new values change them and reach the runner.
final class TancikSpecTests: XCTestCase {
    func spec(model: String = "", features: String = "", method: String = "sgdl") -> (ExperimentSpec?, [SpecProblem]) {
        let text = ModelOptionsTests.report(method: method)
            .replacingOccurrences(of: "  init: pytorch_default", with: "  init: pytorch_default\n" + (model.isEmpty ? "" : "  " + model))
            .replacingOccurrences(of: "train:\n", with: (features.isEmpty ? "" : "features: " + features + "\n") + "train:\n")
        let (report, problems) = ReportLoader.parse(text: text, id: "tiny", file: "tiny.md", profile: "quick")
        return (report?.experiments.first, problems)
    }

    func testOutputSigmoidChangesTheKeyAndIdentityDoesNot() throws {
        let (plain, p1) = spec(), (identity, p2) = spec(model: "output: identity"), (sigmoid, p3) = spec(model: "output: sigmoid")
        XCTAssertEqual(p1 + p2 + p3, [])
        let a = try XCTUnwrap(plain), b = try XCTUnwrap(identity), c = try XCTUnwrap(sigmoid)
        XCTAssertFalse(String(decoding: RunStore.canonicalDeclaration(a), as: UTF8.self).contains("\"output\""))
        XCTAssertEqual(RunStore.key(for: a), RunStore.key(for: b))
        XCTAssertEqual(c.model.output, .sigmoid)
        XCTAssertNotEqual(RunStore.key(for: a), RunStore.key(for: c))
        // The runner applies it: the first loss (before any update) differs, and every
        // prediction of the sigmoid network lies in (0, 1).
        let linear = Runner.run(a), squashed = Runner.run(c)
        XCTAssertEqual(squashed.status, .ok)
        XCTAssertNotEqual(linear.losses[0], squashed.losses[0])
        let prediction = try XCTUnwrap(squashed.snapshots.last?.prediction)
        XCTAssertTrue(prediction.allSatisfy { $0 > 0 && $0 < 1 }, "\(prediction)")
    }

    func testOutputIsRefusedForOtherMethodsAndUnknownValues() {
        let (_, mgdl) = spec(model: "output: sigmoid", method: "mgdl")
        XCTAssertTrue(mgdl.contains { $0.keyPath.hasSuffix("model.output") }, "\(mgdl)")
        let (_, bad) = spec(model: "output: softmax")
        XCTAssertTrue(bad.contains { $0.keyPath.hasSuffix("model.output") }, "\(bad)")
    }

    func testPositionalPowersIsReadAndNeedsItsScaleAndCount() throws {
        let (read, problems) = spec(features: "{kind: positional_powers, scale: 3, count: 4}")
        XCTAssertEqual(problems, [])
        let s = try XCTUnwrap(read)
        XCTAssertEqual(s.features.kind, .positionalPowers)
        XCTAssertEqual(s.features.scale, 3); XCTAssertEqual(s.features.count, 4)
        let (_, missing) = spec(features: "{kind: positional_powers, scale: 3}")
        XCTAssertTrue(missing.contains { $0.keyPath.hasSuffix("features.count") }, "\(missing)")
        XCTAssertEqual(Runner.run(s).status, .ok)
    }
}
