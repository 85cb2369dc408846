@testable import Experiments
import Foundation
import XCTest

/// Hostile declarations are refused while validating, with file:line, instead of crashing or
/// hanging `validate` or a later build. Each case below crashed or hung before the limits.
final class LimitsTests: XCTestCase {
    func parse(_ text: String) -> [SpecProblem] {
        ReportLoader.parse(text: text, id: "tiny", file: "reports/tiny.md", profile: "quick").1
    }

    func edit(_ old: String, _ new: String) -> String {
        let text = ReportLoaderTests.valid.replacingOccurrences(of: old, with: new)
        XCTAssertNotEqual(text, ReportLoaderTests.valid, "the edit '\(old)' applies")
        return text
    }

    /// Parses, expecting exactly the problems whose messages contain `expected`, at `line`.
    func expect(_ text: String, _ expected: String, line: Int? = nil, file: StaticString = #filePath, sourceLine: UInt = #line) {
        let start = Date()
        let problems = parse(text)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "validation is quick", file: file, line: sourceLine)
        XCTAssertTrue(problems.contains { $0.message.contains(expected) }, "expected '\(expected)' in \(problems)", file: file, line: sourceLine)
        if let line {
            XCTAssertTrue(problems.contains { $0.message.contains(expected) && $0.line == line }, "expected line \(line): \(problems)",
                          file: file, line: sourceLine)
        }
    }

    func testTheCrashList() {
        // A frequency of 2^62 overflowed `2 * frequency` in the Nyquist check.
        expect(edit("frequencies: {from: 1, to: 4}", "frequencies: [1, 4611686018427387904]"), "as a frequency is above the limit", line: 13)
        // A frequency range to 10^10 allocated ten billion integers.
        expect(edit("frequencies: {from: 1, to: 4}", "frequencies: {from: 1, to: 10000000000}"), "has more than 100000 values", line: 13)
        expect(edit("frequencies: {from: 1, to: 4}", "frequencies: {from: 0, to: 9223372036854775807}"), "has more than 100000 values")
        // 10^12 points.
        expect(edit("points: 32", "points: 1000000000000"), "points is above the limit", line: 16)
        // Widths of 10^9, and widths whose product overflows.
        expect(edit("widths: [1, 8, 8, 1]", "widths: [1, 1000000000, 1]"), "as a layer width is above the limit")
        expect(edit("widths: [1, 8, 8, 1]", "widths: [1, 65536, 65536, 65536, 1]"), "estimated")
        expect(edit("widths: [1, 8, 8, 1]", "widths: [1, 65536, 65536, 65536, 1]"), "--max-memory")
        // batch = Int.max.
        expect(edit("  record_every: 10", "  record_every: 10\n  batch: 9223372036854775807"), "larger than the 32 training points", line: 23)
        // Steps near Int.max (a loss curve that large).
        expect(edit("    train: {steps: 20}", "    train: {steps: 9223372036854775807}"), "steps is above the limit")
        // Features.
        let features = edit("model:\n  widths: [1, 8, 8, 1]", "method: sgdl\nfeatures: {kind: gaussian, scale: 10, count: 1000000000}\nmodel:\n  hidden: [8]")
            .replacingOccurrences(of: "steps:", with: "epochs:")
        expect(features, "features is above the limit")
    }

    func testMemoryEstimateIsRefusedAboveTheLimitAndTheLimitCanBeRaised() {
        let big = edit("widths: [1, 8, 8, 1]", "widths: [1, 4096, 4096, 1]").replacingOccurrences(of: "points: 32", with: "points: 2000000")
        expect(big, "of memory, above the limit of 8.0 GB")
        let saved = Limits.memoryBytes
        defer { Limits.memoryBytes = saved }
        Limits.memoryBytes = 1 << 50
        XCTAssertEqual(parse(big), [])
        XCTAssertEqual(Limits.parseBytes("16G"), 16 << 30)
        XCTAssertEqual(Limits.parseBytes("512MB"), 512 << 20)
        XCTAssertNil(Limits.parseBytes("lots"))
        XCTAssertNil(Limits.parseBytes("99999999999T"))
    }

    /// MscaleDNN sums one subnetwork per scale: its parameters (and their optimizer state) count
    /// once per scale (the estimate counted one subnetwork before).
    func testMscaleMemoryCountsEverySubnetwork() {
        var spec = ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "t.md", profile: "quick").0!.experiments[0]
        spec.method = .mscale
        spec.model.hidden = [512, 512]
        spec.model.scales = [1]
        let one = Limits.memoryEstimate(spec) ?? 0
        spec.model.scales = [1, 2, 4, 8]
        let four = Limits.memoryEstimate(spec) ?? 0
        let parameters = 2 * 512 + 512 * 513 + 513  // one subnetwork 1 -> 512 -> 512 -> 1, with biases
        XCTAssertGreaterThanOrEqual(four - one, 3 * parameters * 4 * 8, "three more subnetworks, 4 copies of each parameter in Double")
    }

    func testOverflowingProductsAreTooLargeNotATrap() {
        var spec = ReportLoader.parse(text: ReportLoaderTests.valid, id: "tiny", file: "t.md", profile: "quick").0!.experiments[0]
        spec.model.widths = [1, Int.max / 2, Int.max / 2, 1]
        XCTAssertNil(Limits.memoryEstimate(spec))
        // Epochs × minibatches per epoch: 2^40 epochs of 2^24 one-row batches overflow.
        spec.method = .sgdl
        spec.model.hidden = [8]
        spec.task.points = 1 << 24
        spec.train.batch = 1
        spec.train.steps = 1 << 40
        XCTAssertNil(Limits.memoryEstimate(spec))
        spec.train.steps = 1 << 20
        XCTAssertGreaterThan(Limits.memoryEstimate(spec) ?? 0, 8 << 40, "a loss per optimizer step: 2^44 steps")
        spec.method = .mlp
        spec.train.batch = nil
        spec.model.widths = [1, 8, 1]
        spec.task.points = Int.max
        spec.task.test = Int.max
        XCTAssertNil(Limits.memoryEstimate(spec))
        XCTAssertNil(Limits.total([Int.max, 1]))
        XCTAssertNil(Limits.product(Int.max, 2))
    }

    func testDeepOrLongFormulas() {
        let formulaReport = { (formula: String) in
            self.edit("  kind: sum_of_sines\n  frequencies: {from: 1, to: 4}\n  amplitudes: 1\n  phases: {seed: 1}\n",
                      "  kind: formula\n  formula: \"\(formula)\"\n")
        }
        expect(formulaReport(String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)),
               "characters; at most 4096", line: 13)
        expect(formulaReport(String(repeating: "(", count: 1000) + "x" + String(repeating: ")", count: 1000)), "nests parentheses 1000 deep")
        expect(formulaReport(Array(repeating: "x", count: 200_000).joined(separator: "+")), "characters; at most")
        expect(formulaReport(Array(repeating: "x", count: 1000).joined(separator: "+")), "operators; at most 500")
        expect(formulaReport(String(repeating: "-", count: 1000) + "x"), "operators; at most 500")
        // A formula target has no frequencies to show in the report's heatmap: that figure's own
        // error, and nothing about the formula.
        XCTAssertEqual(parse(formulaReport("sin(2*pi*x) + 0.5*sin(6*pi*x)")).map(\.keyPath), ["heat.run"])
    }

    func testDeepYAMLAndAliasBombs() {
        // YAML nested 100,000 deep, block and flow.
        let deepFlow = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        expect(edit("  points: 32", "  points: 32\n  extra: \(deepFlow)"), "nests more than 64 levels", line: 17)
        expect(edit("  points: 32", "  points: 32\n  extra:\n    " + String(repeating: "- ", count: 100_000) + "x"), "nests more than 64 levels")
        // The billion laughs.
        var bomb = "  extra:\n    a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { bomb += "    a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        expect(edit("  points: 32\n", "  points: 32\n" + bomb), "expands to more than 200000 values")
    }

    func testSweepOfAMillionPointsIsRefusedBeforeItIsExpanded() {
        let values = "[" + (0..<100).map(String.init).joined(separator: ", ") + "]"
        let sweep = "sweep:\n  grid: {seed: \(values), train.lr: \(values.replacingOccurrences(of: ", ", with: ".0e-3, ").replacingOccurrences(of: "]", with: ".0e-3]")), task.points: \(values)}\nprofiles:"
        expect(edit("profiles:", sweep), "the sweep would have more than 10000 runs")
        expect(edit("profiles:", "repeat: 1000000000\nprofiles:"), "the sweep would have more than 10000 runs (1 × 1000000000)")
        // A sweep within the limit is fine.
        XCTAssertEqual(parse(edit("profiles:", "sweep:\n  grid: {seed: [0, 1, 2]}\nprofiles:")), [])
    }

    func testDuplicateKeysAreErrorsWithBothLines() {
        expect(edit("  points: 32", "  points: 32\n  points: 64"), "duplicate key 'points' (first on line 16)", line: 17)
        expect(edit("version: 1", "version: 1\ntitle: \"Again\""), "duplicate key 'title' (first on line 3)", line: 4)
    }
}

