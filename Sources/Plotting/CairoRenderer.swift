import Foundation
import CCairo
import CFreeType

/// Renderer on a Cairo context: SVG (document unit px) or PNG (ARGB32 image surface, scaled).
final class CairoRenderer: Renderer {
    let cr: OpaquePointer
    /// SVG: give Cairo the PNG bytes of each image (fast libpng settings) as MIME data, which
    /// its SVG surface embeds as-is instead of encoding the image with libpng's slow defaults.
    let attachPNG: Bool

    init(context: OpaquePointer, attachPNG: Bool = false) {
        cr = context
        self.attachPNG = attachPNG
        let options = cairo_font_options_create()
        // Unhinted outlines and metrics: glyphs land exactly where HarfBuzz put them.
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(cr, options)
        cairo_font_options_destroy(options)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT)
    }

    private func setColor(_ c: Color) {
        cairo_set_source_rgba(cr, c.red, c.green, c.blue, c.alpha)
    }

    private func addPath(_ path: Path) {
        cairo_new_path(cr)
        for e in path.elements {
            switch e {
            case .move(let p): cairo_move_to(cr, p.x, p.y)
            case .line(let p): cairo_line_to(cr, p.x, p.y)
            case .close: cairo_close_path(cr)
            }
        }
    }

    func fill(_ path: Path, color: Color) {
        guard !path.isEmpty else { return }
        addPath(path)
        setColor(color)
        cairo_fill(cr)
    }

    func stroke(_ path: Path, color: Color, width: Double, dash: [Double]) {
        guard !path.isEmpty else { return }
        addPath(path)
        setColor(color)
        cairo_set_line_width(cr, width)
        if dash.isEmpty {
            cairo_set_dash(cr, nil, 0, 0)
        } else {
            dash.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) }
        }
        cairo_stroke(cr)
        cairo_set_dash(cr, nil, 0, 0)
    }

    func dots(_ centres: [Point], radius: Double, color: Color) {
        guard !centres.isEmpty else { return }
        cairo_new_path(cr)
        for p in centres {
            cairo_new_sub_path(cr)
            cairo_arc(cr, p.x, p.y, radius, 0, 2 * Double.pi)
        }
        setColor(color)
        cairo_fill(cr)
    }

    func image(_ image: RasterImage, in rect: Rect) {
        guard image.width > 0, image.height > 0, rect.width > 0, rect.height > 0 else { return }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(image.width), Int32(image.height))
        else { return }
        defer { cairo_surface_destroy(surface) }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else { return }
        image.rgba.withUnsafeBufferPointer { src in
            for row in 0..<image.height {
                let line = UnsafeMutableRawPointer(data + row * stride).assumingMemoryBound(to: UInt32.self)
                for col in 0..<image.width {
                    let i = (row * image.width + col) * 4
                    let a = UInt32(src[i + 3])
                    // Premultiplied, native-endian ARGB.
                    let r = (UInt32(src[i]) * a + 127) / 255
                    let g = (UInt32(src[i + 1]) * a + 127) / 255
                    let b = (UInt32(src[i + 2]) * a + 127) / 255
                    line[col] = (a << 24) | (r << 16) | (g << 8) | b
                }
            }
        }
        cairo_surface_mark_dirty(surface)
        if attachPNG {
            if let png = image.png(), let copy = malloc(png.count) {
                png.copyBytes(to: copy.assumingMemoryBound(to: UInt8.self), count: png.count)
                let status = cairo_surface_set_mime_data(surface, "image/png", copy.assumingMemoryBound(to: UInt8.self),
                                                         UInt(png.count), { free($0) }, copy)
                if status != CAIRO_STATUS_SUCCESS { free(copy) }
            }
        }
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cr)
        cairo_translate(cr, rect.x, rect.y)
        cairo_scale(cr, rect.width / Double(image.width), rect.height / Double(image.height))
        cairo_set_source_surface(cr, surface, 0, 0)
        let pattern = cairo_get_source(cr)
        cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
        cairo_pattern_set_extend(pattern, CAIRO_EXTEND_PAD)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    func text(_ layout: TextLayout, origin: Point, angle: Double, color: Color) {
        guard !layout.runs.isEmpty else { return }
        cairo_save(cr)
        cairo_translate(cr, origin.x, origin.y)
        if angle != 0 { cairo_rotate(cr, angle) }
        setColor(color)
        for run in layout.runs where !run.glyphs.isEmpty {
            guard let face = CairoFonts.face(for: run.font) else { continue }
            cairo_set_font_face(cr, face)
            cairo_set_font_size(cr, run.size)
            var glyphs = [cairo_glyph_t](repeating: cairo_glyph_t(), count: run.glyphs.count)
            for i in 0..<run.glyphs.count {
                glyphs[i] = cairo_glyph_t(index: UInt(run.glyphs[i]), x: run.xs[i], y: run.ys[i])
            }
            cairo_show_glyphs(cr, &glyphs, Int32(glyphs.count))
        }
        cairo_restore(cr)
    }

    func pushClip(_ rect: Rect) {
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(cr)
    }

    func popClip() {
        cairo_restore(cr)
    }
}

