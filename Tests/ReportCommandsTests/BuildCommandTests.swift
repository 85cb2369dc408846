import Foundation
import XCTest

/// Runs the built `mgdl-report` binary, as a user would.
final class BuildCommandTests: XCTestCase, BuiltBinaryTesting {
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
            expected += ["svg", "png", "pdf", "csv"].map { "tiny/figures/\(figure).\($0)" }
            expected += ["svg", "png"].map { "tiny/figures/\(figure)-dark.\($0)" }
        }
        for path in expected {
            let url = site.appendingPathComponent(path)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 0, "missing or empty: \(path)")
        }
        let page = try String(contentsOf: site.appendingPathComponent("tiny/index.html"), encoding: .utf8)
        XCTAssertFalse(page.contains("<script>alert(1)</script>"), "the title must be escaped")
        XCTAssertTrue(page.contains("&lt;script&gt;"))
        XCTAssertTrue(page.contains("<em>prose</em>"), "prose is rendered as Markdown")
        XCTAssertTrue(page.contains("alt=\""))
        let png = try Data(contentsOf: site.appendingPathComponent("tiny/figures/heat.png"))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let pdf = try Data(contentsOf: site.appendingPathComponent("tiny/figures/heat.pdf"))
        XCTAssertEqual(String(decoding: pdf.prefix(5), as: UTF8.self), "%PDF-")
        XCTAssertTrue(page.contains("href=\"figures/heat.pdf\""), "the PDF is linked beside SVG, PNG and CSV")
        // No staging folders are left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("staging") || $0.contains(".old-") }
        XCTAssertEqual(leftovers, [])
        // The report site's own promises: run pages, notebook, source, relative links only.
        for path in ["tiny/runs/tiny.html", "tiny/tiny.ipynb", "tiny/tiny.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(path).path), "missing \(path)")
        }
        let runPage = try String(contentsOf: site.appendingPathComponent("tiny/runs/tiny.html"), encoding: .utf8)
        XCTAssertTrue(runPage.contains("href=\"../index.html#run-tiny\""), "the run page links back to its experiment")
        XCTAssertTrue(runPage.contains("record_every: 10"), "the run page shows the configuration")
        XCTAssertFalse(runPage.contains("<script>alert(1)</script>"))
        let nb = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("tiny/tiny.ipynb"))) as? [String: Any])
        XCTAssertEqual(nb["nbformat"] as? Int, 4)
        XCTAssertEqual(nb["nbformat_minor"] as? Int, 5)
        let cells = nb["cells"] as? [[String: Any]] ?? []
        let figureCells = cells.filter { ($0["source"] as? [String])?.joined().contains("load_figure(\"figures/") == true }
        XCTAssertEqual(figureCells.count, 3, "one code cell per figure")
        for cell in figureCells {
            let outputs = cell["outputs"] as? [[String: Any]] ?? []
            XCTAssertEqual(outputs.compactMap { ($0["data"] as? [String: Any])?["image/png"] }.count, 1)
        }
        // Relative links only.
        for page in ["index.html", "tiny/index.html", "tiny/runs/tiny.html"] {
            let html = try String(contentsOf: site.appendingPathComponent(page), encoding: .utf8)
            XCTAssertFalse(html.contains("href=\"/"), page)
            XCTAssertFalse(html.contains("src=\"/"), page)
            XCTAssertFalse(html.contains("http://") || html.contains("https://"), page)
        }
    }

    /// A claim that is not reproduced is reported and does not fail the build, unless
    /// `--strict-claims`; `--json` carries the verdict.
    func testClaimsDoNotFailTheBuildUnlessStrict() throws {
        let report = Self.tinyReport + """


        ```claim too-good
        kind: value
        statement: "The fit is perfect."
        run: tiny
        metric: final_loss
        paper: 1.0e-12
        within: {factor: 10}
        ```
        """
        let dir = try makeWorkspace(report: report)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        let lenient = try run(["build", "--templates", templates, "--quiet"], in: dir)
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertTrue(lenient.stdout.contains("claims: 1 not reproduced"), lenient.stdout)
        XCTAssertTrue(lenient.stderr.contains("claim tiny/too-good: not reproduced"), lenient.stderr)
        let strict = try run(["build", "--templates", templates, "--quiet", "--strict-claims"], in: dir)
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(strict.stderr.contains("claim not reproduced (--strict-claims): tiny/too-good"), strict.stderr)
        let json = try run(["build", "--templates", templates, "--json"], in: dir)
        let events = json.stderr.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let claim = try XCTUnwrap(events.first { $0["event"] as? String == "claim" })
        XCTAssertEqual(claim["verdict"] as? String, "not_reproduced")
        XCTAssertEqual(claim["claim"] as? String, "too-good")
    }

    /// The tiny report plus a two-grade MGDL run and a `grades: true` table, whose page shows
    /// each grade's training time.
    static let gradedReport = tinyReport + """


    ```experiment graded
    method: mgdl
    task: {kind: sum_of_sines, frequencies: [1, 3], split: mgdl, points: 16, validation: 4, test: 4}
    model: {grades: [[8], [8]]}
    train: {lr: 1.0e-3, epochs: 20, batch: 8}
    ```

    ```table grades
    kind: rse
    run: graded
    grades: true
    ```
    """

    func testSameSpecGivesSameBytes() throws {
        let dir = try makeWorkspace(report: Self.gradedReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        // Separate stores: both builds train. Every file is byte-identical but provenance.json,
        // where the wall times are (before, pages and run JSON differed by their timings).
        XCTAssertEqual(try run(["build", "--templates", templates, "--out", "a", "--store", "store-a", "--quiet"], in: dir).status, 0)
        usleep(50_000)
        XCTAssertEqual(try run(["build", "--templates", templates, "--out", "b", "--store", "store-b", "--quiet"], in: dir).status, 0)
        func files(_ root: URL) -> [String: Data] {
            var out: [String: Data] = [:]
            for path in FileManager.default.subpaths(atPath: root.path) ?? [] where path != "lock" {
                let url = root.appendingPathComponent(path)
                if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { out[path] = try? Data(contentsOf: url) }
            }
            return out
        }
        for (x, y) in [("a", "b"), ("store-a", "store-b")] {
            let first = files(dir.appendingPathComponent(x)), second = files(dir.appendingPathComponent(y))
            XCTAssertEqual(first.keys.sorted(), second.keys.sorted())
            XCTAssertTrue(first.keys.contains("tiny/runs/tiny.json") || first.keys.contains { $0.hasSuffix("/result.json") })
            for (path, data) in first where !path.hasSuffix("provenance.json") && !path.hasSuffix("provenance.js") {
                XCTAssertEqual(data, second[path], "\(x)/\(path) differs between two builds of the same spec")
            }
        }
        let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/provenance.json"))) as? [String: Any]
        let runs = provenance?["runs"] as? [String: [String: Any]]
        XCTAssertNotNil(runs?["tiny/tiny"]?["seconds"] as? Double, "the wall time is kept in provenance.json")
        XCTAssertNotNil(provenance?["computeThreads"] as? Int)
        // The grade table's time cells: named on the page, valued only in provenance.json/.js.
        XCTAssertEqual((runs?["tiny/graded"]?["gradeSeconds"] as? [Double])?.count, 2)
        let script = try String(contentsOf: dir.appendingPathComponent("a/provenance.js"), encoding: .utf8)
        XCTAssertTrue(script.contains("window.mgdlProvenance = {") && script.contains("\"tiny/graded\""), script)
        let page = try String(contentsOf: dir.appendingPathComponent("a/tiny/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("<td class=\"time\" data-runs=\"graded\" data-grade=\"2\">"), page)
        XCTAssertTrue(page.contains("<table class=\"comparison\" data-report=\"tiny\">"))
        XCTAssertTrue(page.contains("<script src=\"../provenance.js\"></script>"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a/times.js").path))
        let csv = try String(contentsOf: dir.appendingPathComponent("a/tiny/tables/grades.csv"), encoding: .utf8)
        XCTAssertFalse(csv.contains("time"), csv)
    }

    func stripSeconds(_ data: Data) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        guard var result = object["result"] as? [String: Any] else { return data }
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

    func testRebuildTrainsNothingAndPlanExplainsAMiss() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        let first = try run(["build", "--templates", templates], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("(1 trained, 0 from the store)"), first.stdout)
        let second = try run(["build", "--templates", templates], in: dir)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stdout.contains("(0 trained, 1 from the store)"), second.stdout)
        let cached = try run(["plan"], in: dir)
        XCTAssertTrue(cached.stdout.contains("cached  tiny/tiny"), cached.stdout)
        // --frozen assembles the site from the store.
        XCTAssertEqual(try run(["build", "--templates", templates, "--frozen", "--out", "frozen"], in: dir).status, 0)
        // Change the learning rate: plan says what changed.
        let edited = Self.tinyReport.replacingOccurrences(of: "lr: 3.0e-3", with: "lr: 1.0e-3")
        try edited.write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let plan = try run(["plan"], in: dir)
        XCTAssertTrue(plan.stdout.contains("to run  tiny/tiny"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("train.lr changed 0.003 -> 0.001"), plan.stdout)
        // --frozen now trains nothing: the missing run fails, by name, and its page says why.
        let frozen = try run(["build", "--templates", templates, "--frozen"], in: dir)
        XCTAssertEqual(frozen.status, 1)
        XCTAssertTrue(frozen.stderr.contains("failed run: tiny/tiny"), frozen.stderr)
        XCTAssertTrue(frozen.stdout.contains("(0 trained, 0 from the store)"), frozen.stdout)
        let page = try String(contentsOf: dir.appendingPathComponent("site/tiny/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("--frozen trains nothing"), "the page shows the missing run")
    }

    /// A run too small for two threads computes on one whatever `-j` leaves it: a `-j 1` build
    /// restores what a one-job-per-CPU build trained (same key, same bits), and vice versa.
    func testSmallRunsShareTheirKeyAcrossJobCounts() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        let narrow = try run(["build", "--templates", templates, "-j", "1"], in: dir)
        XCTAssertEqual(narrow.status, 0, narrow.stderr)
        XCTAssertTrue(narrow.stdout.contains("(0 trained, 1 from the store)"), narrow.stdout)
    }

    /// `freeze` copies compact runs into results/, and `build --frozen` builds from results/ alone.
    func testFrozenBuildFromTheCommittedResultsStore() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        // The tiny run keeps its whole prediction at every recorded step: refused, by name.
        let raw = try run(["freeze"], in: dir)
        XCTAssertEqual(raw.status, 1)
        XCTAssertTrue(raw.stderr.contains("tiny/tiny: not frozen") && raw.stderr.contains("keep_predictions"), raw.stderr)
        // Compact recording (spectra, the last prediction): frozen.
        let compact = Self.tinyReport.replacingOccurrences(of: "  record_every: 10\n", with: "  record_every: 10\n  keep_predictions: [60]\n")
        try compact.write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        let freeze = try run(["freeze"], in: dir)
        XCTAssertEqual(freeze.status, 0, freeze.stderr)
        XCTAssertTrue(freeze.stdout.contains("1 run(s) of profile quick in results"), freeze.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("results/runs").path).count, 1)
        // Without the run store: everything comes from results/, nothing trains.
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".mgdl-store"))
        let frozen = try run(["build", "--templates", templates, "--frozen", "--out", "frozen"], in: dir)
        XCTAssertEqual(frozen.status, 0, frozen.stderr)
        XCTAssertTrue(frozen.stdout.contains("(0 trained, 1 from the store)"), frozen.stdout)
        // (The pages differ only in saying where the run came from: trained, then restored.)
        for file in ["tiny/figures/heat.csv", "tiny/figures/heat.svg", "tiny/figures/loss.svg", "tiny/figures/fit.csv", "tiny/figures/fit.png"] {
            XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("frozen/\(file)")),
                           try Data(contentsOf: dir.appendingPathComponent("site/\(file)")), "the same run, restored: \(file)")
        }
        // The download is the committed result: without what no figure reads (the heatmap reads
        // the spectra and predictions, the fit the predictions and the grid: not the learning curves).
        let download = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("frozen/tiny/runs/tiny.json"))) as? [String: Any])
        XCTAssertEqual((download["result"] as? [String: Any])?["omitted"] as? [String], ["curves"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("results/runs").path).count, 1,
                       "a frozen build writes nothing into results/")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/reports/quick/tiny.json").path),
                      "freeze lists the report, frozen whole")
        // The options of the published two-profile site, through the command line.
        let linked = try run(["build", "--templates", templates, "--frozen", "--allow-uncommitted", "--profile-link", "paper=paper",
                              "--out", "linked"], in: dir)
        XCTAssertEqual(linked.status, 0, linked.stderr)
        let page = try String(contentsOf: dir.appendingPathComponent("linked/tiny/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains(#"href="../paper/tiny/index.html""#), "paper=paper is read as the root paper/")
        let lone = try run(["build", "--templates", templates, "--allow-uncommitted", "--out", "lone"], in: dir)
        XCTAssertEqual(lone.status, 2)
        XCTAssertTrue(lone.stderr.contains("--allow-uncommitted goes with --frozen"), lone.stderr)
        let bad = try run(["build", "--templates", templates, "--frozen", "--profile-link", "/abs", "--out", "bad"], in: dir)
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--profile-link expects profile=root"), bad.stderr)
    }

    /// The run page, the run's JSON and `plan` write a run in the report's own keys: a block that
    /// counts epochs shows `epochs`, never the engine's `steps`, `record_snapshots` or
    /// `amplitude_profile`.
    func testRunPageJSONAndPlanUseTheReportsKeys() throws {
        let report = """
        ---
        title: "Keys"
        ---

        ```experiment grades
        method: sgdl
        task:
          kind: sum_of_sines
          frequencies: [1]
          amplitudes: decreasing
          points: 16
        model:
          hidden: [4]
        train:
          lr: 3.0e-3
          epochs: 5
          record_every: 5
        ```
        """
        let dir = try makeWorkspace(report: report)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        let built = try run(["build", "--templates", templates, "--quiet", "-j", "1"], in: dir)
        XCTAssertEqual(built.status, 0, built.stderr)
        let page = try String(contentsOf: dir.appendingPathComponent("site/tiny/runs/grades.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("epochs: 5"), "the declaration")
        XCTAssertTrue(page.contains("epochs 5"), "the summary")
        XCTAssertTrue(page.contains("amplitudes: decreasing"))
        for engineWord in ["steps:", "steps 5", "record_snapshots", "amplitude_profile", "learning_rate", "input_hashes"] {
            XCTAssertFalse(page.contains(engineWord), "\(engineWord) on the run page")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("site/tiny/runs/grades.json"))) as? [String: Any]
        let train = (json?["declaration"] as? [String: Any])?["train"] as? [String: Any]
        XCTAssertEqual(train?["epochs"] as? Int, 5)
        XCTAssertEqual(train?["lr"] as? Double, 3.0e-3)
        XCTAssertNil(train?["steps"])
        XCTAssertNil(train?["recordSnapshots"])
        try report.replacingOccurrences(of: "epochs: 5", with: "epochs: 6")
            .write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let plan = try run(["plan", "-j", "1"], in: dir)
        XCTAssertTrue(plan.stdout.contains("train.epochs changed 5 -> 6"), plan.stdout)
        XCTAssertFalse(plan.stdout.contains("steps"), plan.stdout)
    }

    func testKilledBuildLeavesAStoreThatVerifiesAndASiteThatRebuilds() throws {
        let slow = Self.tinyReport.replacingOccurrences(of: "steps: 60", with: "steps: 200000")
            .replacingOccurrences(of: "```experiment tiny", with: "```experiment quick\ntask:\n  kind: sum_of_sines\n  frequencies: [1]\n  points: 8\nmodel:\n  widths: [1, 4, 1]\ntrain:\n  lr: 1.0e-3\n  steps: 5\n```\n\n```experiment tiny")
        let dir = try makeWorkspace(report: slow)
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = try launch(["build", "--templates", packageRoot.appendingPathComponent("templates").path, "--quiet"], in: dir)
        // Wait until the first (quick) run is stored, then kill -9 while the second trains.
        let runs = dir.appendingPathComponent(".mgdl-store/runs")
        let deadline = Date().addingTimeInterval(60)
        while ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).isEmpty && Date() < deadline {
            usleep(20_000)
        }
        usleep(200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("site").path), "no half-written site")
        let stored = try FileManager.default.contentsOfDirectory(atPath: runs.path)
        XCTAssertEqual(stored.count, 1, "the finished run is kept, the killed one is not")
        // Make the slow run short again and rebuild: the kept run is restored, the site is complete.
        try Self.tinyReport.replacingOccurrences(of: "```experiment tiny", with: "```experiment quick\ntask:\n  kind: sum_of_sines\n  frequencies: [1]\n  points: 8\nmodel:\n  widths: [1, 4, 1]\ntrain:\n  lr: 1.0e-3\n  steps: 5\n```\n\n```experiment tiny")
            .write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let rebuild = try run(["build", "--templates", packageRoot.appendingPathComponent("templates").path], in: dir)
        XCTAssertEqual(rebuild.status, 0, rebuild.stderr)
        XCTAssertTrue(rebuild.stdout.contains("(1 trained, 1 from the store)"), rebuild.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("staging") }
        XCTAssertEqual(leftovers, [], "staging folders of the killed build are cleared")
    }

    func testThreeShardsMergedGiveTheSameSiteAsOneBuild() throws {
        let swept = Self.tinyReport.replacingOccurrences(of: "  steps: 60\n  record_every: 10", with: "  steps: 30\n  record_every: 10\nsweep:\n  grid: {seed: [0, 1, 2, 3, 4]}")
        let dir = try makeWorkspace(report: swept)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        // Three shard processes at once, each with its own store.
        let shards = try (0..<3).map { i -> Process in
            let p = Process()
            p.executableURL = binary
            p.arguments = ["build", "--shard", "\(i)/3", "--store", "shard-\(i)", "--quiet"]
            p.currentDirectoryURL = dir
            try p.run()
            return p
        }
        for p in shards { p.waitUntilExit(); XCTAssertEqual(p.terminationStatus, 0) }
        let counts = try (0..<3).map { try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("shard-\($0)/runs").path).count }
        XCTAssertEqual(counts.reduce(0, +), 5, "every run is trained by exactly one shard: \(counts)")
        let merge = try run(["merge-stores", "--into", "merged", "shard-0", "shard-1", "shard-2"], in: dir)
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertEqual(try run(["verify-store", "--store", "merged"], in: dir).status, 0)
        let frozen = try run(["build", "--frozen", "--store", "merged", "--out", "sharded", "--templates", templates], in: dir)
        XCTAssertEqual(frozen.status, 0, frozen.stderr)
        let single = try run(["build", "--store", "single-store", "--out", "single", "--templates", templates, "--quiet"], in: dir)
        XCTAssertEqual(single.status, 0, single.stderr)
        // Same files; same bytes except the pages (trained here, restored there) and provenance.json/.js
        // (wall times and origins).
        let a = dir.appendingPathComponent("sharded"), b = dir.appendingPathComponent("single")
        func isFile(_ url: URL) -> Bool { (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        let files = try XCTUnwrap(FileManager.default.subpaths(atPath: a.path)).filter { isFile(a.appendingPathComponent($0)) }.sorted()
        XCTAssertEqual(files, try XCTUnwrap(FileManager.default.subpaths(atPath: b.path)).filter { isFile(b.appendingPathComponent($0)) }.sorted())
        XCTAssertTrue(files.contains("tiny/runs/tiny--seed-4.json"), "\(files)")
        for file in files where !file.hasSuffix(".html") && file != "provenance.json" && file != "provenance.js" {
            var x = try Data(contentsOf: a.appendingPathComponent(file)), y = try Data(contentsOf: b.appendingPathComponent(file))
            if file.hasPrefix("tiny/runs/") && file.hasSuffix(".json") { x = try stripSeconds(x); y = try stripSeconds(y) }
            XCTAssertEqual(x, y, "\(file) differs")
        }
    }


    func testEachKindOfBadReportHasItsOwnMessageAndTouchesNothing() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for folder in ["site", ".mgdl-store"] {
                let root = dir.appendingPathComponent(folder)
                for path in FileManager.default.subpaths(atPath: root.path) ?? [] {
                    let url = root.appendingPathComponent(path)
                    if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, path != "lock" {
                        files["\(folder)/\(path)"] = try Data(contentsOf: url)
                    }
                }
            }
            return files
        }
        let before = try snapshot()
        let cases: [(name: String, edit: (String) -> String, expected: String)] = [
            ("malformed YAML", { $0.replacingOccurrences(of: "  points: 32", with: "  points: [32") }, "malformed YAML"),
            ("unknown key", { $0.replacingOccurrences(of: "  record_every: 10", with: "  record_evry: 10") }, "unknown key 'record_evry'; did you mean 'record_every'?"),
            ("wrong type", { $0.replacingOccurrences(of: "  steps: 60", with: "  steps: sixty") }, "tiny.train.steps: expected an integer, found 'sixty'"),
            ("negative width", { $0.replacingOccurrences(of: "widths: [1, 16, 16, 1]", with: "widths: [1, -16, 16, 1]") }, "tiny.model.widths[1]: expected an integer of at least 1, found -16"),
            ("unknown method", { $0.replacingOccurrences(of: "```experiment tiny\n", with: "```experiment tiny\nmethod: mgld\n") }, "did you mean 'mgdl'?"),
            ("missing image file", { _ in Self.imageReport }, "image file not found:"),
        ]
        for c in cases {
            try c.edit(Self.tinyReport).write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
            let result = try run(["build", "--templates", templates], in: dir)
            XCTAssertEqual(result.status, 2, "\(c.name): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(c.expected), "\(c.name): expected '\(c.expected)' in:\n\(result.stderr)")
            XCTAssertTrue(result.stderr.contains("reports/tiny.md:"), "\(c.name) names the file and line: \(result.stderr)")
            XCTAssertEqual(try snapshot(), before, "\(c.name) changed the site or the store")
        }
    }

    static let imageReport = """
    ---
    title: "Image"
    ---

    ```experiment picture
    method: sgdl
    task:
      kind: image
      file: data/no-such-image.png
      size: 16
    model:
      hidden: [8]
    train:
      lr: 1.0e-3
      epochs: 5
    ```
    """

    func testRebuildRewritesOnlyWhatChanged() throws {
        let dir = try makeWorkspace(report: Self.tinyReport)
        defer { try? FileManager.default.removeItem(at: dir) }
        let templates = packageRoot.appendingPathComponent("templates").path
        let first = try run(["build", "--templates", templates], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("(3 drawn)"), first.stdout)
        let figure = dir.appendingPathComponent("site/tiny/figures/heat.png")
        let stamp = try FileManager.default.attributesOfItem(atPath: figure.path)[.modificationDate] as! Date
        // The first rebuild rewrites the two pages that said "trained by this build"; after that,
        // with nothing changed, nothing is trained, drawn or rewritten.
        let restored = try run(["build", "--templates", templates], in: dir)
        XCTAssertTrue(restored.stdout.contains("(0 drawn), 2 file(s) rewritten"), restored.stdout)
        let again = try run(["build", "--templates", templates], in: dir)
        XCTAssertTrue(again.stdout.contains("(0 trained, 1 from the store), 3 figure(s) (0 drawn), 0 file(s) rewritten"), again.stdout)
        // Edited prose: only that report's page, its notebook, its copied source, and the search
        // documents (search-data.js and the report's .site-entry.json) change.
        let edited = Self.tinyReport.replacingOccurrences(of: "A sentence of *prose*.", with: "A sentence of *edited* prose.")
        try edited.write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let prose = try run(["build", "--templates", templates], in: dir)
        XCTAssertTrue(prose.stdout.contains("(0 drawn)"), prose.stdout)
        let rewritten = prose.stdout.range(of: #"(\d+) file\(s\) rewritten"#, options: .regularExpression).map { String(prose.stdout[$0]) } ?? ""
        XCTAssertTrue(["1", "2", "3", "4", "5", "6"].contains(rewritten.split(separator: " ").first.map(String.init) ?? ""), prose.stdout)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: figure.path)[.modificationDate] as! Date, stamp,
                       "an unchanged figure is not rewritten")
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("site/tiny/index.html"), encoding: .utf8).contains("<em>edited</em>"))
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

