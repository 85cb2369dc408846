import Foundation

enum HAlign { case left, center, right }
enum VAlign { case top, center, baseline, bottom }

/// Draws a laid-out figure through a `Renderer`.
final class FigureDrawer {
    let figure: Figure
    let palette: Palette
    let text: TextEngine
    let layout: FigureLayout

    init(figure: Figure, theme: Theme) throws {
        self.figure = figure
        self.palette = Palette.forTheme(theme)
        self.text = try TextEngine.get()
        self.layout = FigureLayout(figure: figure, text: text)
    }

    func draw(on r: Renderer) throws {
        var bg = Path()
        bg.rect(Rect(x: 0, y: 0, width: figure.width, height: figure.height))
        r.fill(bg, color: palette.background)
        for p in layout.panels where !p.axes.isEmpty {
            if p.isImage { drawImagePanel(p, r) } else { drawDataPanel(p, r) }
        }
        if layout.titleLayout != nil, let t = figure.title {
            let l = fitted(t, size: Style.figureTitleFont, weight: .bold, maxWidth: figure.width - 2 * Style.outerPad)
            put(l, at: Point(x: figure.width / 2, y: Style.outerPad), .center, .top, color: palette.text, r)
        }
    }

    // MARK: text placement

    func put(_ l: TextLayout, at p: Point, _ h: HAlign, _ v: VAlign, angle: Double = 0, color: Color, _ r: Renderer) {
        let dx: Double = h == .left ? 0 : (h == .center ? -l.width / 2 : -l.width)
        let dy: Double
        switch v {
        case .top: dy = l.ascent
        case .center: dy = (l.ascent - l.descent) / 2
        case .baseline: dy = 0
        case .bottom: dy = -l.descent
        }
        let c = cos(angle), s = sin(angle)
        r.text(l, origin: Point(x: p.x + dx * c - dy * s, y: p.y + dx * s + dy * c), angle: angle, color: color)
    }

    /// Shaped text, set smaller (down to 70%) when wider than `maxWidth`; never cut.
    func fitted(_ s: String, size: Double, weight: FontWeight = .regular, maxWidth: Double) -> TextLayout {
        let l = text.layout(s, size: size, weight: weight)
        guard l.width > maxWidth, maxWidth > 0 else { return l }
        let k = max(0.7, maxWidth / l.width)
        return text.layout(s, size: (size * k * 4).rounded(.down) / 4, weight: weight)
    }

    /// Bounding box of text placed unrotated with `put`.
    func box(_ l: TextLayout, at p: Point, _ h: HAlign, _ v: VAlign) -> Rect {
        let x0: Double = h == .left ? p.x : (h == .center ? p.x - l.width / 2 : p.x - l.width)
        let y0: Double
        switch v {
        case .top: y0 = p.y
        case .center: y0 = p.y - l.height / 2
        case .baseline: y0 = p.y - l.ascent
        case .bottom: y0 = p.y - l.height
        }
        return Rect(x: x0, y: y0, width: l.width, height: l.height)
    }

    /// Snap a coordinate so a 1 px line covers whole device pixels at 1x and 2x.
    func snap(_ v: Double) -> Double { (v * 2).rounded() / 2 }

    // MARK: panels

    func drawImagePanel(_ p: PanelLayout, _ r: Renderer) {
        var drew = false
        for case .image(let img) in p.axes.artists where img.width > 0 && img.height > 0 {
            r.image(img.raster(), in: p.plot)
            drew = true
        }
        if drew {
            // A hairline frame just outside the image, so white or transparent pixels still show
            // where the image ends.
            var frame = Path()
            frame.rect(Rect(x: p.plot.x - 0.5, y: p.plot.y - 0.5, width: p.plot.width + 1, height: p.plot.height + 1))
            r.stroke(frame, color: palette.grid, width: 1, dash: [])
        }
        if let t = p.axes.title, !t.isEmpty {
            let l = fitted(t, size: Style.titleFont, maxWidth: p.cell.width - 8)
            put(l, at: Point(x: p.plot.midX, y: p.plot.minY - Style.titlePad + 2), .center, .bottom, color: palette.text, r)
        }
    }

