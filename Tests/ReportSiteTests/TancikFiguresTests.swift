@testable import Experiments
import Foundation
import Tasks
@testable import ReportSite
import XCTest

/// The figure kinds and options of Tancik et al.'s 1-D report: `ntk` (no run) and `curves` with
/// `panels: sets`, and the task options they draw from (`band_limited_power_law`, `split:
/// interleaved`, `features.kind: power_falloff`).
final class TancikFiguresTests: XCTestCase {
    static let experiment = """
        ```experiment f
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, noise_seed: 2, points: 64, split: interleaved, stride: 4}
        model: {hidden: [8, 8]}
        train: {optimizer: sgd, lr: 1.0e-2, epochs: 30, record_every: 10}
        sweep:
          zip:
            name: [p-1, none]
            features: [{kind: power_falloff, exponent: 1, count: 4}, {kind: none}]
        ```
        """

    static func parse(_ blocks: String) -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: "---\nversion: 1\ntitle: t\n---\n\n" + blocks, id: "t", file: "t.md", profile: "")
    }

    func testNTKFigureNeedsNoRunAndDrawsHeatmapKernelAndSpectrum() throws {
        let (report, problems) = Self.parse("""
            ```figure k
            kind: ntk
            points: 64
            mappings:
              - {kind: none}
              - {kind: power_falloff, exponent: 0, count: 8}
              - {kind: basic, label: "p = ∞"}
            ```
            """)
        XCTAssertEqual(problems, [])
        let spec = try XCTUnwrap(report?.figures.first)
        XCTAssertEqual(spec.runs, [])
        XCTAssertEqual(spec.mappings?.map(\.label), ["no mapping", "p = 0", "p = ∞"])
        let figure = try FigureRecipes.figure(for: spec, runs: [:])
        XCTAssertEqual(figure.panelCount, 3)
        let csv = figure.csv()
        XCTAssertTrue(csv.contains(",heatmap,"), "the no-mapping kernel is a heatmap")
        // The basic mapping's kernel peaks at Δ = 0 with Θ = (L + 1)·‖γ‖² = 4, and p = 0 is narrower.
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        func value(_ panel: String, _ series: String, _ x: Double) -> Double? {
            rows.first { $0.count >= 5 && $0[0] == panel && $0[2] == series && Double($0[3]).map { abs($0 - x) < 1e-9 } == true }.flatMap { Double($0[4]) }
        }
        XCTAssertEqual(try XCTUnwrap(value("2", "p = ∞", 0)), 4, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(value("2", "p = 0", 0)), 4, accuracy: 1e-9)
        XCTAssertLessThan(try XCTUnwrap(value("2", "p = 0", 0.125)), try XCTUnwrap(value("2", "p = ∞", 0.125)))
        XCTAssertTrue(figure.altText().contains("log"), "the spectrum is on a log axis")
    }

    func testNTKFigureRefusesRunsAndOtherKindsRefuseItsKeys() {
        let (_, withRun) = Self.parse(Self.experiment + "\n\n```figure k\nkind: ntk\nrun: f\nmappings: [{kind: basic}]\n```\n")
        XCTAssertTrue(withRun.contains { $0.keyPath == "k.run" }, "\(withRun)")
        let (_, noMappings) = Self.parse("```figure k\nkind: ntk\n```\n")
        XCTAssertTrue(noMappings.contains { $0.keyPath == "k.mappings" }, "\(noMappings)")
        let (_, stray) = Self.parse(Self.experiment + "\n\n```figure k\nkind: loss\nrun: f\nmappings: [{kind: basic}]\npanels: sets\n```\n")
        XCTAssertTrue(stray.contains { $0.keyPath == "k.mappings" }, "\(stray)")
        XCTAssertTrue(stray.contains { $0.keyPath == "k.panels" }, "\(stray)")
    }

    func testInterleavedRunsAndCurvesBySet() throws {
        let (report, problems) = Self.parse(Self.experiment + "\n\n```figure c\nkind: curves\npanels: sets\nrun: f\n```\n")
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.experiments.map(\.name), ["f--p-1", "f--none"])
        XCTAssertEqual(r.experiments[0].features.kind, .powerFalloff)
        XCTAssertEqual(r.experiments[0].task.stride, 4)
        var runs: [String: RunResult] = [:]
        for spec in r.experiments {
            let run = Runner.run(spec)
            XCTAssertEqual(run.status, .ok, run.message ?? "")
            XCTAssertEqual(run.inputs.count, 16, "trained on every 4th of 64 points")
            XCTAssertNotNil(run.testRSE)
            XCTAssertEqual(run.curvePoints.last?.step, 30)
            XCTAssertTrue(run.curvePoints.allSatisfy { $0.testLoss != nil })
            runs[spec.name] = run
        }
        let labels = Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0.label) })
        let figure = try FigureRecipes.figure(for: r.figures[0], runs: runs, labels: labels)
        XCTAssertEqual(figure.panelCount, 2, "training and test; no validation set")
        let csv = figure.csv()
        for series in ["p-1", "none"] { XCTAssertTrue(csv.contains("1,line,\(series),") && csv.contains("2,line,\(series),"), series) }
    }

    func testTaskAndFeatureOptionsAreChecked() {
        func problems(_ task: String, _ features: String = "{kind: none}") -> [SpecProblem] {
            Self.parse("```experiment e\nmethod: sgdl\ntask: \(task)\nfeatures: \(features)\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 2}\n```\n").1
        }
        XCTAssertEqual(problems("{kind: band_limited_power_law, exponent: 1, points: 32, split: interleaved, stride: 4}"), [])
        XCTAssertTrue(problems("{kind: sum_of_sines, frequencies: [1], points: 32, stride: 4}").contains { $0.keyPath.hasSuffix("task.stride") })
        XCTAssertTrue(problems("{kind: sum_of_sines, frequencies: [1], points: 8, split: interleaved, stride: 8}").contains { $0.keyPath.hasSuffix("task.stride") })
        XCTAssertTrue(problems("{kind: band_limited_power_law, exponent: 1, points: 32, max_frequency: 4}").contains { $0.keyPath.hasSuffix("task.max_frequency") })
        XCTAssertTrue(problems("{kind: sum_of_sines, frequencies: [1], points: 32, exponent: 2}").contains { $0.keyPath.hasSuffix("task.exponent") })
        let task = "{kind: sum_of_sines, frequencies: [1], points: 32}"
        XCTAssertTrue(problems(task, "{kind: power_falloff, count: 4}").contains { $0.keyPath.hasSuffix("features.exponent") })
        XCTAssertTrue(problems(task, "{kind: power_falloff, exponent: -1, count: 4}").contains { $0.keyPath.hasSuffix("features.exponent") })
        XCTAssertTrue(problems(task, "{kind: gaussian, scale: 2, count: 4, exponent: 1}").contains { $0.keyPath.hasSuffix("features.exponent") })
    }

    static let scaleSweep = """
        ```experiment s
        method: sgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], points: 16, split: interleaved, stride: 2}
        features: {kind: gaussian, scale: 1, count: 4}
        model: {hidden: [4]}
        train: {lr: 1.0e-2, epochs: 3}
        repeat: 2
        sweep:
          grid:
            features.scale: [1, 4]
            model.hidden: [[4], [4, 4]]
        ```
        """

    func testParameterSweepAveragesRepeatsPerLineAndPoint() throws {
        let (report, problems) = Self.parse(Self.scaleSweep + "\n\n```figure p\nkind: parameter_sweep\nrun: s\nparameter: features.scale\nseries: model.hidden\nmetric: test_rse\n```\n")
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.experiments.count, 8)
        XCTAssertEqual(r.experiments[0].sweepValues, ["features.scale": "1", "model.hidden": "[4]"])
        var runs: [String: RunResult] = [:]
        for spec in r.experiments { runs[spec.name] = Runner.run(spec) }
        let values = Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0.sweepValues!) })
        let figure = try FigureRecipes.figure(for: r.figures[0], runs: runs, sweepValues: values)
        let lines = figure.csv().split(separator: "\n").filter { $0.hasPrefix("1,line,") }
        XCTAssertEqual(lines.count, 4, "two lines of two points: \(lines)")
        // The point of hidden [4] at σ = 4 is the mean of its two repeats.
        let pair = r.experiments.filter { $0.sweepValues == ["features.scale": "4", "model.hidden": "[4]"] }.map { runs[$0.name]!.testRSE! }
        XCTAssertEqual(pair.count, 2)
        let point = try XCTUnwrap(lines.first { $0.contains("hidden = [4] (n = 2),4.0,") }, "\(lines)")
        XCTAssertEqual(Double(point.split(separator: ",")[4])!, (pair[0] + pair[1]) / 2, accuracy: 1e-12 * pair[0])
        XCTAssertTrue(figure.csv().contains(",band_lower,"), "±1 sd band over the repeats")
        // Keys that are not swept, or not numbers, are refused at validation.
        let (_, notSwept) = Self.parse(Self.scaleSweep + "\n\n```figure p\nkind: parameter_sweep\nrun: s\nparameter: train.lr\nmetric: test_rse\n```\n")
        XCTAssertTrue(notSwept.contains { $0.keyPath == "p.run" && $0.message.contains("not swept over 'train.lr'") }, "\(notSwept)")
        let (_, notNumber) = Self.parse(Self.scaleSweep + "\n\n```figure p\nkind: parameter_sweep\nrun: s\nparameter: model.hidden\nmetric: test_rse\n```\n")
        XCTAssertTrue(notNumber.contains { $0.message.contains("not a number") }, "\(notNumber)")
        let (_, stray) = Self.parse(Self.scaleSweep + "\n\n```figure p\nkind: loss\nrun: s\nparameter: features.scale\n```\n")
        XCTAssertTrue(stray.contains { $0.keyPath == "p.parameter" }, "\(stray)")
    }

    /// `group: label` tables and claims over lists of runs with a margin: one mapping on several
    /// experiments (images) as one row, and its mean compared with a gap.
    func testGroupedTableAndClaimsOverListsWithAMargin() throws {
        func block(_ name: String, _ seed: Int) -> String {
            """
            ```experiment \(name)
            method: sgdl
            seed: \(seed)
            task: {kind: sum_of_sines, frequencies: [1, 3], points: 16, split: interleaved, stride: 2}
            model: {hidden: [4]}
            train: {lr: 1.0e-2, epochs: 3}
            sweep:
              zip:
                name: [none, basic]
                features: [{kind: none}, {kind: basic}]
            ```
            """
        }
        let table = "```table t\nkind: rse\nrun: [a, b]\ngroup: label\npaper:\n  source: s\n  values:\n    basic: {test: 0.5}\n```\n"
        let claim = "```claim c\nkind: compare\nstatement: s\nrun: [a--basic, b--basic]\nthan: [a--none, b--none]\nmetric: test_rse\nmargin: 0\n```\n"
        let (report, problems) = Self.parse(block("a", 0) + "\n\n" + block("b", 1) + "\n\n" + table + "\n" + claim)
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        var runs: [String: RunResult] = [:]
        for spec in r.experiments { runs[spec.name] = Runner.run(spec) }
        let labels = Dictionary(uniqueKeysWithValues: r.experiments.map { ($0.name, $0.label) })
        let t = TableRecipes.table(for: r.tables[0], runs: runs, labels: labels)
        XCTAssertEqual(t.rows.map(\.run), ["none", "basic"])
        let test = try XCTUnwrap(t.columns.firstIndex(of: "test RSE"))
        let cell = t.rows[1].cells[test]
        XCTAssertEqual(cell.count, 2)
        XCTAssertEqual(cell.ours!, (runs["a--basic"]!.testRSE! + runs["b--basic"]!.testRSE!) / 2, accuracy: 1e-12)
        XCTAssertEqual(cell.paper, 0.5)
        let claimSpec = r.claims[0]
        XCTAssertEqual(claimSpec.runNames, ["a--basic", "b--basic", "a--none", "b--none"])
        let mean = { (names: [String]) in names.map { runs[$0]!.testRSE! }.reduce(0, +) / Double(names.count) }
        let gap = mean(["a--none", "b--none"]) - mean(["a--basic", "b--basic"])
        let result = ClaimCheck.check(claimSpec, specs: r.experiments, runs: runs, profile: "")
        XCTAssertEqual(result.verdict, gap >= 0 ? .reproduced : .notReproduced, result.evidence)
        XCTAssertTrue(result.evidence.contains("mean of 2 runs"), result.evidence)
        var strict = claimSpec
        strict.margin = abs(gap) + 1
        XCTAssertEqual(ClaimCheck.check(strict, specs: r.experiments, runs: runs, profile: "").verdict, .notReproduced)
        // A published value keyed by a run, not a label, is refused; a margin with a factor too.
        let (_, wrong) = Self.parse(block("a", 0) + "\n\n" + table.replacingOccurrences(of: "    basic:", with: "    a--basic:"))
        XCTAssertTrue(wrong.contains { $0.message.contains("row 'a--basic'") }, "\(wrong)")
        let (_, both) = Self.parse(block("a", 0) + "\n\n" + claim.replacingOccurrences(of: "[a--basic, b--basic]", with: "a--basic")
            .replacingOccurrences(of: "[a--none, b--none]", with: "a--none").replacingOccurrences(of: "margin: 0", with: "margin: 0\nfactor: 2"))
        XCTAssertTrue(both.contains { $0.keyPath == "c.margin" }, "\(both)")
    }

    /// A small `ntk_optimisation` protocol (n = 16, 8 amplitudes): fast in a debug build.
    static let optimisation = """
        ```figure opt
        kind: ntk_optimisation
        exponents: [1, 2]
        points: 16
        width: 64
        train_signals: 32
        test_signals: 4
        steps: 40
        caption: "c"
        ```
        """

    func testNTKOptimisationFigureAndItsClaims() throws {
        let claims = """
            ```claim holds
            kind: optimised_mapping
            statement: "s"
            figure: opt
            exponent: 1
            factor: 1.0e-6
            ```

            ```claim fails
            kind: optimised_mapping
            statement: "s"
            figure: opt
            exponent: 2
            factor: 1.0e6
            ```
            """
        let (report, problems) = Self.parse(Self.optimisation + "\n\n" + claims)
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        let spec = try XCTUnwrap(r.figures.first?.optimisation)
        XCTAssertEqual(spec, AmplitudeOptimisationSpec(exponents: [1, 2], trainPoints: 16, hiddenLayers: 3, width: 64, time: 5, trainSignals: 32,
                                                       testSignals: 4, steps: 40, learningRate: 0.01, seed: 0))
        XCTAssertEqual(r.figures[0].runs, [])
        XCTAssertEqual(r.claims.map(\.runNames), [[], []])
        let figure = try FigureRecipes.figure(for: r.figures[0], runs: [:])
        XCTAssertEqual(figure.panelCount, 3)
        let csv = figure.csv()
        for series in ["optimised for α = 1", "optimised for α = 2", "p = ∞ (basic mapping)", "α = 2"] {
            XCTAssertTrue(csv.contains(",\(series),"), series)
        }
        let result = spec.compute()
        XCTAssertEqual(result.families.map(\.exponent), [1, 2])
        XCTAssertEqual(result.falloffs.count, 18)
        XCTAssertTrue(result.families.allSatisfy { $0.falloffErrors.count == 18 && $0.optimisedErrors.count == 4 && $0.amplitudes.count == 8 })
        let verdicts = r.claims.map { ClaimCheck.check($0, specs: [], runs: [:], profile: "", figures: r.figures) }
        XCTAssertEqual(verdicts.map(\.verdict), [.reproduced, .notReproduced], "\(verdicts)")
        XCTAssertTrue(verdicts[0].evidence.contains("α = 1, NTK-model test MSE (mean of 4 held-out signals)"), verdicts[0].evidence)
    }

    func testNTKOptimisationDeclarationsAreChecked() {
        func problems(_ figure: String, _ claim: String = "") -> [SpecProblem] {
            Self.parse("```figure opt\nkind: ntk_optimisation\n\(figure)\n```\n" + (claim.isEmpty ? "" : "\n```claim c\nkind: optimised_mapping\nstatement: s\n\(claim)\n```\n")).1
        }
        XCTAssertEqual(problems("exponents: [1]"), [])
        XCTAssertTrue(problems("points: 16").contains { $0.keyPath == "opt.exponents" })
        XCTAssertTrue(problems("exponents: [1]\npoints: 15").contains { $0.keyPath == "opt.points" })
        XCTAssertTrue(problems("exponents: [-1]").contains { $0.keyPath == "opt.exponents[0]" })
        XCTAssertTrue(problems("exponents: [1, 1]").contains { $0.keyPath == "opt.exponents" })
        XCTAssertTrue(problems("exponents: [1]\nsteps: 0").contains { $0.keyPath == "opt.steps" })
        XCTAssertTrue(problems("exponents: [1]\nmappings: [{kind: basic}]").contains { $0.keyPath == "opt.mappings" })
        XCTAssertTrue(problems("exponents: [1]\nrun: x").contains { $0.keyPath == "opt.run" })
        let wrongFigure = problems("exponents: [1]", "figure: op\nexponent: 1")
        XCTAssertTrue(wrongFigure.contains { $0.keyPath == "c.figure" && $0.message.contains("did you mean 'opt'") && $0.line == 14 }, "\(wrongFigure)")
        XCTAssertTrue(problems("exponents: [1]", "figure: opt\nexponent: 2").contains { $0.keyPath == "c.exponent" })
        XCTAssertTrue(problems("exponents: [1]", "figure: opt\nexponent: 1\nrun: x").contains { $0.keyPath == "c.run" })
        XCTAssertTrue(problems("exponents: [1]", "figure: opt").contains { $0.keyPath == "c.exponent" })
        XCTAssertTrue(problems("exponents: [1]", "figure: opt\nexponent: 1\nthreshold: 2").contains { $0.keyPath == "c.threshold" })
        // Its keys are refused on other figures.
        let (_, stray) = Self.parse(Self.experiment + "\n\n```figure k\nkind: loss\nrun: f\nexponents: [1]\nwidth: 8\n```\n")
        XCTAssertTrue(stray.contains { $0.keyPath == "k.exponents" } && stray.contains { $0.keyPath == "k.width" }, "\(stray)")
    }

    /// On the page: the figure says it is computed from its declaration (no "Shows run."), and the
    /// claims carry their verdicts.
    func testNTKOptimisationPage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkopt-page-\(UUID().uuidString)")
        // A build sets the process-wide thread count of run keys: restored for the tests after this one.
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: dir); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try ("---\nversion: 1\ntitle: t\n---\n\n" + Self.optimisation
             + "\n\n```claim c\nkind: optimised_mapping\nstatement: s\nfigure: opt\nexponent: 1\nfactor: 1.0e-6\n```\n")
            .write(to: reports.appendingPathComponent("t.md"), atomically: true, encoding: .utf8)
        var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates,
                                  outputDirectory: dir.appendingPathComponent("site"), profile: "", storeDirectory: dir.appendingPathComponent("store"))
        let summary = try builder.build()
        XCTAssertTrue(summary.succeeded, "\(summary.failedFigures)")
        let page = try String(contentsOf: dir.appendingPathComponent("site/t/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("Computed from its declaration: it shows no run."))
        XCTAssertFalse(page.contains("Shows run."))
        XCTAssertTrue(page.contains("claim-reproduced"), "the claim's verdict is on the page")
    }

    /// Networks trained on the small protocol's held-out signals (tiny, a few steps), one block
    /// per exponent, beside the model (Fig. 5b).
    static func trainedBlock(_ name: String, alpha: String, seed: Int, task: String = "", features: String = "") -> String {
        """
        ```experiment \(name)
        method: sgdl
        repeat: 2
        task: {kind: power_law_ensemble, exponent: \(alpha), points: 32, signals: 4, noise_seed: \(seed), split: interleaved, stride: 2\(task)}
        model: {hidden: [8, 8], init: lecun_normal}
        train: {optimizer: sgd, lr: 1.0e-2, epochs: 5, batch: full}
        sweep:
          zip:
            name: [p-0, p-1, p-inf, optimised]
            features:
              - {kind: power_falloff, exponent: 0, count: 8}
              - {kind: power_falloff, exponent: 1, count: 8}
              - {kind: power_falloff, exponent: inf, count: 8}
              - \(features.isEmpty ? "{kind: ntk_optimised, figure: opt, exponent: \(alpha)}" : features)
        ```
        """
    }

    static let trainedFigure = optimisation.replacingOccurrences(of: "caption: \"c\"", with: "trained: [t1, t2]\ncaption: \"c\"")

    func testTrainedMappingsAreDeclaredResolvedAndKeyed() throws {
        let text = Self.trainedFigure + "\n\n" + Self.trainedBlock("t1", alpha: "1", seed: 0) + "\n\n" + Self.trainedBlock("t2", alpha: "2", seed: 3)
        let (report, problems) = Self.parse(text)
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        XCTAssertEqual(r.figures[0].trained, ["t1", "t2"])
        XCTAssertEqual(r.figures[0].runs.count, 16, "every run of both blocks")
        let optimised = try XCTUnwrap(r.experiments.first { $0.name == "t1--optimised--repeat-2" })
        XCTAssertEqual(optimised.features.optimisation, r.figures[0].optimisation, "the figure's protocol joins the declaration")
        XCTAssertEqual(optimised.features.count, 8)
        XCTAssertEqual(optimised.task.signal, 1, "copy 2 fits the ensemble's second signal")
        XCTAssertEqual(optimised.task.noiseSeed, 0, "one ensemble: its seed is not advanced")
        let amplitudes = try XCTUnwrap(r.figures[0].optimisation?.compute().families.first?.amplitudes)
        XCTAssertEqual(optimised.features.mapping, .amplitudes(amplitudes))
        let infinite = try XCTUnwrap(r.experiments.first { $0.name == "t1--p-inf--repeat-1" })
        XCTAssertEqual(infinite.features.mapping, .powerFalloff(exponent: .infinity, count: 8))
        XCTAssertEqual(infinite.features.mapping.weights(inputWidth: 1), [1] + [Double](repeating: 0, count: 7))
        // Keys: the figure's name is bookkeeping, its protocol and the exponent are not.
        var renamed = optimised
        renamed.features.figure = "other"
        XCTAssertEqual(RunStore.key(for: renamed), RunStore.key(for: optimised))
        var otherProtocol = optimised
        otherProtocol.features.optimisation?.steps = 41
        XCTAssertNotEqual(RunStore.key(for: otherProtocol), RunStore.key(for: optimised))
        let keys = Set(r.experiments.map { RunStore.key(for: $0) })
        XCTAssertEqual(keys.count, r.experiments.count, "every run its own key (p = ∞ and the optimised mapping included)")
        XCTAssertEqual(DeclarationKeys.walk(optimised).unknownFields, [])
        // The target is the ensemble's signal on the grid.
        let target = try Runner.targetFunction(optimised)
        let signals = PowerLawEnsemble.signals(points: 32, exponent: 1, count: 4, seed: 0)
        XCTAssertEqual((0..<32).map { target(Double($0) / 32) }, signals[1])
    }

    func testTrainedMappingsDeclarationsAreChecked() {
        func problems(_ blocks: String) -> [SpecProblem] { Self.parse(Self.trainedFigure + "\n\n" + blocks).1 }
        let good2 = Self.trainedBlock("t2", alpha: "2", seed: 3)
        // The held-out signals must be the figure's: its noise seed for α = 2 is 3.
        let seed = problems(Self.trainedBlock("t1", alpha: "1", seed: 0) + "\n\n" + Self.trainedBlock("t2", alpha: "2", seed: 1))
        XCTAssertTrue(seed.contains { $0.keyPath == "opt.trained" && $0.message.contains("noise_seed: 3") }, "\(seed)")
        let unknown = problems(Self.trainedBlock("t1", alpha: "1", seed: 0, features: "{kind: ntk_optimised, figure: op, exponent: 1}") + "\n\n" + good2)
        XCTAssertTrue(unknown.contains { $0.keyPath == "t1.features.figure" && $0.message.contains("did you mean 'opt'") && $0.line > 10 }, "\(unknown)")
        let exponent = problems(Self.trainedBlock("t1", alpha: "1", seed: 0, features: "{kind: ntk_optimised, figure: opt, exponent: 1.5}") + "\n\n" + good2)
        XCTAssertTrue(exponent.contains { $0.keyPath == "t1.features.exponent" }, "\(exponent)")
        let missing = problems(Self.trainedBlock("t1", alpha: "1", seed: 0))
        XCTAssertTrue(missing.contains { $0.keyPath == "opt.trained" && $0.message.contains("'t2'") }, "\(missing)")
        let count = Self.parse(Self.optimisation.replacingOccurrences(of: "caption: \"c\"", with: "trained: [t1]\ncaption: \"c\"")).1
        XCTAssertTrue(count.contains { $0.keyPath == "opt.trained" && $0.message.contains("one experiment per exponent") }, "\(count)")
        let keys = problems(Self.trainedBlock("t1", alpha: "1", seed: 0, features: "{kind: ntk_optimised, figure: opt, exponent: 1, count: 8}") + "\n\n" + good2)
        XCTAssertTrue(keys.contains { $0.keyPath.hasSuffix("features[3].count") || $0.keyPath.hasSuffix(".count") }, "\(keys)")
        let signal = problems(Self.trainedBlock("t1", alpha: "1", seed: 0, task: ", signal: 3") + "\n\n" + good2)
        XCTAssertTrue(signal.contains { $0.keyPath == "t1.repeat" && $0.message.contains("task.signals") }, "\(signal)")
        let negative = problems(Self.trainedBlock("t1", alpha: "1", seed: 0, features: "{kind: power_falloff, exponent: -1, count: 8}") + "\n\n" + good2)
        XCTAssertTrue(negative.contains { $0.keyPath.hasSuffix("exponent") && $0.message.contains("or inf") }, "\(negative)")
        let stray = Self.parse(Self.experiment + "\n\n```figure k\nkind: loss\nrun: f\ntrained: [f]\n```\n").1
        XCTAssertTrue(stray.contains { $0.keyPath == "k.trained" }, "\(stray)")
        let claim = Self.parse(Self.optimisation + "\n\n```claim c\nkind: optimised_mapping\nstatement: s\nfigure: opt\nexponent: 1\nnetworks: trained\n```\n").1
        XCTAssertTrue(claim.contains { $0.keyPath == "c.networks" }, "\(claim)")
    }

    /// Built: the figure draws the trained networks beside the model (2 × 2 panels), and the
    /// claims with `networks: trained` read the runs.
    func testTrainedMappingsFigureAndClaims() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkopt-trained-\(UUID().uuidString)")
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: dir); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        let claims = """
            ```claim holds
            kind: optimised_mapping
            statement: s
            figure: opt
            exponent: 1
            networks: trained
            factor: 1.0e-6
            ```

            ```claim fails
            kind: optimised_mapping
            statement: s
            figure: opt
            exponent: 2
            networks: trained
            factor: 1.0e6
            ```
            """
        try ("---\nversion: 1\ntitle: t\n---\n\n" + Self.trainedFigure + "\n\n" + Self.trainedBlock("t1", alpha: "1", seed: 0) + "\n\n"
             + Self.trainedBlock("t2", alpha: "2", seed: 3) + "\n\n" + claims)
            .write(to: reports.appendingPathComponent("t.md"), atomically: true, encoding: .utf8)
        var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates,
                                  outputDirectory: dir.appendingPathComponent("site"), profile: "", storeDirectory: dir.appendingPathComponent("store"))
        let summary = try builder.build()
        XCTAssertTrue(summary.succeeded, "\(summary.failedFigures)")
        let csv = try String(contentsOf: dir.appendingPathComponent("site/t/figures/opt.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains("\n2,line,α = 1 (n = 2),") && csv.contains("\n2,line,α = 2 (n = 2),"),
                      "panel (b): one line per exponent, over its 2 signals")
        XCTAssertTrue(csv.contains("\n4,line,"), "four panels: the amplitudes are (d)")
        let page = try String(contentsOf: dir.appendingPathComponent("site/t/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("claim-reproduced") && page.contains("claim-not-reproduced"), "both verdicts")
        XCTAssertTrue(page.contains("trained networks&#39; test MSE (mean of 2 held-out signals)") || page.contains("trained networks' test MSE (mean of 2 held-out signals)"))
    }
}
