import Foundation
import XCTest

/// Runs the built `mgdl-report` binary, as a user would.
final class BuildCommandTests: XCTestCase {
    var binary: URL {
        // The test bundle sits in the build products folder, next to the executable.
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }
            .map { URL(fileURLWithPath: $0.bundlePath).deletingLastPathComponent() }
            ?? Bundle.main.bundleURL
        return products.appendingPathComponent("mgdl-report")
    }

    var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func makeWorkspace(report: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try report.write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        return dir
    }

    static let tinyReport = """
    ---
    version: 1
    title: "Tiny <script>alert(1)</script>"
    summary: "A tiny end-to-end report."
    ---

    A sentence of *prose*.

    ```experiment tiny
    task:
      kind: sum_of_sines
      frequencies: [1, 3]
      phases: {seed: 2}
      points: 32
    model:
      widths: [1, 16, 16, 1]
    train:
      lr: 3.0e-3
      steps: 60
      record_every: 10
    ```

    ```figure heat
    kind: spectral_evolution
    run: tiny
    caption: "Spectral evolution."
    ```

    ```figure loss
    kind: loss
    run: tiny
    caption: "Loss."
    ```

    ```figure fit
    kind: fit
    run: tiny
    caption: "Fit."
    ```
    """

    func testBuildWritesEveryPromisedFile() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        let result = try run(["build", "--templates", templates, "--out", "out", "--quiet"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let site = dir.appendingPathComponent("out")
        var expected = ["index.html", "style.css", "tiny/index.html", "tiny/runs/tiny.json"]
        for figure in ["heat", "loss", "fit"] {
            expected += ["svg", "png", "csv"].map { "tiny/figures/\(figure).\($0)" }
            expected += ["svg", "png"].map { "tiny/figures/\(figure)-dark.\($0)" }
        }
        for path in expected {
            let url = site.appendingPathComponent(path)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size ?? 0, 0, "missing or empty: \(path)")
        }
        let page = try String(contentsOf: site.appendingPathComponent("tiny/index.html"), encoding: .utf8)
        XCTAssertFalse(page.contains("<script>alert(1)</script>"), "the title must be escaped")
        XCTAssertTrue(page.contains("&lt;script&gt;"))
        XCTAssertTrue(page.contains("<em>prose</em>"), "prose is rendered as Markdown")
        XCTAssertTrue(page.contains("alt=\""))
        let png = try Data(contentsOf: site.appendingPathComponent("tiny/figures/heat.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // No staging folders are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("staging") || $0.contains(".old-") }
        XCTAssertEqual(leftovers, [])
    }

    func testSameSpecGivesSameBytes() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        XCTAssertEqual(try run(["build", "--templates", templates, "--out", "a", "--quiet"], in: dir).status, 0)
        XCTAssertEqual(try run(["build", "--templates", templates, "--out", "b", "--quiet"], in: dir).status, 0)
        for path in ["tiny/runs/tiny.json", "tiny/figures/heat.svg", "tiny/figures/heat.png", "tiny/figures/fit.csv"] {
            var a = try Data(contentsOf: dir.appendingPathComponent("a/\(path)"))
            var b = try Data(contentsOf: dir.appendingPathComponent("b/\(path)"))
            if path.hasSuffix(".json") {
                // Wall time is the one field allowed to differ.
                a = try stripSeconds(a); b = try stripSeconds(b)
            }
            XCTAssertEqual(a, b, "\(path) differs between two builds of the same spec")
        }
    }

    func stripSeconds(_ data: Data) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        var result = object["result"] as! [String: Any]
        result["seconds"] = 0
        object["result"] = result
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    func testInvalidReportExitsTwoAndLeavesTheSiteAlone() throws {
        let dir = try makeWorkspace(report: Self.tinyReport.replacingOccurrences(of: "  lr: 3.0e-3", with: "  lr: -1"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try "old".write(to: site.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        let result = try run(["build"], in: dir)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("reports/tiny.md:18"), result.stderr)
        XCTAssertTrue(result.stderr.contains("tiny.train.lr"), result.stderr)
        XCTAssertEqual(try String(contentsOf: site.appendingPathComponent("index.html"), encoding: .utf8), "old")
    }

    func testHelpAndVersion() throws {
        let dir = FileManager.default.temporaryDirectory
        let help = try run(["--help"], in: dir)
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("build"))
        XCTAssertTrue(help.stdout.contains("reports/"))
        let version = try run(["--version"], in: dir)
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.contains("0."), version.stdout)
    }
}
