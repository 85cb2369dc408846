import Experiments
import Foundation

/// A declared table as paper-ready text: LaTeX (booktabs) and Markdown (a GFM pipe table), beside
/// the CSV. Both carry the same numbers as the page, in the same rounding.
enum TableExport {
    static func latexPath(_ table: String) -> String { "tables/\(table).tex" }
    static func markdownPath(_ table: String) -> String { "tables/\(table).md" }

    /// A `table` float with a booktabs `tabular`: a column per metric, or, when the paper gives
    /// values, a pair "ours | paper" under each metric with a `\cmidrule`. Needs
    /// `\usepackage{booktabs}`. A failed run's row says so across its columns.
    static func latex(_ table: TableRecipes.Table, spec: TableSpec, report: String) -> String {
        let paper = table.hasPaper
        let perMetric = paper ? 2 : 1
        let count = table.columns.count * perMetric
        var lines = [
            "% Table \(spec.name) of the report \(report), written by mgdl-report.",
            "% Needs \\usepackage{booktabs} in the preamble.",
            "\\begin{table}",
            "  \\centering",
        ]
        if table.timesLeftOut { lines.insert("% " + TableRecipes.timesNote, at: 2) }
        var caption = spec.caption
        if let source = table.source, paper { caption += " Published values: \(source)." }
        if !caption.isEmpty { lines.append("  \\caption{\(latexEscape(caption))}") }
        lines.append("  \\label{tab:\(spec.name)}")
        lines.append("  \\begin{tabular}{l" + String(repeating: "r", count: count) + "}")
        lines.append("    \\toprule")
        if paper {
            lines.append("    " + ([latexEscape(TableRecipes.rowHeader(spec))] + table.columns.map { "\\multicolumn{2}{c}{\(latexEscape($0))}" }).joined(separator: " & ") + " \\\\")
            lines.append("    " + table.columns.indices.map { "\\cmidrule(lr){\($0 * 2 + 2)-\($0 * 2 + 3)}" }.joined(separator: " "))
            lines.append("    " + ([""] + table.columns.flatMap { _ in ["ours", "paper"] }).joined(separator: " & ") + " \\\\")
        } else {
            lines.append("    " + ([latexEscape(TableRecipes.rowHeader(spec))] + table.columns.map(latexEscape)).joined(separator: " & ") + " \\\\")
        }
        lines.append("    \\midrule")
        for row in table.rows {
            if let failure = row.failure {
                let span = max(1, count)
                lines.append("    \(latexEscape(row.label)) & \\multicolumn{\(span)}{l}{\\emph{\(latexEscape(failure))}} \\\\")
                continue
            }
            var cells = [latexEscape(row.label)]
            for cell in row.cells {
                cells.append(cell.ours.map { latexNumber($0, metric: cell.metric) } ?? "--")
                if paper { cells.append(cell.paper.map { latexNumber($0, metric: cell.metric) } ?? "") }
            }
            lines.append("    " + cells.joined(separator: " & ") + " \\\\")
        }
        lines += ["    \\bottomrule", "  \\end{tabular}", "\\end{table}", ""]
        return lines.joined(separator: "\n")
    }

    /// `1.23e-04` → `$1.23 \times 10^{-4}$`; PSNR in decibels with two decimals.
    static func latexNumber(_ value: Double, metric: String) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "$\\infty$" : "$-\\infty$") }
        if metric.hasSuffix("psnr") { return "$" + String(format: "%.2f", value) + "$" }
        let text = String(format: "%.2e", value)
        let parts = text.split(separator: "e")
        guard parts.count == 2, let exponent = Int(parts[1]) else { return "$\(text)$" }
        return exponent == 0 ? "$\(parts[0])$" : "$\(parts[0]) \\times 10^{\(exponent)}$"
    }

    /// Escapes LaTeX's special characters; the Unicode minus and times become math.
    static func latexEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(ch)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "−": out += "$-$"
            case "×": out += "$\\times$"
            case "÷": out += "$\\div$"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A GFM pipe table with the caption above; paper values in their own columns.
    static func markdown(_ table: TableRecipes.Table, spec: TableSpec) -> String {
        let paper = table.hasPaper
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var header = [TableRecipes.rowHeader(spec)]
        for column in table.columns { header.append(column); if paper { header.append("\(column), paper") } }
        var lines: [String] = []
        var caption = spec.caption
        if let source = table.source, paper { caption += " Published values: \(source)." }
        lines.append("Table \(spec.name). \(caption)".trimmingCharacters(in: .whitespaces))
        lines.append("")
        lines.append("| " + header.map(cell).joined(separator: " | ") + " |")
        lines.append("|:---|" + String(repeating: "---:|", count: header.count - 1))
        for row in table.rows {
            var cells = [cell(row.label)]
            if let failure = row.failure {
                cells.append(cell(failure))
                cells += Array(repeating: "", count: max(0, header.count - 2))
            } else {
                for c in row.cells {
                    cells.append(c.text ?? TableRecipes.text(c) ?? "–")
                    if paper { cells.append(c.paper.map { TableRecipes.format($0, metric: c.metric) } ?? "") }
                }
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        if table.timesLeftOut { lines += ["", TableRecipes.timesNote] }
        return lines.joined(separator: "\n") + "\n"
    }
}
