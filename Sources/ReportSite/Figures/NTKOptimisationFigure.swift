import Experiments
import Foundation
import Plotting

/// `ntk_optimisation`: Tancik et al.'s Fig. 5, the mapping's amplitudes optimised through the
/// NTK linear model for 1/f^α signals (computed from the declaration, no run).
enum NTKOptimisationFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        var trained: [TrainedMappingErrors]?
        if input.spec.trained != nil {
            let runs = Dictionary(input.series.flatMap(\.runs).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let specs = input.spec.runs.compactMap { input.specs[$0] }
            do { trained = try TrainedMappingErrors.compute(figure: input.spec, specs: specs, runs: runs) } catch {
                throw FigureRecipes.RecipeError(description: "\(error)")
            }
        }
        return try FigureRecipes.optimisedMappings(input.spec, trained: trained)
    }
}

extension FigureRecipes {
    /// One colour per signal exponent (the notebook's, in its order), the basic mapping grey.
    static let exponentColours = [Color(red: 0.8872, green: 0.4281, blue: 0.1875), Color(red: 0.2634, green: 0.6634, blue: 0.4134),
                                  Color(red: 0.0943, green: 0.5937, blue: 0.8793), Color(red: 0.3936, green: 0.2946, blue: 0.6330),
                                  Color(red: 0.7123, green: 0.2705, blue: 0.3795), Color(red: 0.55, green: 0.45, blue: 0.25)]

