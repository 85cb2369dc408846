import Foundation
import CCairo
import CFontconfig
import CFreeType
import CHarfBuzz

/// A font file chosen by fontconfig: the renderer opens its own face from this.
struct FontRef: Hashable {
    var path: String
    var index: Int
}

enum FontWeight: Hashable {
    case regular, bold
}

/// One shaped run: glyph ids and pen positions (CSS px, relative to the layout origin at the
/// left end of the baseline, y down), all at one font size.
struct GlyphRun {
    var font: FontRef
    var size: Double
    var glyphs: [UInt32]
    var xs: [Double]
    var ys: [Double]
}

/// Shaped text: width from HarfBuzz advances; ascent and descent from the font's metrics (not
/// the ink), so labels with and without descenders line up.
struct TextLayout {
    var runs: [GlyphRun]
    var width: Double
    var ascent: Double
    var descent: Double
    var height: Double { ascent + descent }
}

enum PlottingError: Error, CustomStringConvertible {
    case fontNotFound(String)
    case cairo(String)
    case invalidData(String)

    var description: String {
        switch self {
        case .fontNotFound(let s): return "Plotting: font not found: \(s) (install fonts-dejavu-core)"
        case .cairo(let s): return "Plotting: Cairo error: \(s)"
        case .invalidData(let s): return "Plotting: invalid data: \(s)"
        }
    }
}

/// Text shaping: fontconfig picks the file, FreeType loads it, HarfBuzz (`hb_ft_font_create`)
/// shapes every string (kerning, ligatures, combining marks). Shaping results are cached; all
/// access is serialised by a lock because FreeType faces are not thread-safe.
final class TextEngine: @unchecked Sendable {
    static let shared: Result<TextEngine, PlottingError> = {
        do { return .success(try TextEngine()) } catch let e as PlottingError { return .failure(e) } catch {
            return .failure(.fontNotFound("\(error)"))
        }
    }()

    static func get() throws -> TextEngine { try shared.get() }

    private struct Face {
        var ref: FontRef
        var ftFace: FT_Face
        var hbFont: OpaquePointer
        var scale: Double      // HarfBuzz units per em
        var ascender: Double   // em
        var descender: Double  // em, positive below the baseline
    }

    private let lock = NSLock()
    private var library: FT_Library?
    private var faces: [FontWeight: Face] = [:]
    private struct CacheKey: Hashable { var text: RichText; var size: Double; var weight: FontWeight }
    private var cache: [CacheKey: TextLayout] = [:]

    private init() throws {
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { throw PlottingError.fontNotFound("FreeType init failed") }
        library = lib
        for (weight, pattern) in [(FontWeight.regular, "DejaVu Sans:style=Book"), (.bold, "DejaVu Sans:style=Bold")] {
            let ref = try TextEngine.match(pattern)
            var face: FT_Face?
            guard FT_New_Face(lib, ref.path, FT_Long(ref.index), &face) == 0, let face else {
                throw PlottingError.fontNotFound(ref.path)
            }
            // One pixel per font unit: FreeType's 26.6 advances are then exact font units, so
            // HarfBuzz positions carry no rounding (hinting is off as well).
            let upem = FT_F26Dot6(face.pointee.units_per_EM)
            FT_Set_Char_Size(face, 0, upem * 64, 72, 72)
            guard let hb = hb_ft_font_create(face, nil) else { throw PlottingError.fontNotFound("hb_ft_font_create") }
            hb_ft_font_set_load_flags(hb, Int32(FT_LOAD_DEFAULT) | Int32(FT_LOAD_NO_HINTING))
            var xs: Int32 = 0, ys: Int32 = 0
            hb_font_get_scale(hb, &xs, &ys)
            var ext = hb_font_extents_t()
            hb_font_get_h_extents(hb, &ext)
            let scale = Double(xs)
            faces[weight] = Face(ref: ref, ftFace: face, hbFont: hb, scale: scale,
                                 ascender: Double(ext.ascender) / scale, descender: -Double(ext.descender) / scale)
        }
    }

