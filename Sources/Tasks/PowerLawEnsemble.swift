import Foundation
import Numerics

/// The ensembles of "1/f^α" signals of Tancik et al.'s amplitude-optimisation notebook
/// (`Experiments/1d_ntk_opt.ipynb`, their Fig. 5), as it defines them: on a grid of N points,
/// every DFT bin k gets (1 + |k|)^(−α)(a_k + i b_k), with |k| = min(k, N − k) the bin's frequency
/// and a_k, b_k standard normal; a signal is the real part of the inverse DFT (with its 1/N). Unlike
/// ``BandLimitedPowerLaw`` no bin is cut off, and the whole ensemble is min–max normalised
/// together, over every value of every signal, to [−0.5, 0.5] (one signal's range is smaller).
///
/// The real part of the inverse DFT of c is the inverse DFT of its Hermitian part
/// (c_k + conj(c_{N−k}))/2, synthesised by one FFTW c2r transform per signal.
///
/// Randomness: Numerics' SeededGenerator from `seed` (not JAX's PRNG: the draws differ from the
/// paper's), a_k then b_k for k = 0 … N − 1, signal after signal. Accuracy: Double throughout.
public enum PowerLawEnsemble {
    /// `count` signals of `points` values each (N ≥ 2).
    public static func signals(points: Int, exponent alpha: Double, count: Int, seed: UInt64) -> [[Double]] {
        precondition(points >= 2 && count >= 1, "PowerLawEnsemble: need at least 2 points and 1 signal")
        precondition(alpha.isFinite, "PowerLawEnsemble: exponent must be finite")
        var random = TaskRandom(seed: seed)
        let n = points
        let decay = (0..<n).map { pow(Double(1 + min($0, n - $0)), -alpha) }
        var raw: [[Double]] = []
        raw.reserveCapacity(count)
        for _ in 0..<count {
            var re = [Double](repeating: 0, count: n), im = re
            for k in 0..<n {
                re[k] = decay[k] * random.gaussian()
                im[k] = decay[k] * random.gaussian()
            }
            let bins = n / 2 + 1
            var hre = [Double](repeating: 0, count: bins), him = hre
            for k in 0..<bins {
                let mirror = (n - k) % n
                hre[k] = (re[k] + re[mirror]) / 2
                him[k] = (im[k] - im[mirror]) / 2
            }
            raw.append(FourierTransform.inverse(re: hre, im: him, count: n).map { $0 / Double(n) })
        }
        let low = raw.lazy.flatMap { $0 }.min()!, high = raw.lazy.flatMap { $0 }.max()!
        let range = high - low
        return raw.map { $0.map { range > 0 ? ($0 - low) / range - 0.5 : 0 } }
    }
}
