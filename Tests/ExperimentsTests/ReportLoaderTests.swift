import Experiments
import XCTest

final class ReportLoaderTests: XCTestCase {
    static let valid = """
    ---
    version: 1
    title: "Tiny"
    summary: "A tiny report."
    ---

    Some *prose*.

    ```experiment tiny
    seed: 3
    task:
      kind: sum_of_sines
      frequencies: {from: 1, to: 4}
      amplitudes: 1
      phases: {seed: 1}
      points: 32
    model:
      widths: [1, 8, 8, 1]
    train:
      lr: 1.0e-3
      steps: 500
      record_every: 10
    profiles:
      quick:
        train: {steps: 20}
    ```

    ```python
    print("code stays prose")
    ```

    ```figure heat
    kind: spectral_evolution
    run: tiny
    caption: "c"
    ```
    """

    func parse(_ text: String, profile: String = "quick") -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: text, id: "tiny", file: "reports/tiny.md", profile: profile)
    }

    func testValidNotebookParsesWithProfileApplied() throws {
        let (report, problems) = parse(Self.valid)
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.title, "Tiny")
        XCTAssertEqual(r.experiments.count, 1)
        let spec = r.experiments[0]
        XCTAssertEqual(spec.task.frequencies, [1, 2, 3, 4])
        XCTAssertEqual(spec.train.steps, 20, "the quick overlay replaces train.steps")
        XCTAssertEqual(spec.train.recordEvery, 10, "keys the overlay does not name are kept")
        XCTAssertEqual(spec.train.learningRate, 1e-3)
        XCTAssertEqual(spec.profile, "quick")
        XCTAssertEqual(spec.seed, 3)
        XCTAssertEqual(r.figures.map(\.name), ["heat"])
        XCTAssertEqual(r.thumbnail, "heat")
        XCTAssertEqual(r.declaredProfiles, ["quick"])
        // The python block stays in the prose.
        let prose = r.segments.compactMap { if case .prose(let p) = $0 { return p } else { return nil } }.joined()
        XCTAssertTrue(prose.contains("print(\"code stays prose\")"))
    }

    func testProfileNotDeclaredKeepsBlockValues() throws {
        let (report, _) = parse(Self.valid, profile: "paper")
        XCTAssertEqual(report?.experiments.first?.train.steps, 500)
        XCTAssertEqual(report?.experiments.first?.profile, "")
    }

    func testEveryProblemIsReportedWithLineKeyAndSuggestion() {
        let bad = Self.valid
            .replacingOccurrences(of: "  lr: 1.0e-3", with: "  lrr: 1.0e-3")
            .replacingOccurrences(of: "widths: [1, 8, 8, 1]", with: "widths: [1, -8, 8, 1]")
            .replacingOccurrences(of: "run: tiny", with: "run: tinny")
        let (report, problems) = parse(bad)
        XCTAssertNil(report)
        let text = problems.map(\.description).joined(separator: "\n")
        // unknown key with a suggestion, at its own line and column (line 20 of the file)
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.train.lrr" && $0.message.contains("did you mean 'lr'") && $0.line == 20 && $0.column == 3 }, text)
        // missing lr is reported too
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.train.lr" && $0.message.contains("missing") }, text)
        // negative width
        XCTAssertTrue(problems.contains { $0.keyPath.hasPrefix("tiny.model.widths") && $0.message.contains("at least 1") && $0.line == 18 }, text)
        // figure points at an unknown run, with a suggestion
        XCTAssertTrue(problems.contains { $0.keyPath == "heat.run" && $0.message.contains("did you mean 'tiny'") && $0.line == 34 }, text)
        XCTAssertTrue(problems.allSatisfy { $0.file == "reports/tiny.md" })
    }

    func testMalformedYAMLPointsAtTheLine() {
        let bad = Self.valid.replacingOccurrences(of: "  points: 32", with: "  points: [32")
        let (_, problems) = parse(bad)
        XCTAssertTrue(problems.contains { $0.message.hasPrefix("malformed YAML") && $0.line >= 16 }, "\(problems)")
    }

    func testWrongTypeAndUnknownValue() {
        let bad = Self.valid
            .replacingOccurrences(of: "steps: 500", with: "steps: many")
            .replacingOccurrences(of: "kind: spectral_evolution", with: "kind: spectral_evolutoin")
        let (_, problems) = parse(bad, profile: "paper")
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.train.steps" && $0.message.contains("expected an integer, found 'many'") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.keyPath == "heat.kind" && $0.message.contains("did you mean 'spectral_evolution'") }, "\(problems)")
    }

    func testInvalidOtherProfileIsReportedToo() {
        let bad = Self.valid.replacingOccurrences(of: "train: {steps: 20}", with: "train: {steps: -1}")
        let (_, problems) = parse(bad, profile: "paper")
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.train.steps" && $0.message.contains("profile 'quick'") }, "\(problems)")
    }

    func testUnsafeNamesAreRefused() {
        let (_, problems) = ReportLoader.parse(text: Self.valid, id: "../evil", file: "x.md", profile: "quick")
        XCTAssertTrue(problems.contains { $0.message.contains("not a safe folder name") })
        let bad = Self.valid.replacingOccurrences(of: "```experiment tiny", with: "```experiment ../tiny")
        let (_, more) = parse(bad)
        XCTAssertTrue(more.contains { $0.message.contains("not a safe file name") })
    }

    func testNyquistIsChecked() {
        let bad = Self.valid.replacingOccurrences(of: "points: 32", with: "points: 8")
        let (_, problems) = parse(bad)
        XCTAssertTrue(problems.contains { $0.keyPath == "tiny.task.points" && $0.message.contains("Nyquist") }, "\(problems)")
    }
}
