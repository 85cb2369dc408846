import Foundation
import Numerics

/// The linearised network — the model f(x) = f₀(x) + ∇θf₀(x)·(θ − θ₀) whose kernel is the NTK Θ,
/// fixed — trained by full-batch gradient descent on the squared error, from f₀ = 0 (the mean
/// over initialisations: Lee et al., 2019; Tancik et al.'s "NTK theory" curves, Figs. 3 and 12).
///
/// A step changes the training outputs by −η_Θ·Θ(f − y), with η_Θ the step's factor on the
/// kernel: for a loss ½·Σ(f − y)² at learning rate η, η_Θ = η; for the mean (1/n)·Σ(f − y)²,
/// η_Θ = 2η/n. With Θ = V·diag(λ)·Vᵀ over the n training points (``SymmetricEigendecomposition``)
/// and y the training targets, after k steps
///
///     f_k(train) = V·diag(1 − g_k(λ))·Vᵀ·y,        f_k(test) = Θ(test, train)·V·diag(h_k(λ))·Vᵀ·y,
///
/// with, for gradient descent, g_k(λ) = (1 − η_Θλ)^k and h_k(λ) = (1 − g_k(λ))/λ; for gradient
/// flow (neural-tangents' `predict.gradient_descent_mse`, the continuous-time limit),
/// g_k(λ) = e^{−η_Θλk}. h_k → η_Θ·k as λ → 0 (evaluated so when |η_Θλ| < 10⁻¹²), so a singular
/// kernel matrix is harmless: its null space is simply never fitted. Eigenvalues below zero by
/// rounding are taken as 0, as neural-tangents does.
///
/// Accuracy: Double throughout; the eigendecomposition's error (about n·ε·‖Θ‖) bounds the rest.
public struct LinearisedTraining: Sendable {
    public enum Dynamics: String, Sendable { case gradientDescent = "gradient_descent", gradientFlow = "gradient_flow" }

    public let trainCount: Int
    public let testCount: Int
    /// η_Θ: the step's factor on the kernel.
    public let rate: Double
    public let dynamics: Dynamics
    /// The eigenvalues of Θ(train, train), largest first (clamped at 0).
    public let eigenvalues: [Double]
    /// V, n × n (the eigenvectors as columns).
    let vectors: Matrix<Double>
    /// Vᵀy.
    let projected: [Double]
    /// Θ(test, train)·V, testCount × n.
    let testVectors: Matrix<Double>

    /// `trainKernel`: Θ over the training points, row-major n × n (symmetric); `testKernel`:
    /// Θ(test point i, training point j), row-major m × n (may be empty); `targets`: the n training
    /// targets.
    public init(trainKernel: [Double], testKernel: [Double], targets: [Double], rate: Double,
                dynamics: Dynamics = .gradientDescent) throws {
        let n = targets.count
        precondition(n > 0 && trainKernel.count == n * n && testKernel.count % n == 0,
                     "LinearisedTraining: kernel sizes \(trainKernel.count), \(testKernel.count) for \(n) training points")
        let eigen = try SymmetricEigendecomposition(symmetric: trainKernel, dimension: n)
        trainCount = n
        testCount = testKernel.count / n
        self.rate = rate
        self.dynamics = dynamics
        eigenvalues = eigen.values.map { max($0, 0) }
        vectors = Matrix(rows: n, cols: n, values: eigen.vectors)
        projected = (Matrix(rows: 1, cols: n, values: targets) * vectors).values
        testVectors = testCount == 0 ? Matrix(rows: 0, cols: n, values: []) : Matrix(rows: testCount, cols: n, values: testKernel) * vectors
    }

    /// g_k(λ): the fraction of the target's component along λ's eigenvector not yet fitted.
    public func remaining(_ lambda: Double, steps k: Double) -> Double {
        switch dynamics {
        case .gradientDescent: return pow(1 - rate * lambda, k)
        case .gradientFlow: return exp(-rate * lambda * k)
        }
    }

    /// h_k(λ) = (1 − g_k(λ))/λ, η_Θ·k at λ → 0.
    func gain(_ lambda: Double, steps k: Double) -> Double {
        if abs(rate * lambda) < 1e-12 { return rate * k }
        return (1 - remaining(lambda, steps: k)) / lambda
    }

    /// The training outputs after `steps` steps.
    public func trainPrediction(steps k: Double) -> [Double] {
        let coefficients = (0..<trainCount).map { (1 - remaining(eigenvalues[$0], steps: k)) * projected[$0] }
        return (vectors * Matrix(rows: trainCount, cols: 1, values: coefficients)).values
    }

    /// The outputs at the test points after `steps` steps.
    public func testPrediction(steps k: Double) -> [Double] {
        guard testCount > 0 else { return [] }
        let coefficients = (0..<trainCount).map { gain(eigenvalues[$0], steps: k) * projected[$0] }
        return (testVectors * Matrix(rows: trainCount, cols: 1, values: coefficients)).values
    }
}
