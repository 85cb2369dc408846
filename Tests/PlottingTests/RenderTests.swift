import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Plotting

/// Collects what Cairo wrote: stroked paths by colour, and text groups (one `<g>` of glyph `<use>`s
/// per shaped run).
private final class SVGSummary: NSObject, XMLParserDelegate {
    var paths: [(style: String, d: String)] = []
    var textGroups = 0
    var images = 0
    var title: String?
    private var groupStack: [(style: String, uses: Int)] = []
    private var inTitle = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "path":
            paths.append((attributes["style"] ?? "", attributes["d"] ?? ""))
        case "g":
            groupStack.append((attributes["style"] ?? "", 0))
        case "use":
            if (attributes["xlink:href"] ?? "").hasPrefix("#glyph"), !groupStack.isEmpty { groupStack[groupStack.count - 1].uses += 1 }
        case "image":
            images += 1
        case "title":
            inTitle = true; title = ""
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inTitle { title! += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g", let g = groupStack.popLast(), g.uses > 0, g.style.contains("fill:") { textGroups += 1 }
        if name == "title" { inTitle = false }
    }

    static func parse(_ data: Data) throws -> SVGSummary {
        let s = SVGSummary()
        let p = XMLParser(data: data)
        p.delegate = s
        guard p.parse() else { throw p.parserError ?? NSError(domain: "xml", code: 1) }
        return s
    }
}

/// Cairo writes colours as percentages with 6 decimals.
private func cairoRGB(_ c: Color) -> String {
    func pct(_ v: Double) -> String {
        var s = String(format: "%.6f", v * 100)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + "%"
    }
    return "rgb(\(pct(c.red)),\(pct(c.green)),\(pct(c.blue)))"
}

final class RenderTests: XCTestCase {
    func threeSeries() -> Figure {
        let fig = Figure(width: 640, height: 420)
        fig.title = "Three series"
        let ax = fig.addAxes()
        let x = (0...100).map { Double($0) / 10 }
        ax.line(x: x, y: x.map { $0 / 10 }, label: "a")
        var y = x.map { 1 - $0 / 10 }
        y[50] = .nan
        ax.line(x: x, y: y, label: "b")
        ax.line(x: x, y: x.map { 0.5 + 0.4 * sin($0) }, label: "c", markers: true)
        ax.xLimits = 0...10
        ax.yLimits = 0...1
        ax.xLabel = "x"; ax.yLabel = "y"
        ax.showsLegend = true
        return fig
    }

