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

/// `spectral_snapshots` (Rahaman et al.'s Fig. 6): its iterations and reference runs are checked
/// at validation, each problem at its file, line and key.
final class SpectralSnapshotsValidationTests: XCTestCase {
    static let mlp = "task: {kind: sum_of_sines, frequencies: [1, 2], points: 16}\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"
    static let formula = "task: {kind: formula, formula: \"sin(x)\", points: 16}\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 5}"

    /// The report: experiments `e` (sines) and `g` (a formula target), then the figure `f`.
    func parse(_ figure: String) -> (text: String, problems: [SpecProblem]) {
        let text = "---\ntitle: \"v\"\n---\n\n```experiment e\n\(Self.mlp)\n```\n\n```experiment g\n\(Self.formula)\n```\n\n```figure f\n\(figure)\n```\n"
        return (text, ReportLoader.parse(text: text, id: "v", file: "v.md", profile: "").1)
    }

    /// The 1-based line of the first line of `text` starting with `prefix` after the figure's fence.
    func line(of prefix: String, in text: String) -> Int {
        let lines = text.components(separatedBy: "\n")
        let fence = lines.firstIndex(of: "```figure f")!
        return lines.indices.first { $0 > fence && lines[$0].hasPrefix(prefix) }! + 1
    }

    func testGoodDeclarationsPass() {
        XCTAssertEqual(parse("kind: spectral_snapshots\nrun: e\nat: [0, 2, 5]").problems, [])
        XCTAssertEqual(parse("kind: spectral_snapshots\nrun: e\nat: [0, 5]\nreference: e2").problems.map(\.keyPath), ["f.run"],
                       "an unknown reference run is named like any unknown run")
    }

    func testIterationsAreRequiredFewAndDistinct() {
        let missing = parse("kind: spectral_snapshots\nrun: e")
        XCTAssertEqual(missing.problems.count, 1, "\(missing.problems)")
        XCTAssertEqual(missing.problems.first?.file, "v.md")
        XCTAssertEqual(missing.problems.first?.keyPath, "f.at")
        XCTAssertEqual(missing.problems.first?.message, "missing required key 'at'")

        let many = parse("kind: spectral_snapshots\nrun: e\nat: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]")
        XCTAssertEqual(many.problems.count, 1, "\(many.problems)")
        XCTAssertEqual(many.problems.first?.keyPath, "f.at")
        XCTAssertEqual(many.problems.first?.line, line(of: "at:", in: many.text))
        XCTAssertTrue(many.problems.first?.message.contains("at most 10 iterations") == true, "\(many.problems)")

        let twice = parse("kind: spectral_snapshots\nrun: e\nat: [0, 40, 0]")
        XCTAssertEqual(twice.problems.map(\.keyPath), ["f.at"])
        XCTAssertEqual(twice.problems.first?.line, line(of: "at:", in: twice.text))
        XCTAssertTrue(twice.problems.first?.message.contains("each iteration once") == true, "\(twice.problems)")

        let negative = parse("kind: spectral_snapshots\nrun: e\nat: [0, -4]")
        XCTAssertEqual(negative.problems.map(\.keyPath), ["f.at[1]"])
    }

    func testRunsAndReferencesNeedASpectrum() {
        let formulaRun = parse("kind: spectral_snapshots\nrun: g\nat: [0]")
        XCTAssertEqual(formulaRun.problems.map(\.keyPath), ["f.run"])
        XCTAssertEqual(formulaRun.problems.first?.line, line(of: "run:", in: formulaRun.text))
        XCTAssertTrue(formulaRun.problems.first?.message.contains("formula target") == true, "\(formulaRun.problems)")

        let formulaReference = parse("kind: spectral_snapshots\nrun: e\nat: [0]\nreference: g")
        XCTAssertEqual(formulaReference.problems.map(\.keyPath), ["f.run"])
        XCTAssertTrue(formulaReference.problems.first?.message.contains("reference run 'g'") == true, "\(formulaReference.problems)")

        let onlyReferences = parse("kind: spectral_snapshots\nrun: e\nat: [0]\nreference: e")
        XCTAssertEqual(onlyReferences.problems.map(\.keyPath), ["f.run"])
        XCTAssertTrue(onlyReferences.problems.first?.message.contains("has no panel to draw") == true, "\(onlyReferences.problems)")

        let elsewhere = parse("kind: loss\nrun: e\nreference: e")
        XCTAssertEqual(elsewhere.problems.map(\.keyPath), ["f.reference"])
        XCTAssertEqual(elsewhere.problems.first?.line, line(of: "reference:", in: elsewhere.text))
        XCTAssertEqual(elsewhere.problems.first?.message, "'reference' applies to a scatter or spectral_snapshots figure")
    }
}

