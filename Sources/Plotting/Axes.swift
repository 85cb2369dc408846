import Foundation

/// Linear or logarithmic (base 10) axis.
public enum AxisScale: Sendable {
    case linear, log
}

/// One plot area: artists in data coordinates, two axes, a legend and an optional colour bar.
/// Knows nothing of the renderer.
public final class Axes {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Explicit limits; data outside is clipped by the plot area and counted in the alt text.
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    /// Draw a legend of the labelled series (opt-in, as in matplotlib), placed in the corner
    /// (or edge centre) where it covers the least data.
    public var showsLegend: Bool = false
    /// Explicit major ticks (e.g. the centres of a heatmap's cells of sweep values); nil: chosen
    /// from the axis range. Values outside the axis range are not drawn.
    public var xTickValues: [Double]?
    public var yTickValues: [Double]?

    var artists: [Artist] = []
    var colorbarSpec: (heatmap: Heatmap, label: String?)?
    private var lineCount = 0
    private var lastLineColor: ColorSpec?
    /// Position in the figure grid (row-major).
    var row = 0, column = 0, index = 0

    init() {}

    /// A polyline series. Colours cycle through the theme's qualitative palette when `color` is nil.
    /// Non-finite points leave gaps (never joined, never drawn as zero). `ramp`, a position in
    /// [0, 1], colours the line along the theme's sequential ramp instead (viridis, from faint
    /// to the strongest contrast with the background, in light and dark figures alike): for an
    /// ordered family of lines, such as one quantity at increasing training iterations.
    public func line(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, width: Double = 1.5,
                     dashed: Bool = false, markers: Bool = false, ramp: Double? = nil) {
        let spec: ColorSpec = ramp.map { .ramp($0) } ?? color.map { .explicit($0) } ?? .cycle(lineCount)
        lineCount += 1
        lastLineColor = spec
        artists.append(.line(LineArtist(x: x, y: y, label: label, color: spec, width: width, dashed: dashed,
                                        markers: markers)))
    }

    /// Points drawn as dots (radius 1.5 × `width` px), not joined: a scatter series. Colours cycle
    /// as for lines; non-finite points are left out.
    public func points(x: [Double], y: [Double], label: String? = nil, color: Color? = nil, width: Double = 2.4) {
        let spec: ColorSpec = color.map { .explicit($0) } ?? .cycle(lineCount)
        lineCount += 1
        lastLineColor = spec
        artists.append(.line(LineArtist(x: x, y: y, label: label, color: spec, width: width, dashed: false,
                                        markers: true, joined: false)))
    }

    /// A filled band (mean ± std). Without a colour it takes the colour of the most recent line,
    /// or, before any line, the colour the next line will get, so line + band pair up.
    /// With `underLastLine`, the band is drawn beneath the most recent line (call it after the
    /// line it belongs to: mean line, then its ±std band).
    public func band(x: [Double], lower: [Double], upper: [Double], label: String? = nil, color: Color? = nil,
                     underLastLine: Bool = false) {
        let spec: ColorSpec = color.map { .explicit($0) } ?? lastLineColor ?? .cycle(lineCount)
        let band = Artist.band(BandArtist(x: x, lower: lower, upper: upper, label: label, color: spec))
        if underLastLine, let i = artists.lastIndex(where: { if case .line = $0 { return true } else { return false } }) {
            artists.insert(band, at: i)
        } else {
            artists.append(band)
        }
    }

    /// values[i][j]: row i is at y[i], column j at x[j] (cell centres). Returns the artist for a colour bar.
    @discardableResult
    public func heatmap(_ values: [[Double]], x: [Double], y: [Double], colormap: Colormap = .viridis,
                        range: ClosedRange<Double>? = nil) -> Heatmap {
        let h = Heatmap(values: values, x: x, y: y, colormap: colormap, range: range)
        artists.append(.heatmap(h))
        return h
    }

    /// A colour bar for `heatmap` to the right of this axes.
    public func colorbar(for heatmap: Heatmap, label: String? = nil) {
        colorbarSpec = (heatmap, label)
    }

    /// A dashed vertical marker (e.g. an MGDL grade boundary) with an optional label along it.
    public func verticalLine(at x: Double, label: String? = nil, color: Color? = nil) {
        artists.append(.verticalLine(VerticalLineArtist(x: x, label: label, color: color)))
    }

    /// An image panel: values in [0,1], row-major, channels 1 or 3. No ticks, aspect kept,
    /// nearest-neighbour (never smoothed).
    public func image(_ pixels: [Double], width: Int, height: Int, channels: Int) {
        artists.append(.image(ImageArtist(pixels: pixels, width: max(0, width), height: max(0, height),
                                          channels: channels == 3 ? 3 : 1)))
    }

    /// Text whose lower-left corner is near the data point (x, y).
    public func annotate(_ text: String, x: Double, y: Double) {
        artists.append(.annotation(AnnotationArtist(text: text, x: x, y: y)))
    }

    var isImagePanel: Bool {
        artists.contains { if case .image = $0 { return true } else { return false } }
            && !artists.contains { if case .line = $0 { return true }; if case .band = $0 { return true }
                if case .heatmap = $0 { return true }; return false }
    }

    var isEmpty: Bool { artists.isEmpty && title == nil && xLabel == nil && yLabel == nil }

    /// Whether some artist has a point the renderer would draw.
    var hasDrawableData: Bool {
        func ok(_ v: Double, _ scale: AxisScale) -> Bool { v.isFinite && (scale == .linear || v > 0) }
        return artists.contains { artist in
            switch artist {
            case .line(let l): return zip(l.x, l.y).contains { ok($0, xScale) && ok($1, yScale) }
            case .band(let b): return b.x.indices.contains { ok(b.x[$0], xScale) && ok(b.lower[$0], yScale) && ok(b.upper[$0], yScale) }
            case .heatmap(let h): return h.values.contains { $0.contains { $0.isFinite } }
            case .image(let i): return i.width > 0 && i.height > 0 && i.pixels.contains { $0.isFinite }
            case .verticalLine, .annotation: return false
            }
        }
    }
}
