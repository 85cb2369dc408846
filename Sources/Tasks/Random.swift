import Numerics

/// Which generator draws a task's random data (phases, validation and test points). The raw
/// values are the report format's spellings (`task.generator`).
public enum TaskGenerator: String, CaseIterable, Sendable, Codable {
    /// Ours: Numerics' ``SeededGenerator`` (xoshiro256** seeded through SplitMix64).
    case xoshiro
    /// NumPy's legacy `RandomState(seed)` (MT19937, ``NumPyRandomState``): the draws of the
    /// papers' Python code (e.g. Fang & Xu's phases and validation/test points), bit for bit.
    /// Uniforms only; seeds must be below 2³².
    case numpy
}

/// The seeded randomness behind every draw in Tasks: Numerics' ``SeededGenerator``
/// (xoshiro256** seeded through SplitMix64), reached only through this wrapper so that the task
/// data's dependence on the generator sits in one place; or, for uniforms only, NumPy's
/// `RandomState` (``TaskGenerator/numpy``).
///
/// - uniforms: `(next() >> 11) · 2⁻⁵³` in [0, 1), identical bits on every machine (NumPy:
///   `random_sample()`, also bit-exact);
/// - normals: Box–Muller on two uniforms, both outputs used in turn (libm's log, sqrt, cos, sin:
///   bit-identical on one machine and libm, possibly 1 ulp apart across libms). xoshiro only.
struct TaskRandom {
    private var generator: SeededGenerator
    private var numpy: NumPyRandomState?

    init(seed: UInt64, generator kind: TaskGenerator = .xoshiro) {
        generator = SeededGenerator(seed: seed)
        if kind == .numpy {
            precondition(seed <= UInt64(UInt32.max), "TaskRandom: NumPy's RandomState takes seeds below 2^32, got \(seed)")
            numpy = NumPyRandomState(seed: UInt32(seed))
        }
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        if numpy != nil { return numpy!.randomSample() }
        return generator.uniform()
    }

    /// Standard normal.
    mutating func gaussian() -> Double {
        precondition(numpy == nil, "TaskRandom: normal draws come from the xoshiro generator only")
        return generator.normal()
    }
}
