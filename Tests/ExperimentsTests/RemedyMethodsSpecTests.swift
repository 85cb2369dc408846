@testable import Experiments
import Foundation
import XCTest

/// The remedies' methods in the report format (issue 16): each is read, validated and run from a
/// declaration; options that do not apply are refused with a message.
final class RemedyMethodsSpecTests: XCTestCase {
    static func report(method: String, model: String, train: String = "", features: String = "") -> String {
        """
        ---
        version: 1
        ---

        ```experiment tiny
        method: \(method)
        seed: 3
        task:
          kind: sum_of_sines
          frequencies: [1, 6]
          amplitudes: constant
          points: 32
        model:
        \(model.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        \(features)
        train:
          lr: 1.0e-2
          epochs: 4
          precision: float64
        \(train.isEmpty ? "" : "  " + train)
        ```
        """
    }

    func parse(_ method: String, _ model: String, train: String = "", features: String = "") -> (ExperimentSpec?, [SpecProblem]) {
        let (report, problems) = ReportLoader.parse(text: Self.report(method: method, model: model, train: train, features: features),
                                                    id: "tiny", file: "tiny.md", profile: "quick")
        return (report?.experiments.first, problems)
    }

    func testEveryNewMethodReadsAndRuns() throws {
        let cases: [(String, String, String)] = [
            ("mscale_groups", "hidden: [8, 8]\nscales: [1, 2, 4, 8]\nactivation: srelu", ""),
            ("adaptive_activation", "hidden: [8, 8]\nactivation: tanh\nfactor: 5", ""),
            ("phase_shift", "hidden: [8]\nbands: 2\nband_width: 5", ""),
            ("multistage", "hidden: [8]\nstages: 2", "lbfgs: 5"),
        ]
        for (method, model, train) in cases {
            let (spec, problems) = parse(method, model, train: train)
            XCTAssertEqual(problems, [], method)
            let s = try XCTUnwrap(spec, method)
            let result = Runner.run(s)
            XCTAssertEqual(result.status, .ok, "\(method): \(result.message ?? "")")
            XCTAssertGreaterThan(result.parameterCount, 0, method)
        }
        let adaptive = try XCTUnwrap(parse("adaptive_activation", "hidden: [8]").0)
        XCTAssertEqual(adaptive.model.factor, 10)
        XCTAssertEqual(adaptive.model.activation, .tanh)
        let phase = try XCTUnwrap(parse("phase_shift", "hidden: [8]\nbands: 3\nband_width: 4").0)
        XCTAssertEqual(phase.model.bands, 3)
        XCTAssertEqual(phase.model.bandWidth, 4)
        // 2 bands: a 1-output and a 2-output network of [1, 8].
        XCTAssertEqual(Runner.run(try XCTUnwrap(parse("phase_shift", "hidden: [8]\nbands: 2\nband_width: 5").0)).parameterCount,
                       (16 + 9) + (16 + 18))
        let staged = try XCTUnwrap(parse("multistage", "hidden: [8]\nstages: 2", train: "lbfgs: 5").0)
        XCTAssertEqual(staged.train.lbfgs, 5)
        // L-BFGS iterations are steps of the loss curve: at most 4 Adam epochs + 5 iterations per stage.
        let run = Runner.run(staged)
        XCTAssertGreaterThan(run.losses.count, 8)
        XCTAssertLessThanOrEqual(run.losses.count, 18)
    }

    func testOptionsThatDoNotApplyAreRefused() {
        func refused(_ method: String, _ model: String, train: String = "", features: String = "", _ suffix: String,
                     file: StaticString = #filePath, line: UInt = #line) {
            let (_, problems) = parse(method, model, train: train, features: features)
            XCTAssertTrue(problems.contains { $0.keyPath.hasSuffix(suffix) }, "\(problems)", file: file, line: line)
        }
        refused("sgdl", "hidden: [8]", train: "lbfgs: 5", "train.lbfgs")
        refused("mscale_groups", "hidden: [2, 8]\nscales: [1, 2, 4]", "model.scales")
        refused("phase_shift", "hidden: [8]\nbands: 2", "model.band_width")
        refused("phase_shift", "hidden: [8]\nbands: 2\nband_width: 5", features: "features: {kind: basic}", "features")
        refused("adaptive_activation", "hidden: [8]\nactivation: srelu", "model.activation")
        refused("sgdl", "hidden: [8]\nfactor: 3", "model.factor")
    }
}
