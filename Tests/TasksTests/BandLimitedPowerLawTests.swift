import Foundation
import Numerics
@testable import Tasks
import XCTest

/// Tancik et al.'s band-limited 1/f^α signal and the interleaved split of their Fig. 3.
final class BandLimitedPowerLawTests: XCTestCase {
    /// Against the definition written out directly: Re(Σ_k c_k e^{2πikn/N}) with
    /// c_k = (1 + k)^(−α)(a_k + i b_k) for k < N/4 (the same draws: a_k then b_k), min–max normalised.
    func testMatchesTheInverseDFTDefinition() {
        let n = 64, alpha = 1.0, seed: UInt64 = 5
        let signal = BandLimitedPowerLaw(points: n, exponent: alpha, seed: seed)
        var rng = SeededGenerator(seed: seed)
        var coefficients: [(Double, Double)] = []
        for _ in 0..<(n / 4) { let a = rng.normal(); let b = rng.normal(); coefficients.append((a, b)) }
        let raw = (0..<n).map { i -> Double in
            coefficients.enumerated().reduce(0) { sum, item in
                let (k, (a, b)) = item, theta = 2 * Double.pi * Double(k * i) / Double(n)
                return sum + pow(Double(1 + k), -alpha) * (a * cos(theta) - b * sin(theta))
            }
        }
        let lo = raw.min()!, hi = raw.max()!
        for i in 0..<n {
            XCTAssertEqual(signal(Double(i) / Double(n)), (raw[i] - lo) / (hi - lo) - 0.5, accuracy: 1e-12)
        }
        let grid = Grid.equispaced(count: n).map { signal($0) }
        XCTAssertEqual(grid.min()!, -0.5, accuracy: 1e-12)
        XCTAssertEqual(grid.max()!, 0.5, accuracy: 1e-12)
        // Band-limited: nothing at or above N/4 on the grid.
        let spectrum = Spectra.amplitudeSpectrum(grid)
        XCTAssertLessThan(spectrum[(n / 4)...].max()!, 1e-12)
        XCTAssertGreaterThan(spectrum[1], 1e-3)
        XCTAssertNotEqual(BandLimitedPowerLaw(points: n, exponent: alpha, seed: 6), signal)
    }

    func testInterleavedSplit() {
        let grid = Grid.equispaced(count: 256)
        let split = Split.interleaved(grid: grid, stride: 8, target: { 2 * $0 })
        XCTAssertEqual(split.train.count, 32)
        XCTAssertEqual(split.test.count, 224)
        XCTAssertTrue(split.validation.isEmpty)
        XCTAssertEqual(split.train.inputs, stride(from: 0, to: 256, by: 8).map { grid[$0] })
        XCTAssertEqual(split.test.inputs.first, grid[1])
        XCTAssertTrue(Set(split.train.inputs).isDisjoint(with: split.test.inputs))
        XCTAssertEqual(split.test.targets[3], 2 * split.test.inputs[3])
    }
}
