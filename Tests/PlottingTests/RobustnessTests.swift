import XCTest
@testable import Plotting

/// Degenerate input must render (something honest), never crash or draw garbage.
final class RobustnessTests: XCTestCase {
    func render(_ fig: Figure, file: StaticString = #filePath, line: UInt = #line) {
        for theme in Theme.allCases {
            XCTAssertNoThrow(try fig.svg(theme: theme), file: file, line: line)
            XCTAssertNoThrow(try fig.png(theme: theme, scale: 1), file: file, line: line)
        }
        _ = fig.csv()
        _ = fig.altText()
    }

    func testDegenerateData() {
        render(Figure())                                   // no axes at all
        let fig = Figure(width: 300, height: 200)
        let axes = fig.grid(rows: 3, columns: 3)
        axes[0].line(x: [], y: [])
        axes[1].line(x: [1, 2, 3], y: [.nan, .nan, .nan])
        axes[2].line(x: [5], y: [5], markers: true)
        axes[3].line(x: [0, 1, 2], y: [3, 3, 3])
        axes[4].line(x: [1, 2, 3], y: [0, -1, -2]); axes[4].yScale = .log
        axes[5].line(x: [0, 1e308, -1e308], y: [.infinity, 1, -.infinity])
        axes[6].heatmap([], x: [], y: [])
        axes[7].image([], width: 0, height: 0, channels: 3)
        axes[8].line(x: [0, 1], y: [1e10, 1e10 + 1e-6]); axes[8].yLimits = 1e10...1e10
        render(fig)
    }

    func testMismatchedAndExtremeInput() {
        let fig = Figure(width: 400, height: 300)
        let axes = fig.grid(rows: 2, columns: 2, sharedX: true)
        axes[0].line(x: [1, 2, 3, 4], y: [1, 2])                      // shorter y: 2 points
        axes[0].band(x: [1, 2, 3], lower: [0, .nan, 0], upper: [1, 1])
        axes[1].heatmap([[1, 2, 3], [4]], x: [0, 1, 2], y: [0, 1])   // ragged rows: NaN-filled
        axes[1].xScale = .log                                        // x = 0 cannot be shown
        axes[2].line(x: [1, 2], y: [1e-300, 1e300]); axes[2].yScale = .log
        axes[2].verticalLine(at: .nan, label: "bad")
        axes[2].annotate("off the chart", x: -5, y: 1)
        axes[3].image([0.5, .nan, 2, -1], width: 2, height: 2, channels: 1)
        axes[3].title = String(repeating: "very long title ", count: 20)
        render(fig)
        XCTAssertEqual(fig.csv().split(separator: "\n").filter { $0.hasPrefix("1,line,") }.count, 2)
    }

    func testManySeriesCycleColoursAndLegendFits() throws {
        let fig = Figure(width: 480, height: 320)
        let ax = fig.addAxes()
        for i in 0..<14 { ax.line(x: [0, 1], y: [Double(i), Double(i) + 1], label: "series \(i)") }
        ax.showsLegend = true
        render(fig)
        let p = Palette.forTheme(.light)
        XCTAssertEqual(p.seriesColor(0), p.seriesColor(10))
        XCTAssertNotEqual(p.seriesColor(0), Palette.forTheme(.dark).seriesColor(0))
    }
}
