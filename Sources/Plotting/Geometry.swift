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

/// 8-bit straight-alpha RGBA raster, row-major, top row first.
struct RasterImage {
    var width: Int
    var height: Int
    var rgba: [UInt8]
}
