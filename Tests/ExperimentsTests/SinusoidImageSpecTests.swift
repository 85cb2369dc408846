@testable import Experiments
import Foundation
import Tasks
import XCTest

/// `task.sinusoid: {angle, frequency}` (Tancik et al.'s oriented sinusoids, Fig. 11) and the
/// `spread` claim: run names, the run key, the refusals at their lines, a trained run's target,
/// and the spread's verdicts.
final class SinusoidImageSpecTests: XCTestCase {
    static func report(task: String = "  sinusoid: {angle: 0, frequency: 2}\n  size: 8", claim: String = "") -> String {
        """
        ---
        version: 1
        title: "Sinusoids"
        ---

        ```experiment wave
        method: sgdl
        seed: 0
        task:
          kind: image
        \(task)
          colour: grey
          protocol: mgdl
        model:
          hidden: [8]
          output: sigmoid
        train:
          optimizer: adam
          lr: 1.0e-2
          epochs: 3
          batch: full
        sweep:
          grid:
            task.sinusoid.angle: [0, 45, 90]
        ```

        \(claim)
        """
    }

    static func spread(atMost: String, run: String = "[wave--angle-0, wave--angle-45, wave--angle-90]") -> String {
        """
        ```claim isotropic
        kind: spread
        statement: "The fit is about as good at every angle."
        source: "Tancik et al. (2020), Fig. 11"
        run: \(run)
        metric: test_psnr
        at_most: \(atMost)
        ```
        """
    }

    func parse(_ text: String) -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: text, id: "wave", file: "reports/wave.md", profile: "quick")
    }

    func testASweepOverTheAngleNamesRunsAndKeysThemApart() throws {
        let (report, problems) = parse(Self.report())
        XCTAssertEqual(problems, [])
        let runs = try XCTUnwrap(report).experiments
        XCTAssertEqual(runs.map(\.name), ["wave--angle-0", "wave--angle-45", "wave--angle-90"])
        XCTAssertEqual(runs.map(\.task.sinusoidAngle), [0, 45, 90])
        XCTAssertEqual(runs.map(\.task.sinusoidFrequency), [2, 2, 2])
        XCTAssertEqual(runs.map(\.task.file), [nil, nil, nil])
        XCTAssertEqual(Set(runs.map(RunStore.key(for:))).count, 3)
        XCTAssertEqual(runs[1].sweepValues?["task.sinusoid.angle"], "45")
    }

    func testTheRefusalsNameTheirKeys() {
        let (_, missingSize) = parse(Self.report(task: "  sinusoid: {angle: 0, frequency: 2}"))
        XCTAssertTrue(missingSize.contains { $0.keyPath == "wave.task.size" && $0.message.contains("give size") }, "\(missingSize)")
        // 45° at frequency 4 is (3, 3): an 8-pixel image resolves components below 4 only.
        let (_, aliased) = parse(Self.report(task: "  sinusoid: {angle: 0, frequency: 4}\n  size: 8"))
        XCTAssertTrue(aliased.contains { $0.keyPath == "wave.task.sinusoid.frequency" && $0.message.contains("(4, 0)") && $0.line > 0 }, "\(aliased)")
        XCTAssertFalse(aliased.contains { $0.message.contains("(3, 3)") }, "\(aliased)")
        let (_, unknown) = parse(Self.report(task: "  sinusoid: {angle: 0, frequency: 2, phase: 1}\n  size: 8"))
        XCTAssertTrue(unknown.contains { $0.keyPath.hasSuffix("sinusoid.phase") }, "\(unknown)")
        let (_, negative) = parse(Self.report(task: "  sinusoid: {angle: 0, frequency: -2}\n  size: 8"))
        XCTAssertTrue(negative.contains { $0.keyPath.hasSuffix("sinusoid.frequency") && $0.message.contains("from 0") }, "\(negative)")
        let (_, both) = parse(Self.report(task: "  sinusoid: {angle: 0, frequency: 2}\n  size: 8\n  file: data/x.png"))
        XCTAssertTrue(both.contains { $0.keyPath == "wave.task.file" && $0.message.contains("one of them") }, "\(both)")
        let formula = Self.report().replacingOccurrences(of: "  kind: image", with: "  kind: formula\n  formula: \"sin(x)\"\n  points: 16")
        let (_, notImage) = parse(formula)
        XCTAssertTrue(notImage.contains { $0.keyPath == "wave.task.sinusoid" && $0.message.contains("image tasks") }, "\(notImage)")
    }

    func testARunFitsItsOwnSinusoidAndTheSpreadClaimReadsEveryAngle() throws {
        let (report, problems) = parse(Self.report(claim: Self.spread(atMost: "100")))
        XCTAssertEqual(problems, [])
        let specs = try XCTUnwrap(report).experiments
        var results: [String: RunResult] = [:]
        for spec in specs { results[spec.name] = Runner.run(spec) }
        XCTAssertTrue(results.values.allSatisfy { $0.status == .ok }, "\(results.values.map { $0.message ?? "" })")
        let vertical = try XCTUnwrap(results["wave--angle-90"])
        XCTAssertEqual(vertical.target, SinusoidImage(angle: 90, frequency: 2).render(size: 8).pixels)
        XCTAssertNotEqual(vertical.target, results["wave--angle-0"]?.target)
        let claim = try XCTUnwrap(report?.claims.first)
        let wide = ClaimCheck.check(claim, specs: specs, runs: results, profile: "quick")
        XCTAssertEqual(wide.verdict, .reproduced, wide.evidence)
        let psnrs = specs.compactMap { results[$0.name]?.testPSNR }
        XCTAssertEqual(psnrs.count, 3)
        let spread = psnrs.max()! - psnrs.min()!
        XCTAssertTrue(wide.evidence.contains("over 3 runs") && wide.evidence.contains(ClaimCheck.number(spread)), wide.evidence)
        // A spread smaller than the measured one fails, with the same evidence.
        var tight = claim
        tight.atMost = spread / 2
        let narrow = ClaimCheck.check(tight, specs: specs, runs: results, profile: "quick")
        XCTAssertEqual(narrow.verdict, .notReproduced, narrow.evidence)
        // Naming the experiment reads all its runs.
        let (whole, wholeProblems) = parse(Self.report(claim: Self.spread(atMost: "100", run: "wave")))
        XCTAssertEqual(wholeProblems, [])
        let all = ClaimCheck.check(try XCTUnwrap(whole?.claims.first), specs: specs, runs: results, profile: "quick")
        XCTAssertEqual(all.evidence, wide.evidence)
    }

    func testTheSpreadClaimsKeysAreChecked() {
        let (_, negative) = parse(Self.report(claim: Self.spread(atMost: "-1")))
        XCTAssertTrue(negative.contains { $0.keyPath == "isotropic.at_most" && $0.message.contains("at least 0") }, "\(negative)")
        let (_, missing) = parse(Self.report(claim: Self.spread(atMost: "1").replacingOccurrences(of: "at_most: 1\n", with: "")))
        XCTAssertTrue(missing.contains { $0.message.contains("missing required key 'at_most'") }, "\(missing)")
        let compare = Self.spread(atMost: "1").replacingOccurrences(of: "kind: spread", with: "kind: compare\nthan: wave--angle-0")
        let (_, misplaced) = parse(Self.report(claim: compare.replacingOccurrences(of: "run: [wave--angle-0, wave--angle-45, wave--angle-90]", with: "run: wave--angle-45")))
        XCTAssertTrue(misplaced.contains { $0.keyPath == "isotropic.at_most" && $0.message.contains("spread") }, "\(misplaced)")
    }
}
