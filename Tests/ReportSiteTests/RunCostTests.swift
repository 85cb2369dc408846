@testable import Experiments
import Learning
import Numerics
@testable import ReportSite
import XCTest

/// The cost model (`RunCost`) against real training times, on five shapes.
final class RunCostTests: XCTestCase {
    func spec(_ body: String) throws -> ExperimentSpec {
        let text = """
        ---
        title: "cost"
        ---

        ```experiment cost
        seed: 0
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          phases: {seed: 1}
        \(body)
        ```
        """
        let (report, problems) = ReportLoader.parse(text: text, id: "cost", file: "cost.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    /// Estimated and real training times (the training thread's CPU time on one thread, so a
    /// loaded machine moves both alike) agree within a factor of 2 on a deep narrow full-batch
    /// network, a wide minibatch SGDL, a two-grade MGDL, a two-stage tanh network and a four-scale
    /// s2ReLU MscaleDNN. Each run trains about 0.1-0.5 s.
    func testEstimateWithinAFactorOfTwoOfRealTimes() throws {
        BLASThreads.set(1)
        let shapes = [
            try spec("""
              points: 200
            method: mlp
            model: {widths: [1, 48, 48, 48, 48, 1]}
            train: {lr: 1.0e-3, steps: 250}
            """),
            try spec("""
              points: 512
            method: sgdl
            model: {hidden: [128, 128]}
            train: {lr: 1.0e-3, epochs: 25, batch: 64}
            """),
            try spec("""
              points: 300
            method: mgdl
            model: {grades: [[64, 64], [64]]}
            train: {lr: 1.0e-3, epochs: 150}
            """),
            // Narrow networks whose activations cost more than their matrix products: a
            // multi-stage tanh network (Wang & Lai's width 20) and MscaleDNN's s2ReLU subnetworks.
            try spec("""
              points: 200
            method: multistage
            model: {hidden: [20, 20, 20], stages: 2}
            train: {lr: 1.0e-3, epochs: 150}
            """),
            try spec("""
              points: 200
            method: mscale
            model: {hidden: [16, 16], scales: [1, 2, 4, 8], activation: s2relu}
            train: {lr: 1.0e-3, epochs: 150}
            """),
        ]
        let speed = EngineSpeed()
        var ratios: [Double] = []
        for spec in shapes {
            XCTAssertGreaterThan(RunCost.flops(spec), 0)
            let estimate = RunCost.seconds(spec, speed: speed)
            let t0 = StepTiming.clock()
            let result = Runner.run(spec)
            let real = StepTiming.clock() - t0
            XCTAssertEqual(result.status, .ok, result.message ?? "")
            ratios.append(real / estimate)
        }
        print("RunCostTests: real / estimated training time:", ratios.map { String(format: "%.2f", $0) }.joined(separator: ", "))
        for (spec, ratio) in zip(shapes, ratios) {
            XCTAssertTrue(ratio > 0.5 && ratio < 2, "\(spec.method): real / estimated time = \(ratio) (all: \(ratios))")
        }
    }

    /// FLOPs are `TrainingFLOPs`' count (hand counts in `TrainingFLOPsTests`), per grade for MGDL.
    func testFlopsCountEveryGradeAndStep() throws {
        let mgdl = try spec("""
          points: 100
        method: mgdl
        model: {grades: [[8, 8], [4]]}
        train: {lr: 1.0e-3, epochs: 10}
        """)
        // Grade 1: 1-8-8-1 (8 + 64 + 8 weights); grade 2: 8-4-1 (32 + 4); no input gradient of a
        // first layer; grade 1's forward passes for the residual and grade 2's input.
        let passes: Double = 100 * 10 * (464 + 152)   // 6·80 − 2·8 and 6·36 − 2·32
        XCTAssertEqual(RunCost.flops(mgdl), passes + 2 * 100 * (80 + 72), accuracy: 1e-6)
        let minibatch = try spec("""
          points: 100
        method: sgdl
        model: {hidden: [8]}
        train: {lr: 1.0e-3, epochs: 3, batch: 25}
        """)
        XCTAssertEqual(RunCost.phases(minibatch), [RunCost.TrainingPhase(widths: [1, 8, 1], rows: 25, steps: 12, float64: false)])
    }
}
