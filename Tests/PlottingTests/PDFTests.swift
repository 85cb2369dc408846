import XCTest
@testable import Plotting

/// The PDF output: a real one-page PDF at the figure's size, with no clock in its bytes.
final class PDFTests: XCTestCase {
    func lossFigure() -> Figure {
        let fig = Figure(width: 640, height: 420)
        let axes = fig.addAxes()
        let x = (1...200).map(Double.init)
        axes.line(x: x, y: x.map { 1 / $0 }, label: "MGDL")
        axes.yScale = .log
        axes.xLabel = "step"; axes.yLabel = "loss"
        axes.showsLegend = true
        return fig
    }

    func testPDFIsOnePageAtTheFigureSizeInPoints() throws {
        let pdf = try lossFigure().pdf()
        let text = String(decoding: pdf, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("%PDF-1.5"), String(text.prefix(16)))
        XCTAssertTrue(text.hasSuffix("%%EOF\n"))
        // 640 × 420 CSS px at 0.75 pt per px.
        XCTAssertTrue(text.contains("/MediaBox [ 0 0 480 315 ]"), "page size in points")
        let pages = text.components(separatedBy: "/Type /Page").count - text.components(separatedBy: "/Type /Pages").count
        XCTAssertEqual(pages, 1, "exactly one page")
        // Text is embedded as a font subset (glyph outlines), not rasterised.
        XCTAssertTrue(text.contains("/FontFile"), "the DejaVu subset is embedded")
        XCTAssertTrue(text.contains("DejaVuSans"))
    }

    func testPDFBytesDoNotDependOnTheClock() throws {
        let a = try lossFigure().pdf()
        // Cairo's default creation date has one-second resolution: cross a second boundary.
        Thread.sleep(forTimeInterval: 1.1)
        let b = try lossFigure().pdf()
        XCTAssertEqual(a, b)
        let text = String(decoding: a, as: UTF8.self)
        XCTAssertFalse(text.contains("/CreationDate"))
        XCTAssertFalse(text.contains("/ModDate"))
        XCTAssertNotEqual(try lossFigure().pdf(theme: .dark), a, "the theme reaches the PDF")
    }

    func testPDFOfAnImagePanelKeepsPixelsUnsmoothed() throws {
        let pdf = try PlottingBenchmark.heatmap().pdf()
        let text = String(decoding: pdf, as: UTF8.self)
        XCTAssertTrue(text.contains("/Subtype /Image"))
        XCTAssertTrue(text.contains("/Interpolate false"), "heatmap cells stay sharp in PDF viewers")
        XCTAssertFalse(text.contains("/Interpolate true"))
    }
}
