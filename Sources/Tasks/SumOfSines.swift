import Foundation
import Numerics

/// λ(z) = Σ_j α_j(z) sin(2π κ_j z + φ_j): the sum-of-sines targets of Rahaman et al. (2019) and of
/// MGDL (Fang & Xu, 2024, settings with constant, decreasing, x-dependent and increasing amplitudes).
///
/// Indices: the public API takes the 0-based index `j` into `frequencies`; the profiles below are
/// written with the papers' 1-based `j' = j + 1`.
public struct SumOfSines: Sendable, Equatable {
    /// The amplitude profile α_j(x), written with 1-based `j`.
    public enum Amplitudes: Sendable, Equatable {
        /// α_j = a for every j.
        case constant(Double)
        /// α_j = 1.05 - 0.05 j, j = 1, 2, ... (1.0, 0.95, 0.90, ...; reaches 0 at j = 21).
        case decreasing
        /// α_j(x) = e^{-x} cos((j - 1) x): depends on the input (j = 1 gives e^{-x}).
        case xDependent
        /// α_j = 0.05 j, j = 1, 2, ... (0.05, 0.10, ...).
        case increasing
        /// α_j = j / n, j = 1, ..., n for n frequencies: Rahaman et al.'s 0.1, 0.2, ..., 1.0 (n = 10).
        case rahamanIncreasing
        /// α_j given one per frequency.
        case explicit([Double])

        /// True when α_j does not depend on x.
        public var isConstantInX: Bool {
            if case .xDependent = self { return false }
            return true
        }
    }

    /// κ_j, in cycles per unit of input (integers give functions periodic on [0, 1)).
    public let frequencies: [Double]
    /// φ_j, radians.
    public let phases: [Double]
    /// The amplitude profile.
    public let amplitudes: Amplitudes

    /// A sum of `frequencies.count` sines. Preconditions: `phases` (and an `.explicit` amplitude
    /// list) have one entry per frequency; use ``validated(frequencies:amplitudes:phases:)`` to get
    /// a thrown ``TaskError`` instead.
    public init(frequencies: [Double], amplitudes: Amplitudes = .constant(1), phases: [Double]) {
        if let problem = Self.problem(frequencies: frequencies, amplitudes: amplitudes, phases: phases) {
            preconditionFailure(problem)
        }
        self.frequencies = frequencies
        self.amplitudes = amplitudes
        self.phases = phases
    }

    /// Integer frequencies `range` stepped by `step` (e.g. 5...50 by 5 as in Rahaman et al.).
    public init(frequencyRange range: ClosedRange<Int>, step: Int = 1,
                amplitudes: Amplitudes = .constant(1), phases: [Double]) {
        precondition(step > 0, "SumOfSines: frequency step must be positive, got \(step)")
        self.init(frequencies: stride(from: range.lowerBound, through: range.upperBound, by: step).map(Double.init),
                  amplitudes: amplitudes, phases: phases)
    }

    /// As ``init(frequencies:amplitudes:phases:)`` but throws a ``TaskError`` naming the problem.
    public static func validated(frequencies: [Double], amplitudes: Amplitudes = .constant(1),
                                 phases: [Double]) throws -> SumOfSines {
        if let problem = problem(frequencies: frequencies, amplitudes: amplitudes, phases: phases) {
            throw TaskError(problem)
        }
        return SumOfSines(frequencies: frequencies, amplitudes: amplitudes, phases: phases)
    }