/// Names that would share a file, published values for unknown runs, input files outside the project.
final class NameCheckTests: XCTestCase {
    func parse(_ text: String, base: URL? = nil) -> [SpecProblem] {
        ReportLoader.parse(text: text, id: "tiny", file: "reports/tiny.md", profile: "quick", baseDirectory: base).1
    }

    func testNamesThatCollideOnceWrittenAreErrorsWithTheirLine() {
        let twice = ReportLoaderTests.valid + "\n\n```experiment Tiny\ntask:\n  kind: sum_of_sines\n  frequencies: [1]\n  points: 8\nmodel:\n  widths: [1, 4, 1]\ntrain:\n  lr: 1.0e-3\n  steps: 5\n```\n"
        let problems = parse(twice)
        XCTAssertTrue(problems.contains { $0.message.contains("the run 'Tiny' would be written to the same file as 'tiny' (line 9)") && $0.line == 38 },
                      "\(problems)")
        let dark = ReportLoaderTests.valid + "\n\n```figure heat-dark\nkind: loss\nrun: tiny\n```\n"
        XCTAssertTrue(parse(dark).contains { $0.message.contains("the figure 'heat-dark' would be written to the same file as 'heat'") }, "\(parse(dark))")
        // Sweep points whose values give one name after unsafe characters are replaced.
        let swept = ReportLoaderTests.valid.replacingOccurrences(of: "profiles:", with: "sweep:\n  zip: {name: [\"a b\", \"a_b\"], seed: [0, 1]}\nprofiles:")
        XCTAssertTrue(parse(swept).contains { $0.message.contains("two runs are named 'tiny--a_b'") && $0.line == 9 }, "\(parse(swept))")
    }

