import Numerics

/// The seeded randomness behind every draw in Tasks: Numerics' ``SeededGenerator``
/// (xoshiro256** seeded through SplitMix64), reached only through this wrapper so that the task
/// data's dependence on the generator sits in one place.
///
/// - uniforms: `(next() >> 11) · 2⁻⁵³` in [0, 1), identical bits on every machine;
/// - normals: Box–Muller on two uniforms, both outputs used in turn (libm's log, sqrt, cos, sin:
///   bit-identical on one machine and libm, possibly 1 ulp apart across libms).
struct TaskRandom {
    private var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        generator.uniform()
    }

    /// Standard normal.
    mutating func gaussian() -> Double {
        generator.normal()
    }
}
