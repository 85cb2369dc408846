import Experiments
import Foundation
import Plotting
import Tasks

/// `reconstruction`: an image task's target and the model, grade by grade or at the `at:` steps.
enum ReconstructionFigure: FigureRecipe {
    static func draw(_ input: FigureInput) throws -> Figure {
        if !input.spec.at.isEmpty { return try FigureRecipes.reconstructionSteps(input.series.map(\.first), at: input.spec.at, labels: input.runLabels) }
        return try FigureRecipes.reconstruction(input.series.map(\.first), labels: input.runLabels)
    }
}

extension FigureRecipes {
    /// Image reconstructions: per run, the target and, grade by grade, the model summed up to that
    /// grade with its PSNR against the whole image. Each panel is the prediction at the 8 bits per
    /// channel it is drawn with (clamped to [0, 1], rounded: `EightBitImages.quantised`), never
    /// smoothed, and its PSNR is that of the drawn panel, so a figure drawn from a result frozen
    /// as 8-bit panels is the figure of the run as trained.
    /// Several one-network runs: of one image, a row (the target, then each run); of different
    /// images, a column per run (its target above its reconstruction).
    static func reconstruction(_ runs: [RunResult], labels: [String: String]) throws -> Figure {
        guard runs.allSatisfy({ $0.image != nil && $0.grades != nil }) else {
            throw RecipeError(description: "reconstruction needs runs of an image task")
        }
        if runs.count > 1, runs.allSatisfy({ $0.grades!.count == 1 && $0.target == runs[0].target }) {
            // One network per run and one image: a single row, the target then each run.
            let shape = runs[0].image!
            let figure = Figure(width: Double(runs.count + 1) * 210 + 30, height: 270)
            let panels = figure.grid(rows: 1, columns: runs.count + 1)
            panels[0].image(runs[0].target, width: shape.width, height: shape.height, channels: shape.channels)
            panels[0].title = "target"
            for (panel, run) in zip(panels.dropFirst(), runs) {
                let clamped = EightBitImages.quantised(run.grades![0].output)
                panel.image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
                panel.title = String(format: "%@: %.1f dB", label, Metrics.psnr(prediction: clamped, target: run.target))
            }
            return figure
        }
        if runs.count > 1, runs.allSatisfy({ $0.grades!.count == 1 }) {
            // One network per run and an image each (Tancik et al.'s Fig. 11: one sinusoid per
            // orientation): a column per run, its target above its reconstruction.
            let figure = Figure(width: Double(runs.count) * 210 + 30, height: 500)
            let panels = figure.grid(rows: 2, columns: runs.count)
            for (c, run) in runs.enumerated() {
                let shape = run.image!
                let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
                panels[c].image(run.target, width: shape.width, height: shape.height, channels: shape.channels)
                panels[c].title = "target: \(label)"
                let clamped = EightBitImages.quantised(run.grades![0].output)
                panels[runs.count + c].image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                panels[runs.count + c].title = String(format: "network: %.1f dB", Metrics.psnr(prediction: clamped, target: run.target))
            }
            return figure
        }
        let (figure, rows) = targetRows(runs, columns: 1 + (runs.map { $0.grades!.count }.max() ?? 1), labels: labels)
        for (run, row) in zip(runs, rows) {
            let shape = run.image!
            var sum = [Double](repeating: 0, count: run.target.count)
            let grades = run.grades!
            for (g, grade) in grades.enumerated() {
                for i in sum.indices { sum[i] += grade.output[i] }
                let clamped = EightBitImages.quantised(sum)
                let psnr = Metrics.psnr(prediction: clamped, target: run.target)
                row[g + 1].image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                let name = grades.count > 1 ? "grade \(g + 1)" : "network"
                row[g + 1].title = String(format: "%@: %.1f dB", name, psnr)
            }
        }
        return figure
    }

    /// A grid with a row per run of image panels, the run's target drawn in its first column
    /// (titled with the run's label when there are several rows); returns the figure and its rows.
    static func targetRows(_ runs: [RunResult], columns: Int, labels: [String: String]) -> (Figure, [[Axes]]) {
        let figure = Figure(width: Double(min(columns, 5)) * 200 + 40, height: Double(runs.count) * 230 + 40)
        let panels = figure.grid(rows: runs.count, columns: columns)
        let rows = runs.indices.map { r in Array(panels[(r * columns)..<((r + 1) * columns)]) }
        for (run, row) in zip(runs, rows) {
            let shape = run.image!
            let label = labels[run.name].flatMap { $0.isEmpty ? nil : $0 } ?? run.name
            row[0].image(run.target, width: shape.width, height: shape.height, channels: shape.channels)
            row[0].title = runs.count > 1 ? "target (\(label))" : "target"
        }
        return (figure, rows)
    }

    /// Image reconstructions during training (`at:` steps): per run, the target and the kept
    /// prediction nearest each asked step (`train.keep_predictions`), with its PSNR on the whole
    /// image (predictions clamped to [0, 1]).
    static func reconstructionSteps(_ runs: [RunResult], at requested: [Int], labels: [String: String]) throws -> Figure {
        guard runs.allSatisfy({ $0.image != nil }) else { throw RecipeError(description: "reconstruction needs runs of an image task") }
        let chosen = runs.map { chooseSnapshots($0.snapshots, requested: requested) }
        let (figure, rows) = targetRows(runs, columns: 1 + (chosen.map(\.count).max() ?? 1), labels: labels)
        for (r, (run, row)) in zip(runs, rows).enumerated() {
            let shape = run.image!
            for (panel, snapshot) in zip(row.dropFirst(), chosen[r]) {
                let clamped = EightBitImages.quantised(snapshot.prediction)
                panel.image(clamped, width: shape.width, height: shape.height, channels: shape.channels)
                panel.title = String(format: "step %d: %.1f dB", snapshot.step, Metrics.psnr(prediction: clamped, target: run.target))
            }
        }
        return figure
    }
}
