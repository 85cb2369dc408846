import Foundation

/// Sizes in CSS px. Tick labels 11 px, axis labels 12.5 px: matplotlib's defaults (10 pt at
/// 100 dpi ≈ 13.9 px) are a little large for 640 px figures viewed at 1:1.
enum Style {
    static let tickFont = 11.0
    static let labelFont = 12.5
    static let titleFont = 13.5
    static let figureTitleFont = 15.5
    static let legendFont = 11.0
    static let annotationFont = 11.0
    static let markerLabelFont = 10.5
    static let tickLength = 4.5
    static let minorTickLength = 2.5
    static let tickPad = 3.5
    static let labelPad = 6.0
    static let titlePad = 7.0
    static let outerPad = 8.0
    static let spineWidth = 1.0
    static let gridWidth = 0.8
    static let colorbarPad = 12.0
    static let colorbarWidth = 14.0
    /// Fraction of the data range added on each side (matplotlib's axes.xmargin/ymargin).
    static let dataMargin = 0.05
}

/// An axis interval in data units and its mapping to pixels (log axes map log10).
struct AxisRange: Equatable {
    var lo: Double
    var hi: Double
    var log: Bool

    func t(_ v: Double) -> Double { log ? log10(v) : v }
    var tLo: Double { t(lo) }
    var tHi: Double { t(hi) }
    /// Fraction 0...1 of the axis for v (outside for v outside; NaN for invalid).
    func fraction(_ v: Double) -> Double {
        if log && !(v > 0) { return .nan }
        return (t(v) - tLo) / (tHi - tLo)
    }
    func contains(_ v: Double) -> Bool {
        let f = fraction(v)
        return f >= -1e-9 && f <= 1 + 1e-9
    }
}

struct ColorbarLayout {
    var rect: Rect
    var range: AxisRange
    var ticks: AxisTicks
    var label: String?
    var heatmap: Heatmap
    var labelWidth: Double
}

/// Where one axes goes and what its axes show.
struct PanelLayout {
    let axes: Axes
    let isImage: Bool
    var cell: Rect
    var x: AxisRange
    var y: AxisRange
    var xTicks = AxisTicks(ticks: [], multiplier: nil)
    var yTicks = AxisTicks(ticks: [], multiplier: nil)
    var showXTickLabels = true
    var showYTickLabels = true
    var showXLabel = true
    var showYLabel = true
    var plot: Rect
    var colorbar: ColorbarLayout?

    func px(_ v: Double) -> Double { plot.minX + x.fraction(v) * plot.width }
    func py(_ v: Double) -> Double { plot.maxY - y.fraction(v) * plot.height }
}

/// Data extents and axis limits.
enum Limits {
    struct Extent {
        var lo = Double.infinity, hi = -Double.infinity
        mutating func add(_ v: Double) { if v < lo { lo = v }; if v > hi { hi = v } }
        mutating func add(_ e: Extent) { lo = min(lo, e.lo); hi = max(hi, e.hi) }
        var isEmpty: Bool { !(lo <= hi) }
    }

    static func valid(_ v: Double, log: Bool) -> Bool { v.isFinite && (!log || v > 0) }

    /// (margined extent, sticky extent) of the data on one axis.
    static func extents(_ axes: Axes, horizontal: Bool) -> (Extent, Extent) {
        let xl = axes.xScale == .log, yl = axes.yScale == .log
        let log = horizontal ? xl : yl
        var free = Extent(), sticky = Extent()
        for artist in axes.artists {
            switch artist {
            case .line(let l):
                for i in 0..<l.x.count where valid(l.x[i], log: xl) && valid(l.y[i], log: yl) {
                    free.add(horizontal ? l.x[i] : l.y[i])
                }
            case .band(let b):
                for i in 0..<b.x.count where valid(b.x[i], log: xl) {
                    if horizontal {
                        if valid(b.lower[i], log: yl) || valid(b.upper[i], log: yl) { free.add(b.x[i]) }
                    } else {
                        if valid(b.lower[i], log: yl) { free.add(b.lower[i]) }
                        if valid(b.upper[i], log: yl) { free.add(b.upper[i]) }
                    }
                }
            case .heatmap(let h):
                let centres = horizontal ? h.x : h.y
                let usable = centres.allSatisfy { valid($0, log: log) }
                if usable {
                    for e in Heatmap.edges(centres, log: log) where valid(e, log: log) { sticky.add(e) }
                }
            case .verticalLine(let v):
                if horizontal && valid(v.x, log: log) { free.add(v.x) }
            case .image, .annotation:
                break
            }
        }
        return (free, sticky)
    }

