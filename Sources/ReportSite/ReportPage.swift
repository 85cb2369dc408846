import Experiments
import Foundation
import Plotting
import Ink

/// The files drawn for one declared figure (or why it could not be drawn).
struct FigureFiles {
    let name: String
    let altText: String
    let error: String?
    /// The light PNG, kept for the notebook's stored output.
    var png: Data? = nil
    /// The figure's size in CSS px (the notebook redraws it at the same size).
    var width: Double = 640
    var height: Double = 420
    /// The figure's CSV, embedded in the notebook.
    var csv: Data? = nil
    /// The figure's grid, titles, labels and scales, for its notebook cell.
    var outline = FigureOutline()
}

/// The data a report page is rendered from (Mustache context), and its downloads.
///
/// Every string that comes from the user (titles, captions, alt text, names, error messages) is
/// passed as plain text and escaped by `{{…}}` in the templates; only `proseHTML` (Ink's rendering
/// of the author's own Markdown) is inserted raw.
struct ReportPage {
    let report: Report
    let runs: [String: RunResult]
    let figures: [String: FigureFiles]
    let provenance: Provenance
    /// Runs restored from the run store (the others were trained by this build).
    var restored: Set<String> = []
    /// The threads each run was computed with (shown with its origin: results depend on it).
    var runThreads: [String: Int] = [:]
    /// The checked claims, by name.
    var claims: [String: ClaimResult] = [:]
    /// The runs' keys, by run name, as the build's plan computed them (computed here when absent).
    var runKeys: [String: String] = [:]
    /// The profile every number on the page comes from, and its budget (the page's banner and the
    /// note under each table and figure); nil: no banner.
    var budget: ProfileBudget?

    /// Not yet committed (`SiteBuilder.allowUncommitted`): the page says so instead of listing
    /// its missing runs and figures as failures.
    var uncommitted: Bool { budget?.uncommitted != nil }

    func runKey(_ spec: ExperimentSpec) -> String { runKeys[spec.name] ?? RunStore.key(for: spec) }

    /// Relative paths inside the report's folder.
    var notebookPath: String { "\(report.id).ipynb" }
    var sourcePath: String { "\(report.id).md" }
    static func runPage(_ run: String) -> String { "runs/\(run).html" }
    static func runJSON(_ run: String) -> String { "runs/\(run).json" }
    static func tableCSV(_ table: String) -> String { "tables/\(table).csv" }

    /// What went wrong, one line each, in page order (empty: all good).
    var failures: [String] {
        guard !uncommitted else { return [] }
        var list: [String] = []
        for spec in report.experiments {
            guard let run = runs[spec.name] else { list.append("run \(spec.name) has no result"); continue }
            if run.status == .failed { list.append("run \(spec.name) failed: \(run.message ?? "no message")") }
        }
        for spec in report.figures {
            if let error = figures[spec.name]?.error { list.append("figure \(spec.name) could not be drawn: \(error)") }
            else if figures[spec.name] == nil { list.append("figure \(spec.name) was not drawn") }
        }
        return list
    }

    var failed: Bool { !failures.isEmpty }

