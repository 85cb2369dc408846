#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The neural tangent kernel of an infinitely wide ReLU MLP, computed analytically (no
/// training): the arc-cosine recursion of Jacot et al. (2018) and Arora et al. (2019), as
/// Tancik et al. (2020, Fig. 2) use it to explain Fourier features.
///
/// The network has `hiddenLayers` ReLU layers and a linear output, no biases, in the NTK
/// parameterisation with weight variance 2 (He scaling), so a layer keeps the diagonal
/// Σ(x, x) = ‖x‖². With ρ the correlation of the previous layer's pre-activations:
///
///     Σʰ(x, y) = √(Σ(x, x) Σ(y, y)) · κ₁(ρ),   Σ̇ʰ(x, y) = κ₀(ρ),   Θʰ = Θʰ⁻¹ · Σ̇ʰ + Σʰ,
///
/// from Σ⁰ = Θ⁰ = ⟨x, y⟩, where κ₁(t) = (√(1 − t²) + (π − arccos t) t)/π and
/// κ₀(t) = (π − arccos t)/π (twice the Gaussian expectations of ReLU(u)ReLU(v) and of
/// 1[u > 0]1[v > 0] for unit-variance u, v of correlation t). Θ(x, x) = (L + 1)‖x‖².
///
/// Accuracy: Double throughout; ρ is clamped to [−1, 1] before `acos`, so rounding can never
/// make it NaN. A zero-norm input gives Σ = 0 and Σ̇ = κ₀(0) = ½ (its pre-activations are 0).
public enum ReLUNeuralTangentKernel {
    /// κ₁(t) = (√(1 − t²) + (π − arccos t)·t)/π, the degree-1 arc-cosine kernel (κ₁(1) = 1).
    static func arcCosine1(_ t: Double) -> Double {
        let c = min(1, max(-1, t))
        return ((1 - c * c).squareRoot() + (Double.pi - acos(c)) * c) / Double.pi
    }

    /// κ₀(t) = (π − arccos t)/π, the degree-0 arc-cosine kernel (κ₀(1) = 1, κ₀(0) = ½).
    static func arcCosine0(_ t: Double) -> Double {
        (Double.pi - acos(min(1, max(-1, t)))) / Double.pi
    }

    /// Θ(x, y) for inputs with squared norms `xx`, `yy` and inner product `xy`.
    static func kernel(xx: Double, yy: Double, xy: Double, hiddenLayers: Int) -> Double {
        precondition(hiddenLayers >= 0, "ReLUNeuralTangentKernel: negative layer count")
        let scale = (xx * yy).squareRoot()
        var sigma = xy, theta = xy
        for _ in 0..<hiddenLayers {
            let rho = scale > 0 ? sigma / scale : 0
            let derivative = arcCosine0(rho)
            sigma = scale * arcCosine1(rho)
            theta = theta * derivative + sigma
        }
        return theta
    }

    /// Θ(x, y) for two input vectors of one width.
    public static func kernel(_ x: [Double], _ y: [Double], hiddenLayers: Int) -> Double {
        precondition(x.count == y.count, "ReLUNeuralTangentKernel: inputs of widths \(x.count) and \(y.count)")
        var xx = 0.0, yy = 0.0, xy = 0.0
        for (a, b) in zip(x, y) { xx += a * a; yy += b * b; xy += a * b }
        return kernel(xx: xx, yy: yy, xy: xy, hiddenLayers: hiddenLayers)
    }

    /// The composed kernel of a scalar input behind the Fourier-feature mapping
    /// γ(v) = [a_j cos 2πb_j v, a_j sin 2πb_j v] / ‖a‖: stationary, a function of Δ = v − v' alone,
    /// since ⟨γ(v), γ(v')⟩ = Σ a_j² cos(2π b_j Δ) / Σ a_j² and ‖γ‖ = 1.
    static func mappedKernel(difference: Double, amplitudes a: [Double], frequencies b: [Double],
                                    hiddenLayers: Int) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "ReLUNeuralTangentKernel: one amplitude per frequency")
        var dot = 0.0, norm = 0.0
        for (aj, bj) in zip(a, b) {
            dot += aj * aj * cos(2 * Double.pi * bj * difference)
            norm += aj * aj
        }
        precondition(norm > 0, "ReLUNeuralTangentKernel: all amplitudes are zero")
        return kernel(xx: 1, yy: 1, xy: dot / norm, hiddenLayers: hiddenLayers)
    }
}