    /// Limits with a 5% margin (in the axis scale) around free data; sticky extents (heatmap
    /// edges) get none. Degenerate ranges are widened; no data gives 0...1 (1...10 on log).
    static func auto(free: Extent, sticky: Extent, log: Bool) -> AxisRange {
        func t(_ v: Double) -> Double { log ? log10(v) : v }
        func inv(_ v: Double) -> Double { log ? pow(10, v) : v }
        if free.isEmpty && sticky.isEmpty { return log ? AxisRange(lo: 1, hi: 10, log: true) : AxisRange(lo: 0, hi: 1, log: false) }
        var lo = Double.infinity, hi = -Double.infinity
        if !free.isEmpty {
            var a = t(free.lo), b = t(free.hi)
            if b - a <= 1e-12 * max(1, abs(a)) {
                let d = log ? 0.5 : (a == 0 ? 0.5 : abs(a) * 0.05)
                a -= d; b += d
            } else {
                let m = (b - a) * Style.dataMargin
                a -= m; b += m
            }
            lo = a; hi = b
        }
        if !sticky.isEmpty {
            let sa = t(sticky.lo), sb = t(sticky.hi)
            if !free.isEmpty && t(free.lo) >= sa && t(free.hi) <= sb {
                lo = sa; hi = sb
            } else {
                lo = min(lo, sa); hi = max(hi, sb)
            }
        }
        return AxisRange(lo: inv(lo), hi: inv(hi), log: log)
    }

    static func explicit(_ r: ClosedRange<Double>?, log: Bool) -> AxisRange? {
        guard let r, r.lowerBound.isFinite, r.upperBound.isFinite else { return nil }
        var lo = r.lowerBound, hi = r.upperBound
        if log && !(lo > 0 && hi > 0) { return nil }
        if hi <= lo {
            if log { lo /= 2; hi *= 2 } else { let d = lo == 0 ? 0.5 : abs(lo) * 0.05; lo -= d; hi += d }
        }
        return AxisRange(lo: lo, hi: hi, log: log)
    }
}

/// Computes the layout of every panel: limits, ticks, margins from measured label extents.
struct FigureLayout {
    var panels: [PanelLayout]
    var titleLayout: TextLayout?

