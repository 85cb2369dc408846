import Crypto
import Foundation

/// Run keys: the content hash under which the store keeps a run (the declaration without its
/// name and profile, the engine version and any result revision, and the thread count when it is
/// not 1).
extension RunStore {
    /// The canonical bytes a key is computed from: the declaration without its name and profile
    /// (which do not change the result), with sorted keys.
    static func canonicalDeclaration(_ spec: ExperimentSpec) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(anonymous(spec))) ?? Data()
    }

    /// JSON with sorted keys; a diverged run's non-finite numbers are written as "inf", "-inf", "nan".
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// The declaration without what does not change the result: names, profile, sweep label.
    static func anonymous(_ spec: ExperimentSpec) -> ExperimentSpec {
        var anonymous = spec
        anonymous.name = ""
        anonymous.profile = ""
        anonymous.group = ""
        anonymous.label = ""
        anonymous.sweepValues = nil
        anonymous.baseDirectory = ""
        anonymous.repeatOf = nil
        anonymous.repeatIndex = nil
        anonymous.repeatCount = nil
        anonymous.sweepAxes = nil
        anonymous.features.figure = nil   // its protocol (features.optimisation) is what counts
        return anonymous
    }

    /// The threads the engine computes each run with (OpenBLAS and the data-parallel training
    /// step, set from `-j` and the machine). Results depend on it (the gradient sums are split
    /// and chunked by it), so it is part of a run's key when it is not 1: `-j 1` and `-j 2` never
    /// share a key unless they compute alike. At 1 (the default: one job per CPU) keys are those
    /// of earlier versions. Each entry records it in `compute.json`.
    nonisolated(unsafe) public static var computeThreads = 1

    /// Set by `build --frozen`, which trains nothing: a run computed with any thread count will do.
    nonisolated(unsafe) public static var acceptAnyThreadCount = false

    /// The thread counts a stored run may have been computed with, which a reader accepting any
    /// (`acceptAnyThreadCount`, committed checkpoints) tries after this machine's.
    static let storedThreadCounts = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128]

    public static func key(for spec: ExperimentSpec) -> String { key(for: spec, threads: threads(for: spec)) }

    /// Fewer points per optimizer step than this per thread of `computeThreads`, and a run
    /// computes on one thread (see `threads(for:)`).
    public static let oneThreadBelowPointsPerThread = 128

    /// The threads a run computes with: `computeThreads`, except for a run whose optimizer steps
    /// are too small to use them well (fewer than `oneThreadBelowPointsPerThread` points per
    /// thread, known from the declaration: the Rahaman network's 200 points on 2 threads), which
    /// computes on one thread, alone or beside others: the build trains such runs side by side,
    /// as many at once as there are CPUs (`SiteBuilder`), and each gives the bits (and has the key)
    /// of the same run trained alone. Measured on 2 threads (`mgdl-report bench repeats`, ten
    /// 200-point copies): side by side on one thread each took 0.43 of the time of one after the
    /// other on 2 threads (a loaded machine; W2b's 256-point steps gain only 25% from a second
    /// thread on a quiet one).
    public static func threads(for spec: ExperimentSpec) -> Int {
        guard computeThreads > 1, let points = spec.pointsPerStep,
              points < oneThreadBelowPointsPerThread * computeThreads else { return computeThreads }
        return 1
    }

    public static func key(for spec: ExperimentSpec, threads: Int) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("mgdl-report engine \(engineVersion)\n".utf8))
        if threads > 1 { hasher.update(data: Data("threads \(threads)\n".utf8)) }
        if let revision = resultRevision(spec) { hasher.update(data: Data("\(revision)\n".utf8)) }
        hasher.update(data: canonicalDeclaration(spec))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// A change that alters the results of some declarations only names them here instead of
    /// bumping `engineVersion`, so that every other key stays valid:
    /// - `mscale 2`: MscaleDNN trains in the engine's one loop (`Trainer`), so batches of more
    ///   than 1024 rows are chunked and several threads take the data-parallel step (its results
    ///   are bit-identical to the former loop's on one thread up to 1024 rows per step);
    /// - `mlp lr_final 2`: `mlp` honours `lr_final` (it used to train at the constant `lr`).
    static func resultRevision(_ spec: ExperimentSpec) -> String? {
        if spec.method == .mscale { return "mscale 2" }
        if spec.method == .mlp && spec.train.finalLearningRate != nil { return "mlp lr_final 2" }
        return nil
    }
}
