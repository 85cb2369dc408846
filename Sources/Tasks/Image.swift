import CCairo
import Foundation

/// A raster image with values in [0, 1]: `height` rows of `width` pixels of `channels` values
/// (1 grey, 3 RGB), flat in (row, column, channel) order, row 0 at the top.
public struct Image: Sendable, Equatable {
    /// Pixel layout to load or convert to.
    public enum Colour: String, Sendable, Equatable, CaseIterable, Codable {
        case grey
        case rgb

        public var channels: Int { self == .grey ? 1 : 3 }
    }

    public let width: Int
    public let height: Int
    public let channels: Int
    public let pixels: [Double]

    /// Preconditions: positive sizes, 1 or 3 channels, `width · height · channels` values.
    public init(width: Int, height: Int, channels: Int, pixels: [Double]) {
        precondition(width > 0 && height > 0, "Image: sizes must be positive, got \(width)x\(height)")
        precondition(channels == 1 || channels == 3, "Image: 1 or 3 channels, got \(channels)")
        precondition(pixels.count == width * height * channels,
                     "Image: \(pixels.count) values for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image sampled from a function of the pixel coordinates of
    /// ``ImageTask/coordinates(width:height:)`` (x = column/width, y = row/height, in [0, 1)),
    /// e.g. a ``Formula`` in (x, y). Values are stored as computed (not clamped).
    public init(width: Int, height: Int, sampling function: (Double, Double) -> Double) {
        var pixels = [Double]()
        pixels.reserveCapacity(width * height)
        for row in 0..<height {
            for column in 0..<width {
                pixels.append(function(Double(column) / Double(width), Double(row) / Double(height)))
            }
        }
        self.init(width: width, height: height, channels: 1, pixels: pixels)
    }

    public var colour: Colour { channels == 1 ? .grey : .rgb }

    /// Value of channel `channel` at (row, column).
    public subscript(row: Int, column: Int, channel: Int = 0) -> Double {
        pixels[(row * width + column) * channels + channel]
    }

    // MARK: PNG

    /// Loads a PNG through Cairo (`cairo_image_surface_create_from_png`): 8-bit values / 255.
    ///
    /// Cairo expands grey, palette and 16-bit PNGs to 8-bit RGB (or premultiplied ARGB when there
    /// is alpha); alpha is un-premultiplied and then dropped (as Tancik et al.'s `[..., :3]`).
    /// `.grey` of a colour image uses the luminance weights 0.2125 R + 0.7154 G + 0.0721 B
    /// (ITU-R BT.709, as scikit-image's `rgb2gray`); a grey PNG loads exactly.
    ///
    /// Throws a ``TaskError`` naming the path when the file is missing or not a readable PNG.
    public static func load(contentsOf path: String, as colour: Colour) throws -> Image {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TaskError("image \(path): no such file")
        }
        let surface = cairo_image_surface_create_from_png(path)
        defer { cairo_surface_destroy(surface) }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            let reason = String(cString: cairo_status_to_string(status))
            throw TaskError("image \(path): cannot read as PNG (\(reason))")
        }
        cairo_surface_flush(surface)
        let format = cairo_image_surface_get_format(surface)
        guard format == CAIRO_FORMAT_RGB24 || format == CAIRO_FORMAT_ARGB32 else {
            throw TaskError("image \(path): unexpected Cairo pixel format \(format.rawValue)")
        }
        let width = Int(cairo_image_surface_get_width(surface))
        let height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard width > 0, height > 0, let data = cairo_image_surface_get_data(surface) else {
            throw TaskError("image \(path): empty image")
        }
        let premultiplied = format == CAIRO_FORMAT_ARGB32
        var rgb = [Double](repeating: 0, count: width * height * 3)
        let raw = UnsafeRawPointer(data)
        for row in 0..<height {
            for column in 0..<width {
                // Cairo pixels are native-endian 32-bit words 0xAARRGGBB.
                let word = raw.load(fromByteOffset: row * stride + 4 * column, as: UInt32.self)
                var r = Double((word >> 16) & 0xFF)
                var g = Double((word >> 8) & 0xFF)
                var b = Double(word & 0xFF)
                if premultiplied {
                    let a = Double(word >> 24)
                    if a > 0 {
                        r = min(255, (r * 255 / a).rounded())
                        g = min(255, (g * 255 / a).rounded())
                        b = min(255, (b * 255 / a).rounded())
                    }
                }
                let i = (row * width + column) * 3
                rgb[i] = r / 255
                rgb[i + 1] = g / 255
                rgb[i + 2] = b / 255
            }
        }
        let image = Image(width: width, height: height, channels: 3, pixels: rgb)
        return colour == .rgb ? image : image.converted(to: .grey)
    }

