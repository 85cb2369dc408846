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
                       sweepAxes: [String: [ExperimentSpec.SweepValue]] = [:], specs: [String: ExperimentSpec] = [:]) throws -> Figure {
        let shown = try spec.runs.map { name -> RunResult in
            guard let run = runs[name] else { throw RecipeError(description: "run '\(name)' has no result") }
            guard run.status == .ok else {
                throw RecipeError(description: "run '\(name)' failed, so there is nothing to draw: \(run.message ?? "no message")")
            }
            return run
        }
        let figure = try draw(spec, shown, labels: labels, repeats: repeats, sweepValues: sweepValues, sweepAxes: sweepAxes, specs: specs)
        let empty = figure.panelsWithoutData
        if !empty.isEmpty {
            throw RecipeError(description: "\(empty.count == 1 ? "panel \(empty[0])" : "panels " + empty.map(String.init).joined(separator: ", ")) of the figure \(empty.count == 1 ? "has" : "have") no data to draw (every value is missing or not finite\(spec.kind == .loss ? ", or not positive on the log axis" : ""))")
        }
        return figure
    }

    static func draw(_ spec: FigureSpec, _ shown: [RunResult], labels: [String: String], repeats: [String: String],
                     sweepValues: [String: [String: String]] = [:],
                     sweepAxes: [String: [ExperimentSpec.SweepValue]] = [:], specs: [String: ExperimentSpec] = [:]) throws -> Figure {
        let groups = series(shown, repeats: repeats)
        // A series is labelled by its first run's sweep label, or by its name.
        var seriesLabels: [String: String] = [:]
        for group in groups { seriesLabels[group.name] = labels[group.first.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name }
        var input = FigureInput(spec: spec, series: groups, runLabels: labels, seriesLabels: seriesLabels, sweepValues: sweepValues)
        input.sweepAxes = sweepAxes
        input.specs = specs
        return try spec.kind.recipe.draw(input)
    }

    /// Curves against training step on a log y axis, one series per run (or per repeated run),
    /// grouped into panels and marked at grade boundaries as described at `loss`. `values` are
    /// per recorded point; `steps` their training steps (nil: the training loss, whose steps are
    /// every step or those a thinned curve kept: `alignedLosses`).
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
                if steps == nil {
                    meanLoss(series.runs, label: text, on: axes)
                } else if n > 1 {
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
        envelope(values, steps: Array(values.indices), length: values.count, buckets: buckets, keep: keep)
    }

    /// The same for values at `steps` (ascending) of a curve of `length` steps, bucketed by step
    /// (`LossThinning.bucket`): a curve thinned in the results store, whose kept steps include
    /// each bucket's min and max, gives what its whole curve gives.
    static func envelope(_ values: [Double], steps: [Int], length: Int, buckets: Int, keep: EnvelopeKeep = .both) -> ([Double], [Double]) {
        guard length > 2 * buckets else { return (steps.map(Double.init), values) }
        var x: [Double] = [], y: [Double] = []
        var i = 0
        for b in 0..<buckets {
            let range = LossThinning.bucket(b, of: buckets, length: length)
            guard !range.isEmpty else { continue }
            while i < steps.count, steps[i] < range.lowerBound { i += 1 }
            let first = i
            while i < steps.count, steps[i] < range.upperBound { i += 1 }
            guard i > first else { continue }
            if keep != .both {
                x.append(Double(range.lowerBound + range.upperBound - 1) / 2)
                y.append(keep == .min ? values[first..<i].min()! : values[first..<i].max()!)
                continue
            }
            var iMin = first, iMax = first
            for j in first..<i {
                if values[j] < values[iMin] { iMin = j }
                if values[j] > values[iMax] { iMax = j }
            }
            for j in [min(iMin, iMax), max(iMin, iMax)] where x.last != Double(steps[j]) {
                x.append(Double(steps[j])); y.append(values[j])
            }
        }
        return (x, y)
    }

    /// The training-loss curves of runs drawn as one (a run and its repeats), at the steps all of
    /// them have: every step up to the shortest, unless a curve was thinned in the results store
    /// (`RunResult.lossSteps`), then the steps every curve kept. `columns[i]` holds each run's
    /// loss at `steps[i]`; `length` is the step count the figure buckets (`envelope`).
    /// A figure of `count` heatmap panels, two per row (one alone at 560 wide), each row 400 high.
    static func heatmapPanels(_ count: Int, sharedY: Bool) -> (Figure, [Axes]) {
        let columns = min(count, 2)
        let rows = (count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 560 : 960, height: Double(rows) * 400 + 40)
        return (figure, count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: false, sharedY: sharedY))
    }

    /// The training loss of `runs` on `axes`: their mean at every step, or at the steps every
    /// thinned curve kept (drawn as the envelope of `LossThinning.figureBuckets` buckets), and with
    /// repeats the min–max band under it.
    static func meanLoss(_ runs: [RunResult], label: String, on axes: Axes) {
        let n = runs.count
        let (at, columns, length) = alignedLosses(runs)
        let (x, y) = envelope(columns.map { $0.reduce(0, +) / Double(n) }, steps: at, length: length, buckets: LossThinning.figureBuckets)
        axes.line(x: x, y: y, label: label)
        if n > 1 {
            let (bx, lo) = envelope(columns.map { $0.min()! }, steps: at, length: length, buckets: 1000, keep: .min)
            let (_, hi) = envelope(columns.map { $0.max()! }, steps: at, length: length, buckets: 1000, keep: .max)
            axes.band(x: bx, lower: lo, upper: hi, underLastLine: true)
        }
    }

    static func alignedLosses(_ runs: [RunResult]) -> (steps: [Int], columns: [[Double]], length: Int) {
        let length = runs.map(\.stepCount).min() ?? 0
        if runs.allSatisfy({ $0.lossSteps == nil }) {
            return (Array(0..<length), (0..<length).map { i in runs.map { $0.losses[i] } }, length)
        }
        var common = Set(runs[0].lossStepNumbers.filter { $0 < length })
        for run in runs.dropFirst() { common.formIntersection(run.lossStepNumbers) }
        let steps = common.sorted()
        let positions = runs.map { run in Dictionary(uniqueKeysWithValues: run.lossStepNumbers.enumerated().map { ($1, $0) }) }
        let columns = steps.map { step in zip(runs, positions).map { run, at in run.losses[at[step]!] } }
        return (steps, columns, length)
    }
}
