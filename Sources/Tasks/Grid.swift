/// Sample points.
public enum Grid {
    /// `count` equispaced points of `[from, to)`: `from + (to - from) i / count`, `i = 0 ..< count`
    /// (endpoint excluded, as `numpy.linspace(from, to, count, endpoint=False)`), so a periodic
    /// function on `[from, to)` is sampled without repeating a point and the DFT bins are the
    /// integer frequencies of `[0, 1)`.
    public static func equispaced(count: Int, from: Double = 0, to: Double = 1) -> [Double] {
        precondition(count >= 0, "Grid.equispaced: negative count \(count)")
        let width = to - from
        return (0..<count).map { from + width * Double($0) / Double(count) }
    }
}
