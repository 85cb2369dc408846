import Experiments
import Foundation

/// A `leaderboard` table: methods ranked on tasks.
///
/// Each experiment the table lists is a task; its runs, by sweep label (the `name` axis of a
/// zip), are the methods, their repeats combined. Per task, methods are ranked by the mean of
/// `metric` over their repeats (smaller first for errors and losses, larger first for PSNR,
/// accuracy and the spectral ratio); equal means share the average of their places (1, 2.5,
/// 2.5, 4), and a method without a value (failed, missing) ranks after every method with one,
/// tied with the others without. The overall table gives each method's rank on every task and
/// the mean of its ranks (over every task: a method absent from a task is ranked there as one
/// without a value), then its place by mean rank.
extension TableRecipes {
    /// One method on one task.
    struct LeaderboardEntry {
        let task: String
        let method: String
        /// The run names of its repeats.
        let runs: [String]
        /// The name its repeats share (the repeated run's name).
        let series: String
        let values: [Double]
        let failure: String?
        var rank = 0.0
        var mean: Double? { values.isEmpty || failure != nil ? nil : values.reduce(0, +) / Double(values.count) }
        var spread: Double? {
            guard let mean, values.count > 1 else { return nil }
            return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot()
        }
    }

    /// The entries, in task order (the table's run list) and method order (first appearance), ranked.
    static func leaderboardEntries(for spec: TableSpec, runs: [String: RunResult], labels: [String: String],
                                   repeats: [String: String], specs: [String: ExperimentSpec])
        -> (tasks: [String], methods: [String], entries: [LeaderboardEntry]) {
        var tasks: [String] = [], methods: [String] = []
        var members: [String: [String]] = [:], seriesOf: [String: String] = [:], keys: [String] = []
        for name in spec.runs {
            let task = specs[name]?.group ?? name
            let series = repeats[name] ?? name
            let method = labels[name].flatMap { $0.isEmpty ? nil : $0 } ?? series
            if !tasks.contains(task) { tasks.append(task) }
            if !methods.contains(method) { methods.append(method) }
            let key = task + "\u{1}" + method
            if members[key] == nil { keys.append(key) }
            members[key, default: []].append(name)
            seriesOf[key] = series
        }
        var entries = keys.map { key -> LeaderboardEntry in
            let parts = key.components(separatedBy: "\u{1}")
            let names = members[key]!
            var failure: String?
            for name in names {
                guard let run = runs[name] else { failure = "\(name): no result"; break }
                if run.status == .failed { failure = "\(names.count > 1 ? name + " " : "")failed: \(run.message ?? "no message")"; break }
            }
            let metric = spec.metric(of: parts[0])
            let values = failure == nil ? names.compactMap { runs[$0].flatMap(metric.value) } : []
            return LeaderboardEntry(task: parts[0], method: parts[1], runs: names, series: seriesOf[key]!,
                                    values: values.count == names.count ? values : [], failure: failure)
        }
        for task in tasks {
            let indices = entries.indices.filter { entries[$0].task == task }
            let ranks = averageRanks(indices.map { entries[$0].mean }, higherIsBetter: spec.metric(of: task).higherIsBetter)
            for (i, rank) in zip(indices, ranks) { entries[i].rank = rank }
        }
        return (tasks, methods, entries)
    }

    /// Ranks 1 … n of `values` (best first), ties sharing the mean of their places; nil values
    /// after all others, tied among themselves.
    static func averageRanks(_ values: [Double?], higherIsBetter: Bool) -> [Double] {
        let order = values.indices.sorted { a, b in
            switch (values[a], values[b]) {
            case let (x?, y?): return x == y ? a < b : (higherIsBetter ? x > y : x < y)
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a < b
            }
        }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let shared = Double(start + end + 2) / 2
            for k in start...end { ranks[order[k]] = shared }
            start = end + 1
        }
        return ranks
    }

    /// The per-task table (rows: task · method, by task then rank) or, with `overall`, the
    /// ranking (rows: methods by mean rank; columns: the rank on each task, the mean rank, the place).
    static func leaderboard(for spec: TableSpec, runs: [String: RunResult], labels: [String: String],
                            repeats: [String: String], specs: [String: ExperimentSpec]) -> Table {
        let (tasks, methods, entries) = leaderboardEntries(for: spec, runs: runs, labels: labels, repeats: repeats, specs: specs)
        if spec.overall {
            var meanRank: [String: Double] = [:]
            var perTask: [String: [Double]] = [:]
            for method in methods {
                perTask[method] = tasks.map { task in
                    if let e = entries.first(where: { $0.task == task && $0.method == method }) { return e.rank }
                    // Absent from this task: after every method present there.
                    let present = entries.filter { $0.task == task }.count
                    return Double(present + 1 + methods.count) / 2
                }
                meanRank[method] = perTask[method]!.reduce(0, +) / Double(max(1, tasks.count))
            }
            let places = averageRanks(methods.map { meanRank[$0] }, higherIsBetter: false)
            let order = methods.indices.sorted { places[$0] == places[$1] ? $0 < $1 : places[$0] < places[$1] }
            let rows = order.map { i -> (run: String, label: String, cells: [Cell], failure: String?) in
                let method = methods[i]
                let cells = perTask[method]!.map { Cell(ours: $0, paper: nil, metric: "rank") }
                    + [Cell(ours: meanRank[method], paper: nil, metric: "mean_rank"), Cell(ours: places[i], paper: nil, metric: "rank")]
                return (method, method, cells, nil)
            }
            return Table(columns: tasks.map { "rank: \($0)" } + ["mean rank", "place"], rows: rows, source: nil)
        }
        var rows: [(run: String, label: String, cells: [Cell], failure: String?)] = []
        for task in tasks {
            let ranked = entries.filter { $0.task == task }.enumerated()
                .sorted { $0.element.rank == $1.element.rank ? $0.offset < $1.offset : $0.element.rank < $1.element.rank }.map(\.element)
            for e in ranked {
                let label = "\(task) · \(e.method)"
                if let failure = e.failure { rows.append((e.series, label, [], failure)); continue }
                let flops = specs[e.runs[0]].map(TrainingFLOPs.total)
                rows.append((e.series, label, [
                    Cell(ours: e.mean, paper: nil, metric: spec.metric(of: task).rawValue, spread: e.spread, count: e.values.count),
                    Cell(ours: flops, paper: nil, metric: "flops"),
                    Cell(ours: nil, paper: nil, metric: "seconds", timeRuns: e.runs),
                    Cell(ours: e.rank, paper: nil, metric: "rank"),
                ], nil))
            }
        }
        let metrics = tasks.map { spec.metric(of: $0) }.reduce(into: [ClaimMetric]()) { if !$0.contains($1) { $0.append($1) } }
        let title = metrics.count == 1 ? metrics[0].words : metrics.map(\.words).joined(separator: " or ")
        return Table(columns: [title, "training FLOPs", "time (s)", "rank"], rows: rows, source: nil)
    }
}
