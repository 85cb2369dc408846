/// NumPy's legacy `numpy.random.RandomState(seed)` for the draws the papers' code makes:
/// **MT19937** (Matsumoto & Nishimura, 1998) seeded by `init_genrand(seed)` (NumPy's legacy
/// seeding of an integer seed below 2³²), and `random_sample()` = `(a·2²⁶ + b) / 2⁵³` with
/// `a = next32() >> 5`, `b = next32() >> 6` (53 random bits from two 32-bit outputs).
/// `uniform(low, high)` is NumPy's `low + (high - low) · random_sample()`.
///
/// Bit-exact with NumPy (test `testNumPyRandomStateMatchesNumPy`: `RandomState(0).random_sample()`
/// = 0.5488135039273248, and Fang & Xu's 40 phases 2π·`RandomState(0).uniform(0, 2π, 40)` as
/// printed to 6 decimals in `../shared/papers/PROTOCOLS.md` §1(ii)A). Used to reproduce data the
/// papers' code drew with NumPy (phases, validation and test points); our own draws use
/// ``SeededGenerator``.
public struct NumPyRandomState: Sendable {
    private static let n = 624
    private static let m = 397
    private var state: [UInt32]
    private var index: Int

    /// `RandomState(seed)` for an integer seed in [0, 2³²).
    public init(seed: UInt32) {
        var mt = [UInt32](repeating: 0, count: Self.n)
        mt[0] = seed
        for i in 1..<Self.n {
            mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        state = mt
        index = Self.n
    }

    /// The next 32-bit output of MT19937 (tempered).
    public mutating func next32() -> UInt32 {
        if index >= Self.n { twist() }
        var y = state[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<Self.n {
            let y = (state[i] & 0x8000_0000) | (state[(i + 1) % Self.n] & 0x7FFF_FFFF)
            var value = state[(i + Self.m) % Self.n] ^ (y >> 1)
            if y & 1 != 0 { value ^= 0x9908_B0DF }
            state[i] = value
        }
        index = 0
    }

    /// NumPy's `random_sample()`: uniform in [0, 1) with 53 random bits.
    public mutating func randomSample() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// NumPy's `uniform(low, high)`: `low + (high - low) · random_sample()`.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * randomSample()
    }
}
