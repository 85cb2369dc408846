@testable import Experiments
import XCTest

/// Measurements taken after training (`train.plane`, `train.perturb`), the robustness claim, the
/// mean spectral ratio, and the validation of a heatmap over two sweep axes.
final class AfterTrainingTests: XCTestCase {
    func parse(_ experiment: String, figure: String = "", claim: String = "", profile: String = "") -> (Report?, [SpecProblem]) {
        var text = "---\ntitle: \"t\"\n---\n\n```experiment e\n\(experiment)\n```\n"
        if !figure.isEmpty { text += "\n```figure f\n\(figure)\n```\n" }
        if !claim.isEmpty { text += "\n```claim c\nstatement: \"s\"\n\(claim)\n```\n" }
        return ReportLoader.parse(text: text, id: "t", file: "t.md", profile: profile)
    }

    static let classify = """
        method: sgdl
        task: {kind: sum_of_sines, frequencies: 3, phases: {seed: 0}, points: 32, manifold: {q: 2}, targets: zero_one}
        model: {hidden: [8, 8]}
        train: {lr: 1.0e-2, epochs: 30, loss: bce}
        """

    func testSweepValuesAreNumbersAndNotPartOfTheKey() throws {
        let (report, problems) = parse(Self.classify + "\nsweep: {grid: {task.frequencies: [3, [5]], task.manifold.q: [0, 2]}}")
        XCTAssertEqual(problems, [])
        let runs = try XCTUnwrap(report).experiments
        // A list value is left out of the run's name (the names stay distinct without it).
        XCTAssertEqual(runs.map(\.name), ["e--frequencies-3--q-0", "e--frequencies-3--q-2", "e--q-0", "e--q-2"])
        XCTAssertEqual(runs.map(\.task.frequencies), [[3], [3], [5], [5]], "one frequency may be written as a number")
        XCTAssertEqual(runs.map { $0.sweepValue("task.frequencies")?.number }, [3, 3, 5, 5], "a list of one number is that number")
        XCTAssertEqual(runs.map { $0.sweepValue("task.manifold.q")?.number }, [0, 2, 0, 2])
        // The same declaration without a sweep is the same run.
        let (single, _) = parse(Self.classify)
        XCTAssertNil(try XCTUnwrap(single).experiments[0].sweepAxes)
        XCTAssertEqual(RunStore.key(for: try XCTUnwrap(single).experiments[0]), RunStore.key(for: runs[1]))
    }

    func testSweepHeatmapIsValidatedAgainstTheSweep() {
        let sweep = "\nsweep: {grid: {task.frequencies: [3, 5], task.manifold.q: [0, 2]}}"
        let good = "kind: sweep_heatmap\nrun: e\nx: task.frequencies\ny: task.manifold.q\nmetric: train_accuracy"
        XCTAssertEqual(parse(Self.classify + sweep, figure: good).1, [])
        func message(_ experiment: String, _ figure: String) -> String { parse(experiment, figure: figure).1.map(\.message).joined(separator: " | ") }
        XCTAssertTrue(message(Self.classify + sweep, good.replacingOccurrences(of: "y: task.manifold.q", with: "y: seed"))
            .contains("'seed' is not an axis of the sweep (its axes: task.frequencies, task.manifold.q)"))
        XCTAssertTrue(message(Self.classify + sweep, good.replacingOccurrences(of: "train_accuracy", with: "test_accuracy")).contains("no test set"))
        XCTAssertTrue(message(Self.classify, good).contains("not part of a sweep"))
        let third = "\nsweep: {grid: {task.frequencies: [3, 5], task.manifold.q: [0, 2], seed: [0, 1]}}"
        XCTAssertTrue(message(Self.classify + third, good).contains("the sweep has other axes (seed)"), message(Self.classify + third, good))
        let regression = Self.classify.replacingOccurrences(of: ", targets: zero_one", with: "").replacingOccurrences(of: ", loss: bce", with: "")
        XCTAssertTrue(message(regression + sweep, good).contains("regression"))
        let words = "\nsweep: {grid: {task.amplitudes: [constant, increasing], task.manifold.q: [0, 2]}}"
        XCTAssertTrue(message(regression + words, good.replacingOccurrences(of: "task.frequencies", with: "task.amplitudes").replacingOccurrences(of: "train_accuracy", with: "final_loss"))
            .contains("not numbers ('constant')"))
        XCTAssertTrue(message(Self.classify + sweep, good + "\nwidth: 3").contains("unknown key") || !message(Self.classify + sweep, good + "\nwidth: 3").isEmpty)
        XCTAssertTrue(message(Self.classify + sweep, "kind: loss\nrun: e\nx: task.frequencies").contains("applies to a sweep_heatmap"))
    }

