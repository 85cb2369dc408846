import Experiments
import Foundation
import Plotting
import Tasks

/// `function_spectra`: amplitude spectra of declared functions, no training.
enum FunctionSpectraFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.functionSpectra(input.spec)
    }

    /// The notebook's cell: the spectra redrawn from the CSV, the dashed functions over the others.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let dashed = (cell.spec.functions ?? []).filter(\.dashed).map { Notebook.py($0.label) }.joined(separator: ", ")
        return """
            # \(cell.spec.name): amplitude spectra 2|DFT|/N of declared functions on the grid k/\(cell.spec.points ?? 1024) of [0, 1); no training.
            # The same spectra from the formulas themselves: np.abs(np.fft.rfft(f(np.arange(N) / N))) * 2 / N.
            rows = load_figure(\(cell.path))
            dashed = {\(dashed)}  # the functions drawn dashed, over the others
            fig, ax = plt.subplots(\(cell.size), constrained_layout=True)
            for name, (k, amplitude) in sorted(series(rows, 1).items(), key=lambda item: item[0] in dashed):
                ax.plot(k, amplitude, label=name, linestyle="--" if name in dashed else "-", linewidth=1.3 if name in dashed else 1.6)
            ax.set_xlabel(\(cell.label(cell.first.xLabel, "frequency k")))
            ax.set_ylabel(\(cell.label(cell.first.yLabel, "amplitude 2|DFT|/N")))
            ax.legend()
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// Spectra of declared functions, no training (Fang & Xu's Fig. 1: a composite beside its
    /// low-frequency parts; the Jacobi–Anger expansion of cos(a sin bx)): each formula is
    /// evaluated on the grid k/N of [0, 1) and drawn as its amplitude spectrum 2|DFT|/N (the DC
    /// term |DFT|/N), up to the highest frequency holding 1% of the largest amplitude of any of
    /// them, plus a quarter. Dashed functions are drawn last, over the solid ones.
    static func functionSpectra(_ spec: FigureSpec) throws -> Figure {
        let n = spec.points ?? 1024
        let grid = Grid.equispaced(count: n)
        var spectra: [(function: FigureSpec.DeclaredFunction, amplitudes: [Double])] = []
        for function in spec.functions ?? [] {
            let formula = try Formula(function.formula, variables: ["x"])
            let values = grid.map { formula($0) }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw RecipeError(description: "function '\(function.label)' is not finite at x = \(grid[bad]) (\(values[bad]))")
            }
            spectra.append((function, Spectra.amplitudeSpectrum(values)))
        }
        guard !spectra.isEmpty else { throw RecipeError(description: "a function_spectra figure needs at least one function") }
        let limit = spectra.map { spectrumLimit($0.amplitudes, declared: []) }.max()!
        let k = (0..<limit).map(Double.init)
        let figure = Figure(width: 640, height: 380)
        let panel = figure.addAxes()
        for (function, amplitudes) in spectra.filter({ !$0.function.dashed }) + spectra.filter(\.function.dashed) {
            panel.line(x: k, y: Array(amplitudes.prefix(limit)), label: function.label,
                       width: function.dashed ? 1.3 : 1.6, dashed: function.dashed)
        }
        panel.xLabel = "frequency k"
        panel.yLabel = "amplitude 2|DFT|/N"
        panel.showsLegend = true
        return figure
    }
}
