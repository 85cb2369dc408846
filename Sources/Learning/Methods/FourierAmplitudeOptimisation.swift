import Foundation
import Numerics

/// Tancik et al.'s (NeurIPS 2020, Fig. 5, App. A.1; notebook `Experiments/1d_ntk_opt.ipynb`)
/// "NTK linear model" of a ReLU MLP behind the Fourier mapping
/// γ(v) = [a_j sin 2πb_j v, a_j cos 2πb_j v] / ‖a‖, and the gradient of its test error with respect
/// to the amplitudes a_j, so that the a_j can be optimised for a family of signals.
///
/// The setting, as the notebook's: a periodic grid of N = 2n points v_i = i/N; the model is
/// trained on the even points (n of them) and tested on the odd ones. The composed kernel is
/// stationary, h(Δ) = Θ(c(Δ)) with c(Δ) = Σ a_j² cos(2πb_j Δ) / Σ a_j² (``ReLUNeuralTangentKernel/standardParameterisation``),
/// so every kernel matrix on the grid is circulant and the DFT diagonalises it: with
/// H_k = Σ_i h(i/N) e^{−2πi ik/N} (real: h is even), the training kernel's eigenvalues are
/// λ_k = (H_k + H_{k+n})/2, k < n. The model is the linearised network after gradient flow for a
/// time t on ½·Σ(f − y)² from f₀ = 0 (the notebook's `predict`: t = lr × iterations of the
/// network it models), f_t(x) = K(x, X)K⁻¹(1 − e^{−tK})y. In the DFT of the grid,
/// F_k = H_k · φ(λ_{k mod n}) · Ỹ_{k mod n} with φ(λ) = (1 − e^{−tλ})/λ and Ỹ the DFT of the n
/// training values. No matrix is inverted or solved: the circulant structure makes the linear
/// model diagonal in the DFT basis (FFTW through Numerics' ``FourierTransform``).
///
/// The test error of one signal y (Y its N-point DFT): the odd-point errors have the n-point DFT
/// ω^k (E_k − E_{k+n})/2, so by Parseval Σ_odd (y − f)² = (1/4n) Σ_{k<n} |D_k − G_k S_k|², with
/// D_k = Y_k − Y_{k+n}, S_k = (Y_k + Y_{k+n})/2 (= Ỹ_k) and the real gain G_k = (H_k − H_{k+n}) φ(λ_k).
/// Over many signals only Σ|D_k|², Σ Re(D_k S̄_k) and Σ|S_k|² enter, gathered once: an
/// evaluation costs one kernel row, one FFT and O(n), whatever the number of signals.
///
/// The objective is the notebook's `spectrum_loss`: ½ · mean over signals and odd points of the
/// squared error, divided by N. Its gradient is written by hand (the backward pass of the chain
/// a → c → h → H → (λ, G) → loss, a second FFT for the transpose of the DFT) and checked by
/// finite differences in the tests.
///
/// Accuracy: Double throughout (the notebook: float32). φ and φ′ are evaluated by their Taylor
/// series when |tλ| < 10⁻⁴ (relative error below 10⁻¹²), so λ → 0 is harmless.
public struct FourierAmplitudeObjective: Sendable {
    /// n: the training points (even grid points); the grid has N = 2n points.
    public let trainPoints: Int
    /// b_j, one per amplitude.
    public let frequencies: [Double]
    public let hiddenLayers: Int
    /// The hidden width of the standard parameterisation.
    public let width: Int
    /// t: the gradient-flow time of the modelled network (learning rate × iterations).
    public let time: Double
    /// The number of signals the statistics were gathered from.
    public let signalCount: Int
    /// Σ|D_k|², Σ Re(D_k S̄_k), Σ|S_k|² over the signals, k < n.
    let sumD2: [Double], sumDS: [Double], sumS2: [Double]
    /// cos(2π b_j i/N), row j, column i.
    let cosines: [[Double]]

    var gridPoints: Int { 2 * trainPoints }

