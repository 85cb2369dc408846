import Foundation

/// The legend and the colour bar of a panel.
extension FigureDrawer {
    struct LegendEntry {
        var label: String
        var line: LineArtist?
        var band: BandArtist?
    }

    func legendEntries(_ a: Axes) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        for artist in a.artists {
            switch artist {
            case .line(let l):
                guard let s = l.label, !s.isEmpty else { continue }
                if let i = entries.firstIndex(where: { $0.label == s && $0.line == nil }) { entries[i].line = l } else {
                    entries.append(LegendEntry(label: s, line: l, band: nil))
                }
            case .band(let b):
                guard let s = b.label, !s.isEmpty else { continue }
                if let i = entries.firstIndex(where: { $0.label == s && $0.band == nil }) { entries[i].band = b } else {
                    entries.append(LegendEntry(label: s, line: nil, band: b))
                }
            default: continue
            }
        }
        return entries
    }

    func drawLegend(_ p: PanelLayout, _ r: Renderer) {
        let entries = legendEntries(p.axes)
        guard !entries.isEmpty else { return }
        let labels = entries.map { text.layout($0.label, size: Style.legendFont) }
        let rowH = (labels.map { $0.height }.max() ?? 12) + 3
        let handleW = 22.0, pad = 6.0, gap = 6.0
        let w = pad + handleW + gap + (labels.map { $0.width }.max() ?? 0) + pad
        let h = pad + rowH * Double(entries.count) + pad - 3
        let plot = p.plot, inset = 8.0
        // Candidates in matplotlib's "best" order of preference.
        let xs = [plot.maxX - inset - w, plot.minX + inset, plot.minX + inset, plot.maxX - inset - w,
                  plot.maxX - inset - w, plot.minX + inset, plot.midX - w / 2, plot.midX - w / 2]
        let ys = [plot.minY + inset, plot.minY + inset, plot.maxY - inset - h, plot.maxY - inset - h,
                  plot.midY - h / 2, plot.midY - h / 2, plot.minY + inset, plot.maxY - inset - h]
        let samples = dataSamples(p)
        var best = 0, bestScore = Int.max
        for k in 0..<xs.count {
            let rect = Rect(x: xs[k], y: ys[k], width: w, height: h)
            var score = 0
            for s in samples where rect.contains(s) { score += 1 }
            if score < bestScore { bestScore = score; best = k }
            if score == 0 { break }
        }
        let box = Rect(x: xs[best].rounded(), y: ys[best].rounded(), width: w.rounded(.up), height: h.rounded(.up))
        var path = Path()
        path.rect(box)
        r.fill(path, color: palette.legendBackground)
        var border = Path()
        border.rect(Rect(x: box.x + 0.5, y: box.y + 0.5, width: box.width - 1, height: box.height - 1))
        r.stroke(border, color: palette.legendBorder, width: 1, dash: [])
        for (i, e) in entries.enumerated() {
            let cy = box.minY + pad + rowH * Double(i) + (rowH - 3) / 2
            let hx = box.minX + pad
            if let b = e.band {
                let c = b.color.resolve(palette)
                var rect = Path()
                rect.rect(Rect(x: hx, y: cy - 5, width: handleW, height: 10))
                r.fill(rect, color: c.withAlpha(c.alpha * 0.3))
            }
            if let l = e.line {
                let c = l.color.resolve(palette)
                var seg = Path()
                seg.move(hx, cy); seg.line(hx + handleW, cy)
                let lw = min(l.width, 3)
                if l.joined { r.stroke(seg, color: c, width: lw, dash: l.dashed ? [lw * 3.7, lw * 1.6] : []) }
                if l.markers { r.dots([Point(x: hx + handleW / 2, y: cy)], radius: max(2.2, lw * 1.5), color: c) }
            }
            put(labels[i], at: Point(x: hx + handleW + gap, y: cy), .left, .center, color: palette.text, r)
        }
    }

    /// Points (px) where data is drawn: vertices and points every ~4 px along segments.
    func dataSamples(_ p: PanelLayout) -> [Point] {
        var out: [Point] = []
        let world = p.plot
        func addSegment(_ a: Point, _ b: Point) {
            let n = min(50, Int((abs(b.x - a.x) + abs(b.y - a.y)) / 4))
            if n > 0 {
                for k in 1...n {
                    let t = Double(k) / Double(n + 1)
                    out.append(Point(x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t))
                }
            }
        }
        for artist in p.axes.artists {
            switch artist {
            case .line(let l):
                let (path, _) = linePath(l, p, world: world)
                var last: Point?
                for e in path.elements {
                    switch e {
                    case .move(let q): out.append(q); last = q
                    case .line(let q): if let a = last { addSegment(a, q) }; out.append(q); last = q
                    case .close: break
                    }
                }
            case .band(let b):
                for poly in bandPolygons(b, p) {
                    out.append(contentsOf: poly)
                    let n = poly.count / 2
                    // Fill interior: points between upper and lower at each x.
                    for i in 0..<n {
                        let u = poly[i], l = poly[poly.count - 1 - i]
                        addSegment(u, l)
                    }
                }
            case .verticalLine(let v):
                let x = p.px(v.x)
                addSegment(Point(x: x, y: p.plot.minY), Point(x: x, y: p.plot.maxY))
            case .annotation(let a):
                if Limits.valid(a.x, log: p.x.log) && Limits.valid(a.y, log: p.y.log) {
                    let l = text.layout(a.text, size: Style.annotationFont)
                    let (pt, h, v) = annotationPlacement(l, anchor: Point(x: p.px(a.x), y: p.py(a.y)), plot: p.plot)
                    let b = box(l, at: pt, h, v)
                    for k in 0...4 { out.append(Point(x: b.minX + b.width * Double(k) / 4, y: b.midY)) }
                }
            default: break
            }
        }
        return out
    }

    // MARK: colour bar

    func drawColorbar(_ cb: ColorbarLayout, _ r: Renderer) {
        let rect = cb.rect
        let n = 256
        var img = RasterImage(width: 1, height: n, rgba: [UInt8](repeating: 255, count: n * 4))
        for k in 0..<n {
            let (cr, cg, cbl) = cb.heatmap.colormap.rgb8(Double(n - 1 - k) / Double(n - 1))
            img.rgba[k * 4] = cr; img.rgba[k * 4 + 1] = cg; img.rgba[k * 4 + 2] = cbl
        }
        r.image(img, in: rect)
        var frame = Path()
        frame.rect(rect)
        r.stroke(frame, color: palette.spine, width: Style.spineWidth, dash: [])
        var ticks = Path()
        var widest = 0.0
        for t in cb.ticks.major where cb.range.contains(t.value) {
            let y = snap(rect.maxY - cb.range.fraction(t.value) * rect.height)
            ticks.move(rect.maxX, y); ticks.line(rect.maxX + Style.tickLength, y)
            let l = text.layout(t.label!, size: Style.tickFont)
            widest = max(widest, l.width)
            put(l, at: Point(x: rect.maxX + Style.tickLength + Style.tickPad, y: y), .left, .center, color: palette.text, r)
        }
        r.stroke(ticks, color: palette.tick, width: Style.spineWidth, dash: [])
        if let m = cb.ticks.multiplier {
            put(text.layout(m, size: Style.tickFont), at: Point(x: rect.minX, y: rect.minY - 3), .left, .bottom, color: palette.text, r)
        }
        if let s = cb.label, !s.isEmpty {
            let x = rect.maxX + Style.tickLength + Style.tickPad + max(widest, cb.labelWidth) + Style.labelPad
            put(text.layout(s, size: Style.labelFont), at: Point(x: x, y: rect.midY), .center, .top,
                angle: -Double.pi / 2, color: palette.text, r)
        }
    }
}
