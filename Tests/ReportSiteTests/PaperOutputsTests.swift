import Experiments
import Foundation
@testable import ReportSite
import XCTest

/// Math, citations, table exports, search documents and run costs: the researcher-facing
/// additions, checked without training.
final class PaperOutputsTests: XCTestCase {
    static let text = """
        ---
        version: 1
        title: "Math and papers"
        references:
          - key: fang2024
            authors: ["Fang, Shijun", "Xu, Yuesheng"]
            title: "Addressing Spectral Bias of Deep Neural Networks by Multi-Grade Deep Learning"
            venue: "Advances in Neural Information Processing Systems 37"
            year: 2024
          - key: rahaman2019
            type: inproceedings
            authors: "Rahaman, Nasim and Baratin, Aristide and Arpit, Devansh"
            title: "On the Spectral Bias of Neural Networks"
            venue: "ICML"
            year: 2019
            url: https://proceedings.mlr.press/v97/rahaman19a.html
        ---

        ## The target

        The target is $\\lambda(z) = \\sum_k \\sin(2\\pi k z + \\varphi_k)$ with *k* in a set [@rahaman2019].

        $$
        \\mathcal{L} = \\frac{1}{N}\\sum_{i} (f(x_i) - y_i)^2 < 1
        $$

        Prices like $5 and $6 stay text, `code with $x$` stays code, and \\$ is a dollar.

        ```python
        y = "$not_math$"
        ```

        ## Results

        MGDL [@fang2024] trains grade by grade.

        ```experiment tiny
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

        ```table errors
        kind: rse
        run: tiny
        caption: "Errors_of 100% & more."
        paper:
          source: "Fang & Xu (2024), Table 1"
          values:
            tiny: {train: 2.5e-4}
        ```

        ## Appendix
        """

    func page() throws -> ReportPage {
        let (report, problems) = ReportLoader.parse(text: Self.text, id: "math", file: "reports/math.md", profile: "quick")
        let r = try XCTUnwrap(report, "\(problems)")
        let run = try ReportSiteTests.result(name: "tiny")
        let provenance = Provenance(context: ["toolVersion": toolVersion, "commit": "x", "inGit": false, "dirty": false,
                                              "os": "Linux", "cpu": "a CPU", "profile": "quick"])
        return ReportPage(report: r, runs: ["tiny": run], figures: [:], provenance: provenance)
    }

    func testMathIsProtectedFromInkAndRenderedAsTeXElements() throws {
        let page = try page()
        let html = page.context()["segments"].flatMap { $0 as? [[String: Any]] }!.compactMap { $0["html"] as? String }.joined()
        // Inline: underscores and backslashes reach the page untouched (Ink would make <em> of `_k \\sin(2\\pi k z + \\varphi_`).
        XCTAssertTrue(html.contains("<span class=\"math math-inline\">\\lambda(z) = \\sum_k \\sin(2\\pi k z + \\varphi_k)</span>"), html)
        XCTAssertTrue(html.contains("<div class=\"math math-display\">\\mathcal{L} = \\frac{1}{N}\\sum_{i} (f(x_i) - y_i)^2 &lt; 1</div>"), html)
        XCTAssertFalse(html.contains("<em>k \\sin"), "no emphasis inside math")
        XCTAssertTrue(html.contains("Prices like $5 and $6 stay text"), "a dollar before a digit is not math")
        XCTAssertTrue(html.contains("<code>code with $x$</code>"), "code spans are left alone")
        XCTAssertTrue(html.contains("$not_math$"), "code blocks are left alone")
        XCTAssertEqual(html.components(separatedBy: "class=\"math ").count - 1, 2, "exactly the two formulas")
        XCTAssertTrue(page.hasMath)
        let rendered = try SiteTemplates(directory: ReportSiteTests.templates).render(page.context(), template: "report")
        XCTAssertTrue(rendered.contains("<script defer src=\"../katex/katex.min.js\"></script>"), "pages with math load KaTeX")
        XCTAssertTrue(rendered.contains("../math.js"))
        XCTAssertFalse(rendered.contains("reload"), "no live-reload script in a built page")
        XCTAssertFalse(ProseMarkup.hasMath("No math here, $5 only."))
    }

