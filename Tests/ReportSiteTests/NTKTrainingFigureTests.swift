import Experiments
import Foundation
@testable import ReportSite
import XCTest

/// `ntk_training` figures and `ntk_theory` claims (Tancik et al.'s Fig. 12): trained runs beside
/// the NTK theory of their training, computed from their declarations.
final class NTKTrainingFigureTests: XCTestCase {
    static let blocks = """
        ```experiment f
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, noise_seed: 2, points: 64, split: interleaved, stride: 4}
        model: {hidden: [64, 64], init: glorot_normal}
        train: {optimizer: sgd, lr: 1.0e-2, epochs: 40, batch: full, record_every: 10}
        sweep:
          zip:
            name: [p-1, none]
            features: [{kind: power_falloff, exponent: 1, count: 4}, {kind: none}]
        ```

        ```figure loss
        kind: ntk_training
        run: f
        ```

        ```figure bins
        kind: ntk_training
        run: f
        bins: [1, 3, 5]
        ```

        ```claim train
        kind: ntk_theory
        statement: s
        figure: loss
        quantity: train_loss
        factor: 1000
        ```

        ```claim tight
        kind: ntk_theory
        statement: s
        figure: loss
        quantity: test_loss
        factor: 1.000001
        ```

        ```claim order
        kind: ntk_theory
        statement: s
        figure: bins
        quantity: bin_order
        ```
        """

