import Foundation

/// Random signals with a 1/f^α power spectrum ("coloured noise": α = 0 white, 1 pink, 2 brown),
/// band-limited to integer frequencies 1 ... maxFrequency on [0, 1).
///
/// A signal is a ``SumOfSines`` with explicit amplitudes, so it can be evaluated anywhere (random
/// validation and test points included); on the equispaced grid it is synthesised with one FFTW
/// inverse transform (``SumOfSines/sampledOnUnitGrid(count:)``). Power |c_k|² ∝ k^{-α}, so the
/// amplitude of frequency k is proportional to k^{-α/2}. No constant term (zero mean).
///
/// Randomness (Numerics' SeededGenerator from `seed`; one draw, or a pair, per frequency, k
/// ascending):
/// - ``Coefficients/gaussian``: c_k = k^{-α/2} (a_k + i b_k) with a_k, b_k standard normal
///   (Box–Muller): the stationary Gaussian process with that spectrum. Its periodogram scatters
///   around the power law (exponential spread per bin), so log-log fits give α only roughly.
/// - ``Coefficients/randomPhase``: amplitude exactly k^{-α/2}, phase uniform in [0, 2π):
///   the spectrum is the power law exactly and only the phases are random.
///
/// The signal is scaled to unit RMS over [0, 1) (Σ amplitude²/2 = 1).
public enum PowerLawNoise {
    public enum Coefficients: String, Sendable, Equatable, CaseIterable {
        case gaussian
        case randomPhase
    }

    /// The signal as a sum of sines with frequencies 1 ... maxFrequency.
    public static func sumOfSines(exponent alpha: Double, maxFrequency: Int, seed: UInt64,
                                  coefficients: Coefficients = .gaussian) -> SumOfSines {
        precondition(maxFrequency >= 1, "PowerLawNoise: maxFrequency must be at least 1")
        precondition(alpha.isFinite, "PowerLawNoise: exponent must be finite")
        var random = TaskRandom(seed: seed)
        var amplitudes = [Double]()
        var phases = [Double]()
        amplitudes.reserveCapacity(maxFrequency)
        phases.reserveCapacity(maxFrequency)
        for k in 1...maxFrequency {
            let envelope = pow(Double(k), -alpha / 2)
            switch coefficients {
            case .gaussian:
                let a = random.gaussian()
                let b = random.gaussian()
                // a cos θ + b sin θ = r sin(θ + φ) with r = √(a²+b²), φ = atan2(a, b).
                amplitudes.append(envelope * (a * a + b * b).squareRoot())
                phases.append(atan2(a, b))
            case .randomPhase:
                amplitudes.append(envelope)
                phases.append(2 * Double.pi * random.unit())
            }
        }
        let rms = (amplitudes.reduce(0) { $0 + $1 * $1 } / 2).squareRoot()
        return SumOfSines(frequencies: (1...maxFrequency).map(Double.init),
                          amplitudes: .explicit(amplitudes.map { $0 / rms }), phases: phases)
    }

    /// `count` samples on the equispaced grid of [0, 1), with frequencies up to
    /// `maxFrequency` (default: the highest below Nyquist, (count - 1) / 2).
    public static func samples(count: Int, exponent alpha: Double, seed: UInt64,
                               maxFrequency: Int? = nil, coefficients: Coefficients = .gaussian) -> [Double] {
        precondition(count >= 3, "PowerLawNoise.samples: need at least 3 points")
        let top = maxFrequency ?? (count - 1) / 2
        precondition(2 * top < count, "PowerLawNoise.samples: maxFrequency \(top) is not below Nyquist for \(count) points")
        return sumOfSines(exponent: alpha, maxFrequency: top, seed: seed, coefficients: coefficients)
            .sampledOnUnitGrid(count: count)
    }
}
