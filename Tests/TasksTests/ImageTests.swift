import CCairo
import Foundation
import Tasks
import XCTest

final class ImageTests: XCTestCase {
    /// An 8 x 6 (width x height) grey image whose pixel value encodes its position.
    func smallImage() -> Image {
        Image(width: 8, height: 6, channels: 1, pixels: (0..<48).map { Double($0) / 47 })
    }

    func testTancikSplitTakesEvenAndOddGrids() {
        let task = ImageTask(image: smallImage())
        let split = task.split(.tancik)
        XCTAssertEqual(split.train.count, 3 * 4)   // rows 0,2,4 x columns 0,2,4,6
        XCTAssertEqual(split.test.count, 3 * 4)    // rows 1,3,5 x columns 1,3,5,7
        XCTAssertTrue(split.validation.isEmpty)
        XCTAssertEqual(split.inputDimension, 2)
        // Second training point: row 0, column 2 → (x, y) = (2/8, 0), value index 2.
        XCTAssertEqual(Array(split.train.input(1)), [0.25, 0])
        XCTAssertEqual(split.train.targets[1], 2.0 / 47)
        // Fifth training point: row 2, column 0.
        XCTAssertEqual(Array(split.train.input(4)), [0, 2.0 / 6])
        // First test point: row 1, column 1 → index 9; last: row 5, column 7 → index 47.
        XCTAssertEqual(Array(split.test.input(0)), [1.0 / 8, 1.0 / 6])
        XCTAssertEqual(split.test.targets.first, 9.0 / 47)
        XCTAssertEqual(split.test.targets.last, 1)
        let mgdl = task.split(.mgdl)
        XCTAssertEqual(mgdl.train, split.train)
        XCTAssertEqual(mgdl.test.count, 48)
        XCTAssertEqual(mgdl.test.inputs, ImageTask.coordinates(width: 8, height: 6))
        XCTAssertEqual(mgdl.test.targets, smallImage().pixels)
    }

    func testCropAndResize() {
        let image = smallImage()
        let square = image.centreCroppedToSquare()
        XCTAssertEqual(square.width, 6)
        XCTAssertEqual(square[0, 0], 1.0 / 47)   // column offset (8-6)/2 = 1
        let half = image.resized(width: 4, height: 3)
        // Mean of the 2x2 block rows 0-1, columns 0-1: (0 + 1 + 8 + 9)/4 / 47.
        XCTAssertEqual(half[0, 0], 4.5 / 47, accuracy: 1e-15)
        XCTAssertEqual(half[2, 3], (38.0 + 39 + 46 + 47) / 4 / 47, accuracy: 1e-15)
        // Non-integer scale keeps constants constant.
        let flat = Image(width: 5, height: 7, channels: 3, pixels: .init(repeating: 0.3, count: 105))
        let resized = flat.resized(width: 3, height: 4)
        XCTAssertTrue(resized.pixels.allSatisfy { abs($0 - 0.3) < 1e-14 })
        // 3 → 2 pixels: first output = (a + b/2)/1.5.
        let row = Image(width: 3, height: 1, channels: 1, pixels: [0, 0.6, 0.9]).resized(width: 2, height: 1)
        XCTAssertEqual(row.pixels[0], (0 + 0.3) / 1.5, accuracy: 1e-15)
        XCTAssertEqual(row.pixels[1], (0.3 + 0.9) / 1.5, accuracy: 1e-15)
    }

    /// Writes a 3 x 2 RGB PNG with Cairo directly, then loads it through Tasks.
    func testLoadPNGWrittenWithCairo() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasks-test-\(getpid()).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let colours: [UInt32] = [0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF, 0x000000, 0x336699]
        let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 3, 2)
        let data = UnsafeMutableRawPointer(cairo_image_surface_get_data(surface)!)
        let stride = Int(cairo_image_surface_get_stride(surface))
        for (i, c) in colours.enumerated() {
            data.storeBytes(of: c, toByteOffset: (i / 3) * stride + 4 * (i % 3), as: UInt32.self)
        }
        cairo_surface_mark_dirty(surface)
        XCTAssertEqual(cairo_surface_write_to_png(surface, path), CAIRO_STATUS_SUCCESS)
        cairo_surface_destroy(surface)

        let rgb = try Image.load(contentsOf: path, as: .rgb)
        XCTAssertEqual(rgb.width, 3)
        XCTAssertEqual(rgb.height, 2)
        XCTAssertEqual(Array(rgb.pixels[0..<9]), [1, 0, 0, 0, 1, 0, 0, 0, 1])
        XCTAssertEqual(Array(rgb.pixels[15..<18]), [0x33 / 255.0, 0x66 / 255.0, 0x99 / 255.0])
        let grey = try Image.load(contentsOf: path, as: .grey)
        XCTAssertEqual(grey.channels, 1)
        XCTAssertEqual(grey[0, 1], 0.7154, accuracy: 1e-12)
        XCTAssertEqual(grey[1, 0], 1, accuracy: 1e-12)

        // Round trip through Tasks' own writer.
        let copyPath = path + ".copy.png"
        defer { try? FileManager.default.removeItem(atPath: copyPath) }
        try rgb.writePNG(to: copyPath)
        XCTAssertEqual(try Image.load(contentsOf: copyPath, as: .rgb), rgb)
    }

    func testLoadErrorsNameThePath() {
        XCTAssertThrowsError(try Image.load(contentsOf: "/nonexistent/a.png", as: .grey)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/a.png"))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-png-\(getpid()).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("hello".utf8)))
        XCTAssertThrowsError(try Image.load(contentsOf: path, as: .grey)) { error in
            XCTAssertTrue("\(error)".contains("cannot read as PNG"), "\(error)")
        }
    }

    /// The bundled sample images load with the sizes SOURCES.md states.
    func testBundledImages() throws {
        let folder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("../../reports/data/images").standardized
        let camera = try Image.load(contentsOf: folder.appendingPathComponent("camera.png").path, as: .grey)
        XCTAssertEqual([camera.width, camera.height], [512, 512])
        let cat = try ImageTask.load(contentsOf: folder.appendingPathComponent("chelsea.png").path, as: .rgb,
                                     cropToSquare: true, resizeTo: (64, 64))
        XCTAssertEqual([cat.image.width, cat.image.height, cat.image.channels], [64, 64, 3])
        XCTAssertTrue(cat.image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testImageFromFormula() throws {
        let f = try Formula("x + 10*y")
        let image = Image(width: 4, height: 2, sampling: { f($0, $1) })
        XCTAssertEqual(image[1, 2], 0.5 + 5)
    }
}
