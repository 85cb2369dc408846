@testable import Experiments
import Tasks
import XCTest

final class ClaimsTests: XCTestCase {
    static func report(experiment: String = ClaimsTests.experiment, claims: String) -> String {
        """
        ---
        version: 1
        title: "Claims"
        ---

        \(experiment)

        \(claims)
        """
    }

    static let experiment = """
    ```experiment fit
    task:
      kind: sum_of_sines
      frequencies: [1, 2, 3]
      phases: {seed: 4}
      points: 32
    model:
      widths: [1, 8, 1]
    train:
      lr: 1.0e-3
      steps: 40
      record_every: 10
    repeat: 3
    sweep:
      zip:
        name: [a, b]
        train.lr: [1.0e-3, 2.0e-3]
    ```
    """

    func parse(_ text: String, profile: String = "quick") -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: text, id: "claims", file: "reports/claims.md", profile: profile)
    }

    // MARK: repeats

    func testRepeatMakesSeededCopiesOfEverySweepPoint() throws {
        let (report, problems) = parse(Self.report(claims: ""))
        XCTAssertEqual(problems, [])
        let runs = try XCTUnwrap(report).experiments
        XCTAssertEqual(runs.map(\.name), ["fit--a--repeat-1", "fit--a--repeat-2", "fit--a--repeat-3",
                                          "fit--b--repeat-1", "fit--b--repeat-2", "fit--b--repeat-3"])
        XCTAssertEqual(runs.map(\.seed), [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(runs.map(\.task.phaseSeed), [4, 5, 6, 4, 5, 6], "drawn phases follow the copy")
        XCTAssertEqual(runs.map(\.repeatOf), ["fit--a", "fit--a", "fit--a", "fit--b", "fit--b", "fit--b"])
        XCTAssertEqual(Set(runs.map(RunStore.key(for:))).count, 6, "every copy is its own run")
        // Copy 1 is the same run as the block without `repeat`.
        let (single, _) = parse(Self.report(experiment: Self.experiment.replacingOccurrences(of: "repeat: 3\n", with: ""), claims: ""))
        let plain = try XCTUnwrap(single).experiments
        XCTAssertEqual(plain.map(\.name), ["fit--a", "fit--b"])
        XCTAssertEqual(RunStore.key(for: plain[0]), RunStore.key(for: runs[0]))
        XCTAssertNotEqual(RunStore.key(for: plain[0]), RunStore.key(for: runs[1]))
    }

    /// On a random signal, copy i fits its own signal (noise seed + i), the same one at every
    /// build; the copies share the mapping's frequencies; copy 1 is the block without `repeat`.
    func testRepeatDrawsOneSignalPerCopy() throws {
        let experiment = """
        ```experiment sparse
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, noise_seed: 3, points: 32, split: interleaved, stride: 2}
        features: {kind: gaussian, scale: 2, count: 4, seed: 1}
        model: {hidden: [8]}
        train: {lr: 1.0e-2, epochs: 3}
        repeat: 3
        ```
        """
        func copies(_ text: String) throws -> [ExperimentSpec] {
            let (report, problems) = parse(Self.report(experiment: text, claims: ""))
            XCTAssertEqual(problems, [])
            return try XCTUnwrap(report).experiments
        }
        let specs = try copies(experiment)
        XCTAssertEqual(specs.map(\.task.noiseSeed), [3, 4, 5])
        XCTAssertEqual(specs.map(\.seed), [0, 1, 2])
        XCTAssertTrue(specs.allSatisfy { $0.features == specs[0].features }, "one draw of the frequencies for every copy")
        let runs = specs.map { Runner.run($0) }
        XCTAssertTrue(runs.allSatisfy { $0.status == .ok })
        XCTAssertEqual(Set(runs.map(\.target)).count, 3, "three signals")
        // Deterministic: the same declaration gives every copy the same signal and result, bit for bit.
        let again = try copies(experiment).map { Runner.run($0) }
        XCTAssertEqual(again.map(\.target), runs.map(\.target))
        XCTAssertEqual(again.map(\.testRSE), runs.map(\.testRSE))
        let single = try copies(experiment.replacingOccurrences(of: "repeat: 3\n", with: ""))
        XCTAssertEqual(RunStore.key(for: single[0]), RunStore.key(for: specs[0]))
        // The last copy's noise seed must stay a seed a declaration can state.
        let (_, problems) = parse(Self.report(experiment: experiment.replacingOccurrences(of: "noise_seed: 3", with: "noise_seed: \(Int.max - 1)"), claims: ""))
        XCTAssertEqual(problems.map(\.keyPath), ["sparse.repeat"], "\(problems)")
        XCTAssertTrue(problems.first?.message.contains("task.noise_seed") == true, "\(problems)")
    }

    func testRepeatMustBePositive() {
        let (_, problems) = parse(Self.report(experiment: Self.experiment.replacingOccurrences(of: "repeat: 3", with: "repeat: 0"), claims: ""))
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertEqual(problems.first?.keyPath, "fit.repeat")
    }

    // MARK: claim blocks

    func testClaimBlocksParseAndValidate() throws {
        let claims = """
        ```claim value-ok
        kind: value
        statement: "RSE is 1e-3."
        source: "Paper, Table 1"
        run: fit--a
        metric: train_rse
        paper: 1.0e-3
        within: {factor: 2}
        profiles: [paper]
        ```

        ```claim order-ok
        kind: order
        statement: "Low first."
        run: fit--b
        ```
        """
        let (report, problems) = parse(Self.report(claims: claims))
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.claims.map(\.name), ["value-ok", "order-ok"])
        XCTAssertEqual(r.claims[0].tolerance, .factor(2))
        XCTAssertEqual(r.claims[0].profiles, ["paper"])
        XCTAssertEqual(r.claims[1].threshold, 0.9)
        XCTAssertTrue(r.segments.contains { if case .claim("order-ok") = $0 { return true } else { return false } })
    }

    func testBadClaimsAreProblemsWithKeyPaths() {
        let claims = """
        ```claim sweep
        kind: order
        statement: "s"
        run: fit
        ```

        ```claim unknown
        kind: compare
        statement: "s"
        run: fit--a
        than: fit--c
        metric: test_rse
        ```

        ```claim tolerance
        kind: value
        statement: "s"
        run: fit--a
        metric: train_rse
        paper: 1.0
        within: {factor: 2, db: 1}
        threshold: 0.5
        ```
        """
        let (_, problems) = parse(Self.report(claims: claims))
        let paths = problems.map(\.keyPath)
        XCTAssertTrue(paths.contains("sweep.run"), "\(problems)")
        XCTAssertTrue(problems.contains { $0.keyPath == "sweep.run" && $0.message.contains("a sweep of 2 runs") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.keyPath == "unknown.than" && $0.message.contains("did you mean 'fit--a'") || $0.message.contains("fit--b") }, "\(problems)")
        XCTAssertTrue(paths.contains("tolerance.within"), "\(problems)")
        XCTAssertTrue(paths.contains("tolerance.threshold"), "threshold belongs to order claims: \(problems)")
    }

    // MARK: verdicts

    func spec(_ name: String, repeatOf: String? = nil) -> ExperimentSpec {
        var s = ExperimentSpec(name: name, method: .mgdl, seed: 0,
                               task: .init(kind: .sumOfSines, formula: nil, frequencies: [1, 2], amplitudeProfile: .constant,
                                           amplitudes: [1], phases: nil, phaseSeed: nil, split: .grid, points: 16, validation: 0,
                                           test: 0, validationSeed: 0, testSeed: 1),
                               model: .init(widths: [], hidden: [], grades: [[4]], scales: [], stages: 0, activation: .relu, initializer: .glorotNormal),
                               train: .init(optimizer: .adam, learningRate: 1e-3, steps: 1, recordEvery: 1, precision: .float32),
                               profile: "quick", group: repeatOf ?? name, label: "",
                               features: .init(kind: .none, scale: 1, count: 0, seed: 0))
        s.repeatOf = repeatOf
        return s
    }

    func result(_ name: String, test: Double?, status: RunResult.Status = .ok) -> RunResult {
        var r = RunResult(name: name, status: status, message: status == .ok ? nil : "diverged", inputs: [], target: [], frequencies: [],
                          targetAmplitudes: [], losses: [1], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        r.testRSE = test
        return r
    }

    func claim(_ kind: ClaimKind, run: String = "m", than: String? = nil, metric: ClaimMetric? = .testRSE, paper: Double? = nil,
               tolerance: ClaimTolerance? = nil, factor: Double = 1, profiles: [String] = []) -> ClaimSpec {
        ClaimSpec(name: "c", kind: kind, statement: "s", source: nil, profiles: profiles, run: run, metric: metric, paper: paper,
                  tolerance: tolerance, than: than, factor: factor, direction: .below, threshold: 0.9, line: 1)
    }

    func testValueClaimUsesTheMeanOfRepeatsAndTheTolerance() {
        let specs = [spec("m--repeat-1", repeatOf: "m"), spec("m--repeat-2", repeatOf: "m")]
        let runs = ["m--repeat-1": result("m--repeat-1", test: 1e-5), "m--repeat-2": result("m--repeat-2", test: 2e-5)]
        // mean 1.5e-5 is within ×2 of 1e-5 but not within ×1.4.
        let within = ClaimCheck.check(claim(.value, paper: 1e-5, tolerance: .factor(2)), specs: specs, runs: runs, profile: "quick")
        XCTAssertEqual(within.verdict, .reproduced, within.evidence)
        XCTAssertTrue(within.evidence.contains("mean of 2 runs"), within.evidence)
        let outside = ClaimCheck.check(claim(.value, paper: 1e-5, tolerance: .factor(1.4)), specs: specs, runs: runs, profile: "quick")
        XCTAssertEqual(outside.verdict, .notReproduced, outside.evidence)
        let below = ClaimCheck.check(claim(.value, paper: 4e-5, tolerance: .factor(2)), specs: specs, runs: runs, profile: "quick")
        XCTAssertEqual(below.verdict, .notReproduced, "ours 2.7× below the paper is outside ×2 too")
        XCTAssertEqual(ClaimCheck.check(claim(.value, paper: 1.4e-5, tolerance: .absolute(2e-6)), specs: specs, runs: runs, profile: "quick").verdict, .reproduced)
    }

    func testProfilesFailedRunsAndMissingMetrics() {
        let specs = [spec("m"), spec("n")]
        let ok = ["m": result("m", test: 1e-5), "n": result("n", test: nil)]
        let c = claim(.value, paper: 1e-5, tolerance: .factor(2), profiles: ["paper"])
        XCTAssertEqual(ClaimCheck.check(c, specs: specs, runs: ok, profile: "quick").verdict, .notRun)
        XCTAssertEqual(ClaimCheck.check(c, specs: specs, runs: ok, profile: "paper").verdict, .reproduced)
        let failed = ClaimCheck.check(c, specs: specs, runs: ["m": result("m", test: 1e-5, status: .failed)], profile: "paper")
        XCTAssertEqual(failed.verdict, .notReproduced)
        XCTAssertTrue(failed.evidence.contains("failed"), failed.evidence)
        let missing = ClaimCheck.check(claim(.value, run: "n", paper: 1, tolerance: .factor(2)), specs: specs, runs: ok, profile: "quick")
        XCTAssertEqual(missing.verdict, .notReproduced)
        XCTAssertTrue(missing.evidence.contains("no test RSE"), missing.evidence)
    }

    func testCompareClaim() {
        let specs = [spec("m"), spec("s")]
        let runs = ["m": result("m", test: 1e-6), "s": result("s", test: 5e-4)]
        let c100 = ClaimCheck.check(claim(.compare, run: "m", than: "s", factor: 100), specs: specs, runs: runs, profile: "")
        XCTAssertEqual(c100.verdict, .reproduced, c100.evidence)
        XCTAssertTrue(c100.evidence.contains("×500"), c100.evidence)
        XCTAssertEqual(ClaimCheck.check(claim(.compare, run: "m", than: "s", factor: 1000), specs: specs, runs: runs, profile: "").verdict, .notReproduced)
        XCTAssertEqual(ClaimCheck.check(claim(.compare, run: "s", than: "m", factor: 1), specs: specs, runs: runs, profile: "").verdict, .notReproduced)
    }

    /// A run whose prediction at step t has, at frequency k, amplitude min(1, t / reach[k]).
    func staircase(frequencies: [Int], reach: [Int], steps: [Int]) -> RunResult {
        let n = 64
        let grid = (0..<n).map { Double($0) / Double(n) }
        let snapshots = steps.map { t in
            RunResult.Snapshot(step: t, prediction: grid.map { x in
                zip(frequencies, reach).reduce(0.0) { sum, p in sum + min(1, Double(t) / Double(p.1)) * sin(2 * .pi * Double(p.0) * x) }
            })
        }
        return RunResult(name: "r", status: .ok, message: nil, inputs: grid, target: [], frequencies: frequencies,
                         targetAmplitudes: frequencies.map { _ in 1 }, losses: [1], snapshots: snapshots, seconds: 0,
                         parameterCount: 0, finalRSE: nil)
    }

    func testOrderClaimFollowsTheStaircase() {
        let steps = Array(stride(from: 0, through: 1000, by: 50))
        var s = spec("r")
        s.task.frequencies = [2, 4, 8]
        let c = claim(.order, run: "r", metric: nil)
        let inOrder = staircase(frequencies: [2, 4, 8], reach: [100, 300, 5000], steps: steps)
        let ok = ClaimCheck.check(c, specs: [s], runs: ["r": inOrder], profile: "")
        XCTAssertEqual(ok.verdict, .reproduced, ok.evidence)
        XCTAssertTrue(ok.evidence.contains("k = 2: 100") && ok.evidence.contains("k = 8: never (by 1000)"), ok.evidence)
        let swapped = staircase(frequencies: [2, 4, 8], reach: [600, 300, 400], steps: steps)
        let bad = ClaimCheck.check(c, specs: [s], runs: ["r": swapped], profile: "")
        XCTAssertEqual(bad.verdict, .notReproduced, bad.evidence)
        XCTAssertTrue(bad.evidence.contains("k = 2 (550) after k = 4 (300)"), bad.evidence)
        let none = staircase(frequencies: [2, 4, 8], reach: [5000, 6000, 7000], steps: steps)
        XCTAssertEqual(ClaimCheck.check(c, specs: [s], runs: ["r": none], profile: "").verdict, .notReproduced)
    }

    func testSpectralEvolutionOfCompactSpectraMatchesSnapshots() throws {
        let run = staircase(frequencies: [2, 4], reach: [100, 300], steps: [0, 100, 200, 300])
        var compact = run
        compact.spectra = run.snapshots.map { s in
            let spectrum = Spectra.amplitudeSpectrum(s.prediction)
            return RunResult.SpectrumSnapshot(step: s.step, amplitudes: [spectrum[2], spectrum[4]])
        }
        compact.snapshots = []
        let a = try XCTUnwrap(SpectralEvolution(run)), b = try XCTUnwrap(SpectralEvolution(compact))
        XCTAssertEqual(a.steps, b.steps)
        for (x, y) in zip(a.rows.joined(), b.rows.joined()) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        // The mean over two runs, and its spread.
        var other = run
        other.snapshots = other.snapshots.map { RunResult.Snapshot(step: $0.step, prediction: $0.prediction.map { $0 * 0.5 }) }
        let mean = try XCTUnwrap(SpectralEvolution.mean(of: [run, other]))
        XCTAssertEqual(mean.rows[1][0], 0.75, accuracy: 1e-12, "step 100: k = 2 at 1 and 0.5")
        XCTAssertEqual(mean.spread[1][0], (0.125).squareRoot(), accuracy: 1e-12)
    }
}
