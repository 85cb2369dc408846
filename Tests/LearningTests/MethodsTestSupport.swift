import Numerics
@testable import Learning

/// Shared helpers of the Methods* tests.
enum MethodsFixtures {
    /// `n` inputs in [low, high): uniform draws from `seed`, or (seed nil) the grid low + (high-low)·i/n.
    static func inputs(_ n: Int, seed: UInt64?, low: Double = -1, high: Double = 1) -> [Double] {
        guard let seed else { return (0..<n).map { low + (high - low) * Double($0) / Double(n) } }
        var rng = SeededGenerator(seed: seed)
        return (0..<n).map { _ in rng.uniform(low, high) }
    }

    /// (x, f(x)) as n x 1 matrices.
    static func set<T: RealScalar>(_ xs: [Double], _ f: (Double) -> Double, as _: T.Type = T.self) -> (x: Matrix<T>, y: Matrix<T>) {
        (Matrix(rows: xs.count, cols: 1, values: xs.map { T($0) }),
         Matrix(rows: xs.count, cols: 1, values: xs.map { T(f($0)) }))
    }

    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
    static func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }
}
