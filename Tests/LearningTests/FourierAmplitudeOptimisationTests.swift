import XCTest
import Numerics
@testable import Learning

/// The standard-parameterisation NTK, the Fourier-domain NTK linear model of Tancik et al.'s
/// Fig. 5 and its hand-written gradient.
final class FourierAmplitudeOptimisationTests: XCTestCase {
    /// One hidden layer unrolled by hand (neural-tangents' Dense/Relu rules, unit inputs):
    /// Θ = (c + 1)·κ₀(c)/2 + width/(2·inputWidth)·κ₁(c) + 1; and Θ′ against central differences
    /// (step 10⁻⁶: truncation ~10⁻¹²·Θ‴, rounding ~10⁻¹⁶/10⁻⁶ = 10⁻¹⁰; tolerance 10⁻⁷ relative).
    func testStandardParameterisationClosedFormAndDerivative() {
        for c in [-0.9, -0.2, 0, 0.4, 0.97] {
            let one = ReLUNeuralTangentKernel.standardParameterisation(correlation: c, inputWidth: 8, width: 32, hiddenLayers: 1)
            let expected = (c + 1) * ReLUNeuralTangentKernel.arcCosine0(c) / 2 + 2 * ReLUNeuralTangentKernel.arcCosine1(c) + 1
            XCTAssertEqual(one.value, expected, accuracy: 1e-14)
            for layers in [1, 3] {
                let k = { (x: Double) in ReLUNeuralTangentKernel.standardParameterisation(correlation: x, inputWidth: 256, width: 1024, hiddenLayers: layers) }
                let h = 1e-6
                let numeric = (k(c + h).value - k(c - h).value) / (2 * h)
                XCTAssertEqual(k(c).derivative, numeric, accuracy: 1e-7 * max(1, abs(numeric)), "c = \(c), L = \(layers)")
            }
        }
        // At c = 1, one layer: Θ = 2·½ + 400/(2·4)·1 + 1 = 52 (the fan-in weighting: it grows with the width).
        let wide = ReLUNeuralTangentKernel.standardParameterisation(correlation: 1, inputWidth: 4, width: 400, hiddenLayers: 1).value
        XCTAssertEqual(wide, 1 + 50 + 1, accuracy: 1e-12)
    }

    /// A small setting: n = 16 training points (N = 32), 8 amplitudes, 20 signals.
    static func objective(time: Double = 5) -> (FourierAmplitudeObjective, [[Double]]) {
        var rng = SeededGenerator(seed: 7)
        let signals = (0..<20).map { _ in (0..<32).map { i in sin(2 * Double.pi * 3 * Double(i) / 32) + 0.3 * rng.normal() } }
        let objective = FourierAmplitudeObjective(trainPoints: 16, frequencies: (1...8).map(Double.init), hiddenLayers: 3,
                                                  width: 64, time: time, signals: signals)
        return (objective, signals)
    }

    /// The model in the DFT basis against the linearised network integrated directly: on the 16
    /// training points df/dt = −K(f − y) from f = 0, and at the 16 test points
    /// df_test/dt = −K_test,train(f − y), by RK4 with dt = 2·10⁻³ to t = 5 (λ_max ≈ 34 here: its error is about
    /// t·λ_max⁵·dt⁴/120 ≈ 10⁻⁵ on the fastest mode, which has decayed by e⁻¹⁷⁰). The test MSEs agree to 10⁻⁴ relative; an error in the
    /// aliasing, the phases or the 1/λ would be off by far more.
    func testFourierModelMatchesTheIntegratedLinearisedNetwork() {
        let (objective, signals) = Self.objective()
        let a = [1.0, 0.7, 0.5, 0.3, 0.2, 0.15, 0.1, 0.05]
        let h = objective.kernelRow(a)
        let N = 32, n = 16, t = 5.0, dt = 2e-3
        func k(_ i: Int, _ j: Int) -> Double { h[((i - j) % N + N) % N] }
        let fourier = objective.testErrors(a, signals: signals)
        for (s, y) in signals.enumerated().prefix(2) {
            let train = (0..<n).map { 2 * $0 }, test = (0..<n).map { 2 * $0 + 1 }
            var f = [Double](repeating: 0, count: n), g = [Double](repeating: 0, count: n)
            func rates(_ f: [Double]) -> (train: [Double], test: [Double]) {
                let r = (0..<n).map { f[$0] - y[train[$0]] }
                return (train.map { i in -(0..<n).reduce(0) { $0 + k(i, train[$1]) * r[$1] } },
                        test.map { i in -(0..<n).reduce(0) { $0 + k(i, train[$1]) * r[$1] } })
            }
            for _ in 0..<Int(t / dt) {
                let k1 = rates(f)
                let k2 = rates(zip(f, k1.train).map { $0 + dt / 2 * $1 })
                let k3 = rates(zip(f, k2.train).map { $0 + dt / 2 * $1 })
                let k4 = rates(zip(f, k3.train).map { $0 + dt * $1 })
                for i in 0..<n {
                    f[i] += dt / 6 * (k1.train[i] + 2 * k2.train[i] + 2 * k3.train[i] + k4.train[i])
                    g[i] += dt / 6 * (k1.test[i] + 2 * k2.test[i] + 2 * k3.test[i] + k4.test[i])
                }
            }
            let direct = (0..<n).reduce(0) { $0 + pow(y[test[$1]] - g[$1], 2) } / Double(n)
            XCTAssertEqual(fourier[s], direct, accuracy: 1e-4 * direct, "signal \(s)")
        }
        // The loss is ½ · the mean test MSE / N.
        XCTAssertEqual(objective.loss(a), 0.5 * fourier.reduce(0, +) / Double(fourier.count) / Double(N), accuracy: 1e-12 * objective.loss(a))
    }

