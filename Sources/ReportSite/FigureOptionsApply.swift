import Experiments
import Foundation
import Plotting

extension FigureOptions {
    /// Applies the report's options to every panel of a drawn figure (image panels have no axes
    /// and are left alone, and so are the unused cells of a grid whose rows are not all full). A series named in `on_top` that no panel has is an error listing the
    /// labels there are, so a typo does not pass silently.
    func apply(to figure: Figure) throws {
        guard !isEmpty else { return }
        let panels = figure.panels.filter { !$0.isImage && !$0.isBlank }
        for axes in panels {
            if let r = xRange { axes.xLimits = r[0]...r[1] }
            if let r = yRange { axes.yLimits = r[0]...r[1] }
            if let log = xLog { axes.xScale = log ? .log : .linear }
            if let log = yLog { axes.yScale = log ? .log : .linear }
            if let label = xLabel { axes.xLabel = label.isEmpty ? nil : label }
            if let label = yLabel { axes.yLabel = label.isEmpty ? nil : label }
            if let ticks = xTicks { axes.xTickValues = ticks }
            if let ticks = yTicks { axes.yTickValues = ticks }
        }
        for label in onTop {
            let found = panels.map { $0.bringToFront(label: label) }.contains(true)
            if !found {
                let labels = Array(Set(panels.flatMap(\.seriesLabels))).sorted()
                throw FigureRecipes.RecipeError(description: "on_top names the series '\(label)', which this figure does not draw; its series are: \(labels.map { "'\($0)'" }.joined(separator: ", "))")
            }
        }
    }
}
