import XCTest
@testable import Plotting

final class TickTests: XCTestCase {
    private func labels(_ t: AxisTicks) -> [String] { t.major.map { $0.label!.plain } }

    /// (lo, hi, maxBins) -> expected labels, as matplotlib's MaxNLocator(steps=[1, 2, 2.5, 5, 10]).
    func testLinearLocatorTable() {
        let m = "\u{2212}"
        let table: [(Double, Double, Int, [String])] = [
            (0, 1, 5, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
            (0, 10, 5, ["0", "2", "4", "6", "8", "10"]),
            (0, 100, 4, ["0", "25", "50", "75", "100"]),
            (-1, 1, 4, ["\(m)1.0", "\(m)0.5", "0.0", "0.5", "1.0"]),
            (0.1, 0.35, 5, ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
            (0, 0.3, 3, ["0.0", "0.1", "0.2", "0.3"]),
            (0, 1000, 7, ["0", "200", "400", "600", "800", "1000"]),
            (-0.05, 1.05, 9, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]),
            (-4.4, 4.4, 6, ["\(m)4", "\(m)2", "0", "2", "4"]),
            (0.5, 0.55, 2, ["0.500", "0.525", "0.550"]),
            (3, 3.04, 4, ["3.00", "3.01", "3.02", "3.03", "3.04"]),
            (-0.5, 99.5, 4, ["0", "25", "50", "75"]),
            (1.1, 1.9, 1, ["1.25", "1.50", "1.75"]),   // fewer than 2 ticks at 1 and 0.5
        ]
        for (lo, hi, bins, expected) in table {
            let t = TickLocator.linear(lo, hi, maxBins: bins)
            XCTAssertEqual(labels(t), expected, "linear(\(lo), \(hi), \(bins))")
            XCTAssertNil(t.multiplier)
            for tick in t.major { XCTAssert(tick.value >= lo - 1e-12 && tick.value <= hi + 1e-12) }
        }
    }

    func testTickValuesAreMultiplesOfStep() {
        let t = TickLocator.linear(0, 0.3, maxBins: 3)
        XCTAssertEqual(t.major.map { $0.value }, [0, 0.1, 0.2, 0.30000000000000004])
        XCTAssertEqual(t.major.last!.label!.plain, "0.3")   // never 0.30000000000000004
    }

    func testMultiplierForLargeAndSmallNumbers() {
        let big = TickLocator.linear(0, 5e7, maxBins: 5)
        XCTAssertEqual(labels(big), ["0", "1", "2", "3", "4", "5"])
        XCTAssertEqual(big.multiplier?.plain, "\u{00D7}10\u{2077}")
        let small = TickLocator.linear(0, 1e-4, maxBins: 4)
        XCTAssertEqual(labels(small), ["0.00", "0.25", "0.50", "0.75", "1.00"])
        XCTAssertEqual(small.multiplier?.plain, "\u{00D7}10\u{207B}\u{2074}")
    }

    func testLogDecades() {
        let t = TickLocator.log(1e-3, 1, maxBins: 9)
        XCTAssertEqual(labels(t), ["10\u{207B}\u{00B3}", "10\u{207B}\u{00B2}", "10\u{207B}\u{00B9}", "10\u{2070}"])
        XCTAssertEqual(t.major.map { $0.value }, [1e-3, 1e-2, 1e-1, 1])
        // Minor ticks at 2..9 × 10^k.
        XCTAssertEqual(t.ticks.filter { !$0.isMajor }.count, 8 * 3)
        // The exponent is a raised, smaller run with a true minus sign.
        let rich = t.major[0].label!
        XCTAssertEqual(rich.runs.count, 2)
        XCTAssertEqual(rich.runs[1].text, "\u{2212}3")
        XCTAssertGreaterThan(rich.runs[1].rise, 0)
        XCTAssertLessThan(rich.runs[1].scale, 1)

        let wide = TickLocator.log(1, 1e12, maxBins: 6)
        XCTAssertEqual(wide.major.map { log10($0.value) }, [0, 3, 6, 9, 12])
        XCTAssertTrue(wide.ticks.filter { !$0.isMajor }.allSatisfy { ![0, 3, 6, 9, 12].contains(Int(log10($0.value).rounded())) })

        let narrow = TickLocator.log(0.15, 0.9, maxBins: 5)
        XCTAssertEqual(labels(narrow), ["0.2", "0.5"])             // 0.2...0.9 would be 8 > maxBins + 1
        XCTAssertEqual(labels(TickLocator.log(1.3, 5.5, maxBins: 7)), ["2", "3", "4", "5"])
        XCTAssertEqual(labels(TickLocator.log(0.15, 30, maxBins: 7)), ["10\u{2070}", "10\u{00B9}"])
        XCTAssertEqual(labels(TickLocator.log(1.2, 1.9, maxBins: 5)), ["1.25", "1.50", "1.75"])  // linear fallback
        let partial = TickLocator.log(3, 300, maxBins: 5)
        XCTAssertEqual(labels(partial), ["10\u{00B9}", "10\u{00B2}"])
    }

    func testFormatting() {
        XCTAssertEqual(TickFormat.decimal(3, exponent: -1, decimals: 1), "0.3")
        XCTAssertEqual(TickFormat.decimal(-25, exponent: -2, decimals: 2), "\u{2212}0.25")
        XCTAssertEqual(TickFormat.decimal(0, exponent: -1, decimals: 1), "0.0")
        XCTAssertEqual(TickFormat.decimal(12, exponent: 2, decimals: 0), "1200")
        XCTAssertEqual(TickFormat.general(0.1 + 0.2), "0.3")
        XCTAssertEqual(TickFormat.general(-1.5e-5), "\u{2212}1.5e\u{2212}5")
        XCTAssertEqual(TickFormat.general(-2, unicodeMinus: false), "-2")
        XCTAssertFalse(TickLocator.linear(-1, 1, maxBins: 4).major.contains { $0.label!.plain.contains("-") })
    }

    func testLimitsHaveMargins() {
        var e = Limits.Extent()
        e.add(0); e.add(10)
        let r = Limits.auto(free: e, sticky: Limits.Extent(), log: false)
        XCTAssertEqual(r.lo, -0.5, accuracy: 1e-12)
        XCTAssertEqual(r.hi, 10.5, accuracy: 1e-12)
        var l = Limits.Extent()
        l.add(1e-3); l.add(1)
        let lr = Limits.auto(free: l, sticky: Limits.Extent(), log: true)
        XCTAssertEqual(log10(lr.lo), -3.15, accuracy: 1e-9)
        XCTAssertEqual(log10(lr.hi), 0.15, accuracy: 1e-9)
        // Heatmap edges are sticky: no margin.
        var s = Limits.Extent()
        s.add(-0.5); s.add(9.5)
        let sr = Limits.auto(free: Limits.Extent(), sticky: s, log: false)
        XCTAssertEqual(sr.lo, -0.5); XCTAssertEqual(sr.hi, 9.5)
    }
}
