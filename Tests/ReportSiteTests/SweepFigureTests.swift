import Experiments
import Foundation
@testable import ReportSite
import XCTest

/// The heatmap over two sweep axes, the plane figure and the perturbation heatmap: drawn from
/// made-up runs, their CSVs, their failures, and their notebook cells.
final class SweepFigureTests: XCTestCase {
    static let text = """
        ---
        version: 1
        title: "s"
        ---

        ```experiment classify
        method: sgdl
        task: {kind: sum_of_sines, frequencies: 3, phases: {seed: 0}, points: 8, manifold: {q: 2}, targets: zero_one}
        model: {hidden: [4]}
        train: {lr: 1.0e-2, epochs: 3, loss: bce}
        repeat: 2
        sweep: {grid: {task.frequencies: [2, 3], task.manifold.q: [0, 4, 8]}}
        ```

        ```experiment robust
        task: {kind: sum_of_sines, frequencies: [1, 2], points: 8}
        model: {widths: [1, 4, 1]}
        train: {lr: 1.0e-3, steps: 5, perturb: {directions: 2, max: 1, deltas: 3}}
        ```

        ```figure accuracy
        kind: sweep_heatmap
        run: classify
        x: task.frequencies
        y: task.manifold.q
        metric: train_accuracy
        ```

        ```figure robustness
        kind: perturbation
        run: robust
        ```
        """

    func decode<T: Decodable>(_ object: [String: Any]) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func run(_ name: String, _ fill: (inout RunResult) throws -> Void) throws -> RunResult {
        var r: RunResult = try decode(["name": name, "status": "ok", "inputs": [], "target": [], "frequencies": [1, 2],
                                       "targetAmplitudes": [1, 1], "losses": [1], "snapshots": [], "seconds": 0, "parameterCount": 0])
        try fill(&r)
        return r
    }

    func testSweepHeatmapAndPerturbationFigures() throws {
        let report = try ReportSiteTests.report(Self.text, id: "s")
        XCTAssertEqual(report.experiments.count, 13)
        var runs: [String: RunResult] = [:]
        // Accuracy: copy 1 has 0.5 + q/32 − k/16, copy 2 0.125 more; the cell shows their mean.
        for spec in report.experiments where spec.group == "classify" {
            let k = spec.sweepValue("task.frequencies")!.number!, q = spec.sweepValue("task.manifold.q")!.number!
            runs[spec.name] = try run(spec.name) { r in
                r.trainAccuracy = 0.5 + q / 32 - k / 16 + (spec.repeatIndex == 1 ? 0.125 : 0)
            }
        }
        runs["robust"] = try run("robust") { r in
            r.perturbation = try decode(["deltas": [0, 0.5, 1], "directions": 2, "ratios": [[1, 1], [0.9, 1.4], [0.7, 0.2]]])
        }
        let sweepAxes = Dictionary(uniqueKeysWithValues: report.experiments.compactMap { s in s.sweepAxes.map { (s.name, $0) } })
        let repeats = Dictionary(uniqueKeysWithValues: report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } })
        func draw(_ name: String) throws -> String {
            let spec = try XCTUnwrap(report.figures.first { $0.name == name })
            return try FigureRecipes.figure(for: spec, runs: runs, repeats: repeats, sweepAxes: sweepAxes).csv()
        }
        let heat = try draw("accuracy").split(separator: "\n").filter { $0.contains(",heatmap,") }
        XCTAssertEqual(heat.count, 6, "2 frequencies × 3 values of q: \(heat)")
        XCTAssertTrue(heat.contains { $0.hasSuffix(",3.0,8.0,0.625") }, "k = 3, q = 8: (0.5625 + 0.6875) / 2: \(heat)")
        XCTAssertTrue(heat.contains { $0.hasSuffix(",2.0,0.0,0.4375") }, "\(heat)")

        let robust = try draw("robustness").split(separator: "\n").filter { $0.contains(",heatmap,") }
        XCTAssertEqual(robust.count, 6)
        XCTAssertTrue(robust.contains { $0.hasSuffix(",2.0,0.5,1.4") }, "the CSV keeps the unclipped ratio: \(robust)")

        // Without the measurement, each figure fails with the reason.
        var bare = runs
        bare["robust"]?.perturbation = nil
        for name in report.experiments.map(\.name) where name.hasPrefix("classify") { bare[name]?.trainAccuracy = nil }
        for (figure, reason) in [("robustness", "measured no perturbations"), ("accuracy", "has no train accuracy")] {
            let spec = try XCTUnwrap(report.figures.first { $0.name == figure })
            XCTAssertThrowsError(try FigureRecipes.figure(for: spec, runs: bare, repeats: repeats, sweepAxes: sweepAxes)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(figure): \(error)")
            }
        }

        // Each kind has its own notebook cell.
        func cell(_ spec: FigureSpec) throws -> String {
            let figure = try FigureRecipes.figure(for: spec, runs: runs, repeats: repeats, sweepAxes: sweepAxes)
            return spec.kind.recipe.notebookCell(NotebookFigureCell(spec: spec, outline: figure.outline, width: figure.width, height: figure.height))
        }
        let code = try report.figures.map(cell)
        XCTAssertTrue(code[0].contains("over the sweep axes task.frequencies (x) and task.manifold.q (y)") && code[0].contains("pcolormesh"), code[0])
        XCTAssertTrue(code[1].contains("vmin=0, vmax=1") && code[1].contains("perturbation size δ"), code[1])
    }
}
