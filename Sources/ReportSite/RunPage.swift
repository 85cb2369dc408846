import Experiments
import Foundation
import Yams

/// The page of one run, `site/<report>/runs/<run>.html`: the configuration it was trained with,
/// what it produced, and links back. `runs/<run>.json` beside it is the download.
struct RunPage {
    let page: ReportPage
    let spec: ExperimentSpec

    var run: RunResult? { page.runs[spec.name] }

    func context() -> [String: Any] {
        let row = page.runRow(spec)
        var context: [String: Any] = [
            "title": "Run \(spec.name)",
            "root": "../../",
            "name": spec.name,
            "reportTitle": page.report.title,
            "reportHref": "../index.html",
            "experimentHref": "../index.html#run-\(spec.group)",
            "group": spec.group,
            "json": "\(spec.name).json",
            "seed": "\(spec.seed)",
            "origin": row["origin"] as? String ?? "",
            "storeKey": page.runKey(spec),
            "ok": run?.status == .ok,
            "declaration": Self.declarationYAML(spec),
            "rows": Self.summaryRows([spec]),
            "results": ReportPage.resultRows(run, spec: spec),
            "figures": page.report.figures.filter { $0.runs.contains(spec.name) }.map { figure -> [String: Any] in
                var item: [String: Any] = ["name": figure.name, "href": "../index.html#figure-\(figure.name)"]
                if !figure.caption.isEmpty { item["caption"] = figure.caption }
                return item
            },
            "provenance": page.provenance.context,
            "source": page.report.file,
        ]
        if let budget = page.budget {
            context["budget"] = budget.context(reportID: page.report.id)
            context["uncommittedRun"] = budget.uncommitted != nil && run == nil
        }
        if !spec.label.isEmpty { context["label"] = spec.label }
        if let error = row["runError"] { context["runError"] = error }
        return context
    }

    /// The experiment as this build ran it (the block with the profile and any sweep point or
    /// override applied), as YAML in the report's keys (`DeclarationKeys`): every key the engine
    /// saw, in declaration order, and nothing that is bookkeeping.
    static func declarationYAML(_ spec: ExperimentSpec) -> String {
        (try? Yams.serialize(node: DeclarationKeys.declaration(spec).yaml))
            ?? "# the declaration could not be written as YAML; see the JSON download"
    }

    /// The configuration as (section, key, value) leaves, in declaration order: `method` and `seed`
    /// are sections of their own; empty lists and strings are left out, and so are the features
    /// when there are none.
    static func leaves(_ spec: ExperimentSpec) -> [(section: String, key: String, value: String)] {
        guard case .mapping(let top) = DeclarationKeys.declaration(spec) else { return [] }
        var out: [(String, String, String)] = []
        func text(_ value: DeclarationValue) -> String? {
            switch value {
            case .text(let s): return s.isEmpty ? nil : s
            case .list(let items): return items.isEmpty ? nil : value.text
            case .mapping(let entries): return entries.isEmpty ? nil : value.text
            case .integer, .unsigned, .number, .flag: return value.text
            }
        }
        func walk(_ value: DeclarationValue, section: String, prefix: String) {
            if case .mapping(let entries) = value {
                for entry in entries {
                    if case .mapping = entry.value { walk(entry.value, section: section, prefix: prefix + entry.key + ".") }
                    else if let t = text(entry.value) { out.append((section, prefix + entry.key, t)) }
                }
            } else if let t = text(value) {
                out.append((section, prefix.isEmpty ? "" : String(prefix.dropLast()), t))
            }
        }
        for entry in top {
            if entry.key == "features", entry.value["kind"] == .text(FeatureKind.none.rawValue) { continue }
            walk(entry.value, section: entry.key, prefix: "")
        }
        // Counts that are 0 only because they do not apply (stages of a non-multistage method,
        // validation and test sizes of a grid split).
        let unusedWhenZero: Set<String> = ["model.stages", "task.validation", "task.test"]
        return out.filter { !(unusedWhenZero.contains("\($0.0).\($0.1)") && $0.2 == "0") }
    }

    /// The configuration as label/value rows, one per section. For several runs (a sweep) only what
    /// they share is listed, and one last row names the keys that vary.
    static func summaryRows(_ specs: [ExperimentSpec]) -> [[String: String]] {
        guard let first = specs.first else { return [] }
        let all = specs.map(leaves)
        func id(_ leaf: (section: String, key: String, value: String)) -> String { leaf.key.isEmpty ? leaf.section : "\(leaf.section).\(leaf.key)" }
        let values = all.map { Dictionary($0.map { (id($0), $0.value) }, uniquingKeysWith: { a, _ in a }) }
        var order: [String] = []
        for leaves in all { for leaf in leaves where !order.contains(id(leaf)) { order.append(id(leaf)) } }
        let varying = order.filter { key in Set(values.map { $0[key] ?? "" }).count > 1 }
        var rows: [[String: String]] = []
        var sections: [String] = []
        for leaf in all[0] where !sections.contains(leaf.section) { sections.append(leaf.section) }
        for section in sections {
            let shared = all[0].filter { $0.section == section && !varying.contains(id($0)) }
            guard !shared.isEmpty else { continue }
            var value = shared.map { $0.key.isEmpty ? $0.value : "\($0.key) \($0.value)" }.joined(separator: ", ")
            if section == "method" { value += " (\(first.method.words))" }
            rows.append(["key": section, "value": value])
        }
        rows.append(["key": "profile", "value": first.profile.isEmpty ? "none (the block's own values)" : first.profile])
        if !varying.isEmpty { rows.append(["key": "varies", "value": varying.joined(separator: ", ") + " (see the runs below)"]) }
        return rows
    }
}
