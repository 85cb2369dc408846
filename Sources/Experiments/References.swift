import Foundation
import Yams

/// A paper a report cites, declared in the front matter's `references:` list. The site shows the
/// list on the report page and the index, links `[@key]` citations in the prose to it, and offers
/// it as BibTeX.
public struct Reference: Sendable, Equatable, Codable {
    /// The citation key: `[@key]` in the prose, the BibTeX key in the download.
    public var key: String
    /// BibTeX entry type: article, inproceedings, book, misc.
    public var type: String
    /// "Last, First" each.
    public var authors: [String]
    public var title: String
    public var year: Int
    /// The journal (article) or the proceedings (inproceedings); publisher for a book.
    public var venue: String?
    public var url: String?
    public var doi: String?
    public var note: String?

    static let types = ["article", "inproceedings", "book", "misc"]
    static let keys = ["key", "type", "authors", "title", "year", "venue", "url", "doi", "note"]

    /// Safe keys: they become HTML ids (`ref-KEY`) and BibTeX keys.
    static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.count <= 100
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_:.".contains($0)) }
    }

    /// "Fang & Xu, 2024", "Rahaman et al., 2019": the label of a citation link.
    public var shortCitation: String {
        let surnames = authors.map { name -> String in
            let s = name.split(separator: ",", maxSplits: 1).first.map(String.init) ?? name
            return s.trimmingCharacters(in: .whitespaces)
        }
        let who: String
        switch surnames.count {
        case 0: who = title
        case 1: who = surnames[0]
        case 2: who = "\(surnames[0]) & \(surnames[1])"
        default: who = "\(surnames[0]) et al."
        }
        return "\(who), \(year)"
    }

    /// Reads the `references` list of the front matter; problems go to `reader`.
    static func readList(_ node: Node, keyPath: String, reader: SpecReader) -> [Reference] {
        guard case .sequence(let items) = node else {
            reader.report(node, keyPath, "expected a list of references ({key, authors, title, year, ...}), found \(node.kindDescription)")
            return []
        }
        var out: [Reference] = []
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "\(keyPath)[\(i)]"
            guard let map = MappingReader(item, keyPath: path, reader: reader) else { continue }
            map.checkKeys(keys)
            let key = map.string("key") ?? ""
            if !key.isEmpty, !isValidKey(key) {
                reader.report(map["key"], map.path("key"), "the key '\(key)' may use letters, digits, '-', '_', ':' and '.' only")
                continue
            }
            if let earlier = seen[key] {
                reader.report(map["key"], map.path("key"), "the key '\(key)' is already used by reference \(earlier)")
                continue
            }
            seen[key] = i
            var authors: [String] = []
            if let a = map.required("authors") {
                switch a {
                case .scalar(let s): authors = s.string.components(separatedBy: " and ").map { $0.trimmingCharacters(in: .whitespaces) }
                case .sequence(let list):
                    for (j, n) in list.enumerated() {
                        if case .scalar(let s) = n { authors.append(s.string) } else {
                            reader.report(n, map.path("authors[\(j)]"), "expected a name (\"Last, First\"), found \(n.kindDescription)")
                        }
                    }
                default: reader.report(a, map.path("authors"), "expected a list of names (\"Last, First\"), found \(a.kindDescription)")
                }
            }
            let title = map.string("title") ?? ""
            let year = map.int("year", minimum: 0) ?? 0
            let type = map.string("type", default: "inproceedings", oneOf: types) ?? "inproceedings"
            let venue = map.string("venue", default: "")
            let url = map.string("url", default: "")
            if let url, !url.isEmpty, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
                reader.report(map["url"], map.path("url"), "expected an http:// or https:// address, found '\(url)'")
            }
            let doi = map.string("doi", default: "")
            let note = map.string("note", default: "")
            func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }
            out.append(Reference(key: key, type: type, authors: authors, title: title, year: year, venue: nonEmpty(venue),
                                 url: nonEmpty(url), doi: nonEmpty(doi), note: nonEmpty(note)))
        }
        return out
    }

    /// The `[@key]` citations of a prose chunk, with their line (1-based within the chunk),
    /// outside code spans and fenced code.
    public static func citations(in prose: String) -> [(key: String, line: Int)] {
        var found: [(String, Int)] = []
        var inFence = false
        for (n, line) in prose.components(separatedBy: "\n").enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("```") || t.hasPrefix("~~~") { inFence.toggle(); continue }
            if inFence { continue }
            var inCode = false
            var chars = Array(line)
            var i = 0
            while i < chars.count {
                if chars[i] == "`" { inCode.toggle(); i += 1; continue }
                if !inCode, chars[i] == "[", i + 1 < chars.count, chars[i + 1] == "@",
                   let close = chars[(i + 2)...].firstIndex(of: "]") {
                    found.append((String(chars[(i + 2)..<close]), n + 1))
                    i = close + 1
                    continue
                }
                i += 1
            }
            chars.removeAll()
        }
        return found
    }

    /// The entry as BibTeX (fields in a fixed order; braces protect the title's capitals).
    public var bibtex: String {
        func field(_ name: String, _ value: String?) -> String? {
            guard let value, !value.isEmpty else { return nil }
            return "  \(name) = {\(Self.bibEscape(value))}"
        }
        let venueField = type == "article" ? "journal" : (type == "book" ? "publisher" : (type == "misc" ? "howpublished" : "booktitle"))
        let fields = [
            field("author", authors.joined(separator: " and ")),
            "  title = {{\(Self.bibEscape(title))}}",
            field(venueField, venue),
            "  year = {\(year)}",
            field("doi", doi),
            field("url", url),
            field("note", note),
        ].compactMap { $0 }
        return "@\(type){\(key),\n" + fields.joined(separator: ",\n") + "\n}\n"
    }

    /// Escapes what BibTeX and LaTeX would misread in a field (braces are balanced by escaping them).
    static func bibEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "{", "}", "%", "&", "#", "$", "_": out += "\\\(ch)"
            case "\\": out += "\\textbackslash{}"
            default: out.append(ch)
            }
        }
        return out
    }
}
