import Foundation
import XCTest

/// Every message names the right place (file:line:column, or `-S` once) and never shows a raw
/// Foundation error or an absolute path of the build machine.
final class MessagesTests: XCTestCase, BuiltBinaryTesting {
    /// The end-to-end tests' tiny report over three seeds, with a quick profile.
    static let report = tinyReport(title: "Tiny", prose: "Messages.", sweep: "{grid: {seed: [0, 1, 2]}}",
                                   profiles: "profiles:\n  quick:\n    train: {steps: 10}", figureKind: "loss")

    func workspace(_ bytes: Data) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-msg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try bytes.write(to: dir.appendingPathComponent("reports/tiny.md"))
        return dir
    }

    func testFileProblemsNameTheRightLine() throws {
        let good = Self.report
        // CRLF: valid, and a problem is on its own line.
        var dir = try workspace(Data(good.replacingOccurrences(of: "\n", with: "\r\n").utf8))
        XCTAssertEqual(try run(["validate"], in: dir).status, 0)
        try Data(good.replacingOccurrences(of: "lr: 3.0e-3", with: "lr: -1").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .write(to: dir.appendingPathComponent("reports/tiny.md"))
        var result = try run(["validate"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("reports/tiny.md:16:"), result.stderr)
        try? FileManager.default.removeItem(at: dir)
        // The thumbnail's own line.
        dir = try workspace(Data(Self.report.replacingOccurrences(of: "version: 1\n", with: "version: 1\nthumbnail: heat\n").utf8))
        result = try run(["validate"], in: dir)
        XCTAssertTrue(result.stderr.contains("reports/tiny.md:3:1: thumbnail: thumbnail names figure 'heat'"), result.stderr)
        try? FileManager.default.removeItem(at: dir)
        // Not UTF-8: line, column and byte offset.
        var bytes = Data(good.utf8)
        let offset = bytes.range(of: Data("points".utf8))!.lowerBound
        bytes[offset] = 0xFF
        dir = try workspace(bytes)
        result = try run(["validate"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("reports/tiny.md:12:3: the file is not valid UTF-8: byte 0xFF at byte offset \(offset)"), result.stderr)
        try? FileManager.default.removeItem(at: dir)
        // A NUL in the title.
        dir = try workspace(Data(good.replacingOccurrences(of: "\"Tiny\"", with: "\"Ti\0ny\"").utf8))
        result = try run(["validate"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("reports/tiny.md:3:11: the file contains a NUL character"), result.stderr)
        try? FileManager.default.removeItem(at: dir)
    }

    func testCommandLineProblemsNameTheOptionOnce() throws {
        let dir = try workspace(Data(Self.report.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        var result = try run(["validate", "-S", "train.steps=abc"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr.components(separatedBy: "-S").count - 1, 1, "names -S once: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("-S train.steps=abc: expected an integer, found 'abc'"), result.stderr)
        XCTAssertFalse(result.stderr.contains("reports/tiny.md"), "not the report's fault: \(result.stderr)")
        XCTAssertFalse(result.stderr.contains("no experiment is named"), result.stderr)
        result = try run(["validate", "-S", "tiny.train.lr=fast"], in: dir)
        XCTAssertEqual(result.stderr.components(separatedBy: "-S").count - 1, 1, result.stderr)
        XCTAssertFalse(result.stderr.contains("no experiment is named"), result.stderr)
        // The README's example: the training length of every experiment, steps or epochs.
        result = try run(["validate", "-S", "train.epochs=100"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        // A misspelt profile.
        result = try run(["validate", "--profile", "quik"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("did you mean 'quick'?"), result.stderr)
        // A folder that does not exist: no Foundation error, no absolute path.
        result = try run(["validate", "--reports", "nowhere"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("nowhere: cannot read the reports folder (no such file or folder)"), result.stderr)
        XCTAssertFalse(result.stderr.contains(dir.path) || result.stderr.contains("NSCocoaErrorDomain"), result.stderr)
        result = try run(["validate", "--max-memory", "lots"], in: dir)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("--max-memory expects a size such as 16G"), result.stderr)
    }

    /// The crash list, through `build`: each is refused (exit 2) before anything is
    /// trained or written, in well under the time a crash or hang would take.
    func testBuildRefusesWhatWouldCrashBeforeTrainingAnything() throws {
        let good = Self.report
        func list(_ range: Range<Int>) -> String { "[" + range.map(String.init).joined(separator: ", ") + "]" }
        let cases: [(String, String, String)] = [
            ("frequencies: [1, 3]", "frequencies: [1, 4611686018427387904]", "as a frequency is above the limit"),
            ("frequencies: [1, 3]", "frequencies: {from: 1, to: 10000000000}", "has more than 100000 values"),
            ("points: 32", "points: 1000000000000", "points is above the limit"),
            ("widths: [1, 8, 1]", "widths: [1, 1000000000, 1]", "as a layer width is above the limit"),
            ("widths: [1, 8, 1]", "widths: [1, 65536, 65536, 65536, 1]", "--max-memory"),
            ("  record_every: 10", "  record_every: 10\n  batch: 9223372036854775807", "larger than the 32 training points"),
            ("grid: {seed: [0, 1, 2]}", "grid: {seed: \(list(0..<200)), task.points: \(list(32..<132))}", "more than 10000 runs"),
        ]
        for (old, new, expected) in cases {
            let text = good.replacingOccurrences(of: old, with: new)
            XCTAssertNotEqual(text, good)
            let dir = try workspace(Data(text.utf8))
            defer { try? FileManager.default.removeItem(at: dir) }
            let start = Date()
            let result = try run(["build", "--templates", templates, "--quiet"], in: dir)
            XCTAssertEqual(result.status, 2, "\(new): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), "\(new): \(result.stderr)")
            XCTAssertLessThan(Date().timeIntervalSince(start), 20)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("site").path), "no site written")
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".mgdl-store/runs").path)) ?? []
            XCTAssertEqual(runs, [], "nothing trained")
        }
    }

    func testNotebookMarkdownCellsEscapeUserStrings() throws {
        let hostile = Self.report
            .replacingOccurrences(of: "title: \"Tiny\"", with: "title: \"Tiny <script>alert(1)</script>\"")
            .replacingOccurrences(of: "caption: \"Loss.\"", with: "caption: \"Loss <img src=x onerror=alert(1)>.\"")
        let dir = try workspace(Data(hostile.utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try run(["build", "--templates", templates, "-j", "1", "--quiet"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let notebook = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("site/tiny/tiny.ipynb"))) as? [String: Any])
        let markdown = (notebook["cells"] as? [[String: Any]] ?? []).filter { $0["cell_type"] as? String == "markdown" }
            .map { ($0["source"] as? [String] ?? []).joined() }.joined(separator: "\n")
        XCTAssertFalse(markdown.contains("<script>"), markdown)
        XCTAssertFalse(markdown.contains("<img"), markdown)
        XCTAssertTrue(markdown.contains("&lt;script&gt;"), markdown)
        XCTAssertTrue(markdown.contains("&lt;img src=x onerror=alert(1)&gt;"), markdown)
    }
}
