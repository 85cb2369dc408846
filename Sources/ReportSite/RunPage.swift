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
            "rows": ReportPage.declarationRows(spec),
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
        guard let yaml = try? YAMLEncoder().encode(spec), var node = try? Yams.compose(yaml: yaml) else {
            return "# the declaration could not be written as YAML; see the JSON download"
        }
        node = renamingKeys(node)
        return (try? Yams.serialize(node: node)) ?? yaml
    }

    /// Swift property names → the report format's keys.
    static let formatKeys = ["learning_rate": "lr", "initializer": "init"]

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
