import Foundation
import Yams

/// A named set of runs, declared once in a report's front matter (`run_groups:`) so that claims
/// and built values can name many runs by one word: `run: positional-off-axes-5` in a claim,
/// `{{test_psnr of positional-off-axes-5}}` in the prose.
///
/// ```yaml
/// run_groups:
///   on-axes-5: [positional--angle-0--frequency-5, positional--angle-90--frequency-5]
///   off-axes-5: {runs: [positional--angle-*--frequency-5], except: [on-axes-5]}
/// ```
///
/// An entry of `runs` or `except` is anything a claim may name (a run, a repeated run, a block,
/// `block--label`), a `*` pattern (``ProseValue/matches(_:pattern:)``) or a group declared above
/// it. The group stands for the runs of its `runs` entries, less those of its `except` entries,
/// each once (a repeated run counts once, with all its copies), in the order written. It is
/// resolved at the profile being built: a group can be empty at one profile (its runs swept at
/// another only), but each of its entries must name a run at some profile.
public struct RunGroup: Sendable, Equatable {
    public let name: String
    public let runs: [String]
    public let except: [String]
    /// The file line of its key in the front matter.
    public let line: Int

    public init(name: String, runs: [String], except: [String] = [], line: Int = 0) {
        self.name = name
        self.runs = runs
        self.except = except
        self.line = line
    }

    /// Every entry it names, of `runs` and `except`.
    public var entries: [String] { runs + except }

    /// The names of the runs (a repeated run by its own name) that `entry` stands for among
    /// `specs`; `earlier` holds the groups resolved so far, by name.
    public static func units(of entry: String, specs: [ExperimentSpec], earlier: [String: [String]]) -> [String] {
        if let group = earlier[entry] { return group }
        var out: [String] = []
        for element in ProseValue.elements(of: entry, specs: specs) {
            for spec in element where !out.contains(spec.repeatOf ?? spec.name) { out.append(spec.repeatOf ?? spec.name) }
        }
        return out
    }

    /// The runs it stands for among `specs` (one profile's), each once, in the order written.
    public func members(specs: [ExperimentSpec], earlier: [String: [String]]) -> [String] {
        let left = Set(except.flatMap { Self.units(of: $0, specs: specs, earlier: earlier) })
        var out: [String] = []
        for entry in runs {
            for unit in Self.units(of: entry, specs: specs, earlier: earlier) where !left.contains(unit) && !out.contains(unit) {
                out.append(unit)
            }
        }
        return out
    }

    /// The groups of `run_groups:` in order, each resolved against `specs` after those above it.
    public static func resolve(_ groups: [RunGroup], specs: [ExperimentSpec]) -> [String: [String]] {
        var resolved: [String: [String]] = [:]
        for group in groups { resolved[group.name] = group.members(specs: specs, earlier: resolved) }
        return resolved
    }

    /// Reads `run_groups:` (a mapping of names to a list of entries, or to `{runs, except}`);
    /// problems go to `reader`. An entry naming a group must name one declared above it.
    static func readList(_ node: Node, keyPath: String, reader: SpecReader) -> [RunGroup] {
        guard let map = MappingReader(node, keyPath: keyPath, reader: reader) else { return [] }
        var groups: [RunGroup] = []
        func names(_ node: Node, _ path: String) -> [String]? {
            guard case .sequence(let items) = node, !items.isEmpty else {
                reader.report(node, path, "expected a non-empty list of run names or patterns, e.g. [my-run, sweep--x-*]")
                return nil
            }
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = item.string, case .scalar = item, !text.isEmpty, !text.contains(where: \.isWhitespace), !text.contains(",") else {
                    reader.report(item, "\(path)[\(index)]", "expected a run name or pattern (no spaces or commas), found \(item.kindDescription)")
                    continue
                }
                out.append(text)
            }
            return out
        }
        for pair in map.pairs {
            let name = pair.key, path = map.path(pair.key)
            let line = (pair.keyNode.mark?.line ?? 1) + reader.lineOffset
            guard ReportLoader.isSafeName(name), !name.contains("*") else {
                reader.report(pair.keyNode, path, "the group name '\(name)' is not a plain name: use letters, digits, '-' and '_' only")
                continue
            }
            var group: RunGroup?
            switch pair.value {
            case .sequence:
                if let runs = names(pair.value, path) { group = RunGroup(name: name, runs: runs, line: line) }
            default:
                guard let fields = MappingReader(pair.value, keyPath: path, reader: reader) else { continue }
                fields.checkKeys(["runs", "except"])
                let runs = fields.required("runs").flatMap { names($0, fields.path("runs")) }
                let except = fields["except"].flatMap { names($0, fields.path("except")) } ?? []
                if let runs { group = RunGroup(name: name, runs: runs, except: except, line: line) }
            }
            guard let group else { continue }
            for entry in group.entries where entry == name {
                reader.report(pair.keyNode, path, "group '\(name)' names itself")
            }
            groups.append(group)
        }
        return groups
    }
}