    /// Built values (`{{metric of run}}`) are replaced by what the page gives, outside code only;
    /// math and Ink's emphasis do not reach into them.
    func testBuiltValuesAreReplacedOutsideCode() {
        let markup = ProseMarkup(value: { "<span class=\"built-value\">\($0.metric.rawValue)|\($0.run)</span>" })
        let html = markup.render("The loss of *L = 16* is {{final_loss of manifold--L-16}}, $x_1$ and `{{final_loss of kept}}`.").html
        XCTAssertTrue(html.contains("<span class=\"built-value\">final_loss|manifold--L-16</span>"), html)
        XCTAssertTrue(html.contains("<code>{{final_loss of kept}}</code>"), html)
        XCTAssertTrue(html.contains("<em>L = 16</em>"), html)
        XCTAssertFalse(html.contains("MGDLVALUETOKEN"), html)
        // Not a value (no metric): left as written.
        XCTAssertTrue(markup.render("a {{b}} c").html.contains("{{b}}"))
    }

    /// A paragraph line that starts with a code span continues the paragraph (Ink alone would
    /// start a new one there); fences, headings and code blocks keep their lines.
    func testALineStartingWithCodeContinuesItsParagraph() {
        let html = ProseMarkup().render("""
        The gaps are a claim for the
        `paper` profile, not run here.

        ## Heading
        `x` starts a paragraph.

        ```
        fenced
        `kept` as is
        ```
        `after` the fence.
        """).html
        XCTAssertTrue(html.contains("<p>The gaps are a claim for the <code>paper</code> profile, not run here.</p>"), html)
        XCTAssertTrue(html.contains("<p><code>x</code> starts a paragraph.</p>"), html)
        XCTAssertTrue(html.contains("fenced\n`kept` as is"), html)
        XCTAssertTrue(html.contains("<p><code>after</code> the fence.</p>"), html)
    }

    func testHeadingsGetUniqueIDs() {
        let ids = HeadingIDs()
        let a = ids.addIDs(to: "<h2>Results &amp; more</h2><p>x</p><h2>Results &amp; more</h2>")
        XCTAssertEqual(a, "<h2 id=\"sec-results-more\">Results &amp; more</h2><p>x</p><h2 id=\"sec-results-more-2\">Results &amp; more</h2>")
        let b = ids.addIDs(to: "<h3>Results &amp; more</h3>")
        XCTAssertTrue(b.contains("id=\"sec-results-more-3\""), "unique across the chunks of a page")
    }

    func testCitationsLinkToTheReferenceListAndBibTeXIsWellFormed() throws {
        let page = try page()
        let html = page.context()["segments"].flatMap { $0 as? [[String: Any]] }!.compactMap { $0["html"] as? String }.joined()
        XCTAssertTrue(html.contains("(<a href=\"#ref-rahaman2019\">Rahaman et al., 2019</a>)"), html)
        XCTAssertTrue(html.contains("<a href=\"#ref-fang2024\">Fang &amp; Xu, 2024</a>") || html.contains("<a href=\"#ref-fang2024\">Fang & Xu, 2024</a>"), html)
        let rendered = try SiteTemplates(directory: ReportSiteTests.templates).render(page.context(), template: "report")
        XCTAssertTrue(rendered.contains("<li id=\"ref-fang2024\">Shijun Fang and Yuesheng Xu (2024)."), rendered)
        XCTAssertTrue(rendered.contains("href=\"math.bib\""))
        let bib = page.bibtex()
        XCTAssertTrue(bib.contains("@inproceedings{fang2024,\n  author = {Fang, Shijun and Xu, Yuesheng},\n  title = {{Addressing Spectral Bias"), bib)
        XCTAssertTrue(bib.contains("  booktitle = {ICML},\n  year = {2019},\n  url = {https://proceedings.mlr.press/v97/rahaman19a.html}\n}"), bib)
        // Braces balance in every entry.
        for entry in bib.components(separatedBy: "@").dropFirst() {
            XCTAssertEqual(entry.filter { $0 == "{" }.count, entry.filter { $0 == "}" }.count, entry)
        }
        let index = page.indexEntry()
        XCTAssertEqual(index["bibtex"] as? String, "math/math.bib")
        XCTAssertEqual((index["references"] as? [[String: Any]])?.count, 2, "the index card lists the references")
    }

