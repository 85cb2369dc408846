import Foundation

/// The data behind a figure, as CSV and as an alt-text summary. Deterministic: artists in the
/// order they were added, numbers in Swift's shortest round-trip form.
enum FigureData {
    static func num(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }

    static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Header `panel,kind,series,x,y,value`. Kinds: `line` (x, y), `band_lower` and `band_upper`
    /// (x, y), `heatmap` (x, y, value), `vline` (x), `annotation` (x, y; series is the text),
    /// `image` (x = column, y = row from the top, value = the colour drawn as `#rrggbb`, i.e. the
    /// input clamped to [0, 1] and rounded to 8 bits; empty for non-finite pixels, which are not
    /// drawn). One row per pixel keeps image CSVs at ~22 bytes per pixel.
    static func csv(_ figure: Figure) -> String {
        var out = "panel,kind,series,x,y,value\n"
        for a in figure.axesList {
            let panel = String(a.index + 1)
            var lineNo = 0, bandNo = 0, heatNo = 0, imageNo = 0
            for artist in a.artists {
                switch artist {
                case .line(let l):
                    lineNo += 1
                    let name = field(TeXLabel.plain(l.label ?? "series \(lineNo)"))
                    let kind = l.joined ? "line" : "points"
                    for i in 0..<l.x.count { out += "\(panel),\(kind),\(name),\(num(l.x[i])),\(num(l.y[i])),\n" }
                case .band(let b):
                    bandNo += 1
                    let name = field(TeXLabel.plain(b.label ?? "band \(bandNo)"))
                    for i in 0..<b.x.count { out += "\(panel),band_lower,\(name),\(num(b.x[i])),\(num(b.lower[i])),\n" }
                    for i in 0..<b.x.count { out += "\(panel),band_upper,\(name),\(num(b.x[i])),\(num(b.upper[i])),\n" }
                case .heatmap(let h):
                    heatNo += 1
                    for i in 0..<h.rows {
                        for j in 0..<h.columns {
                            out += "\(panel),heatmap,heatmap \(heatNo),\(num(h.x[j])),\(num(h.y[i])),\(num(h.values[i][j]))\n"
                        }
                    }
                case .verticalLine(let v):
                    out += "\(panel),vline,\(field(TeXLabel.plain(v.label ?? ""))),\(num(v.x)),,\n"
                case .annotation(let t):
                    out += "\(panel),annotation,\(field(t.text)),\(num(t.x)),\(num(t.y)),\n"
                case .image(let img):
                    imageNo += 1
                    out += imageRows(img, panel: panel, series: imageNo > 1 ? "image \(imageNo)" : "image")
                }
            }
        }
        return out
    }

    /// An image's row: its width (x), height (y) and the drawn pixels as a PNG data URI (value:
    /// `data:image/png;base64,...`, 8 bits per channel, a pixel with a non-finite channel
    /// transparent), the PNG the SVG embeds. One row per pixel would be 28 bytes a pixel: 37 MB
    /// for the five 512 × 512 panels of a reconstruction figure, and as much again in the
    /// notebook, against 2.7 MB of PNG. Without libpng, one row per pixel (`pixelRows`).
    static func imageRows(_ img: ImageArtist, panel: String, series: String) -> String {
        guard let png = img.raster().png() else { return pixelRows(img, panel: panel, series: series) }
        return "\(panel),image,\(field(series)),\(img.width),\(img.height),\(field("data:image/png;base64," + png.base64EncodedString()))\n"
    }

