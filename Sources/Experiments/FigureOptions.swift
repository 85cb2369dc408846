import Foundation
import Yams

/// What a report may change in a drawn figure (every panel of it), on top of the recipe's
/// choices:
///
/// ```yaml
/// x_range: [0, 60]        # axis limits; data outside is clipped (and counted in the alt text)
/// y_range: [1.0e-6, 1]
/// x_log: false            # logarithmic axes
/// y_log: true
/// x_label: "frequency k"  # axis labels
/// y_label: "|f̃(k)|"
/// x_ticks: [0, 45, 90]    # the ticks, instead of the automatic ones (at least two, increasing)
/// on_top: target          # the series (by legend label) drawn over the others
/// ```
public struct FigureOptions: Sendable, Equatable, Codable {
    public var xRange: [Double]?
    public var yRange: [Double]?
    public var xLog: Bool?
    public var yLog: Bool?
    public var xLabel: String?
    public var yLabel: String?
    public var xTicks: [Double]?
    public var yTicks: [Double]?
    public var onTop: [String] = []

    public init() {}

    public var isEmpty: Bool { self == FigureOptions() }

    static let keys = ["x_range", "y_range", "x_log", "y_log", "x_label", "y_label", "x_ticks", "y_ticks", "on_top"]

    /// Reads the option keys of a figure block (the other keys are the block's own).
    static func read(_ map: MappingReader) -> FigureOptions {
        var o = FigureOptions()
        func range(_ key: String) -> [Double]? {
            guard let node = map[key] else { return nil }
            guard case .sequence(let items) = node, items.count == 2 else {
                map.reader.report(node, map.path(key), "expected [low, high], found \(node.kindDescription)")
                return nil
            }
            let values = items.enumerated().compactMap { readDouble($0.element, map.path("\(key)[\($0.offset)]"), positive: false, reader: map.reader) }
            guard values.count == 2 else { return nil }
            guard values[0] < values[1] else {
                map.reader.report(node, map.path(key), "the low end must be below the high end, found [\(values[0]), \(values[1])]")
                return nil
            }
            return values
        }
        func ticks(_ key: String) -> [Double]? {
            guard let node = map[key] else { return nil }
            guard case .sequence(let items) = node, items.count >= 2, items.count <= 50 else {
                map.reader.report(node, map.path(key), "expected a list of 2 to 50 tick values, e.g. [0, 45, 90], found \(node.kindDescription)")
                return nil
            }
            let values = items.enumerated().compactMap { readDouble($0.element, map.path("\(key)[\($0.offset)]"), positive: false, reader: map.reader) }
            guard values.count == items.count else { return nil }
            guard zip(values, values.dropFirst()).allSatisfy({ $0 < $1 }) else {
                map.reader.report(node, map.path(key), "the ticks must increase, found \(values.map { ClaimCheck.number($0) }.joined(separator: ", "))")
                return nil
            }
            return values
        }
        func flag(_ key: String) -> Bool? {
            guard let node = map[key] else { return nil }
            guard case .scalar = node, let b = node.bool else {
                map.reader.report(node, map.path(key), "expected true or false, found \(node.kindDescription)")
                return nil
            }
            return b
        }
        o.xRange = range("x_range")
        o.yRange = range("y_range")
        o.xTicks = ticks("x_ticks")
        o.yTicks = ticks("y_ticks")
        o.xLog = flag("x_log")
        o.yLog = flag("y_log")
        if map["x_label"] != nil { o.xLabel = map.string("x_label", default: "") }
        if map["y_label"] != nil { o.yLabel = map.string("y_label", default: "") }
        for (key, log, r) in [("x_range", o.xLog, o.xRange), ("y_range", o.yLog, o.yRange)] where log == true && (r?[0] ?? 1) <= 0 {
            map.reader.report(map[key], map.path(key), "a log axis needs a positive range, found [\(r![0]), \(r![1])]")
        }
        for (key, log, t) in [("x_ticks", o.xLog, o.xTicks), ("y_ticks", o.yLog, o.yTicks)] where log == true && (t?[0] ?? 1) <= 0 {
            map.reader.report(map[key], map.path(key), "a log axis needs positive ticks, found \(ClaimCheck.number(t![0]))")
        }
        if let node = map["on_top"] {
            switch node {
            case .scalar(let s): o.onTop = [s.string]
            case .sequence(let items):
                o.onTop = items.compactMap { item in
                    if case .scalar(let s) = item { return s.string }
                    map.reader.report(item, map.path("on_top"), "expected a series label, found \(item.kindDescription)")
                    return nil
                }
            default: map.reader.report(node, map.path("on_top"), "expected a series label or a list of them, found \(node.kindDescription)")
            }
        }
        return o
    }
}
