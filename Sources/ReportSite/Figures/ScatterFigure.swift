import Experiments
import Foundation
import Plotting

/// `scatter`: one point per run (the mean over its repeats), a run metric against a swept value
/// or a measured property of the run, one colour per value of another swept key, and optional
/// horizontal reference lines from named runs.
enum ScatterFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.scatter(input.spec, input.series, labels: input.seriesLabels, values: input.sweepValues)
    }

    /// The notebook's cell: redraws the figure from its CSV (points as dots, references as lines).
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        NotebookFigureCell.generic(cell)
    }
}

extension FigureRecipes {
    /// Run name -> its sweep point and the properties measured on its declaration
    /// (`frequency_std`), as text: what a scatter reads its x and colours from.
    static func measuredValues(_ experiments: [ExperimentSpec]) -> [String: [String: String]] {
        Dictionary(experiments.map { s in
            (s.name, (s.sweepValues ?? [:]).merging(RunProperty.allCases.compactMap { p in p.value(of: s).map { (p.rawValue, "\($0)") } },
                                                    uniquingKeysWith: { a, _ in a }))
        }, uniquingKeysWith: { a, _ in a })
    }

    /// A scatter of runs (Tancik et al., Fig. 4: test error against the standard deviation of the
    /// sampled frequencies, one colour per distribution). Each series (a run and its repeats) is
    /// one point: x = its value of `parameter` (a swept key, or a `RunProperty` such as
    /// `frequency_std`) and y = `runMetric` (the mean over the repeats; the legend gives n). The
    /// points are coloured by their value of the swept key `series`; the `references` runs are
    /// dashed horizontal lines at their metric across the points' x range.
    static func scatter(_ spec: FigureSpec, _ all: [Series], labels: [String: String], values: [String: [String: String]]) throws -> Figure {
        guard let x = spec.parameter, let metric = spec.runMetric else {
            throw RecipeError(description: "a scatter figure needs x and metric")
        }
        let references = Set(spec.references ?? [])
        func metricMean(_ s: Series) throws -> Double {
            let ys = try s.runs.map { run -> Double in
                guard let y = metric.value(of: run), y.isFinite else { throw RecipeError(description: "run '\(run.name)' has no \(metric.rawValue)") }
                return y
            }
            return ys.reduce(0, +) / Double(ys.count)
        }
        var order: [String] = []
        var groups: [String: (xs: [Double], ys: [Double], n: Set<Int>)] = [:]
        var lines: [(label: String, y: Double)] = []
        for s in all {
            if references.contains(s.name) || s.runs.contains(where: { references.contains($0.name) }) {
                lines.append(((labels[s.name] ?? s.name) + " (reference)", try metricMean(s)))
                continue
            }
            let point = values[s.first.name] ?? [:]
            guard let text = point[x], let xv = Double(text), xv.isFinite else {
                throw RecipeError(description: "run '\(s.first.name)' has no numeric value of '\(x)'")
            }
            let key = spec.series.map { k in "\(k.split(separator: ".").last.map(String.init) ?? k) = \(point[k] ?? "?")" } ?? ""
            if groups[key] == nil { order.append(key); groups[key] = ([], [], []) }
            groups[key]!.xs.append(xv)
            groups[key]!.ys.append(try metricMean(s))
            groups[key]!.n.insert(s.runs.count)
        }
        guard !order.isEmpty else { throw RecipeError(description: "no run to draw as a point (every run is a reference)") }
        let figure = Figure(width: 640, height: 420)
        let axes = figure.addAxes()
        let repeated = groups.values.contains { $0.n != [1] }
        for key in order {
            let g = groups[key]!
            let n = repeated ? " (n = \(g.n.sorted().map(String.init).joined(separator: "–")))" : ""
            axes.points(x: g.xs, y: g.ys, label: (key.isEmpty ? metric.axisLabel : key) + n)
        }
        let allX = groups.values.flatMap(\.xs)
        let (low, high) = (allX.min()!, allX.max()!)
        for line in lines {
            axes.line(x: [low, high], y: [line.y, line.y], label: line.label, width: 1.5, dashed: true)
        }
        axes.xLabel = x == RunProperty.frequencyStd.rawValue ? "standard deviation of the sampled frequencies" : x
        axes.yLabel = metric.axisLabel
            + (repeated ? " (mean over repeats)" : "")
        axes.showsLegend = order.count > 1 || !lines.isEmpty || repeated
        return figure
    }
}
