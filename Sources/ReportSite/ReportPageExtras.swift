import Experiments
import Foundation

/// The report page's math, references and search additions (kept apart from `ReportPage.swift`).
extension ReportPage {
    var bibtexPath: String { "\(report.id).bib" }

    /// Whether any prose chunk has TeX math (the page then loads KaTeX).
    var hasMath: Bool {
        report.segments.contains { if case .prose(let md) = $0 { return ProseMarkup.hasMath(md) } else { return false } }
    }

    /// Every reference as BibTeX, in declaration order.
    func bibtex() -> String {
        "% References of the report \(report.id), written by mgdl-report.\n\n"
            + report.references.map(\.bibtex).joined(separator: "\n")
    }

    static func referenceContext(_ r: Reference) -> [String: Any] {
        var c: [String: Any] = [
            "key": r.key, "title": r.title, "year": "\(r.year)", "short": r.shortCitation,
            "authors": authorList(r.authors),
        ]
        if let v = r.venue { c["venue"] = v }
        if let v = r.doi { c["doi"] = v; c["doiHref"] = "https://doi.org/\(v)" }
        if let v = r.url { c["url"] = v; c["urlText"] = v.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "") }
        if let v = r.note { c["note"] = v }
        return c
    }

    /// "Fang, S. and Xu, Y." → "S. Fang and Y. Xu"; three or more with commas.
    static func authorList(_ authors: [String]) -> String {
        let names = authors.map { name -> String in
            let parts = name.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? "\(parts[1]) \(parts[0])" : name
        }
        switch names.count {
        case 0: return ""
        case 1: return names[0]
        case 2: return "\(names[0]) and \(names[1])"
        default: return names.dropLast().joined(separator: ", ") + ", and " + names.last!
        }
    }

    func extraContext() -> [String: Any] {
        var c: [String: Any] = ["hasMath": hasMath, "hasReferences": !report.references.isEmpty]
        if !report.references.isEmpty {
            c["references"] = report.references.map(Self.referenceContext)
            c["bibtex"] = bibtexPath
        }
        return c
    }

    func extraIndexEntry() -> [String: Any] {
        guard !report.references.isEmpty else { return [:] }
        return [
            "hasReferences": true,
            "references": report.references.map { r -> [String: Any] in
                var c = Self.referenceContext(r)
                c["href"] = "\(report.id)/index.html#ref-\(r.key)"
                return c
            },
            "bibtex": "\(report.id)/\(bibtexPath)",
        ]
    }
}