    init(figure: Figure, text: TextEngine) {
        let W = figure.width, H = figure.height
        var top = 0.0
        if let t = figure.title, !t.isEmpty {
            let l = text.layout(t, size: Style.figureTitleFont, weight: .bold)
            titleLayout = l
            top = Style.outerPad + l.height + 2
        }
        let rows = figure.rows, cols = figure.columns
        let cellW = W / Double(cols), cellH = (H - top) / Double(rows)
        let axesList = figure.axesList

        let (xs, ys) = FigureLayout.limits(figure)

        panels = []
        for (i, a) in axesList.enumerated() {
            let cell = Rect(x: Double(a.column) * cellW, y: top + Double(a.row) * cellH, width: cellW, height: cellH)
            var p = PanelLayout(axes: a, isImage: a.isImagePanel, cell: cell, x: xs[i], y: ys[i],
                                plot: Rect(x: cell.x + 60, y: cell.y + 30, width: max(10, cellW - 80), height: max(10, cellH - 75)))
            if figure.sharedX {
                // Tick labels only where no visible axes sits below in the same column.
                let below = axesList.contains { $0.column == a.column && $0.row > a.row && !$0.isEmpty && !$0.isImagePanel }
                p.showXTickLabels = !below
                p.showXLabel = !below
            }
            if figure.sharedY {
                let left = axesList.contains { $0.row == a.row && $0.column < a.column && !$0.isEmpty && !$0.isImagePanel }
                p.showYTickLabels = !left
                p.showYLabel = !left
            }
            if let spec = a.colorbarSpec {
                let (lo, hi) = spec.heatmap.colorRange
                p.colorbar = ColorbarLayout(rect: Rect(x: 0, y: 0, width: 0, height: 0),
                                            range: AxisRange(lo: lo, hi: hi, log: false),
                                            ticks: AxisTicks(ticks: [], multiplier: nil), label: spec.label,
                                            heatmap: spec.heatmap, labelWidth: 0)
            }
            panels.append(p)
        }

        // Iterate: ticks from the plot size, margins from the tick labels, plot size from margins.
        for _ in 0..<3 {
            var margins: [(l: Double, r: Double, t: Double, b: Double)] = []
            for i in panels.indices {
                if panels[i].isImage { margins.append((0, 0, 0, 0)); continue }
                FigureLayout.computeTicks(&panels[i], text: text)
                margins.append(FigureLayout.margins(panels[i], text: text))
            }
            var colL = [Double](repeating: 0, count: cols), colR = colL
            var rowT = [Double](repeating: 0, count: rows), rowB = rowT
            for (i, p) in panels.enumerated() where !p.isImage && !p.axes.isEmpty {
                let c = p.axes.column, r = p.axes.row
                colL[c] = max(colL[c], margins[i].l); colR[c] = max(colR[c], margins[i].r)
                rowT[r] = max(rowT[r], margins[i].t); rowB[r] = max(rowB[r], margins[i].b)
            }
            // Every data plot gets the same size (as a gridspec does); rows and columns are
            // stacked with their own margins, so hidden shared labels leave no empty band.
            let commonW = max(8, (W - colL.reduce(0, +) - colR.reduce(0, +)) / Double(cols))
            let commonH = max(8, (H - top - rowT.reduce(0, +) - rowB.reduce(0, +)) / Double(rows))
            var colX = [Double](repeating: 0, count: cols), rowY = [Double](repeating: 0, count: rows)
            var cursor = 0.0
            for c in 0..<cols { colX[c] = cursor + colL[c]; cursor += colL[c] + commonW + colR[c] }
            cursor = top
            for r in 0..<rows { rowY[r] = cursor + rowT[r]; cursor += rowT[r] + commonH + rowB[r] }
            for i in panels.indices {
                let p = panels[i], c = p.axes.column, r = p.axes.row
                if p.isImage {
                    panels[i].plot = FigureLayout.imageRect(p, text: text)
                    continue
                }
                let x0 = colX[c].rounded(), y0 = rowY[r].rounded()
                panels[i].plot = Rect(x: x0, y: y0, width: ((colX[c] + commonW).rounded() - x0),
                                      height: ((rowY[r] + commonH).rounded() - y0))
            }
        }
        for i in panels.indices where !panels[i].isImage {
            FigureLayout.computeTicks(&panels[i], text: text)
        }
        // Shared axes show identical ticks: those of a panel that labels them.
        let data = panels.indices.filter { !panels[$0].isImage && !panels[$0].axes.isEmpty }
        if figure.sharedX, let ref = data.first(where: { panels[$0].showXTickLabels }) ?? data.first {
            for i in data where panels[i].x == panels[ref].x { panels[i].xTicks = panels[ref].xTicks }
        }
        if figure.sharedY, let ref = data.first(where: { panels[$0].showYTickLabels }) ?? data.first {
            for i in data where panels[i].y == panels[ref].y { panels[i].yTicks = panels[ref].yTicks }
        }
        for i in panels.indices where !panels[i].isImage {
            if panels[i].colorbar != nil {
                let plot = panels[i].plot
                panels[i].colorbar!.rect = Rect(x: plot.maxX + Style.colorbarPad, y: plot.minY,
                                                width: Style.colorbarWidth, height: plot.height)
            }
        }
    }

