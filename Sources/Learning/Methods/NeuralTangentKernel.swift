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

extension ReLUNeuralTangentKernel {
    /// dκ₀/dt = 1/(π√(1 − t²)), infinite at t = ±1; there it returns 1/(π·√(10⁻³⁰⁰)), a finite
    /// stand-in (callers never use it where t = ±1 matters: see ``standardParameterisation``).
    static func arcCosine0Derivative(_ t: Double) -> Double {
        1 / (Double.pi * max(1 - t * t, 1e-300).squareRoot())
    }

    /// The NTK of neural-tangents' `stax` ReLU MLP in its **standard parameterisation** (the
    /// parameterisation of Tancik et al.'s 1-D notebooks: `Dense(width, parameterization='standard')`,
    /// W_std = 1, b_std = 0, biases trained), for inputs of unit norm, input width `inputWidth`,
    /// hidden width `width` and `hiddenLayers` ReLU layers followed by a linear output. Returns
    /// Θ(c) and dΘ/dc, c = ⟨x, y⟩ the inputs' inner product.
    ///
    /// neural-tangents' `Dense` (standard) maps the NTK as Θ ← fan-in · K + 1 + Θ, where K is the
    /// incoming NNGP kernel and the inputs' kernel is ⟨x, y⟩/fan-in; its `Relu` maps Θ ← Θ·κ₀(ρ)/2
    /// and K ← √(K(x,x)K(y,y))·κ₁(ρ)/2. Unrolled for unit inputs (K(x, x) halves at every ReLU):
    ///
    ///     Θ₁ = c + 1,   ρ₁ = c,
    ///     Θ_{l+1} = Θ_l · κ₀(ρ_l)/2 + width/(inputWidth · 2^l) · κ₁(ρ_l) + 1,   ρ_{l+1} = κ₁(ρ_l),
    ///
    /// for l = 1 … hiddenLayers; the derivative follows the same recursion with dκ₁/dρ = κ₀(ρ) and
    /// dκ₀/dρ = 1/(π√(1 − ρ²)). Unlike the NTK parameterisation (``kernel(_:_:hiddenLayers:)``) the
    /// layers are weighted by their fan-in and the trained biases add constants, so the kernel's
    /// shape, not only its scale, differs. The derivative is infinite at c = ±1 (it is returned as
    /// a very large finite number there); a caller differentiating through c(a) must drop points
    /// where c ≡ ±1 for every a (Δ = 0, where dc/da = 0).
    ///
    /// Accuracy: Double; ρ is clamped to [−1, 1].
    public static func standardParameterisation(correlation c: Double, inputWidth: Int, width: Int,
                                                hiddenLayers: Int) -> (value: Double, derivative: Double) {
        precondition(hiddenLayers >= 0 && inputWidth > 0 && width > 0, "ReLUNeuralTangentKernel: bad network shape")
        var theta = c + 1, dTheta = 1.0
        var rho = min(1, max(-1, c)), dRho = 1.0
        var scale = Double(width) / Double(inputWidth)
        for _ in 0..<hiddenLayers {
            scale /= 2
            let k0 = arcCosine0(rho), k1 = arcCosine1(rho), dk0 = arcCosine0Derivative(rho)
            dTheta = dTheta * k0 / 2 + theta * dk0 * dRho / 2 + scale * k0 * dRho
            theta = theta * k0 / 2 + scale * k1 + 1
            dRho *= k0
            rho = min(1, max(-1, k1))
        }
        return (theta, dTheta)
    }
}

extension ReLUNeuralTangentKernel {
    /// The NTK at initialisation of a ReLU MLP in the **standard parameterisation** with any
    /// per-layer weight variances, in the infinite-width limit: the network our engine trains
    /// (`Network`: weights of layer l drawn with variance σ_l² per entry, zero biases, biases
    /// trained), for inputs x, y given by their squared norms `xx`, `yy` and inner product `xy`.
    /// `widths` are the layer widths d_in, n₁ … n_L, 1 and `weightVariances` the L + 1 values σ_l²
    /// (Glorot normal: 2/(fan-in + fan-out); He normal: 2/fan-in).
    ///
    /// With K_l the pre-activation covariance of layer l, E[φφ] = ½√(K(x,x)K(y,y))·κ₁(ρ) and
    /// E[φ′φ′] = ½κ₀(ρ) for ReLU (ρ the correlation):
    ///
    ///     K₁ = σ₁²·⟨x, y⟩,   Θ₁ = ⟨x, y⟩ + 1,
    ///     Θ_{l+1} = n_l·E[φφ] + 1 + σ²_{l+1}·n_l·E[φ′φ′]·Θ_l,   K_{l+1} = σ²_{l+1}·n_l·E[φφ],
    ///
    /// each layer's weight gradient adding the incoming activations' inner product (summed over
    /// the n_l units: the standard parameterisation's kernel grows with the width), each bias 1.
    /// With σ_l² = 1/fan-in and unit inputs it is ``standardParameterisation(correlation:inputWidth:width:hiddenLayers:)``
    /// (neural-tangents' W_std = 1, b_std = 0), which the tests check.
    ///
    /// Accuracy: Double; ρ is clamped to [−1, 1]; a zero-norm input has ρ = 0.
    public static func standardParameterisation(xx: Double, yy: Double, xy: Double, widths: [Int], weightVariances: [Double]) -> Double {
        precondition(widths.count >= 2 && weightVariances.count == widths.count - 1 && widths.allSatisfy { $0 > 0 },
                     "ReLUNeuralTangentKernel: \(weightVariances.count) weight variances for layer widths \(widths)")
        var kxy = weightVariances[0] * xy, kxx = weightVariances[0] * xx, kyy = weightVariances[0] * yy
        var theta = xy + 1
        for l in 1..<(widths.count - 1) {
            let n = Double(widths[l]), s2 = weightVariances[l]
            let scale = (kxx * kyy).squareRoot()
            let rho = scale > 0 ? kxy / scale : 0
            let phiphi = scale * arcCosine1(rho) / 2
            theta = n * phiphi + 1 + s2 * n * arcCosine0(rho) / 2 * theta
            kxy = s2 * n * phiphi
            kxx = s2 * n * kxx / 2
            kyy = s2 * n * kyy / 2
        }
        return theta
    }
}
