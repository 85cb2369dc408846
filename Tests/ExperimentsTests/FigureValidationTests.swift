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

    /// A function_spectra figure names no run and declares parseable formulas; `grades`,
    /// `functions` and `points` belong to their own kinds.
    func testFunctionSpectraAndFitOptions() {
        let mlp = "\(Self.sines)\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"
        let good = "kind: function_spectra\npoints: 64\nfunctions:\n  - {label: a, formula: \"jn(2, 8)*cos(12*pi*x)\"}\n  - {formula: \"sin(2*pi*x)\", dashed: true}"
        XCTAssertEqual(problems(mlp, figure: good), [])
        let withRun = problems(mlp, figure: good + "\nrun: e")
        XCTAssertTrue(withRun.contains { $0.keyPath == "f.run" && $0.message.contains("names no run") }, "\(withRun)")
        let bad = problems(mlp, figure: "kind: function_spectra\nfunctions:\n  - {formula: \"cos(8*sin(6*pi*x)\"}")
        XCTAssertEqual(bad.first?.keyPath, "f.functions[0].formula")
        XCTAssertTrue(bad.first?.message.contains("missing ')'") == true, "\(bad)")
        XCTAssertFalse(problems(mlp, figure: "kind: function_spectra").isEmpty, "functions are required")
        XCTAssertFalse(problems(mlp, figure: "kind: function_spectra\npoints: 4\nfunctions: [{formula: x}]").isEmpty, "at least 8 points")
        XCTAssertTrue(problems(mlp, figure: "kind: loss\nrun: e\ngrades: true").first?.message.contains("fit") == true)
        XCTAssertTrue(problems(mlp, figure: "kind: loss\nrun: e\npoints: 64").first?.message.contains("function_spectra") == true)
        XCTAssertEqual(problems(mlp, figure: "kind: fit\nrun: e\ngrades: true"), [])
    }

    /// `train.plane` needs a manifold task.
    func testPlaneNeedsAManifold() {
        let flat = "method: sgdl\n\(Self.sines)\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 5, plane: {size: 8}}"
        XCTAssertTrue(problems(flat, figure: "kind: loss\nrun: e").contains { $0.message.contains("manifold") })
        let curve = "method: sgdl\ntask: {kind: sum_of_sines, frequencies: [1, 2], points: 16, manifold: {q: 0}}\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 5}"
        XCTAssertTrue(problems(curve, figure: "kind: plane\nrun: e").first?.message.contains("train.plane") == true)
        XCTAssertEqual(problems(curve.replacingOccurrences(of: "epochs: 5", with: "epochs: 5, plane: {size: 8}"), figure: "kind: plane\nrun: e"), [])
    }

    /// `train.spectrum_band` needs target frequencies to sum around.
    func testSpectrumBandNeedsFrequencies() {
        let sines = "method: sgdl\n\(Self.sines)\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 5, record_every: 1, spectrum_band: 1}"
        XCTAssertEqual(problems(sines, figure: "kind: spectral_evolution\nrun: e"), [])
        let formula = "method: sgdl\ntask: {kind: formula, formula: \"sin(x)\", points: 16}\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 5, spectrum_band: 1}"
        XCTAssertTrue(problems(formula, figure: "kind: loss\nrun: e").contains { $0.message.contains("spectrum_band") })
    }
}
