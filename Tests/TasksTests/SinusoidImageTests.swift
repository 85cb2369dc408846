import Foundation
@testable import Tasks
import XCTest

/// Tancik et al.'s oriented sinusoids (App. A.5, Fig. 11): the rounded wave vector, the pixel
/// values against the formula, and the size that resolves the wave.
final class SinusoidImageTests: XCTestCase {
    func testTheWaveVectorIsRoundedAsNumPyRoundsIt() {
        // The notebook's a = round(sin θ · r), b = round(cos θ · r) (its x is our row).
        XCTAssertEqual(SinusoidImage(angle: 0, frequency: 5).waveVector.x, 5)
        XCTAssertEqual(SinusoidImage(angle: 0, frequency: 5).waveVector.y, 0)
        XCTAssertEqual(SinusoidImage(angle: 90, frequency: 10).waveVector.x, 0)
        XCTAssertEqual(SinusoidImage(angle: 90, frequency: 10).waveVector.y, 10)
        let diagonal = SinusoidImage(angle: 45, frequency: 5).waveVector  // 3.54 → 4
        XCTAssertEqual([diagonal.x, diagonal.y], [4, 4])
        let steep = SinusoidImage(angle: 168.75, frequency: 20).waveVector  // (−19.62, 3.90)
        XCTAssertEqual([steep.x, steep.y], [-20, 4])
        // A tie rounds to even: 5 · cos 60° = 2.5 → 2, 5 · sin 30° = 2.5 → 2 (up to cos's rounding).
        XCTAssertEqual(SinusoidImage(angle: 0, frequency: 2.5).waveVector.x, 2)
    }

    func testPixelsAreTheFormulaInZeroToOne() {
        let wave = SinusoidImage(angle: 22.5, frequency: 6)  // (5.54, 2.30) → (6, 2)
        let k = wave.waveVector
        XCTAssertEqual([k.x, k.y], [6, 2])
        let size = 32
        let image = wave.render(size: size)
        XCTAssertEqual(image.channels, 1)
        XCTAssertEqual(image.width, size)
        for row in [0, 3, 17, 31] {
            for column in [0, 1, 10, 31] {
                let x = Double(column) / Double(size), y = Double(row) / Double(size)
                let expected = (1 + cos(2 * Double.pi * (6 * x + 2 * y))) / 2
                XCTAssertEqual(image[row, column], expected, accuracy: 1e-12, "(\(row), \(column))")
            }
        }
        XCTAssertEqual(image[0, 0], 1)
        XCTAssertTrue(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        // θ and θ + 180° are the same image.
        XCTAssertEqual(SinusoidImage(angle: 202.5, frequency: 6).render(size: size).pixels.map { ($0 * 1e9).rounded() },
                       image.pixels.map { ($0 * 1e9).rounded() })
    }

    func testASizeResolvesTheWaveBelowHalfItsSide() throws {
        let wave = SinusoidImage(angle: 0, frequency: 16)
        XCTAssertFalse(wave.resolves(size: 32))
        XCTAssertTrue(wave.resolves(size: 34))
        XCTAssertThrowsError(try ImageTask.sinusoid(wave, size: 32, as: .grey)) { error in
            XCTAssertTrue("\(error)".contains("not resolved"), "\(error)")
        }
        let task = try ImageTask.sinusoid(SinusoidImage(angle: 90, frequency: 3), size: 8, as: .rgb)
        XCTAssertEqual(task.image.channels, 3)
        XCTAssertEqual(task.image[2, 5, 0], task.image[2, 5, 2])
        // Along rows only: every column of a row holds the same value.
        XCTAssertEqual(task.image[1, 0, 1], task.image[1, 7, 1])
        XCTAssertNotEqual(task.image[0, 0, 0], task.image[1, 0, 0])
    }
}