    func testPerturbIsCheckedAgainstTheTaskAndMethod() {
        let mlp = "task: {kind: sum_of_sines, frequencies: [1, 2], points: 16}\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"
        func messages(_ e: String, figure: String = "", claim: String = "") -> String {
            parse(e, figure: figure, claim: claim).1.map(\.message).joined(separator: " | ")
        }
        XCTAssertEqual(messages(mlp.replacingOccurrences(of: "steps: 5", with: "steps: 5, perturb: {max: 5, directions: 2, deltas: 3}")), "")
        XCTAssertTrue(messages(Self.classify.replacingOccurrences(of: "loss: bce", with: "loss: bce, perturb: {max: 5}")).contains("an mlp's spectrum"))
        XCTAssertTrue(messages(mlp, figure: "kind: perturbation\nrun: e").contains("write train.perturb"))
        XCTAssertTrue(messages(mlp, claim: "kind: robustness_order\nrun: e").contains("needs train.perturb"))
    }

    func testPerturbationOfATrainedMLP() throws {
        let text = "task: {kind: sum_of_sines, frequencies: [1, 3], points: 16}\nmodel: {widths: [1, 16, 16, 1]}\n"
            + "train: {lr: 1.0e-2, steps: 60, perturb: {directions: 3, max: 2, deltas: 5, seed: 7}}"
        let spec = try XCTUnwrap(parse(text).0).experiments[0]
        let run = Runner.run(spec)
        XCTAssertEqual(run.status, .ok, run.message ?? "")
        let p = try XCTUnwrap(run.perturbation)
        XCTAssertEqual(p.deltas, [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(p.directions, 3)
        XCTAssertEqual(p.ratios.count, 5)
        // δ = 0 is the trained network itself: every ratio is 1 (up to float32 rounding of θ*).
        for r in p.ratios[0] { XCTAssertEqual(r, 1, accuracy: 1e-6) }
        XCTAssertTrue(p.ratios[4].allSatisfy { $0.isFinite && abs($0 - 1) > 1e-3 }, "\(p.ratios)")
        // Measuring after training changes nothing trained: the same losses and final fit as without it.
        var plain = spec
        plain.train.perturb = nil
        let reference = Runner.run(plain)
        XCTAssertEqual(reference.losses, run.losses)
        XCTAssertEqual(reference.finalRSE, run.finalRSE)
        XCTAssertNotEqual(RunStore.key(for: plain), RunStore.key(for: spec))
        // A different seed draws other directions.
        var other = spec
        other.train.perturb?.seed = 8
        XCTAssertNotEqual(Runner.run(other).perturbation?.ratios[4], p.ratios[4])
    }

    func testRobustnessOrderClaim() {
        func run(_ name: String, _ ratios: [[Double]]) -> RunResult {
            var r = RunResult(name: name, status: .ok, message: nil, inputs: [], target: [], frequencies: [5, 10, 15],
                              targetAmplitudes: [1, 1, 1], losses: [1], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
            r.perturbation = .init(deltas: [0, 1, 2, 3], directions: 4, ratios: ratios)
            return r
        }
        let text = "task: {kind: sum_of_sines, frequencies: [5, 10, 15], points: 64}\nmodel: {widths: [1, 4, 1]}\n"
            + "train: {lr: 1.0e-3, steps: 5, perturb: {max: 3, deltas: 4, directions: 4}}\nrepeat: 2"
        let (report, problems) = parse(text, claim: "kind: robustness_order\nrun: e")
        XCTAssertEqual(problems, [])
        guard let report else { return XCTFail() }
        let claim = report.claims[0]
        XCTAssertEqual(claim.threshold, 0.5)
        // Higher frequencies fall first: k = 15 at δ = 1, k = 10 at 2, k = 5 never.
        let ordered = [[1, 1, 1], [0.9, 0.6, 0.3], [0.8, 0.4, 0.2], [0.7, 0.3, 0.1]]
        let ok = ClaimCheck.check(claim, specs: report.experiments,
                                  runs: ["e--repeat-1": run("e--repeat-1", ordered), "e--repeat-2": run("e--repeat-2", ordered)], profile: "")
        XCTAssertEqual(ok.verdict, .reproduced, ok.evidence)
        XCTAssertTrue(ok.evidence.contains("k = 5: never (by δ = 3); k = 10: δ = 2; k = 15: δ = 1"), ok.evidence)
        XCTAssertTrue(ok.evidence.contains("4 directions × 2 runs"), ok.evidence)
        // The mean over repeats decides: a second run where k = 5 collapses at once puts k = 5 first.
        let early = [[1, 1, 1], [0.0, 0.6, 0.3], [0.0, 0.4, 0.2], [0.0, 0.3, 0.1]]
        let bad = ClaimCheck.check(claim, specs: report.experiments,
                                   runs: ["e--repeat-1": run("e--repeat-1", ordered), "e--repeat-2": run("e--repeat-2", early)], profile: "")
        XCTAssertEqual(bad.verdict, .notReproduced, bad.evidence)
        XCTAssertTrue(bad.evidence.contains("k = 10 (δ = 2) after k = 5 (δ = 1)"), bad.evidence)
        let none = [[1, 1, 1], [1, 1, 1], [0.9, 0.9, 0.9], [0.8, 0.8, 0.8]]
        let flat = ClaimCheck.check(claim, specs: report.experiments,
                                    runs: ["e--repeat-1": run("e--repeat-1", none), "e--repeat-2": run("e--repeat-2", none)], profile: "")
        XCTAssertEqual(flat.verdict, .notReproduced)
        XCTAssertTrue(flat.evidence.contains("no frequency fell below 0.5"), flat.evidence)
    }

    func testMeanSpectralRatioIsTheMeanOfTheHeatmap() {
        var run = RunResult(name: "r", status: .ok, message: nil, inputs: [], target: [], frequencies: [1, 2],
                            targetAmplitudes: [2, 4], losses: [1], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        run.spectra = [.init(step: 0, amplitudes: [0, 0]), .init(step: 10, amplitudes: [1, 2]), .init(step: 20, amplitudes: [2, 6])]
        // Ratios: 0, 0; 0.5, 0.5; 1, 1.5 -> mean 3.5 / 6.
        XCTAssertEqual(ClaimMetric.meanSpectralRatio.value(of: run)!, 3.5 / 6, accuracy: 1e-12)
        // The last row alone: (1 + 1.5) / 2.
        XCTAssertEqual(ClaimMetric.finalSpectralRatio.value(of: run)!, 1.25, accuracy: 1e-12)
        XCTAssertTrue(ClaimMetric.finalSpectralRatio.higherIsBetter)
        run.spectra = nil
        XCTAssertNil(ClaimMetric.meanSpectralRatio.value(of: run))
        XCTAssertNil(ClaimMetric.finalSpectralRatio.value(of: run))
    }
}
