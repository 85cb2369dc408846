import Foundation
import Numerics
import XCTest

/// LAPACK's symmetric eigensolver against decompositions known in closed form.
final class SymmetricEigenTests: XCTestCase {
    /// The path graph's second-difference matrix tridiag(−1, 2, −1) of size n has eigenvalues
    /// 2 − 2cos(kπ/(n+1)) and eigenvectors sin(ijπk/(n+1)) (k = 1 … n): the largest first.
    func testSecondDifferenceMatrix() throws {
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] = 2
            if i > 0 { a[i * n + i - 1] = -1; a[(i - 1) * n + i] = -1 }
        }
        let e = try SymmetricEigendecomposition(symmetric: a, dimension: n)
        for j in 0..<n {
            let k = Double(n - j)   // decreasing eigenvalues: k = n first
            XCTAssertEqual(e.values[j], 2 - 2 * cos(k * .pi / Double(n + 1)), accuracy: 1e-12)
            var exact = (1...n).map { sin(Double($0) * k * .pi / Double(n + 1)) }
            let norm = exact.reduce(0) { $0 + $1 * $1 }.squareRoot()
            exact = exact.map { $0 / norm }
            // The sign convention: the entry of largest magnitude is positive.
            let top = exact.indices.max { abs(exact[$0]) < abs(exact[$1]) }!
            if exact[top] < 0 { exact = exact.map { -$0 } }
            let v = e.vector(j)
            XCTAssertGreaterThan(v[v.indices.max { abs(v[$0]) < abs(v[$1]) }!], 0)
            for i in 0..<n { XCTAssertEqual(abs(v[i]), abs(exact[i]), accuracy: 1e-10, "vector \(j), entry \(i)") }
            XCTAssertEqual(abs(zip(v, exact).reduce(0) { $0 + $1.0 * $1.1 }), 1, accuracy: 1e-12)
        }
    }

    /// A random symmetric matrix: V orthonormal, A = VΛVᵀ to 1e-12 relative, values decreasing;
    /// coefficients and synthesis are inverse to each other.
    func testReconstructionAndOrthonormality() throws {
        let n = 30
        var generator = SeededGenerator(seed: 7)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { let x = generator.normal(); a[i * n + j] = x; a[j * n + i] = x } }
        let e = try SymmetricEigendecomposition(symmetric: a, dimension: n)
        XCTAssertEqual(e.values, e.values.sorted(by: >))
        for p in 0..<n { for q in 0..<n {
            var dot = 0.0, rebuilt = 0.0
            for i in 0..<n { dot += e.vectors[i * n + p] * e.vectors[i * n + q] }
            for k in 0..<n { rebuilt += e.vectors[p * n + k] * e.values[k] * e.vectors[q * n + k] }
            XCTAssertEqual(dot, p == q ? 1 : 0, accuracy: 1e-12)
            XCTAssertEqual(rebuilt, a[p * n + q], accuracy: 1e-11)
        } }
        let f = (0..<n).map { _ in generator.normal() }
        let back = e.synthesize(e.coefficients(of: f))
        for i in 0..<n { XCTAssertEqual(back[i], f[i], accuracy: 1e-12) }
        XCTAssertEqual(e.coefficients(of: e.vector(3)).enumerated().map { $0.offset == 3 ? $0.element - 1 : $0.element }
                        .map(abs).max()!, 0, accuracy: 1e-12)
    }

    func testRefusesNonFiniteEntries() {
        XCTAssertThrowsError(try SymmetricEigendecomposition(symmetric: [1, .nan, .nan, 1], dimension: 2))
    }
}
