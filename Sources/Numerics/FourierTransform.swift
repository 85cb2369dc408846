import CFFTW
import Foundation

/// Discrete Fourier transforms of real signals, backed by FFTW 3 (never hand-written).
///
/// Conventions (those of FFTW and numpy.fft):
///
/// - forward: `X_k = Σ_{j<n} x_j e^{-2πi jk/n}`, unnormalised;
/// - inverse: `x_j = Σ_{k<n} X_k e^{+2πi jk/n}`, unnormalised (so inverse ∘ forward = n · identity);
/// - a real signal of length `n` has the one-sided spectrum `k = 0 ... n/2` (`n/2 + 1` bins); the
///   other half follows from Hermitian symmetry `X_{n-k} = conj(X_k)`.
///
/// Determinism: plans are made with `FFTW_ESTIMATE` (no timing measurements) on buffers from
/// `fftw_malloc` (always SIMD-aligned), so the same input gives the same bytes on every run on a
/// given machine and build of FFTW.
///
/// Thread safety: FFTW's planner is not thread-safe, so plan creation and destruction are
/// serialised by a process-wide lock; executing a plan is thread-safe and runs outside the lock.
///
/// Accuracy: FFTW's error grows like `O(ε log n)` relative to `Σ|x_j|`; for a unit sinusoid sampled
/// at `n ≤ 10⁵` points the amplitudes are exact to about `1e-13`.
public enum FourierTransform {
    /// One-sided DFT amplitudes `|X_k|`, `k = 0 ... n/2`, of a real signal
    /// (unnormalised: `X_k = Σ x_j e^{-2πi jk/n}`). FFTW r2c, `FFTW_ESTIMATE` (deterministic plans).
    /// An empty signal gives an empty result.
    public static func amplitudes(_ signal: [Double]) -> [Double] {
        let (re, im) = spectrum(signal)
        var result = [Double](repeating: 0, count: re.count)
        for k in 0..<re.count {
            result[k] = (re[k] * re[k] + im[k] * im[k]).squareRoot()
        }
        return result
    }

    /// Complex one-sided spectrum `(re, im)`, `k = 0 ... n/2`, of a real signal (unnormalised,
    /// forward sign `-`). An empty signal gives empty arrays.
    public static func spectrum(_ signal: [Double]) -> (re: [Double], im: [Double]) {
        let n = signal.count
        guard n > 0 else { return ([], []) }
        precondition(n <= Int(Int32.max), "FourierTransform: length \(n) exceeds FFTW's 32-bit interface")
        let bins = n / 2 + 1
        let input = fftw_alloc_real(n)!
        let output = fftw_alloc_complex(bins)!
        defer {
            fftw_free(input)
            fftw_free(output)
        }
        signal.withUnsafeBufferPointer { source in
            input.update(from: source.baseAddress!, count: n)
        }
        let plan = planLock.withLock {
            fftw_plan_dft_r2c_1d(Int32(n), input, output, estimate)
        }
        guard let plan else { fatalError("FFTW could not plan a real forward transform of length \(n)") }
        fftw_execute(plan)
        planLock.withLock { fftw_destroy_plan(plan) }

        var re = [Double](repeating: 0, count: bins)
        var im = [Double](repeating: 0, count: bins)
        for k in 0..<bins {
            re[k] = output[k].0
            im[k] = output[k].1
        }
        return (re, im)
    }

    /// Real signal of length `count` from its one-sided spectrum (inverse of ``spectrum(_:)``
    /// up to the factor `count`): `x_j = Σ_{k<n} X_k e^{+2πi jk/n}` with `X_{n-k} = conj(X_k)`.
    ///
    /// `re` and `im` give `X_k` for `k = 0 ... count/2` (missing high bins are taken as 0, extra
    /// ones are ignored). As in FFTW's c2r, the imaginary parts of `X_0` and, for even `count`,
    /// of the Nyquist bin `X_{n/2}` are ignored. Unnormalised: `inverse(spectrum(x)) = n · x`.
    public static func inverse(re: [Double], im: [Double], count: Int) -> [Double] {
        precondition(count >= 0, "FourierTransform.inverse: negative count \(count)")
        precondition(re.count == im.count, "FourierTransform.inverse: re and im differ in length")
        guard count > 0 else { return [] }
        precondition(count <= Int(Int32.max), "FourierTransform: length \(count) exceeds FFTW's 32-bit interface")
        let bins = count / 2 + 1
        let input = fftw_alloc_complex(bins)!
        let output = fftw_alloc_real(count)!
        defer {
            fftw_free(input)
            fftw_free(output)
        }
        for k in 0..<bins {
            input[k] = k < re.count ? (re[k], im[k]) : (0, 0)
        }
        // c2r overwrites its input (FFTW_DESTROY_INPUT is the default); the buffer is ours.
        let plan = planLock.withLock {
            fftw_plan_dft_c2r_1d(Int32(count), input, output, estimate)
        }
        guard let plan else { fatalError("FFTW could not plan a real inverse transform of length \(count)") }
        fftw_execute(plan)
        planLock.withLock { fftw_destroy_plan(plan) }
        return Array(UnsafeBufferPointer(start: output, count: count))
    }

    /// `FFTW_ESTIMATE` (`1U << 6` in fftw3.h): pick a plan by heuristics, never by timing.
    private static let estimate = UInt32(1 << 6)

    /// Serialises FFTW's planner (plan creation and destruction are not thread-safe).
    private static let planLock = NSLock()
}