    private static func problem(frequencies: [Double], amplitudes: Amplitudes, phases: [Double]) -> String? {
        if frequencies.isEmpty { return "a sum of sines needs at least one frequency" }
        if let bad = frequencies.first(where: { !$0.isFinite }) { return "frequency \(bad) is not finite" }
        if phases.count != frequencies.count {
            return "\(phases.count) phases given for \(frequencies.count) frequencies"
        }
        if let bad = phases.first(where: { !$0.isFinite }) { return "phase \(bad) is not finite" }
        switch amplitudes {
        case .constant(let a) where !a.isFinite:
            return "constant amplitude \(a) is not finite"
        case .explicit(let list) where list.count != frequencies.count:
            return "\(list.count) amplitudes given for \(frequencies.count) frequencies"
        case .explicit(let list) where list.contains(where: { !$0.isFinite }):
            return "an explicit amplitude is not finite"
        default:
            return nil
        }
    }

    /// Phases drawn uniformly in [0, 2π) from a seed: φ_j = 2π u_j, with u_j the j-th uniform
    /// (top 53 bits · 2⁻⁵³) of Numerics' `SeededGenerator(seed:)`, i.e. xoshiro256** seeded
    /// through SplitMix64. Same seed, same phases on every machine; a longer list extends a
    /// shorter one with the same seed. With `generator` `.numpy` the phases are NumPy's
    /// `RandomState(seed).uniform(0, 2π, count)` (Fang & Xu's 20 phases are those of seed 0).
    public static func seededPhases(count: Int, seed: UInt64, generator: TaskGenerator = .xoshiro) -> [Double] {
        precondition(count >= 0, "SumOfSines.seededPhases: negative count \(count)")
        var random = TaskRandom(seed: seed, generator: generator)
        return (0..<count).map { _ in 2 * Double.pi * random.unit() }
    }

    /// α_j(x); `j` is the 0-based index into ``frequencies``.
    public func amplitude(_ j: Int, at x: Double) -> Double {
        precondition(frequencies.indices.contains(j), "SumOfSines.amplitude: index \(j) out of range")
        switch amplitudes {
        case .constant(let a): return a
        case .decreasing: return 1.05 - 0.05 * Double(j + 1)
        case .xDependent: return exp(-x) * cos(Double(j) * x)
        case .increasing: return 0.05 * Double(j + 1)
        case .rahamanIncreasing: return Double(j + 1) / Double(frequencies.count)
        case .explicit(let list): return list[j]
        }
    }

    /// λ(x).
    public func callAsFunction(_ x: Double) -> Double {
        var sum = 0.0
        for j in frequencies.indices {
            sum += amplitude(j, at: x) * sin(2 * Double.pi * frequencies[j] * x + phases[j])
        }
        return sum
    }

    /// λ at each point.
    public func values(at points: [Double]) -> [Double] {
        points.map { self($0) }
    }

    /// λ on the equispaced grid of [0, 1) with `count` points (``Grid/equispaced(count:from:to:)``).
    ///
    /// When the amplitudes do not depend on x and every frequency is an integer in
    /// `0 < κ < count/2`, the samples come from one FFTW inverse transform (O(n log n), agrees with
    /// the direct sum to ~1e-13 relative to Σ|α_j|); otherwise the sum is evaluated directly.
    public func sampledOnUnitGrid(count: Int) -> [Double] {
        precondition(count >= 0, "SumOfSines.sampledOnUnitGrid: negative count \(count)")
        let integral = frequencies.allSatisfy { $0 == $0.rounded() && $0 > 0 && 2 * $0 < Double(count) }
        guard amplitudes.isConstantInX, integral, count > 2 else {
            return values(at: Grid.equispaced(count: count))
        }
        // a sin(2πkj/n + φ) = 2 Re(X_k e^{2πijk/n}) with X_k = (a/2) e^{i(φ - π/2)}.
        let bins = count / 2 + 1
        var re = [Double](repeating: 0, count: bins)
        var im = [Double](repeating: 0, count: bins)
        for j in frequencies.indices {
            let k = Int(frequencies[j])
            let half = amplitude(j, at: 0) / 2
            re[k] += half * cos(phases[j] - Double.pi / 2)
            im[k] += half * sin(phases[j] - Double.pi / 2)
        }
        return FourierTransform.inverse(re: re, im: im, count: count)
    }
}
