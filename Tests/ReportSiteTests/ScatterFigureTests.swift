import Experiments
import Foundation
import Learning
import Numerics
@testable import ReportSite
import XCTest

/// The `scatter` figure kind and the random-frequency distributions of Tancik et al.'s Fig. 4
/// (`features.kind` uniform, uniform_log, laplacian).
final class ScatterFigureTests: XCTestCase {
    static func parse(_ blocks: String) -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: "---\nversion: 1\ntitle: t\n---\n\n" + blocks, id: "t", file: "t.md", profile: "")
    }

    /// Each distribution is standardised: mean 0 and standard deviation 1 (20,000 draws: the
    /// sample mean within 0.03 and the sample std within 3 %), with its own shape.
    func testFrequencyDistributionsAreStandardisedAndDiffer() {
        for distribution in FrequencyDistribution.allCases {
            var rng = SeededGenerator(seed: 7)
            let draws = (0..<20_000).map { _ in distribution.draw(&rng) }
            let mean = draws.reduce(0, +) / Double(draws.count)
            let sd = (draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count - 1)).squareRoot()
            XCTAssertEqual(mean, 0, accuracy: 0.03, "\(distribution)")
            XCTAssertEqual(sd, 1, accuracy: 0.03, "\(distribution)")
            let meanAbs = draws.reduce(0) { $0 + abs($1) } / Double(draws.count)
            switch distribution {
            case .gaussian: XCTAssertEqual(meanAbs, (2 / Double.pi).squareRoot(), accuracy: 0.02)
            case .uniform:
                XCTAssertEqual(meanAbs, 3.0.squareRoot() / 2, accuracy: 0.02)
                XCTAssertLessThan(draws.map(abs).max()!, 3.0.squareRoot())
            case .laplacian: XCTAssertEqual(meanAbs, 1 / 2.0.squareRoot(), accuracy: 0.02)
            case .uniformLog:
                // Magnitudes spread evenly in log2 over six octaves below c.
                let c = (12 * log(2.0) / (1 - pow(2.0, -12))).squareRoot()
                let octaves = draws.map { log2(c / abs($0)) }
                XCTAssertGreaterThanOrEqual(octaves.min()!, 0)
                XCTAssertLessThan(octaves.max()!, 6)
                XCTAssertEqual(octaves.filter { $0 < 3 }.count, 10_000, accuracy: 400)
            }
        }
        // The mapping scales the draws by σ, and frequency_std is √(mean b²) of them.
        let mapping = FeatureMapping.sampled(.laplacian, scale: 5, count: 16, seed: 3)
        var rng = SeededGenerator(seed: 3)
        let expected = (0..<16).map { _ in 5 * FrequencyDistribution.laplacian.draw(&rng) }
        XCTAssertEqual(mapping.frequencies(inputWidth: 1)!.values, expected)
        XCTAssertEqual(mapping.frequencyRMS()!, (expected.reduce(0) { $0 + $1 * $1 } / 16).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(mapping.outputWidth(inputWidth: 1), 32)
        XCTAssertNotEqual(FeatureMapping.sampled(.uniform, scale: 5, count: 16, seed: 3).frequencies(inputWidth: 1)!.values, expected)
    }

    static let sweep = """
        ```experiment s
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, points: 32, split: interleaved, stride: 2}
        features: {kind: gaussian, scale: 1, count: 4}
        model: {hidden: [8]}
        train: {lr: 1.0e-2, epochs: 3}
        sweep:
          grid:
            features.kind: [gaussian, laplacian]
            features.scale: [1, 4]
        ```

        ```experiment d
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, points: 32, split: interleaved, stride: 2}
        features: {kind: power_falloff, exponent: 1, count: 8}
        model: {hidden: [8]}
        train: {lr: 1.0e-2, epochs: 3}
        ```
        """

    func testScatterDrawsOnePointPerRunAtItsMeasuredFrequencySpread() throws {
        let (report, problems) = Self.parse(Self.sweep + "\n\n```figure f\nkind: scatter\nrun: s\nx: frequency_std\nmetric: test_rse\nseries: features.kind\nreference: d\ny_log: true\n```\n")
        XCTAssertEqual(problems, [])
        let r = try XCTUnwrap(report)
        let spec = r.figures[0]
        XCTAssertEqual(spec.runs.count, 5, "four swept runs and the reference")
        XCTAssertEqual(spec.references, ["d"])
        var runs: [String: RunResult] = [:]
        for e in r.experiments { runs[e.name] = Runner.run(e) }
        let figure = try FigureRecipes.figure(for: spec, runs: runs, sweepValues: FigureRecipes.measuredValues(r.experiments))
        let rows = figure.csv().split(separator: "\n").map(String.init)
        let points = rows.filter { $0.hasPrefix("1,points,") }
        XCTAssertEqual(points.count, 4, "\(rows)")
        XCTAssertEqual(Set(points.map { $0.split(separator: ",")[2] }), ["kind = gaussian", "kind = laplacian"])
        for e in r.experiments where e.group == "s" {
            let x = try XCTUnwrap(e.features.mapping.frequencyRMS())
            let y = try XCTUnwrap(runs[e.name]!.testRSE)
            let kind = e.features.kind.rawValue
            XCTAssertTrue(points.contains { row in
                let f = row.split(separator: ",")
                return f[2] == "kind = \(kind)" && abs(Double(f[3])! - x) <= 1e-9 * x && abs(Double(f[4])! - y) <= 1e-9 * y
            }, "\(e.name) at (\(x), \(y)) in \(points)")
        }
        // The reference is a horizontal line at the dense run's test RSE.
        let reference = rows.filter { $0.hasPrefix("1,line,") }
        XCTAssertEqual(reference.count, 2)
        for row in reference { XCTAssertEqual(Double(row.split(separator: ",")[4])!, runs["d"]!.testRSE!, accuracy: 1e-12) }
        // A swept value on the x axis works as well.
        let (byScale, p2) = Self.parse(Self.sweep + "\n\n```figure f\nkind: scatter\nrun: s\nx: features.scale\nmetric: test_rse\n```\n")
        XCTAssertEqual(p2, [])
        let scaled = try FigureRecipes.figure(for: byScale!.figures[0], runs: runs, sweepValues: FigureRecipes.measuredValues(byScale!.experiments))
        XCTAssertEqual(Set(scaled.csv().split(separator: "\n").filter { $0.hasPrefix("1,points,") }.map { $0.split(separator: ",")[3] }), ["1.0", "4.0"])
    }

    /// Axis labels of the metric figures (scatter, parameter_sweep) write the metric as a reader
    /// would: "test RSE", "train PSNR (dB)".
    func testMetricAxisLabels() {
        XCTAssertEqual(ClaimMetric.testRSE.axisLabel, "test RSE")
        XCTAssertEqual(ClaimMetric.trainPSNR.axisLabel, "train PSNR (dB)")
        XCTAssertEqual(ClaimMetric.finalValidationLoss.axisLabel, "final validation loss")
    }

    func testImpossibleOrEmptyScattersAreValidationErrors() {
        func problems(_ figure: String) -> [SpecProblem] { Self.parse(Self.sweep + "\n\n```figure f\nkind: scatter\n" + figure + "\n```\n").1 }
        XCTAssertTrue(problems("run: s\nx: train.lr\nmetric: test_rse").contains { $0.keyPath == "f.run" && $0.message.contains("not swept over 'train.lr'") })
        XCTAssertTrue(problems("run: s\nx: frequency_std\nmetric: test_rse\nseries: model.hidden").contains { $0.message.contains("not swept over 'model.hidden'") })
        XCTAssertTrue(problems("run: d\nx: frequency_std\nmetric: test_rse\nreference: d").contains { $0.message.contains("no point to draw") })
        XCTAssertTrue(problems("run: s\nx: frequency_std\nmetric: test_rse\nreference: nothing").contains { $0.message.contains("'nothing'") })
        XCTAssertTrue(problems("run: s\nmetric: test_rse").contains { $0.keyPath == "f.x" })
        XCTAssertTrue(problems("run: s\nx: frequency_std\nparameter: features.scale\nmetric: test_rse").contains { $0.keyPath == "f.parameter" })
        let none = """
            ```experiment n
            method: sgdl
            task: {kind: band_limited_power_law, exponent: 1, points: 32, split: interleaved, stride: 2}
            model: {hidden: [8]}
            train: {lr: 1.0e-2, epochs: 3}
            ```

            ```figure f
            kind: scatter
            run: n
            x: frequency_std
            metric: test_rse
            ```
            """
        XCTAssertTrue(Self.parse(none).1.contains { $0.message.contains("no input mapping") }, "\(Self.parse(none).1)")
        let stray = Self.parse(Self.sweep + "\n\n```figure f\nkind: loss\nrun: s\nx: frequency_std\nreference: d\n```\n").1
        XCTAssertTrue(stray.contains { $0.keyPath == "f.x" } && stray.contains { $0.keyPath == "f.reference" }, "\(stray)")
    }
}