    static func parse(_ blocks: String) -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: "---\nversion: 1\ntitle: t\n---\n\n" + blocks, id: "t", file: "t.md", profile: "")
    }

    func testFiguresDrawTheTheoryBesideTheRunsAndClaimsReadThem() throws {
        let (parsed, problems) = Self.parse(Self.blocks)
        XCTAssertEqual(problems, [])
        let report = try XCTUnwrap(parsed)
        var runs: [String: RunResult] = [:]
        for spec in report.experiments { runs[spec.name] = Runner.run(spec) }
        let labels = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, $0.label) })
        let specs = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, $0) })
        let loss = try FigureRecipes.figure(for: report.figures[0], runs: runs, labels: labels, specs: specs)
        XCTAssertEqual(loss.panelCount, 2)
        XCTAssertTrue(loss.altText().contains("log"), "losses on a log axis")
        // The theory's dashed line in the CSV is NTKTrainingTheory's, at the recorded steps.
        let theory = try NTKTrainingTheory(specs["f--p-1"]!)
        let csv = loss.csv()
        let rows = csv.split(separator: "\n").filter { $0.hasPrefix("1,line,p-1 (NTK theory),") }
        XCTAssertEqual(rows.count, 5, "steps 0, 10, …, 40: " + String(csv.prefix(300)))
        let last = rows.last!.split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(Double(last[3]), 40)
        XCTAssertEqual(Double(last[4])!, theory.trainLoss(steps: 40), accuracy: 1e-9 * theory.trainLoss(steps: 40))
        // At step 0 the theory predicts f = 0: the loss is the targets' mean square.
        XCTAssertEqual(theory.trainLoss(steps: 0), theory.trainTargets.reduce(0) { $0 + $1 * $1 } / 16, accuracy: 1e-15)

        let bins = try FigureRecipes.figure(for: report.figures[1], runs: runs, labels: labels, specs: specs)
        XCTAssertEqual(bins.panelCount, 3)
        XCTAssertTrue(bins.csv().contains("p-1 (network, last step)"))

        let verdicts = report.claims.map { ClaimCheck.check($0, specs: report.experiments, runs: runs, profile: "", figures: report.figures) }
        XCTAssertEqual(verdicts[0].verdict, .reproduced, verdicts[0].evidence)
        XCTAssertTrue(verdicts[0].evidence.contains("p-1 ") && verdicts[0].evidence.contains("none "), verdicts[0].evidence)
        XCTAssertEqual(verdicts[1].verdict, .notReproduced, "a finite network is not its theory to 10⁻⁶: \(verdicts[1].evidence)")
        XCTAssertNotEqual(verdicts[2].verdict, .notRun, verdicts[2].evidence)
        XCTAssertTrue(verdicts[2].evidence.contains("k=5"), verdicts[2].evidence)
    }

    /// The bins are the DFT of the training residual: by Parseval, |R₀|² + 2Σ_{0<k<n/2}|R_k|² + |R_{n/2}|²
    /// = n·Σ r² = n²·MSE, at every step of the theory.
    func testBinsSumToTheTrainingLossByParseval() throws {
        let (parsed, _) = Self.parse(Self.blocks)
        for spec in try XCTUnwrap(parsed).experiments {
            let theory = try NTKTrainingTheory(spec)
            let n = theory.trainTargets.count
            for k in [0.0, 5, 40, 1000] {
                let r = theory.residualBins(steps: k, bins: Array(0...(n / 2)))
                let energy = r.enumerated().reduce(0) { $0 + ($1.offset == 0 || $1.offset == n / 2 ? 1 : 2) * $1.element * $1.element }
                XCTAssertEqual(energy, Double(n * n) * theory.trainLoss(steps: k), accuracy: 1e-9 * energy, "\(spec.name) k = \(k)")
            }
        }
    }

    func testDeclarationsAreChecked() {
        let experiment = Self.blocks.components(separatedBy: "```figure")[0]
        XCTAssertEqual(Self.parse(experiment + "```figure l\nkind: ntk_training\nrun: f\n```\n").1, [])
        // bins belong to ntk_training figures, 1 to 8 of them.
        XCTAssertTrue(Self.parse(experiment + "```figure l\nkind: loss\nrun: f\nbins: [1]\n```\n").1.contains { $0.keyPath == "l.bins" })
        XCTAssertTrue(Self.parse(experiment + "```figure l\nkind: ntk_training\nrun: f\nbins: []\n```\n").1.contains { $0.keyPath == "l.bins" })
        // A claim names an ntk_training figure; bin_order needs its bins.
        let claim = "```claim c\nkind: ntk_theory\nstatement: s\n"
        let wrong = Self.parse(experiment + "```figure l\nkind: ntk_training\nrun: f\n```\n\n" + claim + "figure: k\nquantity: train_loss\n```\n").1
        XCTAssertTrue(wrong.contains { $0.keyPath == "c.figure" && $0.message.contains("did you mean 'l'") }, "\(wrong)")
        XCTAssertTrue(Self.parse(experiment + "```figure l\nkind: ntk_training\nrun: f\n```\n\n" + claim + "figure: l\nquantity: bin_order\n```\n").1
            .contains { $0.keyPath == "c.quantity" })
        XCTAssertTrue(Self.parse(experiment + "```figure l\nkind: ntk_training\nrun: f\n```\n\n" + claim + "figure: l\nquantity: train_loss\nrun: f\n```\n").1
            .contains { $0.keyPath == "c.run" })
        // Runs the theory does not describe are refused by name.
        let adam = experiment.replacingOccurrences(of: "optimizer: sgd", with: "optimizer: adam")
        XCTAssertTrue(Self.parse(adam + "```figure l\nkind: ntk_training\nrun: f\n```\n").1.contains { $0.message.contains("full-batch gradient descent") })
    }

    /// On the page: both figures with their alt text, and the claims with their verdicts.
    func testPage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntktraining-page-\(UUID().uuidString)")
        // A build sets the process-wide thread count of run keys: restored for the tests after this one.
        let saved = (RunStore.computeThreads, RunStore.acceptAnyThreadCount)
        defer { try? FileManager.default.removeItem(at: dir); (RunStore.computeThreads, RunStore.acceptAnyThreadCount) = saved }
        let reports = dir.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try ("---\nversion: 1\ntitle: t\n---\n\n" + Self.blocks).write(to: reports.appendingPathComponent("t.md"), atomically: true, encoding: .utf8)
        var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates,
                                  outputDirectory: dir.appendingPathComponent("site"), profile: "", storeDirectory: dir.appendingPathComponent("store"))
        let summary = try builder.build()
        XCTAssertTrue(summary.succeeded, "\(summary.failedFigures)")
        let page = try String(contentsOf: dir.appendingPathComponent("site/t/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("figures/loss.png") && page.contains("figures/bins.png"))
        XCTAssertTrue(page.contains("training loss (solid: network, dashed: NTK theory)"), "the alt text names the panels")
        XCTAssertTrue(page.contains("claim-reproduced"), "the claims' verdicts are on the page")
    }
}
