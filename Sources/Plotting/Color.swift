import Foundation

/// An sRGB colour with straight (not premultiplied) alpha, components in [0, 1].
public struct Color: Sendable, Equatable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = Color.clamp(red)
        self.green = Color.clamp(green)
        self.blue = Color.clamp(blue)
        self.alpha = Color.clamp(alpha)
    }

    /// `"#rrggbb"`, `"#rrggbbaa"`, `"#rgb"` (the `#` is optional). Malformed strings give opaque black.
    public init(hex: String) {
        var s = Substring(hex.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("#") { s = s.dropFirst() }
        if s.count == 3 { s = Substring(s.map { "\($0)\($0)" }.joined()) }
        guard s.count == 6 || s.count == 8, let v = UInt64(s, radix: 16) else {
            self.init(red: 0, green: 0, blue: 0)
            return
        }
        if s.count == 6 {
            self.init(red: Double((v >> 16) & 0xff) / 255, green: Double((v >> 8) & 0xff) / 255,
                      blue: Double(v & 0xff) / 255)
        } else {
            self.init(red: Double((v >> 24) & 0xff) / 255, green: Double((v >> 16) & 0xff) / 255,
                      blue: Double((v >> 8) & 0xff) / 255, alpha: Double(v & 0xff) / 255)
        }
    }

    func withAlpha(_ a: Double) -> Color { Color(red: red, green: green, blue: blue, alpha: a) }

    /// Linear interpolation in sRGB (used only between adjacent colormap entries, 1/255 apart).
    func mixed(with other: Color, _ t: Double) -> Color {
        Color(red: red + (other.red - red) * t, green: green + (other.green - green) * t,
              blue: blue + (other.blue - blue) * t, alpha: alpha + (other.alpha - alpha) * t)
    }

    /// `#rrggbb` (alpha dropped), for alt text and debugging.
    var hexString: String {
        String(format: "#%02x%02x%02x", Int((red * 255).rounded()), Int((green * 255).rounded()),
               Int((blue * 255).rounded()))
    }

    private static func clamp(_ v: Double) -> Double { v.isNaN ? 0 : min(1, max(0, v)) }
}

/// Two renderings of the same figure: dark text on white, or light text on a near-black background.
public enum Theme: String, CaseIterable, Sendable {
    case light, dark
}

/// The colours a theme gives to every non-data element, and the qualitative cycle for series.
struct Palette {
    var background: Color
    var text: Color
    var spine: Color
    var tick: Color
    var grid: Color
    var legendBackground: Color
    var legendBorder: Color
    var marker: Color          // vertical markers without an explicit colour
    var missing: Color         // not used for data; NaN cells stay background
    var series: [Color]
    /// The stretch of viridis an ordered family of lines runs along (`ColorSpec.ramp`), from its
    /// first line (0, faint against the background) to its last (1, the strongest contrast).
    var ramp: (from: Double, to: Double) = (0.85, 0)

    func seriesColor(_ index: Int) -> Color { series[((index % series.count) + series.count) % series.count] }

    /// The colour at `t` in [0, 1] along the theme's ramp.
    func rampColor(_ t: Double) -> Color {
        let t = min(1, max(0, t))
        return Colormap.viridis.color(ramp.from + (ramp.to - ramp.from) * t)
    }

    static func forTheme(_ theme: Theme) -> Palette {
        switch theme {
        case .light:
            // matplotlib's tab10 order, which readers know; blue, orange, green, red stay distinct
            // for the common forms of colour-vision deficiency when combined with markers/dashes.
            return Palette(
                background: Color(hex: "#ffffff"), text: Color(hex: "#1f1f1f"), spine: Color(hex: "#3a3a3a"),
                tick: Color(hex: "#3a3a3a"), grid: Color(hex: "#e6e6e6"),
                legendBackground: Color(hex: "#ffffff").withAlpha(0.88), legendBorder: Color(hex: "#cfcfcf"),
                marker: Color(hex: "#555555"), missing: Color(hex: "#ffffff"),
                series: ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map(Color.init(hex:)))
        case .dark:
            // The same hues, lifted in lightness so each keeps contrast >= 4.5:1 on the background.
            var palette = Palette(
                background: Color(hex: "#15171c"), text: Color(hex: "#e8e8e8"), spine: Color(hex: "#a0a4ab"),
                tick: Color(hex: "#a0a4ab"), grid: Color(hex: "#2b2f37"),
                legendBackground: Color(hex: "#1d2027").withAlpha(0.9), legendBorder: Color(hex: "#454a54"),
                marker: Color(hex: "#b8bcc4"), missing: Color(hex: "#15171c"),
                series: ["#5ab0f0", "#ffa351", "#5fd35f", "#ff6b6b", "#c3a2ff",
                         "#d0a08a", "#f6a5db", "#c0c0c0", "#dede5a", "#4fdcec"].map(Color.init(hex:)))
            // On the dark background the ramp runs the other way: from blue to bright yellow.
            palette.ramp = (0.3, 1)
            return palette
        }
    }
}

/// A colour reference that is resolved against the theme when the figure is drawn.
enum ColorSpec {
    case explicit(Color)
    case cycle(Int)
    /// A position in [0, 1] along the theme's sequential ramp (`Palette.ramp`).
    case ramp(Double)

    func resolve(_ palette: Palette) -> Color {
        switch self {
        case .explicit(let c): return c
        case .cycle(let i): return palette.seriesColor(i)
        case .ramp(let t): return palette.rampColor(t)
        }
    }
}
