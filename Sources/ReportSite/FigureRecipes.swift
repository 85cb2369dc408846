import Experiments
import Foundation
import Plotting
import Tasks

/// Turns a declared figure and the runs it shows into a `Figure`, through its kind's recipe
/// (`Figures/`); the helpers several kinds share.
enum FigureRecipes {
    struct RecipeError: Error, CustomStringConvertible {
        let description: String
    }

    /// A run and its repeats (`repeat: N`), drawn as one: means, bands, or the first copy.
    struct Series {
        let name: String
        let runs: [RunResult]
        var first: RunResult { runs[0] }
    }

    /// Groups runs into series: the copies of a repeated run (by `repeats`, run name -> the name
    /// they repeat) form one series, in the order of their first appearance.
    static func series(_ runs: [RunResult], repeats: [String: String]) -> [Series] {
        var order: [String] = [], members: [String: [RunResult]] = [:]
        for run in runs {
            let key = repeats[run.name] ?? run.name
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(run)
        }
        return order.map { Series(name: $0, runs: members[$0]!) }
    }

    static func figure(for spec: FigureSpec, runs: [String: RunResult], labels: [String: String] = [:],
                       repeats: [String: String] = [:], sweepValues: [String: [String: String]] = [:],
                       sweepAxes: [String: [ExperimentSpec.SweepValue]] = [:]) throws -> Figure {
        let shown = try spec.runs.map { name -> RunResult in
            guard let run = runs[name] else { throw RecipeError(description: "run '\(name)' has no result") }
            guard run.status == .ok else {
                throw RecipeError(description: "run '\(name)' failed, so there is nothing to draw: \(run.message ?? "no message")")
            }
            return run
        }
        let figure = try draw(spec, shown, labels: labels, repeats: repeats, sweepValues: sweepValues, sweepAxes: sweepAxes)
        let empty = figure.panelsWithoutData
        if !empty.isEmpty {
            throw RecipeError(description: "\(empty.count == 1 ? "panel \(empty[0])" : "panels " + empty.map(String.init).joined(separator: ", ")) of the figure \(empty.count == 1 ? "has" : "have") no data to draw (every value is missing or not finite\(spec.kind == .loss ? ", or not positive on the log axis" : ""))")
        }
        return figure
    }

