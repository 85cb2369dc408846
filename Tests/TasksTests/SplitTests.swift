import Foundation
import Tasks
import XCTest

final class SplitTests: XCTestCase {
    func testMGDLSplit() {
        let f = SumOfSines(frequencies: [3], phases: [0])
        let split = Split.mgdl(target: { f($0) }, trainCount: 60, validationCount: 20, testCount: 30,
                               validationSeed: 5, testSeed: 6)
        XCTAssertEqual(split.train.count, 60)
        XCTAssertEqual(split.validation.count, 20)
        XCTAssertEqual(split.test.count, 30)
        XCTAssertEqual(split.inputDimension, 1)
        XCTAssertEqual(split.train.inputs, Grid.equispaced(count: 60))
        XCTAssertEqual(split.train.targets[7], f(7.0 / 60))
        XCTAssertEqual(split.test.targets[4], f(split.test.inputs[4]))
        for points in [split.validation.inputs, split.test.inputs] {
            XCTAssertTrue(points.allSatisfy { $0 >= 0 && $0 < 1 })
            XCTAssertEqual(points, points.sorted())
        }
        XCTAssertNotEqual(split.validation.inputs, Array(split.test.inputs.prefix(20)))
        // Same seeds, same bytes.
        XCTAssertEqual(split, Split.mgdl(target: { f($0) }, trainCount: 60, validationCount: 20, testCount: 30,
                                         validationSeed: 5, testSeed: 6))
        XCTAssertEqual(Split.mgdl(target: { $0 }).train.count, 6000)
        XCTAssertEqual(Split.uniformPoints(count: 3, seed: 1),
                       [0.5204366199388569, 0.5741057000197225, 0.7029218331588505])
    }

    /// Fang & Xu draw validation and test points with NumPy's RandomState(0) and RandomState(1);
    /// `generator: .numpy` gives the same points (sorted), and the phases come from the same
    /// stream (so validation point j equals φ_j / 2π for the first 40, as PROTOCOLS.md notes).
    func testNumPyGeneratorSplitAndPhases() {
        let f = SumOfSines(frequencies: [3], phases: [0])
        let split = Split.mgdl(target: { f($0) }, trainCount: 60, validationCount: 2000, testCount: 2000,
                               validationSeed: 0, testSeed: 1, generator: .numpy)
        XCTAssertTrue(split.validation.inputs.contains(0.5488135039273248))
        XCTAssertTrue(split.test.inputs.contains(0.00011437481734488664))
        XCTAssertEqual(split.test.inputs.first, split.test.inputs.min())
        let phases = SumOfSines.seededPhases(count: 20, seed: 0, generator: .numpy)
        XCTAssertEqual(phases[0], 3.448297, accuracy: 5e-7)
        XCTAssertEqual(phases[19], 5.466448, accuracy: 5e-7)
        for phase in phases { XCTAssertTrue(split.validation.inputs.contains { abs($0 - phase / (2 * .pi)) < 1e-15 }) }
        XCTAssertNotEqual(phases, SumOfSines.seededPhases(count: 20, seed: 0))
    }

    func testManifoldPoints() {
        let circle = Manifold(q: 0)
        XCTAssertEqual(circle.point(0.25).x, 0, accuracy: 1e-15)
        XCTAssertEqual(circle.point(0.25).y, 1, accuracy: 1e-15)
        let flower = Manifold(q: 4)
        // t = 1/16: sin(2π·4/16) = 1 → radius 1.5 at angle π/8.
        let p = flower.point(1.0 / 16)
        XCTAssertEqual(p.x, 1.5 * cos(Double.pi / 8), accuracy: 1e-14)
        XCTAssertEqual(p.y, 1.5 * sin(Double.pi / 8), accuracy: 1e-14)
        // t = 3/16: sin(3π/2) = -1 → radius 0.5 at angle 3π/8.
        let q = flower.point(3.0 / 16)
        XCTAssertEqual(hypot(q.x, q.y), 0.5, accuracy: 1e-14)
        XCTAssertEqual(flower.embed([1.0 / 16, 3.0 / 16]), [p.x, p.y, q.x, q.y])

        let split = Split.mgdl(on: flower, target: { sin(2 * .pi * 5 * $0) }, trainCount: 16,
                               validationCount: 0, testCount: 4)
        XCTAssertEqual(split.inputDimension, 2)
        XCTAssertEqual(Array(split.train.input(1)), [p.x, p.y])
        XCTAssertEqual(split.train.targets[1], sin(2 * .pi * 5 / 16))
        XCTAssertTrue(split.validation.isEmpty)
    }

    /// Power ∝ k^{-α}: a least-squares line through (log k, log |X_k|²) has slope ≈ -α.
    func testPowerLawNoiseSlope() {
        let n = 4096
        for alpha in [0.0, 1.0, 2.0] {
            let signal = PowerLawNoise.samples(count: n, exponent: alpha, seed: 11)
            XCTAssertEqual(signal.count, n)
            let rms = (signal.reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
            XCTAssertEqual(rms, 1, accuracy: 1e-9)
            let spectrum = Spectra.amplitudeSpectrum(signal)
            let ks = 1...(n / 2 - 1)
            let xs = ks.map { log(Double($0)) }
            let ys = ks.map { log(spectrum[$0] * spectrum[$0]) }
            let mx = xs.reduce(0, +) / Double(xs.count)
            let my = ys.reduce(0, +) / Double(ys.count)
            let slope = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
                / xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
            XCTAssertEqual(slope, -alpha, accuracy: 0.1, "alpha \(alpha)")
        }
        let exact = PowerLawNoise.samples(count: 512, exponent: 1, seed: 2, coefficients: .randomPhase)
        let s = Spectra.amplitudeSpectrum(exact)
        XCTAssertEqual(s[1] / s[4], 2, accuracy: 1e-9)   // amplitude ∝ k^{-1/2}
        XCTAssertEqual(PowerLawNoise.samples(count: 64, exponent: 1, seed: 9),
                       PowerLawNoise.samples(count: 64, exponent: 1, seed: 9))
        XCTAssertNotEqual(PowerLawNoise.samples(count: 64, exponent: 1, seed: 9),
                          PowerLawNoise.samples(count: 64, exponent: 1, seed: 10))
    }
}
