import Foundation

/// Geometry clipping before the renderer: Cairo uses 24.8 fixed point, so coordinates far outside
/// the plot (explicit limits, extreme data) must be cut, not passed on.
enum Clip {
    /// Liang–Barsky: the part of segment a-b inside `r`, or nil.
    static func segment(_ a: Point, _ b: Point, to r: Rect) -> (Point, Point)? {
        if r.contains(a) && r.contains(b) { return (a, b) }
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        let ps = [-dx, dx, -dy, dy]
        let qs = [a.x - r.minX, r.maxX - a.x, a.y - r.minY, r.maxY - a.y]
        for k in 0..<4 {
            if ps[k] == 0 {
                if qs[k] < 0 { return nil }
            } else {
                let t = qs[k] / ps[k]
                if ps[k] < 0 { if t > t1 { return nil }; if t > t0 { t0 = t } } else { if t < t0 { return nil }; if t < t1 { t1 = t } }
            }
        }
        return (Point(x: a.x + t0 * dx, y: a.y + t0 * dy), Point(x: a.x + t1 * dx, y: a.y + t1 * dy))
    }

    /// Sutherland–Hodgman polygon clipping against an axis-aligned rectangle.
    static func polygon(_ poly: [Point], to r: Rect) -> [Point] {
        if poly.allSatisfy({ r.contains($0) }) { return poly }
        var out = poly
        let edges: [(Point) -> Bool] = [{ $0.x >= r.minX }, { $0.x <= r.maxX }, { $0.y >= r.minY }, { $0.y <= r.maxY }]
        let cuts: [(Point, Point) -> Point] = [
            { a, b in let t = (r.minX - a.x) / (b.x - a.x); return Point(x: r.minX, y: a.y + t * (b.y - a.y)) },
            { a, b in let t = (r.maxX - a.x) / (b.x - a.x); return Point(x: r.maxX, y: a.y + t * (b.y - a.y)) },
            { a, b in let t = (r.minY - a.y) / (b.y - a.y); return Point(x: a.x + t * (b.x - a.x), y: r.minY) },
            { a, b in let t = (r.maxY - a.y) / (b.y - a.y); return Point(x: a.x + t * (b.x - a.x), y: r.maxY) },
        ]
        for k in 0..<4 {
            let input = out
            out = []
            guard let last = input.last else { break }
            var s = last
            for e in input {
                if edges[k](e) {
                    if !edges[k](s) { out.append(cuts[k](s, e)) }
                    out.append(e)
                } else if edges[k](s) {
                    out.append(cuts[k](s, e))
                }
                s = e
            }
        }
        return out
    }
}
