@testable import Experiments
import Learning
import Numerics
import Tasks
import XCTest

/// The training-FLOP count (`TrainingFLOPs`) against hand counts, and `train.flop_budget`.
final class TrainingFLOPsTests: XCTestCase {
    private func read(_ body: String, points: Int = 100, overrides: [Override] = []) -> (ExperimentSpec?, [SpecProblem]) {
        let text = """
        ---
        title: "flops"
        ---

        ```experiment run
        seed: 0
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          phases: {seed: 1}
          points: \(points)
        \(body)
        ```
        """
        let (report, problems) = ReportLoader.parse(text: text, id: "flops", file: "flops.md", profile: "", overrides: overrides)
        return (report?.experiments.first, problems)
    }

    private func spec(_ body: String, points: Int = 100) throws -> ExperimentSpec {
        let (spec, problems) = read(body, points: points)
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(spec)
    }

    /// Each method's count, worked out by hand from the rule in the type's documentation:
    /// a training pass of widths w is n·(6Σ − 2w₀w₁), Σ = Σ w_l·w_{l+1}.
    func testCountsMatchHandCounts() throws {
        // MGDL, grades 1-8-8-1 (Σ = 80, pass 6·80 − 2·8 = 464) and 8-4-1 (Σ = 36, pass 216 − 64 = 152),
        // 100 points, 10 epochs; after grade 1 its forward pass (80) and its features (8 + 64): 2·100·152.
        let mgdl = try spec("""
        method: mgdl
        model: {grades: [[8, 8], [4]]}
        train: {lr: 1.0e-3, epochs: 10}
        """)
        XCTAssertEqual(TrainingFLOPs.total(mgdl), 30_400 + 10 * 100 * (464 + 152))
        // Gaussian features (16 rows, 1-D input: 2·200·16 once), then 32-32-1 (Σ = 1056, pass 6336 − 2048).
        let gaussian = try spec("""
        method: sgdl
        features: {kind: gaussian, scale: 4, count: 16, seed: 0}
        model: {hidden: [32]}
        train: {lr: 1.0e-3, epochs: 5}
        """, points: 200)
        XCTAssertEqual(TrainingFLOPs.total(gaussian), 6_400 + 5 * 200 * 4_288)
        // Multi-stage, 2 stages of 1-20-20-1 (Σ = 440, pass 2600), 3 epochs and 5 L-BFGS evaluations
        // each, one residual forward pass (2·50·440) between them.
        let stages = try spec("""
        method: multistage
        model: {hidden: [20, 20], stages: 2}
        train: {lr: 1.0e-3, epochs: 3, lbfgs: 5}
        """, points: 50)
        XCTAssertEqual(TrainingFLOPs.total(stages), 2 * (3 + 5) * 50 * 2_600 + 2 * 50 * 440)
        // PhaseDNN, 3 bands: 1-16-1 (Σ = 32, pass 160) and two 1-16-2 (Σ = 48, pass 256).
        let phase = try spec("""
        method: phase_shift
        model: {hidden: [16], bands: 3, band_width: 1}
        train: {lr: 1.0e-3, epochs: 7}
        """)
        XCTAssertEqual(TrainingFLOPs.total(phase), 7 * 100 * (160 + 2 * 256))
        // MscaleDNN-2, 3 scales of 1-16-1; an epoch of 4 minibatches is still one pass over the points.
        let mscale = try spec("""
        method: mscale
        model: {hidden: [16], scales: [1, 2, 4]}
        train: {lr: 1.0e-3, epochs: 2, batch: 25}
        """)
        XCTAssertEqual(TrainingFLOPs.total(mscale), 2 * 100 * 3 * 160)
        // mlp: a step counts its minibatch (25 of 100 points).
        let mlp = try spec("""
        method: mlp
        model: {widths: [1, 16, 1]}
        train: {lr: 1.0e-3, steps: 8, batch: 25}
        """)
        XCTAssertEqual(TrainingFLOPs.total(mlp), 8 * 25 * 160)
    }