    /// Writes the image as an 8-bit PNG through Cairo (values clamped to [0, 1], × 255, rounded).
    /// Throws a ``TaskError`` naming the path when Cairo cannot write it.
    public func writePNG(to path: String) throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height))
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS,
              let data = cairo_image_surface_get_data(surface) else {
            throw TaskError("image \(path): cannot allocate a \(width)x\(height) surface")
        }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        let raw = UnsafeMutableRawPointer(data)
        func byte(_ value: Double) -> UInt32 {
            UInt32((min(max(value, 0), 1) * 255).rounded())
        }
        for row in 0..<height {
            for column in 0..<width {
                let r = byte(self[row, column, 0])
                let g = channels == 3 ? byte(self[row, column, 1]) : r
                let b = channels == 3 ? byte(self[row, column, 2]) : r
                let red: UInt32 = r << 16
                let green: UInt32 = g << 8
                let word: UInt32 = 0xFF00_0000 | red | green | b
                raw.storeBytes(of: word, toByteOffset: row * stride + 4 * column, as: UInt32.self)
            }
        }
        cairo_surface_mark_dirty(surface)
        let status = cairo_surface_write_to_png(surface, path)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw TaskError("image \(path): cannot write PNG (\(String(cString: cairo_status_to_string(status))))")
        }
    }

    // MARK: Conversions

    /// Grey (BT.709 luminance 0.2125 R + 0.7154 G + 0.0721 B) or RGB (grey repeated).
    public func converted(to colour: Colour) -> Image {
        switch (channels, colour) {
        case (1, .grey), (3, .rgb):
            return self
        case (3, .grey):
            let grey = (0..<(width * height)).map { (i: Int) -> Double in
                let r = 0.2125 * pixels[3 * i]
                let g = 0.7154 * pixels[3 * i + 1]
                let b = 0.0721 * pixels[3 * i + 2]
                return r + g + b
            }
            return Image(width: width, height: height, channels: 1, pixels: grey)
        default:
            return Image(width: width, height: height, channels: 3, pixels: pixels.flatMap { [$0, $0, $0] })
        }
    }

    /// The rectangle of `width` x `height` pixels with top-left corner (row, column).
    public func cropped(row: Int, column: Int, width: Int, height: Int) -> Image {
        precondition(row >= 0 && column >= 0 && width > 0 && height > 0
                     && row + height <= self.height && column + width <= self.width,
                     "Image.cropped: \(width)x\(height) at (\(row), \(column)) outside \(self.width)x\(self.height)")
        var result = [Double]()
        result.reserveCapacity(width * height * channels)
        for r in row..<(row + height) {
            let start = (r * self.width + column) * channels
            result.append(contentsOf: pixels[start ..< start + width * channels])
        }
        return Image(width: width, height: height, channels: channels, pixels: result)
    }

    /// The centred `width` x `height` rectangle: top-left at ((H - height)/2, (W - width)/2)
    /// rounded down, which is Tancik et al.'s `image[c0-r:c0+r, c1-r:c1+r]` with c = shape // 2
    /// for even sizes.
    public func centreCropped(width: Int, height: Int) -> Image {
        cropped(row: (self.height - height) / 2, column: (self.width - width) / 2, width: width, height: height)
    }

    /// The largest centred square.
    public func centreCroppedToSquare() -> Image {
        let side = min(width, height)
        return centreCropped(width: side, height: side)
    }

    /// Resampled to `width` x `height` with a box (area-averaging) filter, separably: output pixel
    /// o along an axis of scale s = old/new averages the source over [o·s, (o+1)·s), each source
    /// pixel weighted by its overlap. Exact averaging for integer downscales (2x2 means at
    /// half size); upscaling repeats pixels (nearest neighbour with partial blends at fractional
    /// edges). Constant images stay constant to rounding.
    public func resized(width: Int, height: Int) -> Image {
        precondition(width > 0 && height > 0, "Image.resized: sizes must be positive")
        if width == self.width && height == self.height { return self }
        let columnWeights = Self.areaWeights(from: self.width, to: width)
        let rowWeights = Self.areaWeights(from: self.height, to: height)
        // Columns first: height x width(new) x channels.
        var horizontal = [Double](repeating: 0, count: self.height * width * channels)
        for r in 0..<self.height {
            for (o, weights) in columnWeights.enumerated() {
                for (source, w) in weights {
                    for c in 0..<channels {
                        horizontal[(r * width + o) * channels + c] += w * pixels[(r * self.width + source) * channels + c]
                    }
                }
            }
        }
        var result = [Double](repeating: 0, count: height * width * channels)
        for (o, weights) in rowWeights.enumerated() {
            for (source, w) in weights {
                for i in 0..<(width * channels) {
                    result[o * width * channels + i] += w * horizontal[source * width * channels + i]
                }
            }
        }
        return Image(width: width, height: height, channels: channels, pixels: result)
    }

    /// For each output index, the source indices and their normalised overlap weights.
    static func areaWeights(from old: Int, to new: Int) -> [[(Int, Double)]] {
        let scale = Double(old) / Double(new)
        return (0..<new).map { o in
            let start = Double(o) * scale
            let end = Double(o + 1) * scale
            var weights = [(Int, Double)]()
            var i = Int(start.rounded(.down))
            while Double(i) < end && i < old {
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                if overlap > 1e-12 { weights.append((i, overlap / scale)) }
                i += 1
            }
            return weights
        }
    }
}
