import Experiments
import Foundation
import Plotting

/// `ntk_training`: Tancik et al.'s Fig. 12 (and Fig. 3b–d), the trained networks beside the NTK
/// theory of their training (``NTKTrainingTheory``, computed from each run's declaration):
/// - without `bins`: two panels, the training and the test MSE against the iteration, each run's
///   recorded curve solid and its theory dashed in the same colour, on a log axis;
/// - with `bins`: one panel per DFT bin b of the training residual f − y over the training
///   points, |DFT| at b against the iteration: the theory dashed, and the run's value at its last
///   step (the only step whose prediction a run keeps) as a dot in its colour.
enum NTKTrainingFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        try FigureRecipes.ntkTraining(input)
    }
}

extension FigureRecipes {
    /// The notebook's colours for p = 0, 0.5, 1, 1.5, 2, ∞ (`colors_k`, in its order), then grey.
    static let falloffColours = [Color(red: 0.8872, green: 0.4281, blue: 0.1875), Color(red: 0.8136, green: 0.6844, blue: 0.0696),
                                 Color(red: 0.2634, green: 0.6634, blue: 0.4134), Color(red: 0.0943, green: 0.5937, blue: 0.8793),
                                 Color(red: 0.3936, green: 0.2946, blue: 0.6330), Color(red: 0.7123, green: 0.2705, blue: 0.3795),
                                 Color(red: 0.45, green: 0.45, blue: 0.45)]

    static func ntkTraining(_ input: FigureInput) throws -> Figure {
        let groups = input.series
        var theories: [NTKTrainingTheory] = []
        for group in groups {
            guard let spec = input.specs[group.first.name] else { throw RecipeError(description: "run '\(group.first.name)' has no declaration") }
            do { theories.append(try NTKTrainingTheory(spec)) } catch {
                throw RecipeError(description: "cannot compute the NTK theory of run '\(spec.name)': \(error)")
            }
        }
        func colour(_ i: Int) -> Color { falloffColours[i % falloffColours.count] }
        func label(_ group: Series) -> String { input.seriesLabels[group.name] ?? group.name }
        let xLabel = "iteration (full-batch gradient-descent step)"
        if let bins = input.spec.bins {
            let columns = min(bins.count, 3)
            let rows = (bins.count + columns - 1) / columns
            let figure = Figure(width: columns == 1 ? 640 : (columns == 2 ? 960 : 1320), height: Double(rows) * 380 + 40)
            let panels = bins.count == 1 ? [figure.addAxes()] : figure.grid(rows: rows, columns: columns, sharedX: true, sharedY: false)
            for (p, (panel, bin)) in zip(panels, bins).enumerated() {
                panel.title = "k = \(bin): \(bin) cycle\(bin == 1 ? "" : "s") over [0, 1)"
                panel.xLabel = xLabel
                panel.yLabel = "|DFT of the training residual f − y| at k"
                panel.yScale = .log
                for (i, (group, theory)) in zip(groups, theories).enumerated() {
                    let n = theory.trainTargets.count
                    guard bin <= n / 2 else { throw RecipeError(description: "bin \(bin) is above n/2 = \(n / 2) of the \(n) training points") }
                    let steps = stepsDrawn(group.first, theory)
                    let values = steps.map { theory.residualBins(steps: $0, bins: [bin])[0] }
                    panel.line(x: steps, y: values, label: label(group) + " (NTK theory)", color: colour(i), width: 2, dashed: true)
                    let finals = group.runs.compactMap { run -> Double? in
                        guard let last = run.snapshots.last, last.prediction.count == n else { return nil }
                        return theory.residualBins(prediction: last.prediction, bins: [bin])[0]
                    }
                    if !finals.isEmpty, let last = group.first.snapshots.last {
                        panel.points(x: [Double(last.step)], y: [finals.reduce(0, +) / Double(finals.count)],
                                     label: label(group) + " (network, last step)", color: colour(i))
                    }
                }
                panel.showsLegend = p == 0
            }
            return figure
        }
        let figure = Figure(width: 1200, height: 440)
        let panels = figure.grid(rows: 1, columns: 2, sharedX: true, sharedY: false)
        let sets: [(String, (RunResult.CurvePoint) -> Double?, (NTKTrainingTheory, Double) -> Double)] = [
            ("training loss (solid: network, dashed: NTK theory)", { $0.trainLoss }, { $0.trainLoss(steps: $1) }),
            ("test loss (solid: network, dashed: NTK theory)", { $0.testLoss }, { $0.testLoss(steps: $1) }),
        ]
        for (p, (panel, (title, recorded, theoryValue))) in zip(panels, sets).enumerated() {
            panel.title = title
            panel.xLabel = xLabel
            panel.yLabel = "mean squared error"
            panel.yScale = .log
            for (i, (group, theory)) in zip(groups, theories).enumerated() {
                let points = group.first.curvePoints
                guard !points.isEmpty else {
                    throw RecipeError(description: "run '\(group.first.name)' recorded no learning curves (write train.record_every)")
                }
                let steps = points.map { Double($0.step) }
                let observed = group.runs.map { $0.curvePoints.map { recorded($0) ?? .nan } }
                let mean = steps.indices.map { j in observed.map { $0.count > j ? $0[j] : .nan }.reduce(0, +) / Double(observed.count) }
                panel.line(x: steps, y: mean, label: label(group) + " (network)", color: colour(i), width: 2)
                panel.line(x: steps, y: steps.map { theoryValue(theory, $0) }, label: label(group) + " (NTK theory)", color: colour(i),
                           width: 2, dashed: true)
            }
            panel.showsLegend = p == 0
        }
        return figure
    }

    /// The steps the theory is drawn at: the run's recorded steps, or 201 from 0 to its last step.
    static func stepsDrawn(_ run: RunResult, _ theory: NTKTrainingTheory) -> [Double] {
        let recorded = run.curvePoints.map { Double($0.step) }
        if recorded.count >= 2 { return recorded }
        return (0...200).map { Double(theory.steps) * Double($0) / 200 }
    }
}
