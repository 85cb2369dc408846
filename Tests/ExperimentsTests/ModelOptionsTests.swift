@testable import Experiments
import Foundation

import XCTest

/// The options of issue 12 item 4 that the MGDL reports use: `train.loss` and
/// `task.generator`. Declaring a default must not change a run's key (so existing stores stay
/// valid); declaring another value must.
final class ModelOptionsTests: XCTestCase {
    /// One experiment whose runs are named by profile: s1 at `paper`, q1 at `quick`.
    static let twoProfiles = """
        ---
        version: 1
        ---

        ```experiment e
        method: sgdl
        task: {kind: sum_of_sines, frequencies: [1], split: mgdl, points: 8, validation: 4, test: 4}
        model: {hidden: [4]}
        train: {lr: 1.0e-2, epochs: 2}
        sweep:
          zip:
            name: [s1]
            seed: [0]
        profiles:
          paper: {}
          quick:
            sweep:
              zip:
                name: [q1]
                seed: [0]
        ```

        """

    static func report(task: String = "", train: String = "", method: String = "sgdl") -> String {
        """
        ---
        version: 1
        ---

        ```experiment tiny
        method: \(method)
        seed: 3
        task:
          kind: sum_of_sines
          frequencies: [1, 2]
          amplitudes: decreasing
          phases: {seed: 0}
          split: mgdl
          points: 16
          validation: 8
          test: 8
        \(task.isEmpty ? "" : "  " + task)
        model:
          \(method == "mgdl" ? "grades: [[4], [4]]" : "hidden: [4, 4]")
          init: pytorch_default
        train:
          lr: 1.0e-2
          epochs: 3
          precision: float64
        \(train.isEmpty ? "" : "  " + train)
        ```
        """
    }

    func spec(task: String = "", train: String = "", method: String = "sgdl") throws -> ExperimentSpec {
        let (report, problems) = ReportLoader.parse(text: Self.report(task: task, train: train, method: method), id: "tiny",
                                                    file: "tiny.md", profile: "quick")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    func testDefaultsLeaveRunKeysUnchanged() throws {
        let plain = try spec()
        let json = String(decoding: RunStore.canonicalDeclaration(plain), as: UTF8.self)
        XCTAssertFalse(json.contains("\"loss\""), json)
        XCTAssertFalse(json.contains("\"generator\""), json)
        XCTAssertEqual(RunStore.key(for: plain), RunStore.key(for: try spec(train: "loss: mse")))
        XCTAssertEqual(RunStore.key(for: plain), RunStore.key(for: try spec(task: "generator: xoshiro")))
        let half = try spec(train: "loss: half_mse")
        XCTAssertEqual(half.train.loss?.rawValue, "half_mse")
        XCTAssertNotEqual(RunStore.key(for: plain), RunStore.key(for: half))
        let numpy = try spec(task: "generator: numpy")
        XCTAssertEqual(numpy.task.generator?.rawValue, "numpy")
        XCTAssertNotEqual(RunStore.key(for: plain), RunStore.key(for: numpy))
    }

    func testUnknownValuesAreRefused() {
        let (_, problems) = ReportLoader.parse(text: Self.report(train: "loss: l1"), id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.keyPath.hasSuffix("train.loss") }, "\(problems)")
        let (_, other) = ReportLoader.parse(text: Self.report(task: "generator: mt"), id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(other.contains { $0.keyPath.hasSuffix("task.generator") }, "\(other)")
    }

    /// The first recorded loss is taken before any update, on the same initial network: with
    /// half_mse it is exactly half the mse one.
    func testHalfMSEIsUsedWhenDeclared() throws {
        for method in ["sgdl", "mgdl"] {
            let mse = Runner.run(try spec(method: method))
            let half = Runner.run(try spec(train: "loss: half_mse", method: method))
            XCTAssertEqual(mse.status, .ok)
            XCTAssertEqual(half.status, .ok)
            XCTAssertEqual(half.losses[0], mse.losses[0] / 2, accuracy: 1e-14 * mse.losses[0], method)
            XCTAssertGreaterThan(mse.losses[0], 0)
        }
    }

    /// With the NumPy generator the task's phases are Fang & Xu's, and the validation points are
    /// NumPy's RandomState(0) draws.
    func testNumPyGeneratorReachesTheTask() throws {
        let numpy = try spec(task: "generator: numpy")
        let result = Runner.run(numpy)
        XCTAssertEqual(result.status, .ok)
        let f = try Runner.targetFunction(numpy)
        // λ(0) = Σ α_j sin(φ_j) with φ = 3.448297, 4.493667 and α = 1.00, 0.95.
        XCTAssertEqual(f(0), sin(3.448297) + 0.95 * sin(4.493667), accuracy: 2e-6)
        let ours = try Runner.targetFunction(try spec())
        XCTAssertNotEqual(ours(0), f(0))
    }

    /// A profile's sweep may name its runs differently (the MGDL report's paper runs are s1-…,
    /// its quick runs q1-…): a claim checked only at the paper profile names paper runs, and is
    /// validated when that profile is built, not at the others.
    func testClaimOfAnotherProfileNamesItsOwnRuns() {
        let text = Self.twoProfiles + """

        ```claim c
        kind: value
        statement: "s"
        run: e--s1
        metric: test_rse
        paper: 0.1
        within: {factor: 2}
        profiles: [paper]
        ```
        """
        let (_, quick) = ReportLoader.parse(text: text, id: "c", file: "c.md", profile: "quick")
        XCTAssertEqual(quick, [])
        let (_, paper) = ReportLoader.parse(text: text, id: "c", file: "c.md", profile: "paper")
        XCTAssertEqual(paper, [])
        let typo = text.replacingOccurrences(of: "run: e--s1", with: "run: e--s2")
        let (_, wrong) = ReportLoader.parse(text: typo, id: "c", file: "c.md", profile: "paper")
        XCTAssertTrue(wrong.contains { $0.keyPath == "c.run" }, "\(wrong)")
    }

    /// `manifold.q: 0` is the unit circle (Fang & Xu's Table 2 anchor, Rahaman's L = 0): accepted,
    /// and its inputs lie on the circle; a negative q is refused.
    func testManifoldQZeroIsTheUnitCircle() throws {
        let circle = try spec(task: "manifold: {q: 0}")
        XCTAssertEqual(circle.task.manifoldQ, 0)
        XCTAssertEqual(circle.task.inputDimension, 2)
        let result = Runner.run(circle)
        XCTAssertEqual(result.status, .ok, result.message ?? "")
        let (_, problems) = ReportLoader.parse(text: Self.report(task: "manifold: {q: -1}"), id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.keyPath.hasSuffix("task.manifold.q") }, "\(problems)")
    }

