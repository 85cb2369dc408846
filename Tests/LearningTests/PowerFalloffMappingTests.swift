import XCTest
import Numerics
@testable import Learning

/// Tancik et al.'s 1-D mapping [a_j cos 2πjv, a_j sin 2πjv]/‖a‖ with a_j = j^(−p).
final class PowerFalloffMappingTests: XCTestCase {
    func testValuesWeightsAndUnitNorm() {
        let mapping = FeatureMapping.powerFalloff(exponent: 1, count: 3)
        XCTAssertEqual(mapping.outputWidth(inputWidth: 1), 6)
        let v = 0.17
        let out = mapping.apply(Matrix<Double>(rows: 1, cols: 1, values: [v])).values
        let a = [1.0, 0.5, 1.0 / 3], norm = (1 + 0.25 + 1.0 / 9).squareRoot()
        for j in 0..<3 {
            XCTAssertEqual(out[j], a[j] / norm * cos(2 * Double.pi * Double(j + 1) * v), accuracy: 1e-14)
            XCTAssertEqual(out[3 + j], a[j] / norm * sin(2 * Double.pi * Double(j + 1) * v), accuracy: 1e-14)
        }
        // ‖γ(v)‖ = 1 for every v, whatever p.
        for p in [0.0, 0.5, 2] {
            let g = FeatureMapping.powerFalloff(exponent: p, count: 16).apply(Matrix<Double>(rows: 1, cols: 1, values: [0.731])).values
            XCTAssertEqual(g.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12, "p = \(p)")
        }
    }

    /// The NTK behind the mapping, through FeatureMapping, equals the closed stationary form
    /// (`mappedKernel`), which computes ⟨γ(v), γ(v')⟩ = Σ a_j² cos 2πjΔ / Σ a_j² separately.
    func testComposedKernelMatchesTheStationaryForm() {
        let p = 1.5, m = 16
        let mapping = FeatureMapping.powerFalloff(exponent: p, count: m)
        let a = (1...m).map { pow(Double($0), -p) }, b = (1...m).map(Double.init)
        for (x, y) in [(0.3, 0.1), (0.9, 0.05), (0.25, 0.25)] {
            let g = mapping.apply(Matrix<Double>(rows: 2, cols: 1, values: [x, y])).values
            let viaFeatures = ReLUNeuralTangentKernel.kernel(Array(g[0..<(2 * m)]), Array(g[(2 * m)...]), hiddenLayers: 3)
            let closed = ReLUNeuralTangentKernel.mappedKernel(difference: x - y, amplitudes: a, frequencies: b, hiddenLayers: 3)
            XCTAssertEqual(viaFeatures, closed, accuracy: 1e-12)
        }
    }

    /// p = ∞ among m frequencies (the notebook's `power_infty`): a_1 = 1 alone, 2m features of
    /// which all but cos 2πv and sin 2πv are 0; and given amplitudes, divided by their norm.
    func testInfiniteFalloffAndGivenAmplitudes() {
        let infinite = FeatureMapping.powerFalloff(exponent: .infinity, count: 4)
        XCTAssertEqual(infinite.outputWidth(inputWidth: 1), 8)
        XCTAssertEqual(infinite.weights(inputWidth: 1), [1, 0, 0, 0])
        let v = 0.3
        let out = infinite.apply(Matrix<Double>(rows: 1, cols: 1, values: [v])).values
        XCTAssertEqual(out, [cos(2 * Double.pi * v), 0, 0, 0, sin(2 * Double.pi * v), 0, 0, 0])
        let given = FeatureMapping.amplitudes([3, -4])
        XCTAssertEqual(given.outputWidth(inputWidth: 1), 4)
        XCTAssertEqual(given.weights(inputWidth: 1), [0.6, -0.8])
        XCTAssertEqual(given.frequencies(inputWidth: 1)?.values, [1, 2])
        let g = given.apply(Matrix<Double>(rows: 1, cols: 1, values: [v])).values
        XCTAssertEqual(g[1], -0.8 * cos(4 * Double.pi * v), accuracy: 1e-15)
        XCTAssertEqual(g.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-12)
        // The same amplitudes as a power law give the same features.
        let a = (1...5).map { pow(Double($0), -0.75) }
        XCTAssertEqual(FeatureMapping.amplitudes(a).apply(Matrix<Double>(rows: 1, cols: 1, values: [0.41])).values,
                       FeatureMapping.powerFalloff(exponent: 0.75, count: 5).apply(Matrix<Double>(rows: 1, cols: 1, values: [0.41])).values)
    }
}