/// Cairo font faces made from FreeType faces of the files fontconfig chose (their own FT_Library,
/// separate from the shaping faces, since Cairo sets sizes on the faces it uses). Kept for the
/// life of the process.
enum CairoFonts {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var library: FT_Library?
    nonisolated(unsafe) private static var faces: [FontRef: OpaquePointer] = [:]

    static func face(for ref: FontRef) -> OpaquePointer? {
        lock.lock()
        defer { lock.unlock() }
        if let f = faces[ref] { return f }
        if library == nil {
            var lib: FT_Library?
            guard FT_Init_FreeType(&lib) == 0 else { return nil }
            library = lib
        }
        var ft: FT_Face?
        guard FT_New_Face(library, ref.path, FT_Long(ref.index), &ft) == 0, let ft else { return nil }
        guard let face = cairo_ft_font_face_create_for_ft_face(ft, Int32(FT_LOAD_NO_HINTING)) else { return nil }
        faces[ref] = face
        return face
    }
}

/// Cairo surfaces for the three output formats (SVG, PNG, PDF).
enum CairoOutput {
    final class Sink {
        var data = Data()
    }

    /// Draws on a vector surface that writes to memory, and returns its bytes. `makeSurface`
    /// creates the surface on Cairo's write callback (and sets its options); `prepare` adjusts
    /// the context (e.g. a scale) before drawing. Both statuses are checked after `finish`.
    private static func stream(kind: String, attachPNG: Bool = false,
                               makeSurface: (cairo_write_func_t, UnsafeMutableRawPointer) -> OpaquePointer?,
                               prepare: (OpaquePointer) -> Void = { _ in },
                               draw: (CairoRenderer) throws -> Void) throws -> Data {
        let sink = Sink()
        let closure: cairo_write_func_t = { closure, bytes, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            if let bytes { sink.data.append(bytes, count: Int(length)) }
            return CAIRO_STATUS_SUCCESS
        }
        let opaque = Unmanaged.passUnretained(sink).toOpaque()
        guard let surface = makeSurface(closure, opaque) else { throw PlottingError.cairo("cannot create \(kind) surface") }
        guard let cr = cairo_create(surface) else { cairo_surface_destroy(surface); throw PlottingError.cairo("cannot create context") }
        prepare(cr)
        do {
            try draw(CairoRenderer(context: cr, attachPNG: attachPNG))
        } catch {
            cairo_destroy(cr); cairo_surface_destroy(surface)
            throw error
        }
        let status = cairo_status(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let surfaceStatus = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        withExtendedLifetime(sink) {}
        guard status == CAIRO_STATUS_SUCCESS, surfaceStatus == CAIRO_STATUS_SUCCESS else {
            throw PlottingError.cairo(String(cString: cairo_status_to_string(status != CAIRO_STATUS_SUCCESS ? status : surfaceStatus)))
        }
        return sink.data
    }

    static func svg(width: Double, height: Double, draw: (CairoRenderer) throws -> Void) throws -> Data {
        try stream(kind: "SVG", attachPNG: PNGEncoder.isAvailable, makeSurface: { write, closure in
            guard let surface = cairo_svg_surface_create_for_stream(write, closure, width, height) else { return nil }
            cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1)
            cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PX)
            return surface
        }, draw: draw)
    }

    /// PDF points per CSS px (96 px = 72 pt = 1 inch), so a figure prints at its screen size.
    static let pdfPointsPerPixel = 0.75

    /// One-page PDF. Cairo 1.16 stamps `/CreationDate` from the clock; an empty date leaves the
    /// entry out (and no `/ModDate` is written unless set), so the bytes depend only on the
    /// figure. Font subsets are named from their glyphs, not at random.
    static func pdf(width: Double, height: Double, title: String, draw: (CairoRenderer) throws -> Void) throws -> Data {
        let k = pdfPointsPerPixel
        return try stream(kind: "PDF", makeSurface: { write, closure in
            guard let surface = cairo_pdf_surface_create_for_stream(write, closure, width * k, height * k) else { return nil }
            cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, "")
            if !title.isEmpty { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "mgdl-report")
            return surface
        }, prepare: { cairo_scale($0, k, k) }, draw: draw)
    }

    static func png(width: Double, height: Double, scale: Double, draw: (CairoRenderer) throws -> Void) throws -> Data {
        let w = Int32(max(1, (width * scale).rounded(.up)))
        let h = Int32(max(1, (height * scale).rounded(.up)))
        // Opaque figures: RGB24, written as 8-bit RGB.
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h) else {
            throw PlottingError.cairo("cannot create image surface")
        }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { throw PlottingError.cairo("cannot create context") }
        cairo_scale(cr, scale, scale)
        do { try draw(CairoRenderer(context: cr)) } catch { cairo_destroy(cr); throw error }
        let status = cairo_status(cr)
        cairo_destroy(cr)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlottingError.cairo(String(cString: cairo_status_to_string(status))) }
        cairo_surface_flush(surface)
        if let base = cairo_image_surface_get_data(surface),
           let fast = PNGEncoder.encode(base, width: Int(w), height: Int(h),
                                        stride: Int(cairo_image_surface_get_stride(surface)), layout: .bgrx) {
            return fast
        }
        let sink = Sink()
        let closure: cairo_write_func_t = { closure, bytes, length in
            let sink = Unmanaged<Sink>.fromOpaque(closure!).takeUnretainedValue()
            if let bytes { sink.data.append(bytes, count: Int(length)) }
            return CAIRO_STATUS_SUCCESS
        }
        let writeStatus = cairo_surface_write_to_png_stream(surface, closure, Unmanaged.passUnretained(sink).toOpaque())
        guard writeStatus == CAIRO_STATUS_SUCCESS else {
            throw PlottingError.cairo(String(cString: cairo_status_to_string(writeStatus)))
        }
        return sink.data
    }

    /// Decodes PNG bytes to (width, height, premultiplied native-endian ARGB32 pixels).
    static func decodePNG(_ data: Data) -> (width: Int, height: Int, pixels: [UInt32])? {
        final class Source { let bytes: [UInt8]; var offset = 0; init(_ d: Data) { bytes = [UInt8](d) } }
        let source = Source(data)
        let read: cairo_read_func_t = { closure, out, length in
            let s = Unmanaged<Source>.fromOpaque(closure!).takeUnretainedValue()
            let n = Int(length)
            guard s.offset + n <= s.bytes.count, let out else { return CAIRO_STATUS_READ_ERROR }
            s.bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + s.offset, count: n) }
            s.offset += n
            return CAIRO_STATUS_SUCCESS
        }
        guard let surface = cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(source).toOpaque())
        else { return nil }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return nil }
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let base = cairo_image_surface_get_data(surface) else { return nil }
        var out = [UInt32](repeating: 0, count: w * h)
        for row in 0..<h {
            let line = UnsafeRawPointer(base + row * stride).assumingMemoryBound(to: UInt32.self)
            for col in 0..<w { out[row * w + col] = line[col] }
        }
        withExtendedLifetime(source) {}
        return (w, h, out)
    }
}
