import Experiments
import XCTest

/// Figures that cannot be drawn from the runs they name are validation errors.
final class FigureValidationTests: XCTestCase {
    func problems(_ experiment: String, figure: String) -> [SpecProblem] {
        let text = """
        ---
        title: "v"
        ---

        ```experiment e
        \(experiment)
        ```

        ```figure f
        \(figure)
        ```
        """
        return ReportLoader.parse(text: text, id: "v", file: "v.md", profile: "").1
    }

    static let sines = "task: {kind: sum_of_sines, frequencies: [1, 2], points: 16}"

    func testUndrawableFiguresAreNamed() {
        let mgdlPlain = "method: mgdl\n\(Self.sines)\nmodel: {grades: [[4]]}\ntrain: {lr: 1.0e-3, epochs: 5}"
        let p1 = problems(mgdlPlain, figure: "kind: spectral_evolution\nrun: e")
        XCTAssertEqual(p1.count, 1, "\(p1)")
        XCTAssertEqual(p1.first?.keyPath, "f.run")
        XCTAssertTrue(p1.first?.message.contains("write train.record_every") == true, "\(p1)")
        // Writing record_every makes it drawable.
        XCTAssertEqual(problems(mgdlPlain.replacingOccurrences(of: "epochs: 5", with: "epochs: 5, record_every: 1"),
                                figure: "kind: spectral_evolution\nrun: e"), [])
        let formula = "task: {kind: formula, formula: \"sin(x)\", points: 16}\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"
        XCTAssertTrue(problems(formula, figure: "kind: spectral_evolution\nrun: e").first?.message.contains("formula target") == true)
        let mlp = "\(Self.sines)\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"
        XCTAssertTrue(problems(mlp, figure: "kind: layer_norms\nrun: e").first?.message.contains("record_norms") == true)
        XCTAssertEqual(problems(mlp.replacingOccurrences(of: "steps: 5", with: "steps: 5, record_norms: true"), figure: "kind: layer_norms\nrun: e"), [])
        XCTAssertTrue(problems(mlp, figure: "kind: grade_spectra\nrun: e").first?.message.contains("no grades") == true)
        XCTAssertTrue(problems(mlp, figure: "kind: reconstruction\nrun: e").first?.message.contains("not an image") == true)
    }
}
