import CCairo
import CFreeType
import CHarfBuzz
import Foundation

/// Tancik et al.'s "Text" images (NeurIPS 2020, App. E.1: "random strings with random sizes and
/// colours on a white background", 512 × 512), drawn from a seed: the strings are shaped by
/// HarfBuzz and drawn by Cairo from one named font file (DejaVu Sans, from Debian's
/// `fonts-dejavu-core`), never a font fontconfig picks, so the image does not depend on the
/// machine's font setup.
///
/// Every draw comes from ``TaskRandom`` seeded with `seed` (identical on every machine); the
/// images of two seeds are independent. The strings are lines from the top down: a first gap,
/// then per line its characters, size, colour and horizontal position and the gap below it,
/// while the next line fits above the bottom edge (about 6 to 12 lines at 512). Per line:
/// - 4 to 12 characters from `A–Z a–z 0–9` (uniform);
/// - a font size (the em, in pixels) of 4 % to 16 % of the side (20 to 82 px at 512);
/// - an RGB colour with each channel uniform in [0, 1), redrawn while its BT.709 luminance is above
///   0.6 (so that no string is near-invisible on white);
/// - the left end of its baseline uniform over the positions that keep the string's advance inside
///   the image (a string wider than the image starts at 0 and is cut at the right edge), its top
///   (the font's ascent above the baseline) 0 to 4 % of the side below the previous line's bottom
///   (its descent below the baseline).
/// Glyphs are unhinted outlines with grey antialiasing; pixels are Cairo's 8-bit values / 255.
///
/// The bytes depend on the font file (whose SHA-256 ``fontDigest`` the run key holds) and on the
/// Cairo/pixman rasteriser and FreeType outline versions, like any drawing; not on the machine.
public enum TextImage {
    /// The font: DejaVu Sans Book, as installed by `fonts-dejavu-core` (scripts/setup.sh).
    public static let fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    /// The paper's side: the images are drawn at 512 × 512 and resized afterwards if asked.
    public static let side = 512
    /// The gap above each line, as a fraction of the side (uniform from 0).
    public static let lineGap = 0.04
    /// Characters per string.
    public static let stringLengths = 4...12
    /// Font size as a fraction of the side.
    public static let sizeFractions = 0.04...0.16
    /// Largest BT.709 luminance of a string's colour.
    public static let brightestColour = 0.6
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// One drawn string: its text, em size in pixels, RGB colour in [0, 1) and baseline origin
    /// (x from the left, y from the top, in pixels).
    public struct TextString: Sendable, Equatable {
        public var text: String
        public var size: Double
        public var colour: [Double]
        public var x: Double
        public var y: Double
    }

    /// The image of `seed`, `side` × `side` RGB. Throws a ``TaskError`` when the font cannot be
    /// loaded (install `fonts-dejavu-core`) or Cairo fails.
    public static func render(seed: UInt64, side: Int = TextImage.side) throws -> Image {
        precondition(side > 0, "TextImage: the side must be positive")
        return try Font.shared.get().draw(seed: seed, side: side)
    }

    /// The strings of `seed` at `side`, as ``render(seed:side:)`` draws them.
    public static func strings(seed: UInt64, side: Int = TextImage.side) throws -> [TextString] {
        try Font.shared.get().layout(seed: seed, side: side).map(\.string)
    }

    /// SHA-256 input of the run key: the font file's bytes (nil when it cannot be read).
    public static func fontBytes() -> Data? { FileManager.default.contents(atPath: fontPath) }

    /// The loaded font: HarfBuzz's face (shaping) and a FreeType face for Cairo (drawing), used
    /// under a lock because FreeType faces are not thread-safe. Kept for the life of the process.
    final class Font: @unchecked Sendable {
        static let shared: Result<Font, TaskError> = {
            do { return .success(try Font(path: TextImage.fontPath)) } catch let e as TaskError { return .failure(e) } catch {
                return .failure(TaskError("text image: \(error)"))
            }
        }()

        private let lock = NSLock()
        private let hbFont: OpaquePointer
        private let cairoFace: OpaquePointer
        /// HarfBuzz units per em, and the font's ascent and descent in em (descent positive).
        private let unitsPerEm: Double
        private let ascent: Double
        private let descent: Double

        init(path: String) throws {
            guard FileManager.default.fileExists(atPath: path) else {
                throw TaskError("text image: no font at \(path) (install fonts-dejavu-core)")
            }
            // Shaping: HarfBuzz's own OpenType functions on the file (its scale is the font's units
            // per em, so positions are exact font units; no hinting, no FreeType).
            guard let blob = hb_blob_create_from_file(path), hb_blob_get_length(blob) > 0,
                  let hbFace = hb_face_create(blob, 0), let hb = hb_font_create(hbFace) else {
                throw TaskError("text image: HarfBuzz cannot read the font \(path)")
            }
            hb_face_destroy(hbFace)
            hb_blob_destroy(blob)
            var xScale: Int32 = 0, yScale: Int32 = 0
            hb_font_get_scale(hb, &xScale, &yScale)
            var extents = hb_font_extents_t()
            hb_font_get_h_extents(hb, &extents)
            // Drawing: Cairo on a FreeType face of the same file (unhinted outlines).
            var library: FT_Library?
            guard FT_Init_FreeType(&library) == 0, let library else { throw TaskError("text image: FreeType cannot start") }
            var face: FT_Face?
            guard FT_New_Face(library, path, 0, &face) == 0, let face else {
                throw TaskError("text image: FreeType cannot load the font \(path)")
            }
            guard let cairo = cairo_ft_font_face_create_for_ft_face(face, Int32(FT_LOAD_NO_HINTING)) else {
                throw TaskError("text image: Cairo cannot use \(path)")
            }
            hbFont = hb
            cairoFace = cairo
            unitsPerEm = Double(xScale)
            ascent = Double(extents.ascender) / Double(xScale)
            descent = -Double(extents.descender) / Double(xScale)
        }

