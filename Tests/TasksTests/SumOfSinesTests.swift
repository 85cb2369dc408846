import Foundation
import Tasks
import XCTest

final class SumOfSinesTests: XCTestCase {
    let x = 0.3
    let frequencies: [Double] = [1, 2, 3]
    let phases: [Double] = [0, 0.5, 1]

    /// Σ α_j sin(2π κ_j x + φ_j) written out term by term.
    func handSum(_ alpha: [Double]) -> Double {
        alpha[0] * sin(2 * .pi * 1 * x + 0) + alpha[1] * sin(2 * .pi * 2 * x + 0.5)
            + alpha[2] * sin(2 * .pi * 3 * x + 1)
    }

    func testConstantProfile() {
        let f = SumOfSines(frequencies: frequencies, amplitudes: .constant(2), phases: phases)
        XCTAssertEqual(f(x), handSum([2, 2, 2]), accuracy: 1e-14)
        XCTAssertEqual(f.amplitude(1, at: x), 2)
        XCTAssertEqual(SumOfSines(frequencies: [5], phases: [0])(0.05), 1, accuracy: 1e-15)  // sin(π/2)
    }

    func testDecreasingProfile() {
        let f = SumOfSines(frequencies: frequencies, amplitudes: .decreasing, phases: phases)
        XCTAssertEqual(f.amplitude(0, at: x), 1.0, accuracy: 1e-15)
        XCTAssertEqual(f.amplitude(2, at: x), 0.9, accuracy: 1e-15)
        XCTAssertEqual(f(x), handSum([1.0, 0.95, 0.9]), accuracy: 1e-14)
    }

    func testXDependentProfile() {
        let f = SumOfSines(frequencies: frequencies, amplitudes: .xDependent, phases: phases)
        let e = exp(-x)
        XCTAssertEqual(f.amplitude(0, at: x), e, accuracy: 1e-15)
        XCTAssertEqual(f.amplitude(2, at: x), e * cos(2 * x), accuracy: 1e-15)
        XCTAssertEqual(f(x), handSum([e, e * cos(x), e * cos(2 * x)]), accuracy: 1e-14)
    }

    func testIncreasingAndExplicitProfiles() {
        let up = SumOfSines(frequencies: frequencies, amplitudes: .increasing, phases: phases)
        XCTAssertEqual(up(x), handSum([0.05, 0.10, 0.15]), accuracy: 1e-14)
        let given = SumOfSines(frequencies: frequencies, amplitudes: .explicit([3, -1, 0.25]), phases: phases)
        XCTAssertEqual(given(x), handSum([3, -1, 0.25]), accuracy: 1e-14)
    }

    /// Rahaman et al.'s Fig. 1b amplitudes: j/n, so 0.1 … 1.0 for their ten frequencies; not
    /// Fang & Xu's `increasing` (0.05 j).
    func testRahamanIncreasingProfile() {
        let up = SumOfSines(frequencies: frequencies, amplitudes: .rahamanIncreasing, phases: phases)
        XCTAssertEqual(up(x), handSum([1.0 / 3, 2.0 / 3, 1]), accuracy: 1e-14)
        let ten = SumOfSines(frequencies: (1...10).map { Double(5 * $0) }, amplitudes: .rahamanIncreasing, phases: Array(repeating: 0, count: 10))
        for j in 0..<10 { XCTAssertEqual(ten.amplitude(j, at: 0.3), 0.1 * Double(j + 1), accuracy: 1e-15) }
        XCTAssertNotEqual(ten.amplitude(0, at: 0), SumOfSines(frequencies: ten.frequencies, amplitudes: .increasing, phases: ten.phases).amplitude(0, at: 0))
    }

    func testFrequencyRange() {
        let f = SumOfSines(frequencyRange: 5...50, step: 5, phases: SumOfSines.seededPhases(count: 10, seed: 3))
        XCTAssertEqual(f.frequencies, [5, 10, 15, 20, 25, 30, 35, 40, 45, 50])
    }

    func testSeededPhases() {
        let a = SumOfSines.seededPhases(count: 20, seed: 42)
        XCTAssertEqual(a, SumOfSines.seededPhases(count: 20, seed: 42))
        XCTAssertNotEqual(a, SumOfSines.seededPhases(count: 20, seed: 43))
        XCTAssertEqual(Array(a.prefix(5)), SumOfSines.seededPhases(count: 5, seed: 42))
        XCTAssertTrue(a.allSatisfy { $0 >= 0 && $0 < 2 * .pi })
        XCTAssertEqual(Set(a).count, 20)
        // Pinned bytes: persisted tasks must not change silently when the generator does
        // (xoshiro256** seeded by SplitMix64, 53-bit uniforms).
        XCTAssertEqual(SumOfSines.seededPhases(count: 3, seed: 42),
                       [0.5269265875798784, 2.381203142674916, 4.272838768416293])
    }

    func testValidationErrors() {
        XCTAssertThrowsError(try SumOfSines.validated(frequencies: [1, 2], phases: [0])) { error in
            XCTAssertEqual("\(error)", "1 phases given for 2 frequencies")
        }
        XCTAssertThrowsError(try SumOfSines.validated(frequencies: [1], amplitudes: .explicit([1, 2]), phases: [0]))
        XCTAssertNoThrow(try SumOfSines.validated(frequencies: [1], phases: [0]))
    }

    /// The FFT synthesis on the grid agrees with the direct sum; x-dependent amplitudes take the
    /// direct path.
    func testGridSamplingMatchesDirectSum() {
        let n = 200
        let grid = Grid.equispaced(count: n)
        for profile: SumOfSines.Amplitudes in [.decreasing, .xDependent] {
            let f = SumOfSines(frequencyRange: 1...20, amplitudes: profile,
                               phases: SumOfSines.seededPhases(count: 20, seed: 7))
            let fast = f.sampledOnUnitGrid(count: n)
            let direct = f.values(at: grid)
            XCTAssertEqual(fast.count, n)
            for i in 0..<n { XCTAssertEqual(fast[i], direct[i], accuracy: 1e-12) }
        }
        // A non-integer frequency is not periodic on the grid: direct path.
        let off = SumOfSines(frequencies: [2.5], phases: [0])
        XCTAssertEqual(off.sampledOnUnitGrid(count: 10)[1], sin(2 * .pi * 2.5 * 0.1), accuracy: 1e-15)
    }

    func testGrid() {
        XCTAssertEqual(Grid.equispaced(count: 4), [0, 0.25, 0.5, 0.75])
        XCTAssertEqual(Grid.equispaced(count: 2, from: -1, to: 1), [-1, 0])
    }
}
