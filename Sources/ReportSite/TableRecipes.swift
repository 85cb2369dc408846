import Experiments
import Foundation

/// Turns a declared table into the page's table context: for each run and metric, our value,
/// the published one where the report gives it, and ours ÷ paper.
enum TableRecipes {
    struct Cell {
        /// Ours: the value, or the mean over a run's repeats.
        let ours: Double?
        let paper: Double?
        let metric: String
        /// With repeats: the sample standard deviation over them, and how many there are.
        var spread: Double? = nil
        var count: Int = 1
        /// A text cell (the training settings) instead of a number.
        var text: String? = nil
        /// A training-time cell: the wall time depends on the machine and the moment, so the
        /// table does not carry it (persisted bytes depend on the declaration only). The page
        /// fills it in the browser from `provenance.js` (the run names, report-relative, and the
        /// grade, 1-based, or nil for the whole run); the exports leave the column out.
        var timeRuns: [String] = []
        var timeGrade: Int? = nil
        var isTime: Bool { !timeRuns.isEmpty }
        var ratio: Double? {
            guard let ours, let paper, paper > 0 else { return nil }
            return ours / paper
        }
    }

    struct Table {
        let columns: [String]
        /// (run or series name, label, cells, failure message); a grade row's run is `RUN/grade-N`
        let rows: [(run: String, label: String, cells: [Cell], failure: String?)]
        let source: String?
        /// Set by `withoutTimes` when it left a time column out (the exports then say where it is).
        var timesLeftOut = false
        var hasPaper: Bool { rows.contains { $0.cells.contains { $0.paper != nil } } }
        var hasTimes: Bool { rows.contains { $0.cells.contains(where: \.isTime) } }

        /// The table without its training-time column, for the exports (CSV, LaTeX, Markdown,
        /// the notebook), whose bytes must not depend on the clock.
        var withoutTimes: Table {
            guard let column = rows.lazy.compactMap({ $0.cells.firstIndex(where: \.isTime) }).first else { return self }
            return Table(columns: columns.enumerated().filter { $0.offset != column }.map(\.element),
                         rows: rows.map { row in
                             (row.run, row.label, row.cells.enumerated().filter { $0.offset != column }.map(\.element), row.failure)
                         }, source: source, timesLeftOut: true)
        }
    }

    /// Scientific notation with a real minus sign, e.g. 1.23e−4.
    static func format(_ value: Double, metric: String) -> String {
        if metric.hasSuffix("accuracy") { return String(format: "%.1f%%", 100 * value) }
        if metric.hasSuffix("step") { return String(format: "%.0f", value) }
        if metric == "rank" { return value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.1f", value) }
        if metric == "mean_rank" { return String(format: "%.2f", value) }
        if metric == "flops" { return format(value) }
        if metric == "seconds" { return value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value) }
        return metric.hasSuffix("psnr") ? String(format: "%.2f", value) : format(value)
    }

    /// The training settings of a run, e.g. "lr 1.00e−4 → 1.00e−5, batch 256, 3000 epochs per grade, half_mse, float64".
    /// With `grade`, that grade's own learning rates and epochs (`train.grades`).
    static func settings(_ spec: ExperimentSpec, grade: Int? = nil) -> String {
        let t = spec.train
        let own = grade.flatMap(t.ownSettings(ofGrade:))
        let lr = own?.learningRate ?? t.learningRate, final = own == nil ? t.finalLearningRate : own?.finalLearningRate
        let epochs = own?.steps ?? t.steps
        var parts = ["lr " + format(lr) + (final.map { " → " + format($0) } ?? "")]
        parts.append(t.batch.map { "batch \($0)" } ?? "full batch")
        parts.append("\(epochs) \(spec.method.lengthKey)" + (spec.method == .mgdl && grade == nil && t.grades == nil ? " per grade" : ""))
        if grade == nil, let grades = t.grades {
            parts[0] = "per grade: " + grades.map { "lr " + format($0.learningRate) + ($0.finalLearningRate.map { " → " + format($0) } ?? "") }
                .joined(separator: "; ")
            parts[2] = "\(grades.reduce(0) { $0 + $1.steps }) epochs in all"
        }
        if let loss = t.loss { parts.append(loss.rawValue) }
        parts.append(t.precision.rawValue)
        return parts.joined(separator: ", ")
    }

    static func format(_ value: Double) -> String {
        String(format: "%.2e", value).replacingOccurrences(of: "e-0", with: "e−").replacingOccurrences(of: "e+0", with: "e")
            .replacingOccurrences(of: "e-", with: "e−").replacingOccurrences(of: "-", with: "−")
    }

