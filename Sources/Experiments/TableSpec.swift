import Foundation
import Yams

/// A declared table: our numbers for some runs, beside the published ones where given.
///
/// ```yaml
/// kind: rse                       # train / validation / test RSE, parameters, training time
/// run: [sgdl, mgdl]               # runs or swept experiments
/// caption: "..."
/// paper:                          # published values by run name, with the source
///   source: "Fang & Xu (2024), Table 1"
///   values: {mgdl--amplitudes-constant: {test: 1.0e-5}}
/// ```
public struct TableSpec: Sendable, Equatable, Codable {
    public var name: String
    public var kind: TableKind
    public var runs: [String]
    public var caption: String
    public var paperSource: String?
    /// run name -> metric (`train`, `validation`, `test`) -> published value
    public var paper: [String: [String: Double]]
    public var line: Int
    /// `grades: true`: a row per grade of every multi-grade run (RSE of the sum up to it, its
    /// time), a time column and the training settings; paper values by `RUN/grade-N`.
    public var grades: Bool = false
    /// `paper.profiles`: the published values apply only at these profiles (empty: at every one).
    public var paperProfiles: [String] = []
    /// `group: label`: the runs that share a sweep label (one point of the sweep, in every listed
    /// experiment, e.g. the same mapping on several images) make one row, mean ± std over them;
    /// published values are keyed by the label. nil: a row per run (repeats combined).
    public var group: TableGrouping? = nil
    /// `leaderboard`: the metric that ranks (default test RSE) and, with `overall: true`, the
    /// table of each method's rank on every task and its mean rank instead of the per-task rows.
    public var metric: ClaimMetric? = nil
    public var overall: Bool = false
    /// `leaderboard`: tasks ranked by another metric than `metric` (an image by its test PSNR).
    public var taskMetrics: [String: ClaimMetric] = [:]

    /// The metric that ranks the methods on `task` (a leaderboard's experiment).
    public func metric(of task: String) -> ClaimMetric { taskMetrics[task] ?? metric ?? .testRSE }

    static func read(_ node: Node, name: String, reader: SpecReader) -> TableSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("table"))
        let kind: TableKind? = map.choice("kind")
        let runs = map.runNames()
        let grades = map.bool("grades", default: false)
        let group: TableGrouping? = map["group"] == nil ? nil : map.choice("group")
        if group != nil && grades { reader.report(map["group"], map.path("group"), "group: label combines runs into one row; it cannot be used with grades: true") }
        var source: String?
        var paper: [String: [String: Double]] = [:]
        var paperProfiles: [String] = []
        if let p = map["paper"], let pm = MappingReader(p, keyPath: map.path("paper"), reader: reader) {
            pm.checkKeys(["source", "values", "profiles"])
            if let p = pm["profiles"] {
                switch p {
                case .scalar(let s): paperProfiles = [s.string]
                case .sequence(let items): paperProfiles = items.compactMap(\.string)
                default: reader.report(p, pm.path("profiles"), "expected a profile name or a list of them, found \(p.kindDescription)")
                }
            }
            source = pm.string("source")
            if let v = pm["values"], let vm = MappingReader(v, keyPath: pm.path("values"), reader: reader) {
                for pair in vm.pairs {
                    guard let metrics = MappingReader(pair.value, keyPath: vm.path(pair.key), reader: reader) else { continue }
                    // Every kind's metrics are words of the format; a table shows its own kind's.
                    let names = TableKind.allCases.flatMap { $0.paperMetrics(grades: true) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                    metrics.checkKeys(names)
                    if let kind {
                        let own = kind.paperMetrics(grades: grades)
                        for pair in metrics.pairs where names.contains(pair.key) && !own.contains(pair.key) {
                            reader.report(pair.keyNode, metrics.path(pair.key),
                                          "a \(kind) table has no '\(pair.key)' column (its columns: \(own.joined(separator: ", ")))")
                        }
                    }
                    var values: [String: Double] = [:]
                    for metric in names where metrics[metric] != nil {
                        values[metric] = metrics.double(metric)
                    }
                    paper[pair.key] = values
                }
            }
        }
        var metric: ClaimMetric?
        var overall = false
        var taskMetrics: [String: ClaimMetric] = [:]
        if kind == .leaderboard {
            metric = map["metric"] == nil ? .testRSE : map.choice("metric")
            overall = map.bool("overall", default: false)
            if let node = map["metrics"], let mm = MappingReader(node, keyPath: map.path("metrics"), reader: reader) {
                for pair in mm.pairs {
                    if let m: ClaimMetric = mm.choice(pair.key) { taskMetrics[pair.key] = m }
                }
            }
            for key in ["grades", "group", "paper"] where map[key] != nil {
                reader.report(map[key], map.path(key), "a leaderboard ranks our runs at one budget: it takes no '\(key)'")
            }
        } else {
            for key in ["metric", "metrics", "overall"] where map[key] != nil {
                reader.report(map[key], map.path(key), "'\(key)' is a key of leaderboard tables")
            }
        }
        guard let kind, !runs.isEmpty else { return nil }
        return TableSpec(name: name, kind: kind, runs: runs, caption: map.string("caption", default: "") ?? "",
                         paperSource: source, paper: paper, line: reader.lineOffset + (map["run"]?.mark?.line ?? 1), grades: grades,
                         paperProfiles: paperProfiles, group: group, metric: metric, overall: overall,
                         taskMetrics: taskMetrics)
    }
}

/// `group` of a table: how runs are combined into rows.
public enum TableGrouping: String, Sendable, Codable, CaseIterable {
    /// The runs that share a sweep label make one row.
    case label
}