    /// fontconfig: FcFontMatch for the pattern; must resolve to DejaVu Sans (the figures' metrics
    /// and the tests assume it).
    static func match(_ name: String) throws -> FontRef {
        guard let config = FcInitLoadConfigAndFonts() else { throw PlottingError.fontNotFound("fontconfig init failed") }
        defer { FcConfigDestroy(config) }
        guard let pattern = FcNameParse(name) else { throw PlottingError.fontNotFound(name) }
        defer { FcPatternDestroy(pattern) }
        FcConfigSubstitute(config, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let font = FcFontMatch(config, pattern, &result) else { throw PlottingError.fontNotFound(name) }
        defer { FcPatternDestroy(font) }
        var file: UnsafeMutablePointer<FcChar8>?
        var family: UnsafeMutablePointer<FcChar8>?
        var index: Int32 = 0
        guard FcPatternGetString(font, "file", 0, &file) == FcResultMatch, let file else {
            throw PlottingError.fontNotFound(name)
        }
        _ = FcPatternGetInteger(font, "index", 0, &index)
        _ = FcPatternGetString(font, "family", 0, &family)
        let fam = family.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? ""
        let path = String(cString: UnsafeRawPointer(file).assumingMemoryBound(to: CChar.self))
        guard fam.hasPrefix("DejaVu Sans") else {
            throw PlottingError.fontNotFound("\(name) (fontconfig matched \(fam) at \(path))")
        }
        return FontRef(path: path, index: Int(index))
    }

    /// Shape `text` at `size` px. Runs with `scale`/`rise` are shaped at the smaller size and raised.
    func layout(_ text: RichText, size: Double, weight: FontWeight = .regular) -> TextLayout {
        lock.lock()
        defer { lock.unlock() }
        let key = CacheKey(text: text, size: size, weight: weight)
        if let hit = cache[key] { return hit }
        let face = faces[weight]!
        var runs: [GlyphRun] = []
        var penX = 0.0
        var ascent = face.ascender * size
        var descent = face.descender * size
        for run in text.runs where !run.text.isEmpty {
            let runSize = size * run.scale
            let (glyphs, xs, ys, advance) = shape(run.text, face: face, size: runSize)
            let dy = -run.rise * size
            runs.append(GlyphRun(font: face.ref, size: runSize, glyphs: glyphs, xs: xs.map { $0 + penX },
                                 ys: ys.map { $0 + dy }))
            penX += advance
            ascent = max(ascent, face.ascender * runSize + run.rise * size)
            descent = max(descent, face.descender * runSize - run.rise * size)  // subscripts go lower
        }
        let layout = TextLayout(runs: runs, width: penX, ascent: ascent, descent: descent)
        if cache.count > 20_000 { cache.removeAll() }
        cache[key] = layout
        return layout
    }

    /// Labels may hold TeX-subset math between `$…$` (see `TeXLabel`).
    func layout(_ text: String, size: Double, weight: FontWeight = .regular) -> TextLayout {
        layout(TeXLabel.richText(text), size: size, weight: weight)
    }

    /// Glyph ids, pen positions and total advance of `text` (one direction, one script as guessed
    /// by HarfBuzz) at `size` px.
    private func shape(_ text: String, face: Face, size: Double) -> ([UInt32], [Double], [Double], Double) {
        guard let buffer = hb_buffer_create() else { return ([], [], [], 0) }
        defer { hb_buffer_destroy(buffer) }
        let utf8 = Array(text.utf8)
        utf8.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { c in
                hb_buffer_add_utf8(buffer, c.baseAddress, Int32(c.count), 0, Int32(c.count))
            }
        }
        hb_buffer_guess_segment_properties(buffer)
        hb_shape(face.hbFont, buffer, nil, 0)
        var count: UInt32 = 0
        let infos = hb_buffer_get_glyph_infos(buffer, &count)
        let positions = hb_buffer_get_glyph_positions(buffer, &count)
        var glyphs: [UInt32] = [], xs: [Double] = [], ys: [Double] = []
        glyphs.reserveCapacity(Int(count))
        let k = size / face.scale
        var x = 0.0, y = 0.0
        for i in 0..<Int(count) {
            let info = infos![i], pos = positions![i]
            glyphs.append(info.codepoint)
            xs.append(x + Double(pos.x_offset) * k)
            ys.append(y - Double(pos.y_offset) * k)
            x += Double(pos.x_advance) * k
            y -= Double(pos.y_advance) * k
        }
        return (glyphs, xs, ys, x)
    }

    /// Total advance of `text` shaped as one string, in em (for the shaping tests).
    func advanceInEm(_ text: String) -> Double {
        lock.lock()
        defer { lock.unlock() }
        let face = faces[.regular]!
        return shape(text, face: face, size: 1).3
    }

    /// Glyph count of `text` after shaping (a ligature makes it smaller than the character count).
    func glyphCount(_ text: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return shape(text, face: faces[.regular]!, size: 1).0.count
    }
}

/// The versions of the drawing libraries, for provenance records.
public enum DrawingLibraries {
    public static var cairo: String { "cairo " + String(cString: cairo_version_string()) }
    public static var harfBuzz: String { "HarfBuzz " + String(cString: hb_version_string()) }
}