    /// Mean ± std (n = …) of a repeated run, e.g. "1.23e−4 ± 2.0e−5 (n = 10)".
    static func text(_ cell: Cell) -> String? {
        guard let ours = cell.ours else { return nil }
        var text = format(ours, metric: cell.metric)
        if cell.count > 1, let spread = cell.spread {
            text += " ± " + format(spread, metric: cell.metric) + " (n = \(cell.count))"
        }
        return text
    }

    /// Rows are runs, or for a repeated run (`repeats`: copy name -> the run it repeats) one row
    /// with the mean ± sample standard deviation over its copies; published values are looked up
    /// by the repeated run's name.
    ///
    /// `grades: true` (`specs` give the training settings): a time column and a training column,
    /// and before a single (not repeated) multi-grade run's row one row per grade, with the RSE
    /// of the sum up to that grade and the grade's time; its published values are looked up by
    /// `RUN/grade-N`.
    static func table(for spec: TableSpec, runs: [String: RunResult], labels: [String: String],
                      repeats: [String: String] = [:], specs: [String: ExperimentSpec] = [:]) -> Table {
        if spec.kind == .leaderboard { return leaderboard(for: spec, runs: runs, labels: labels, repeats: repeats, specs: specs) }
        // `group: label`: every run joins the row of its sweep label (repeats included).
        let repeats = spec.group == .label
            ? Dictionary(spec.runs.map { ($0, labels[$0].flatMap { $0.isEmpty ? nil : $0 } ?? $0) }, uniquingKeysWith: { a, _ in a })
            : repeats
        var metrics: [(key: String, title: String, value: (RunResult) -> Double?)] = [
            ("train", "train RSE", { $0.trainRSE ?? $0.finalRSE }),
            ("validation", "validation RSE", { $0.validationRSE }),
            ("test", "test RSE", { $0.testRSE }),
            ("train_psnr", "train PSNR (dB)", { $0.trainPSNR }),
            ("test_psnr", "test PSNR (dB)", { $0.testPSNR }),
            ("train_accuracy", "train accuracy", { $0.trainAccuracy }),
            ("validation_accuracy", "validation accuracy", { $0.validationAccuracy }),
            ("test_accuracy", "test accuracy", { $0.testAccuracy }),
            ("lowest_validation_loss", "lowest validation loss", { $0.validationCurve?.map(\.value).min() }),
            ("lowest_validation_step", "at step", { run in
                run.validationCurve?.min { $0.value < $1.value }.map { Double($0.step) } }),
            ("final_validation_loss", "final validation loss", { $0.validationCurve?.last?.value }),
        ]
        // Training time: shown on the page from provenance.js (see `Cell.timeRuns`), not stored here.
        metrics.append(("seconds", "time (s)", { $0.seconds }))
        // The columns of the table's kind (and with `grades`, the time) that some run has: a
        // grid split has no validation or test set.
        let columns = spec.kind.columns(grades: spec.grades)
        let shown = columns.compactMap { key in metrics.first { $0.key == key } }.filter { metric in
            spec.runs.contains { runs[$0].flatMap(metric.value) != nil }
        }
        var order: [String] = [], members: [String: [String]] = [:]
        for name in spec.runs {
            let key = repeats[name] ?? name
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(name)
        }
        var rows = order.map { series -> (run: String, label: String, cells: [Cell], failure: String?) in
            let names = members[series]!
            let label = labels[names[0]].flatMap { $0.isEmpty ? nil : $0 } ?? series
            for name in names {
                guard let run = runs[name] else { return (series, label, [], "\(name): no result") }
                if run.status == .failed { return (series, label, [], "\(names.count > 1 ? name + " " : "")failed: \(run.message ?? "no message")") }
            }
            let results = names.map { runs[$0]! }
            return (series, label, shown.map { metric in
                let paper = spec.paper[series]?[metric.key]
                if metric.key == "seconds" { return Cell(ours: nil, paper: paper, metric: metric.key, timeRuns: names) }
                let values = results.compactMap(metric.value)
                guard !values.isEmpty else { return Cell(ours: nil, paper: paper, metric: metric.key) }
                let n = Double(values.count), mean = values.reduce(0, +) / n
                let sd = values.count > 1 ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot() : nil
                return Cell(ours: mean, paper: paper, metric: metric.key, spread: sd, count: values.count)
            }, nil)
        }
        guard spec.grades else { return Table(columns: shown.map(\.title), rows: rows, source: spec.paperSource) }
        var expanded: [(run: String, label: String, cells: [Cell], failure: String?)] = []
        for row in rows {
            let training = Cell(ours: nil, paper: nil, metric: "training", text: specs[row.run].map { settings($0) } ?? "")
            if row.failure == nil, members[row.run]?.count == 1, let grades = runs[row.run]?.grades, grades.count > 1 {
                for g in grades {
                    let key = "\(row.run)/grade-\(g.index + 1)"
                    let run = runs[row.run]
                    let values: [String: Double?] = ["train": g.trainRSE, "validation": g.validationRSE, "test": g.testRSE,
                                                     "train_psnr": run?.gradeTrainPSNR.flatMap { g.index < $0.count ? $0[g.index] : nil },
                                                     "test_psnr": run?.gradeTestPSNR.flatMap { g.index < $0.count ? $0[g.index] : nil }]
                    let own = Cell(ours: nil, paper: nil, metric: "training",
                                   text: specs[row.run].map { settings($0, grade: g.index) } ?? "")
                    expanded.append((key, "\(row.label) · grade \(g.index + 1)", shown.map {
                        $0.key == "seconds"
                            ? Cell(ours: nil, paper: spec.paper[key]?[$0.key], metric: $0.key, timeRuns: [row.run], timeGrade: g.index + 1)
                            : Cell(ours: values[$0.key] ?? nil, paper: spec.paper[key]?[$0.key], metric: $0.key)
                    } + [own], nil))
                }
            }
            expanded.append(row.failure == nil ? (row.run, row.label, row.cells + [training], nil) : row)
        }
        return Table(columns: shown.map(\.title) + ["training"], rows: expanded, source: spec.paperSource)
    }

