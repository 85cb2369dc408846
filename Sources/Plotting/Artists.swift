import Foundation

/// A series drawn as a polyline; non-finite points (and non-positive ones on log axes) break it.
final class LineArtist {
    let x: [Double], y: [Double]
    let label: String?
    let color: ColorSpec
    let width: Double
    let dashed: Bool
    let markers: Bool
    /// False for a scatter: the points are drawn as markers only, never joined.
    let joined: Bool
    init(x: [Double], y: [Double], label: String?, color: ColorSpec, width: Double, dashed: Bool, markers: Bool, joined: Bool = true) {
        let n = min(x.count, y.count)
        self.x = Array(x.prefix(n)); self.y = Array(y.prefix(n))
        self.label = label; self.color = color; self.width = width; self.dashed = dashed; self.markers = markers || !joined
        self.joined = joined
    }
}

/// A filled band between `lower` and `upper` (mean ± std).
final class BandArtist {
    let x: [Double], lower: [Double], upper: [Double]
    let label: String?
    let color: ColorSpec
    init(x: [Double], lower: [Double], upper: [Double], label: String?, color: ColorSpec) {
        let n = min(x.count, lower.count, upper.count)
        self.x = Array(x.prefix(n)); self.lower = Array(lower.prefix(n)); self.upper = Array(upper.prefix(n))
        self.label = label; self.color = color
    }
}

/// A heatmap of cell values on a rectilinear grid (cell centres given); drawn through a colormap
/// without interpolation. Non-finite cells are left empty (background shows).
public final class Heatmap {
    let values: [[Double]]
    let x: [Double], y: [Double]
    let colormap: Colormap
    let explicitRange: ClosedRange<Double>?
    let rows: Int, columns: Int

    init(values: [[Double]], x: [Double], y: [Double], colormap: Colormap, range: ClosedRange<Double>?) {
        let rows = min(values.count, y.count)
        let columns = min(values.first?.count ?? 0, x.count)
        self.rows = rows
        self.columns = columns
        self.values = values.prefix(rows).map { row in
            (0..<columns).map { $0 < row.count ? row[$0] : .nan }
        }
        self.x = Array(x.prefix(columns)); self.y = Array(y.prefix(rows))
        self.colormap = colormap
        self.explicitRange = range
    }

    /// Finite minimum and maximum of the values.
    var dataRange: (Double, Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for row in values { for v in row where v.isFinite { lo = min(lo, v); hi = max(hi, v) } }
        return lo <= hi ? (lo, hi) : nil
    }

    /// The colour range: explicit, else the finite data range (widened if constant).
    var colorRange: (Double, Double) {
        if let r = explicitRange, r.upperBound > r.lowerBound { return (r.lowerBound, r.upperBound) }
        guard let (lo, hi) = dataRange else { return (0, 1) }
        if hi > lo { return (lo, hi) }
        let d = lo == 0 ? 1 : abs(lo) * 0.1
        return (lo - d, hi + d)
    }

    /// Cell edges from centres: midpoints, ends extended by half a spacing (in the axis scale).
    static func edges(_ centres: [Double], log: Bool) -> [Double] {
        let t = centres.map { log ? log10($0) : $0 }
        guard t.count >= 1 else { return [] }
        var e: [Double] = []
        if t.count == 1 {
            e = [t[0] - 0.5, t[0] + 0.5]
        } else {
            e.append(t[0] - (t[1] - t[0]) / 2)
            for i in 0..<(t.count - 1) { e.append((t[i] + t[i + 1]) / 2) }
            e.append(t[t.count - 1] + (t[t.count - 1] - t[t.count - 2]) / 2)
        }
        return log ? e.map { pow(10, $0) } : e
    }
}

/// A vertical marker across the plot, with an optional label along it.
final class VerticalLineArtist {
    let x: Double
    let label: String?
    let color: Color?
    init(x: Double, label: String?, color: Color?) { self.x = x; self.label = label; self.color = color }
}

/// An image panel: values in [0, 1], 1 or 3 channels; nearest-neighbour, aspect kept.
final class ImageArtist {
    let pixels: [Double]
    let width: Int, height: Int, channels: Int
    init(pixels: [Double], width: Int, height: Int, channels: Int) {
        self.pixels = pixels; self.width = width; self.height = height; self.channels = channels
    }

    private let cacheLock = NSLock()
    private var cachedRaster: RasterImage?

    /// The raster, computed once (the pixels are immutable), so its PNG is encoded once too when
    /// a figure is rendered several times (SVG and PNG, light and dark).
    func raster() -> RasterImage {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let r = cachedRaster { return r }
        let r = makeRaster()
        cachedRaster = r
        return r
    }

    /// RGBA8; values clamped to [0, 1] and rounded to the nearest 8-bit level; a pixel with any
    /// non-finite channel is transparent.
    func makeRaster() -> RasterImage {
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * 4)
        let c = channels == 3 ? 3 : 1
        guard pixels.count >= count * c else {
            // Short data: what exists is drawn, the rest stays transparent.
            var padded = pixels
            padded.append(contentsOf: [Double](repeating: .nan, count: count * c - pixels.count))
            return ImageArtist(pixels: padded, width: width, height: height, channels: channels).makeRaster()
        }
        @inline(__always) func q(_ v: Double) -> UInt8 { UInt8(min(1, max(0, v)) * 255 + 0.5) }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let r = src[i * c], g = src[i * c + (c == 3 ? 1 : 0)], b = src[i * c + (c == 3 ? 2 : 0)]
                    guard r.isFinite, g.isFinite, b.isFinite else { continue }
                    dst[i * 4] = q(r); dst[i * 4 + 1] = q(g); dst[i * 4 + 2] = q(b); dst[i * 4 + 3] = 255
                }
            }
        }
        return RasterImage(width: width, height: height, rgba: out)
    }
}

/// Text at a data position.
final class AnnotationArtist {
    let text: String
    let x: Double, y: Double
    init(text: String, x: Double, y: Double) { self.text = text; self.x = x; self.y = y }
}

enum Artist {
    case line(LineArtist)
    case band(BandArtist)
    case heatmap(Heatmap)
    case verticalLine(VerticalLineArtist)
    case image(ImageArtist)
    case annotation(AnnotationArtist)
}
