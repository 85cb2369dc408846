import Foundation
import Tasks
import XCTest

/// Tancik et al.'s text images drawn from a seed (`TextImage`): the same seed gives the same
/// bytes, the images hold coloured text on white, and the strings keep to the declared ranges.
final class TextImageTests: XCTestCase {
    /// The 8-bit RGB bytes of an image (what the PNG holds).
    func bytes(_ image: Image) -> [UInt8] { image.pixels.map { UInt8(($0 * 255).rounded()) } }

    func testTheSameSeedGivesTheSameBytesAndAnotherSeedOthers() throws {
        let a = try TextImage.render(seed: 7), b = try TextImage.render(seed: 7), c = try TextImage.render(seed: 8)
        XCTAssertEqual(a.width, 512); XCTAssertEqual(a.height, 512); XCTAssertEqual(a.channels, 3)
        XCTAssertEqual(bytes(a), bytes(b))
        XCTAssertNotEqual(bytes(a), bytes(c))
        // Every value is an 8-bit level: the drawing is read back exactly.
        XCTAssertTrue(a.pixels.allSatisfy { ($0 * 255 - ($0 * 255).rounded()).magnitude < 1e-9 })
        // Written as PNG twice, the files are identical.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("text-image-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("a.png").path, second = dir.appendingPathComponent("b.png").path
        try a.writePNG(to: first)
        try b.writePNG(to: second)
        XCTAssertEqual(FileManager.default.contents(atPath: first), FileManager.default.contents(atPath: second))
        XCTAssertEqual(try Image.load(contentsOf: first, as: .rgb), a)
    }

    /// The pixels of seed 0 on this project's platform (Debian 12: DejaVu Sans 2.37, Cairo 1.16,
    /// HarfBuzz 6, FreeType 2.12): a change of the generator, its draws or the libraries' drawing
    /// shows here (and then needs the result revision of the runs that use it raised).
    func testSeedZeroIsTheRecordedImage() throws {
        // FNV-1a (64 bits) of the 8-bit RGB bytes.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes(try TextImage.render(seed: 0)) { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
        XCTAssertEqual(String(digest, radix: 16), TextImageTests.seedZeroDigest)
    }
    static let seedZeroDigest = "7f6579929e964185"

    func testTheImagesHoldColouredTextOnWhite() throws {
        for seed: UInt64 in [0, 1, 2, 3] {
            let image = try TextImage.render(seed: seed)
            let n = image.width * image.height
            var white = 0, ink = 0, coloured = 0
            for i in 0..<n {
                let r = image.pixels[3 * i], g = image.pixels[3 * i + 1], b = image.pixels[3 * i + 2]
                if r == 1 && g == 1 && b == 1 { white += 1 }
                if min(r, g, b) < 0.5 { ink += 1 }
                if max(r, g, b) - min(r, g, b) > 0.3 { coloured += 1 }
            }
            // The background is white; the strings cover a few percent of it, in colour.
            XCTAssertGreaterThan(Double(white) / Double(n), 0.5, "seed \(seed)")
            XCTAssertGreaterThan(Double(ink) / Double(n), 0.01, "seed \(seed)")
            XCTAssertGreaterThan(Double(coloured) / Double(n), 0.005, "seed \(seed)")
            // The strings are spread over the image: dark pixels on at least a fifth of the rows.
            let inkRows = (0..<image.height).filter { row in (0..<image.width).contains { image[row, $0, 0] < 0.5 || image[row, $0, 1] < 0.5 || image[row, $0, 2] < 0.5 } }
            XCTAssertGreaterThan(inkRows.count, image.height / 5, "seed \(seed)")
        }
    }

    func testTheStringsKeepToTheirRanges() throws {
        for seed: UInt64 in 0..<8 {
            let strings = try TextImage.strings(seed: seed)
            XCTAssertTrue((4...20).contains(strings.count), "seed \(seed): \(strings.count) strings")
            // Lines from the top down, none past the bottom edge.
            XCTAssertEqual(strings.map(\.y), strings.map(\.y).sorted())
            XCTAssertTrue(zip(strings, strings.dropFirst()).allSatisfy { $1.y - $0.y >= $1.size * 0.9 }, "lines overlap: \(strings)")
            for s in strings {
                XCTAssertTrue(TextImage.stringLengths.contains(s.text.count), s.text)
                XCTAssertTrue(s.text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, s.text)
                XCTAssertTrue(s.size >= 0.04 * 512 && s.size <= 0.16 * 512, "\(s.size)")
                XCTAssertLessThanOrEqual(0.2125 * s.colour[0] + 0.7154 * s.colour[1] + 0.0721 * s.colour[2], TextImage.brightestColour)
                XCTAssertTrue(s.x >= 0 && s.x < 512 && s.y > 0 && s.y + 0.24 * s.size <= 512, "\(s)")
            }
        }
        // The strings of a seed are drawn from it alone.
        XCTAssertEqual(try TextImage.strings(seed: 5), try TextImage.strings(seed: 5))
        XCTAssertNotEqual(try TextImage.strings(seed: 5), try TextImage.strings(seed: 6))
    }

    func testAnImageTaskResizesTheDrawing() throws {
        let task = try ImageTask.text(seed: 1, as: .rgb, resizeTo: (width: 64, height: 64))
        XCTAssertEqual(task.image.width, 64)
        XCTAssertEqual(task.image, try TextImage.render(seed: 1).resized(width: 64, height: 64))
        XCTAssertEqual(try ImageTask.text(seed: 1, as: .grey).image.channels, 1)
    }
}