/// A figure's `profiles:` overlays: display keys that differ between profiles (a PSNR axis for
/// 64² images at quick, for 512² at paper), checked at every profile.
final class FigureProfileTests: XCTestCase {
    func parse(_ figure: String, profile: String) -> (Report?, [SpecProblem]) { Self.parse(figure, profile: profile) }

    /// A report of one experiment (quick and paper profiles) and a loss figure of it, with
    /// `figure`'s keys added to the figure block.
    static func parse(_ figure: String, profile: String) -> (Report?, [SpecProblem]) {
        let text = """
        ---
        title: "v"
        ---

        ```experiment e
        task: {kind: sum_of_sines, frequencies: [1, 2], points: 16}
        model: {widths: [1, 4, 1]}
        train: {lr: 1.0e-3, steps: 5}
        profiles:
          quick: {train: {steps: 3}}
          paper: {}
        ```

        ```figure f
        kind: loss
        run: e
        y_range: [16, 30]
        \(figure)
        ```
        """
        return ReportLoader.parse(text: text, id: "v", file: "v.md", profile: profile)
    }

    func testTheOverlayOfTheProfileBuiltIsApplied() throws {
        let overlay = "profiles:\n  paper: {y_range: [30, 48], y_log: true}"
        let quick = try XCTUnwrap(parse(overlay, profile: "quick").0?.figures.first)
        XCTAssertEqual(quick.options.yRange, [16, 30])
        XCTAssertNil(quick.options.yLog)
        let paper = try XCTUnwrap(parse(overlay, profile: "paper").0?.figures.first)
        XCTAssertEqual(paper.options.yRange, [30, 48])
        XCTAssertEqual(paper.options.yLog, true)
        XCTAssertEqual(paper.runs, ["e"], "the keys the overlay does not write are the block's")
    }

    func testEveryOverlayIsCheckedAtEveryProfile() {
        for profile in ["quick", "paper"] {
            let typo = parse("profiles:\n  paper: {y_rang: [30, 48]}", profile: profile).1
            XCTAssertEqual(typo.count, 1, "\(profile): \(typo)")
            XCTAssertTrue(typo.first?.message.contains("did you mean 'y_range'") == true, "\(typo)")
            XCTAssertEqual(typo.first?.line, 19, "the overlay's line")
            let kind = parse("profiles:\n  paper: {kind: fit}", profile: profile).1
            XCTAssertTrue(kind.first?.message.contains("does not change a figure's kind") == true, "\(profile): \(kind)")
            let badValue = parse("profiles:\n  paper: {y_range: [30]}", profile: profile).1
            XCTAssertEqual(badValue.count, 1, "\(profile): \(badValue)")
            let unknown = parse("profiles:\n  papr: {y_range: [30, 48]}", profile: profile).1
            XCTAssertTrue(unknown.contains { $0.message.contains("did you mean 'paper'") && $0.keyPath == "f.profiles" }, "\(profile): \(unknown)")
        }
    }
}

/// `x_ticks` / `y_ticks`: the ticks a report asks for, instead of the automatic ones.
final class FigureTicksTests: XCTestCase {
    /// FigureProfileTests' report (a loss figure of one experiment), read with no profile.
    func figure(_ options: String) -> (FigureSpec?, [SpecProblem]) {
        let (report, problems) = FigureProfileTests.parse(options, profile: "")
        return (report?.figures.first, problems)
    }

    func testTicksAreReadAndCheckedAtTheirKey() {
        XCTAssertEqual(figure("x_ticks: [0, 45, 90, 135, 180]").0?.options.xTicks, [0, 45, 90, 135, 180])
        XCTAssertEqual(figure("y_ticks: [1.0e-3, 1]\ny_log: true").0?.options.yTicks, [1e-3, 1])
        for (bad, words) in [("x_ticks: [90, 45]", "must increase"), ("x_ticks: [1]", "2 to 50 tick values"),
                             ("x_ticks: 45", "2 to 50 tick values"), ("y_ticks: [0, 1]\ny_log: true", "positive ticks"),
                             ("x_ticks: [0, ninety]", "expected a number")] {
            let problems = figure(bad).1
            XCTAssertEqual(problems.count, 1, "\(bad): \(problems)")
            XCTAssertTrue(problems.first?.keyPath.hasPrefix(bad.hasPrefix("x") ? "f.x_ticks" : "f.y_ticks") == true, "\(bad): \(problems)")
            XCTAssertTrue(problems.first?.message.contains(words) == true, "\(bad): \(problems)")
        }
    }
}
