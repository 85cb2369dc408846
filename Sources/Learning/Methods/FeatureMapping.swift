import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fourier-feature input mappings γ(v) (Tancik et al., NeurIPS 2020), applied to every row `v`
/// (width `d`) before a network.
///
/// Every mapping except `.none` has the form γ(v) = [cos 2πBv, sin 2πBv]: all cosines first, then
/// all sines, in the row order of the frequency matrix `B` (`k x d`):
/// - `.basic`: `B = I` (k = d): [cos 2πv₁ … cos 2πv_d, sin 2πv₁ … sin 2πv_d];
/// - `.positional(scale: σ, count: m)`: on-axis, log-spaced frequencies σ^(j/m), j = 0..<m, per
///   axis; row `a·m + j` of `B` is σ^(j/m) e_a (k = m·d);
/// - `.positionalPowers(exponent: σ_p, count: m)`: Tancik et al.'s positional encoding as their
///   image notebook codes it: per axis the m frequencies 2^(σ_p·j/(m−1)) − 1, j = 0..<m
///   (`2**linspace(0, σ_p, m) - 1`; the first is 0, a constant feature); row `a·m + j` of `B`
///   is that frequency times e_a (k = m·d). With m = 1 the one frequency is 0;
/// - `.gaussian(scale: σ, count: m, seed:)`: `B` (m x d) with entries σ·N(0, 1), drawn row by row
///   from `SeededGenerator(seed:)` (k = m);
/// - `.sampled(distribution, scale: σ, count: m, seed:)`: as `.gaussian`, `B` (m x d) drawn row by
///   row from `SeededGenerator(seed:)` from another distribution of standard deviation σ (see
///   ``FrequencyDistribution``; Tancik et al.'s Fig. 4);
/// - `.powerFalloff(exponent: p, count: m)`: Tancik et al.'s 1-D mapping of Figs. 2–3, per axis
///   the integer frequencies b_j = j, j = 1...m, each pair weighted by a_j = j^(−p) and the whole
///   vector divided by ‖a‖ (row `a·m + j − 1` of `B` is j e_a; k = m·d). p = 0 gives equal
///   weights; large p tends to the basic mapping (their p = ∞). p = ∞ itself keeps a_1 = 1 and
///   every other a_j = 0 (their notebook's `power_infty`: 2m features, all but two zero);
/// - `.amplitudes(a)`: as `.powerFalloff` with given weights a_1 … a_m (m = a.count), divided by
///   ‖a‖ (Tancik et al.'s Fig. 5: amplitudes optimised through the NTK).
///
/// Accuracy: 2π·Bv and its cosine and sine are computed in Double and rounded once to `T`, so the
/// result is within half an ulp of `T` of the exact mapping of the (rounded) inputs, plus the
/// error of libm's `cos`/`sin` (≤ 1 ulp of Double).
public enum FeatureMapping: Sendable, Equatable {
    case none
    /// [cos 2πv, sin 2πv].
    case basic
    /// Per axis: [cos 2π σ^(j/m) v, sin 2π σ^(j/m) v], j = 0..<m (Tancik's positional encoding).
    case positional(scale: Double, count: Int)
    /// Per axis: [cos 2π b_j v, sin 2π b_j v] with b_j = 2^(exponent·j/(count−1)) − 1,
    /// j = 0..<count (the positional encoding of Tancik et al.'s code, σ_p = `exponent`).
    case positionalPowers(exponent: Double, count: Int)
    /// [cos 2πBv, sin 2πBv] with B (count x d) ~ N(0, scale²) drawn from `seed`.
    case gaussian(scale: Double, count: Int, seed: UInt64)
    /// Per axis: [a_j cos 2πjv, a_j sin 2πjv] / ‖a‖ with a_j = j^(−exponent), j = 1...count.
    case powerFalloff(exponent: Double, count: Int)
    /// [cos 2πBv, sin 2πBv] with B (count x d) drawn from `distribution`, standard deviation `scale`.
    case sampled(FrequencyDistribution, scale: Double, count: Int, seed: UInt64)
    /// Per axis: [a_j cos 2πjv, a_j sin 2πjv] / ‖a‖ with the given a_j, j = 1...a.count.
    case amplitudes([Double])

    /// Width of γ(v) for inputs of width `inputWidth`.
    public func outputWidth(inputWidth: Int) -> Int {
        switch self {
        case .none: return inputWidth
        case .basic: return 2 * inputWidth
        case .positional(_, let m), .positionalPowers(_, let m), .powerFalloff(_, let m): return 2 * m * inputWidth
        case .amplitudes(let a): return 2 * a.count * inputWidth
        case .gaussian(_, let m, _), .sampled(_, _, let m, _): return 2 * m
        }
    }

