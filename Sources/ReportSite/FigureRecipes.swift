import Experiments
import Foundation
import Plotting
import Tasks

/// Turns a declared figure and the runs it shows into a `Figure`.
enum FigureRecipes {
    struct RecipeError: Error, CustomStringConvertible {
        let description: String
    }

    static func figure(for spec: FigureSpec, runs: [String: RunResult], labels: [String: String] = [:]) throws -> Figure {
        let shown = try spec.runs.map { name -> RunResult in
            guard let run = runs[name] else { throw RecipeError(description: "run '\(name)' has no result") }
            guard run.status == .ok else {
                throw RecipeError(description: "run '\(name)' failed, so there is nothing to draw: \(run.message ?? "no message")")
            }
            return run
        }
        switch spec.kind {
        case "spectral_evolution": return try spectralEvolution(shown[0])
        case "loss": return loss(shown, labels: labels)
        case "fit": return try fit(shown[0], at: spec.at)
        case "grade_spectra": return try gradeSpectra(shown, labels: labels)
        case "reconstruction": return try reconstruction(shown, labels: labels)
        default: throw RecipeError(description: "unknown figure kind '\(spec.kind)'")
        }
    }

    /// x = frequency k, y = iteration, colour = 2|DFT(prediction)(k)|/n divided by the target's
    /// amplitude A_k, clipped to [0, 1] (Rahaman et al., Fig. 1).
    static func spectralEvolution(_ run: RunResult) throws -> Figure {
        guard !run.snapshots.isEmpty else { throw RecipeError(description: "run '\(run.name)' recorded no predictions") }
        let rows = run.snapshots.map { snapshot -> [Double] in
            Spectra.relativeAmplitudes(of: snapshot.prediction, at: run.frequencies, reference: run.targetAmplitudes)
                .map { min(max($0, 0), 1) }
        }
        let figure = Figure(width: 560, height: 440)
        let axes = figure.addAxes()
        axes.xLabel = "frequency k"
        axes.yLabel = "training iteration"
        let heatmap = axes.heatmap(rows, x: run.frequencies.map(Double.init), y: run.snapshots.map { Double($0.step) },
                                   colormap: .viridis, range: 0...1)
        axes.colorbar(for: heatmap, label: "|f̃(k)| / A_k (clipped to [0, 1])")
        return figure
    }

    /// Training loss against iteration on a log axis, one series per run. Long curves are
    /// reduced to the minimum and maximum of each of ~2000 buckets, which keeps every excursion.
    /// With grades (MGDL) or stages, a dashed vertical line marks where each new one starts
    /// (drawn when the runs that have grades share them). Runs of a sweep with more than four
    /// points are grouped into panels by every part of their label but the last
    /// (`amplitudes = constant` | `method = sgdl`, `method = mgdl`), so no legend hides a curve.
    static func loss(_ runs: [RunResult], labels: [String: String] = [:]) -> Figure {
        func label(_ run: RunResult) -> String { labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name }
        let parts = runs.map { label($0).components(separatedBy: ", ") }
        var groups: [(title: String?, runs: [(RunResult, String)])] = []
        if runs.count > 4, parts.allSatisfy({ $0.count >= 2 }) {
            for (run, p) in zip(runs, parts) {
                let title = p.dropLast().joined(separator: ", ")
                if let i = groups.firstIndex(where: { $0.title == title }) {
                    groups[i].runs.append((run, p.last!))
                } else {
                    groups.append((title, [(run, p.last!)]))
                }
            }
        } else {
            groups = [(nil, runs.map { ($0, label($0)) })]
        }
        let columns = groups.count == 1 ? 1 : 2
        let rows = (groups.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 640 : 960, height: groups.count == 1 ? 380 : Double(rows) * 260 + 40)
        let panels = groups.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (axes, group) in zip(panels, groups) {
            axes.title = group.title
            let graded = group.runs.contains { ($0.0.gradeBoundaries ?? []).isEmpty == false }
            axes.xLabel = graded && groups.count == 1 ? "training step (all grades in order)" : "training step"
            axes.yLabel = "training loss (MSE)"
            axes.yScale = .log
            for (run, name) in group.runs {
                let (x, y) = envelope(run.losses, buckets: 2000)
                axes.line(x: x, y: y, label: group.runs.count > 1 ? name : "\(name) (MSE)")
            }
            let withGrades = group.runs.compactMap { $0.0.gradeBoundaries }.filter { !$0.isEmpty }
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
            let top = (run.frequencies.max() ?? spectrum.count / 4) * 5 / 4
            let limit = min(spectrum.count, max(top, 8))
            let k = (0..<limit).map(Double.init)
            panel.title = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            panel.line(x: k, y: Array(spectrum.prefix(limit)), label: "target", color: Color(hex: "#7f7f7f"), width: 1.2)
            for grade in run.grades ?? [] {
                let s = Spectra.amplitudeSpectrum(grade.output)
                panel.line(x: k, y: Array(s.prefix(limit)), label: run.grades!.count > 1 ? "grade \(grade.index + 1)" : "network", width: 1.3)
            }
            panel.xLabel = "frequency k"
            panel.yLabel = "amplitude"
            panel.showsLegend = true
        }
        return figure
    }

    /// Keeps every point of short series; for long ones, the min and max of each bucket in step order.
    static func envelope(_ values: [Double], buckets: Int) -> ([Double], [Double]) {
        guard values.count > 2 * buckets else { return (values.indices.map(Double.init), values) }
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

    /// Target and network on the grid at four iterations (nearest recorded snapshots).
    static func fit(_ run: RunResult, at requested: [Int]) throws -> Figure {
        guard !run.snapshots.isEmpty else { throw RecipeError(description: "run '\(run.name)' recorded no predictions") }
        let snapshots = chooseSnapshots(run.snapshots, requested: requested)
        let figure = Figure(width: 880, height: 520)
        let columns = snapshots.count <= 2 ? snapshots.count : 2
        let rows = (snapshots.count + columns - 1) / columns
        let panels = figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        for (panel, snapshot) in zip(panels, snapshots) {
            panel.title = "iteration \(snapshot.step)"
            panel.line(x: run.inputs, y: run.target, label: "target λ(z)", color: Color(hex: "#7f7f7f"), width: 1.2)
            panel.line(x: run.inputs, y: snapshot.prediction, label: "network", width: 1.6)
            panel.xLabel = "z"
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
