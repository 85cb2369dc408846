import Foundation

/// A figure: a title over a grid of axes, each holding artists in data coordinates. The model
/// knows nothing of Cairo; `svg` and `png` lay it out and draw it through a `Renderer`.
///
/// Rendering is deterministic: the same figure gives the same bytes (no dates, no random ids;
/// Cairo's SVG ids are sequential per document).
public final class Figure {
    /// Size in CSS px (the SVG document size; PNG pixels are this times `scale`).
    public let width: Double
    public let height: Double
    public var title: String?

    var axesList: [Axes] = []
    var rows = 1, columns = 1
    var sharedX = false, sharedY = false

    public init(width: Double = 640, height: Double = 420) {
        self.width = max(16, width.isFinite ? width : 640)
        self.height = max(16, height.isFinite ? height : 420)
    }

    /// A grid of axes; call once (a second call replaces the grid). Returns axes row-major.
    /// sharedX/sharedY link limits across all axes and hide inner tick labels (x tick labels only
    /// on the bottom row, y tick labels only on the first column).
    public func grid(rows: Int, columns: Int, sharedX: Bool = false, sharedY: Bool = false) -> [Axes] {
        self.rows = max(1, rows)
        self.columns = max(1, columns)
        self.sharedX = sharedX
        self.sharedY = sharedY
        axesList = []
        for r in 0..<self.rows {
            for c in 0..<self.columns {
                let a = Axes()
                a.row = r; a.column = c; a.index = r * self.columns + c
                axesList.append(a)
            }
        }
        return axesList
    }

    /// The single-axes case.
    public func addAxes() -> Axes {
        grid(rows: 1, columns: 1)[0]
    }

    /// SVG 1.1, document unit px; text is drawn from the shaped glyphs (Cairo embeds glyph
    /// outlines as symbols, so it renders identically everywhere). A `<title>` carries the alt text.
    public func svg(theme: Theme = .light) throws -> Data {
        let drawer = try FigureDrawer(figure: self, theme: theme)
        let raw = try CairoOutput.svg(width: width, height: height) { try drawer.draw(on: $0) }
        return SVGPostProcess.process(raw, title: altText())
    }

    /// PNG bytes (8-bit RGBA) at `scale` device pixels per CSS px (2 for high-density screens).
    public func png(theme: Theme = .light, scale: Double = 2) throws -> Data {
        let s = scale.isFinite && scale > 0 ? min(scale, 16) : 2
        let drawer = try FigureDrawer(figure: self, theme: theme)
        return try CairoOutput.png(width: width, height: height, scale: s) { try drawer.draw(on: $0) }
    }

    /// PDF 1.5 for papers: one page of `width` × `height` CSS px at 0.75 pt each (96 dpi), vector
    /// paths, glyphs embedded as font subsets, images unsmoothed. The bytes are deterministic:
    /// the creation date Cairo would take from the clock is left out (see `CairoOutput.pdf`).
    /// `documentTitle` is the PDF's Title entry (default: the figure's title).
    public func pdf(theme: Theme = .light, documentTitle: String? = nil) throws -> Data {
        let drawer = try FigureDrawer(figure: self, theme: theme)
        return try CairoOutput.pdf(width: width, height: height, title: documentTitle ?? title ?? "") {
            try drawer.draw(on: $0)
        }
    }

    /// Every artist's data in tidy long format: `panel,kind,series,x,y,value` (see README).
    public func csv() -> String { FigureData.csv(self) }

    /// A plain-text summary: axis labels, scales and limits, series with their ranges, heatmap
    /// ranges, images, markers, and notes on anything not drawn (clipped or non-finite data).
    public func altText() -> String { FigureData.altText(self) }

    /// The 1-based numbers of panels that were given artists or labels but have no data to draw:
    /// no line or band point that is finite (and positive on a log axis), no finite heatmap cell,
    /// no image. A figure with such a panel would show an empty frame; callers treat it as an error.
    /// How many panels (axes) the figure's grid has, drawn or not.
    public var panelCount: Int { axesList.count }

    public var panelsWithoutData: [Int] {
        axesList.filter { !$0.isEmpty && !$0.hasDrawableData }.map { $0.index + 1 }
    }

    /// Axes that draw something, in row-major order.
    var visibleAxes: [Axes] { axesList.filter { !$0.isEmpty } }
}

/// Cairo's SVG surface is almost deterministic: glyph, clip and pattern ids count per document,
/// but `image` and `surface` ids come from process-wide counters. We renumber those in order of
/// appearance, mark images `image-rendering: pixelated` (Cairo 1.16 drops the NEAREST filter, so
/// browsers would smooth heatmaps and image panels), and add a `<title>`.
enum SVGPostProcess {
    static func process(_ svg: Data, title: String) -> Data {
        let renamed = renumberAndMarkImages([UInt8](svg))
        return addTitle(Data(renamed), title: title)
    }

    static func renumberAndMarkImages(_ b: [UInt8]) -> [UInt8] {
        let prefixes: [[UInt8]] = [Array("image".utf8), Array("surface".utf8)]
        let imageTag = Array("<image ".utf8)
        let pixelated = Array("<image style=\"image-rendering:pixelated\" image-rendering=\"optimizeSpeed\" ".utf8)
        var maps: [[Int: Int]] = [[:], [:]]
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 256)
        var i = 0
        let n = b.count
        func matches(_ p: [UInt8], at k: Int) -> Bool {
            guard k + p.count <= n else { return false }
            for t in 0..<p.count where b[k + t] != p[t] { return false }
            return true
        }
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "<") && matches(imageTag, at: i) {
                out.append(contentsOf: pixelated)
                i += imageTag.count
                continue
            }
            // An id reference starts after `id="` or `#`.
            var start = -1
            if c == UInt8(ascii: "#") { start = i + 1 } else if c == UInt8(ascii: "\""), i >= 3, b[i - 1] == UInt8(ascii: "="),
                b[i - 2] == UInt8(ascii: "d"), b[i - 3] == UInt8(ascii: "i") { start = i + 1 }
            if start >= 0 {
                var handled = false
                for (pi, p) in prefixes.enumerated() where matches(p, at: start) {
                    var k = start + p.count
                    var num = 0, digits = 0
                    while k < n, b[k] >= 48, b[k] <= 57, digits < 12 { num = num * 10 + Int(b[k] - 48); k += 1; digits += 1 }
                    guard digits > 0 else { continue }
                    let new: Int
                    if let m = maps[pi][num] { new = m } else { new = maps[pi].count + 1; maps[pi][num] = new }
                    out.append(c)
                    out.append(contentsOf: p)
                    out.append(contentsOf: Array(String(new).utf8))
                    i = k
                    handled = true
                    break
                }
                if handled { continue }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// Inserts `<title>` (accessible name) right after the root element's start tag.
    static func addTitle(_ svg: Data, title: String) -> Data {
        guard let s = String(data: svg, encoding: .utf8), let open = s.range(of: "<svg") else { return svg }
        guard let end = s.range(of: ">", range: open.upperBound..<s.endIndex) else { return svg }
        var out = s
        out.insert(contentsOf: "\n<title>" + xmlEscape(title) + "</title>", at: end.upperBound)
        return Data(out.utf8)
    }

    static func xmlEscape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { o += " " } else { o.unicodeScalars.append(ch) }
            }
        }
        return o
    }
}
