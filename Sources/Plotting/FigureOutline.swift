import Foundation

/// A figure's structure as data: its grid and, for each panel that shows something, its title,
/// axis labels (plain text), log axes and colour-bar label. What a redraw elsewhere (a notebook
/// cell) needs to lay the figure out again, without reading it back from the alt text.
public struct FigureOutline: Codable, Equatable, Sendable {
    public struct Panel: Codable, Equatable, Sendable {
        /// 1-based, row by row (the `panel` column of the figure's CSV).
        public var number: Int
        public var title: String?
        public var xLabel: String?
        public var yLabel: String?
        public var xLog = false
        public var yLog = false
        /// The colour bar's label, when the panel has a labelled colour bar.
        public var colorbar: String?

        public init(number: Int) { self.number = number }
    }

    public var rows = 1
    public var columns = 1
    /// The panels with something in them, in order.
    public var panels: [Panel] = []

    public init(rows: Int = 1, columns: Int = 1, panels: [Panel] = []) {
        self.rows = rows
        self.columns = columns
        self.panels = panels
    }

    /// The panel numbered `number`, if it shows something.
    public func panel(_ number: Int) -> Panel? { panels.first { $0.number == number } }
}

extension Figure {
    /// The figure's grid and its panels' titles, labels and scales (labels as plain text, as
    /// the alt text gives them).
    public var outline: FigureOutline {
        var outline = FigureOutline(rows: rows, columns: columns)
        for axes in axesList where !axes.isEmpty {
            var panel = FigureOutline.Panel(number: axes.index + 1)
            panel.title = axes.title.flatMap { $0.isEmpty ? nil : TeXLabel.plain($0) }
            panel.xLabel = axes.xLabel.flatMap { $0.isEmpty ? nil : TeXLabel.plain($0) }
            panel.yLabel = axes.yLabel.flatMap { $0.isEmpty ? nil : TeXLabel.plain($0) }
            panel.xLog = axes.xScale == .log
            panel.yLog = axes.yScale == .log
            panel.colorbar = axes.colorbarSpec?.label.map(TeXLabel.plain)
            outline.panels.append(panel)
        }
        return outline
    }
}