    static func draw(_ spec: FigureSpec, _ shown: [RunResult], labels: [String: String], repeats: [String: String],
                     sweepValues: [String: [String: String]] = [:],
                     sweepAxes: [String: [ExperimentSpec.SweepValue]] = [:]) throws -> Figure {
        let groups = series(shown, repeats: repeats)
        // A series is labelled by its first run's sweep label, or by its name.
        var seriesLabels: [String: String] = [:]
        for group in groups { seriesLabels[group.name] = labels[group.first.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name }
        var input = FigureInput(spec: spec, series: groups, runLabels: labels, seriesLabels: seriesLabels, sweepValues: sweepValues)
        input.sweepAxes = sweepAxes
        return try spec.kind.recipe.draw(input)
    }

    /// Curves against training step on a log y axis, one series per run (or per repeated run),
    /// grouped into panels and marked at grade boundaries as described at `loss`. `values` are
    /// per recorded point; `steps` their training steps (nil: point i is step i).
    static func curves(_ all: [Series], labels: [String: String], quantity: String, unit: String,
                       values: (RunResult) -> [Double], steps: ((RunResult) -> [Double])?) -> Figure {
        func label(_ s: Series) -> String { labels[s.name].flatMap { $0.isEmpty ? nil : $0 } ?? s.name }
        let parts = all.map { label($0).components(separatedBy: ", ") }
        var groups: [(title: String?, runs: [(Series, String)])] = []
        if all.count > 4, parts.allSatisfy({ $0.count >= 2 }) {
            for (run, p) in zip(all, parts) {
                let title = p.dropLast().joined(separator: ", ")
                if let i = groups.firstIndex(where: { $0.title == title }) {
                    groups[i].runs.append((run, p.last!))
                } else {
                    groups.append((title, [(run, p.last!)]))
                }
            }
        } else {
            groups = [(nil, all.map { ($0, label($0)) })]
        }
        let columns = groups.count == 1 ? 1 : 2
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: groups.count == 1 ? 380 : Double(rows) * 260 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (axes, group) in zip(panels, groups) {
            axes.title = group.title
            let graded = group.runs.contains { ($0.0.first.gradeBoundaries ?? []).isEmpty == false }
            axes.xLabel = graded && groups.count == 1 ? "training step (all grades in order)" : "training step"
            let repeated = group.runs.contains { $0.0.runs.count > 1 }
            let unitText = unit.trimmingCharacters(in: .whitespaces).dropFirst().dropLast()
            axes.yLabel = repeated ? "\(quantity) (\(unitText.isEmpty ? "" : "\(unitText); ")mean, band min–max)" : "\(quantity)\(unit)"
            axes.yScale = .log
            for (series, name) in group.runs {
                let n = series.runs.count
                let text = (group.runs.count > 1 ? name : "\(name)\(unit)") + (n > 1 ? " · mean of \(n)" : "")
                // Point indices to training steps (the first run's; repeats record the same steps).
                let stepOf: (Double) -> Double = steps.map { f in let s = f(series.first); return { s[Int($0)] } } ?? { $0 }
                if n > 1 {
                    let curves = series.runs.map(values)
                    let length = curves.map(\.count).min() ?? 0
                    let columns = (0..<length).map { i in curves.map { $0[i] } }
                    let mean = columns.map { $0.reduce(0, +) / Double(n) }
                    let (x, lo) = envelope(columns.map { $0.min()! }, buckets: 1000, keep: .min)
                    let (_, hi) = envelope(columns.map { $0.max()! }, buckets: 1000, keep: .max)
                    let (mx, my) = envelope(mean, buckets: 2000)
                    axes.line(x: mx.map(stepOf), y: my, label: text)
                    axes.band(x: x.map(stepOf), lower: lo, upper: hi, underLastLine: true)
                } else {
                    let (x, y) = envelope(values(series.first), buckets: 2000)
                    axes.line(x: x.map(stepOf), y: y, label: text)
                }
            }
            let withGrades = group.runs.compactMap { $0.0.first.gradeBoundaries }.filter { !$0.isEmpty }
            if let boundaries = withGrades.first, withGrades.allSatisfy({ $0 == boundaries }) {
                for (i, step) in boundaries.enumerated() {
                    axes.verticalLine(at: Double(step), label: "grade \(i + 2)")
                }
            }
            // Panels of a sweep share their series: one legend, on the first panel, is enough.
            axes.showsLegend = group.runs.count > 1 && axes === panels[0]
        }
        return figure
    }

    enum EnvelopeKeep { case both, min, max }

    /// Keeps every point of short series; for long ones, the min and max of each bucket in step
    /// order (or, for the edges of a band, one point per bucket: its min or its max, at the
    /// bucket's middle step).
    static func envelope(_ values: [Double], buckets: Int, keep: EnvelopeKeep = .both) -> ([Double], [Double]) {
        guard values.count > 2 * buckets else { return (values.indices.map(Double.init), values) }
        if keep != .both {
            var x: [Double] = [], y: [Double] = []
            let size = Double(values.count) / Double(buckets)
            for b in 0..<buckets {
                let lo = Int(Double(b) * size), hi = min(values.count, Int(Double(b + 1) * size))
                guard lo < hi else { continue }
                let slice = values[lo..<hi]
                x.append(Double(lo + hi - 1) / 2)
                y.append(keep == .min ? slice.min()! : slice.max()!)
            }
            return (x, y)
        }
        var x: [Double] = [], y: [Double] = []
        let size = Double(values.count) / Double(buckets)
        for b in 0..<buckets {
            let lo = Int(Double(b) * size), hi = min(values.count, Int(Double(b + 1) * size))
            guard lo < hi else { continue }
            var iMin = lo, iMax = lo
            for i in lo..<hi {
                if values[i] < values[iMin] { iMin = i }
                if values[i] > values[iMax] { iMax = i }
            }
            for i in [min(iMin, iMax), max(iMin, iMax)] where x.last != Double(i) {
                x.append(Double(i)); y.append(values[i])
            }
        }
        return (x, y)
    }
}