    /// The objective for `signals`, each sampled on the N = 2·`trainPoints` grid.
    public init(trainPoints n: Int, frequencies: [Double], hiddenLayers: Int, width: Int, time: Double, signals: [[Double]]) {
        precondition(n >= 2 && !frequencies.isEmpty && !signals.isEmpty, "FourierAmplitudeObjective: empty setting")
        trainPoints = n
        self.frequencies = frequencies
        self.hiddenLayers = hiddenLayers
        self.width = width
        self.time = time
        signalCount = signals.count
        let N = 2 * n
        var d2 = [Double](repeating: 0, count: n), ds = d2, s2 = d2
        for y in signals {
            precondition(y.count == N, "FourierAmplitudeObjective: a signal of \(y.count) values on a grid of \(N)")
            let (re, im) = Self.fullSpectrum(y)
            for k in 0..<n {
                let dRe = re[k] - re[k + n], dIm = im[k] - im[k + n]
                let sRe = (re[k] + re[k + n]) / 2, sIm = (im[k] + im[k + n]) / 2
                d2[k] += dRe * dRe + dIm * dIm
                ds[k] += dRe * sRe + dIm * sIm
                s2[k] += sRe * sRe + sIm * sIm
            }
        }
        sumD2 = d2; sumDS = ds; sumS2 = s2
        cosines = frequencies.map { b in (0..<N).map { cos(2 * Double.pi * b * Double($0) / Double(N)) } }
    }

    /// The N-point DFT of a real signal, every bin (the upper half by Hermitian symmetry).
    static func fullSpectrum(_ y: [Double]) -> (re: [Double], im: [Double]) {
        let N = y.count
        let (r, i) = FourierTransform.spectrum(y)
        var re = [Double](repeating: 0, count: N), im = re
        for k in 0..<N {
            if k <= N / 2 { re[k] = r[k]; im[k] = i[k] } else { re[k] = r[N - k]; im[k] = -i[N - k] }
        }
        return (re, im)
    }

    /// c(i/N) for i < N: the correlation of the mapped inputs.
    func correlations(_ a: [Double]) -> (c: [Double], norm: Double) {
        precondition(a.count == frequencies.count, "FourierAmplitudeObjective: \(a.count) amplitudes for \(frequencies.count) frequencies")
        let N = gridPoints
        let s = a.reduce(0) { $0 + $1 * $1 }
        precondition(s > 0, "FourierAmplitudeObjective: all amplitudes are zero")
        var c = [Double](repeating: 0, count: N)
        for (j, aj) in a.enumerated() where aj != 0 {
            let w = aj * aj / s, row = cosines[j]
            for i in 0..<N { c[i] += w * row[i] }
        }
        // Exactly 1 at Δ = 0 for every a: rounding would otherwise move it below 1, where Θ has a
        // square-root singularity (Θ(1 − ε) ≈ Θ(1) − C√ε), and make the loss jitter at 10⁻⁸.
        c[0] = 1
        return (c, s)
    }

    /// The kernel row h(i/N) = Θ(γ(i/N), γ(0)), i < N.
    public func kernelRow(_ a: [Double]) -> [Double] {
        correlations(a).c.map {
            ReLUNeuralTangentKernel.standardParameterisation(correlation: $0, inputWidth: 2 * frequencies.count, width: width,
                                                             hiddenLayers: hiddenLayers).value
        }
    }

    /// φ(λ) = (1 − e^{−tλ})/λ and φ′(λ).
    func gain(_ lambda: Double) -> (value: Double, derivative: Double) {
        let t = time, x = t * lambda
        if abs(x) < 1e-4 {
            return (t * (1 - x / 2 + x * x / 6), t * t * (-0.5 + x / 3 - x * x / 8))
        }
        let value = -expm1(-x) / lambda
        return (value, (t * exp(-x) - value) / lambda)
    }

    /// H_k, k < N (real), and the per-bin gains G_k, k < n, with the pieces the backward pass needs.
    func gains(_ h: [Double]) -> (H: [Double], G: [Double], phi: [Double], dphi: [Double]) {
        let N = gridPoints, n = trainPoints
        let half = FourierTransform.spectrum(h).re
        let H = (0..<N).map { half[$0 <= N / 2 ? $0 : N - $0] }
        var G = [Double](repeating: 0, count: n), phi = G, dphi = G
        for k in 0..<n {
            let (p, dp) = gain((H[k] + H[k + n]) / 2)
            phi[k] = p; dphi[k] = dp
            G[k] = (H[k] - H[k + n]) * p
        }
        return (H, G, phi, dphi)
    }

    /// The factor of the notebook's loss: ½ · (1/(signals · n)) · (1/N) · (1/4n).
    var lossScale: Double { 0.5 / Double(signalCount * trainPoints * gridPoints) / Double(4 * trainPoints) }