    func drawDataPanel(_ p: PanelLayout, _ r: Renderer) {
        let plot = p.plot
        // Grid at major ticks.
        var grid = Path()
        for t in p.xTicks.major where p.x.contains(t.value) {
            let x = snap(p.px(t.value))
            if x > plot.minX + 0.5 && x < plot.maxX - 0.5 { grid.move(x, plot.minY); grid.line(x, plot.maxY) }
        }
        for t in p.yTicks.major where p.y.contains(t.value) {
            let y = snap(p.py(t.value))
            if y > plot.minY + 0.5 && y < plot.maxY - 0.5 { grid.move(plot.minX, y); grid.line(plot.maxX, y) }
        }
        let hasHeatmap = p.axes.artists.contains { if case .heatmap = $0 { return true }; return false }
        if !hasHeatmap { r.stroke(grid, color: palette.grid, width: Style.gridWidth, dash: []) }

        // Data, clipped by the plot area.
        r.pushClip(plot)
        let world = plot.insetBy(-50)   // geometry is clipped to this before Cairo (fixed-point range)
        for artist in p.axes.artists {
            switch artist {
            case .heatmap(let h): drawHeatmap(h, p, r)
            case .band(let b):
                let color = b.color.resolve(palette)
                for poly in bandPolygons(b, p) {
                    let clipped = Clip.polygon(poly, to: world)
                    guard clipped.count >= 3 else { continue }
                    var path = Path()
                    path.move(clipped[0].x, clipped[0].y)
                    for q in clipped.dropFirst() { path.line(q.x, q.y) }
                    path.close()
                    r.fill(path, color: color.withAlpha(color.alpha * 0.22))
                }
            case .line(let l):
                let color = l.color.resolve(palette)
                let (path, points) = linePath(l, p, world: world)
                if l.joined { r.stroke(path, color: color, width: l.width, dash: l.dashed ? [l.width * 3.7, l.width * 1.6] : []) }
                if l.markers {
                    let rad = max(2.2, l.width * 1.5)
                    r.dots(points.filter { plot.insetBy(-rad).contains($0) }, radius: rad, color: color)
                }
            case .verticalLine(let v):
                guard p.x.contains(v.x) else { continue }
                let x = snap(p.px(v.x))
                var path = Path()
                path.move(x, plot.minY); path.line(x, plot.maxY)
                r.stroke(path, color: v.color ?? palette.marker, width: 1.2, dash: [4, 3])
            case .image, .annotation:
                break
            }
        }
        r.popClip()
        // Labels of markers and annotations (over the data, with a halo of background).
        for artist in p.axes.artists {
            switch artist {
            case .verticalLine(let v):
                guard let label = v.label, !label.isEmpty, p.x.contains(v.x) else { continue }
                let l = text.layout(label, size: Style.markerLabelFont)
                let x = snap(p.px(v.x))
                let anchor = Point(x: x - 3, y: plot.minY + 5)
                var halo = Path()
                halo.rect(Rect(x: anchor.x - l.height - 1, y: anchor.y - 2, width: l.height + 2, height: l.width + 4))
                r.fill(halo, color: palette.background.withAlpha(0.75))
                put(l, at: anchor, .right, .bottom, angle: -Double.pi / 2, color: v.color ?? palette.text, r)
            case .annotation(let a):
                guard Limits.valid(a.x, log: p.x.log), Limits.valid(a.y, log: p.y.log) else { continue }
                let anchor = Point(x: p.px(a.x), y: p.py(a.y))
                guard plot.insetBy(-1).contains(anchor) else { continue }
                let l = text.layout(a.text, size: Style.annotationFont)
                let (pt, h, v) = annotationPlacement(l, anchor: anchor, plot: plot)
                var halo = Path()
                halo.rect(box(l, at: pt, h, v).insetBy(-1.5))
                r.fill(halo, color: palette.background.withAlpha(0.7))
                put(l, at: pt, h, v, color: palette.text, r)
            default:
                break
            }
        }

        drawAxes(p, r)
        if p.axes.showsLegend { drawLegend(p, r) }
        if let cb = p.colorbar { drawColorbar(cb, r) }
    }

    /// Above-right of the point, flipped below and/or left when that would leave the plot area.
    func annotationPlacement(_ l: TextLayout, anchor: Point, plot: Rect) -> (Point, HAlign, VAlign) {
        let h: HAlign = anchor.x + 4 + l.width + 2 > plot.maxX ? .right : .left
        let v: VAlign = anchor.y - 4 - l.height - 2 < plot.minY ? .top : .bottom
        return (Point(x: anchor.x + (h == .left ? 4 : -4), y: anchor.y + (v == .bottom ? -4 : 4)), h, v)
    }

