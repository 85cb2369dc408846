import Experiments
import Foundation
import Plotting
import Tasks

/// `function_spectra`: amplitude spectra of declared functions, no training.
enum FunctionSpectraFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.functionSpectra(input.spec)
    }

    /// The notebook's cell: the spectra redrawn from the CSV, the dashed functions over the solid
    /// ones, the dotted ones (dots at their lines) over all.
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        let functions = cell.spec.functions ?? []
        let dashed = functions.filter(\.dashed).map { Notebook.py($0.label) }.joined(separator: ", ")
        let dots = functions.filter(\.drawnAsDots).map { Notebook.py($0.label) }.joined(separator: ", ")
        return """
            # \(cell.spec.name): amplitude spectra 2|DFT|/N of declared functions on the grid k/\(cell.spec.points ?? 1024) of [0, 1); no training.
            # The same spectra from the formulas themselves: np.abs(np.fft.rfft(f(np.arange(N) / N))) * 2 / N.
            rows = load_figure(\(cell.path))
            dashed = {\(dashed)}  # the functions drawn dashed, over the solid ones
            dots = {\(dots)}  # the functions drawn as dots at their lines (>= \(FigureRecipes.spectralLineFraction) of the largest amplitude), over all
            fig, ax = plt.subplots(\(cell.size), constrained_layout=True)
            lines = series(rows, 1)
            largest = max(max(amplitude) for _, amplitude in lines.values())
            for name, (k, amplitude) in sorted(lines.items(), key=lambda item: (item[0] in dots, item[0] in dashed)):
                if name in dots:
                    kept = [(kk, a) for kk, a in zip(k, amplitude) if a >= \(FigureRecipes.spectralLineFraction) * largest]
                    ax.plot([kk for kk, _ in kept], [a for _, a in kept], "o", label=name, markersize=5)
                else:
                    ax.plot(k, amplitude, label=name, linestyle="--" if name in dashed else "-", linewidth=1.3 if name in dashed else 1.6)
            ax.set_xlabel(\(cell.label(cell.first.xLabel, "frequency k")))
            ax.set_ylabel(\(cell.label(cell.first.yLabel, "amplitude 2|DFT|/N")))
            ax.legend()
            plt.show()
            """
    }
}

extension FigureRecipes {
    /// The smallest amplitude, as a fraction of the figure's largest, drawn as a dot for a function
    /// declared with `dots`: 0.5% keeps every line a reader can see on a linear axis and drops the
    /// rounding floor (about 1e-16) of the zero bins.
    static let spectralLineFraction = 0.005

    /// Spectra of declared functions, no training (Fang & Xu's Fig. 1: a composite beside its
    /// low-frequency parts; the Jacobi–Anger expansion of cos(a sin bx)): each formula is
    /// evaluated on the grid k/N of [0, 1) and drawn as its amplitude spectrum 2|DFT|/N (the DC
    /// term |DFT|/N), up to the highest frequency holding 1% of the largest amplitude of any of
    /// them, plus a quarter. Dashed functions are drawn over the solid ones; functions declared
    /// with `dots` are drawn last, as dots at their lines only (amplitudes of at least
    /// `spectralLineFraction` of the largest of the figure), so that a truncated expansion that
    /// coincides with the full spectrum at a few lines shows there instead of vanishing under it.
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
        let lines = spectra.filter { !$0.function.drawnAsDots }
        for (function, amplitudes) in lines.filter({ !$0.function.dashed }) + lines.filter(\.function.dashed) {
            panel.line(x: k, y: Array(amplitudes.prefix(limit)), label: function.label,
                       width: function.dashed ? 1.3 : 1.6, dashed: function.dashed)
        }
        let largest = spectra.map { $0.amplitudes.prefix(limit).max() ?? 0 }.max() ?? 0
        for (function, amplitudes) in spectra.filter(\.function.drawnAsDots) {
            let kept = (0..<limit).filter { amplitudes[$0] >= spectralLineFraction * largest }
            panel.points(x: kept.map(Double.init), y: kept.map { amplitudes[$0] }, label: function.label, width: 2.6)
        }
        panel.xLabel = "frequency k"
        panel.yLabel = "amplitude 2|DFT|/N"
        panel.showsLegend = true
        return figure
    }
}
