import Numerics

/// Fourier measures of functions sampled on the equispaced grid of [0, 1) (FFTW underneath).
///
/// With n samples on [0, 1), DFT bin k is the integer frequency k (cycles per unit), for
/// k = 0 ... n/2. A sinusoid a sin(2πkx + φ) with 0 < k < n/2 puts |X_k| = a n / 2 exactly in bin k
/// and nothing elsewhere (no leakage, since it completes k periods), so 2|X_k|/n reads a.
public enum Spectra {
    /// One-sided amplitude spectrum scaled so a unit sinusoid at frequency k reads 1 at k:
    /// 2|X_k|/n for 0 < k < n/2, and |X_k|/n at k = 0 (the mean) and at the Nyquist bin k = n/2
    /// (n even), whose content is not split with a mirror bin. Length n/2 + 1.
    ///
    /// Accuracy: FFTW's rounding, about 1e-15 · Σ|x_j| / n · log n; in practice 1e-13 or better
    /// for unit-scale signals.
    public static func amplitudeSpectrum(_ signal: [Double]) -> [Double] {
        let n = signal.count
        guard n > 0 else { return [] }
        var amplitudes = FourierTransform.amplitudes(signal)
        let scale = 2 / Double(n)
        for k in amplitudes.indices {
            let edge = k == 0 || (n % 2 == 0 && k == n / 2)
            amplitudes[k] *= edge ? 1 / Double(n) : scale
        }
        return amplitudes
    }

    /// The amplitude at each listed frequency k read from a spectrum (``amplitudeSpectrum(_:)``):
    /// the bin k itself (`halfWidth` 0), or the sum over the bins k − b … k + b (both ends
    /// included, cut to the spectrum's bins), b = `halfWidth`: Fang & Xu's Fig. 9 normalisation
    /// for x-dependent amplitudes, whose energy near κⱼ spreads over neighbouring bins. A
    /// frequency outside the spectrum reads 0. Exact sums of the given values.
    public static func amplitudes(in spectrum: [Double], at frequencies: [Int], halfWidth: Int = 0) -> [Double] {
        frequencies.map { k in
            guard spectrum.indices.contains(k) else { return 0 }
            let low = max(0, k - max(0, halfWidth)), high = min(spectrum.count - 1, k + max(0, halfWidth))
            return spectrum[low...high].reduce(0, +)
        }
    }

    /// Normalised amplitude at each listed integer frequency k of a signal sampled on an
    /// equispaced grid of [0, 1): 2|DFT(x)(k)|/n / A_k (A_k = the target's amplitude, given in
    /// `reference`, one per frequency), i.e. 1 when the component is fully learned (the
    /// |f̃(k_i)|/A_i of Rahaman et al., Fig. 1). k = 0 and Nyquist use the 1/n scaling of
    /// ``amplitudeSpectrum(_:)``.
    ///
    /// Preconditions: `0 ≤ k ≤ n/2` and one reference per frequency. A zero reference gives ±inf
    /// or NaN, as the division says.
    public static func relativeAmplitudes(of signal: [Double], at frequencies: [Int],
                                          reference: [Double]) -> [Double] {
        precondition(reference.count == frequencies.count,
                     "Spectra.relativeAmplitudes: \(reference.count) references for \(frequencies.count) frequencies")
        let spectrum = amplitudeSpectrum(signal)
        return zip(frequencies, reference).map { k, a in
            precondition(spectrum.indices.contains(k),
                         "Spectra.relativeAmplitudes: frequency \(k) outside 0...\(signal.count / 2)")
            return spectrum[k] / a
        }
    }

    /// As ``relativeAmplitudes(of:at:reference:)`` with the references read from the target's
    /// own samples on the same grid (A_k = the target's amplitude spectrum at k). This is the
    /// normalisation to use when the target's amplitudes depend on x (MGDL's x-dependent setting),
    /// where α_j alone is not the amplitude of bin κ_j.
    public static func relativeAmplitudes(of signal: [Double], at frequencies: [Int],
                                          targetSamples: [Double]) -> [Double] {
        precondition(targetSamples.count == signal.count,
                     "Spectra.relativeAmplitudes: target has \(targetSamples.count) samples, signal \(signal.count)")
        let target = amplitudeSpectrum(targetSamples)
        return relativeAmplitudes(of: signal, at: frequencies, reference: frequencies.map { target[$0] })
    }

    /// Spectral evolution: ``relativeAmplitudes(of:at:reference:)`` for each signal of a sequence
    /// (training checkpoints, or the cumulative prediction after each MGDL grade); row i is
    /// signal i. The heatmaps of Rahaman et al. and MGDL plot this matrix.
    public static func evolution(of signals: [[Double]], at frequencies: [Int],
                                 reference: [Double]) -> [[Double]] {
        signals.map { relativeAmplitudes(of: $0, at: frequencies, reference: reference) }
    }

    /// Amplitude spectrum of each signal (per-grade spectra: the contribution of each grade,
    /// or the residual left after it). Row i is ``amplitudeSpectrum(_:)`` of signal i.
    public static func amplitudeSpectra(_ signals: [[Double]]) -> [[Double]] {
        signals.map(amplitudeSpectrum)
    }
}
