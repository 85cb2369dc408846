import Experiments
import Foundation
import Ink

/// The report's prose to HTML: TeX math and citations are taken out before Ink sees the Markdown
/// (Ink would read `_` and `*` inside formulas as emphasis and `\\` as escapes), and put back
/// after, as elements the page's KaTeX script renders:
/// - `$…$` → `<span class="math math-inline">TeX</span>`, `$$…$$` (also over several lines) →
///   `<div class="math math-display">TeX</div>` (or a span inside a paragraph). The TeX is
///   HTML-escaped, so without script the reader sees the formula's source, never markup.
/// - `[@key]` → "(Fang & Xu, 2024)", linked to the reference list (`#ref-key`).
/// - `{{metric of run}}` → the number this build computed (``ProseValue``), as the HTML `value`
///   gives; without `value` the braces stay text.
/// Code (fenced blocks and `code spans`) is left exactly as written; `\$` is a literal dollar.
/// A `$` opens inline math only when followed by a non-space and closes only when preceded by a
/// non-space and not followed by a digit (Pandoc's rule), so "costs $5 and $6" stays text.
struct ProseMarkup {
    var references: [Reference] = []
    /// The HTML of a built value (nil: `{{…}}` is left as written).
    var value: ((ProseValue) -> String)? = nil

    struct Result {
        let html: String
        let hasMath: Bool
    }

    private struct Protected {
        var markdown = ""
        var math: [(tex: String, display: Bool)] = []
        var values: [String] = []
    }

    static func token(_ i: Int) -> String { "MGDLMATHTOKEN\(i)Z" }
    static func valueToken(_ i: Int) -> String { "MGDLVALUETOKEN\(i)Z" }

    func render(_ markdown: String, ids: HeadingIDs = HeadingIDs()) -> Result {
        let protected = protect(Self.joiningCodeLines(markdown))
        var html = ids.addIDs(to: MarkdownParser().html(from: protected.markdown))
        for (i, item) in protected.math.enumerated().reversed() {
            let token = Self.token(i)
            let tex = escapeHTML(item.tex)
            if item.display {
                html = html.replacingOccurrences(of: "<p>\(token)</p>", with: "<div class=\"math math-display\">\(tex)</div>")
                html = html.replacingOccurrences(of: token, with: "<span class=\"math math-display\">\(tex)</span>")
            } else {
                html = html.replacingOccurrences(of: token, with: "<span class=\"math math-inline\">\(tex)</span>")
            }
        }
        for (i, value) in protected.values.enumerated().reversed() {
            html = html.replacingOccurrences(of: Self.valueToken(i), with: value)
        }
        return Result(html: html, hasMath: !protected.math.isEmpty)
    }