    /// Axis limits of every axes (row-major): explicit, shared or automatic.
    static func limits(_ figure: Figure) -> ([AxisRange], [AxisRange]) {
        let axesList = figure.axesList
        var xs: [AxisRange] = [], ys: [AxisRange] = []
        var sharedXRange: AxisRange?, sharedYRange: AxisRange?
        if figure.sharedX { sharedXRange = FigureLayout.sharedRange(axesList, horizontal: true) }
        if figure.sharedY { sharedYRange = FigureLayout.sharedRange(axesList, horizontal: false) }
        for a in axesList {
            let xlog = a.xScale == .log, ylog = a.yScale == .log
            if let s = sharedXRange, s.log == xlog, !a.isImagePanel { xs.append(s) } else {
                let (f, st) = Limits.extents(a, horizontal: true)
                xs.append(Limits.explicit(a.xLimits, log: xlog) ?? Limits.auto(free: f, sticky: st, log: xlog))
            }
            if let s = sharedYRange, s.log == ylog, !a.isImagePanel { ys.append(s) } else {
                let (f, st) = Limits.extents(a, horizontal: false)
                ys.append(Limits.explicit(a.yLimits, log: ylog) ?? Limits.auto(free: f, sticky: st, log: ylog))
            }
        }
        return (xs, ys)
    }

    static func sharedRange(_ axesList: [Axes], horizontal: Bool) -> AxisRange? {
        let data = axesList.filter { !$0.isImagePanel && !$0.isEmpty }
        guard let first = data.first else { return nil }
        let log = horizontal ? first.xScale == .log : first.yScale == .log
        for a in data {
            if let r = Limits.explicit(horizontal ? a.xLimits : a.yLimits, log: log) { return r }
        }
        var free = Limits.Extent(), sticky = Limits.Extent()
        for a in data where (horizontal ? a.xScale == .log : a.yScale == .log) == log {
            let (f, s) = Limits.extents(a, horizontal: horizontal)
            free.add(f); sticky.add(s)
        }
        return Limits.auto(free: free, sticky: sticky, log: log)
    }

    static func computeTicks(_ p: inout PanelLayout, text: TextEngine) {
        var xBins = max(2, min(9, Int(p.plot.width / 50)))
        while true {
            let t = p.x.log ? TickLocator.log(p.x.lo, p.x.hi, maxBins: xBins) : TickLocator.linear(p.x.lo, p.x.hi, maxBins: xBins)
            // Labels must not touch: widths plus gaps fit along the axis.
            let widths = t.major.compactMap { $0.label.map { text.layout($0, size: Style.tickFont).width } }
            let need = widths.reduce(0, +) + Double(widths.count) * 10
            if need <= p.plot.width || xBins <= 2 || !p.showXTickLabels {
                p.xTicks = t
                break
            }
            xBins -= 1
        }
        let yBins = max(2, min(9, Int(p.plot.height / 32)))
        p.yTicks = p.y.log ? TickLocator.log(p.y.lo, p.y.hi, maxBins: yBins) : TickLocator.linear(p.y.lo, p.y.hi, maxBins: yBins)
        func explicit(_ values: [Double]) -> AxisTicks {
            AxisTicks(ticks: values.map { Tick(value: $0, label: RichText(TickFormat.general($0))) }, multiplier: nil)
        }
        if let values = p.axes.xTickValues { p.xTicks = explicit(values) }
        if let values = p.axes.yTickValues { p.yTicks = explicit(values) }
        if p.colorbar != nil {
            let cb = p.colorbar!
            let bins = max(2, min(8, Int(p.plot.height / 36)))
            p.colorbar!.ticks = TickLocator.linear(cb.range.lo, cb.range.hi, maxBins: bins)
            p.colorbar!.labelWidth = p.colorbar!.ticks.major.compactMap { $0.label.map { text.layout($0, size: Style.tickFont).width } }.max() ?? 0
        }
    }

