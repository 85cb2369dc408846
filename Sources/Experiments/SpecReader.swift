import Foundation
import Yams

/// Reads a YAML block with positions, checking types and keys, and collecting every problem
/// instead of stopping at the first one.
///
/// Line numbers are made absolute (file lines) by adding the block's first line.
final class SpecReader {
    let file: String
    let lineOffset: Int
    private(set) var problems: [SpecProblem] = []

    init(file: String, lineOffset: Int) {
        self.file = file
        self.lineOffset = lineOffset
    }

    /// Parses YAML text into a node; a syntax error becomes one problem at its position.
    func compose(_ text: String, keyPath: String) -> Node? {
        // Depth, alias expansion and duplicate keys are checked on libyaml's events first: no
        // tree is built for a text that would be too deep or too large to walk.
        if let problem = Limits.yamlProblem(text, lineOffset: lineOffset) {
            report(line: problem.line + 1, column: problem.column + 1, keyPath: keyPath, problem.message)
            return nil
        }
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                 .composer(_, let problem, let mark, _):
                report(line: mark.line, column: mark.column, keyPath: keyPath,
                       "malformed YAML: \(problem)")
            default:
                report(line: 1, column: 1, keyPath: keyPath, "malformed YAML: \(error)")
            }
        } catch {
            report(line: 1, column: 1, keyPath: keyPath, "malformed YAML: \(error)")
        }
        return nil
    }

    func add(_ problem: SpecProblem) { problems.append(problem) }

    /// Problems found since `since` at a key an override set are the override's: reported once
    /// (not once per sweep point), as `-S key=value: message`, not at a line of the report.
    func blame(_ overrides: [Override], in node: Node, since: Int, block: String) {
        guard !overrides.isEmpty, since < problems.count else { return }
        var kept = Array(problems[..<since])
        for problem in problems[since...] {
            let culprit = overrides.last { o in
                let path = ([block] + o.path(in: node)).joined(separator: ".")
                return problem.keyPath == path || problem.keyPath.hasPrefix(path + ".") || problem.keyPath.hasPrefix(path + "[")
            }
            let blamed = culprit.map {
                SpecProblem(file: $0.argument, line: 0, column: 0, keyPath: "", message: problem.message + " (in experiment \(block))")
            } ?? problem
            if culprit == nil || !kept.contains(blamed) { kept.append(blamed) }
        }
        problems = kept
    }

    func report(line: Int, column: Int, keyPath: String, _ message: String) {
        let problem = SpecProblem(file: file, line: line + lineOffset, column: column, keyPath: keyPath, message: message)
        // The same problem found again (once per sweep point) is reported once.
        if !problems.contains(problem) { problems.append(problem) }
    }

    func report(_ node: Node?, _ keyPath: String, _ message: String) {
        let mark = node?.mark
        report(line: mark?.line ?? 1, column: mark?.column ?? 1, keyPath: keyPath, message)
    }
}

/// A YAML mapping being read: remembers which keys were used so the rest can be flagged.
struct MappingReader {
    let reader: SpecReader
    let node: Node
    let keyPath: String
    let pairs: [(key: String, value: Node, keyNode: Node)]

    init?(_ node: Node, keyPath: String, reader: SpecReader) {
        guard case .mapping(let mapping) = node else {
            reader.report(node, keyPath, "expected a mapping of keys to values, found \(node.kindDescription)")
            return nil
        }
        self.reader = reader
        self.node = node
        self.keyPath = keyPath
        self.pairs = mapping.map { (key: $0.key.string ?? "\($0.key)", value: $0.value, keyNode: $0.key) }
    }

    func path(_ key: String) -> String { keyPath.isEmpty ? key : "\(keyPath).\(key)" }

    subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }

    /// Flags keys outside `allowed`, with a suggestion for a likely misspelling.
    func checkKeys(_ allowed: [String]) {
        for pair in pairs where !allowed.contains(pair.key) {
            var message = "unknown key '\(pair.key)'"
            if let near = closest(to: pair.key, in: allowed) {
                message += "; did you mean '\(near)'?"
            } else {
                message += "; expected one of: \(allowed.joined(separator: ", "))"
            }
            reader.report(pair.keyNode, path(pair.key), message)
        }
    }

    func required(_ key: String) -> Node? {
        guard let value = self[key] else {
            reader.report(node, path(key), "missing required key '\(key)'")
            return nil
        }
        return value
    }

    func string(_ key: String, default fallback: String? = nil, oneOf choices: [String]? = nil) -> String? {
        guard let value = self[key] else {
            if fallback == nil { reader.report(node, path(key), "missing required key '\(key)'") }
            return fallback
        }
        guard case .scalar(let scalar) = value else {
            reader.report(value, path(key), "expected a string, found \(value.kindDescription)")
            return fallback
        }
        if let choices, !choices.contains(scalar.string) {
            var message = "expected one of \(choices.joined(separator: ", ")), found '\(scalar.string)'"
            if let near = closest(to: scalar.string, in: choices) { message += "; did you mean '\(near)'?" }
            reader.report(value, path(key), message)
            return fallback
        }
        return scalar.string
    }

    /// One of a vocabulary's words (`allCases`), typed; nil (and a problem) for any other word.
    func choice<Word: RawRepresentable & CaseIterable>(_ key: String, default fallback: Word? = nil) -> Word?
    where Word.RawValue == String {
        string(key, default: fallback?.rawValue, oneOf: Word.words).flatMap(Word.init(rawValue:)) ?? fallback
    }

    func int(_ key: String, default fallback: Int? = nil, minimum: Int? = nil) -> Int? {
        guard let value = self[key] else {
            if fallback == nil { reader.report(node, path(key), "missing required key '\(key)'") }
            return fallback
        }
        return readInt(value, path(key), minimum: minimum, reader: reader) ?? fallback
    }

    func double(_ key: String, default fallback: Double? = nil, positive: Bool = false) -> Double? {
        guard let value = self[key] else {
            if fallback == nil { reader.report(node, path(key), "missing required key '\(key)'") }
            return fallback
        }
        return readDouble(value, path(key), positive: positive, reader: reader) ?? fallback
    }

    /// An optional true/false key.
    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let value = self[key] else { return fallback }
        guard case .scalar = value, let flag = value.bool else {
            reader.report(value, path(key), "expected true or false, found \(value.kindDescription)")
            return fallback
        }
        return flag
    }

    func intList(_ key: String, minimum: Int? = nil) -> [Int]? {
        guard let value = required(key) else { return nil }
        return readIntList(value, path(key), minimum: minimum, reader: reader)
    }
}

