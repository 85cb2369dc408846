import Foundation

/// Text made of runs that may be set smaller and raised (superscripts for powers of ten).
/// `plain` is the same text for alt text and CSV ("10^-3" style is never needed: superscripts are
/// written with Unicode superscript characters there).
struct RichText: Equatable, Hashable {
    struct Run: Equatable, Hashable {
        var text: String
        /// Size relative to the base size.
        var scale: Double = 1
        /// Baseline shift upwards, as a fraction of the base size.
        var rise: Double = 0
    }
    var runs: [Run]

    init(_ text: String) { runs = [Run(text: text)] }
    init(runs: [Run]) { self.runs = runs }

    static let superscriptScale = 0.72
    static let superscriptRise = 0.42

    /// "10" with a raised exponent, e.g. 10⁻³ (minus is U+2212).
    static func powerOfTen(_ exponent: Int, mantissa: String? = nil) -> RichText {
        var runs: [Run] = []
        if let m = mantissa { runs.append(Run(text: m + "\u{00D7}")) }
        runs.append(Run(text: "10"))
        runs.append(Run(text: TickFormat.signed(String(abs(exponent)), negative: exponent < 0),
                        scale: superscriptScale, rise: superscriptRise))
        return RichText(runs: runs)
    }

    /// Plain text with superscript runs mapped to Unicode superscript characters.
    var plain: String {
        runs.map { $0.rise > 0 ? RichText.toSuperscript($0.text) : $0.text }.joined()
    }

    static func toSuperscript(_ s: String) -> String {
        let map: [Character: String] = [
            "0": "\u{2070}", "1": "\u{00B9}", "2": "\u{00B2}", "3": "\u{00B3}", "4": "\u{2074}",
            "5": "\u{2075}", "6": "\u{2076}", "7": "\u{2077}", "8": "\u{2078}", "9": "\u{2079}",
            "\u{2212}": "\u{207B}", "-": "\u{207B}", "+": "\u{207A}",
        ]
        return s.map { map[$0] ?? String($0) }.joined()
    }
}
