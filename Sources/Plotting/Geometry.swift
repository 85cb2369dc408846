import Foundation

struct Point: Equatable {
    var x: Double
    var y: Double
}

struct Rect: Equatable {
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var minX: Double { x }
    var minY: Double { y }
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }

    func contains(_ p: Point) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    func intersects(_ r: Rect) -> Bool { r.minX < maxX && r.maxX > minX && r.minY < maxY && r.maxY > minY }
    func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

/// A path in figure coordinates (CSS px, y down). Sub-paths start with `move`.
struct Path {
    enum Element {
        case move(Point)
        case line(Point)
        case close
    }
    var elements: [Element] = []

    mutating func move(_ x: Double, _ y: Double) { elements.append(.move(Point(x: x, y: y))) }
    mutating func line(_ x: Double, _ y: Double) { elements.append(.line(Point(x: x, y: y))) }
    mutating func close() { elements.append(.close) }
    mutating func rect(_ r: Rect) {
        move(r.minX, r.minY); line(r.maxX, r.minY); line(r.maxX, r.maxY); line(r.minX, r.maxY); close()
    }
    var isEmpty: Bool { elements.isEmpty }
}

/// 8-bit straight-alpha RGBA raster, row-major, top row first. `encoded` caches its PNG bytes
/// (copies share the cache: fill `rgba` before the first render).
struct RasterImage {
    var width: Int
    var height: Int
    var rgba: [UInt8]
    let encoded = PNGCache()

    init(width: Int, height: Int, rgba: [UInt8]) {
        self.width = width; self.height = height; self.rgba = rgba
    }

    /// PNG bytes (fast libpng settings), encoded once; nil without libpng.
    func png() -> Data? {
        encoded.value {
            rgba.withUnsafeBufferPointer { src in
                PNGEncoder.encode(src.baseAddress!, width: width, height: height, stride: width * 4, layout: .rgba)
            }
        }
    }
}

/// A lazily computed value shared by copies, safe to fill from several threads.
final class PNGCache: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data??

    func value(_ make: () -> Data?) -> Data? {
        lock.lock()
        defer { lock.unlock() }
        if let d = data { return d }
        let d = make()
        data = .some(d)
        return d
    }
}