    /// Ink ends a paragraph at a line that starts with a code span (its paragraph reader stops
    /// before a newline followed by a backtick), which Markdown does not: such a line is joined
    /// to the paragraph line above it with a space. Fenced code, headings, blank lines and the
    /// fences themselves are left as they are.
    static func joiningCodeLines(_ markdown: String) -> String {
        var lines: [String] = []
        var fence: String? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.drop { $0 == " " }
            let opener = String(trimmed.prefix(3))
            if opener == "```" || opener == "~~~" {
                if fence == nil { fence = opener } else if fence == opener { fence = nil }
                lines.append(line)
                continue
            }
            if fence == nil, line.hasPrefix("`"), let previous = lines.last,
               !previous.trimmingCharacters(in: .whitespaces).isEmpty, !previous.hasPrefix("#"),
               !previous.hasPrefix("    "), !["|", "```", "~~~"].contains(where: { previous.trimmingCharacters(in: .whitespaces).hasPrefix($0) }) {
                lines[lines.count - 1] = previous + " " + line
                continue
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Whether the Markdown has any math outside code.
    static func hasMath(_ markdown: String) -> Bool { !ProseMarkup().protect(markdown).math.isEmpty }

    private func protect(_ markdown: String) -> Protected {
        var out = Protected()
        let chars = Array(markdown)
        var i = 0
        var atLineStart = true
        var inFence: String? = nil
        func emit(_ c: Character) { out.markdown.append(c); atLineStart = c == "\n" }
        while i < chars.count {
            // Fenced code: copy lines verbatim until the closing fence.
            if atLineStart {
                var j = i
                while j < chars.count, chars[j] == " " { j += 1 }
                let rest = chars[j...].prefix(3)
                if rest.count == 3, rest.allSatisfy({ $0 == "`" }) || rest.allSatisfy({ $0 == "~" }) {
                    let fence = String(rest)
                    if inFence == nil { inFence = fence } else if inFence == fence { inFence = nil }
                    while i < chars.count, chars[i] != "\n" { emit(chars[i]); i += 1 }
                    if i < chars.count { emit(chars[i]); i += 1 }
                    continue
                }
            }
            if inFence != nil {
                emit(chars[i]); i += 1
                continue
            }
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" {
                // An escaped dollar stays an escaped dollar for Ink (which prints "$").
                emit("\\"); emit("$"); i += 2
                continue
            }
            if c == "`" {
                // A code span: the same number of backticks closes it.
                var n = 0
                while i + n < chars.count, chars[i + n] == "`" { n += 1 }
                var j = i + n
                var close: Int? = nil
                while j < chars.count {
                    if chars[j] == "`" {
                        var m = 0
                        while j + m < chars.count, chars[j + m] == "`" { m += 1 }
                        if m == n { close = j; break }
                        j += m
                    } else { j += 1 }
                }
                let end = close.map { $0 + n } ?? (i + n)
                for k in i..<end { emit(chars[k]) }
                i = end
                continue
            }
            if c == "$" {
                if i + 1 < chars.count, chars[i + 1] == "$" {
                    // Display math up to the next `$$`.
                    if let close = find(chars, "$$", from: i + 2) {
                        let tex = String(chars[(i + 2)..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
                        if !tex.isEmpty {
                            out.markdown += Self.token(out.math.count)
                            out.math.append((tex, true))
                            atLineStart = false
                            i = close + 2
                            continue
                        }
                    }
                } else if i + 1 < chars.count, !chars[i + 1].isWhitespace {
                    // Inline math: the next unescaped `$` on the same paragraph line.
                    var j = i + 1
                    var close: Int? = nil
                    while j < chars.count, chars[j] != "\n" {
                        if chars[j] == "\\" { j += 2; continue }
                        if chars[j] == "$" {
                            let before = chars[j - 1]
                            let after: Character? = j + 1 < chars.count ? chars[j + 1] : nil
                            if !before.isWhitespace, !(after?.isNumber ?? false) { close = j }
                            break
                        }
                        j += 1
                    }
                    if let close, close > i + 1 {
                        out.markdown += Self.token(out.math.count)
                        out.math.append((String(chars[(i + 1)..<close]), false))
                        atLineStart = false
                        i = close + 1
                        continue
                    }
                }
            }
            if c == "{", let value, i + 1 < chars.count, chars[i + 1] == "{",
               let close = ProseValue.closingBraces(chars, from: i + 2),
               case .success(let parsed) = ProseValue.parse(String(chars[(i + 2)..<close]).trimmingCharacters(in: .whitespaces)) {
                out.markdown += Self.valueToken(out.values.count)
                out.values.append(value(parsed))
                atLineStart = false
                i = close + 2
                continue
            }
            if c == "[", i + 1 < chars.count, chars[i + 1] == "@", let close = chars[(i + 2)...].firstIndex(of: "]"),
               let reference = references.first(where: { $0.key == String(chars[(i + 2)..<close]) }) {
                out.markdown += "([\(reference.shortCitation)](#ref-\(reference.key)))"
                atLineStart = false
                i = close + 1
                continue
            }
            emit(c)
            i += 1
        }
        return out
    }

    private func find(_ chars: [Character], _ needle: String, from start: Int) -> Int? {
        let n = Array(needle)
        var i = start
        while i + n.count <= chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if Array(chars[i..<(i + n.count)]) == n { return i }
            i += 1
        }
        return nil
    }

    private func escapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// Gives every `<h1>`…`<h6>` of a page's prose an id from its text (`sec-results`,
/// `sec-results-2`, …), unique across the chunks of one page, so search results and readers can
/// link to a section. Ids never collide with the page's own (`figure-`, `table-`, `run-`, `ref-`).
final class HeadingIDs {
    private var used: Set<String> = []
    /// (level, id, text) of every heading seen, in order.
    private(set) var headings: [(level: Int, id: String, text: String)] = []

    static func slug(_ text: String) -> String {
        var out = ""
        var dash = false
        for ch in text.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch); dash = false }
            else if !dash && !out.isEmpty { out.append("-"); dash = true }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return String(out.prefix(60))
    }

    func addIDs(to html: String) -> String {
        var out = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<h") {
            let after = rest[open.upperBound...]
            guard let level = after.first?.wholeNumberValue, (1...6).contains(level),
                  after.dropFirst().first == ">",
                  let close = after.range(of: "</h\(level)>") else {
                out += rest[..<open.upperBound]
                rest = rest[open.upperBound...]
                continue
            }
            let inner = after[after.index(after.startIndex, offsetBy: 2)..<close.lowerBound]
            let text = SearchIndex.plainText(String(inner))
            var id = "sec-" + (Self.slug(text).isEmpty ? "section" : Self.slug(text))
            if used.contains(id) {
                var n = 2
                while used.contains("\(id)-\(n)") { n += 1 }
                id = "\(id)-\(n)"
            }
            used.insert(id)
            headings.append((level, id, text))
            out += rest[..<open.lowerBound]
            out += "<h\(level) id=\"\(id)\">\(inner)</h\(level)>"
            rest = after[close.upperBound...]
        }
        out += rest
        return out
    }
}
