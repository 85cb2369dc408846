import Foundation

/// Tancik et al.'s (NeurIPS 2020, §5 and Fig. 3) band-limited "1/f^α" random signal, as their
/// 1-D notebooks define it: on a grid of N points, the DFT coefficient of bin k is
/// c_k = (1 + k)^(−α) (a_k + i b_k) with a_k, b_k standard normal for 0 ≤ k < N/4 and 0 for every
/// other bin (the negative frequencies included); the signal is the real part of the inverse DFT,
/// min–max normalised over the N grid values to [−0.5, 0.5].
///
/// Not the same as ``PowerLawNoise`` (Rahaman-style coloured noise whose *power* falls as
/// k^(−α), without a constant term): here the *amplitude* falls as (1 + k)^(−α), bin 0 (a
/// constant) is kept, and the band stops at N/4.
///
/// As a function of x ∈ [0, 1): Re(c_k e^{2πikx}) = a_k cos 2πkx − b_k sin 2πkx
/// = r_k sin(2πkx + φ_k) with r_k = (1 + k)^(−α)√(a_k² + b_k²) and φ_k = atan2(a_k, −b_k), so the
/// signal is a ``SumOfSines`` (the 1/N of the inverse DFT cancels in the normalisation) and can be
/// evaluated off the grid; its minimum and maximum are those of the N grid values, as the paper's.
///
/// Randomness: Numerics' SeededGenerator from `seed` (not JAX's PRNG, so the draws differ from
/// the paper's): a_k then b_k, k ascending. Accuracy: Double throughout; the normalised grid values
/// lie in [−0.5, 0.5] up to rounding (a few ulps).
public struct BandLimitedPowerLaw: Sendable, Equatable {
    public let sines: SumOfSines
    /// The smallest and largest value of the raw sum on the N-point grid.
    public let minimum: Double
    public let maximum: Double

    /// The signal for a grid of `points` (N ≥ 4) with exponent α and the seed of the coefficients.
    public init(points: Int, exponent alpha: Double, seed: UInt64) {
        precondition(points >= 4, "BandLimitedPowerLaw: need at least 4 grid points")
        precondition(alpha.isFinite, "BandLimitedPowerLaw: exponent must be finite")
        var random = TaskRandom(seed: seed)
        let band = points / 4
        var amplitudes: [Double] = [], phases: [Double] = []
        for k in 0..<band {
            let a = random.gaussian(), b = random.gaussian()
            amplitudes.append(pow(Double(1 + k), -alpha) * (a * a + b * b).squareRoot())
            phases.append(atan2(a, -b))
        }
        let sum = SumOfSines(frequencies: (0..<band).map(Double.init), amplitudes: .explicit(amplitudes), phases: phases)
        sines = sum
        let grid = Grid.equispaced(count: points).map { sum($0) }
        minimum = grid.min()!
        maximum = grid.max()!
    }

    /// The normalised signal at x: (s(x) − min)/(max − min) − 0.5 (a constant signal gives 0).
    public func callAsFunction(_ x: Double) -> Double {
        let range = maximum - minimum
        return range > 0 ? (sines(x) - minimum) / range - 0.5 : 0
    }
}