    /// The hand-written gradient against central differences of the loss, per amplitude, at
    /// amplitudes away from 0 and at the basic mapping plus small noise (where the optimisation
    /// starts). Step 10⁻⁶: the loss is smooth there (every c(Δ ≠ 0) is inside (−1, 1), c(0) ≡ 1 is
    /// set exactly), so the truncation error is ~10⁻¹² relative; rounding in the loss's sum over the
    /// bins (terms that cancel to ~10⁻³ of their size) gives ~10⁻¹⁰; tolerance 10⁻⁶ of the largest
    /// gradient component (a wrong factor, sign or missing term is off by far more).
    func testGradientMatchesFiniteDifferences() {
        for time in [5.0, 0.2] {
            let (objective, _) = Self.objective(time: time)
            for a in [[1.0, -0.7, 0.5, 0.3, 0.25, 0.15, 0.1, 0.05], [1.001, 0.0004, 0.0011, 0.0002, 0.0007, 0.0013, 0.0005, 0.0009]] {
                let (loss, gradient) = objective.lossAndGradient(a)
                XCTAssertEqual(loss, objective.loss(a), accuracy: 1e-15 * loss)
                let scale = gradient.map(abs).max()!
                XCTAssertGreaterThan(scale, 0)
                for j in a.indices {
                    let step = 1e-6
                    var up = a, down = a
                    up[j] += step; down[j] -= step
                    let numeric = (objective.loss(up) - objective.loss(down)) / (2 * step)
                    XCTAssertEqual(gradient[j], numeric, accuracy: 1e-6 * scale, "t = \(time), a_\(j + 1)")
                }
            }
        }
    }

    /// Adam lowers the loss from the basic mapping (the notebook's starting point) on signals with
    /// frequencies 2 … 7, which a kernel of the basic mapping (frequency 1) fits badly between the
    /// training points.
    func testOptimisationLowersTheLoss() {
        var rng = SeededGenerator(seed: 3)
        let signals = (0..<16).map { _ -> [Double] in
            let phases = (2...7).map { _ in 2 * Double.pi * rng.uniform() }
            return (0..<32).map { i in (2...7).reduce(0) { $0 + sin(2 * Double.pi * Double($1 * i) / 32 + phases[$1 - 2]) / Double($1) } }
        }
        let objective = FourierAmplitudeObjective(trainPoints: 16, frequencies: (1...8).map(Double.init), hiddenLayers: 3,
                                                  width: 64, time: 5, signals: signals)
        let start = [1.0] + [Double](repeating: 0.001, count: 7)
        let (amplitudes, losses) = objective.optimise(from: start, learningRate: 0.01, steps: 100)
        XCTAssertEqual(losses.count, 100)
        XCTAssertEqual(losses[0], objective.loss(start), accuracy: 1e-15)
        XCTAssertLessThan(objective.loss(amplitudes), 0.75 * losses[0])
    }
}