/// Two declarations that are the same run (one key) train once in a build.
final class SameRunTests: XCTestCase, BuiltBinaryTesting {
    func testARunDeclaredTwiceTrainsOnce() throws {
        let block = { (name: String) in
            "```experiment \(name)\ntask:\n  kind: sum_of_sines\n  frequencies: [1, 3]\n  points: 32\nmodel:\n  widths: [1, 8, 1]\ntrain:\n  lr: 3.0e-3\n  steps: 20\n```\n"
        }
        let report = "---\nversion: 1\ntitle: \"Twice\"\n---\n\nProse.\n\n" + block("first") + "\n" + block("second")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-same-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try report.write(to: dir.appendingPathComponent("reports/twice.md"), atomically: true, encoding: .utf8)
        let result = try run(["build", "--templates", templates, "-j", "2"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("2 run(s) (1 trained, 1 from the store)"), result.stdout)
        let runs = dir.appendingPathComponent("site/twice/runs")
        let first = try String(contentsOf: runs.appendingPathComponent("first.json"), encoding: .utf8)
        let second = try String(contentsOf: runs.appendingPathComponent("second.json"), encoding: .utf8)
        XCTAssertTrue(first.contains("\"losses\"") && second.contains("\"losses\""), "both runs are published")
    }
}
