import XCTest
@testable import Numerics

final class MatrixTests: XCTestCase {
    func testInitSubscriptAndValues() {
        var m = Matrix<Double>(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(m.rows, 2); XCTAssertEqual(m.cols, 3)
        XCTAssertEqual(m[1, 0], 4)
        m[0, 2] = 9
        XCTAssertEqual(m.values, [1, 2, 9, 4, 5, 6])
        XCTAssertEqual(m.transposed().values, [1, 4, 2, 5, 9, 6])
        XCTAssertEqual(Matrix<Float>(rows: 2, cols: 2, repeating: 3).values, [3, 3, 3, 3])
        XCTAssertEqual(m.rows(1..<2).values, [4, 5, 6])
    }

    /// Reference product with plain loops, accumulated in Double.
    func naive<T: RealScalar>(_ a: Matrix<T>, _ b: Matrix<T>, ta: Bool, tb: Bool) -> [Double] {
        let m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols, n = tb ? b.rows : b.cols
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k {
            let x = ta ? a[l, i] : a[i, l], y = tb ? b[j, l] : b[l, j]
            c[i * n + j] += Double(x) * Double(y)
        } } }
        return c
    }

    func checkProducts<T: RealScalar>(_: T.Type, tolerance: Double) {
        var rng = SeededGenerator(seed: 7)
        for (m, k, n) in [(1, 1, 1), (3, 5, 4), (17, 33, 9), (64, 1, 31), (2, 40, 1)] {
            for ta in [false, true] { for tb in [false, true] {
                let a = ta ? Matrix<T>(rows: k, cols: m, values: (0..<(m * k)).map { _ in T(rng.uniform(-1, 1)) })
                           : Matrix<T>(rows: m, cols: k, values: (0..<(m * k)).map { _ in T(rng.uniform(-1, 1)) })
                let b = tb ? Matrix<T>(rows: n, cols: k, values: (0..<(n * k)).map { _ in T(rng.uniform(-1, 1)) })
                           : Matrix<T>(rows: k, cols: n, values: (0..<(n * k)).map { _ in T(rng.uniform(-1, 1)) })
                var c = [T](repeating: 0, count: m * n)
                a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                         a: pa.baseAddress!, lda: a.cols, b: pb.baseAddress!, ldb: b.cols,
                         beta: 0, c: pc.baseAddress!, ldc: n)
                } } }
                let ref = naive(a, b, ta: ta, tb: tb)
                for i in 0..<(m * n) {
                    XCTAssertEqual(Double(c[i]), ref[i], accuracy: tolerance * Double(k),
                                   "\(T.self) \(m)x\(k)x\(n) ta=\(ta) tb=\(tb) at \(i)")
                }
                if !ta && !tb {
                    let viaOperator = a * b
                    XCTAssertEqual(viaOperator.values, c)
                }
            } }
        }
    }

    /// BLAS vs naive loops: entries are sums of k products of values in [-1, 1], so the
    /// rounding error is at most about k ulp(1) (k·6e-8 in Float, k·1.1e-16 in Double).
    func testProductMatchesNaiveLoopsFloat() { checkProducts(Float.self, tolerance: 2e-7) }
    func testProductMatchesNaiveLoopsDouble() { checkProducts(Double.self, tolerance: 1e-15) }

    /// Double goes through libm (identical results). The Float kernel (see `VectorMath`) is
    /// checked against libm in Double on [-300, 300] (Fourier-feature arguments reach ~250):
    /// within 1.5 ulp of 1 (1.8e-7) absolute, which is one Float ulp of the result plus the
    /// half ulp of rounding both sides.
    func testVectorSinCos() {
        let xs: [Double] = (0..<37).map { Double($0) * 0.37 - 6 }
        var s = [Double](repeating: 0, count: xs.count), c = s
        VectorMath.sin(xs, into: &s, count: xs.count)
        VectorMath.cos(xs, into: &c, count: xs.count)
        XCTAssertEqual(s, xs.map { Foundation.sin($0) })
        XCTAssertEqual(c, xs.map { Foundation.cos($0) })

        let n = 200_001
        var xf: [Float] = (0..<n).map { (i: Int) -> Float in Float(-300 + 600 * Double(i) / Double(n - 1)) }
        xf += [0, -0, Float.pi / 4, -Float.pi / 2, 1e-30]
        var sf = [Float](repeating: 0, count: xf.count), cf = sf
        VectorMath.sin(xf, into: &sf, count: xf.count)
        VectorMath.cos(xf, into: &cf, count: xf.count)
        var worst = 0.0
        for i in xf.indices {
            let x = Double(xf[i])
            let es: Double = abs(Double(sf[i]) - Foundation.sin(x))
            let ec: Double = abs(Double(cf[i]) - Foundation.cos(x))
            worst = max(worst, max(es, ec))
        }
        XCTAssertLessThan(worst, 1.8e-7)
    }
}
