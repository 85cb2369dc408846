@testable import Experiments
import Foundation
import Tasks
import XCTest

/// `task.text: {seed}` (Tancik et al.'s text images) and a grid beside a zip's `name` axis: run
/// names, labels, the claims' `BLOCK--LABEL` series, the run key and the refusals.
final class TextImageSpecTests: XCTestCase {
    static func report(task: String = "  text: {seed: 0}", claim: String = "") -> String {
        """
        ---
        version: 1
        title: "Text"
        ---

        ```experiment text
        method: sgdl
        seed: 0
        task:
          kind: image
        \(task)
          size: 8
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
            task.text.seed: [0, 1]
          zip:
            name: [none, gaussian]
            features:
              - {kind: none}
              - {kind: gaussian, scale: 2, count: 4, seed: 0}
        ```

        \(claim)
        """
    }

    static let claim = """
    ```claim gaussian-over-none
    kind: compare
    statement: "Averaged over the images, Gaussian features test above no mapping."
    source: "Tancik et al. (2020), Table 3"
    run: text--gaussian
    than: text--none
    metric: test_psnr
    direction: above
    factor: 0.01
    ```
    """

    func parse(_ text: String) -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: text, id: "text", file: "reports/text.md", profile: "quick")
    }

    func testGridBesideANamedZipNamesRunsByBothAndLabelsThemByName() throws {
        let (report, problems) = parse(Self.report(claim: Self.claim))
        XCTAssertEqual(problems, [])
        let runs = try XCTUnwrap(report).experiments
        XCTAssertEqual(runs.map(\.name), ["text--seed-0--none", "text--seed-0--gaussian", "text--seed-1--none", "text--seed-1--gaussian"])
        XCTAssertEqual(runs.map(\.label), ["none", "gaussian", "none", "gaussian"])
        XCTAssertEqual(runs.map(\.task.textSeed), [0, 0, 1, 1])
        XCTAssertEqual(runs.map { $0.task.file }, [nil, nil, nil, nil])
        // The font file is an input: its hash is part of every run's key.
        XCTAssertNotNil(runs[0].inputHashes[TextImage.fontPath])
        XCTAssertEqual(Set(runs.map(RunStore.key(for:))).count, 4)
        // `text--gaussian` stands for the Gaussian runs of both images.
        XCTAssertEqual(ClaimCheck.members("text--gaussian", specs: runs).map(\.name), ["text--seed-0--gaussian", "text--seed-1--gaussian"])
        XCTAssertEqual(ClaimCheck.members("text--seed-1--none", specs: runs).map(\.name), ["text--seed-1--none"])
        XCTAssertEqual(ClaimCheck.members("text", specs: runs).count, 4)
    }

    func testTheRunsTrainOnTheirOwnImageAndTheClaimReadsTheMean() throws {
        let (report, _) = parse(Self.report(claim: Self.claim))
        let specs = try XCTUnwrap(report).experiments
        var results: [String: RunResult] = [:]
        for spec in specs { results[spec.name] = Runner.run(spec) }
        XCTAssertTrue(results.values.allSatisfy { $0.status == .ok })
        let zero = try XCTUnwrap(results["text--seed-0--none"]), one = try XCTUnwrap(results["text--seed-1--none"])
        XCTAssertEqual(zero.target, try ImageTask.text(seed: 0, as: .rgb, resizeTo: (width: 8, height: 8)).image.pixels)
        XCTAssertNotEqual(zero.target, one.target)
        let claim = try XCTUnwrap(report?.claims.first)
        let result = ClaimCheck.check(claim, specs: specs, runs: results, profile: "quick")
        XCTAssertEqual(result.verdict, .reproduced)
        XCTAssertTrue(result.evidence.contains("(mean of 2 runs)"), result.evidence)
    }

    func testTextIsRefusedBesideAFileOutsideImagesAndWithUnknownKeys() {
        let (_, both) = parse(Self.report(task: "  text: {seed: 0}\n  file: data/x.png"))
        XCTAssertTrue(both.contains { $0.keyPath == "text.task.file" && $0.message.contains("not both") }, "\(both)")
        let (_, unknown) = parse(Self.report(task: "  text: {seed: 0, font: serif}"))
        XCTAssertTrue(unknown.contains { $0.keyPath.hasSuffix("text.font") }, "\(unknown)")
        let (_, negative) = parse(Self.report().replacingOccurrences(of: "task.text.seed: [0, 1]", with: "task.text.seed: [0, -1]"))
        XCTAssertTrue(negative.contains { $0.keyPath.hasSuffix("text.seed") }, "\(negative)")
        let formula = Self.report(task: "  text: {seed: 0}").replacingOccurrences(of: "  kind: image", with: "  kind: formula\n  formula: \"sin(x)\"\n  points: 16")
        let (_, notImage) = parse(formula)
        XCTAssertTrue(notImage.contains { $0.keyPath == "text.task.text" && $0.message.contains("image tasks") }, "\(notImage)")
    }

    func testAClaimOnABlockWithoutLabelsStillNamesOneRun() {
        let claim = Self.claim.replacingOccurrences(of: "run: text--gaussian", with: "run: text")
        let (_, problems) = parse(Self.report(claim: claim))
        XCTAssertTrue(problems.contains { $0.message.contains("a sweep of 4 runs") }, "\(problems)")
    }
}