    /// Three panels:
    /// - (a) the amplitude spectrum |DFT| of the NTK row at the n training points, frequencies
    ///   −n/2 … n/2 − 1, for the basic mapping and each optimised mapping (the notebook's panel a);
    /// - (b) the NTK model's test MSE (mean ± sd over the held-out signals) against the falloff p of
    ///   a_j = j^(−p), p = ∞ (the basic mapping) at the right, one line per α, the best p marked
    ///   with a dot and the optimised mapping's MSE as a dashed segment there (the notebook's
    ///   panel b, which plots trained networks instead);
    /// - (c) the optimised amplitudes |a_j|/‖a‖ against j, with the best falloff's j^(−p)/‖·‖
    ///   dashed, on [10⁻⁵, 2] (amplitudes driven to ~0 are clipped; the CSV keeps them).
    ///
    /// With `trained` experiments (Tancik et al.'s panel b proper), a 2 × 2 grid: (a) the spectrum,
    /// (b) the trained networks' test MSE drawn as the model's is, (c) the NTK model's and (d)
    /// the amplitudes; (b) and (c) share their y range, so the two can be read against each other.
    static func optimisedMappings(_ spec: FigureSpec, trained: [TrainedMappingErrors]? = nil) throws -> Figure {
        guard let protocolSpec = spec.optimisation else { throw RecipeError(description: "an ntk_optimisation figure needs its protocol") }
        let result = protocolSpec.compute()
        let figure = trained == nil ? Figure(width: 1320, height: 460) : Figure(width: 1180, height: 920)
        let panels = trained == nil ? figure.grid(rows: 1, columns: 3) : figure.grid(rows: 2, columns: 2)
        let (spectrum, errors, amplitudes) = trained == nil ? (panels[0], panels[1], panels[2]) : (panels[0], panels[2], panels[3])
        let n = protocolSpec.trainPoints
        let grey = Color(red: 0.45, green: 0.45, blue: 0.45)
        func shifted(_ row: [Double]) -> (x: [Double], y: [Double]) {
            let magnitudes = AmplitudeOptimisationResult.spectrum(row)   // k = 0 … n/2
            let ks = Array(-(n / 2)..<(n / 2))
            return (ks.map(Double.init), ks.map { magnitudes[abs($0)] })
        }
        let basic = shifted(result.basicKernel)
        spectrum.line(x: basic.x, y: basic.y, label: "p = ∞ (basic mapping)", color: grey, width: 2)
        for (i, family) in result.families.enumerated() {
            let s = shifted(family.kernel)
            spectrum.line(x: s.x, y: s.y, label: "optimised for α = \(ClaimCheck.number(family.exponent))",
                          color: exponentColours[i % exponentColours.count], width: 2)
        }
        spectrum.title = "(a) NTK Fourier spectrum"
        spectrum.xLabel = "frequency k (DFT over the \(n) training points)"
        spectrum.yLabel = "|DFT of the NTK row| at k"
        spectrum.yScale = .log
        spectrum.showsLegend = true

        let falloffs = result.falloffs
        let xs = falloffs.map { $0.isInfinite ? 2.5 : $0 }
        var top = 0.0
        for (i, family) in result.families.enumerated() {
            drawErrors(family, at: xs, on: errors, label: "α = \(ClaimCheck.number(family.exponent))",
                       colour: exponentColours[i % exponentColours.count])
            top = max(top, family.falloffMeans.last ?? top)
        }
        errors.xTickValues = [0, 0.5, 1, 1.5, 2]
        if top.isFinite, top > 0 { errors.annotate("p = ∞", x: 2.32, y: top * 1.5) }
        errors.title = trained == nil ? "(b) test error: a_j = j^(−p) (lines), optimised a_j (dashed)"
            : "(c) NTK model: a_j = j^(−p) (lines), optimised a_j (dashed)"
        errors.xLabel = "falloff p (right end: p = ∞, the basic mapping)"
        errors.yLabel = "test MSE (mean ± sd over \(protocolSpec.testSignals) signals)"
        errors.yScale = .log
        errors.showsLegend = true

        if let trained {
            let networks = panels[1]
            var low = Double.infinity, high = 0.0, highestInfinite = 0.0
            for (i, family) in trained.enumerated() {
                drawErrors(family, at: family.falloffs.map { $0.isInfinite ? 2.5 : $0 }, on: networks,
                           label: "α = \(ClaimCheck.number(family.exponent)) (n = \(family.optimisedErrors.count))",
                           colour: exponentColours[i % exponentColours.count])
                let means = family.falloffMeans
                if family.falloffs.last?.isInfinite == true, let last = means.last, last.isFinite, last > 0 { highestInfinite = max(highestInfinite, last) }
            }
            if highestInfinite > 0 { networks.annotate("p = ∞", x: 2.32, y: highestInfinite * 1.5) }
            let tables = (trained as [any MappingErrorTable]) + (result.families as [any MappingErrorTable])
            for family in tables {
                let means = family.falloffMeans
                for v in means + [family.optimisedMean] + zip(means, family.falloffStandardDeviations).map({ $0 + $1 }) where v.isFinite && v > 0 {
                    low = min(low, v); high = max(high, v)
                }
            }
            networks.xTickValues = [0, 0.5, 1, 1.5, 2]
            networks.title = "(b) trained networks: a_j = j^(−p) (lines), optimised a_j (dashed)"
            networks.xLabel = "falloff p (right end: p = ∞, a_1 alone)"
            networks.yLabel = "test MSE (mean ± sd over the signals)"
            networks.yScale = .log
            networks.showsLegend = true
            if low.isFinite, high > low {
                let range = (low / 2)...(high * 3)
                networks.yLimits = range
                errors.yLimits = range
            }
        }

        let js = (1...(n / 2)).map(Double.init)
        for (i, family) in result.families.enumerated() {
            let colour = exponentColours[i % exponentColours.count]
            let norm = family.amplitudes.reduce(0) { $0 + $1 * $1 }.squareRoot()
            amplitudes.line(x: js, y: family.amplitudes.map { abs($0) / norm }, label: "optimised, α = \(ClaimCheck.number(family.exponent))",
                            color: colour, width: 2)
            let p = falloffs[family.bestFalloff]
            if p.isFinite {
                let reference = js.map { pow($0, -p) }
                let referenceNorm = reference.reduce(0) { $0 + $1 * $1 }.squareRoot()
                amplitudes.line(x: js, y: reference.map { $0 / referenceNorm }, label: "best power law, p = \(ClaimCheck.number(p))",
                                color: colour, width: 1.5, dashed: true)
            }
        }
        amplitudes.title = trained == nil ? "(c) amplitudes" : "(d) amplitudes"
        amplitudes.xLabel = "frequency b_j = j"
        amplitudes.yLabel = "|a_j| / ‖a‖"
        amplitudes.xScale = .log
        amplitudes.yScale = .log
        amplitudes.yLimits = 1e-5...2   // amplitudes Adam drove to ~0 (below 10⁻⁵) are clipped
        amplitudes.showsLegend = true
        return figure
    }

    /// One family's test errors on `axes`: the falloffs' mean (line, at `xs`) ± sd (band, floored
    /// at a tenth of the mean for the log axis), the best falloff as a dot and the optimised
    /// mapping's mean as a dashed segment beside it.
    private static func drawErrors(_ family: some MappingErrorTable, at xs: [Double], on axes: Axes, label: String, colour: Color) {
        let means = family.falloffMeans, sds = family.falloffStandardDeviations
        axes.line(x: xs, y: means, label: label, color: colour, width: 2)
        axes.band(x: xs, lower: zip(means, sds).map { max($0 - $1, $0 / 10) }, upper: zip(means, sds).map { $0 + $1 },
                  color: colour, underLastLine: true)
        let best = family.bestFalloff
        axes.points(x: [xs[best]], y: [means[best]], color: colour, width: 3.5)
        axes.line(x: [xs[best] - 0.18, xs[best] + 0.18], y: [family.optimisedMean, family.optimisedMean],
                  color: colour, width: 3, dashed: true)
    }
}
