import XCTest
@testable import Plotting

/// The TeX subset of figure labels: runs for the text engine, plain Unicode for alt text.
final class TeXLabelTests: XCTestCase {
    func testPlainTextIsOneRunAndDollarsOutsideMathStay() {
        XCTAssertEqual(TeXLabel.richText("training loss (MSE)"), RichText("training loss (MSE)"))
        XCTAssertEqual(TeXLabel.plain("costs \\$5"), "costs $5")
        XCTAssertEqual(TeXLabel.plain("a lone $ sign"), "a lone $ sign", "an unclosed $ is a dollar")
    }

    func testGreekAccentsScriptsAndOperators() {
        XCTAssertEqual(TeXLabel.plain("target $\\lambda(z)$"), "target λ(z)")
        XCTAssertEqual(TeXLabel.plain("$|\\tilde f(k)| / A_k$"), "|f̃(k)|/Aₖ")
        XCTAssertEqual(TeXLabel.plain("$\\sum_{k} \\sin(2\\pi k z + \\varphi_k)$"), "∑ₖsin(2πkz+φₖ)")
        XCTAssertEqual(TeXLabel.plain("$10^{-3}$"), "10⁻³")
        XCTAssertEqual(TeXLabel.plain("$x \\leq 2\\,\\sigma$"), "x≤2\u{2009}σ")
        XCTAssertEqual(TeXLabel.plain("$\\mathrm{RSE}_{test}$"), "RSEₜₑₛₜ")
        XCTAssertEqual(TeXLabel.plain("$\\unknown x$"), "\\unknownx", "unknown commands are kept, never lost")
    }

    func testRunsAreRaisedAndLoweredAtTheSmallerSize() {
        let runs = TeXLabel.richText("$A_k^2$ ok").runs
        XCTAssertEqual(runs.map(\.text), ["A", "k", "2", " ok"])
        XCTAssertEqual(runs[1].rise, TeXLabel.subscriptRise)
        XCTAssertEqual(runs[1].scale, RichText.superscriptScale)
        XCTAssertEqual(runs[2].rise, RichText.superscriptRise)
        XCTAssertEqual(runs[3].rise, 0)
    }

    func testMathLabelsAreShapedAndTheAltTextIsPlain() throws {
        let fig = Figure(width: 400, height: 300)
        let axes = fig.addAxes()
        axes.line(x: [0, 1, 2], y: [1, 2, 3], label: "$\\lambda(z)$")
        axes.xLabel = "$k$ (frequency)"
        axes.yLabel = "$|\\tilde f(k)|/A_k$"
        let alt = fig.altText()
        XCTAssertTrue(alt.contains("x axis \"k (frequency)\""), alt)
        XCTAssertTrue(alt.contains("y axis \"|f̃(k)|/Aₖ\""), alt)
        XCTAssertTrue(alt.contains("line \"λ(z)\""), alt)
        XCTAssertFalse(alt.contains("$") || alt.contains("\\"), alt)
        XCTAssertTrue(fig.csv().contains("λ(z)"))
        // The subscript is shaped lower and smaller than the base: the label's layout is deeper.
        let engine = try TextEngine.shared.get()
        let plain = engine.layout("A", size: 12), sub = engine.layout("$A_k$", size: 12)
        XCTAssertGreaterThan(sub.descent, plain.descent)
        XCTAssertEqual(sub.runs.count, 2)
        XCTAssertLessThan(sub.runs[1].size, sub.runs[0].size)
        XCTAssertGreaterThan(sub.runs[1].ys.first ?? 0, sub.runs[0].ys.first ?? 0, "y grows downwards: the subscript sits lower")
        _ = try fig.svg(); _ = try fig.png(scale: 1)
    }
}
