import Experiments
import Foundation
import Plotting
import Tasks

extension FigureRecipes {
    /// 1-D fits of several runs, one row per run (Fang & Xu's slide: SGDL at several steps
    /// against MGDL after each grade). With `grades`, a multi-grade run (MGDL, multi-stage) shows
    /// the sum of its grades 1 to l after each grade l, on the training grid; every other run
    /// shows its kept predictions nearest the `at` steps (four evenly spaced without `at`). Each
    /// panel gives its RSE against the target on the grid; the target is grey, dashed, on top.
    static func fits(_ groups: [Series], at requested: [Int], byGrade: Bool, labels: [String: String]) throws -> Figure {
        struct Panel { let title: String; let prediction: [Double] }
        var rows: [(run: RunResult, panels: [Panel])] = []
        for group in groups {
            let run = group.first
            let name = labels[group.name].flatMap { $0.isEmpty ? nil : $0 } ?? group.name
            let repeated = group.runs.count > 1 ? " (run 1 of \(group.runs.count))" : ""
            var panels: [Panel] = []
            if byGrade, let grades = run.grades, grades.count > 1 {
                guard grades.allSatisfy({ $0.output.count == run.target.count }) else {
                    throw RecipeError(description: "run '\(run.name)' kept its grades' outputs on another set than its training grid")
                }
                var sum = [Double](repeating: 0, count: run.target.count)
                for grade in grades {
                    for i in sum.indices { sum[i] += grade.output[i] }
                    panels.append(Panel(title: "\(name): grade \(grade.index + 1)" + repeated, prediction: sum))
                }
            } else {
                let kept = run.snapshots.filter { $0.prediction.count == run.target.count }
                guard !kept.isEmpty else { throw RecipeError(description: "run '\(run.name)' kept no predictions on its grid") }
                panels = chooseSnapshots(kept, requested: requested).map {
                    Panel(title: "\(name): step \($0.step)" + repeated, prediction: $0.prediction)
                }
            }
            rows.append((run, panels))
        }
        let columns = rows.map(\.panels.count).max() ?? 1
        let figure = Figure(width: Double(min(columns, 5)) * 230 + 60, height: Double(rows.count) * 220 + 60)
        let axes = figure.grid(rows: rows.count, columns: columns, sharedX: true, sharedY: true)
        for (r, row) in rows.enumerated() {
            for (c, panel) in row.panels.enumerated() {
                let a = axes[r * columns + c]
                let rse = Metrics.rse(prediction: panel.prediction, target: row.run.target)
                a.title = String(format: "%@ · RSE %.2g", panel.title, rse)
                a.line(x: row.run.inputs, y: panel.prediction, label: "network", width: 1.4)
                a.line(x: row.run.inputs, y: row.run.target, label: "target", color: Color(hex: "#7f7f7f"), width: 1.1, dashed: true)
                a.xLabel = "x"
                a.yLabel = "value"
            }
        }
        axes.first?.showsLegend = true
        return figure
    }
}
