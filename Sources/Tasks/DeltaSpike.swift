import Foundation

/// A discrete δ-spike on the equispaced grid of `points` points of [0, 1) (Rahaman et al., 2019,
/// App. A.5: "a δ-spike at x = 0.5"): the value `height` at the grid point nearest `center` and 0
/// at every other grid point (a Kronecker delta on the grid).
///
/// Its DFT on the grid is c_k = height · e^(−2πik·i₀/N) (i₀ the spike's grid index), so every
/// frequency has the same amplitude: 2|c_k|/N = 2·height/N for 0 < k < N/2 (height/N at k = 0 and
/// at the Nyquist frequency N/2 of an even grid). Fitting it asks a network for every frequency the
/// grid resolves at once.
///
/// Off the grid (where a figure or a random validation point asks) it is a box one grid cell
/// wide: `height` for x within half a cell of the spike's grid point (x·N rounds to i₀, taken
/// modulo N, so the box of i₀ = 0 wraps around 1), 0 elsewhere. Exact: no arithmetic beyond the
/// rounding of x·N, so on the grid points i/N themselves the spike is exactly where it should be.
public struct DeltaSpike: Sendable, Equatable {
    /// The grid's point count N.
    public let points: Int
    /// The index i₀ of the grid point that carries the spike (the one nearest the declared centre).
    public let index: Int
    /// The spike's value there.
    public let height: Double

    /// The spike at the grid point of the `points`-point grid nearest `center` (a tie goes to the
    /// upper point; a centre within half a cell below 1 wraps to point 0).
    /// Preconditions: points ≥ 2, center in [0, 1), height finite.
    public init(points: Int, center: Double = 0.5, height: Double = 1) {
        precondition(points >= 2, "DeltaSpike: need at least 2 grid points, got \(points)")
        precondition(center >= 0 && center < 1, "DeltaSpike: the centre must lie in [0, 1), got \(center)")
        precondition(height.isFinite, "DeltaSpike: the height must be finite, got \(height)")
        self.points = points
        self.index = Self.cell(of: center, points: points)
        self.height = height
    }

    /// The spike's position on the grid, index / N.
    public var center: Double { Double(index) / Double(points) }

    /// The grid cell x falls in: x·N rounded to the nearest integer, modulo N.
    static func cell(of x: Double, points: Int) -> Int {
        let nearest = (x * Double(points)).rounded(.toNearestOrAwayFromZero)
        guard nearest.isFinite, abs(nearest) < 1e15 else { return -1 }
        let i = Int(nearest) % points
        return i < 0 ? i + points : i
    }

    /// The value at x: `height` in the spike's cell, 0 elsewhere.
    public func callAsFunction(_ x: Double) -> Double {
        Self.cell(of: x, points: points) == index ? height : 0
    }

    /// The N grid values: `height` at `index`, 0 elsewhere.
    public func sampledOnGrid() -> [Double] {
        var values = [Double](repeating: 0, count: points)
        values[index] = height
        return values
    }
}
