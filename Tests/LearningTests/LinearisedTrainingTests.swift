import XCTest
import Numerics
@testable import Learning

/// The linearised network under gradient descent (``LinearisedTraining``) against a 2 × 2
/// closed form and against the step-by-step iteration it solves; the general
/// standard-parameterisation NTK against neural-tangents' form and a one-layer closed form.
final class LinearisedTrainingTests: XCTestCase {
    /// Θ = [[a, b], [b, a]] has eigenvectors (1, ±1)/√2 with eigenvalues a ± b: the target's mean
    /// s and half-difference d decay as (1 − r(a ± b))^k, and a test point with kernel row (c, e)
    /// gets (c + e)·s·h₊ + (c − e)·d·h₋, h = (1 − g)/λ.
    func testTwoByTwoClosedForm() throws {
        let (a, b, c, e) = (3.0, 1.0, 0.7, -0.2)
        let y = [1.5, -0.5], r = 0.1
        let s = (y[0] + y[1]) / 2, d = (y[0] - y[1]) / 2
        for dynamics in [LinearisedTraining.Dynamics.gradientDescent, .gradientFlow] {
            let model = try LinearisedTraining(trainKernel: [a, b, b, a], testKernel: [c, e], targets: y, rate: r, dynamics: dynamics)
            for k in [0.0, 1, 3, 10, 100] {
                let gPlus = dynamics == .gradientDescent ? pow(1 - r * (a + b), k) : exp(-r * (a + b) * k)
                let gMinus = dynamics == .gradientDescent ? pow(1 - r * (a - b), k) : exp(-r * (a - b) * k)
                let train = model.trainPrediction(steps: k)
                XCTAssertEqual(train[0], y[0] - s * gPlus - d * gMinus, accuracy: 1e-12, "\(dynamics) k = \(k)")
                XCTAssertEqual(train[1], y[1] - s * gPlus + d * gMinus, accuracy: 1e-12, "\(dynamics) k = \(k)")
                let expected = (c + e) * s * (1 - gPlus) / (a + b) + (c - e) * d * (1 - gMinus) / (a - b)
                XCTAssertEqual(model.testPrediction(steps: k)[0], expected, accuracy: 1e-12, "\(dynamics) k = \(k)")
            }
        }
    }

    /// Gradient descent on the linear model, step by step: f ← f − rΘ(f − y) on the training
    /// points and f_test ← f_test − rΘ(test, train)(f − y), from 0; a singular kernel (a
    /// repeated point) is harmless.
    func testMatchesTheIterationItSolves() throws {
        let n = 5, m = 3
        var rng = SeededGenerator(seed: 4)
        let features = (0..<(n + m)).map { i in i == n - 1 ? [0.3, -1.0, 0.5] : (0..<3).map { _ in rng.normal() } }
        var points = features
        points[n - 2] = points[n - 1]   // two equal training points: Θ is singular
        func k(_ u: [Double], _ v: [Double]) -> Double { zip(u, v).reduce(0) { $0 + $1.0 * $1.1 } + 0.5 }
        let train = Array(points[0..<n]), test = Array(points[n...])
        let kTrain = train.flatMap { u in train.map { k(u, $0) } }, kTest = test.flatMap { u in train.map { k(u, $0) } }
        let y = [0.4, -1.2, 0.9, 0.2, 0.2]
        let r = 0.05
        let model = try LinearisedTraining(trainKernel: kTrain, testKernel: kTest, targets: y, rate: r)
        var f = [Double](repeating: 0, count: n), ft = [Double](repeating: 0, count: m)
        for step in 1...60 {
            let residual = zip(f, y).map { $0 - $1 }
            for i in 0..<n { f[i] -= r * (0..<n).reduce(0) { $0 + kTrain[i * n + $1] * residual[$1] } }
            for i in 0..<m { ft[i] -= r * (0..<n).reduce(0) { $0 + kTest[i * n + $1] * residual[$1] } }
            if step % 20 == 0 {
                for (p, q) in zip(model.trainPrediction(steps: Double(step)), f) { XCTAssertEqual(p, q, accuracy: 1e-9) }
                for (p, q) in zip(model.testPrediction(steps: Double(step)), ft) { XCTAssertEqual(p, q, accuracy: 1e-9) }
            }
        }
        XCTAssertEqual(model.eigenvalues.last!, 0, accuracy: 1e-9, "a repeated point: one zero eigenvalue")
    }

    /// With weight variances 1/fan-in and unit inputs, the general kernel is neural-tangents'
    /// standard parameterisation (W_std = 1, b_std = 0).
    func testGeneralStandardParameterisationIsNeuralTangentsForm() {
        for c in [-0.9, -0.2, 0, 0.4, 0.99, 1] {
            let widths = [32, 64, 64, 64, 1]
            let general = ReLUNeuralTangentKernel.standardParameterisation(xx: 1, yy: 1, xy: c, widths: widths,
                                                                           weightVariances: widths.dropLast().map { 1 / Double($0) })
            let nt = ReLUNeuralTangentKernel.standardParameterisation(correlation: c, inputWidth: 32, width: 64, hiddenLayers: 3).value
            XCTAssertEqual(general, nt, accuracy: 1e-12 * nt, "c = \(c)")
        }
    }

    /// One hidden layer of width n, orthogonal inputs (ρ = 0: κ₁ = 1/π, κ₀ = ½):
    /// Θ = n·½σ₁²√(‖x‖²‖y‖²)/π + 1 + σ₂²·n·¼·(⟨x, y⟩ + 1) (the last layer's weights, its bias,
    /// and the first layer's weights and biases through the ReLU), and at x = y (ρ = 1):
    /// Θ = n·½σ₁²‖x‖² + 1 + σ₂²·n·½·(‖x‖² + 1).
    func testOneLayerClosedForm() {
        let n = 10.0, s1 = 0.3, s2 = 0.05
        let orthogonal = ReLUNeuralTangentKernel.standardParameterisation(xx: 4, yy: 9, xy: 0, widths: [2, 10, 1], weightVariances: [s1, s2])
        XCTAssertEqual(orthogonal, n * 0.5 * s1 * 6 / Double.pi + 1 + s2 * n * 0.25, accuracy: 1e-12)
        let same = ReLUNeuralTangentKernel.standardParameterisation(xx: 4, yy: 4, xy: 4, widths: [2, 10, 1], weightVariances: [s1, s2])
        XCTAssertEqual(same, n * 0.5 * s1 * 4 + 1 + s2 * n * 0.5 * 5, accuracy: 1e-12)
    }
}