    /// The frequency matrix `B` (rows x `inputWidth`, row-major, Double), nil for `.none`.
    public func frequencies(inputWidth d: Int) -> Matrix<Double>? {
        switch self {
        case .none:
            return nil
        case .basic:
            var b = Matrix<Double>(rows: d, cols: d)
            for a in 0..<d { b[a, a] = 1 }
            return b
        case .positional(let sigma, let m):
            precondition(m > 0, "FeatureMapping.positional: count must be positive")
            var b = Matrix<Double>(rows: m * d, cols: d)
            for a in 0..<d {
                for j in 0..<m { b[a * m + j, a] = pow(sigma, Double(j) / Double(m)) }
            }
            return b
        case .positionalPowers(let exponent, let m):
            precondition(m > 0, "FeatureMapping.positionalPowers: count must be positive")
            var b = Matrix<Double>(rows: m * d, cols: d)
            for a in 0..<d {
                for j in 0..<m {
                    let t = m == 1 ? 0 : exponent * Double(j) / Double(m - 1)
                    b[a * m + j, a] = pow(2, t) - 1
                }
            }
            return b
        case .gaussian(let sigma, let m, let seed):
            precondition(m > 0, "FeatureMapping.gaussian: count must be positive")
            var rng = SeededGenerator(seed: seed)
            var values = [Double](repeating: 0, count: m * d)
            for i in 0..<(m * d) { values[i] = sigma * rng.normal() }
            return Matrix(rows: m, cols: d, values: values)
        case .sampled(let distribution, let sigma, let m, let seed):
            precondition(m > 0, "FeatureMapping.sampled: count must be positive")
            var rng = SeededGenerator(seed: seed)
            var values = [Double](repeating: 0, count: m * d)
            for i in 0..<(m * d) { values[i] = sigma * distribution.draw(&rng) }
            return Matrix(rows: m, cols: d, values: values)
        case .powerFalloff, .amplitudes:
            let m = outputWidth(inputWidth: d) / (2 * d)   // frequencies per axis
            precondition(m > 0, "FeatureMapping.powerFalloff, .amplitudes: count must be positive")
            var b = Matrix<Double>(rows: m * d, cols: d)
            for a in 0..<d {
                for j in 0..<m { b[a * m + j, a] = Double(j + 1) }
            }
            return b
        }
    }

    /// √(mean b²) over every entry of `B`: the "standard deviation of the sampled frequencies"
    /// that Tancik et al.'s Fig. 4 puts on its x axis (about zero-mean draws); nil for `.none`.
    public func frequencyRMS(inputWidth d: Int = 1) -> Double? {
        guard let b = frequencies(inputWidth: d), !b.values.isEmpty else { return nil }
        return (b.values.reduce(0) { $0 + $1 * $1 } / Double(b.values.count)).squareRoot()
    }

    /// The weight of each row of `B` (the a_j of γ(v) = [a cos 2πBv, a sin 2πBv]), already divided
    /// by the norm of one axis's weights, or nil when every weight is 1.
    public func weights(inputWidth d: Int) -> [Double]? {
        let a: [Double]
        switch self {
        case .powerFalloff(let p, let m): a = (1...m).map { p.isInfinite ? ($0 == 1 ? 1 : 0) : pow(Double($0), -p) }
        case .amplitudes(let values): a = values
        default: return nil
        }
        let norm = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let perAxis = a.map { $0 / norm }
        return (0..<d).flatMap { _ in perAxis }
    }

    /// γ applied to every row of `x` (rows = samples).
    public func apply<T: RealScalar>(_ x: Matrix<T>) -> Matrix<T> {
        guard let b = frequencies(inputWidth: x.cols) else { return x }
        let d = x.cols, k = b.rows, width = 2 * k
        let w = weights(inputWidth: d) ?? [Double](repeating: 1, count: k)
        let twoPi = 2 * Double.pi
        return Matrix(rows: x.rows, cols: width) { out in
            x.withUnsafeBufferPointer { xv in
                b.withUnsafeBufferPointer { bv in
                    for r in 0..<x.rows {
                        let row = xv.baseAddress! + r * d
                        let o = out.baseAddress! + r * width
                        for i in 0..<k {
                            var s = 0.0
                            for a in 0..<d { s += bv[i * d + a] * Double(row[a]) }
                            let phase = twoPi * s
                            o[i] = T(w[i] * cos(phase))
                            o[k + i] = T(w[i] * sin(phase))
                        }
                    }
                }
            }
        }
    }
}

/// A distribution of random frequencies, each standardised to mean 0 and standard deviation 1
/// (a mapping multiplies the draws by its σ), so that σ is the frequencies' standard deviation
/// whatever the shape (Tancik et al.'s Fig. 4 compares shapes at matched standard deviation).
public enum FrequencyDistribution: String, Sendable, Equatable, CaseIterable, Codable {
    /// N(0, 1).
    case gaussian
    /// U[−√3, √3).
    case uniform
    /// ±c·2^(−6u), u ~ U[0, 1), a random sign: magnitudes spread evenly in log over six octaves,
    /// c = 1/√(E[2^(−12u)]) = √(12 ln 2 / (1 − 2^(−12))).
    case uniformLog = "uniform_log"
    /// Laplace(0, 1/√2): density e^(−√2|b|)/√2.
    case laplacian

    /// One standardised draw (consumes one or two values of `rng`).
    public func draw(_ rng: inout SeededGenerator) -> Double {
        switch self {
        case .gaussian:
            return rng.normal()
        case .uniform:
            return 3.0.squareRoot() * (2 * rng.uniform() - 1)
        case .uniformLog:
            let c = (12 * log(2.0) / (1 - pow(2.0, -12))).squareRoot()
            let magnitude = c * pow(2, -6 * rng.uniform())
            return rng.uniform() < 0.5 ? -magnitude : magnitude
        case .laplacian:
            // Inverse CDF: u ∈ (−½, ½), b = −s·sign(u)·ln(1 − 2|u|), s = 1/√2.
            let u = rng.uniform() - 0.5
            let b = -log(1 - 2 * abs(u)) / 2.0.squareRoot()
            return u < 0 ? -b : b
        }
    }
}
