import XCTest
import Numerics
@testable import Learning

/// Fourier-feature mappings against values computed by hand.
final class MethodsFeatureMappingTests: XCTestCase {
    let h = 0.5.squareRoot()   // cos(π/4) = sin(π/4)

    func testBasicIsCosThenSinOfTwoPiV() {
        // v = (1/8, 1/4): phases 2π·v = (π/4, π/2).
        let x = Matrix<Double>(rows: 2, cols: 2, values: [0.125, 0.25, 0, 0.5])
        let g = FeatureMapping.basic.apply(x)
        XCTAssertEqual(g.rows, 2); XCTAssertEqual(g.cols, 4)
        let expected: [Double] = [h, 0, h, 1,      // row 1: cos π/4, cos π/2, sin π/4, sin π/2
                                  1, -1, 0, 0]     // row 2: cos 0, cos π, sin 0, sin π
        for (a, b) in zip(g.values, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(FeatureMapping.basic.outputWidth(inputWidth: 2), 4)
    }

    func testPositionalUsesLogSpacedOnAxisFrequencies() {
        // σ = 4, m = 2: frequencies 4^(0/2) = 1 and 4^(1/2) = 2 on each axis; B rows (axis-major):
        // (1, 0), (2, 0), (0, 1), (0, 2). v = (1/8, 1/4): phases π/4, π/2, π/2, π.
        let mapping = FeatureMapping.positional(scale: 4, count: 2)
        let x = Matrix<Double>(rows: 1, cols: 2, values: [0.125, 0.25])
        let g = mapping.apply(x)
        XCTAssertEqual(mapping.outputWidth(inputWidth: 2), 8)
        let expected: [Double] = [h, 0, 0, -1,   h, 1, 1, 0]
        XCTAssertEqual(g.cols, 8)
        for (a, b) in zip(g.values, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        // σ = 10, m = 3 on a 1-D input: frequencies 1, 10^(1/3), 10^(2/3).
        let p = FeatureMapping.positional(scale: 10, count: 3).apply(Matrix<Double>(rows: 1, cols: 1, values: [0.3]))
        let f = [1, pow(10, 1.0 / 3), pow(10, 2.0 / 3)]
        for j in 0..<3 {
            XCTAssertEqual(p[0, j], cos(2 * Double.pi * f[j] * 0.3), accuracy: 1e-14)
            XCTAssertEqual(p[0, 3 + j], sin(2 * Double.pi * f[j] * 0.3), accuracy: 1e-14)
        }
    }

    func testGaussianDrawsBRowByRowFromItsSeed() {
        let mapping = FeatureMapping.gaussian(scale: 3, count: 4, seed: 42)
        XCTAssertEqual(mapping.outputWidth(inputWidth: 2), 8)
        // B (4 x 2) = 3 · N(0, 1), drawn row-major from SeededGenerator(seed: 42).
        var rng = SeededGenerator(seed: 42)
        let b = (0..<8).map { _ in 3 * rng.normal() }
        XCTAssertEqual(mapping.frequencies(inputWidth: 2)!.values, b)
        let v = (0.3, -0.7)
        let g = mapping.apply(Matrix<Double>(rows: 1, cols: 2, values: [v.0, v.1]))
        for i in 0..<4 {
            let phase = 2 * Double.pi * (b[2 * i] * v.0 + b[2 * i + 1] * v.1)
            XCTAssertEqual(g[0, i], cos(phase), accuracy: 1e-13)
            XCTAssertEqual(g[0, 4 + i], sin(phase), accuracy: 1e-13)
        }
        // Another seed, another B; the scale scales B.
        XCTAssertNotEqual(FeatureMapping.gaussian(scale: 3, count: 4, seed: 43).frequencies(inputWidth: 2)!.values, b)
        let unit = FeatureMapping.gaussian(scale: 1, count: 4, seed: 42).frequencies(inputWidth: 2)!.values
        for (a, c) in zip(unit, b) { XCTAssertEqual(3 * a, c, accuracy: 1e-15) }
    }

    func testNoneIsIdentityAndFloatRoundsTheDoubleMapping() {
        let x = Matrix<Float>(rows: 3, cols: 1, values: [0.1, 0.2, 0.9])
        XCTAssertEqual(FeatureMapping.none.apply(x), x)
        XCTAssertEqual(FeatureMapping.none.outputWidth(inputWidth: 3), 3)
        let mapping = FeatureMapping.positional(scale: 8, count: 3)
        let single = mapping.apply(x)
        let double = mapping.apply(Matrix<Double>(rows: 3, cols: 1, values: x.values.map { Double($0) }))
        XCTAssertEqual(single.values, double.values.map { Float($0) })
    }
}