    func testASweepAxisProblemNamesTheAxisLineOnce() {
        let swept = ReportLoaderTests.valid.replacingOccurrences(of: "profiles:", with: "sweep:\n  grid: {train.lrr: [1, 2], seed: [0, \"x\"]}\nprofiles:")
        let problems = parse(swept)
        XCTAssertEqual(problems.count, 2, "once, not once per sweep point: \(problems)")
        XCTAssertTrue(problems.contains { $0.line == 24 && $0.column == 10 && $0.message.contains("unknown key 'lrr'") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.line == 24 && $0.message.contains("found 'x'") }, "\(problems)")
    }

    func testPublishedValuesForAnUnknownRunAreAnError() {
        let table = ReportLoaderTests.valid + "\n\n```table rse\nkind: rse\nrun: tiny\npaper:\n  source: \"Paper\"\n  values:\n    tiny: {test: 0.1}\n    tiyn: {test: 0.2}\n```\n"
        let problems = parse(table)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertEqual(problems.first?.line, 45)
        XCTAssertTrue(problems.first?.message.contains("published values for run 'tiyn', which it does not show; did you mean 'tiny'?") == true, "\(problems)")
    }

    func testInputFilesMustResolveInsideTheProject() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("inputs-\(UUID().uuidString)")
        let project = root.appendingPathComponent("project")
        let reports = URL(fileURLWithPath: project.appendingPathComponent("reports").path, isDirectory: true)
        try fm.createDirectory(at: reports.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: root) }
        let png = Data([0x89, 0x50, 0x4E, 0x47])
        try png.write(to: root.appendingPathComponent("secret.png"))
        try png.write(to: reports.appendingPathComponent("data/inside.png"))
        try fm.createSymbolicLink(atPath: reports.appendingPathComponent("data/link.png").path, withDestinationPath: root.appendingPathComponent("secret.png").path)
        func report(_ file: String) -> String {
            "---\ntitle: I\n---\n\n```experiment picture\nmethod: sgdl\ntask:\n  kind: image\n  file: \(file)\n  size: 16\nmodel:\n  hidden: [8]\ntrain:\n  lr: 1.0e-3\n  epochs: 5\n```\n"
        }
        for outside in ["../../secret.png", root.appendingPathComponent("secret.png").path, "data/link.png"] {
            let problems = parse(report(outside), base: reports)
            XCTAssertTrue(problems.contains { $0.message.contains("resolves outside the project") && $0.line == 9 }, "\(outside): \(problems)")
            XCTAssertFalse(problems.contains { $0.message.contains(root.path) }, "no absolute path in the message: \(problems)")
        }
        XCTAssertEqual(parse(report("data/inside.png"), base: reports), [])
        let missing = parse(report("data/none.png"), base: reports)
        XCTAssertEqual(missing.map(\.message), ["image file not found: data/none.png (paths are relative to the report's folder)"])
    }
}
