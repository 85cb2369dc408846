import Experiments
import Foundation
import Plotting

/// `parameter_sweep`: a run metric against a swept key, a line per value of another.
enum ParameterSweepFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.parameterSweep(input.spec, input.series.flatMap(\.runs), sweepValues: input.sweepValues)
    }

    /// The notebook's cell: redraws the figure from its CSV (x log axis as drawn).
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        NotebookFigureCell.generic(cell)
    }
}

extension FigureRecipes {
    /// A run metric against a swept parameter (Tancik et al., Figs. 6, 9 and 10: test PSNR against
    /// the Gaussian scale σ, or against the embedding size for several depths): x = the run's value
    /// of the swept key `parameter`, y = `metric`, one line (with markers) per value of the swept
    /// key `series`. Every run that shares a line and an x value — repeats, and any swept axis not
    /// named (e.g. the image) — is one point: the mean, with a band of ±1 sample standard
    /// deviation where there are several (the y label says so and the legend gives n).
    static func parameterSweep(_ spec: FigureSpec, _ runs: [RunResult], sweepValues: [String: [String: String]]) throws -> Figure {
        guard let parameter = spec.parameter, let metric = spec.runMetric else {
            throw RecipeError(description: "a parameter_sweep figure needs parameter and metric")
        }
        var order: [String] = []
        var cells: [String: [Double: [Double]]] = [:]
        for run in runs {
            let values = sweepValues[run.name] ?? [:]
            guard let text = values[parameter], let x = Double(text) else {
                throw RecipeError(description: "run '\(run.name)' has no numeric value of the swept key '\(parameter)'")
            }
            let line = spec.series.map { key in "\(key.split(separator: ".").last.map(String.init) ?? key) = \(values[key] ?? "?")" } ?? ""
            if cells[line] == nil { order.append(line); cells[line] = [:] }
            guard let y = metric.value(of: run), y.isFinite else {
                throw RecipeError(description: "run '\(run.name)' has no \(metric.rawValue)")
            }
            cells[line]![x, default: []].append(y)
        }
        let figure = Figure(width: 640, height: 400)
        let axes = figure.addAxes()
        let aggregated = cells.values.contains { $0.values.contains { $0.count > 1 } }
        for line in order {
            let points = cells[line]!.sorted { $0.key < $1.key }
            let xs = points.map(\.key)
            let means = points.map { $0.value.reduce(0, +) / Double($0.value.count) }
            let sds = zip(points, means).map { point, mean -> Double in
                let v = point.value
                return v.count > 1 ? (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot() : 0
            }
            let counts = Set(points.map { $0.value.count })
            let n = counts.count == 1 ? " (n = \(counts.first!))" : " (n = \(counts.sorted().map(String.init).joined(separator: "–")))"
            axes.line(x: xs, y: means, label: (line.isEmpty ? metric.rawValue : line) + (aggregated ? n : ""), markers: true)
            if aggregated {
                axes.band(x: xs, lower: zip(means, sds).map { $0 - $1 }, upper: zip(means, sds).map { $0 + $1 }, underLastLine: true)
            }
        }
        axes.xLabel = parameter
        axes.yLabel = metric.axisLabel
            + (aggregated ? " (mean ± 1 sd)" : "")
        if [.trainRSE, .validationRSE, .testRSE, .finalLoss, .lowestValidationLoss, .finalValidationLoss].contains(metric) { axes.yScale = .log }
        axes.showsLegend = order.count > 1 || aggregated
        return figure
    }
}
