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
}
