import Experiments
import Foundation
import Plotting

/// `layer_norms`: the spectral norm of every weight matrix over training.
enum LayerNormsFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.layerNorms(input.series, labels: input.seriesLabels)
    }
}

extension FigureRecipes {
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
}
