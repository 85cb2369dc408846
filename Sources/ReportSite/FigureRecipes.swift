import Experiments
import Foundation
import Plotting
import Tasks

/// Turns a declared figure and the runs it shows into a `Figure`.
enum FigureRecipes {
    struct RecipeError: Error, CustomStringConvertible {
        let description: String
    }

    static func figure(for spec: FigureSpec, runs: [String: RunResult]) throws -> Figure {
        let shown = try spec.runs.map { name -> RunResult in
            guard let run = runs[name] else { throw RecipeError(description: "run '\(name)' has no result") }
            guard run.status == .ok else {
                throw RecipeError(description: "run '\(name)' failed, so there is nothing to draw: \(run.message ?? "no message")")
            }
            return run
        }
        switch spec.kind {
        case "spectral_evolution": return try spectralEvolution(shown[0])
        case "loss": return loss(shown)
        case "fit": return try fit(shown[0], at: spec.at)
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
    static func loss(_ runs: [RunResult]) -> Figure {
        let figure = Figure(width: 560, height: 360)
        let axes = figure.addAxes()
        axes.xLabel = "training iteration"
        axes.yLabel = "training loss (MSE)"
        axes.yScale = .log
        for run in runs {
            let (x, y) = envelope(run.losses, buckets: 2000)
            axes.line(x: x, y: y, label: runs.count > 1 ? run.name : "\(run.name) (MSE)")
        }
        axes.showsLegend = runs.count > 1
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
