import Experiments
import Foundation
import Plotting
import Tasks

/// `spectral_snapshots`: the recorded spectrum of each named run at a few chosen iterations
/// (`at`), one curve per iteration, light (early) to dark (late), over the spectrum of the run's
/// training target and of the `reference` runs' targets, dashed. Rahaman et al.'s Fig. 6: the
/// network's output in the Gaussian kernel's eigenbasis at a few iterations, beside the noisy
/// target it is trained on and the clean one.
enum SpectralSnapshotsFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.spectralSnapshots(input.series, at: input.spec.at, references: Set(input.spec.references ?? []),
                                            labels: input.seriesLabels)
    }
}

extension FigureRecipes {
    /// A run's recorded spectra as amplitudes (not divided by the target's): at its target
    /// frequencies (2|DFT|/N, or the sum over ±band), or, with `task.kernel_spectrum`, the mean
    /// |⟨vₙ, f⟩| over each bin of eigen-indices; with the target's own.
    struct RecordedSpectra: Equatable {
        var frequencies: [Int]
        var steps: [Int]
        /// rows[i][j]: recorded step i, frequency (or bin) j.
        var rows: [[Double]]
        var target: [Double]
        var eigenBin: Int?
        var band: Int?

        init(frequencies: [Int], steps: [Int], rows: [[Double]], target: [Double], eigenBin: Int?, band: Int?) {
            self.frequencies = frequencies; self.steps = steps; self.rows = rows; self.target = target
            self.eigenBin = eigenBin; self.band = band
        }

        /// The spectra `run` recorded (`train.record_every`), or, for a 1-D target without
        /// them, those of its kept predictions; nil when it has neither.
        init?(_ run: RunResult) {
            guard !run.frequencies.isEmpty, !run.targetAmplitudes.isEmpty else { return nil }
            frequencies = run.frequencies
            target = run.targetAmplitudes
            eigenBin = run.eigenBin
            band = run.spectrumBand
            if let recorded = run.spectra, !recorded.isEmpty {
                steps = recorded.map(\.step)
                rows = recorded.map(\.amplitudes)
                return
            }
            guard !run.snapshots.isEmpty, run.image == nil, run.eigenBin == nil else { return nil }
            steps = run.snapshots.map(\.step)
            rows = run.snapshots.map {
                Spectra.amplitudes(in: Spectra.amplitudeSpectrum($0.prediction), at: run.frequencies, halfWidth: run.spectrumBand ?? 0)
            }
        }

        /// The mean over the copies of a repeated run, when they recorded the same steps and
        /// frequencies; nil when they do not line up.
        static func mean(_ all: [RecordedSpectra]) -> RecordedSpectra? {
            guard var sum = all.first else { return nil }
            guard all.allSatisfy({ $0.steps == sum.steps && $0.frequencies == sum.frequencies && $0.eigenBin == sum.eigenBin && $0.band == sum.band }) else {
                return nil
            }
            for other in all.dropFirst() {
                sum.rows = zip(sum.rows, other.rows).map { zip($0, $1).map(+) }
                sum.target = zip(sum.target, other.target).map(+)
            }
            let n = Double(all.count)
            sum.rows = sum.rows.map { $0.map { $0 / n } }
            sum.target = sum.target.map { $0 / n }
            return sum
        }
    }