    func testSVGIsWellFormedWithSeriesAndTickLabels() throws {
        let fig = threeSeries()
        let svg = try fig.svg()
        let text = String(decoding: svg, as: UTF8.self)
        XCTAssertTrue(text.contains("width=\"640px\" height=\"420px\""), "document unit must be px")
        let s = try SVGSummary.parse(svg)
        let palette = Palette.forTheme(.light)
        for (i, name) in ["a", "b", "c"].enumerated() {
            let stroke = "stroke:" + cairoRGB(palette.seriesColor(i))
            // The series itself plus its legend handle.
            let strokes = s.paths.filter { $0.style.contains(stroke) }
            XCTAssertEqual(strokes.count, 2, "series \(name)")
        }
        // The NaN in series b splits its polyline into two sub-paths.
        let b = s.paths.first { $0.style.contains("stroke:" + cairoRGB(palette.seriesColor(1))) }!
        XCTAssertEqual(b.d.split(separator: "M").count, 2)

        let layout = FigureLayout(figure: fig, text: try TextEngine.get())
        let p = layout.panels[0]
        XCTAssertEqual(p.xTicks.major.map { $0.label!.plain }, ["0", "2", "4", "6", "8", "10"])
        XCTAssertEqual(p.yTicks.major.map { $0.label!.plain }, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // Text runs: tick labels + figure title + 2 axis labels + 3 legend entries.
        XCTAssertEqual(s.textGroups, 6 + 6 + 1 + 2 + 3)
        XCTAssertTrue(s.title?.contains("line \"a\"") ?? false)
    }

    func testLogAxisLabelsAreSuperscriptRuns() throws {
        let fig = Figure(width: 500, height: 360)
        let ax = fig.addAxes()
        let x = (1...1000).map(Double.init)
        ax.line(x: x, y: x.map { 1 / $0 })
        ax.xScale = .log; ax.yScale = .log
        let layout = FigureLayout(figure: fig, text: try TextEngine.get())
        let p = layout.panels[0]
        XCTAssertEqual(p.xTicks.major.map { $0.label!.plain }, ["10\u{2070}", "10\u{00B9}", "10\u{00B2}", "10\u{00B3}"])
        XCTAssertEqual(p.yTicks.major.map { $0.label!.plain }, ["10\u{207B}\u{00B3}", "10\u{207B}\u{00B2}", "10\u{207B}\u{00B9}", "10\u{2070}"])
        let s = try SVGSummary.parse(try fig.svg())
        // Each decade label is two runs ("10" and the exponent), so two text groups.
        XCTAssertEqual(s.textGroups, 2 * 8)
    }

    func testPNGPixelsOfAKnownLine() throws {
        let fig = Figure(width: 200, height: 150)
        let ax = fig.addAxes()
        let red = Color(red: 1, green: 0, blue: 0)
        ax.line(x: [0, 1], y: [0.5, 0.5], color: red, width: 6)
        ax.xLimits = 0...1
        ax.yLimits = 0...1
        let png = try fig.png(scale: 2)
        let decoded = try XCTUnwrap(CairoOutput.decodePNG(png))
        XCTAssertEqual(decoded.width, 400); XCTAssertEqual(decoded.height, 300)
        let p = FigureLayout(figure: fig, text: try TextEngine.get()).panels[0]
        let y = Int((p.py(0.5) * 2).rounded()), x0 = Int(p.plot.minX * 2) + 4, x1 = Int(p.plot.maxX * 2) - 4
        func pixel(_ x: Int, _ y: Int) -> UInt32 { decoded.pixels[y * decoded.width + x] }
        for x in stride(from: x0, through: x1, by: 7) {
            XCTAssertEqual(pixel(x, y), 0xFFFF_0000, "line centre at x=\(x)")
            XCTAssertEqual(pixel(x, y - 4), 0xFFFF_0000, "within the 6 px (12 device px) width")
            XCTAssertEqual(pixel(x, y - 9), 0xFFFF_FFFF, "background above the line")
        }
        // Outside the plot area the line is clipped.
        XCTAssertNotEqual(pixel(Int(p.plot.minX * 2) - 20, y), 0xFFFF_0000)
    }

    func testHeatmapOrientationAndNaN() throws {
        let fig = Figure(width: 200, height: 200)
        let ax = fig.addAxes()
        // Row 0 (y = 0, bottom) low, row 1 (y = 1, top) high; one NaN cell bottom-right.
        ax.heatmap([[0, .nan], [1, 1]], x: [0, 1], y: [0, 1])
        let decoded = try XCTUnwrap(CairoOutput.decodePNG(try fig.png(scale: 1)))
        let p = FigureLayout(figure: fig, text: try TextEngine.get()).panels[0]
        func pixel(_ x: Double, _ y: Double) -> UInt32 { decoded.pixels[Int(p.py(y)) * decoded.width + Int(p.px(x))] }
        XCTAssertEqual(pixel(0, 1), 0xFFFD_E725, "top-left: viridis maximum")
        XCTAssertEqual(pixel(0, 0), 0xFF44_0154, "bottom-left: viridis minimum")
        XCTAssertEqual(pixel(1, 0), 0xFFFF_FFFF, "NaN cell is not drawn")
    }

    func testIdenticalBytesAcrossRenders() throws {
        let a = try threeSeries().svg(), b = try threeSeries().svg()
        // Images bump Cairo's process-wide surface ids in between.
        _ = try PlottingBenchmark.imageGrid().svg()
        let c = try threeSeries().svg()
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, c)
        let g1 = try PlottingBenchmark.heatmap().svg(), g2 = try PlottingBenchmark.heatmap().svg()
        XCTAssertEqual(g1, g2)
        XCTAssertEqual(try threeSeries().png(), try threeSeries().png())
        XCTAssertEqual(try threeSeries().png(theme: .dark), try threeSeries().png(theme: .dark))
        XCTAssertNotEqual(try threeSeries().png(theme: .dark), try threeSeries().png(theme: .light))
        XCTAssertTrue(String(decoding: g1, as: UTF8.self).contains("image-rendering:pixelated"))
    }

