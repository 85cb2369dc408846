import Experiments
import Foundation
import Plotting
import Tasks

/// Turns a declared figure and the runs it shows into a `Figure`.
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
                       repeats: [String: String] = [:]) throws -> Figure {
        let shown = try spec.runs.map { name -> RunResult in
            guard let run = runs[name] else { throw RecipeError(description: "run '\(name)' has no result") }
            guard run.status == .ok else {
                throw RecipeError(description: "run '\(name)' failed, so there is nothing to draw: \(run.message ?? "no message")")
            }
            return run
        }
        let figure = try draw(spec, shown, labels: labels, repeats: repeats)
        let empty = figure.panelsWithoutData
        if !empty.isEmpty {
            throw RecipeError(description: "\(empty.count == 1 ? "panel \(empty[0])" : "panels " + empty.map(String.init).joined(separator: ", ")) of the figure \(empty.count == 1 ? "has" : "have") no data to draw (every value is missing or not finite\(spec.kind == .loss ? ", or not positive on the log axis" : ""))")
        }
        return figure
    }

    static func draw(_ spec: FigureSpec, _ shown: [RunResult], labels: [String: String], repeats: [String: String]) throws -> Figure {
        let groups = series(shown, repeats: repeats)
        // A series is labelled by its first run's sweep label, or by its name.
        var seriesLabels: [String: String] = [:]
        for group in groups { seriesLabels[group.name] = labels[group.first.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name }
        switch spec.kind {
        case .spectralEvolution: return try spectralEvolution(groups, labels: seriesLabels)
        case .loss: return loss(groups, labels: seriesLabels)
        case .validationLoss: return try validationLoss(groups, labels: seriesLabels)
        case .fit: return try fit(groups[0], at: spec.at)
        case .layerNorms: return try layerNorms(groups, labels: seriesLabels)
        case .curves: return try curves(groups, metric: spec.metric ?? .loss, labels: seriesLabels)
        case .gradeSpectra: return try gradeSpectra(groups.map(\.first), labels: labels)
        case .reconstruction:
            if !spec.at.isEmpty { return try reconstructionSteps(groups.map(\.first), at: spec.at, labels: labels) }
            return try reconstruction(groups.map(\.first), labels: labels)
        }
    }

    /// x = frequency k, y = iteration, colour = 2|DFT(prediction)(k)|/n divided by the target's
    /// amplitude A_k (Rahaman et al., Fig. 1), averaged over repeats; one panel per series. The
    /// colour scale is [0, 1] and clips (values above 1 show at the end colour); the CSV keeps
    /// the unclipped ratio.
    static func spectralEvolution(_ groups: [Series], labels: [String: String]) throws -> Figure {
        let evolutions = try groups.map { group -> SpectralEvolution in
            guard let e = SpectralEvolution.mean(of: group.runs) else {
                let recorded = group.runs.allSatisfy { $0.snapshots.count > 1 || ($0.spectra?.count ?? 0) > 1 }
                throw RecipeError(description: recorded
                    ? "the repeats of '\(group.name)' were recorded at different steps, so they cannot be averaged"
                    : "run '\(group.first.name)' recorded no predictions during training (set train.record_every)")
            }
            guard e.steps.count > 1 else {
                throw RecipeError(description: "run '\(group.first.name)' recorded only its final prediction: a spectral-evolution heatmap needs snapshots during training (train.record_every)")
            }
            return e
        }
        let columns = min(groups.count, 2)
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 560 : 960, height: Double(rows) * 400 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: false, sharedY: true)
        for (i, (panel, e)) in zip(panels, evolutions).enumerated() {
            let n = groups[i].runs.count
            if groups.count > 1 || n > 1 {
                panel.title = (groups.count > 1 ? labels[groups[i].name] ?? groups[i].name : "") + (n > 1 ? (groups.count > 1 ? " · " : "") + "mean of \(n) runs" : "")
            }
            panel.xLabel = "frequency k"
            panel.yLabel = "training iteration"
            let heatmap = panel.heatmap(e.rows, x: e.frequencies.map(Double.init), y: e.steps.map(Double.init),
                                        colormap: .viridis, range: 0...1)
            if i == evolutions.count - 1 || columns == 1 {
                panel.colorbar(for: heatmap, label: "$|\\tilde f(k)| / A_k$ (colour clipped to [0, 1])")
            }
        }
        return figure
    }

    /// Learning curves (Rahaman et al., Fig. 10; the MGDL papers' loss plots): for each run, the
    /// training, validation and test loss or metric at the recorded steps (the training loss at
    /// every step for `loss`), on a log axis (linear for PSNR); dashed lines where grades start.
    /// With repeats, the mean of each curve with a min–max band. One panel per run when several
    /// runs are named, so that train, validation and test of a run share a panel.
    static func curves(_ groups: [Series], metric: CurveMetric, labels: [String: String]) throws -> Figure {
        let columns = min(groups.count, 2)
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: groups.count == 1 ? 380 : Double(rows) * 280 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        let name = metric == .loss ? "loss (MSE)" : (metric == .rse ? "RSE" : "PSNR (dB)")
        for (panel, group) in zip(panels, groups) {
            let n = group.runs.count
            let points = group.runs.map(\.curvePoints)
            guard let first = points.first, !first.isEmpty, points.allSatisfy({ $0.map(\.step) == first.map(\.step) }) else {
                throw RecipeError(description: points.first?.isEmpty != false
                    ? "run '\(group.first.name)' recorded no learning curves (write train.record_every)"
                    : "the repeats of '\(group.name)' were recorded at different steps")
            }
            if groups.count > 1 || n > 1 {
                panel.title = (groups.count > 1 ? labels[group.name] ?? group.name : "") + (n > 1 ? (groups.count > 1 ? " · " : "") + "mean of \(n) runs, band min–max" : "")
            }
            panel.xLabel = (group.first.gradeBoundaries ?? []).isEmpty ? "training step" : "training step (all grades in order)"
            panel.yLabel = name
            panel.yScale = metric == .psnr ? .linear : .log
            let steps = first.map { Double($0.step) }
            func draw(_ label: String, _ value: (RunResult.CurvePoint) -> Double?) {
                let values = steps.indices.map { i in points.compactMap { value($0[i]) } }
                guard values.contains(where: { !$0.isEmpty }) else { return }
                let mean = values.map { $0.isEmpty ? Double.nan : $0.reduce(0, +) / Double($0.count) }
                panel.line(x: steps, y: mean, label: label)
                if n > 1 {
                    panel.band(x: steps, lower: values.map { $0.min() ?? .nan }, upper: values.map { $0.max() ?? .nan }, underLastLine: true)
                }
            }
            switch metric {
            case .loss:
                // The training loss at every step (of the batch, before the update).
                let length = group.runs.map(\.losses.count).min() ?? 0
                let mean = (0..<length).map { i in group.runs.reduce(0) { $0 + $1.losses[i] } / Double(n) }
                let (x, y) = envelope(mean, buckets: 2000)
                panel.line(x: x, y: y, label: "training (every step)")
                if n > 1 {
                    let columns = (0..<length).map { i in group.runs.map { $0.losses[i] } }
                    let (bx, lo) = envelope(columns.map { $0.min()! }, buckets: 1000, keep: .min)
                    let (_, hi) = envelope(columns.map { $0.max()! }, buckets: 1000, keep: .max)
                    panel.band(x: bx, lower: lo, upper: hi, underLastLine: true)
                }
                draw("validation", { $0.validationLoss })
                draw("test", { $0.testLoss })
            case .rse, .psnr:
                draw("training", { $0.trainMetric })
                draw("validation", { $0.validationMetric })
                draw("test", { $0.testMetric })
            }
            for (i, step) in (group.first.gradeBoundaries ?? []).enumerated() {
                panel.verticalLine(at: Double(step), label: "grade \(i + 2)")
            }
            panel.showsLegend = panel === panels[0]
        }
        return figure
    }

    /// Spectral norm of every weight matrix over training (Rahaman et al., Fig. 1 c, d): one line
    /// per layer; with repeats the mean and a band of ±1 standard deviation.
    static func layerNorms(_ groups: [Series], labels: [String: String]) throws -> Figure {
        for group in groups {
            guard group.runs.allSatisfy({ ($0.layerNorms?.count ?? 0) > 1 }) else {
                throw RecipeError(description: "run '\(group.first.name)' recorded no layer norms (set train.record_norms: true on an mlp)")
            }
            guard group.runs.allSatisfy({ $0.layerNorms!.map(\.step) == group.first.layerNorms!.map(\.step) }) else {
                throw RecipeError(description: "the repeats of '\(group.name)' recorded norms at different steps")
            }
        }
        let columns = min(groups.count, 2)
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: Double(rows) * 340 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (panel, group) in zip(panels, groups) {
            let records = group.runs.map { $0.layerNorms! }
            let steps = records[0].map { Double($0.step) }
            let layers = records[0][0].norms.count
            let n = Double(group.runs.count)
            if groups.count > 1 { panel.title = labels[group.name] ?? group.name }
            for l in 0..<layers {
                let values = (0..<steps.count).map { i in records.map { $0[i].norms[l] } }
                let mean = values.map { $0.reduce(0, +) / n }
                let sd = zip(values, mean).map { v, m in n > 1 ? (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0 }
                panel.line(x: steps, y: mean, label: "layer \(l + 1)")
                if n > 1 {
                    panel.band(x: steps, lower: zip(mean, sd).map { $0 - $1 }, upper: zip(mean, sd).map { $0 + $1 }, underLastLine: true)
                }
            }
            panel.xLabel = "training iteration"
            panel.yLabel = n > 1 ? "spectral norm (mean ± 1 sd of \(Int(n)))" : "spectral norm"
            panel.showsLegend = panel === panels[0]
        }
        return figure
    }

    /// Training loss against iteration on a log axis, one series per run. Long curves are
    /// reduced to the minimum and maximum of each of ~2000 buckets, which keeps every excursion.
    /// With grades (MGDL) or stages, a dashed vertical line marks where each new one starts
    /// (drawn when the runs that have grades share them). Runs of a sweep with more than four
    /// points are grouped into panels by every part of their label but the last
    /// (`amplitudes = constant` | `method = sgdl`, `method = mgdl`), so no legend hides a curve.
    static func loss(_ runs: [RunResult], labels: [String: String] = [:]) -> Figure {
        loss(runs.map { Series(name: $0.name, runs: [$0]) }, labels: labels)
    }

    /// With repeats, each series is drawn as the mean over its runs with a min–max band (the
    /// legend says so): on a log axis a ±std band can go below zero, min–max cannot.
    static func loss(_ all: [Series], labels: [String: String]) -> Figure {
        curves(all, labels: labels, quantity: "training loss", unit: " (MSE)", values: \.losses, steps: nil)
    }

    /// The loss on the validation set (clean targets when the task adds label noise) every
    /// `record_every` steps, laid out and aggregated over repeats as `loss`.
    static func validationLoss(_ all: [Series], labels: [String: String]) throws -> Figure {
        for run in all.flatMap(\.runs) where (run.validationCurve ?? []).isEmpty {
            throw RecipeError(description: "run '\(run.name)' recorded no validation loss (it needs a validation set and method sgdl or mgdl)")
        }
        return curves(all, labels: labels, quantity: "validation loss", unit: "",
                      values: { $0.validationCurve!.map(\.value) }, steps: { $0.validationCurve!.map { Double($0.step) } })
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

    /// Image reconstructions: per run, the target and, grade by grade, the model summed up to that
    /// grade with its PSNR against the whole image (predictions clamped to [0, 1], never smoothed).
    static func reconstruction(_ runs: [RunResult], labels: [String: String]) throws -> Figure {
        guard runs.allSatisfy({ $0.image != nil && $0.grades != nil }) else {
            throw RecipeError(description: "reconstruction needs runs of an image task")
        }
        if runs.count > 1, runs.allSatisfy({ $0.grades!.count == 1 && $0.target == runs[0].target }) {
            // One network per run and one image: a single row, the target then each run.
            let shape = runs[0].image!
            let figure = Figure(width: Double(runs.count + 1) * 210 + 30, height: 270)
            let panels = figure.grid(rows: 1, columns: runs.count + 1)
            panels[0].image(runs[0].target, width: shape.width, height: shape.height, channels: shape.channels)
            panels[0].title = "target"
            for (panel, run) in zip(panels.dropFirst(), runs) {
                let clamped = run.grades![0].output.map { min(max($0, 0), 1) }
                panel.image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
                panel.title = String(format: "%@: %.1f dB", label, Metrics.psnr(prediction: clamped, target: run.target))
            }
            return figure
        }
        let columns = 1 + (runs.map { $0.grades!.count }.max() ?? 1)
        let figure = Figure(width: Double(min(columns, 5)) * 200 + 40, height: Double(runs.count) * 230 + 40)
        let panels = figure.grid(rows: runs.count, columns: columns)
        for (r, run) in runs.enumerated() {
            let shape = run.image!
            let row = Array(panels[(r * columns)..<((r + 1) * columns)])
            let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            row[0].image(run.target, width: shape.width, height: shape.height, channels: shape.channels)
            row[0].title = runs.count > 1 ? "target (\(label))" : "target"
            var sum = [Double](repeating: 0, count: run.target.count)
            let grades = run.grades!
            for (g, grade) in grades.enumerated() {
                for i in sum.indices { sum[i] += grade.output[i] }
                let clamped = sum.map { min(max($0, 0), 1) }
                let psnr = Metrics.psnr(prediction: clamped, target: run.target)
                row[g + 1].image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                let name = grades.count > 1 ? "grade \(g + 1)" : "network"
                row[g + 1].title = String(format: "%@: %.1f dB", name, psnr)
            }
        }
        return figure
    }

    /// Image reconstructions during training (`at:` steps): per run, the target and the kept
    /// prediction nearest each asked step (`train.keep_predictions`), with its PSNR on the whole
    /// image (predictions clamped to [0, 1]).
    static func reconstructionSteps(_ runs: [RunResult], at requested: [Int], labels: [String: String]) throws -> Figure {
        guard runs.allSatisfy({ $0.image != nil }) else { throw RecipeError(description: "reconstruction needs runs of an image task") }
        let chosen = runs.map { chooseSnapshots($0.snapshots, requested: requested) }
        let columns = 1 + (chosen.map(\.count).max() ?? 1)
        let figure = Figure(width: Double(min(columns, 5)) * 200 + 40, height: Double(runs.count) * 230 + 40)
        let panels = figure.grid(rows: runs.count, columns: columns)
        for (r, run) in runs.enumerated() {
            let shape = run.image!
            let row = Array(panels[(r * columns)..<((r + 1) * columns)])
            let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            row[0].image(run.target, width: shape.width, height: shape.height, channels: shape.channels)
            row[0].title = runs.count > 1 ? "target (\(label))" : "target"
            for (panel, snapshot) in zip(row.dropFirst(), chosen[r]) {
                let clamped = snapshot.prediction.map { min(max($0, 0), 1) }
                panel.image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                panel.title = String(format: "step %d: %.1f dB", snapshot.step, Metrics.psnr(prediction: clamped, target: run.target))
            }
        }
        return figure
    }

    /// Per-grade spectra (Fang & Xu, Fig. 3): for each run, the amplitude spectrum of the target
    /// and of each grade's own output on the training grid, 2|DFT|/N against frequency.
    static func gradeSpectra(_ runs: [RunResult], labels: [String: String]) throws -> Figure {
        guard runs.allSatisfy({ $0.grades != nil }) else {
            throw RecipeError(description: "grade_spectra needs runs of a method with grades (sgdl, mgdl, mscale, multistage), not mlp")
        }
        let columns = runs.count == 1 ? 1 : 2
        let rows = (runs.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: Double(max(1, rows)) * 300 + 40)
        let panels = figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: false)
        for (panel, run) in zip(panels, runs) {
            let spectrum = Spectra.amplitudeSpectrum(run.target)
            let limit = spectrumLimit(spectrum, declared: run.frequencies)
            let k = (0..<limit).map(Double.init)
            panel.title = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            for grade in run.grades ?? [] {
                let s = Spectra.amplitudeSpectrum(grade.output)
                panel.line(x: k, y: Array(s.prefix(limit)), label: run.grades!.count > 1 ? "grade \(grade.index + 1)" : "network", width: 1.3)
            }
            // The target last, dashed: drawn over the grades, which still show through its gaps.
            panel.line(x: k, y: Array(spectrum.prefix(limit)), label: "target", color: Color(hex: "#7f7f7f"), width: 1.2, dashed: true)
            panel.xLabel = "frequency k"
            panel.yLabel = "amplitude"
            panel.showsLegend = true
        }
        return figure
    }

    /// How many frequencies a spectrum panel shows: up to the highest declared frequency, or
    /// without declared ones (formula, power-law tasks) the highest frequency holding 1% of the
    /// largest amplitude, plus a margin of a quarter (at least 4), so the content fills the axis.
    static func spectrumLimit(_ spectrum: [Double], declared: [Int]) -> Int {
        let peak = spectrum.dropFirst().max() ?? 0
        let top = declared.max() ?? (spectrum.indices.dropFirst().last { spectrum[$0] >= 0.01 * peak } ?? spectrum.count / 4)
        return min(spectrum.count, max(8, top + max(4, top / 4) + 1))
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

    /// Target and network on the grid at four iterations (nearest recorded snapshots). Of a
    /// repeated run, the first copy is shown (the copies' targets differ when their phases do),
    /// and the panel titles say so.
    static func fit(_ series: Series, at requested: [Int]) throws -> Figure {
        let run = series.first
        guard !run.snapshots.isEmpty else { throw RecipeError(description: "run '\(run.name)' recorded no predictions") }
        let snapshots = chooseSnapshots(run.snapshots, requested: requested)
        // Up to three panels in one row, four or more two to a row: no empty panel (requested
        // steps past the end of training collapse onto the last snapshot).
        let columns = snapshots.count <= 3 ? snapshots.count : 2
        let rows = (snapshots.count + columns - 1) / columns
        let figure = Figure(width: columns == 3 ? 1080 : 880, height: rows == 1 ? 340 : 520)
        let panels = figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (panel, snapshot) in zip(panels, snapshots) {
            panel.title = "iteration \(snapshot.step)" + (series.runs.count > 1 ? " (run 1 of \(series.runs.count))" : "")
            panel.line(x: run.inputs, y: snapshot.prediction, label: "network", width: 1.6)
            // The target over the network, dashed, so neither hides the other.
            panel.line(x: run.inputs, y: run.target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.2, dashed: true)
            panel.xLabel = "x"
            panel.yLabel = "value"
        }
        panels.first?.showsLegend = true
        return figure
    }

    static func chooseSnapshots(_ all: [RunResult.Snapshot], requested: [Int]) -> [RunResult.Snapshot] {
        var chosen: [RunResult.Snapshot] = []
        let wanted: [Int]
        if requested.isEmpty {
            let last = all.last!.step
            wanted = [0, last / 8, last / 3, last]
        } else {
            wanted = requested
        }
        for step in wanted {
            let nearest = all.min { abs($0.step - step) < abs($1.step - step) }!
            if !chosen.contains(where: { $0.step == nearest.step }) { chosen.append(nearest) }
        }
        return chosen
    }
}
