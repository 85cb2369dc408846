#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded, portable pseudo-random generator: **xoshiro256\*\*** (Blackman & Vigna, 2018)
/// whose 256-bit state is filled from the 64-bit seed by four outputs of **SplitMix64**.
///
/// - Bits: `next()` is exactly xoshiro256** 1.0; the same seed gives the same sequence on every
///   machine.
/// - Uniform doubles: `(next() >> 11) * 2^-53`, in [0, 1) (53 random bits).
/// - Normal doubles: Box–Muller on two uniforms (`u1` mapped to (0, 1]), both outputs used (the
///   second is cached). They go through libm's `log`, `sqrt`, `cos`, `sin`, so normal draws are
///   reproducible bit for bit on one machine and libm; across libms they may differ in the last ulp.
/// - Integers below `n`: Lemire's nearly-divisionless method through `RandomNumberGenerator`'s
///   default `next(upperBound:)`.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable {
    @usableFromInline var s0, s1, s2, s3: UInt64
    @usableFromInline var cachedNormal: Double? = nil

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    @inlinable public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * uniform()
    }

    /// Standard normal draw (Box–Muller, both outputs used).
    public mutating func normal() -> Double {
        if let z = cachedNormal { cachedNormal = nil; return z }
        let u1 = 1.0 - uniform()          // (0, 1]
        let u2 = uniform()
        let r = (-2.0 * log(u1)).squareRoot()
        let theta = 2.0 * Double.pi * u2
        cachedNormal = r * sin(theta)
        return r * cos(theta)
    }

    /// Normal draw with the given mean and standard deviation.
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }

    /// A uniformly random permutation of `0..<count` written into `indices` (Fisher–Yates,
    /// from the last index down, each swap partner drawn with `next(upperBound:)`).
    public mutating func shuffle(_ indices: UnsafeMutableBufferPointer<Int>) {
        var i = indices.count - 1
        while i > 0 {
            let j = Int(next(upperBound: UInt64(i + 1)))
            indices.swapAt(i, j)
            i -= 1
        }
    }
}