    /// Sweep labels by run name (empty for runs outside a sweep).
    var runLabels: [String: String] {
        Dictionary(report.experiments.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
    }

    /// Declarations by run name.
    var runSpecs: [String: ExperimentSpec] {
        Dictionary(report.experiments.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Repeat copies by run name -> the name of the run they repeat.
    var runRepeats: [String: String] {
        Dictionary(report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// One prose chunk as HTML (math and citations protected from Ink; headings get ids that
    /// are unique on the page through `ids`).
    func proseHTML(_ markdown: String, ids: HeadingIDs = HeadingIDs()) -> String {
        ProseMarkup(references: report.references, value: builtValueHTML).render(markdown, ids: ids).html
    }

    /// A built value of the prose (`{{metric of run}}`) as text: the number as claims print it,
    /// or why there is none in parentheses; and what it is (the page's hover text and the
    /// notebook's note).
    func builtValue(_ value: ProseValue) -> (text: String, what: String) {
        let profile = budget.map { " at the \($0.profile) profile" } ?? ""
        if uncommitted { return ("(not yet computed)", "\(value.words)\(profile): not yet committed") }
        let built = ClaimCheck.builtValue(value, specs: report.experiments, runs: runs, groups: report.runGroups)
        guard let number = built.number else {
            return ("(\(built.note ?? "no value"))", "\(value.words)\(profile)")
        }
        // PSNRs (and differences of PSNRs) with two decimals (as tables print them: a tenth of a
        // dB matters), the rest as claims print numbers (3 significant digits).
        let decibels = value.metric.isDecibels && value.combination != .ratio
        // A negative number with the minus sign (U+2212), not the hyphen the formatters print.
        func print(_ x: Double) -> String {
            let text = decibels ? String(format: "%.2f", x) : ClaimCheck.number(x)
            return text.hasPrefix("-") ? "\u{2212}" + text.dropFirst() : text
        }
        var text = print(number)
        if let upper = built.upper { text += "–" + print(upper) }
        if decibels { text += " dB" }
        let mean: String
        switch value.aggregate {
        case .mean where value.other != nil:
            mean = built.count > 1 || built.otherCount > 1 ? ", means of \(built.count) and \(built.otherCount) run\(built.otherCount == 1 ? "" : "s")" : ""
        case .mean: mean = built.count > 1 ? ", mean of \(built.count) runs" : ""
        default: mean = ", \(built.count) runs"
        }
        return (text, "\(value.words)\(mean)\(profile), computed by this build")
    }

    /// The prose with its built values written in as plain text (the notebook's Markdown cells):
    /// code, fenced or in spans, is left as written.
    func proseWithBuiltValues(_ markdown: String) -> String {
        ProseValue.rewriting(markdown) { _, inner in
            guard case .success(let value) = ProseValue.parse(inner) else { return nil }
            return builtValue(value).text
        }
    }

    func builtValueHTML(_ value: ProseValue) -> String {
        let built = builtValue(value)
        let missing = built.text.hasPrefix("(")
        return "<span class=\"built-value\(missing ? " missing" : "")\" title=\"\(escapeAttribute(built.what))\">\(escapeAttribute(built.text))</span>"
    }

    private func escapeAttribute(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func context() -> [String: Any] {
        var segments: [[String: Any]] = []
        let ids = HeadingIDs()
        for segment in report.segments {
            switch segment {
            case .prose(let markdown):
                segments.append(["isProse": true, "html": proseHTML(markdown, ids: ids)])
            case .figure(let name):
                guard let spec = report.figures.first(where: { $0.name == name }) else { continue }
                segments.append(figureContext(spec))
            case .experiment(let name):
                let members = report.experiments.filter { $0.group == name }
                guard !members.isEmpty else { continue }
                segments.append(experimentContext(name, members))
            case .table(let name):
                guard let spec = report.tables.first(where: { $0.name == name }) else { continue }
                if uncommitted {
                    segments.append(["isTable": true, "name": spec.name, "caption": spec.caption, "tablePending": true])
                    continue
                }
                var context = TableRecipes.context(for: spec, runs: runs, labels: runLabels, repeats: runRepeats, specs: runSpecs)
                context["csv"] = Self.tableCSV(name)
                context["tex"] = TableExport.latexPath(name)
                context["markdown"] = TableExport.markdownPath(name)
                segments.append(context)
            case .claim(let name):
                guard let spec = report.claims.first(where: { $0.name == name }) else { continue }
                segments.append(claimContext(spec))
            }
        }
        return [
            "title": report.title,
            "reportID": report.id,
            "hasTimes": segments.contains { $0["hasTimes"] as? Bool == true },
            "root": "../",
            "source": report.file,
            "sourceHref": sourcePath,
            "notebook": notebookPath,
            "failed": failed,
            "failures": failures.map { ["message": $0] },
            "segments": segments,
            "hasBudget": budget != nil,
            "provenance": provenance.context,
            "runs": report.experiments.map(runRow),
            "figureFiles": report.figures.filter { figures[$0.name]?.error == nil && figures[$0.name] != nil }
                .map { ["name": $0.name, "csv": "figures/\($0.name).csv"] },
        ].merging(report.summary.isEmpty ? [:] : ["summary": report.summary]) { a, _ in a }
            .merging(budget.map { ["budget": $0.context(reportID: report.id)] } ?? [:]) { a, _ in a }
            .merging(extraContext()) { a, _ in a }
    }

    /// One row of the provenance table (and of a sweep's run list).
    func runRow(_ spec: ExperimentSpec) -> [String: Any] {
        let run = runs[spec.name]
        var row: [String: Any] = [
            "name": spec.name, "href": Self.runPage(spec.name), "json": Self.runJSON(spec.name),
            "seed": "\(spec.seed)",
            "ok": run?.status == .ok,
            "origin": run == nil ? (uncommitted ? "not yet committed" : "not run")
                : (restored.contains(spec.name) ? "restored from the run store" : "trained by this build")
                    + (runThreads[spec.name].map { ", computed on \($0) thread\($0 == 1 ? "" : "s")" } ?? ""),
            "key": String(runKey(spec).prefix(12)),
        ]
        if !spec.label.isEmpty { row["label"] = spec.label }
        // A classifier's (`loss: bce`) outputs are logits, whose RSE against 0/1 labels means
        // nothing: its runs show their training accuracy in that column instead.
        if spec.train.loss == .bce {
            if let accuracy = run?.trainAccuracy { row["metric"] = String(format: "%.3f", accuracy) }
        } else if let rse = run?.finalRSE {
            row["metric"] = String(format: "%.3e", rse)
        }
        if let loss = run?.losses.last { row["loss"] = String(format: "%.3e", loss) }
        if let run, run.status == .failed { row["runError"] = run.message ?? "the run failed" }
        if run == nil, !uncommitted { row["runError"] = "this run has no result" }
        if run == nil, uncommitted { row["pending"] = true }
        return row
    }

    /// A claim: the paper's statement, its source, our verdict and the evidence.
    func claimContext(_ spec: ClaimSpec) -> [String: Any] {
        let result = claims[spec.name]
        var context: [String: Any] = [
            "isClaim": true, "name": spec.name, "statement": spec.statement,
            "verdict": result?.verdict.words ?? "not checked",
            "verdictClass": (result?.verdict.rawValue ?? "not_run").replacingOccurrences(of: "_", with: "-"),
            "verdictMark": result.map { ["reproduced": "✓", "not_reproduced": "✗", "not_run": "–"][$0.verdict.rawValue]! } ?? "–",
            "evidence": result?.evidence ?? "this claim was not checked",
            "runs": spec.runNames.map { ["name": $0] },
        ]
        if let source = spec.source { context["source"] = source }
        return context
    }

    /// Claims per verdict, e.g. "claims: 2 reproduced, 1 not reproduced" (empty without claims).
    var claimCounts: String {
        guard !report.claims.isEmpty else { return "" }
        let verdicts = report.claims.map { claims[$0.name]?.verdict }
        let parts = ClaimVerdict.allCases.compactMap { v -> String? in
            let n = verdicts.filter { $0 == v }.count
            return n == 0 ? nil : "\(n) \(v.words)"
        }
        return "claims: " + parts.joined(separator: ", ")
    }

    /// A figure caption lists at most this many runs inline; more fold under "Shows N runs".
    static let unfoldedRuns = 8

    private func figureContext(_ spec: FigureSpec) -> [String: Any] {
        let files = figures[spec.name]
        var context: [String: Any] = [
            "isFigure": true, "name": spec.name, "caption": spec.caption,
            "svg": "figures/\(spec.name).svg", "png": "figures/\(spec.name).png",
            "darkSvg": "figures/\(spec.name)-dark.svg", "darkPng": "figures/\(spec.name)-dark.png",
            "csv": "figures/\(spec.name).csv", "pdf": "figures/\(spec.name).pdf",
            "alt": files?.altText.isEmpty == false ? files!.altText : (spec.caption.isEmpty ? "Figure \(spec.name)" : spec.caption),
            "runs": spec.runs.map { ["name": $0, "href": Self.runPage($0)] },
            // ntk, ntk_optimisation, function_spectra: computed from the declaration, no run.
            "hasRuns": !spec.runs.isEmpty,
            // A long list of runs (a sweep of 64) folds under its count, so the caption stays readable.
            "foldsRuns": spec.runs.count > Self.unfoldedRuns, "runCount": spec.runs.count,
        ]
        if uncommitted {
            context["figurePending"] = true
        } else {
            if let error = files?.error { context["figureError"] = error }
            if files == nil { context["figureError"] = "this figure was not drawn" }
        }
        return context
    }

    /// An experiment block: its declaration in words, and its run (or the runs of its sweep).
    private func experimentContext(_ name: String, _ members: [ExperimentSpec]) -> [String: Any] {
        let first = members[0]
        var context: [String: Any] = [
            "isExperiment": true, "name": name,
            "rows": RunPage.summaryRows(members),
            "isSweep": members.count > 1,
            "runCount": members.count,
            "sweepText": Self.sweepText(members),
            "runs": members.map(runRow),
            "metricHeader": first.train.loss == .bce ? "train accuracy" : "final RSE",
        ]
        if members.count == 1 {
            let spec = first
            context["href"] = Self.runPage(spec.name)
            context["json"] = Self.runJSON(spec.name)
            var results = Self.resultRows(runs[spec.name], spec: spec)
            let row = runRow(spec)
            results.insert(["key": "origin", "value": row["origin"] as! String], at: min(1, results.count))
            context["results"] = results
            if let error = row["runError"] { context["runError"] = error }
            if row["pending"] != nil { context["pending"] = true }
        }
        return context
    }

    /// "a sweep of 4 runs", "3 repeats (seeds 0–2)", "a sweep of 2 points × 3 repeats".
    static func sweepText(_ members: [ExperimentSpec]) -> String {
        let copies = members.first?.repeatCount ?? 1
        guard copies > 1 else { return "a sweep of \(members.count) runs" }
        let points = members.count / copies
        if points > 1 { return "a sweep of \(points) points × \(copies) repeats" }
        let seeds = members.map(\.seed)
        return "\(copies) repeats (seeds \(seeds.min()!)–\(seeds.max()!))"
    }

    /// What a run produced, as label/value rows.
    static func resultRows(_ run: RunResult?, spec: ExperimentSpec) -> [[String: String]] {
        guard let run else { return [["key": "status", "value": "no result"]] }
        var rows: [[String: String]] = [
            ["key": "status", "value": run.status == .ok ? "ok" : "failed"],
            ["key": "parameters", "value": "\(run.parameterCount)"],
            ["key": "optimizer steps taken", "value": "\(run.stepCount)"],
            ["key": "predictions recorded", "value": "\(run.snapshots.count)"],
        ]
        if let loss = run.losses.last { rows.append(["key": "final training loss", "value": String(format: "%.3e", loss)]) }
        if let (i, low) = run.lowestLoss {
            rows.append(["key": "lowest training loss", "value": String(format: "%.3e at step %d", low, i + 1)])
        }
        if let rse = run.finalRSE, spec.train.loss != .bce {  // a classifier's logits against 0/1 labels: no RSE
            rows.append(["key": "final RSE on the grid", "value": String(format: "%.3e", rse)])
        }
        for (name, value) in [("train accuracy (clean labels)", run.trainAccuracy), ("validation accuracy", run.validationAccuracy),
                              ("test accuracy", run.testAccuracy)] {
            if let value { rows.append(["key": name, "value": String(format: "%.2f%%", 100 * value)]) }
        }
        if let curve = run.validationCurve, let best = curve.min(by: { $0.value < $1.value }), let last = curve.last {
            rows.append(["key": "lowest validation loss", "value": String(format: "%.3e at step %d (final %.3e)", best.value, best.step, last.value)])
        }
        for name in ["validation", "test"] {
            if let v = name == "validation" ? run.validationRSE : run.testRSE { rows.append(["key": "\(name) RSE", "value": String(format: "%.3e", v)]) }
        }
        if let v = run.trainPSNR { rows.append(["key": "train PSNR", "value": String(format: "%.2f dB", v)]) }
        if let v = run.testPSNR { rows.append(["key": "test PSNR", "value": String(format: "%.2f dB", v)]) }
        // Per grade (stage): the model up to it on each set, its time and learning rate.
        if let grades = run.grades, grades.count > 1 || run.image == nil {
            let gradeSteps = run.gradeStepCounts ?? grades.map(\.losses.count)
            for (k, grade) in grades.enumerated() {
                var parts: [String] = []
                if run.image == nil {
                    parts.append("train RSE " + String(format: "%.3e", grade.trainRSE))
                    if let v = grade.validationRSE { parts.append("validation " + String(format: "%.3e", v)) }
                    if let v = grade.testRSE { parts.append("test " + String(format: "%.3e", v)) }
                }
                parts.append(String(format: "%.1f s", grade.seconds))
                parts.append("lr " + String(format: "%.3g", spec.train.learningRate(ofGrade: k)))
                parts.append("\(gradeSteps[k]) steps")
                rows.append(["key": grades.count > 1 ? "grade \(k + 1)" : "network", "value": parts.joined(separator: " · ")])
            }
        }
        return rows
    }

    /// `runs/NAME.json`: the declaration as run (in the report's keys) and the full result. Non-finite numbers (the loss
    /// of a diverged run) are written as the strings "inf", "-inf" and "nan", as in the run store,
    /// since JSON has no numbers for them. A run without a result has no JSON (its page says so).
    /// Of an image run, the whole images (target, grade outputs, kept predictions: 786,432
    /// numbers a panel at 512 × 512, some 40 MB of JSON a run) are left out and listed in its
    /// `omitted`: its figures' CSVs hold the panels as drawn (PNG), and every metric stays.
    func runJSON() throws -> [(String, String)] {
        let encoder = RunStore.encoder()
        return try report.experiments.compactMap { spec in
            guard let run = runs[spec.name] else { return nil }
            struct Download: Encodable { let declaration: DeclarationValue; let result: RunResult }
            do {
                var timeless = run.timeless  // wall times are in provenance.json: these bytes depend on the declaration only
                if timeless.image != nil {
                    timeless = timeless.keeping(Set(ResultPart.allCases).subtracting(ResultPart.holdingImages).subtracting([.images]))
                }
                let data = try encoder.encode(Download(declaration: DeclarationKeys.declaration(spec), result: timeless))
                return (spec.name, String(decoding: data, as: UTF8.self))
            } catch {
                throw BuildError(step: "pages", path: "\(report.id)/\(Self.runJSON(spec.name))", message: "cannot write the run's JSON: \(error)")
            }
        }
    }

    func indexEntry() -> [String: Any] {
        let okRuns = report.experiments.filter { runs[$0.name]?.status == .ok }.count
        let okFigures = report.figures.filter { figures[$0.name] != nil && figures[$0.name]?.error == nil }.count
        var entry: [String: Any] = [
            "id": report.id, "title": report.title,
            "href": "\(report.id)/index.html", "notebook": "\(report.id)/\(notebookPath)", "failed": failed,
            "runCount": report.experiments.count, "figureCount": report.figures.count,
            "runsText": "\(report.experiments.count) run\(report.experiments.count == 1 ? "" : "s")",
            "figuresText": "\(report.figures.count) figure\(report.figures.count == 1 ? "" : "s")",
            "status": uncommitted ? "not yet committed" : (failed ? "failed" : "ok"),
            "uncommitted": uncommitted,
            "okText": "\(okRuns) of \(report.experiments.count) run\(report.experiments.count == 1 ? "" : "s") and \(okFigures) of \(report.figures.count) figure\(report.figures.count == 1 ? "" : "s") succeeded",
            "failures": failures.map { ["message": $0] },
        ]
        if !report.summary.isEmpty { entry["summary"] = report.summary }
        if !report.claims.isEmpty {
            entry["claimsText"] = claimCounts
            entry["claimsFailed"] = report.claims.contains { claims[$0.name]?.verdict == .notReproduced }
            // Read by the papers' map page (also for reports a `build --only` keeps).
            entry["claimVerdicts"] = Dictionary(report.claims.compactMap { c in claims[c.name].map { (c.name, $0.verdict.rawValue) } },
                                                uniquingKeysWith: { a, _ in a })
        }
        entry.merge(extraIndexEntry()) { a, _ in a }
        if let thumbnail = report.thumbnail, let files = figures[thumbnail], files.error == nil {
            entry["thumbnail"] = "\(report.id)/figures/\(thumbnail).png"
            entry["thumbnailSvg"] = "\(report.id)/figures/\(thumbnail).svg"
            entry["thumbnailDarkSvg"] = "\(report.id)/figures/\(thumbnail)-dark.svg"
            let caption = report.figures.first { $0.name == thumbnail }?.caption ?? ""
            entry["thumbnailAlt"] = caption.isEmpty ? files.altText : "Thumbnail: \(caption)"
        }
        return entry
    }
}
