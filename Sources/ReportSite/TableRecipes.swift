import Experiments
import Foundation

/// Turns a declared table into the page's table context: for each run and metric, our value,
/// the published one where the report gives it, and ours ÷ paper.
enum TableRecipes {
    struct Cell {
        let ours: Double?
        let paper: Double?
        let metric: String
        var ratio: Double? {
            guard let ours, let paper, paper > 0 else { return nil }
            return ours / paper
        }
    }

    struct Table {
        let columns: [String]
        /// (run label, cells, failure message)
        let rows: [(label: String, cells: [Cell], failure: String?)]
        let source: String?
        var hasPaper: Bool { rows.contains { $0.cells.contains { $0.paper != nil } } }
    }

    /// Scientific notation with a real minus sign, e.g. 1.23e−4.
    static func format(_ value: Double, metric: String) -> String {
        metric.hasSuffix("psnr") ? String(format: "%.2f", value) : format(value)
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2e", value).replacingOccurrences(of: "e-0", with: "e−").replacingOccurrences(of: "e+0", with: "e")
            .replacingOccurrences(of: "e-", with: "e−").replacingOccurrences(of: "-", with: "−")
    }

    static func table(for spec: TableSpec, runs: [String: RunResult], labels: [String: String]) -> Table {
        let metrics: [(key: String, title: String, value: (RunResult) -> Double?)] = [
            ("train", "train RSE", { $0.trainRSE ?? $0.finalRSE }),
            ("validation", "validation RSE", { $0.validationRSE }),
            ("test", "test RSE", { $0.testRSE }),
            ("train_psnr", "train PSNR (dB)", { $0.trainPSNR }),
            ("test_psnr", "test PSNR (dB)", { $0.testPSNR }),
        ]
        // Only the metrics some run has (a grid split has no validation or test set).
        let shown = metrics.filter { metric in spec.runs.contains { runs[$0].flatMap(metric.value) != nil } }
        let rows = spec.runs.map { name -> (label: String, cells: [Cell], failure: String?) in
            let label = labels[name].flatMap { $0.isEmpty ? nil : $0 } ?? name
            guard let run = runs[name] else { return (label, [], "no result") }
            if run.status == .failed { return (label, [], "failed: \(run.message ?? "no message")") }
            return (label, shown.map { Cell(ours: $0.value(run), paper: spec.paper[name]?[$0.key], metric: $0.key) }, nil)
        }
        return Table(columns: shown.map(\.title), rows: rows, source: spec.paperSource)
    }

    /// The Mustache context of `templates/report.mustache`'s `isTable` section.
    static func context(for spec: TableSpec, runs: [String: RunResult], labels: [String: String]) -> [String: Any] {
        let table = table(for: spec, runs: runs, labels: labels)
        var caption = spec.caption
        if let source = table.source, table.hasPaper { caption += " Published values: \(source)." }
        return [
            "isTable": true, "name": spec.name, "caption": caption, "rowHeader": "run",
            "hasPaperColumn": table.hasPaper,
            "columns": table.columns.map { ["label": $0] },
            "rows": table.rows.map { row -> [String: Any] in
                if let failure = row.failure {
                    return ["label": row.label, "cells": [["hasOurs": true, "ours": failure]]]
                }
                return ["label": row.label, "cells": row.cells.map { cell -> [String: Any] in
                    var c: [String: Any] = ["hasOurs": cell.ours != nil, "hasPaper": cell.paper != nil, "hasRatio": cell.ratio != nil]
                    if let v = cell.ours { c["ours"] = format(v, metric: cell.metric) }
                    if let v = cell.paper { c["paper"] = format(v, metric: cell.metric) }
                    if let v = cell.ratio { c["ratio"] = String(format: "%.2f", v) }
                    return c
                }]
            },
        ]
    }

    /// The table as Markdown, for the notebook.
    static func markdown(for spec: TableSpec, runs: [String: RunResult], labels: [String: String]) -> String {
        let table = table(for: spec, runs: runs, labels: labels)
        var lines = ["**Table `\(spec.name)`.** \(spec.caption)", "", "| run | " + table.columns.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: table.columns.count)]
        for row in table.rows {
            let cells = row.failure.map { [$0] } ?? row.cells.map { cell in
                var text = cell.ours.map { format($0, metric: cell.metric) } ?? "–"
                if let p = cell.paper { text += " (paper \(format(p, metric: cell.metric)))" }
                return text
            }
            lines.append("| \(row.label) | " + cells.joined(separator: " | ") + " |")
        }
        if let source = table.source, table.hasPaper { lines += ["", "Published values: \(source)."] }
        return lines.joined(separator: "\n")
    }
}