    /// `train.grades`: each MGDL grade's own learning rate and epochs; the loss curve has each
    /// grade's number of steps, and a grade's rate shows in its first step sizes (a zero rate is
    /// refused, so compare 1e-2 with a tiny 1e-9: the tiny grade's loss barely moves).
    func testPerGradeLearningRatesAndEpochs() throws {
        let s = try spec(train: "grades: [{epochs: 2}, {lr: 1.0e-9, epochs: 5}]", method: "mgdl")
        XCTAssertEqual(s.train.grades?.map(\.steps), [2, 5])
        XCTAssertEqual(s.train.grades?.map(\.learningRate), [1e-2, 1e-9])
        let result = Runner.run(s)
        XCTAssertEqual(result.status, .ok, result.message ?? "")
        XCTAssertEqual(result.grades?.map { $0.losses.count }, [2, 5])
        let second = try XCTUnwrap(result.grades?[1].losses)
        XCTAssertEqual(second.last!, second.first!, accuracy: 1e-6 * second.first!)
        XCTAssertNotEqual(RunStore.key(for: s), RunStore.key(for: try spec(method: "mgdl")))
        let plain = String(decoding: RunStore.canonicalDeclaration(try spec(method: "mgdl")), as: UTF8.self)
        XCTAssertFalse(plain.contains("\"grades\":null"), plain)
        let (_, wrongCount) = ReportLoader.parse(text: Self.report(train: "grades: [{lr: 1.0e-3}]", method: "mgdl"), id: "t", file: "t.md", profile: "quick")
        XCTAssertTrue(wrongCount.contains { $0.message.contains("one entry per grade (2)") }, "\(wrongCount)")
        let (_, notMGDL) = ReportLoader.parse(text: Self.report(train: "grades: [{lr: 1.0e-3}]"), id: "t", file: "t.md", profile: "quick")
        XCTAssertTrue(notMGDL.contains { $0.keyPath.hasSuffix("train.grades") }, "\(notMGDL)")
    }

    /// `paper.profiles`: published values keyed by one profile's run names are used (and checked)
    /// at that profile only.
    func testPaperValuesOfAnotherProfile() throws {
        let text = Self.twoProfiles + """

        ```table t
        kind: rse
        run: e
        paper:
          source: "p"
          profiles: [paper]
          values:
            e--s1: {test: 0.5}
        ```
        """
        let (quick, quickProblems) = ReportLoader.parse(text: text, id: "t", file: "t.md", profile: "quick")
        XCTAssertEqual(quickProblems, [])
        XCTAssertEqual(quick?.tables.first?.paper, [:])
        let (paper, paperProblems) = ReportLoader.parse(text: text, id: "t", file: "t.md", profile: "paper")
        XCTAssertEqual(paperProblems, [])
        XCTAssertEqual(paper?.tables.first?.paper["e--s1"]?["test"], 0.5)
        let typo = text.replacingOccurrences(of: "e--s1: {test", with: "e--s2: {test")
        let (_, wrong) = ReportLoader.parse(text: typo, id: "t", file: "t.md", profile: "paper")
        XCTAssertTrue(wrong.contains { $0.keyPath == "t.paper.values.e--s2" }, "\(wrong)")
    }
}
