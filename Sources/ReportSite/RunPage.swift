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
            "storeKey": RunStore.key(for: spec),
            "ok": run?.status == .ok,
            "declaration": Self.declarationYAML(spec),
            "rows": Self.summaryRows([spec]),
            "results": ReportPage.resultRows(run),
            "figures": page.report.figures.filter { $0.runs.contains(spec.name) }.map { figure -> [String: Any] in
                var item: [String: Any] = ["name": figure.name, "href": "../index.html#figure-\(figure.name)"]
                if !figure.caption.isEmpty { item["caption"] = figure.caption }
                return item
            },
            "provenance": page.provenance.context,
            "source": page.report.file,
        ]
        if !spec.label.isEmpty { context["label"] = spec.label }
        if let error = row["runError"] { context["runError"] = error }
        return context
    }

    /// The experiment as this build ran it (the block with the profile and any sweep point or
    /// override applied), as YAML with the report format's snake_case keys. Generated from the
    /// `Codable` spec, so it lists every field the engine saw, in declaration order.
    static func declarationYAML(_ spec: ExperimentSpec) -> String {
        guard let node = declarationNode(spec) else {
            return "# the declaration could not be written as YAML; see the JSON download"
        }
        return (try? Yams.serialize(node: node)) ?? "# the declaration could not be written as YAML; see the JSON download"
    }

    /// Keys of the encoded spec that say nothing about the training: where the report lives on this
    /// machine (which would make pages differ between machines) and bookkeeping.
    static let machineKeys: Set<String> = ["base_directory"]

    /// The spec as a YAML node with the report format's keys, machine-dependent keys removed.
    static func declarationNode(_ spec: ExperimentSpec) -> Node? {
        guard let yaml = try? YAMLEncoder().encode(portable(spec)), let node = try? Yams.compose(yaml: yaml) else { return nil }
        guard case .mapping(let top) = renamingKeys(node) else { return nil }
        return .mapping(Node.Mapping(top.filter { !machineKeys.contains($0.key.string ?? "") }))
    }

    /// The spec without where its report happens to be on this machine.
    static func portable(_ spec: ExperimentSpec) -> ExperimentSpec {
        var spec = spec
        spec.baseDirectory = ""
        return spec
    }

    /// The configuration as (section, key, value) leaves, in declaration order: `method` and `seed`
    /// are sections of their own; empty lists and strings are left out, and so are the features
    /// when there are none. Bookkeeping (name, group, label, profile, input hashes) is not configuration.
    static func leaves(_ spec: ExperimentSpec) -> [(section: String, key: String, value: String)] {
        guard case .mapping(let top)? = declarationNode(spec) else { return [] }
        var out: [(String, String, String)] = []
        func text(_ node: Node) -> String? {
            switch node {
            case .scalar(let s): return s.string.isEmpty ? nil : s.string
            case .sequence(let items):
                guard !items.isEmpty else { return nil }
                return "[" + items.map { text($0) ?? "[]" }.joined(separator: ", ") + "]"
            case .mapping(let m):
                guard !m.isEmpty else { return nil }
                return "{" + m.map { "\($0.key.string ?? ""): \(text($0.value) ?? "")" }.joined(separator: ", ") + "}"
            default: return nil
            }
        }
        func walk(_ node: Node, section: String, prefix: String) {
            if case .mapping(let m) = node, !prefix.isEmpty || section != "" {
                for (key, value) in m {
                    let name = key.string ?? ""
                    if case .mapping = value { walk(value, section: section, prefix: prefix + name + ".") }
                    else if let t = text(value) { out.append((section, prefix + name, t)) }
                }
            } else if let t = text(node) {
                out.append((section, "", t))
            }
        }
        for (key, value) in top {
            let name = key.string ?? ""
            guard !["name", "group", "label", "profile", "input_hashes"].contains(name) else { continue }
            if name == "features", case .mapping(let m) = value, m["kind"]?.string == "none" { continue }
            walk(value, section: name, prefix: "")
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

    /// Swift property names → the report format's keys.
    static let formatKeys = ["learning_rate": "lr", "final_learning_rate": "lr_final", "initializer": "init"]

    static func renamingKeys(_ node: Node) -> Node {
        switch node {
        case .mapping(let mapping):
            var pairs: [(Node, Node)] = []
            for (key, value) in mapping {
                var name = key.string.map(snakeCase) ?? key.string ?? ""
                name = formatKeys[name] ?? name
                pairs.append((Node(name), renamingKeys(value)))
            }
            return .mapping(Node.Mapping(pairs))
        case .sequence(let sequence):
            // Short lists of scalars read best on one line: [1, 256, 256, 1].
            var items = Node.Sequence(sequence.map(renamingKeys))
            if sequence.allSatisfy({ $0.scalar != nil }) { items.style = .flow }
            return .sequence(items)
        case .scalar(let scalar):
            // Yams writes floats as 3e-3 and 1e+0; Swift's shortest form (0.003, 1.0) reads better.
            if scalar.string.contains("e"), let value = Double(scalar.string), value.isFinite {
                return Node("\(value)", Tag(.float))
            }
            return node
        default:
            return node
        }
    }

    static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase {
                if !out.isEmpty { out.append("_") }
                out += c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}
