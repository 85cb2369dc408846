@testable import Experiments
import Learning
import Numerics
import Tasks
import XCTest

/// How the runner turns a declaration into a training: the method, the optimizer, the schedule.
final class RunnerTrainingTests: XCTestCase {
    func spec(method: String, model: String, train: String) throws -> ExperimentSpec {
        let text = """
        ---
        title: "r"
        ---

        ```experiment r
        method: \(method)
        task:
          kind: sum_of_sines
          frequencies: [1, 3]
          phases: {seed: 1}
          points: 24
        model:
          \(model)
        train:
          lr: 1.0e-2
          \(train)
        ```
        """
        let (report, problems) = ReportLoader.parse(text: text, id: "r", file: "r.md", profile: "")
        XCTAssertEqual(problems, [])
        return try XCTUnwrap(report?.experiments.first)
    }

    /// `mlp` honours `lr_final` (it was validated and documented but ignored): its losses are
    /// those of the engine trained with the exponential schedule from lr to lr_final, and differ
    /// from a run without it.
    func testMlpDecaysTheLearningRateToLrFinal() throws {
        let decayed = try spec(method: "mlp", model: "widths: [1, 8, 1]", train: "steps: 12\n  lr_final: 1.0e-4")
        let constant = try spec(method: "mlp", model: "widths: [1, 8, 1]", train: "steps: 12")
        let run = Runner.run(decayed)
        XCTAssertEqual(run.status, .ok)
        let grid = Grid.equispaced(count: 24)
        let x = Matrix<Float>(rows: 24, cols: 1, values: grid.map { Float($0) })
        let y = Matrix<Float>(rows: 24, cols: 1, values: run.target.map { Float($0) })
        let net = Network<Float>(spec: NetworkSpec(widths: [1, 8, 1]), seed: decayed.seed)
        let expected = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2),
                                                                 schedule: .exponential(initial: 1e-2, final: 1e-4),
                                                                 epochs: 12, seed: decayed.seed))
        XCTAssertEqual(run.losses.map(\.bitPattern), expected.losses.map(\.bitPattern))
        XCTAssertNotEqual(run.losses.last, Runner.run(constant).losses.last)
    }

    /// Every method trains as itself: no method falls back to another (an unknown name cannot be
    /// declared: `MethodKind` has no case for it, and the reader refuses it). An MscaleDNN
    /// declaration with an activation that is not MscaleDNN's fails its run instead of training
    /// with a default activation.
    func testEveryMethodTrainsAsItselfWithoutFallback() throws {
        XCTAssertNil(MethodKind(rawValue: "sgdl2"))
        var spec = try self.spec(method: "sgdl", model: "hidden: [8]", train: "epochs: 3")
        for kind in MethodKind.allCases {
            spec.method = kind
            spec.model.activation = .s2ReLU
            let training = try Runner.methodToTrain(spec)
            switch (kind, training) {
            case (.mlp, .network), (.sgdl, .method(.sgdl)), (.mgdl, .method(.mgdl)), (.mscale, .method(.mscale)),
                 (.multistage, .method(.multistage)), (.mscaleGroups, .method(.mscaleGroups)),
                 (.adaptiveActivation, .method(.adaptive)), (.phaseShift, .method(.phaseShift)):
                break
            default:
                XCTFail("\(kind) trains as \(training)")
            }
        }
        spec.method = .mscale
        spec.model.activation = .relu
        XCTAssertThrowsError(try Runner.methodToTrain(spec))
        let run = Runner.run(spec)
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.losses, [])
        XCTAssertTrue(run.message?.contains("relu") == true, run.message ?? "")
    }
}
