import Foundation
import Yams

/// A `-S key=value` override from the command line. `key` is a dotted path into an experiment
/// block (`train.steps`), optionally prefixed by the experiment's name (`rahaman.train.steps`).
public struct Override: Sendable, Equatable {
    public let experiment: String?
    public let path: [String]
    public let text: String
    var value: Node { (try? Yams.compose(yaml: text)) ?? Node(text) }

    /// Parses `key=value`; `experimentNames` decides whether the first component names an experiment.
    public static func parse(_ argument: String) throws -> Override {
        guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
            throw OverrideError(description: "-S expects key=value (e.g. -S train.steps=100), found '\(argument)'")
        }
        let key = String(argument[..<equals])
        let text = String(argument[argument.index(after: equals)...])
        let parts = key.split(separator: ".").map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw OverrideError(description: "-S: '\(key)' is not a dotted key path")
        }
        let topLevel = ExperimentSpec.topKeys
        if topLevel.contains(parts[0]) {
            return Override(experiment: nil, path: parts, text: text)
        }
        guard parts.count > 1 else {
            throw OverrideError(description: "-S: '\(key)' is neither a key of an experiment (\(topLevel.joined(separator: ", "))) nor EXPERIMENT.key")
        }
        return Override(experiment: parts[0], path: Array(parts.dropFirst()), text: text)
    }
}

public struct OverrideError: Error, CustomStringConvertible {
    public let description: String
}

/// Sweeps: `grid` (cartesian product) and `zip` (lists varied together) over any keys of a block.
///
/// ```yaml
/// sweep:
///   grid: {task.amplitudes: [constant, decreasing], seed: [0, 1]}
///   zip:  {train.lr: [1.0e-3, 3.0e-4], train.steps: [1000, 3000]}
/// ```
/// The runs are the grid's points times the zip's points, in declaration order.
enum Sweep {
    struct Assignment {
        let path: [String]
        let value: Node
        /// Where the axis is named, for problems with a key the axis adds.
        var keyMark: Mark? = nil
        /// A `grid` axis (not a `zip` one): its values name the runs beside a zip's `name` axis.
        var fromGrid = false
    }

    static func points(_ node: Node, keyPath: String, reader: SpecReader) -> [[Assignment]] {
        guard let sweep = MappingReader(node, keyPath: keyPath, reader: reader) else { return [[]] }
        sweep.checkKeys(SpecSchema.keys("experiment.sweep"))
        var grid: [[Assignment]] = [[]]
        if let g = sweep["grid"], let map = MappingReader(g, keyPath: sweep.path("grid"), reader: reader) {
            for pair in map.pairs {
                guard case .sequence(let values) = pair.value, !values.isEmpty else {
                    reader.report(pair.value, map.path(pair.key), "a grid axis is a non-empty list of values, found \(pair.value.kindDescription)")
                    continue
                }
                let path = pair.key.split(separator: ".").map(String.init)
                guard Limits.sweepFits(grid.count, values.count, pair.value, map.path(pair.key), reader: reader) else { return [] }
                grid = grid.flatMap { point in values.map { point + [Assignment(path: path, value: $0, keyMark: pair.keyNode.mark, fromGrid: true)] } }
            }
        }
        var zipped: [[Assignment]] = [[]]
        if let z = sweep["zip"], let map = MappingReader(z, keyPath: sweep.path("zip"), reader: reader) {
            var length: Int?
            var columns: [([String], [Node], Mark?)] = []
            for pair in map.pairs {
                guard case .sequence(let values) = pair.value, !values.isEmpty else {
                    reader.report(pair.value, map.path(pair.key), "a zip axis is a non-empty list of values, found \(pair.value.kindDescription)")
                    continue
                }
                if let length, values.count != length {
                    reader.report(pair.value, map.path(pair.key), "zip lists must have the same length: this one has \(values.count), the first has \(length)")
                    continue
                }
                length = values.count
                columns.append((pair.key.split(separator: ".").map(String.init), Array(values), pair.keyNode.mark))
            }
            if let length {
                guard Limits.sweepFits(grid.count, length, z, sweep.path("zip"), reader: reader) else { return [] }
                zipped = (0..<length).map { i in columns.map { Assignment(path: $0.0, value: $0.1[i], keyMark: $0.2) } }
            }
        }
        return grid.flatMap { g in zipped.map { g + $0 } }
    }

    /// Sets `path` in a mapping node, creating mappings on the way.
    static func set(_ node: Node, path: [String], to value: Node, keyMark: Mark? = nil) -> Node {
        guard let head = path.first else { return value }
        var pairs: [(Node, Node)] = []
        var found = false
        // `null` (`~`) leaves the key out: e.g. `train.lbfgs: [null, 50]` gives only the second point L-BFGS.
        let removes = path.count == 1 && value.null != nil
        if removes { found = true }
        if case .mapping(let m) = node {
            for (k, v) in m {
                if k.string == head && removes { continue }
                if k.string == head {
                    pairs.append((k, set(v, path: Array(path.dropFirst()), to: value, keyMark: keyMark)))
                    found = true
                } else {
                    pairs.append((k, v))
                }
            }
        }
        if !found {
            // A key the block did not have: placed where the value was written (the sweep axis, the
            // profile), so a problem with it names that line.
            var key = Node.Scalar(head)
            key.mark = keyMark ?? value.mark
            pairs.append((.scalar(key), set(Node.mapping(Node.Mapping([])), path: Array(path.dropFirst()), to: value, keyMark: keyMark)))
        }
        var mapping = Node.Mapping(pairs)
        if case .mapping(let m) = node { mapping.mark = m.mark }
        return .mapping(mapping)
    }

    /// A value as it appears in a run name: letters, digits, '.', '-' and '_' only.
    /// A sweep value as written, compactly: `10`, `[256, 256]`, `{kind: basic}` (for figures).
    static func text(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return s.string
        case .sequence(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .mapping(let m): return "{" + m.map { "\($0.key.string ?? ""): \(text($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    static func label(_ node: Node) -> String {
        let text: String
        switch node {
        case .scalar(let s): text = s.string
        case .sequence(let items): text = items.map(label).joined(separator: "_")
        case .mapping(let m): text = m.map { "\($0.key.string ?? "")-\(label($0.value))" }.joined(separator: "_")
        }
        return String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") ? $0 : "_" })
    }
}
