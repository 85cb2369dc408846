import XCTest
import Numerics
@testable import Learning

/// The analytic ReLU NTK against Monte Carlo expectations, a finite-width empirical NTK and
/// closed forms.
final class NeuralTangentKernelTests: XCTestCase {
    /// κ₁ and κ₀ are twice E[ReLU(u)ReLU(v)] and twice P(u > 0, v > 0) for unit Gaussians of
    /// correlation ρ. 400,000 draws: the standard error is below 0.003, the tolerance 0.01.
    func testArcCosineKernelsAreTheGaussianExpectations() {
        var rng = SeededGenerator(seed: 11)
        let n = 400_000
        for rho in [-0.9, -0.3, 0, 0.5, 0.95] {
            var relu = 0.0, step = 0.0
            let s = (1 - rho * rho).squareRoot()
            for _ in 0..<n {
                let u = rng.normal(), v = rho * u + s * rng.normal()
                relu += max(0, u) * max(0, v)
                if u > 0 && v > 0 { step += 1 }
            }
            XCTAssertEqual(2 * relu / Double(n), ReLUNeuralTangentKernel.arcCosine1(rho), accuracy: 0.01, "ρ = \(rho)")
            XCTAssertEqual(2 * step / Double(n), ReLUNeuralTangentKernel.arcCosine0(rho), accuracy: 0.01, "ρ = \(rho)")
        }
    }

    func testClosedForms() {
        for layers in 0...4 {
            // Θ(x, x) = (L + 1)‖x‖².
            XCTAssertEqual(ReLUNeuralTangentKernel.kernel([0.6, 0.8], [0.6, 0.8], hiddenLayers: layers), Double(layers + 1), accuracy: 1e-12)
            XCTAssertEqual(ReLUNeuralTangentKernel.kernel(xx: 4, yy: 4, xy: 4, hiddenLayers: layers), 4 * Double(layers + 1), accuracy: 1e-12)
        }
        // One layer, orthogonal unit inputs: Θ = 0·½ + κ₁(0) = 1/π; no layer: the inner product.
        XCTAssertEqual(ReLUNeuralTangentKernel.kernel([1, 0], [0, 1], hiddenLayers: 1), 1 / Double.pi, accuracy: 1e-15)
        XCTAssertEqual(ReLUNeuralTangentKernel.kernel([1, 2], [3, -1], hiddenLayers: 0), 1)
        // Opposite unit inputs, one layer: Σ¹ = κ₁(−1) = 0, Σ̇ = κ₀(−1) = 0.
        XCTAssertEqual(ReLUNeuralTangentKernel.kernel([1, 0], [-1, 0], hiddenLayers: 1), 0, accuracy: 1e-15)
        // The basic mapping (a = 1, b = 1) gives a kernel of cos 2πΔ: at Δ = ½, the opposite case.
        XCTAssertEqual(ReLUNeuralTangentKernel.mappedKernel(difference: 0.5, amplitudes: [1], frequencies: [1], hiddenLayers: 1),
                       0, accuracy: 1e-12)
        XCTAssertEqual(ReLUNeuralTangentKernel.mappedKernel(difference: 0.3, amplitudes: [1, 0.5], frequencies: [1, 2], hiddenLayers: 3),
                       ReLUNeuralTangentKernel.mappedKernel(difference: -0.3, amplitudes: [1, 0.5], frequencies: [1, 2], hiddenLayers: 3),
                       accuracy: 1e-15)
    }

    /// A finite network f(x) = √(2/n) Σᵢ vᵢ ReLU(wᵢᵀx) (wᵢ ~ N(0, I), vᵢ ~ N(0, 1)): its empirical
    /// NTK, the inner product of the parameter gradients at x and y, tends to the one-layer Θ.
    /// n = 200,000: the standard error is about 0.005·‖x‖‖y‖, the tolerance 0.02·‖x‖‖y‖ (a
    /// missing Σ̇ or Σ term would be off by 0.1·‖x‖‖y‖ or more in these pairs).
    func testOneLayerMatchesAWideNetworksEmpiricalKernel() {
        var rng = SeededGenerator(seed: 4)
        let n = 200_000
        let pairs: [([Double], [Double])] = [([1, 0], [0.6, 0.8]), ([0.5, -1], [1, 1]), ([1, 1], [1, 1])]
        var w = [Double](repeating: 0, count: 2 * n), v = [Double](repeating: 0, count: n)
        for i in 0..<(2 * n) { w[i] = rng.normal() }
        for i in 0..<n { v[i] = rng.normal() }
        for (x, y) in pairs {
            var sum = 0.0
            let xy = x[0] * y[0] + x[1] * y[1]
            for i in 0..<n {
                let px = w[2 * i] * x[0] + w[2 * i + 1] * x[1], py = w[2 * i] * y[0] + w[2 * i + 1] * y[1]
                // ∂f/∂vᵢ products, then ∂f/∂wᵢ products (vᵢ² 1[px > 0] 1[py > 0] xᵀy).
                sum += max(0, px) * max(0, py)
                if px > 0 && py > 0 { sum += v[i] * v[i] * xy }
            }
            let empirical = 2 * sum / Double(n)
            let analytic = ReLUNeuralTangentKernel.kernel(x, y, hiddenLayers: 1)
            let norms = ((x[0] * x[0] + x[1] * x[1]) * (y[0] * y[0] + y[1] * y[1])).squareRoot()
            XCTAssertEqual(empirical, analytic, accuracy: 0.02 * norms, "\(x), \(y)")
        }
    }
}