    func testConcurrentRendersMatchSerialOnes() throws {
        let serial = try (0..<4).map { _ in try PlottingBenchmark.figure(named: "loss-curves")!.png(scale: 1) }
        var results = [Data?](repeating: nil, count: 4)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let fig = i % 2 == 0 ? PlottingBenchmark.figure(named: "loss-curves")! : threeSeries()
            let data = try? (i % 2 == 0 ? fig.png(scale: 1) : fig.svg())
            lock.lock(); results[i] = data; lock.unlock()
        }
        XCTAssertEqual(results[0], serial[0])
        XCTAssertEqual(results[2], serial[0])
        XCTAssertEqual(results[1], try threeSeries().svg())
    }

    func testImageGridSVG() throws {
        let svg = try PlottingBenchmark.figure(named: "image-grid")!.svg()
        let s = try SVGSummary.parse(svg)
        XCTAssertEqual(s.images, 6)
        // Figure title + six panel titles; no tick labels on image panels.
        XCTAssertEqual(s.textGroups, 7)
        XCTAssertTrue(s.title?.contains("image 128×128 RGB") ?? false)
    }

    func testCSVAndAltText() throws {
        let fig = threeSeries()
        let csv = fig.csv()
        let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "panel,kind,series,x,y,value")
        XCTAssertEqual(lines.filter { $0.hasPrefix("1,line,a,") }.count, 101)
        XCTAssertTrue(csv.contains("1,line,b,5.0,NaN,\n"))
        XCTAssertEqual(csv, threeSeries().csv())

        let alt = fig.altText()
        XCTAssertTrue(alt.hasPrefix("Three series."), alt)
        XCTAssertTrue(alt.contains("x axis \"x\" from 0 to 10"), alt)
        XCTAssertTrue(alt.contains("line \"a\" (101 points, x 0 to 10, y 0 to 1)"), alt)
        XCTAssertTrue(alt.contains("1 non-finite value is not drawn"), alt)
        XCTAssertFalse(alt.contains("outside the axis limits"), alt)

        // Data beyond explicit limits is clipped and said so.
        let clipped = Figure()
        let ax = clipped.addAxes()
        ax.line(x: [0, 1, 2, 3], y: [0, 5, 1, 2])
        ax.yLimits = 0...2
        ax.yScale = .linear
        XCTAssertTrue(clipped.altText().contains("1 value lies outside the axis limits and is clipped"))
        let logFig = Figure()
        let lax = logFig.addAxes()
        lax.line(x: [1, 2, 3], y: [1, 0, -1])
        lax.yScale = .log
        XCTAssertTrue(logFig.altText().contains("2 non-positive values are not drawn on the log axis"))

        let hm = Figure()
        let h = hm.addAxes().heatmap([[0, 1], [2, 3]], x: [0, 1], y: [0, 1], colormap: .diverging, range: 0...2)
        hm.axesList[0].colorbar(for: h, label: "err")
        let halt = hm.altText()
        XCTAssertTrue(halt.contains("heatmap 2×2 (diverging colormap, values 0 to 3, colour range 0 to 2, colour bar \"err\")"), halt)
        XCTAssertTrue(halt.contains("1 heatmap value lies outside the colour range"), halt)
        XCTAssertEqual(hm.csv().split(separator: "\n").count, 5)
    }

    func testSharedAxesHideInnerTickLabels() throws {
        let fig = Figure(width: 600, height: 400)
        let axes = fig.grid(rows: 2, columns: 2, sharedX: true, sharedY: true)
        for (i, a) in axes.enumerated() { a.line(x: [0, 1], y: [0, Double(i + 1)]) }
        let layout = FigureLayout(figure: fig, text: try TextEngine.get())
        XCTAssertEqual(layout.panels.map { $0.showXTickLabels }, [false, false, true, true])
        XCTAssertEqual(layout.panels.map { $0.showYTickLabels }, [true, false, true, false])
        XCTAssertEqual(Set(layout.panels.map { $0.y.hi }).count, 1, "shared y limits")
        // Aligned plot areas.
        XCTAssertEqual(layout.panels[0].plot.minX, layout.panels[2].plot.minX)
        XCTAssertEqual(layout.panels[0].plot.minY, layout.panels[1].plot.minY)
    }

    func testImagePanelKeepsAspectAndIsNotSmoothed() throws {
        let fig = Figure(width: 300, height: 200)
        let ax = fig.addAxes()
        // 2×1 image: black, white.
        ax.image([0, 1], width: 2, height: 1, channels: 1)
        let p = FigureLayout(figure: fig, text: try TextEngine.get()).panels[0]
        XCTAssertEqual(p.plot.width, 2 * p.plot.height, accuracy: 1e-9)
        let decoded = try XCTUnwrap(CairoOutput.decodePNG(try fig.png(scale: 2)))
        let y = Int(p.plot.midY * 2)
        let mid = Int(p.plot.midX * 2)
        XCTAssertEqual(decoded.pixels[y * decoded.width + mid - 1], 0xFF00_0000)
        XCTAssertEqual(decoded.pixels[y * decoded.width + mid], 0xFFFF_FFFF)
        // The CSV holds each image as one row: width, height and the drawn pixels as a PNG data URI.
        func csvImage(_ figure: Figure) throws -> (header: String, pixels: [UInt32]) {
            let lines = figure.csv().split(separator: "\n")
            XCTAssertEqual(lines.count, 2)
            let fields = lines[1].split(separator: ",", maxSplits: 5).map(String.init)
            // Quoted: the data URI holds a comma.
            let quoted = try XCTUnwrap(fields.last)
            XCTAssertTrue(quoted.hasPrefix("\"") && quoted.hasSuffix("\""), quoted)
            let uri = String(quoted.dropFirst().dropLast())
            XCTAssertTrue(uri.hasPrefix("data:image/png;base64,"), uri)
            let png = try XCTUnwrap(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
            let image = try XCTUnwrap(CairoOutput.decodePNG(png))
            XCTAssertEqual([image.width, image.height], [2, 1])
            return (fields.prefix(5).joined(separator: ","), image.pixels)
        }
        let plain = try csvImage(fig)
        XCTAssertEqual(plain.header, "1,image,image,2,1")
        XCTAssertEqual(plain.pixels, [0xFF00_0000, 0xFFFF_FFFF])
        let nan = Figure()
        nan.addAxes().image([0.5, .nan, 0.25, 0.5, 0.5, 0.5], width: 2, height: 1, channels: 3)
        XCTAssertEqual(try csvImage(nan).pixels, [0, 0xFF80_8080], "a pixel with a non-finite channel is transparent")
        XCTAssertEqual(FigureData.pixelRows(ImageArtist(pixels: [0.5, .nan, 0.25, 0.5, 0.5, 0.5], width: 2, height: 1, channels: 3), panel: "1", series: "image"),
                       "1,image,image,0,0,\n1,image,image,1,0,#808080\n", "without libpng: one row per pixel")
    }
}

