import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// PNG encoding by libpng with settings chosen for figures: one filter (UP) instead of libpng's
/// per-row search over all five, and zlib level 1 with the default strategy. UP suits figures:
/// background, heatmap cells and nearest-neighbour-scaled image pixels repeat row after row, so
/// most filtered rows are zero (measured on the benchmark figures: faster and smaller than SUB). Cairo's own
/// `cairo_surface_write_to_png_stream` uses libpng's defaults, which cost ~90% of a PNG render
/// (measured: 30 ms of 34 ms for a 1280×840 heatmap) for files about as small (that heatmap: 49 KB here).
///
/// libpng is the library Cairo itself links (libpng16.so.16); Package.swift has no shim for it,
/// so its entry points are looked up with dlopen/dlsym. If that fails, callers fall back to
/// Cairo's encoder. libpng reports errors by longjmp; none can occur with the valid parameters
/// used here except out-of-memory, where libpng aborts (as Cairo would fail).
enum PNGEncoder {
    enum Layout {
        /// Cairo RGB24/ARGB32 memory on little-endian: B, G, R, X bytes; written as RGB.
        case bgrx
        /// Straight RGBA bytes; written as RGBA, or as RGB when every alpha is 255.
        case rgba
    }

    private typealias ErrorFn = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void
    private typealias WriteFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int) -> Void
    private typealias FlushFn = @convention(c) (OpaquePointer?) -> Void

    private struct API {
        let getVersion: @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
        let createWrite: @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?, ErrorFn?, ErrorFn?) -> OpaquePointer?
        let createInfo: @convention(c) (OpaquePointer?) -> OpaquePointer?
        let setWriteFn: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, WriteFn?, FlushFn?) -> Void
        let getIOPtr: @convention(c) (OpaquePointer?) -> UnsafeMutableRawPointer?
        let setIHDR: @convention(c) (OpaquePointer?, OpaquePointer?, UInt32, UInt32, Int32, Int32, Int32, Int32, Int32) -> Void
        let setFilter: @convention(c) (OpaquePointer?, Int32, Int32) -> Void
        let setCompressionLevel: @convention(c) (OpaquePointer?, Int32) -> Void
        let writeInfo: @convention(c) (OpaquePointer?, OpaquePointer?) -> Void
        let setBGR: @convention(c) (OpaquePointer?) -> Void
        let setFiller: @convention(c) (OpaquePointer?, UInt32, Int32) -> Void
        let writeRow: @convention(c) (OpaquePointer?, UnsafePointer<UInt8>?) -> Void
        let writeEnd: @convention(c) (OpaquePointer?, OpaquePointer?) -> Void
        let destroyWrite: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Void
    }

    private static let api: API? = {
        guard let handle = dlopen("libpng16.so.16", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libpng16.dylib", RTLD_NOW | RTLD_LOCAL)
        else { return nil }
        func sym<T>(_ name: String, _: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: T.self)
        }
        guard let a = sym("png_get_libpng_ver", (@convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?).self),
              let b = sym("png_create_write_struct", (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?, ErrorFn?, ErrorFn?) -> OpaquePointer?).self),
              let c = sym("png_create_info_struct", (@convention(c) (OpaquePointer?) -> OpaquePointer?).self),
              let d = sym("png_set_write_fn", (@convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, WriteFn?, FlushFn?) -> Void).self),
              let e = sym("png_get_io_ptr", (@convention(c) (OpaquePointer?) -> UnsafeMutableRawPointer?).self),
              let f = sym("png_set_IHDR", (@convention(c) (OpaquePointer?, OpaquePointer?, UInt32, UInt32, Int32, Int32, Int32, Int32, Int32) -> Void).self),
              let g = sym("png_set_filter", (@convention(c) (OpaquePointer?, Int32, Int32) -> Void).self),
              let h = sym("png_set_compression_level", (@convention(c) (OpaquePointer?, Int32) -> Void).self),
              let i = sym("png_write_info", (@convention(c) (OpaquePointer?, OpaquePointer?) -> Void).self),
              let j = sym("png_set_bgr", (@convention(c) (OpaquePointer?) -> Void).self),
              let k = sym("png_set_filler", (@convention(c) (OpaquePointer?, UInt32, Int32) -> Void).self),
              let l = sym("png_write_row", (@convention(c) (OpaquePointer?, UnsafePointer<UInt8>?) -> Void).self),
              let m = sym("png_write_end", (@convention(c) (OpaquePointer?, OpaquePointer?) -> Void).self),
              let n = sym("png_destroy_write_struct", (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Void).self)
        else { return nil }
        return API(getVersion: a, createWrite: b, createInfo: c, setWriteFn: d, getIOPtr: e, setIHDR: f, setFilter: g,
                   setCompressionLevel: h, writeInfo: i, setBGR: j, setFiller: k, writeRow: l, writeEnd: m, destroyWrite: n)
    }()

    static var isAvailable: Bool { api != nil }

    private final class Sink { var data = Data() }

    static let filterUp: Int32 = 0x20
    static let compressionLevel: Int32 = 1

    /// PNG bytes of `height` rows of `width` pixels, `stride` bytes apart, or nil without libpng.
    static func encode(_ base: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, layout: Layout) -> Data? {
        guard let api, width > 0, height > 0, let version = api.getVersion(nil) else { return nil }
        var opaque = true
        if layout == .rgba {
            outer: for r in 0..<height {
                let row = base + r * stride
                for c in 0..<width where row[c * 4 + 3] != 255 { opaque = false; break outer }
            }
        }
        var png = api.createWrite(version, nil, nil, nil)
        guard png != nil else { return nil }
        var info = api.createInfo(png)
        defer { api.destroyWrite(&png, &info) }
        guard info != nil else { return nil }
        let sink = Sink()
        let write: WriteFn = { p, bytes, n in
            guard let io = PNGEncoder.api?.getIOPtr(p), let bytes else { return }
            Unmanaged<Sink>.fromOpaque(io).takeUnretainedValue().data.append(bytes, count: n)
        }
        let flush: FlushFn = { _ in }
        api.setWriteFn(png, Unmanaged.passUnretained(sink).toOpaque(), write, flush)
        let colorType: Int32 = opaque ? 2 : 6   // RGB or RGBA
        api.setIHDR(png, info, UInt32(width), UInt32(height), 8, colorType, 0, 0, 0)
        api.setFilter(png, 0, filterUp)
        api.setCompressionLevel(png, compressionLevel)
        api.writeInfo(png, info)
        if layout == .bgrx {
            // One pass to packed RGB (cheaper than libpng's separate swap and strip transforms).
            let row = UnsafeMutableRawPointer.allocate(byteCount: width * 3 + 16, alignment: 16)
            defer { row.deallocate() }
            let o = row.assumingMemoryBound(to: UInt8.self)
            for r in 0..<height {
                let src = UnsafeRawPointer(base + r * stride).assumingMemoryBound(to: UInt32.self)
                // 4 pixels (xRGB words) -> 3 little-endian words of R,G,B bytes.
                var c = 0
                while c + 4 <= width {
                    let p0 = src[c], p1 = src[c + 1], p2 = src[c + 2], p3 = src[c + 3]
                    @inline(__always) func rgb(_ p: UInt32) -> UInt32 {
                        ((p >> 16) & 0xff) | (p & 0xff00) | ((p & 0xff) << 16)
                    }
                    let a = rgb(p0), b = rgb(p1), d = rgb(p2), e = rgb(p3)
                    (row + c * 3).storeBytes(of: a | (b << 24), as: UInt32.self)
                    (row + c * 3 + 4).storeBytes(of: (b >> 8) | (d << 16), as: UInt32.self)
                    (row + c * 3 + 8).storeBytes(of: (d >> 16) | (e << 8), as: UInt32.self)
                    c += 4
                }
                while c < width {
                    let p = src[c]
                    o[c * 3] = UInt8(truncatingIfNeeded: p >> 16)
                    o[c * 3 + 1] = UInt8(truncatingIfNeeded: p >> 8)
                    o[c * 3 + 2] = UInt8(truncatingIfNeeded: p)
                    c += 1
                }
                api.writeRow(png, o)
            }
        } else {
            if opaque { api.setFiller(png, 0, 1) }   // drop the 4th byte (PNG_FILLER_AFTER)
            for r in 0..<height { api.writeRow(png, base + r * stride) }
        }
        api.writeEnd(png, info)
        withExtendedLifetime(sink) {}
        return sink.data
    }
}