    func testUnknownCitationAndBadReferenceAreProblemsWithLines() {
        let bad = Self.text.replacingOccurrences(of: "[@fang2024]", with: "[@fang2042]")
            .replacingOccurrences(of: "url: https://proceedings", with: "url: javascript:alert(1)//proceedings")
        let (report, problems) = ReportLoader.parse(text: bad, id: "math", file: "reports/math.md", profile: "quick")
        XCTAssertNil(report)
        let cite = problems.first { $0.message.contains("[@fang2042]") }
        XCTAssertNotNil(cite, "\(problems)")
        XCTAssertTrue(cite?.message.contains("did you mean 'fang2024'") == true)
        let line = Self.text.components(separatedBy: "\n").firstIndex { $0.contains("[@fang2024]") }! + 1
        XCTAssertEqual(cite?.line, line)
        XCTAssertTrue(problems.contains { $0.keyPath == "references[1].url" && $0.message.contains("http") }, "\(problems)")
    }

    func testTableExportsAsBooktabsLaTeXAndMarkdown() throws {
        let page = try page()
        let spec = try XCTUnwrap(page.report.tables.first)
        let table = TableRecipes.table(for: spec, runs: page.runs, labels: page.runLabels)
        let tex = TableExport.latex(table, spec: spec, report: "math")
        XCTAssertTrue(tex.contains("\\begin{tabular}{lrr}"), tex)
        XCTAssertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule"))
        XCTAssertTrue(tex.contains("\\multicolumn{2}{c}{train RSE}"), tex)
        XCTAssertTrue(tex.contains("\\cmidrule(lr){2-3}"))
        XCTAssertTrue(tex.contains("\\caption{Errors\\_of 100\\% \\& more. Published values: Fang \\& Xu (2024), Table 1.}"), tex)
        XCTAssertTrue(tex.contains("tiny & $1.00 \\times 10^{-2}$ & $2.50 \\times 10^{-4}$ \\\\"), tex)
        XCTAssertTrue(tex.contains("\\label{tab:errors}"))
        let md = TableExport.markdown(table, spec: spec)
        XCTAssertTrue(md.contains("| run | train RSE | train RSE, paper |"), md)
        XCTAssertTrue(md.contains("| tiny | 1.00e−2 | 2.50e−4 |"), md)
        XCTAssertEqual(TableExport.latexNumber(31.256, metric: "test_psnr"), "$31.26$")
        XCTAssertEqual(TableExport.latexNumber(1.5, metric: "test"), "$1.50$")
        XCTAssertEqual(TableExport.latexEscape("a_b ~ c^d \\ e"), "a\\_b \\textasciitilde{} c\\textasciicircum{}d \\textbackslash{} e")
    }