    static func tickLabelHeight(_ text: TextEngine) -> Double { text.layout("0", size: Style.tickFont).height }

    /// Space needed around the plot area for ticks, labels, title and colour bar.
    static func margins(_ p: PanelLayout, text: TextEngine) -> (l: Double, r: Double, t: Double, b: Double) {
        let a = p.axes
        let tickH = tickLabelHeight(text)
        var left = Style.outerPad + Style.tickLength
        if p.showYTickLabels {
            let w = p.yTicks.major.compactMap { $0.label.map { text.layout($0, size: Style.tickFont).width } }.max() ?? 0
            left += Style.tickPad + w
        }
        if p.showYLabel, let l = a.yLabel, !l.isEmpty {
            left += Style.labelPad + text.layout(l, size: Style.labelFont).height
        }
        var bottom = Style.outerPad + Style.tickLength
        if p.showXTickLabels { bottom += Style.tickPad + tickH }
        if p.showXLabel, let l = a.xLabel, !l.isEmpty {
            bottom += Style.labelPad + text.layout(l, size: Style.labelFont).height
        }
        var top = Style.outerPad
        // Half a tick label may stick out above the top y tick.
        if p.showYTickLabels { top = max(top, tickH / 2 + 2) }
        if let m = p.yTicks.multiplier, p.showYTickLabels { top += text.layout(m, size: Style.tickFont).height + 2 }
        if let t = a.title, !t.isEmpty { top += text.layout(t, size: Style.titleFont).height + Style.titlePad }
        var right = Style.outerPad + 4
        if p.showXTickLabels, let last = p.xTicks.major.last, let label = last.label {
            let w = text.layout(label, size: Style.tickFont).width
            let overhang = (p.x.fraction(last.value) - 1) * p.plot.width + w / 2
            right = max(right, overhang + 4)
        }
        if p.xTicks.multiplier != nil, p.showXTickLabels { bottom += tickH + 1 }
        if let cb = p.colorbar {
            right = Style.colorbarPad + Style.colorbarWidth + Style.tickLength + Style.tickPad + cb.labelWidth + Style.outerPad
            if let l = cb.label, !l.isEmpty { right += Style.labelPad + text.layout(l, size: Style.labelFont).height }
        }
        return (left, right, top, bottom)
    }

    /// Image panels: the largest rectangle of the image's aspect inside the cell (below the
    /// title), at a scale that is a multiple of 1/2 px when upscaling, so every image pixel
    /// becomes the same whole number of device pixels at 2x.
    static func imageRect(_ p: PanelLayout, text: TextEngine) -> Rect {
        var area = p.cell.insetBy(4)
        if let t = p.axes.title, !t.isEmpty {
            let h = text.layout(t, size: Style.titleFont).height + Style.titlePad - 2
            area.y += h; area.height -= h
        }
        guard case .image(let img)? = p.axes.artists.last(where: { if case .image = $0 { return true }; return false }),
              img.width > 0, img.height > 0, area.width > 0, area.height > 0 else { return area }
        var s = min(area.width / Double(img.width), area.height / Double(img.height))
        if s * 2 >= 1 { s = (s * 2).rounded(.down) / 2 }
        let w = Double(img.width) * s, h = Double(img.height) * s
        return Rect(x: (area.midX - w / 2).rounded(), y: (area.minY + (area.height - h) / 2).rounded(), width: w, height: h)
    }
}