        struct Shaped {
            var string: TextString
            var glyphs: [cairo_glyph_t]
        }

        /// The seed's strings, shaped and placed.
        func layout(seed: UInt64, side: Int) -> [Shaped] {
            lock.lock()
            defer { lock.unlock() }
            var random = TaskRandom(seed: seed)
            func integer(_ range: ClosedRange<Int>) -> Int {
                range.lowerBound + min(range.count - 1, Int(random.unit() * Double(range.count)))
            }
            let side = Double(side)
            var lines: [Shaped] = []
            var top = random.unit() * TextImage.lineGap * side
            while true {
                let text = String((0..<integer(TextImage.stringLengths)).map { _ in TextImage.alphabet[integer(0...(TextImage.alphabet.count - 1))] })
                let fractions = TextImage.sizeFractions
                let size = side * (fractions.lowerBound + random.unit() * (fractions.upperBound - fractions.lowerBound))
                var colour: [Double]
                repeat {
                    colour = [random.unit(), random.unit(), random.unit()]
                } while 0.2125 * colour[0] + 0.7154 * colour[1] + 0.0721 * colour[2] > TextImage.brightestColour
                let (glyphs, advance) = shape(text, size: size)
                let y = top + ascent * size, bottom = y + descent * size
                guard bottom <= side else { return lines }
                let x = random.unit() * max(0, side - advance)
                let placed = glyphs.map { cairo_glyph_t(index: $0.index, x: $0.x + x, y: $0.y + y) }
                lines.append(Shaped(string: TextString(text: text, size: size, colour: colour, x: x, y: y), glyphs: placed))
                top = bottom + random.unit() * TextImage.lineGap * side
            }
        }

        /// HarfBuzz's glyphs of `text` at `size` px, positioned from the origin, and the advance.
        private func shape(_ text: String, size: Double) -> ([cairo_glyph_t], Double) {
            guard let buffer = hb_buffer_create() else { return ([], 0) }
            defer { hb_buffer_destroy(buffer) }
            let utf8 = Array(text.utf8).map { CChar(bitPattern: $0) }
            hb_buffer_add_utf8(buffer, utf8, Int32(utf8.count), 0, Int32(utf8.count))
            hb_buffer_guess_segment_properties(buffer)
            hb_shape(hbFont, buffer, nil, 0)
            var count: UInt32 = 0
            guard let infos = hb_buffer_get_glyph_infos(buffer, &count),
                  let positions = hb_buffer_get_glyph_positions(buffer, &count) else { return ([], 0) }
            let k = size / unitsPerEm
            var x = 0.0, y = 0.0
            var glyphs: [cairo_glyph_t] = []
            for i in 0..<Int(count) {
                let p = positions[i]
                glyphs.append(cairo_glyph_t(index: UInt(infos[i].codepoint), x: x + Double(p.x_offset) * k, y: y - Double(p.y_offset) * k))
                x += Double(p.x_advance) * k
                y -= Double(p.y_advance) * k
            }
            return (glyphs, x)
        }

        /// Draws the seed's strings on white and reads the pixels back.
        func draw(seed: UInt64, side: Int) throws -> Image {
            let strings = layout(seed: seed, side: side)
            lock.lock()
            defer { lock.unlock() }
            let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(side), Int32(side))
            defer { cairo_surface_destroy(surface) }
            guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let cr = cairo_create(surface) else {
                throw TaskError("text image: cannot allocate a \(side)x\(side) surface")
            }
            defer { cairo_destroy(cr) }
            let options = cairo_font_options_create()
            cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
            cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
            cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
            cairo_set_font_options(cr, options)
            cairo_font_options_destroy(options)
            cairo_set_source_rgb(cr, 1, 1, 1)
            cairo_paint(cr)
            cairo_set_font_face(cr, cairoFace)
            for shaped in strings {
                let c = shaped.string.colour
                cairo_set_source_rgb(cr, c[0], c[1], c[2])
                cairo_set_font_size(cr, shaped.string.size)
                var glyphs = shaped.glyphs
                cairo_show_glyphs(cr, &glyphs, Int32(glyphs.count))
            }
            cairo_surface_flush(surface)
            let status = cairo_status(cr)
            guard status == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else {
                throw TaskError("text image: Cairo failed (\(String(cString: cairo_status_to_string(status))))")
            }
            let stride = Int(cairo_image_surface_get_stride(surface))
            let raw = UnsafeRawPointer(data)
            var pixels = [Double](repeating: 0, count: side * side * 3)
            for row in 0..<side {
                for column in 0..<side {
                    // Native-endian 32-bit words 0x_RRGGBB (RGB24: the top byte is unused).
                    let word = raw.load(fromByteOffset: row * stride + 4 * column, as: UInt32.self)
                    let i = (row * side + column) * 3
                    pixels[i] = Double((word >> 16) & 0xFF) / 255
                    pixels[i + 1] = Double((word >> 8) & 0xFF) / 255
                    pixels[i + 2] = Double(word & 0xFF) / 255
                }
            }
            return Image(width: side, height: side, channels: 3, pixels: pixels)
        }
    }
}