    func testSearchDocumentsCoverSectionsRunsAndTables() throws {
        let page = try page()
        let docs = SearchIndex.documents(for: page)
        XCTAssertEqual(docs.first?.k, "report")
        let sections = docs.filter { $0.k == "section" }
        XCTAssertEqual(sections.map(\.t), ["The target", "Results", "Appendix"], "one document per heading, even one with no prose")
        XCTAssertEqual(SearchIndex.pageContext(for: [SiteEntry(page: page)]).first?["hasSections"] as? Bool, true)
        XCTAssertEqual(sections.first?.h, "math/index.html#sec-the-target")
        XCTAssertTrue(sections.first?.x.contains("\\lambda(z)") == true, "the TeX source is searchable")
        XCTAssertFalse(sections.contains { $0.x.contains("<") && $0.x.contains("</") }, "no markup in the text")
        XCTAssertTrue(docs.contains { $0.k == "experiment" && $0.h == "math/index.html#run-tiny" && $0.x.contains("tiny") })
        XCTAssertTrue(docs.contains { $0.k == "table" && $0.x.contains("Fang & Xu") })
        let script = try SearchIndex.script(for: [SiteEntry(page: page)])
        XCTAssertTrue(script.hasPrefix("// The documents"))
        XCTAssertTrue(script.contains("window.mgdlSearchDocs = ["))
        // The entry survives its JSON round trip (what `--only` reads back).
        let entry = SiteEntry(page: page)
        let back = try XCTUnwrap(SiteEntry(json: try entry.json(), id: "math"))
        XCTAssertEqual(back.docs.map(\.h), entry.docs.map(\.h))
        XCTAssertEqual(back.entry["title"] as? String, "Math and papers")
        XCTAssertTrue(back.hasMath)
    }

    func testRunCostGrowsWithWorkAndPlainTextStripsTags() throws {
        let page = try page()
        var spec = try XCTUnwrap(page.report.experiments.first)
        let base = RunCost.estimate(spec)
        spec.train.steps *= 10
        XCTAssertEqual(RunCost.estimate(spec), base * 10, accuracy: base * 1e-9)
        spec.model.widths = [1, 16, 1]
        XCTAssertEqual(RunCost.estimate(spec), base * 20, accuracy: base * 1e-9)
        XCTAssertEqual(SearchIndex.plainText("<p>a &amp; <em>b</em></p>\n c"), "a & b c")
    }

    func testNotebookEmbedsTheFigureDataAndRunsWithoutTheSite() throws {
        let base = try ReportSiteTests.page()
        var figures = base.figures
        let csv = "panel,kind,series,x,y,value\n1,heatmap,,1,0,0.25\n1,heatmap,,3,0,\"0.5\"\n"
        figures["heat"]?.csv = Data(csv.utf8)
        let page = ReportPage(report: base.report, runs: base.runs, figures: figures, provenance: base.provenance)
        let nb = try XCTUnwrap(JSONSerialization.jsonObject(with: Notebook(page: page).data()) as? [String: Any])
        let cells = try XCTUnwrap(nb["cells"] as? [[String: Any]])
        let sources = cells.map { ($0["source"] as? [String])?.joined() ?? "" }
        let dataCell = try XCTUnwrap(sources.first { $0.contains("FIGURE_DATA[\"figures/heat.csv\"] = ") })
        XCTAssertFalse(dataCell.contains("bad-fit"), "a figure that was not drawn has no data")
        // The literal is a JSON string (valid Python) holding the CSV exactly.
        let line = try XCTUnwrap(dataCell.split(separator: "\n").first { $0.hasPrefix("FIGURE_DATA[") })
        let literal = String(line[line.range(of: "] = ")!.upperBound...])
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(literal.utf8), options: .fragmentsAllowed) as? String, csv)
        let helpers = try XCTUnwrap(sources.first { $0.contains("def load_figure") })
        XCTAssertTrue(helpers.contains("if path in FIGURE_DATA:"), "load_figure reads the embedded copy first")
        XCTAssertLessThan(sources.firstIndex { $0.contains("def load_figure") }!, sources.firstIndex { $0.contains("FIGURE_DATA[\"") }!)
        // Run the helpers and the data cell in Python, in an empty folder: the rows load.
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { return XCTFail("python3 is needed to run the notebook's code") }
        let script = helpers.components(separatedBy: "\n").filter { !$0.hasPrefix("import numpy") && !$0.hasPrefix("import matplotlib") }
            .joined(separator: "\n") + "\n" + dataCell + "\nrows = load_figure(\"figures/heat.csv\")\nprint(len(rows), rows[1][\"value\"])\n"
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("nb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", script]
        process.currentDirectoryURL = empty
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(text, "2 0.5\n")
    }
}