    /// The notebook's `spectrum_loss` for amplitudes `a`: ½ · the mean squared test error over the
    /// signals and odd points, divided by N.
    public func loss(_ a: [Double]) -> Double {
        let G = gains(kernelRow(a)).G
        var sum = 0.0
        for k in 0..<trainPoints { sum += sumD2[k] - 2 * G[k] * sumDS[k] + G[k] * G[k] * sumS2[k] }
        return lossScale * sum
    }

    /// The loss and its gradient with respect to `a` (hand-written backward pass).
    public func lossAndGradient(_ a: [Double]) -> (loss: Double, gradient: [Double]) {
        let N = gridPoints, n = trainPoints
        let (c, s) = correlations(a)
        var h = [Double](repeating: 0, count: N), dh = h
        for i in 0..<N {
            let k = ReLUNeuralTangentKernel.standardParameterisation(correlation: c[i], inputWidth: 2 * frequencies.count,
                                                                     width: width, hiddenLayers: hiddenLayers)
            h[i] = k.value; dh[i] = k.derivative
        }
        let (H, G, phi, dphi) = gains(h)
        var sum = 0.0
        var gH = [Double](repeating: 0, count: N)
        for k in 0..<n {
            sum += sumD2[k] - 2 * G[k] * sumDS[k] + G[k] * G[k] * sumS2[k]
            let gG = lossScale * (2 * G[k] * sumS2[k] - 2 * sumDS[k])
            let difference = H[k] - H[k + n]
            gH[k] += gG * (phi[k] + difference * dphi[k] / 2)
            gH[k + n] += gG * (-phi[k] + difference * dphi[k] / 2)
        }
        // H_k = Σ_i h_i cos(2π ik/N): dL/dh_i = Σ_k gH_k cos(2π ik/N), the real part of a DFT.
        let half = FourierTransform.spectrum(gH).re
        var gradient = [Double](repeating: 0, count: a.count)
        // c_0 ≡ 1 for every a (dc_0/da = 0, and Θ′ is infinite there): the point i = 0 is left out.
        for i in 1..<N {
            let gc = half[i <= N / 2 ? i : N - i] * dh[i]
            if gc == 0 { continue }
            for j in a.indices where a[j] != 0 {
                gradient[j] += gc * 2 * a[j] / s * (cosines[j][i] - c[i])
            }
        }
        return (lossScale * sum, gradient)
    }

    /// The mean squared error on the odd grid points of each of `signals` (sampled on the N-point
    /// grid), of the model trained on their even points with amplitudes `a`.
    public func testErrors(_ a: [Double], signals: [[Double]]) -> [Double] {
        let n = trainPoints
        let G = gains(kernelRow(a)).G
        return signals.map { y in
            let (re, im) = Self.fullSpectrum(y)
            var sum = 0.0
            for k in 0..<n {
                let eRe = re[k] - re[k + n] - G[k] * (re[k] + re[k + n]) / 2
                let eIm = im[k] - im[k + n] - G[k] * (im[k] + im[k + n]) / 2
                sum += eRe * eRe + eIm * eIm
            }
            return sum / Double(4 * n) / Double(n)
        }
    }

    /// Adam on the amplitudes from `initial` (JAX's `optimizers.adam`: β = (0.9, 0.999), ε = 10⁻⁸,
    /// bias-corrected, the engine's own update rule), `steps` steps of `learningRate`. Returns the
    /// final amplitudes and the loss before each step.
    public func optimise(from initial: [Double], learningRate: Double, steps: Int) -> (amplitudes: [Double], losses: [Double]) {
        let m = initial.count
        let state = OptimizerState<Double>(.adam(learningRate: learningRate), parameterCount: m)
        let parameters = AlignedBuffer<Double>(count: m), gradient = AlignedBuffer<Double>(count: m)
        for j in 0..<m { parameters.pointer[j] = initial[j] }
        var losses: [Double] = []
        losses.reserveCapacity(steps)
        for step in 1...max(1, steps) where steps > 0 {
            let (loss, g) = lossAndGradient((0..<m).map { parameters.pointer[$0] })
            losses.append(loss)
            for j in 0..<m { gradient.pointer[j] = g[j] }
            state.update(parameters.pointer, gradient: gradient.pointer, offset: 0, count: m, learningRate: learningRate, step: step)
        }
        return ((0..<m).map { parameters.pointer[$0] }, losses)
    }
}