final class ShapingTests: XCTestCase {
    func testKerningPairAV() throws {
        let engine = try TextEngine.get()
        let av = engine.advanceInEm("AV"), a = engine.advanceInEm("A"), v = engine.advanceInEm("V")
        XCTAssertLessThan(av, a + v - 0.01, "DejaVu Sans kerns A-V")
        // Unkerned pair: exactly the sum of the advances.
        XCTAssertEqual(engine.advanceInEm("HH"), 2 * engine.advanceInEm("H"), accuracy: 1e-9)
        XCTAssertEqual(a, 1401.0 / 2048.0, accuracy: 1e-12, "advances are exact font units")
    }

    func testLigatureFi() throws {
        let engine = try TextEngine.get()
        XCTAssertEqual(engine.glyphCount("fi"), 1, "DejaVu Sans 'liga' forms the fi ligature")
        XCTAssertEqual(engine.glyphCount("fx"), 2)
    }

    func testUnicodeGlyphsExist() throws {
        let engine = try TextEngine.get()
        let l = engine.layout("κλσ\u{2212}⁻³", size: 10)
        XCTAssertEqual(l.runs[0].glyphs.count, 6)
        XCTAssertFalse(l.runs[0].glyphs.contains(0), "no .notdef glyphs")
    }

    func testSuperscriptRunIsSmallerAndRaised() throws {
        let engine = try TextEngine.get()
        let l = engine.layout(RichText.powerOfTen(-3), size: 10)
        XCTAssertEqual(l.runs.count, 2)
        XCTAssertLessThan(l.runs[1].size, l.runs[0].size)
        XCTAssertLessThan(l.runs[1].ys[0], l.runs[0].ys[0])
        XCTAssertGreaterThan(l.runs[1].xs[0], l.runs[0].xs[1])
    }
}
