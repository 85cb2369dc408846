import Experiments
import Foundation
import Plotting
import Tasks

/// `fit_spectra`: the amplitude spectra of several runs' final predictions in one panel, with
/// the target's (Rahaman et al.'s App. A.5: how far up the frequencies networks of several
/// depths, widths or weight clips fit a δ-spike, whose spectrum is flat).
enum FitSpectraFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.fitSpectra(input.series, labels: input.seriesLabels)
    }
}

extension FigureRecipes {
    /// One panel, log amplitude axis: for each series the amplitude spectrum 2|DFT|/N of its final
    /// prediction on the grid (|DFT|/N at k = 0 and at Nyquist), the mean over a repeated run's
    /// copies (the legend gives n), for k = 0 … N/2; the first series' target spectrum grey and
    /// dashed over them. The runs must share one grid size.
    static func fitSpectra(_ groups: [Series], labels: [String: String]) throws -> Figure {
        let figure = Figure(width: 720, height: 420)
        let panel = figure.addAxes()
        let reference = groups[0].first
        let n = reference.target.count
        for group in groups {
            var mean: [Double] = []
            for run in group.runs {
                guard run.target.count == n else {
                    throw RecipeError(description: "run '\(run.name)' has \(run.target.count) grid points, '\(reference.name)' \(n): fit_spectra compares spectra on one grid")
                }
                let spectrum = Spectra.amplitudeSpectrum(try finalPrediction(run).prediction)
                mean = mean.isEmpty ? spectrum : zip(mean, spectrum).map(+)
            }
            let count = Double(group.runs.count)
            let name = labels[group.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name
            panel.line(x: mean.indices.map(Double.init), y: mean.map { $0 / count },
                       label: group.runs.count > 1 ? "\(name) (mean of \(group.runs.count))" : name, width: 1.5)
        }
        let target = Spectra.amplitudeSpectrum(reference.target)
        panel.line(x: target.indices.map(Double.init), y: target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.2, dashed: true)
        panel.xLabel = "frequency k"
        panel.yLabel = "amplitude 2|DFT|/N"
        panel.yScale = .log
        panel.showsLegend = true
        return figure
    }
}
