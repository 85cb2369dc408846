import Experiments
import Foundation
import Plotting
import Tasks

/// `grade_spectra`: the amplitude spectrum of the target and of each grade's output.
enum GradeSpectraFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.gradeSpectra(input.series.map(\.first), labels: input.runLabels)
    }
}

extension FigureRecipes {
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
}
