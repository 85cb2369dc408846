import Experiments
import Foundation

extension SiteBuilder {
    /// Writes a report's pages and downloads into its folder (the figures are already there):
    /// `index.html`, `runs/<run>.html` and `runs/<run>.json` for every run, the notebook
    /// `<report>.ipynb` and the source notebook `<report>.md`.
    func writePages(_ page: ReportPage, templates: SiteTemplates, to folder: URL) throws {
        try write(templates.render(page.context(), template: "report"), to: folder.appendingPathComponent("index.html"), step: "pages")
        for spec in page.report.experiments {
            let html = try templates.render(RunPage(page: page, spec: spec).context(), template: "run")
            try write(html, to: folder.appendingPathComponent(ReportPage.runPage(spec.name)), step: "pages")
        }
        for (name, json) in try page.runJSON() {
            try write(json, to: folder.appendingPathComponent(ReportPage.runJSON(name)), step: "pages")
        }
        for spec in page.report.tables {
            // The exports leave the training times out (they live in provenance.json).
            let table = TableRecipes.table(for: spec, runs: page.runs, labels: page.runLabels, repeats: page.runRepeats, specs: page.runSpecs).withoutTimes
            try write(Self.csv(table, runs: spec.runs), to: folder.appendingPathComponent(ReportPage.tableCSV(spec.name)), step: "pages")
            try write(TableExport.latex(table, spec: spec, report: page.report.id),
                      to: folder.appendingPathComponent(TableExport.latexPath(spec.name)), step: "pages")
            try write(TableExport.markdown(table, spec: spec), to: folder.appendingPathComponent(TableExport.markdownPath(spec.name)), step: "pages")
        }
        if !page.report.references.isEmpty {
            try write(page.bibtex(), to: folder.appendingPathComponent(page.bibtexPath), step: "pages")
        }
        let notebook: Data
        do {
            notebook = try Notebook(page: page).data()
        } catch {
            throw BuildError(step: "notebook", path: SiteOutput.display(folder.appendingPathComponent(page.notebookPath)),
                             message: "cannot write the notebook: \(error)")
        }
        try write(notebook, to: folder.appendingPathComponent(page.notebookPath), step: "notebook")
        let source = reportsDirectory.appendingPathComponent("\(page.report.id).md")
        do {
            try write(Data(contentsOf: source), to: folder.appendingPathComponent(page.sourcePath), step: "pages")
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError(step: "pages", path: SiteOutput.display(source), message: "cannot copy the report's source: \(SiteOutput.describe(error))")
        }
    }
}

extension SiteBuilder {
    /// The data behind a table: one line per run and metric, `run,label,metric,ours,paper,ratio`
    /// (numbers in Swift's shortest round-trip form; empty when missing; a failed run has one
    /// line with its message in `metric`). A repeated run is one line per metric with the mean
    /// in `ours`, and `std` and `n` filled (empty and 1 otherwise).
    static func csv(_ table: TableRecipes.Table, runs _: [String] = []) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func num(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        var out = "run,label,metric,ours,paper,ratio,std,n\n"
        for row in table.rows {
            let name = row.run
            if let failure = row.failure {
                out += [field(name), field(row.label), field(failure), "", "", "", "", ""].joined(separator: ",") + "\n"
                continue
            }
            for (metric, cell) in zip(table.columns, row.cells) {
                out += [field(name), field(row.label), field(metric), cell.text.map(field) ?? num(cell.ours), num(cell.paper), num(cell.ratio),
                        num(cell.spread), "\(cell.count)"].joined(separator: ",") + "\n"
            }
        }
        return out
    }
}

extension ReportPage {
    /// The context of `index.html`.
    /// `otherProfile`: the same reports built with another profile, at that site root (relative).
    static func indexContext(entries: [[String: Any]], profile: String, provenance: Provenance,
                             otherProfile: (name: String, root: String)? = nil) -> [String: Any] {
        let failed = entries.filter { $0["failed"] as? Bool == true }.count
        let uncommitted = entries.filter { $0["uncommitted"] as? Bool == true }.count
        var context: [String: Any] = [
            "title": "mgdl-report", "root": "", "reports": entries, "profile": profile,
            "profileMeaning": ProfileBudget.meaning(profile),
            "provenance": provenance.context,
            "reportCount": "\(entries.count) report\(entries.count == 1 ? "" : "s")",
            "failedCount": failed,
            "anyFailed": failed > 0,
        ]
        // Absent, not empty, when every report is committed: an empty string is a true section.
        if uncommitted > 0 { context["uncommittedText"] = "\(uncommitted) not yet committed" }
        if let otherProfile { context["otherProfile"] = ["name": otherProfile.name, "href": "\(otherProfile.root)index.html"] }
        return context
    }
}