    /// Image rows, one per pixel (x, y, #rrggbb; empty for a transparent pixel), formatted byte by byte.
    static func pixelRows(_ img: ImageArtist, panel: String, series: String) -> String {
        let raster = img.raster()
        let prefix = Array("\(panel),image,\(field(series)),".utf8)
        let hex = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(img.width * img.height * (prefix.count + 20))
        func appendInt(_ v: Int) {
            if v >= 100 { bytes.append(UInt8(48 + v / 100)) }
            if v >= 10 { bytes.append(UInt8(48 + (v / 10) % 10)) }
            bytes.append(UInt8(48 + v % 10))
        }
        for r in 0..<img.height {
            for c in 0..<img.width {
                bytes.append(contentsOf: prefix)
                if c < 1000 { appendInt(c) } else { bytes.append(contentsOf: Array(String(c).utf8)) }
                bytes.append(44)
                if r < 1000 { appendInt(r) } else { bytes.append(contentsOf: Array(String(r).utf8)) }
                bytes.append(44)
                let k = (r * img.width + c) * 4
                if raster.rgba[k + 3] == 255 {
                    bytes.append(35)
                    for ch in 0..<3 {
                        let v = raster.rgba[k + ch]
                        bytes.append(hex[Int(v >> 4)]); bytes.append(hex[Int(v & 15)])
                    }
                }
                bytes.append(10)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func fmt(_ v: Double) -> String { TickFormat.general(v, significant: 4, unicodeMinus: false) }

    static func range(_ values: [Double], log: Bool = false) -> String? {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where Limits.valid(v, log: log) { lo = min(lo, v); hi = max(hi, v) }
        guard lo <= hi else { return nil }
        return lo == hi ? fmt(lo) : "\(fmt(lo)) to \(fmt(hi))"
    }

    static func altText(_ figure: Figure) -> String {
        let (xs, ys) = FigureLayout.limits(figure)
        var parts: [String] = []
        let panels = figure.axesList.filter { !$0.isEmpty }
        let head = (figure.title.map { "\(TeXLabel.plain($0)). " } ?? "") + (panels.count == 1 ? "One panel." : "\(panels.count) panels in a \(figure.rows) by \(figure.columns) grid.")
        parts.append(head)
        for a in panels {
            let x = xs[a.index], y = ys[a.index]
            var s = panels.count > 1 ? "Panel \(a.index + 1)" : "Panel"
            if let t = a.title, !t.isEmpty { s += " \"\(TeXLabel.plain(t))\"" }
            s += ": "
            if a.isImagePanel {
                let imgs = a.artists.compactMap { if case .image(let i) = $0 { return i }; return nil }
                s += imgs.map { "image \($0.width)×\($0.height) \($0.channels == 3 ? "RGB" : "grayscale")" }.joined(separator: ", ") + "."
                parts.append(s)
                continue
            }
            func axisText(_ name: String, _ label: String?, _ r: AxisRange) -> String {
                var t = "\(name) axis"
                if let l = label, !l.isEmpty { t += " \"\(TeXLabel.plain(l))\"" }
                t += r.log ? " (log scale)" : ""
                t += " from \(fmt(r.lo)) to \(fmt(r.hi))"
                return t
            }
            s += axisText("x", a.xLabel, x) + "; " + axisText("y", a.yLabel, y) + "."
            var items: [String] = []
            var lineNo = 0
            var nonFinite = 0, nonPositive = 0, outside = 0, outsideColour = 0
            for artist in a.artists {
                switch artist {
                case .line(let l):
                    lineNo += 1
                    let name = TeXLabel.plain(l.label ?? "series \(lineNo)")
                    var desc = "\(l.joined ? "line" : "points") \"\(name)\" (\(l.x.count) point\(l.x.count == 1 ? "" : "s")"
                    if let rx = range(l.x, log: x.log) { desc += ", x \(rx)" }
                    if let ry = range(l.y, log: y.log) { desc += ", y \(ry)" }
                    items.append(desc + ")")
                    for i in 0..<l.x.count {
                        if !l.x[i].isFinite || !l.y[i].isFinite { nonFinite += 1; continue }
                        if (x.log && l.x[i] <= 0) || (y.log && l.y[i] <= 0) { nonPositive += 1; continue }
                        if !x.contains(l.x[i]) || !y.contains(l.y[i]) { outside += 1 }
                    }
                case .band(let b):
                    var desc = "band \"\(TeXLabel.plain(b.label ?? "unlabelled"))\" (\(b.x.count) point\(b.x.count == 1 ? "" : "s")"
                    if let rl = range(b.lower, log: y.log), let ru = range(b.upper, log: y.log) { desc += ", lower \(rl), upper \(ru)" }
                    items.append(desc + ")")
                    for i in 0..<b.x.count {
                        for v in [b.lower[i], b.upper[i]] {
                            if !b.x[i].isFinite || !v.isFinite { nonFinite += 1; continue }
                            if (x.log && b.x[i] <= 0) || (y.log && v <= 0) { nonPositive += 1; continue }
                            if !x.contains(b.x[i]) || !y.contains(v) { outside += 1 }
                        }
                    }
                case .heatmap(let h):
                    var desc = "heatmap \(h.rows)×\(h.columns) (\(h.colormap.rawValue) colormap"
                    if let (lo, hi) = h.dataRange { desc += ", values \(fmt(lo)) to \(fmt(hi))" }
                    let (clo, chi) = h.colorRange
                    if h.explicitRange != nil { desc += ", colour range \(fmt(clo)) to \(fmt(chi))" }
                    if let cb = a.colorbarSpec, cb.heatmap === h { desc += ", colour bar" + (cb.label.map { " \"\(TeXLabel.plain($0))\"" } ?? "") }
                    items.append(desc + ")")
                    for i in 0..<h.rows {
                        for j in 0..<h.columns {
                            let v = h.values[i][j]
                            if !v.isFinite { nonFinite += 1; continue }
                            if v < clo || v > chi { outsideColour += 1 }
                            if !x.contains(h.x[j]) || !y.contains(h.y[i]) { outside += 1 }
                        }
                    }
                case .verticalLine(let v):
                    items.append("vertical marker at x = \(fmt(v.x))" + (v.label.map { " \"\(TeXLabel.plain($0))\"" } ?? ""))
                    if !x.contains(v.x) { outside += 1 }
                case .annotation(let t):
                    items.append("note \"\(t.text)\" at (\(fmt(t.x)), \(fmt(t.y)))")
                case .image(let img):
                    items.append("image \(img.width)×\(img.height)")
                }
            }
            if !items.isEmpty { s += " " + items.joined(separator: "; ") + "." }
            var notes: [String] = []
            if outside > 0 { notes.append("\(outside) value\(outside == 1 ? " lies" : "s lie") outside the axis limits and \(outside == 1 ? "is" : "are") clipped") }
            if nonFinite > 0 { notes.append("\(nonFinite) non-finite value\(nonFinite == 1 ? " is" : "s are") not drawn") }
            if nonPositive > 0 { notes.append("\(nonPositive) non-positive value\(nonPositive == 1 ? " is" : "s are") not drawn on the log axis") }
            if outsideColour > 0 { notes.append("\(outsideColour) heatmap value\(outsideColour == 1 ? " lies" : "s lie") outside the colour range and \(outsideColour == 1 ? "is" : "are") shown at the end colour") }
            if !notes.isEmpty { s += " Note: " + notes.joined(separator: "; ") + "." }
            parts.append(s)
        }
        return parts.joined(separator: "\n")
    }
}
