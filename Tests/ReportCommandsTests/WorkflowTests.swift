import Foundation
import XCTest

/// The daily loop, with the built binary: `--only` keeps the other reports, profiles fall back,
/// exit statuses are 0/1/2, the project root is found from a subfolder, provenance, figure options.
final class WorkflowTests: XCTestCase, BuiltBinaryTesting {
    static func report(title: String, prose: String, profiles: String = "", figure: String = "") -> String {
        tinyReport(title: title, prose: prose, profiles: profiles, figureKind: "fit", extra: figure)
    }

    func workspace(_ reports: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-flow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("notes/deeper"), withIntermediateDirectories: true)
        for (name, text) in reports {
            try text.write(to: dir.appendingPathComponent("reports/\(name).md"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    func testOnlyKeepsTheOtherReportsAndFindsTheRootFromASubfolder() throws {
        let dir = try workspace(["alpha": Self.report(title: "Alpha", prose: "Alpha prose, first version."),
                                 "beta": Self.report(title: "Beta", prose: "Beta prose, first version.")])
        defer { try? FileManager.default.removeItem(at: dir) }
        // From a subfolder, without --templates, --out or --store: everything lands at the root.
        let sub = dir.appendingPathComponent("notes/deeper")
        let first = try run(["build", "--quiet"], in: sub)
        XCTAssertEqual(first.status, 0, first.stderr)
        let site = dir.appendingPathComponent("site")
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("alpha/index.html").path), "the site is at the project root")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".mgdl-store").path), "the store is at the project root")
        XCTAssertFalse(FileManager.default.fileExists(atPath: sub.appendingPathComponent("site").path))
        let betaBefore = try Data(contentsOf: site.appendingPathComponent("beta/index.html"))

        // Edit both; rebuild only alpha: beta's page stays as it was, the index still lists both.
        for name in ["alpha", "beta"] {
            let url = dir.appendingPathComponent("reports/\(name).md")
            try read(url).replacingOccurrences(of: "first version", with: "second version").write(to: url, atomically: true, encoding: .utf8)
        }
        let only = try run(["build", "--only", "alpha", "--quiet"], in: dir)
        XCTAssertEqual(only.status, 0, only.stderr)
        XCTAssertTrue(try read(site.appendingPathComponent("alpha/index.html")).contains("Alpha prose, second version."))
        XCTAssertEqual(try Data(contentsOf: site.appendingPathComponent("beta/index.html")), betaBefore, "beta is kept as it was")
        for file in ["beta/figures/fit.png", "beta/figures/fit.pdf", "beta/beta.ipynb", "beta/runs/tiny.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(file).path), "kept: \(file)")
        }
        let index = try read(site.appendingPathComponent("index.html"))
        XCTAssertTrue(index.contains("href=\"alpha/index.html\"") && index.contains("href=\"beta/index.html\""), "the index lists both")
        let search = try read(site.appendingPathComponent("search-data.js"))
        XCTAssertTrue(search.contains("Alpha prose, second version") && search.contains("Beta prose, first version"), "search covers both")
        // A report that is gone is not kept.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("reports/beta.md"))
        XCTAssertEqual(try run(["build", "--only", "alpha", "--quiet"], in: dir).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("beta").path))
    }

    func testUndeclaredProfileFallsBackAndExitStatusesAreTheDocumentedThree() throws {
        let paper = "profiles:\n  paper:\n    train: {steps: 30}"
        let dir = try workspace(["alpha": Self.report(title: "Alpha", prose: "No profiles here."),
                                 "beta": Self.report(title: "Beta", prose: "Declares paper.", profiles: paper)])
        defer { try? FileManager.default.removeItem(at: dir) }
        // alpha declares no `paper` profile: it builds its base declaration.
        let fallback = try run(["build", "--only", "alpha", "--profile", "paper", "--quiet"], in: dir)
        XCTAssertEqual(fallback.status, 0, fallback.stderr)
        // A profile no report declares is a typo: exit 2, not Argument Parser's 64.
        let typo = try run(["validate", "--profile", "papr"], in: dir)
        XCTAssertEqual(typo.status, 2, typo.stderr)
        XCTAssertTrue(typo.stderr.contains("unknown profile 'papr'") && typo.stderr.contains("paper"), typo.stderr)
        // Usage errors are invalid input too.
        XCTAssertEqual(try run(["build", "--no-such-option"], in: dir).status, 2)
        XCTAssertEqual(try run(["build", "-j", "0"], in: dir).status, 2)
        XCTAssertEqual(try run(["build", "-S", "nonsense"], in: dir).status, 2)
        XCTAssertEqual(try run(["--help"], in: dir).status, 0)
        XCTAssertEqual(try run(["--version"], in: dir).status, 0)
    }

    func testProvenanceNamesOverridesAndLibrariesAndOnlyTheRecordHasTheDate() throws {
        let dir = try workspace(["alpha": Self.report(title: "Alpha", prose: "Prose.")])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try run(["build", "-S", "train.lr=0.002", "--quiet"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        let page = try read(dir.appendingPathComponent("site/alpha/index.html"))
        XCTAssertTrue(page.contains("<code>-S train.lr=0.002</code>"), "the page says which overrides were applied")
        XCTAssertTrue(page.contains("<p class=\"overrides-note\" role=\"note\"><strong>Built with overrides</strong> <code>-S train.lr=0.002</code>"),
                      "a note at the top warns that the prose may state other settings")
        for library in ["OpenBLAS", "libxsmm", "FFTW", "Cairo", "HarfBuzz", "Swift"] { XCTAssertTrue(page.contains(library), library) }
        let record = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("site/provenance.json"))) as? [String: Any])
        let libraries = try XCTUnwrap(record["libraries"] as? [String: String])
        let xsmm = try XCTUnwrap(libraries["libxsmm"], "the small-GEMM library the engine uses")
        XCTAssertNotNil(xsmm.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+)? \([a-z0-9_.-]+\), JIT target [a-z0-9_]+$"#, options: .regularExpression), xsmm)
        let built = try XCTUnwrap(record["built"] as? String)
        XCTAssertNotNil(ISO8601DateFormatter().date(from: built), built)
        XCTAssertEqual(record["overrides"] as? [String], ["train.lr=0.002"])
        XCTAssertFalse(page.contains(String(built.prefix(10))), "no page carries the build date")
        // The first rebuild restores the run from the store, which the record says (a new date);
        // after that nothing changes: the record (and its date) is not rewritten.
        _ = try run(["build", "-S", "train.lr=0.002", "--quiet"], in: dir)
        let record1 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("site/provenance.json"))) as? [String: Any])
        Thread.sleep(forTimeInterval: 1.1)
        let again = try run(["build", "-S", "train.lr=0.002"], in: dir)
        XCTAssertTrue(again.stdout.contains(" 0 file(s) rewritten"), again.stdout)
        let record2 = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("site/provenance.json"))) as? [String: Any])
        XCTAssertEqual(record2["built"] as? String, record1["built"] as? String)
    }

    func testFigureOptionsReachTheFigureAndABadSeriesNameFailsTheFigure() throws {
        let options = "x_range: [0.25, 0.75]\ny_log: false\nx_label: \"position z\"\non_top: network"
        let dir = try workspace(["alpha": Self.report(title: "Alpha", prose: "Prose.", figure: options)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let ok = try run(["build", "--quiet"], in: dir)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let svg = try read(dir.appendingPathComponent("site/alpha/figures/fit.svg"))
        // The SVG's <title> is the alt text: the report's range and label, and the network drawn after
        // (over) the target, as on_top asks (the recipe itself draws the target last).
        XCTAssertTrue(svg.contains("x axis &quot;position z&quot; from 0.25 to 0.75"), String(svg.prefix(600)))
        XCTAssertTrue(svg.contains("line &quot;target&quot; (32 points, x 0 to 0.9688, y -1.536 to 1.536); line &quot;network&quot;"), String(svg.prefix(900)))
        let notebook = try read(dir.appendingPathComponent("site/alpha/alpha.ipynb"))
        XCTAssertTrue(notebook.contains("position z"), "the notebook uses the report's label")
        // A misspelt series label is a failed figure (exit 1) naming the labels there are.
        let url = dir.appendingPathComponent("reports/alpha.md")
        try read(url).replacingOccurrences(of: "on_top: network", with: "on_top: netwrk").write(to: url, atomically: true, encoding: .utf8)
        let bad = try run(["build", "--quiet"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("'netwrk'") && bad.stderr.contains("'target'"), bad.stderr)
        // A reversed range is invalid input (exit 2) at its line.
        try read(url).replacingOccurrences(of: "x_range: [0.25, 0.75]", with: "x_range: [0.75, 0.25]").write(to: url, atomically: true, encoding: .utf8)
        let invalid = try run(["validate"], in: dir)
        XCTAssertEqual(invalid.status, 2)
        XCTAssertTrue(invalid.stderr.contains("fit.x_range") && invalid.stderr.contains("low end"), invalid.stderr)
    }
}
