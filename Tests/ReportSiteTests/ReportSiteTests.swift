import Experiments
import Foundation
import Plotting
@testable import ReportSite
import Tasks
import XCTest

/// Fast checks of the pages, run pages and notebooks, without training: runs are made up
/// (decoded from JSON) or restored from a run store the test fills.
final class ReportSiteTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templates = packageRoot.appendingPathComponent("templates")

    static let hostileTitle = "<script>alert(1)</script>"
    static let hostileCaption = "<img src=x onerror=alert(2)> & \"quoted\""

    static let reportText = """
        ---
        version: 1
        title: "\(hostileTitle)"
        summary: "Summary with <b>markup</b>."
        thumbnail: heat
        ---

        Some *prose*. The loss of good ends at {{final_loss of good}}; bad gives {{final_loss of bad}}.

        ```experiment good
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          points: 16
        model:
          widths: [1, 8, 1]
        train:
          lr: 1.0e-3
          steps: 4
          record_every: 2
        ```

        ```figure heat
        kind: spectral_evolution
        run: good
        caption: "\(hostileCaption.replacingOccurrences(of: "\"", with: "\\\""))"
        ```

        ```experiment bad
        seed: 1
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          points: 16
        model:
          widths: [1, 8, 1]
        train:
          lr: 1.0e-3
          steps: 4
          record_every: 2
        ```

        ```figure bad-fit
        kind: fit
        run: bad
        caption: "Cannot be drawn."
        ```
        """

    static func report(_ text: String = reportText, id: String = "demo") throws -> Report {
        let (report, problems) = ReportLoader.parse(text: text, id: id, file: "reports/\(id).md", profile: "quick")
        guard let report else {
            XCTFail("the test report is invalid: \(problems)")
            throw CocoaError(.coderInvalidValue)
        }
        return report
    }

    static func result(name: String, failed: Bool = false) throws -> RunResult {
        let inputs = (0..<16).map { Double($0) / 16 }
        let target = inputs.map { sin(2 * .pi * $0) + sin(6 * .pi * $0) }
        let object: [String: Any] = [
            "name": name, "status": failed ? "failed" : "ok",
            "message": failed ? "training diverged: the loss became <nan> at step 3" : NSNull(),
            "inputs": inputs, "target": target, "frequencies": [1, 3], "targetAmplitudes": [1.0, 1.0],
            "losses": [1.0, 0.5, 0.25, 0.125],
            "snapshots": [["step": 0, "prediction": inputs.map { _ in 0.0 }], ["step": 4, "prediction": target]],
            "seconds": 0.25, "parameterCount": 25, "finalRSE": 0.01,
        ]
        return try JSONDecoder().decode(RunResult.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])

    /// A page where `good` ran and `bad` failed, `heat` was drawn and `bad-fit` was not.
    static func page() throws -> ReportPage {
        let report = try report()
        let runs = ["good": try result(name: "good"), "bad": try result(name: "bad", failed: true)]
        let alt = "One panel.\nPanel: x axis \"frequency k\" from 0 to 4; y axis \"training iteration\" from -1 to 5. heatmap 2×2 (viridis colormap, colour bar \"<b>ratio</b>\")."
        let figures = [
            "heat": FigureFiles(name: "heat", altText: alt, error: nil, png: png, width: 560, height: 440),
            "bad-fit": FigureFiles(name: "bad-fit", altText: "", error: "run 'bad' failed, so there is nothing to draw"),
        ]
        let provenance = Provenance(context: ["toolVersion": toolVersion, "commit": "0123456789ab", "inGit": true, "dirty": true,
                                              "os": "Linux", "cpu": "a CPU", "profile": "quick"])
        return ReportPage(report: report, runs: runs, figures: figures, provenance: provenance, restored: ["good"])
    }

    func render(_ context: [String: Any], _ template: String) throws -> String {
        try SiteTemplates(directory: Self.templates).render(context, template: template)
    }

    // MARK: - Notebook

    func testNotebookIsNbformat45WithOneCodeCellPerDrawnFigure() throws {
        let page = try Self.page()
        let data = try Notebook(page: page).data()
        XCTAssertEqual(data, try Notebook(page: page).data(), "the notebook's bytes must not change between two writes")
        let nb = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(nb["nbformat"] as? Int, 4)
        XCTAssertEqual(nb["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(nb["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["kernelspec"] as? [String: Any])?["name"] as? String, "python3")
        let cells = try XCTUnwrap(nb["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        XCTAssertEqual(ids.count, cells.count, "every cell has an id")
        XCTAssertEqual(Set(ids).count, ids.count, "cell ids are unique")
        for id in ids {
            XCTAssertTrue((1...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, id)
        }
        for cell in cells {
            XCTAssertEqual(Set(cell.keys).subtracting(["cell_type", "id", "metadata", "source", "execution_count", "outputs"]), [])
            let type = cell["cell_type"] as? String
            XCTAssertTrue(type == "markdown" || type == "code")
            if type == "code" {
                XCTAssertTrue(cell["execution_count"] is NSNull)
                XCTAssertNotNil(cell["outputs"] as? [Any])
            } else {
                XCTAssertNil(cell["outputs"])
            }
        }
        let figureCells = cells.filter { ($0["source"] as? [String])?.joined().contains("load_figure(\"figures/") == true }
        XCTAssertEqual(figureCells.count, 1, "one code cell for the drawn figure; the failed one is a Markdown cell")
        let source = (figureCells[0]["source"] as? [String])?.joined() ?? ""
        XCTAssertTrue(source.contains("load_figure(\"figures/heat.csv\")"), source)
        XCTAssertTrue(source.contains("ax.set_xlabel(\"frequency k\")"), "labels come from the figure: \(source)")
        let outputs = try XCTUnwrap(figureCells[0]["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs[0]["output_type"] as? String, "display_data")
        let bundle = try XCTUnwrap(outputs[0]["data"] as? [String: Any])
        XCTAssertEqual(bundle["image/png"] as? String, Self.png.base64EncodedString(), "the stored output is our PNG")
        let markdown = cells.filter { $0["cell_type"] as? String == "markdown" }.compactMap { ($0["source"] as? [String])?.joined() }
        XCTAssertTrue(markdown.contains { $0.contains("Some *prose*.") }, "the prose is a Markdown cell")
        XCTAssertTrue(markdown.contains { $0.contains("Figure `bad-fit` could not be drawn") })
        XCTAssertTrue(markdown.contains { $0.contains("```yaml") && $0.contains("lr:") }, "each experiment shows its configuration")
        XCTAssertTrue(markdown.contains { $0.contains("This run failed:") && $0.contains("diverged") })
    }

    func testNotebookMultilineStrings() {
        XCTAssertEqual(Notebook.lines("a\nb\n"), ["a\n", "b\n"])
        XCTAssertEqual(Notebook.lines("a\nb"), ["a\n", "b"])
        XCTAssertEqual(Notebook.lines(""), [])
        XCTAssertEqual(Notebook.py("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"")
    }

    /// A figure's notebook cell is written from the figure's outline (grid, titles, labels, log
    /// axes, colour bar) kept beside it, not read back from its alt text.
    func testNotebookCellsUseTheFiguresOutline() throws {
        let figure = Figure(width: 800, height: 600)
        let panels = figure.grid(rows: 2, columns: 2)
        panels[0].title = "iteration 0"
        panels[0].xLabel = "z"
        panels[0].yLabel = "value"
        panels[0].line(x: [0, 1], y: [1, 2], label: "target")
        panels[1].title = "iteration 10"
        panels[1].yLabel = "loss"
        panels[1].yScale = .log
        panels[1].line(x: [0, 1], y: [1, 2])
        let outline = figure.outline
        XCTAssertEqual(outline.rows, 2)
        XCTAssertEqual(outline.columns, 2)
        XCTAssertEqual(outline.panels.map(\.number), [1, 2], "empty panels are left out")
        XCTAssertEqual(outline.panel(1)?.title, "iteration 0")
        XCTAssertEqual(outline.panel(2)?.yLabel, "loss")
        XCTAssertEqual(outline.panel(2)?.yLog, true)
        XCTAssertEqual(outline.panel(1)?.yLog, false)
        let heat = Figure()
        let axes = heat.addAxes()
        axes.xLabel = "$k$"
        axes.colorbar(for: axes.heatmap([[0, 1]], x: [0, 1], y: [0]), label: "ratio")
        XCTAssertEqual(heat.outline.panel(1)?.xLabel, "k", "labels as plain text")
        XCTAssertEqual(heat.outline.panel(1)?.colorbar, "ratio")

        var spec = try Self.figureSpec(kind: "layer_norms")
        spec.name = "norms"
        let cell = spec.kind.recipe.notebookCell(NotebookFigureCell(spec: spec, outline: outline, width: 800, height: 600))
        XCTAssertTrue(cell.contains("plt.subplots(2, 2, figsize=(8.00, 6.00)"), cell)
        XCTAssertTrue(cell.contains(#"2: ("iteration 10", "", "loss", False, True)"#), "title, labels, log x, log y: \(cell)")
        let fit = FigureKind.fit.recipe.notebookCell(NotebookFigureCell(spec: spec, outline: outline, width: 800, height: 600))
        XCTAssertTrue(fit.contains(#"titles = {1: "iteration 0", 2: "iteration 10"}"#), fit)
        XCTAssertTrue(fit.contains(#"ax.set_xlabel("z")"#), fit)
    }

    // MARK: - Pages

    func testHostileStringsShowAsText() throws {
        let page = try Self.page()
        let html = try render(page.context(), "report")
        XCTAssertFalse(html.contains(Self.hostileTitle), "the title must be escaped")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertFalse(html.contains("<img src=x"), "the caption must be escaped")
        XCTAssertTrue(html.contains("&lt;img src=x onerror=alert(2)&gt; &amp; &quot;quoted&quot;"))
        XCTAssertFalse(html.contains("<b>ratio</b>"), "the alt text must be escaped")
        XCTAssertTrue(html.contains("&lt;b&gt;ratio&lt;/b&gt;"))
        XCTAssertFalse(html.contains("<b>markup</b>"), "the summary must be escaped")
        XCTAssertFalse(html.contains("<nan>"), "error messages must be escaped")
        XCTAssertTrue(html.contains("<em>prose</em>"), "the prose is Markdown")
        let index = try render(ReportPage.indexContext(entries: [page.indexEntry()], profile: "quick", provenance: page.provenance), "index")
        XCTAssertFalse(index.contains(Self.hostileTitle))
        XCTAssertFalse(index.contains("<b>markup</b>"))
        XCTAssertFalse(index.contains("<img src=x"))
        let spec = try XCTUnwrap(page.report.experiments.first { $0.name == "good" })
        let run = try render(RunPage(page: page, spec: spec).context(), "run")
        XCTAssertFalse(run.contains(Self.hostileTitle))
        XCTAssertTrue(run.contains("&lt;script&gt;"))
    }

    func testFailuresShowAsErrorBlocks() throws {
        let page = try Self.page()
        XCTAssertTrue(page.failed)
        let html = try render(page.context(), "report")
        XCTAssertTrue(html.contains("This report is incomplete"))
        XCTAssertTrue(html.contains("<strong>Run bad failed:</strong> training diverged: the loss became &lt;nan&gt; at step 3"), html)
        XCTAssertTrue(html.contains("<strong>Figure bad-fit could not be drawn:</strong> run &#39;bad&#39; failed"), html)
        XCTAssertEqual(html.components(separatedBy: "class=\"error-block\"").count - 1, 3, "the summary, the run and the figure")
        let spec = try XCTUnwrap(page.report.experiments.first { $0.name == "bad" })
        let run = try render(RunPage(page: page, spec: spec).context(), "run")
        XCTAssertTrue(run.contains("class=\"error-block\""))
        XCTAssertTrue(run.contains("✗ failed"))
    }

    func testIndexListsThumbnailsAndStatuses() throws {
        let failing = try Self.page()
        let report = try Self.report(Self.reportText.replacingOccurrences(of: "title: \"\(Self.hostileTitle)\"", with: "title: \"All good\""), id: "fine")
        let ok = ReportPage(report: report, runs: ["good": try Self.result(name: "good"), "bad": try Self.result(name: "bad")],
                            figures: ["heat": FigureFiles(name: "heat", altText: "alt", error: nil, png: Self.png),
                                      "bad-fit": FigureFiles(name: "bad-fit", altText: "alt", error: nil, png: Self.png)],
                            provenance: failing.provenance)
        XCTAssertFalse(ok.failed)
        let html = try render(ReportPage.indexContext(entries: [failing.indexEntry(), ok.indexEntry()], profile: "quick",
                                                      provenance: ok.provenance), "index")
        XCTAssertTrue(html.contains("href=\"demo/index.html\""))
        XCTAssertTrue(html.contains("href=\"fine/index.html\""))
        XCTAssertTrue(html.contains("src=\"demo/figures/heat.png\""), "thumbnail PNG")
        XCTAssertTrue(html.contains("srcset=\"fine/figures/heat-dark.svg\""), "dark thumbnail")
        XCTAssertTrue(html.contains("report-card failed"))
        XCTAssertTrue(html.contains("✗ failed"))
        XCTAssertTrue(html.contains("✓ ok"))
        XCTAssertTrue(html.contains("run bad failed"), "the index says what failed")
        XCTAssertTrue(html.contains("href=\"demo/demo.ipynb\""), "the notebook is linked")
    }

    func testRunPageShowsConfigurationMetricsAndLinksBack() throws {
        let page = try Self.page()
        let spec = try XCTUnwrap(page.report.experiments.first { $0.name == "good" })
        let html = try render(RunPage(page: page, spec: spec).context(), "run")
        XCTAssertTrue(html.contains("href=\"../index.html\""), "back to the report")
        XCTAssertTrue(html.contains("href=\"../../index.html\""), "back to the index")
        XCTAssertTrue(html.contains("href=\"../index.html#run-good\""), "back to the experiment")
        XCTAssertTrue(html.contains("href=\"good.json\""), "the JSON download")
        XCTAssertTrue(html.contains("href=\"../index.html#figure-heat\""), "the figures showing the run")
        XCTAssertTrue(html.contains("restored from the run store"))
        XCTAssertTrue(html.contains("final RSE on the grid"))
        XCTAssertTrue(html.contains("1.000e-02"))
        let yaml = RunPage.declarationYAML(spec)
        for key in ["method: mlp", "seed: 0", "widths: [1, 8, 1]", "lr:", "record_every: 2", "init:"] {
            XCTAssertTrue(yaml.contains(key), "\(key) missing from\n\(yaml)")
        }
        XCTAssertTrue(html.contains("record_every: 2"))
    }

    func testProvenanceListsSeedsOriginsAndDirtyFlagButNoTimes() throws {
        let html = try render(try Self.page().context(), "report")
        XCTAssertTrue(html.contains("<code>0123456789ab</code> (the working tree had uncommitted changes)"))
        XCTAssertTrue(html.contains("restored from the run store"))
        XCTAssertFalse(html.contains(">0.2</td>") || html.contains(">0.3</td>"), "run times are in provenance.json, not on the page")
        XCTAssertTrue(html.contains("href=\"../provenance.json\""))
        XCTAssertTrue(html.contains("href=\"runs/good.html\""))
        XCTAssertTrue(html.contains("href=\"demo.ipynb\""))
    }

    /// How a page prints built values: ranges as "low–high", differences signed, the hover text
    /// says what was read and how many runs.
    func testBuiltValuesPrintRangesAndDifferences() throws {
        let report = try Self.report()
        var good = try Self.result(name: "good")
        var other = try Self.result(name: "bad")
        other.losses = [1, 0.5]
        good.losses = [1, 0.125]
        let page = ReportPage(report: report, runs: ["good": good, "bad": other], figures: [:],
                              provenance: Provenance(context: ["profile": "quick"]), restored: [])
        func text(_ inner: String) -> (text: String, what: String) {
            guard case .success(let value) = ProseValue.parse(inner) else { XCTFail(inner); return ("", "") }
            return page.builtValue(value)
        }
        XCTAssertEqual(text("range final_loss of good,bad").text, "0.125–0.5")
        XCTAssertEqual(text("range final_loss of *").text, "0.125–0.5", "a pattern over every run")
        XCTAssertTrue(text("range final_loss of *").what.contains("range of final training loss over *, 2 runs"), text("range final_loss of *").what)
        XCTAssertEqual(text("final_loss of good - bad").text, "\u{2212}0.375", "a negative number with the minus sign")
        XCTAssertEqual(text("final_loss of bad / good").text, "4")
        XCTAssertEqual(text("max final_loss of good,bad").text, "0.5")
        XCTAssertEqual(text("min final_loss of good,bad").text, "0.125")
        XCTAssertEqual(text("range final_loss of good,nothing").text, "(not run at this profile)")
    }

    /// A figure of a sweep of many runs lists them folded under their count; a few stay inline.
    func testALongListOfRunsFoldsUnderItsCount() throws {
        let sweep = Self.reportText.replacingOccurrences(of: "  record_every: 2\n```\n\n```figure heat", with: "  record_every: 2\nsweep:\n  grid:\n    train.lr: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n```\n\n```figure heat")
        XCTAssertNotEqual(sweep, Self.reportText)
        func figure(_ report: Report) -> [String: Any]? {
            let page = ReportPage(report: report, runs: [:], figures: [:], provenance: Provenance(context: ["profile": "quick"]), restored: [])
            return (page.context()["segments"] as? [[String: Any]])?.first { $0["name"] as? String == "heat" }
        }
        let many = try XCTUnwrap(figure(try Self.report(sweep)))
        XCTAssertEqual(many["foldsRuns"] as? Bool, true)
        XCTAssertEqual(many["runCount"] as? Int, 9)
        let few = try XCTUnwrap(figure(try Self.report()))
        XCTAssertEqual(few["foldsRuns"] as? Bool, false)
        let template = try String(contentsOf: Self.templates.appendingPathComponent("report.mustache"), encoding: .utf8)
        XCTAssertTrue(template.contains("<summary>Shows {{runCount}} runs</summary>"), "the template folds them")
    }

    // MARK: - Names that would leave the site

    func testUnsafeNamesAreRefused() throws {
        for name in ["../evil", "a/b", "..", ".hidden", "-rf", "", "a\\b", "é"] {
            XCTAssertFalse(SitePath.isSafe(name), name)
        }
        for name in ["rahaman", "mgdl--amplitudes-constant", "lr-0.001", "a_b"] {
            XCTAssertTrue(SitePath.isSafe(name), name)
        }
        XCTAssertThrowsError(try SitePath.check("../../x", kind: "run", in: "reports/r.md")) { error in
            XCTAssertTrue("\(error)".contains("'../../x'"), "\(error)")
        }
        let unsafe = Self.reportText.replacingOccurrences(of: "```experiment good", with: "```experiment ../../escape")
            .replacingOccurrences(of: "run: good", with: "run: ../../escape")
        let (report, problems) = ReportLoader.parse(text: unsafe, id: "demo", file: "reports/demo.md", profile: "quick")
        XCTAssertNil(report)
        XCTAssertTrue(problems.contains { $0.message.contains("../../escape") }, "\(problems)")
        XCTAssertNotNil(ReportLoader.parse(text: Self.reportText, id: "../demo", file: "x.md", profile: "quick").1.first)
    }

    // MARK: - The whole build, from a run store (nothing is trained)

    func testBuildFromStoreWritesPagesRunPagesAndNotebookAndReportsFailures() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("report-site-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try Self.reportText.write(to: reports.appendingPathComponent("demo.md"), atomically: true, encoding: .utf8)
        let report = try Self.report()
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        for spec in report.experiments {
            try store.store(try Self.result(name: spec.name, failed: spec.name == "bad"), for: spec)
        }
        let out = dir.appendingPathComponent("site")
        let builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: Self.templates, outputDirectory: out,
                                  profile: "quick", storeDirectory: dir.appendingPathComponent("store"), frozen: true)
        let summary = try builder.build()
        XCTAssertFalse(summary.succeeded)
        XCTAssertEqual(summary.failedRuns, ["demo/bad"])
        XCTAssertEqual(summary.failedFigures, ["demo/bad-fit"])
        for path in ["index.html", "style.css", "demo/index.html", "demo/demo.ipynb", "demo/demo.md",
                     "demo/runs/good.html", "demo/runs/good.json", "demo/runs/bad.html", "demo/runs/bad.json",
                     "demo/figures/heat.svg", "demo/figures/heat.png", "demo/figures/heat-dark.svg", "demo/figures/heat-dark.png",
                     "demo/figures/heat.csv"] {
            XCTAssertTrue(fm.fileExists(atPath: out.appendingPathComponent(path).path), "missing \(path)")
        }
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("demo/figures/bad-fit.png").path))
        let page = try String(contentsOf: out.appendingPathComponent("demo/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Run bad failed:"))
        XCTAssertTrue(page.contains("Figure bad-fit could not be drawn:"))
        XCTAssertTrue(page.contains("restored from the run store"))
        // Built values in the prose: the number of this build's run, and why there is none.
        XCTAssertTrue(page.contains("ends at <span class=\"built-value\" title=\"final training loss of good at the quick profile, computed by this build\">0.125</span>")
                      || page.contains("ends at <span class=\"built-value\" title=\"final training loss of good, computed by this build\">0.125</span>"), page)
        XCTAssertTrue(page.contains("bad gives <span class=\"built-value missing\""), page)
        XCTAssertTrue(page.contains(">(run failed)</span>"), page)
        let notebookText = try String(contentsOf: out.appendingPathComponent("demo/demo.ipynb"), encoding: .utf8)
        XCTAssertTrue(notebookText.contains("ends at 0.125; bad gives (run failed)."), "the notebook's prose has the values written in")
        // The notebook's stored output is the PNG the site shows.
        let nb = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("demo/demo.ipynb"))) as? [String: Any])
        let outputs = (nb["cells"] as? [[String: Any]] ?? []).flatMap { $0["outputs"] as? [[String: Any]] ?? [] }
        let png = try Data(contentsOf: out.appendingPathComponent("demo/figures/heat.png"))
        let stored = outputs.compactMap { ($0["data"] as? [String: Any])?["image/png"] as? String }
        XCTAssertTrue(stored == [png.base64EncodedString()], "the notebook must store figures/heat.png as its only image")
        // Same inputs, same bytes (the provenance block aside): the notebook, the run page's configuration.
        let again = dir.appendingPathComponent("again")
        var second = builder
        second.outputDirectory = again
        _ = try second.build()
        for path in ["demo/demo.ipynb", "demo/figures/heat.csv", "demo/runs/good.json"] {
            XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent(path)), try Data(contentsOf: again.appendingPathComponent(path)), path)
        }
    }

    func testTemplateFolderWithoutRunTemplateIsAClearError() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("templates-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in ["layout", "index", "report"] {
            try fm.copyItem(at: Self.templates.appendingPathComponent("\(name).mustache"), to: dir.appendingPathComponent("\(name).mustache"))
        }
        XCTAssertThrowsError(try SiteTemplates(directory: dir)) { error in
            XCTAssertTrue("\(error)".contains("run.mustache"), "\(error)")
        }
    }

    static let claimsReport = """
        ---
        version: 1
        title: "Claims"
        ---

        ```experiment rep
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          phases: {seed: 0}
          points: 16
        model:
          widths: [1, 8, 1]
        train:
          lr: 1.0e-3
          steps: 4
          record_every: 2
        repeat: 3
        ```

        ```figure heat
        kind: spectral_evolution
        run: rep
        caption: "Mean heatmap."
        ```

        ```figure loss
        kind: loss
        run: rep
        caption: "Mean loss."
        ```

        ```table rse
        kind: rse
        run: rep
        caption: "RSE."
        ```

        ```claim agrees
        kind: value
        statement: "The RSE is 0.02."
        source: "A paper, Table 9"
        run: rep
        metric: train_rse
        paper: 0.02
        within: {factor: 2.5}
        ```

        ```claim disagrees
        kind: value
        statement: "The RSE is 1."
        run: rep
        metric: train_rse
        paper: 1
        within: {factor: 2}
        ```

        ```claim later
        kind: order
        statement: "Low frequencies first."
        run: rep
        profiles: [paper]
        ```
        """

    /// Repeats are drawn and tabulated together; claims get a verdict on the page, in the
    /// notebook, in the events and in the index's counts.
    /// The `claims` report in `dir/reports` (with `files` beside it), its three repeats stored
    /// with test RSE 0.01, 0.02, 0.03: a builder of `dir/site` that trains nothing.
    static func claimsSite(in dir: URL, files: [String: String] = [:]) throws -> SiteBuilder {
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try claimsReport.write(to: reports.appendingPathComponent("claims.md"), atomically: true, encoding: .utf8)
        for (name, text) in files { try text.write(to: reports.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let report = try Self.report(claimsReport, id: "claims")
        XCTAssertEqual(report.experiments.count, 3)
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        for (i, spec) in report.experiments.enumerated() {
            var result = try Self.result(name: spec.name)
            result.finalRSE = [0.01, 0.02, 0.03][i]
            result.losses = result.losses.map { $0 * Double(i + 1) }
            try store.store(result, for: spec)
        }
        return SiteBuilder(reportsDirectory: reports, templatesDirectory: templates, outputDirectory: dir.appendingPathComponent("site"),
                           profile: "quick", storeDirectory: dir.appendingPathComponent("store"), frozen: true)
    }

    func testRepeatsAndClaimsOnThePages() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("report-claims-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let builder = try Self.claimsSite(in: dir)
        let out = builder.outputDirectory
        var events: [ClaimResult] = []
        let summary = try builder.build { if case .claimChecked(_, let claim) = $0 { events.append(claim) } }
        XCTAssertTrue(summary.succeeded, "a claim that is not reproduced does not fail the build")
        XCTAssertEqual(summary.failedFigures, [])
        XCTAssertEqual(events.map(\.verdict), [.reproduced, .notReproduced, .notRun])
        XCTAssertEqual(summary.claims.map(\.result.name), ["agrees", "disagrees", "later"])
        let page = try String(contentsOf: out.appendingPathComponent("claims/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("claim-not-reproduced"), "a failing claim is shown plainly")
        XCTAssertTrue(page.contains("not run at this profile"))
        XCTAssertTrue(page.contains("A paper, Table 9"))
        XCTAssertTrue(page.contains("ours 0.02 (mean of 3 runs)"), "the evidence gives the mean over the repeats")
        XCTAssertTrue(page.contains("2.00e−2 ± 1.00e−2 (n = 3)"), "the table shows mean ± std and n")
        XCTAssertTrue(page.contains("3 repeats (seeds 0–2)"), "the experiment says it is repeated")
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("claims: 1 reproduced, 1 not reproduced, 1 not run at this profile"), index)
        let csv = try String(contentsOf: out.appendingPathComponent("claims/tables/rse.csv"), encoding: .utf8)
        let line = csv.split(separator: "\n").first { $0.hasPrefix("rep,rep,train RSE,0.0") }
        XCTAssertTrue(line?.hasSuffix(",3") == true, csv)
        let notebook = try String(contentsOf: out.appendingPathComponent("claims/claims.ipynb"), encoding: .utf8)
        XCTAssertTrue(notebook.contains("Claim `disagrees`: not reproduced."))
        // The loss figure draws one mean line and one min–max band, not three lines.
        let lossCSV = try String(contentsOf: out.appendingPathComponent("claims/figures/loss.csv"), encoding: .utf8)
        XCTAssertTrue(lossCSV.contains("mean of 3"), lossCSV)
        let heatCSV = try String(contentsOf: out.appendingPathComponent("claims/figures/heat.csv"), encoding: .utf8)
        XCTAssertEqual(heatCSV.split(separator: "\n").filter { $0.contains(",heatmap,") }.count, 4, "2 steps × 2 frequencies, averaged")
    }

    static func figureSpec(kind: String) throws -> FigureSpec {
        let options = String(decoding: try JSONEncoder().encode(FigureOptions()), as: UTF8.self)
        let json = #"{"name": "f", "kind": "\#(kind)", "runs": ["good"], "caption": "", "at": [], "line": 1, "options": \#(options)}"#
        return try JSONDecoder().decode(FigureSpec.self, from: Data(json.utf8))
    }

    /// The report's ticks reach every panel with axes, and show in the drawn SVG.
    func testTicksOptionsReachEveryPanel() throws {
        let figure = Figure()
        let panels = figure.grid(rows: 1, columns: 2)
        for axes in panels { axes.line(x: [0, 90, 180], y: [1, 2, 1]) }
        var options = FigureOptions()
        options.xTicks = [0, 45, 90, 135, 180]
        options.yTicks = [1, 1.5, 2]
        try options.apply(to: figure)
        for axes in panels {
            XCTAssertEqual(axes.xTickValues, [0, 45, 90, 135, 180])
            XCTAssertEqual(axes.yTickValues, [1, 1.5, 2])
        }
        // Drawn: the same figure without the options draws other ticks (labels are glyph outlines,
        // so the SVGs are compared whole; two figures drawn alike give the same bytes, so the
        // difference is the ticks').
        func plain() -> Figure {
            let figure = Figure()
            for axes in figure.grid(rows: 1, columns: 2) { axes.line(x: [0, 90, 180], y: [1, 2, 1]) }
            return figure
        }
        XCTAssertEqual(try plain().svg(), try plain().svg())
        XCTAssertNotEqual(try figure.svg(), try plain().svg())
    }

    /// A figure whose data is all missing fails (and is counted as failed), with the reason.
    func testFigureWithoutDataFails() throws {
        let report = try Self.report()
        var run = try Self.result(name: "good")
        run.losses = [.nan, 0, -1]
        let spec = try Self.figureSpec(kind: "loss")
        XCTAssertThrowsError(try FigureRecipes.figure(for: spec, runs: ["good": run])) { error in
            XCTAssertTrue("\(error)".contains("panel 1 of the figure has no data to draw"), "\(error)")
        }
        run.losses = [1, 0.5]
        XCTAssertNoThrow(try FigureRecipes.figure(for: spec, runs: ["good": run]))
        XCTAssertEqual(report.figures.count, 2)
    }

    /// The heatmap's CSV keeps ratios above 1 (the colour scale clips them, the caption says so).
    func testHeatmapCSVKeepsTheUnclippedRatio() throws {
        var run = try Self.result(name: "good")
        run.snapshots[1].prediction = run.snapshots[1].prediction.map { $0 * 1.5 }
        let spec = try Self.figureSpec(kind: "spectral_evolution")
        let csv = try FigureRecipes.figure(for: spec, runs: ["good": run]).csv()
        let values = csv.split(separator: "\n").dropFirst().compactMap { Double($0.split(separator: ",").last!) }
        XCTAssertEqual(values.count, 4)
        XCTAssertEqual(values.max()!, 1.5, accuracy: 1e-9, "the overshoot is kept, not clipped to 1: \(csv)")
    }

    /// Curves figures and the per-grade table, from a trained two-grade run.
    func testCurvesFigureAndGradeTable() throws {
        // The two-grade run with a grades table of the committed-results tests (and two figures).
        let text = CommittedResultsTests.text
        let report = try Self.report(text, id: "g")
        let run = Runner.run(report.experiments[0])
        for metric in ["loss", "rse"] {
            let options = String(decoding: try JSONEncoder().encode(FigureOptions()), as: UTF8.self)
            let json = #"{"name": "c", "kind": "curves", "runs": ["g"], "caption": "", "at": [], "line": 1, "metric": "\#(metric)", "options": \#(options)}"#
            let spec = try JSONDecoder().decode(FigureSpec.self, from: Data(json.utf8))
            let csv = try FigureRecipes.figure(for: spec, runs: ["g": run]).csv()
            for series in ["validation", "test", metric == "loss" ? "training (every step)" : "training"] {
                XCTAssertTrue(csv.contains(",\(series),"), "\(metric): \(series) missing")
            }
            XCTAssertTrue(csv.contains(",vline,"), "grade boundary marked")
        }
        let rows = ReportPage.resultRows(run, spec: report.experiments[0])
        XCTAssertTrue(rows.contains { $0["key"] == "grade 2" && $0["value"]!.contains("test ") }, "\(rows)")
        // A grade's own learning rate (train.grades) is the one shown for it.
        let perGrade = try Self.report(text.replacingOccurrences(of: "record_every: 5}", with: "record_every: 5, grades: [{lr: 0.5}, {lr: 0.25}]}"), id: "g")
        let own = ReportPage.resultRows(run, spec: perGrade.experiments[0])
        XCTAssertTrue(own.contains { $0["key"] == "grade 2" && $0["value"]!.contains("lr 0.25") }, "\(own)")
    }
}

/// The fit figure makes one panel per distinct snapshot: steps asked for past the end of training
/// collapse onto the last one, and no empty panel is left in the grid.
final class FitFigureTests: XCTestCase {
    func testStepsPastTheEndLeaveNoEmptyPanel() throws {
        var run = try ReportSiteTests.result(name: "good")
        let prediction = run.target.map { $0 * 0.5 }
        let template = try XCTUnwrap(run.snapshots.first)
        run.snapshots = [0, 100, 1000, 8000].map { step in
            var snapshot = template
            snapshot.step = step
            snapshot.prediction = prediction
            return snapshot
        }
        let chosen = FigureRecipes.chooseSnapshots(run.snapshots, requested: [100, 1000, 10000, 80000])
        XCTAssertEqual(chosen.map(\.step), [100, 1000, 8000])
        let figure = try FigureRecipes.fit(FigureRecipes.Series(name: "good", runs: [run]), at: [100, 1000, 10000, 80000])
        XCTAssertEqual(figure.panelCount, 3, "three snapshots, three panels")
    }
}

/// Figures of declared functions (no training), per-grade fits, and the band-normalised heatmap.
final class MultiGradeFigureTests: XCTestCase {
    func parse(_ text: String) throws -> Report {
        let (report, problems) = ReportLoader.parse(text: text, id: "m", file: "m.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report)
    }

    /// A one-panel figure's series from its CSV: the series in drawing order, and each one's
    /// points (x rounded to an integer frequency).
    static func seriesPoints(_ figure: Figure) -> (order: [String], points: [String: [Int: Double]]) {
        var order: [String] = []
        var points: [String: [Int: Double]] = [:]
        for line in figure.csv().split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard cells.count >= 5, let x = Double(cells[3]), let y = Double(cells[4]) else { continue }
            if order.last != cells[2] { order.append(cells[2]) }
            points[cells[2], default: [:]][Int(x)] = y
        }
        return (order, points)
    }

    /// A `function_spectra` figure on 256 points of the functions listed (YAML list items).
    func functionSpectra(_ functions: String) throws -> FigureSpec {
        let report = try parse("---\ntitle: \"m\"\n---\n\n```figure ja\nkind: function_spectra\npoints: 256\nfunctions:\n\(functions)\n```\n")
        return try XCTUnwrap(report.figures.first)
    }

    /// The Jacobi–Anger lines: cos(8 sin 6πx) has 2|J₂ₖ(8)| at 6k and the expansion lies on it.
    func testFunctionSpectraOfAJacobiAngerExpansion() throws {
        let spec = try functionSpectra("""
          - {label: f, formula: "cos(8*sin(6*pi*x))"}
          - {label: two terms, formula: "jn(0,8) + 2*jn(2,8)*cos(12*pi*x)", dashed: true}
        """)
        XCTAssertEqual(spec.runs, [])
        let amplitude = Self.seriesPoints(try FigureRecipes.figure(for: spec, runs: [:])).points
        let f = try XCTUnwrap(amplitude["f"]), two = try XCTUnwrap(amplitude["two terms"])
        // cos(2kθ) with θ = 6πx is frequency 6k: 2|J₂ₖ(8)| at 6k.
        XCTAssertEqual(f[6]!, 2 * abs(jn(2, 8)), accuracy: 1e-12)
        XCTAssertEqual(f[12]!, 2 * abs(jn(4, 8)), accuracy: 1e-12)
        XCTAssertEqual(f[18]!, 2 * abs(jn(6, 8)), accuracy: 1e-12)
        XCTAssertEqual(f[0]!, abs(jn(0, 8)), accuracy: 1e-12)
        XCTAssertEqual(f[7]!, 0, accuracy: 1e-12, "only multiples of 6")
        XCTAssertEqual(two[6]!, f[6]!, accuracy: 1e-12)
        XCTAssertEqual(two[12]!, 0, accuracy: 1e-12)
        XCTAssertGreaterThanOrEqual(f.keys.max()!, 42, "the axis reaches the last line above 1% and a margin")
    }

    /// A function declared with `dots` is drawn last, as dots at its lines only: the truncation
    /// J₀(8) + 2 J₂(8) cos 12πx shows at k = 0 and 6 over the full spectrum, not under it.
    func testFunctionSpectraDrawsDottedFunctionsLastAtTheirLinesOnly() throws {
        let spec = try functionSpectra("""
          - {label: two terms, formula: "jn(0,8) + 2*jn(2,8)*cos(12*pi*x)", dots: true}
          - {label: f, formula: "cos(8*sin(6*pi*x))"}
          - {label: expansion, formula: "jn(0,8) + 2*(jn(2,8)*cos(12*pi*x) + jn(4,8)*cos(24*pi*x))", dashed: true}
        """)
        XCTAssertEqual(spec.functions?.map(\.drawnAsDots), [true, false, false])
        let (order, points) = Self.seriesPoints(try FigureRecipes.figure(for: spec, runs: [:]))
        XCTAssertEqual(order, ["f", "expansion", "two terms"], "solid, then dashed, then dots over all")
        let dots = try XCTUnwrap(points["two terms"])
        XCTAssertEqual(dots.keys.sorted(), [0, 6], "only the two lines, none of the zero bins")
        XCTAssertEqual(dots[6]!, 2 * abs(jn(2, 8)), accuracy: 1e-12)
        XCTAssertEqual(points["f"]?.count, points["expansion"]?.count, "the lines keep every bin")
    }

    /// SGDL at steps against MGDL after each grade: one row per run, a panel per grade.
    func testFitsPerGradeAndPerStep() throws {
        let report = try parse("""
        ---
        title: "m"
        ---

        ```experiment c
        task: {kind: sum_of_sines, frequencies: [1, 4], phases: {seed: 1}, points: 32}
        train: {lr: 1.0e-2, epochs: 12, record_every: 4, keep_predictions: [4, 8], spectrum_band: 1}
        sweep:
          zip:
            name: [sgdl, mgdl]
            method: [sgdl, mgdl]
            model: [{hidden: [8, 8]}, {grades: [[8], [8], [8]]}]
        ```

        ```figure fits
        kind: fit
        run: c
        grades: true
        at: [4, 8, 12]
        ```

        ```figure final
        kind: fit
        run: c
        grades: true
        at: [12]
        x_label: "t"
        ```
        """)
        var runs: [String: RunResult] = [:]
        for spec in report.experiments { runs[spec.name] = Runner.run(spec) }
        let figure = try FigureRecipes.figure(for: report.figures[0], runs: runs)
        XCTAssertEqual(figure.panelCount, 6, "two rows of three panels")
        let alt = figure.altText()
        for title in ["step 4", "step 8", "step 12", "grade 1", "grade 3"] {
            XCTAssertTrue(alt.contains(title), "\(title) missing: \(alt)")
        }
        // Each row's run labels its y axis (short panel titles: four or five fit in a row).
        let outline = figure.outline
        XCTAssertEqual([outline.panel(1)?.yLabel, outline.panel(4)?.yLabel], ["c--sgdl", "c--mgdl"])
        XCTAssertFalse(outline.panels.contains { ($0.title ?? "").contains("gdl") }, "the run is not repeated in the titles")
        // SGDL's one panel beside MGDL's three: the row's unused cells stay blank, even with an x label.
        let short = try FigureRecipes.figure(for: report.figures[1], runs: runs)
        try report.figures[1].options.apply(to: short)
        XCTAssertEqual(short.panels.filter(\.isBlank).count, 2)
        XCTAssertEqual(short.panels.filter { $0.xLabel == "t" }.count, 4)
        // MGDL's last panel is the whole model: its RSE is the run's own.
        let mgdl = try XCTUnwrap(runs["c--mgdl"])
        XCTAssertTrue(alt.contains(String(format: "RSE %.2g", mgdl.finalRSE!)), alt)
        // The band: recorded sums over k − 1 … k + 1, and the target's reference the same sums.
        XCTAssertEqual(mgdl.spectrumBand, 1)
        let spectrum = Spectra.amplitudeSpectrum(mgdl.target)
        XCTAssertEqual(mgdl.targetAmplitudes[1], spectrum[3] + spectrum[4] + spectrum[5], accuracy: 1e-12)
        let last = try XCTUnwrap(mgdl.spectra?.last)
        let predicted = Spectra.amplitudeSpectrum(mgdl.snapshots.last!.prediction)
        XCTAssertEqual(last.amplitudes[0], predicted[0] + predicted[1] + predicted[2], accuracy: 1e-6)
        let evolution = try FigureRecipes.figure(for: try ReportSiteTests.figureSpec(kind: "spectral_evolution").renamed(run: "c--mgdl"), runs: runs)
        XCTAssertTrue(evolution.altText().contains("band ±1"), evolution.altText())
    }
}

/// Predictions over the plane around a manifold's curve: evaluated after training only, so the
/// run's training and metrics are those of the same run without them.
final class PlaneFigureTests: XCTestCase {
    func testPlanePredictionsLeaveTrainingAloneAndDraw() throws {
        func report(_ plane: String) throws -> Report {  // `plane`: the train.plane entry
            let (report, problems) = ReportLoader.parse(text: """
            ---
            title: "p"
            ---

            ```experiment m
            method: mgdl
            task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 2}, points: 48, manifold: {q: 4}, split: mgdl, validation: 16, test: 16}
            model: {grades: [[8], [8]]}
            train: {lr: 1.0e-2, epochs: 10, precision: float64\(plane)}
            ```

            ```figure p
            kind: plane
            run: m
            ```
            """, id: "p", file: "p.md", profile: "")
            XCTAssertEqual(problems, [])
            return try XCTUnwrap(report)
        }
        let declared = try report(", plane: {size: 6, extent: 1.5}")
        var plain = declared.experiments[0]
        plain.train.plane = nil
        let with = Runner.run(declared.experiments[0])
        let without = Runner.run(plain)
        XCTAssertEqual(with.losses, without.losses)
        XCTAssertEqual(with.testRSE, without.testRSE)
        XCTAssertEqual(with.grades?.map(\.output), without.grades?.map(\.output))
        let plane = try XCTUnwrap(with.plane)
        XCTAssertEqual(plane.grades.count, 2)
        XCTAssertTrue(plane.grades.allSatisfy { $0.count == 36 && $0.allSatisfy(\.isFinite) })
        XCTAssertEqual(plane.centres.first!, -1.25, accuracy: 1e-12)
        XCTAssertNil(without.plane)
        let spec = declared.figures[0]
        let figure = try FigureRecipes.figure(for: spec, runs: ["m": with])
        XCTAssertEqual(figure.panelCount, 4, "a row of two grades over the plane, a row of their errors")
        XCTAssertTrue(figure.altText().contains("m: grade 2"), figure.altText())
    }

    /// A classifier (`loss: bce`) is drawn as one: σ(logit) on [0, 1] over the plane, and under it
    /// |σ(logit) − label| on a linear axis titled with the run's own training accuracy; a
    /// regression run keeps its logarithmic error row.
    func testClassifierPlaneShowsProbabilitiesAndAccuracy() throws {
        let (parsed, problems) = ReportLoader.parse(text: """
        ---
        title: "c"
        ---

        ```experiment c
        method: sgdl
        task: {kind: sum_of_sines, frequencies: 3, phases: {seed: 0}, points: 64, manifold: {q: 4}, targets: zero_one}
        model: {hidden: [16, 16]}
        train: {optimizer: adam, lr: 1.0e-2, epochs: 40, batch: full, loss: bce, plane: {size: 8, extent: 1.5}}
        ```

        ```figure p
        kind: plane
        run: c
        ```
        """, id: "c", file: "c.md", profile: "")
        XCTAssertEqual(problems, [])
        let report = try XCTUnwrap(parsed)
        let spec = report.experiments[0]
        let run = Runner.run(spec)
        let accuracy = try XCTUnwrap(run.trainAccuracy)
        let figure = try FigureRecipes.figure(for: report.figures[0], runs: ["c": run], specs: ["c": spec])
        let outline = figure.outline
        XCTAssertEqual(outline.panel(1)?.colorbar, PlaneFigure.probabilityLabel)
        XCTAssertEqual(outline.panel(2)?.yLog, false)
        XCTAssertEqual(outline.panel(2)?.title, String(format: "training points · accuracy %.3f", accuracy))
        // The heatmap's cells are probabilities, and at least one logit was far from 0.
        let cells = figure.csv().split(separator: "\n").filter { $0.hasPrefix("1,heatmap,") }.compactMap { Double($0.split(separator: ",").last!) }
        XCTAssertEqual(cells.count, 64)
        XCTAssertTrue(cells.allSatisfy { (0...1).contains($0) }, "\(cells)")
        XCTAssertTrue(cells.contains { abs($0 - 0.5) > 0.1 }, "\(cells)")
        // Without the declaration (or with another loss) the same run is drawn as a regression.
        let plain = try FigureRecipes.figure(for: report.figures[0], runs: ["c": run])
        XCTAssertEqual(plain.outline.panel(2)?.yLog, true)
        XCTAssertNotEqual(plain.outline.panel(1)?.colorbar, PlaneFigure.probabilityLabel)
        // The page's list of runs shows a classifier's training accuracy, not the RSE of its logits.
        let page = ReportPage(report: report, runs: ["c": run], figures: [:],
                              provenance: Provenance(context: ["toolVersion": toolVersion, "commit": "x", "inGit": false, "dirty": false,
                                                               "os": "Linux", "cpu": "a CPU", "profile": ""]))
        let row = page.runRow(spec)
        XCTAssertEqual(row["metric"] as? String, String(format: "%.3f", accuracy))
        XCTAssertNotEqual(row["metric"] as? String, run.finalRSE.map { String(format: "%.3e", $0) })
        let details = ReportPage.resultRows(run, spec: spec)
        XCTAssertFalse(details.contains { $0["key"] == "final RSE on the grid" }, "\(details)")
        XCTAssertTrue(details.contains { $0["key"] == "train accuracy (clean labels)" }, "\(details)")
    }
}

extension FigureSpec {
    /// The same figure showing `run` instead.
    func renamed(run: String) -> FigureSpec {
        var copy = self
        copy.runs = [run]
        return copy
    }
}
