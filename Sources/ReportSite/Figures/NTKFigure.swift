import Experiments
import Foundation
import Plotting
import Tasks

/// `ntk`: the analytic neural tangent kernel behind declared input mappings (no run).
enum NTKFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.kernels(input.spec)
    }

    /// The notebook's cell: redraws the figure from its CSV (heatmap, kernel lines, log spectrum).
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        NotebookFigureCell.generic(cell)
    }
}

extension FigureRecipes {
    /// The neural tangent kernel behind each declared input mapping (Tancik et al., Fig. 2),
    /// computed analytically from the declaration (``KernelMapping/kernel(_:_:hiddenLayers:)``),
    /// no run and no training:
    /// - a mapping that is not stationary (`none`) as a heatmap of Θ(x, x') over centred inputs
    ///   x, x' ∈ [−0.5, 0.5] (the paper feeds x − 0.5), one panel each;
    /// - every Fourier mapping as its kernel function h(Δ) = Θ(γ(Δ), γ(0)) over one period,
    ///   Δ ∈ [−0.5, 0.5], one line each;
    /// - and the amplitude spectrum of h over that period (`points` samples, one-sided, 2|DFT|/N
    ///   as ``Spectra/amplitudeSpectrum(_:)``) on a log axis, frequencies 0 … points/2 − 1.
    static func kernels(_ spec: FigureSpec) throws -> Figure {
        let layers = spec.hiddenLayers ?? 3
        let n = spec.points ?? 256
        let mappings = spec.mappings ?? []
        let fixed = mappings.filter { !$0.isStationary }
        let stationary = mappings.filter(\.isStationary)
        guard !mappings.isEmpty else { throw RecipeError(description: "an ntk figure needs at least one mapping") }
        let columns = fixed.count + (stationary.isEmpty ? 0 : 2)
        let figure = Figure(width: max(560, Double(columns) * 340 + 40), height: 400)
        let panels = columns == 1 ? [figure.addAxes()] : figure.grid(rows: 1, columns: columns)
        let network = "\(layers) hidden ReLU layer\(layers == 1 ? "" : "s")"
        for (panel, mapping) in zip(panels, fixed) {
            let side = min(n, 128)
            let x = (0..<side).map { -0.5 + Double($0) / Double(side - 1) }
            let rows = x.map { xi in x.map { mapping.kernel(xi, $0, hiddenLayers: layers) } }
            let heatmap = panel.heatmap(rows, x: x, y: x, colormap: .viridis)
            panel.colorbar(for: heatmap, label: "NTK Θ(x, x′)")
            panel.title = "\(mapping.label): Θ(x, x′)"
            panel.xLabel = "input x (centred)"
            panel.yLabel = "input x′ (centred)"
        }
        guard !stationary.isEmpty else { return figure }
        let kernelPanel = panels[fixed.count], spectrumPanel = panels[fixed.count + 1]
        // One period of h, Δ = k/n for k = 0..<n, drawn centred (Δ from −0.5 to 0.5).
        let deltas = (0..<n).map { Double($0) / Double(n) }
        for mapping in stationary {
            let h = deltas.map { mapping.kernel($0, 0, hiddenLayers: layers) }
            let half = n / 2
            let centredX = (0...n).map { -0.5 + Double($0) / Double(n) }
            let centredY = (0...n).map { h[($0 + half) % n] }
            kernelPanel.line(x: centredX, y: centredY, label: mapping.label)
            // Up to n/2 − 1: the Nyquist bin is scaled |X|/n, not 2|X|/n, and would show as a drop.
            let spectrum = Array(Spectra.amplitudeSpectrum(h).dropLast())
            spectrumPanel.line(x: spectrum.indices.map(Double.init), y: spectrum, label: mapping.label)
        }
        kernelPanel.title = "kernel h(Δ) = Θ(γ(Δ), γ(0))"
        kernelPanel.xLabel = "Δ = x − x′"
        kernelPanel.yLabel = "NTK, \(network)"
        kernelPanel.showsLegend = true
        spectrumPanel.title = "spectrum of h"
        spectrumPanel.xLabel = "frequency k"
        spectrumPanel.yLabel = "amplitude of h at k"
        spectrumPanel.yScale = .log
        return figure
    }
}