    /// One panel per series that is not a reference (two to a row when there are several):
    /// x the target frequencies k (or the centres of the kernel's eigen-index bins), y the
    /// recorded amplitude at the recorded step nearest each of `requested` (each step once, in
    /// increasing order; none requested: 0, a quarter, half and the last), coloured along the
    /// theme's sequential ramp from the first to the last. A repeated run shows the mean over its
    /// copies (the title says so), or its first copy when they were recorded at different steps.
    /// Dashed over the curves: the series' own target (grey) and each reference run's target
    /// (red, then other colours), which must have the panel's frequencies.
    static func spectralSnapshots(_ groups: [Series], at requested: [Int], references: Set<String>,
                                  labels: [String: String]) throws -> Figure {
        func isReference(_ s: Series) -> Bool { references.contains(s.name) || s.runs.contains { references.contains($0.name) } }
        func label(_ s: Series) -> String { labels[s.name].flatMap { $0.isEmpty ? nil : $0 } ?? s.name }
        func spectra(_ s: Series) throws -> (RecordedSpectra, firstOnly: Bool) {
            let all = s.runs.compactMap(RecordedSpectra.init)
            guard all.count == s.runs.count, let first = all.first else {
                let missing = s.runs.first { RecordedSpectra($0) == nil }?.name ?? s.name
                throw RecipeError(description: "run '\(missing)' has no spectrum: a sum_of_sines (or delta_spike) target's frequencies or a dataset's kernel_spectrum, recorded with train.record_every")
            }
            if let mean = RecordedSpectra.mean(all) { return (mean, false) }
            return (first, true)
        }
        let shown = groups.filter { !isReference($0) }
        guard !shown.isEmpty else { throw RecipeError(description: "no run to draw a panel of (every run is a reference)") }
        let referenceTargets = try groups.filter(isReference).map { s in (label(s), try spectra(s).0) }
        let columns = shown.count == 1 ? 1 : 2
        let rows = (shown.count + columns - 1) / columns
        let figure = Figure(width: columns == 1 ? 760 : 1120, height: rows == 1 ? 440 : Double(rows) * 380 + 40)
        let panels = shown.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: true)
        let referenceColors = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c"].map(Color.init(hex:))
        for (panel, series) in zip(panels, shown) {
            let (recorded, firstOnly) = try spectra(series)
            guard recorded.steps.count > 1 else {
                throw RecipeError(description: "run '\(series.first.name)' recorded only its final prediction: spectral snapshots need spectra recorded during training (train.record_every)")
            }
            let last = recorded.steps.last!
            let wanted = requested.isEmpty ? [0, last / 4, last / 2, last] : requested
            var chosen: [Int] = []
            for step in wanted {
                let nearest = recorded.steps.indices.min { abs(recorded.steps[$0] - step) < abs(recorded.steps[$1] - step) }!
                if !chosen.contains(nearest) { chosen.append(nearest) }
            }
            chosen.sort()
            let bin = recorded.eigenBin
            let x = recorded.frequencies.map { Double($0) + Double((bin ?? 1) - 1) / 2 }
            let n = series.runs.count
            let parts = [shown.count > 1 || !referenceTargets.isEmpty ? label(series) : nil,
                         n > 1 ? (firstOnly ? "run 1 of \(n)" : "mean of \(n) runs") : nil,
                         recorded.band.map { "band ±\($0)" }].compactMap { $0 }
            panel.title = parts.isEmpty ? nil : parts.joined(separator: " · ")
            for (i, row) in chosen.enumerated() {
                panel.line(x: x, y: recorded.rows[row], label: "iteration \(recorded.steps[row])", width: 1.6,
                           ramp: chosen.count == 1 ? 1 : Double(i) / Double(chosen.count - 1))
            }
            // The targets over the curves, dashed, so that neither hides the other (as `fit` draws its target).
            panel.line(x: x, y: recorded.target, label: referenceTargets.isEmpty ? "target" : "target (\(label(series)))",
                       color: Color(hex: "#7f7f7f"), width: 1.6, dashed: true)
            for (k, (name, reference)) in referenceTargets.enumerated() {
                guard reference.frequencies == recorded.frequencies, reference.eigenBin == recorded.eigenBin, reference.band == recorded.band else {
                    throw RecipeError(description: "reference '\(name)' is measured at other \(bin == nil ? "frequencies" : "eigen-index bins") than run '\(series.first.name)': a reference's target must share the panel's spectrum")
                }
                panel.line(x: x, y: reference.target, label: "target (\(name))", color: referenceColors[k % referenceColors.count],
                           width: 1.6, dashed: true)
            }
            panel.xLabel = bin.map { "kernel eigen-index n (\($0 == 1 ? "each" : "bins of \($0)"))" } ?? "frequency k"
            panel.yLabel = bin == nil ? "amplitude 2|DFT|/N at k" : "|⟨vₙ, f⟩| (mean over the bin)"
            panel.showsLegend = true
        }
        return figure
    }
}
