import Foundation
@testable import Tasks
import XCTest

/// Rahaman et al.'s δ-spike target (App. A.5): a Kronecker delta on the grid.
final class DeltaSpikeTests: XCTestCase {
    func testOneGridPointCarriesTheSpike() {
        let spike = DeltaSpike(points: 200, center: 0.5, height: 1)
        XCTAssertEqual(spike.index, 100)
        XCTAssertEqual(spike.center, 0.5)
        let values = Grid.equispaced(count: 200).map { spike($0) }
        XCTAssertEqual(values, spike.sampledOnGrid())
        XCTAssertEqual(values.filter { $0 != 0 }, [1])
        XCTAssertEqual(values[100], 1)
    }

    /// Every frequency the grid resolves has the same amplitude, 2·height/N (height/N at 0 and Nyquist).
    func testTheSpectrumIsFlat() {
        let n = 64, height = 3.0
        let spectrum = Spectra.amplitudeSpectrum(DeltaSpike(points: n, center: 0.25, height: height).sampledOnGrid())
        XCTAssertEqual(spectrum.count, n / 2 + 1)
        XCTAssertEqual(spectrum[0], height / Double(n), accuracy: 1e-12)
        XCTAssertEqual(spectrum[n / 2], height / Double(n), accuracy: 1e-12)
        for k in 1..<(n / 2) { XCTAssertEqual(spectrum[k], 2 * height / Double(n), accuracy: 1e-12, "k = \(k)") }
    }

    /// The centre snaps to the nearest grid point; off the grid the spike is a box one cell wide.
    func testNearestGridPointAndTheBoxOffTheGrid() {
        XCTAssertEqual(DeltaSpike(points: 10, center: 0.33).index, 3)
        XCTAssertEqual(DeltaSpike(points: 10, center: 0.36).index, 4)
        XCTAssertEqual(DeltaSpike(points: 10, center: 0.97).index, 0)   // wraps around 1
        let spike = DeltaSpike(points: 10, center: 0.5, height: 2)
        XCTAssertEqual(spike(0.46), 2)
        XCTAssertEqual(spike(0.54), 2)
        XCTAssertEqual(spike(0.44), 0)
        XCTAssertEqual(spike(0.56), 0)
        XCTAssertEqual(spike(.nan), 0)
        XCTAssertEqual(DeltaSpike(points: 10, center: 0).callAsFunction(0.99), 1)
        XCTAssertNotEqual(DeltaSpike(points: 10, center: 0.5), DeltaSpike(points: 10, center: 0.6))
    }
}