    func drawAxes(_ p: PanelLayout, _ r: Renderer) {
        let plot = p.plot, a = p.axes
        var frame = Path()
        frame.rect(plot)
        r.stroke(frame, color: palette.spine, width: Style.spineWidth, dash: [])
        // Outward ticks on the bottom and left.
        var major = Path(), minor = Path()
        for t in p.xTicks.ticks where p.x.contains(t.value) {
            let x = snap(p.px(t.value))
            if t.isMajor { major.move(x, plot.maxY); major.line(x, plot.maxY + Style.tickLength) } else {
                minor.move(x, plot.maxY); minor.line(x, plot.maxY + Style.minorTickLength)
            }
        }
        for t in p.yTicks.ticks where p.y.contains(t.value) {
            let y = snap(p.py(t.value))
            if t.isMajor { major.move(plot.minX, y); major.line(plot.minX - Style.tickLength, y) } else {
                minor.move(plot.minX, y); minor.line(plot.minX - Style.minorTickLength, y)
            }
        }
        r.stroke(major, color: palette.tick, width: Style.spineWidth, dash: [])
        r.stroke(minor, color: palette.tick, width: Style.spineWidth * 0.8, dash: [])

        let tickH = FigureLayout.tickLabelHeight(text)
        var yLabelRight = plot.minX - Style.tickLength
        if p.showXTickLabels {
            for t in p.xTicks.major where p.x.contains(t.value) {
                let l = text.layout(t.label!, size: Style.tickFont)
                put(l, at: Point(x: p.px(t.value), y: plot.maxY + Style.tickLength + Style.tickPad), .center, .top,
                    color: palette.text, r)
            }
            if let m = p.xTicks.multiplier {
                put(text.layout(m, size: Style.tickFont), at: Point(x: plot.maxX, y: plot.maxY + Style.tickLength + Style.tickPad + tickH + 1),
                    .right, .top, color: palette.text, r)
            }
        }
        if p.showYTickLabels {
            var widest = 0.0
            for t in p.yTicks.major where p.y.contains(t.value) {
                let l = text.layout(t.label!, size: Style.tickFont)
                widest = max(widest, l.width)
                put(l, at: Point(x: plot.minX - Style.tickLength - Style.tickPad, y: p.py(t.value)), .right, .center,
                    color: palette.text, r)
            }
            yLabelRight -= Style.tickPad + widest
            if let m = p.yTicks.multiplier {
                put(text.layout(m, size: Style.tickFont), at: Point(x: plot.minX, y: plot.minY - 3), .left, .bottom,
                    color: palette.text, r)
            }
        }
        if p.showXLabel, let s = a.xLabel, !s.isEmpty {
            var y = plot.maxY + Style.tickLength + Style.labelPad
            if p.showXTickLabels { y += Style.tickPad + tickH }
            if p.showXTickLabels, p.xTicks.multiplier != nil { y += tickH + 1 }
            put(text.layout(s, size: Style.labelFont), at: Point(x: plot.midX, y: y), .center, .top, color: palette.text, r)
        }
        if p.showYLabel, let s = a.yLabel, !s.isEmpty {
            put(text.layout(s, size: Style.labelFont), at: Point(x: yLabelRight - Style.labelPad, y: plot.midY), .center, .bottom,
                angle: -Double.pi / 2, color: palette.text, r)
        }
        if let s = a.title, !s.isEmpty {
            var y = plot.minY - Style.titlePad
            if p.yTicks.multiplier != nil && p.showYTickLabels { y -= tickH + 2 }
            put(fitted(s, size: Style.titleFont, maxWidth: p.cell.width - 8), at: Point(x: plot.midX, y: y), .center, .bottom,
                color: palette.text, r)
        }
    }

    // MARK: artists

    /// Pixel polyline with gaps at invalid points, clipped to `world`; also the valid points.
    func linePath(_ l: LineArtist, _ p: PanelLayout, world: Rect) -> (Path, [Point]) {
        var path = Path()
        var points: [Point] = []
        points.reserveCapacity(l.x.count)
        var prev: Point?
        var lastEnd: Point?
        for i in 0..<l.x.count {
            guard Limits.valid(l.x[i], log: p.x.log), Limits.valid(l.y[i], log: p.y.log) else { prev = nil; continue }
            let q = Point(x: p.px(l.x[i]), y: p.py(l.y[i]))
            points.append(q)
            if let a = prev, let (c0, c1) = Clip.segment(a, q, to: world) {
                if lastEnd != c0 { path.move(c0.x, c0.y) }
                path.line(c1.x, c1.y)
                lastEnd = c1
            }
            prev = q
        }
        return (path, points)
    }