    /// The Mustache context of `templates/report.mustache`'s `isTable` section.
    static func context(for spec: TableSpec, runs: [String: RunResult], labels: [String: String],
                        repeats: [String: String] = [:], specs: [String: ExperimentSpec] = [:]) -> [String: Any] {
        let table = table(for: spec, runs: runs, labels: labels, repeats: repeats, specs: specs)
        var caption = spec.caption
        if let source = table.source, table.hasPaper { caption += " Published values: \(source)." }
        return [
            "isTable": true, "name": spec.name, "caption": caption,
            "rowHeader": rowHeader(spec), "hasTimes": table.hasTimes,
            "hasPaperColumn": table.hasPaper,
            "columns": table.columns.map { ["label": $0] },
            "rows": table.rows.map { row -> [String: Any] in
                if let failure = row.failure {
                    return ["label": row.label, "cells": [["hasOurs": true, "ours": failure]]]
                }
                return ["label": row.label, "cells": row.cells.map { cell -> [String: Any] in
                    if let text = cell.text { return ["hasOurs": true, "ours": text] }
                    if cell.isTime {
                        var c: [String: Any] = ["isTime": true, "runs": cell.timeRuns.joined(separator: " "),
                                                "grade": cell.timeGrade.map(String.init) ?? "", "hasPaper": cell.paper != nil]
                        if let v = cell.paper { c["paper"] = format(v, metric: cell.metric) }
                        return c
                    }
                    var c: [String: Any] = ["hasOurs": cell.ours != nil, "hasPaper": cell.paper != nil, "hasRatio": cell.ratio != nil]
                    if let v = text(cell) { c["ours"] = v }
                    if let v = cell.paper { c["paper"] = format(v, metric: cell.metric) }
                    if let v = cell.ratio { c["ratio"] = String(format: "%.2f", v) }
                    return c
                }]
            },
        ]
    }

    /// The header of the rows' column: "run", or a leaderboard's "task · method" / "method".
    static func rowHeader(_ spec: TableSpec) -> String {
        spec.kind != .leaderboard ? "run" : spec.overall ? "method" : "task · method"
    }

    /// Said by every export of a table whose page shows training times.
    static let timesNote = "Training times depend on the machine and the moment, so this file leaves them out: "
        + "they are on the report page and in the site's provenance.json (runs → seconds, gradeSeconds)."

    /// The table as Markdown, for the notebook.
    static func markdown(for spec: TableSpec, runs: [String: RunResult], labels: [String: String],
                         repeats: [String: String] = [:], specs: [String: ExperimentSpec] = [:]) -> String {
        let table = table(for: spec, runs: runs, labels: labels, repeats: repeats, specs: specs).withoutTimes
        var lines = ["**Table `\(spec.name)`.** \(Notebook.text(spec.caption))", "", "| \(rowHeader(spec)) | " + table.columns.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: table.columns.count)]
        for row in table.rows {
            let cells = row.failure.map { [Notebook.text($0)] } ?? row.cells.map { cell in
                if let text = cell.text { return Notebook.text(text) }
                var text = Self.text(cell) ?? "–"
                if let p = cell.paper { text += " (paper \(format(p, metric: cell.metric)))" }
                return text
            }
            lines.append("| \(Notebook.text(row.label)) | " + cells.joined(separator: " | ") + " |")
        }
        if let source = table.source, table.hasPaper { lines += ["", "Published values: \(Notebook.text(source))."] }
        if table.timesLeftOut { lines += ["", timesNote] }
        return lines.joined(separator: "\n")
    }
}
