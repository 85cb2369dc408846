import Experiments
import XCTest

final class SweepTests: XCTestCase {
    static let swept = ReportLoaderTests.valid.replacingOccurrences(of: """
    profiles:
      quick:
        train: {steps: 20}
    """, with: """
    sweep:
      grid:
        task.amplitudes: [constant, decreasing]
        seed: [0, 1, 2]
      zip:
        train.lr: [1.0e-3, 3.0e-4]
        train.steps: [10, 30]
    """)

    func testGridTimesZipExpandsInOrderWithNamesAndLabels() throws {
        let (report, problems) = ReportLoader.parse(text: Self.swept, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertEqual(problems, [])
        let runs = try XCTUnwrap(report).experiments
        XCTAssertEqual(runs.count, 2 * 3 * 2)
        XCTAssertEqual(runs[0].name, "tiny--amplitudes-constant--seed-0--lr-1.0e-3--steps-10")
        XCTAssertEqual(runs[1].train.learningRate, 3e-4)
        XCTAssertEqual(runs[1].train.steps, 30)
        XCTAssertEqual(runs[2].seed, 1)
        XCTAssertEqual(runs[6].task.amplitudeProfile, .decreasing)
        XCTAssertEqual(runs[6].label, "amplitudes = decreasing, seed = 0, lr = 1.0e-3, steps = 10")
        XCTAssertTrue(runs.allSatisfy { $0.group == "tiny" })
        XCTAssertEqual(Set(runs.map(\.name)).count, runs.count, "run names are unique")
        // A figure naming the block shows every run of the sweep.
        XCTAssertEqual(report?.figures.first?.runs.count, 12)
    }

    func testZipListsMustHaveEqualLength() {
        let bad = Self.swept.replacingOccurrences(of: "train.steps: [10, 30]", with: "train.steps: [10, 30, 50]")
        let (_, problems) = ReportLoader.parse(text: bad, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("same length") && $0.keyPath == "tiny.sweep.zip.train.steps" }, "\(problems)")
    }

    func testSweptValuesAreValidated() {
        let bad = Self.swept.replacingOccurrences(of: "seed: [0, 1, 2]", with: "seed: [0, -1]")
        let (_, problems) = ReportLoader.parse(text: bad, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.seed" && $0.message.contains("at least 0") }, "\(problems)")
    }

    /// A `null` sweep value leaves the key out at that point: L-BFGS for the multi-stage point only.
    func testNullSweepValueLeavesTheKeyOut() throws {
        let text = """
        ---
        title: "null"
        ---

        ```experiment pair
        task: {kind: sum_of_sines, frequencies: [1], points: 16}
        model: {hidden: [4]}
        train: {lr: 1.0e-3, epochs: 3, lbfgs: 9}
        sweep:
          zip:
            method: [sgdl, multistage]
            train.lbfgs: [null, 5]
            model: [{hidden: [4]}, {hidden: [4], stages: 2}]
        ```
        """
        let (report, problems) = ReportLoader.parse(text: text, id: "null", file: "null.md", profile: "")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(report?.experiments.map(\.train.lbfgs), [nil, 5])
    }

    func testOverridesApplyAfterTheProfile() throws {
        let all = try Override.parse("train.steps=7")
        let one = try Override.parse("tiny.train.lr=0.5")
        XCTAssertNil(all.experiment)
        XCTAssertEqual(one.experiment, "tiny")
        let (report, problems) = ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md",
                                                    profile: "quick", overrides: [all, one])
        XCTAssertEqual(problems, [])
        XCTAssertEqual(report?.experiments.first?.train.steps, 7)
        XCTAssertEqual(report?.experiments.first?.train.learningRate, 0.5)
        // A bad value is the command line's fault: reported once, against the -S argument.
        let (_, more) = ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "tiny.md",
                                           profile: "quick", overrides: [try Override.parse("train.steps=lots")])
        XCTAssertEqual(more.map(\.description), ["-S train.steps=lots: expected an integer, found 'lots' (in experiment tiny)"])
        XCTAssertNil(try Override.parse("features.scale=3").experiment, "features is a key of every experiment")
        XCTAssertThrowsError(try Override.parse("steps"))
        XCTAssertThrowsError(try Override.parse("=3"))
    }

    func testShardsPartitionKeys() {
        let shards = (0..<3).map { Shard("\($0)/3")! }
        for key in ["00", "ab12", "ffffffffffffffffff", "0123456789abcdef0123"] {
            XCTAssertEqual(shards.filter { $0.contains(key: key) }.count, 1)
        }
        XCTAssertNil(Shard("3/3"))
        XCTAssertNil(Shard("a/b"))
    }
}