    /// Closed polygons (upper forward, lower backward) for each run of valid band points.
    func bandPolygons(_ b: BandArtist, _ p: PanelLayout) -> [[Point]] {
        var out: [[Point]] = []
        var upper: [Point] = [], lower: [Point] = []
        func flush() {
            if upper.count >= 2 { out.append(upper + lower.reversed()) }
            upper = []; lower = []
        }
        for i in 0..<b.x.count {
            guard Limits.valid(b.x[i], log: p.x.log), Limits.valid(b.lower[i], log: p.y.log),
                  Limits.valid(b.upper[i], log: p.y.log) else { flush(); continue }
            let x = p.px(b.x[i])
            upper.append(Point(x: x, y: p.py(b.upper[i])))
            lower.append(Point(x: x, y: p.py(b.lower[i])))
        }
        flush()
        return out
    }

    func drawHeatmap(_ h: Heatmap, _ p: PanelLayout, _ r: Renderer) {
        guard h.rows > 0, h.columns > 0 else { return }
        guard h.x.allSatisfy({ Limits.valid($0, log: p.x.log) }), h.y.allSatisfy({ Limits.valid($0, log: p.y.log) }) else { return }
        let xe = Heatmap.edges(h.x, log: p.x.log).map { p.px($0) }
        let ye = Heatmap.edges(h.y, log: p.y.log).map { p.py($0) }
        let (lo, hi) = h.colorRange
        func uniform(_ e: [Double]) -> Bool {
            guard e.count >= 2 else { return false }
            let d = (e[e.count - 1] - e[0]) / Double(e.count - 1)
            guard d != 0 else { return false }
            for i in 1..<e.count where abs((e[i] - e[i - 1]) - d) > 1e-6 * abs(e[e.count - 1] - e[0]) { return false }
            return true
        }
        let world = p.plot.insetBy(-50)
        if uniform(xe) && uniform(ye) {
            // One nearest-neighbour image: cell (i, j) -> image pixel; flipped so that image rows
            // go top-down on screen.
            // flipX: x decreases to the right; flipY: row index goes up the screen (the usual case).
            let flipX = xe[xe.count - 1] < xe[0], flipY = ye[ye.count - 1] < ye[0]
            var img = RasterImage(width: h.columns, height: h.rows, rgba: [UInt8](repeating: 0, count: h.rows * h.columns * 4))
            for i in 0..<h.rows {
                let row = flipY ? (h.rows - 1 - i) : i
                for j in 0..<h.columns {
                    let v = h.values[i][j]
                    guard v.isFinite else { continue }
                    let col = flipX ? (h.columns - 1 - j) : j
                    let (cr, cg, cb) = h.colormap.rgb8((v - lo) / (hi - lo))
                    let k = (row * h.columns + col) * 4
                    img.rgba[k] = cr; img.rgba[k + 1] = cg; img.rgba[k + 2] = cb; img.rgba[k + 3] = 255
                }
            }
            let rect = Rect(x: min(xe[0], xe[xe.count - 1]), y: min(ye[0], ye[ye.count - 1]),
                            width: abs(xe[xe.count - 1] - xe[0]), height: abs(ye[ye.count - 1] - ye[0]))
            if rect.width < 1e6 && rect.height < 1e6 { r.image(img, in: rect) }
            return
        }
        for i in 0..<h.rows {
            for j in 0..<h.columns {
                let v = h.values[i][j]
                guard v.isFinite else { continue }
                let cell = Rect(x: min(xe[j], xe[j + 1]), y: min(ye[i], ye[i + 1]),
                                width: abs(xe[j + 1] - xe[j]), height: abs(ye[i + 1] - ye[i]))
                guard cell.intersects(world) else { continue }
                var path = Path()
                // Slight overlap hides anti-aliasing seams between neighbouring cells.
                path.rect(Rect(x: cell.x - 0.25, y: cell.y - 0.25, width: cell.width + 0.5, height: cell.height + 0.5))
                r.fill(path, color: h.colormap.color((v - lo) / (hi - lo)))
            }
        }
    }
}
