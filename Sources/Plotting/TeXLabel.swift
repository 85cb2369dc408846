import Foundation

/// A small TeX subset for figure text (titles, axis and legend labels, annotations), shaped by
/// our own text engine like any label: the parts between `$…$` are read as math, the rest is text.
///
/// In math: `^x` / `^{…}` superscripts and `_x` / `_{…}` subscripts (one level, set at 0.72 size),
/// Greek letters (`\alpha` … `\Omega`, `\varphi`, `\epsilon`), operators and relations (`\sum`,
/// `\prod`, `\int`, `\partial`, `\nabla`, `\infty`, `\cdot`, `\times`, `\pm`, `\leq`, `\geq`,
/// `\neq`, `\approx`, `\sim`, `\to`, `\ell`), accents on one letter (`\tilde f` → f̃, `\hat`,
/// `\bar`, `\dot`, `\vec`), `\sqrt`, `\,` and `\;` (thin and medium space), `\{` `\}`, and `-` as
/// a minus sign (U+2212). Braces group; `\mathrm{…}`, `\text{…}`, `\left` and `\right` keep their
/// content. Anything else (an unknown command) is kept as written, so nothing is lost. Letters stay
/// upright (DejaVu Sans has no math italic). `\$` is a dollar sign outside math.
enum TeXLabel {
    static let subscriptRise = -0.18

    /// The text as runs for the text engine; text without `$` is one plain run.
    static func richText(_ text: String) -> RichText {
        guard text.contains("$") else { return RichText(text) }
        var runs: [RichText.Run] = []
        func add(_ s: String, scale: Double = 1, rise: Double = 0) {
            guard !s.isEmpty else { return }
            if let last = runs.last, last.scale == scale, last.rise == rise {
                runs[runs.count - 1].text += s
            } else {
                runs.append(RichText.Run(text: s, scale: scale, rise: rise))
            }
        }
        var inMath = false
        var buffer = ""
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if c == "\\", chars.first == "$" {
                chars.removeFirst(); buffer.append("$"); continue
            }
            if c == "$" {
                if inMath { for run in math(buffer) { add(run.text, scale: run.scale, rise: run.rise) } } else { add(buffer) }
                buffer = ""
                inMath.toggle()
                continue
            }
            buffer.append(c)
        }
        // An unclosed `$` is a dollar sign.
        add(inMath ? "$" + buffer : buffer)
        return RichText(runs: runs.isEmpty ? [RichText.Run(text: "")] : runs)
    }

    /// The text with math set as plain Unicode (sub- and superscripts as Unicode characters where
    /// they exist), for alt text and data files.
    static func plain(_ text: String) -> String {
        guard text.contains("$") else { return text }
        return richText(text).runs.map { run in
            run.rise > 0 ? RichText.toSuperscript(run.text) : run.rise < 0 ? toSubscript(run.text) : run.text
        }.joined()
    }

    static let symbols: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
        "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
        "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
        "chi": "χ", "psi": "ψ", "omega": "ω",
        "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
        "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
        "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞", "cdot": "·",
        "times": "×", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠",
        "approx": "≈", "sim": "∼", "propto": "∝", "to": "→", "rightarrow": "→", "leftarrow": "←", "in": "∈",
        "ell": "ℓ", "sqrt": "√", "dots": "…", "ldots": "…", "cdots": "⋯", "circ": "∘", "log": "log", "exp": "exp",
        "sin": "sin", "cos": "cos", "max": "max", "min": "min",
        ",": "\u{2009}", ";": "\u{2005}", " ": " ", "{": "{", "}": "}", "%": "%", "#": "#", "&": "&", "_": "_",
        "|": "‖", "quad": "\u{2003}",
    ]
    static let accents: [String: String] = ["tilde": "\u{0303}", "hat": "\u{0302}", "bar": "\u{0304}", "dot": "\u{0307}", "vec": "\u{20D7}"]
    static let transparent: Set<String> = ["mathrm", "text", "mathit", "mathbf", "operatorname", "left", "right", "displaystyle"]

    /// One math span as runs: base text, superscripts and subscripts.
    static func math(_ tex: String) -> [RichText.Run] {
        var chars = Array(tex)[...]
        var runs: [RichText.Run] = []
        func append(_ s: String, _ scale: Double, _ rise: Double) {
            guard !s.isEmpty else { return }
            if let last = runs.last, last.scale == scale, last.rise == rise { runs[runs.count - 1].text += s }
            else { runs.append(RichText.Run(text: s, scale: scale, rise: rise)) }
        }
        /// Reads one atom: a command, a braced group, or a character, as text.
        func atom() -> String {
            guard let c = chars.popFirst() else { return "" }
            switch c {
            case "\\":
                if let next = chars.first, !next.isLetter {
                    chars.removeFirst()
                    return symbols[String(next)] ?? String(next)
                }
                var name = ""
                while let n = chars.first, n.isLetter { name.append(n); chars.removeFirst() }
                if let accent = accents[name] {
                    while chars.first == " " { chars.removeFirst() }
                    let base = atom()
                    return base.isEmpty ? accent : String(base.prefix(1)) + accent + base.dropFirst()
                }
                if transparent.contains(name) {
                    while chars.first == " " { chars.removeFirst() }
                    return chars.first == "{" ? atom() : ""
                }
                if name == "frac" {
                    let top = atom(), bottom = atom()
                    return "\(top)/\(bottom)"
                }
                return symbols[name] ?? "\\" + name
            case "{":
                var depth = 1, inner = ""
                while let n = chars.popFirst() {
                    if n == "{" { depth += 1 }
                    if n == "}" { depth -= 1; if depth == 0 { break } }
                    inner.append(n)
                }
                return math(inner).map(\.text).joined()
            case "-": return "\u{2212}"
            case " ": return ""  // spaces in math are ignored, as in TeX
            default: return String(c)
            }
        }
        while !chars.isEmpty {
            let c = chars.first!
            if c == "^" || c == "_" {
                chars.removeFirst()
                let text = atom()
                append(text, RichText.superscriptScale, c == "^" ? RichText.superscriptRise : subscriptRise)
            } else {
                append(atom(), 1, 0)
            }
        }
        return runs
    }

    static func toSubscript(_ s: String) -> String {
        let map: [Character: String] = [
            "0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇", "8": "₈", "9": "₉",
            "\u{2212}": "₋", "-": "₋", "+": "₊", "=": "₌", "(": "₍", ")": "₎",
            "a": "ₐ", "e": "ₑ", "h": "ₕ", "i": "ᵢ", "j": "ⱼ", "k": "ₖ", "l": "ₗ", "m": "ₘ", "n": "ₙ", "o": "ₒ",
            "p": "ₚ", "r": "ᵣ", "s": "ₛ", "t": "ₜ", "u": "ᵤ", "v": "ᵥ", "x": "ₓ",
        ]
        return s.map { map[$0] ?? String($0) }.joined()
    }
}