func readInt(_ node: Node, _ path: String, minimum: Int?, reader: SpecReader) -> Int? {
    guard case .scalar = node, let int = node.int else {
        reader.report(node, path, "expected an integer, found \(node.kindDescription)")
        return nil
    }
    if let minimum, int < minimum {
        reader.report(node, path, "expected an integer of at least \(minimum), found \(int)")
        return nil
    }
    return int
}

func readDouble(_ node: Node, _ path: String, positive: Bool, reader: SpecReader) -> Double? {
    guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
        reader.report(node, path, "expected a number, found \(node.kindDescription)")
        return nil
    }
    if positive && !(value > 0) {
        reader.report(node, path, "expected a positive number, found \(node.string ?? "\(value)")")
        return nil
    }
    return value
}

/// A list of integers, or a range written `{from: 5, to: 50, step: 5}` (inclusive).
func readIntList(_ node: Node, _ path: String, minimum: Int?, reader: SpecReader) -> [Int]? {
    switch node {
    case .sequence(let sequence):
        var values: [Int] = []
        for (i, item) in sequence.enumerated() {
            guard let v = readInt(item, "\(path)[\(i)]", minimum: minimum, reader: reader) else { return nil }
            values.append(v)
        }
        if values.isEmpty { reader.report(node, path, "expected a non-empty list") ; return nil }
        return values
    case .mapping:
        guard let range = MappingReader(node, keyPath: path, reader: reader) else { return nil }
        range.checkKeys(["from", "to", "step"])
        guard let from = range.int("from", minimum: minimum), let to = range.int("to", minimum: minimum) else { return nil }
        let step = range.int("step", default: 1, minimum: 1) ?? 1
        guard to >= from else { reader.report(node, path, "range 'to' (\(to)) is below 'from' (\(from))"); return nil }
        let (span, overflow) = to.subtractingReportingOverflow(from)
        guard !overflow, span / step < Limits.listLength else {
            reader.report(node, path, "the range {from: \(from), to: \(to), step: \(step)} has more than \(Limits.listLength) values")
            return nil
        }
        return Array(stride(from: from, through: to, by: step))
    default:
        reader.report(node, path, "expected a list of integers or {from, to, step}, found \(node.kindDescription)")
        return nil
    }
}

extension Node {
    var kindDescription: String {
        switch self {
        case .scalar(let s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

/// The allowed word nearest to `word` within a small edit distance, if any (for the command line).
public func nearestName(to word: String, in candidates: [String]) -> String? { closest(to: word, in: candidates) }

/// The allowed word nearest to `word` within a small edit distance, if any.
func closest(to word: String, in candidates: [String]) -> String? {
    let limit = max(1, word.count / 3)
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
    return best.0
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
/// neighbours each cost 1 (so `mgld` is one edit from `mgdl`).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

extension Override {
    /// The override as typed: `-S key=value`.
    public var argument: String { "-S " + ((experiment.map { [$0] } ?? []) + path).joined(separator: ".") + "=" + text }

    /// Where the override lands in a block: `train.steps` and `train.epochs` are one override, the
    /// training length, set in the unit the block's method counts (steps for `mlp`, epochs for the
    /// others), so `-S train.epochs=100` applies to every experiment.
    func path(in node: Node) -> [String] {
        guard path.count == 2, path[0] == "train", path[1] == "steps" || path[1] == "epochs" else { return path }
        let method = node.mapping?["method"]?.string.flatMap(MethodKind.init(rawValue:)) ?? .mlp
        return ["train", method.lengthKey]
    }
}

extension MappingReader {
    /// `run:` of a figure or table: one experiment name or a list of them.
    func runNames() -> [String] {
        guard let run = required("run") else { return [] }
        switch run {
        case .scalar(let s): return [s.string]
        case .sequence(let items): return items.compactMap(\.string)
        default:
            reader.report(run, path("run"), "expected a run name or a list of names, found \(run.kindDescription)")
            return []
        }
    }
}