    /// One budget, two methods of different cost per epoch: different epochs, the same FLOPs
    /// within one epoch of the costlier (here under 0.5% of the budget), never above the budget.
    /// Both image protocols train on the even pixel grid (a quarter of the pixels); they differ in
    /// the pixels they test on, so a run's training FLOPs and points per step do not depend on it.
    func testBothImageProtocolsCountTheEvenGrid() throws {
        func image(_ evaluation: String) throws -> ExperimentSpec {
            let text = """
            ---
            title: "flops"
            ---

            ```experiment run
            method: sgdl
            seed: 0
            task:
              kind: image
              sinusoid: {angle: 0, frequency: 2}
              size: 16
              colour: grey
              protocol: \(evaluation)
            model:
              hidden: [8]
            train:
              optimizer: adam
              lr: 1.0e-3
              epochs: 10
              batch: full
            ```
            """
            let (report, problems) = ReportLoader.parse(text: text, id: "flops", file: "flops.md", profile: "")
            XCTAssertEqual(problems, [])
            return try XCTUnwrap(report?.experiments.first)
        }
        let tancik = try image("tancik"), mgdl = try image("mgdl")
        // Widths 2-8-1: Σ = 24, a pass 6·24 − 2·16 = 112 FLOPs a point; 8 × 8 even pixels, 10 epochs.
        XCTAssertEqual(TrainingFLOPs.total(mgdl), 64 * 10 * 112)
        XCTAssertEqual(TrainingFLOPs.total(tancik), TrainingFLOPs.total(mgdl))
        XCTAssertEqual(mgdl.pointsPerStep, 64)
        XCTAssertEqual(tancik.pointsPerStep, 64)
        // The engine trains on as many pixels.
        XCTAssertEqual(try ImageTask.sinusoid(SinusoidImage(angle: 0, frequency: 2), size: 16, as: .grey).split(.mgdl).train.count, 64)
    }

    func testOneBudgetGivesEachMethodItsEpochsAtEqualFLOPs() throws {
        let budget = 1.0e10
        let sgdl = try spec("""
        method: sgdl
        model: {hidden: [64, 64]}
        train: {lr: 1.0e-3, flop_budget: \(budget)}
        """, points: 256)
        let mgdl = try spec("""
        method: mgdl
        model: {grades: [[64, 64], [64, 64], [64, 64]]}
        train: {lr: 1.0e-3, flop_budget: \(budget)}
        """, points: 256)
        let stages = try spec("""
        method: multistage
        model: {hidden: [32, 32], stages: 3}
        train: {lr: 1.0e-3, flop_budget: \(budget), lbfgs: 200}
        """, points: 256)
        let runs = [sgdl, mgdl, stages]
        XCTAssertEqual(Set(runs.map(\.train.steps)).count, 3, "each method its own epochs: \(runs.map(\.train.steps))")
        for run in runs {
            let flops = TrainingFLOPs.total(run)
            XCTAssertLessThanOrEqual(flops, budget, "\(run.method)")
            XCTAssertGreaterThan(flops, budget * 0.995, "\(run.method): \(flops)")
            // One more epoch would overspend.
            var longer = run
            longer.train.steps += 1
            XCTAssertGreaterThan(TrainingFLOPs.total(longer), budget, "\(run.method)")
        }
        XCTAssertEqual(sgdl.train.flopBudget, budget)
        // 3 grades cost about 3 × SGDL's epoch (plus the wider grades' inputs): about a third of the epochs.
        XCTAssertLessThan(mgdl.train.steps, sgdl.train.steps / 2)
    }

    func testBudgetProblemsAndOverrides() throws {
        var (_, problems) = read("""
        method: sgdl
        model: {hidden: [8]}
        train: {lr: 1.0e-3, epochs: 10, flop_budget: 1.0e9}
        """)
        XCTAssertTrue(problems.contains { $0.message.contains("write one of flop_budget and epochs") }, "\(problems)")
        (_, problems) = read("""
        method: sgdl
        model: {hidden: [8]}
        train: {lr: 1.0e-3, flop_budget: 1000}
        """)
        XCTAssertTrue(problems.contains { $0.keyPath == "run.train.flop_budget" && $0.message.contains("does not pay for one epoch") }, "\(problems)")
        (_, problems) = read("""
        method: mgdl
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-3, flop_budget: 1.0e9, grades: [{epochs: 3}, {lr: 1.0e-4}]}
        """)
        XCTAssertTrue(problems.contains { $0.message.contains("per-grade 'epochs'") }, "\(problems)")
        // `-S train.epochs=N` is the training length of every experiment, budgeted or not.
        let (overridden, none) = read("""
        method: sgdl
        model: {hidden: [8]}
        train: {lr: 1.0e-3, flop_budget: 1.0e9}
        """, overrides: [try Override.parse("train.epochs=12")])
        XCTAssertEqual(none, [])
        XCTAssertEqual(overridden?.train.steps, 12)
        XCTAssertNil(overridden?.train.flopBudget)
        // And a budget given with -S replaces the written epochs.
        let (budgeted, fine) = read("""
        method: sgdl
        model: {hidden: [8]}
        train: {lr: 1.0e-3, epochs: 3}
        """, overrides: [try Override.parse("train.flop_budget=1.0e7")])
        XCTAssertEqual(fine, [])
        XCTAssertEqual(budgeted?.train.flopBudget, 1.0e7)
        // 100 points of 1-8-1 (Σ = 16, pass 80): 1e7 / 8000 = 1250 epochs.
        XCTAssertEqual(budgeted?.train.steps, 1_250)
    }
}
