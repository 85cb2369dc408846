import Experiments
import Foundation

/// The site's offline search: every report's sections (prose split at its headings), figure and
/// table captions, experiments with their run names, and references, written at build time as
/// `search-data.js` (a script, since pages opened from `file://` cannot fetch JSON). `search.js`
/// indexes those documents with lunr (Debian's libjs-lunr, copied to `lunr/`) when the search
/// page opens and ranks them; without script, `search.html` lists every report and section.
enum SearchIndex {
    struct Document: Codable {
        /// Report title, section title, link (relative to the site root), kind, text.
        let r: String
        let t: String
        let h: String
        let k: String
        let x: String
    }

    /// The documents of one report, in page order.
    static func documents(for page: ReportPage) -> [Document] {
        let report = page.report
        let base = "\(report.id)/index.html"
        var docs: [Document] = []
        var lead = [report.summary]
        lead += report.references.map { "\(ReportPage.authorList($0.authors)) \($0.year) \($0.title) \($0.venue ?? "")" }
        docs.append(Document(r: report.title, t: report.title, h: base, k: "report", x: lead.joined(separator: " ")))
        let ids = HeadingIDs()
        var current = (title: report.title, href: base)
        var buffer = ""
        func flush() {
            let text = buffer.trimmingCharacters(in: .whitespacesAndNewlines)
            // A heading is a document even with no prose under it (the no-script list shows every section).
            if !text.isEmpty || current.href.contains("#") {
                docs.append(Document(r: report.title, t: current.title, h: current.href, k: "section", x: text))
            }
            buffer = ""
        }
        for segment in report.segments {
            switch segment {
            case .prose(let markdown):
                let html = page.proseHTML(markdown, ids: ids)
                // Split at the headings this chunk introduced.
                var rest = Substring(html)
                while let open = rest.range(of: "<h"), let idStart = rest[open.upperBound...].range(of: " id=\""),
                      idStart.lowerBound == rest.index(open.upperBound, offsetBy: 1, limitedBy: rest.endIndex),
                      let idEnd = rest[idStart.upperBound...].firstIndex(of: "\""),
                      let closeTag = rest[idEnd...].range(of: "</h") {
                    buffer += " " + plainText(String(rest[..<open.lowerBound]))
                    flush()
                    let id = String(rest[idStart.upperBound..<idEnd])
                    let titleStart = rest[idEnd...].firstIndex(of: ">").map { rest.index(after: $0) } ?? idEnd
                    current = (plainText(String(rest[titleStart..<closeTag.lowerBound])), "\(base)#\(id)")
                    rest = rest[closeTag.upperBound...]
                    if let gt = rest.firstIndex(of: ">") { rest = rest[rest.index(after: gt)...] }
                }
                buffer += " " + plainText(String(rest))
            case .figure(let name):
                guard let spec = report.figures.first(where: { $0.name == name }) else { continue }
                let alt = page.figures[name]?.altText ?? ""
                docs.append(Document(r: report.title, t: "Figure \(name)", h: "\(base)#figure-\(name)", k: "figure",
                                     x: [spec.caption, spec.runs.joined(separator: " "), alt].joined(separator: " ")))
            case .table(let name):
                guard let spec = report.tables.first(where: { $0.name == name }) else { continue }
                docs.append(Document(r: report.title, t: "Table \(name)", h: "\(base)#table-\(name)", k: "table",
                                     x: [spec.caption, spec.paperSource ?? "", spec.runs.joined(separator: " ")].joined(separator: " ")))
            case .claim(let name):
                guard let spec = report.claims.first(where: { $0.name == name }) else { continue }
                docs.append(Document(r: report.title, t: "Claim \(name)", h: "\(base)#claim-\(name)", k: "claim",
                                     x: [spec.statement, spec.source ?? "", spec.run, spec.than ?? ""].joined(separator: " ")))
            case .experiment(let name):
                let members = report.experiments.filter { $0.group == name }
                var words = [name]
                for spec in members {
                    words.append(spec.name)
                    if !spec.label.isEmpty { words.append(spec.label) }
                }
                words += RunPage.summaryRows(members).map { "\($0["key"] ?? "") \($0["value"] ?? "")" }
                docs.append(Document(r: report.title, t: "Experiment \(name)", h: "\(base)#run-\(name)", k: "experiment",
                                     x: words.joined(separator: " ")))
                for spec in members where members.count > 1 || spec.name != name {
                    docs.append(Document(r: report.title, t: "Run \(spec.name)", h: "\(report.id)/\(ReportPage.runPage(spec.name))",
                                         k: "run", x: "\(spec.name) \(spec.label)"))
                }
            }
        }
        flush()
        return docs
    }

    /// `search-data.js`: `window.mgdlSearchDocs = [...]` (sorted keys, one document per line).
    static func script(for entries: [SiteEntry]) throws -> String {
        let encoder = JSONEncoder.sorted
        encoder.outputFormatting.insert(.withoutEscapingSlashes)
        var lines: [String] = []
        for entry in entries {
            for doc in entry.docs {
                lines.append(String(decoding: try encoder.encode(doc), as: UTF8.self))
            }
        }
        // `</script` cannot occur: the data is a separate file, not inline.
        return "// The documents of the site search, written by mgdl-report; indexed by search.js with lunr.\n"
            + "window.mgdlSearchDocs = [\n" + lines.joined(separator: ",\n") + "\n];\n"
    }

    /// The search page's no-script list: every report and its sections.
    static func pageContext(for entries: [SiteEntry]) -> [[String: Any]] {
        entries.map { entry -> [String: Any] in
            let sections = entry.docs.filter { $0.k == "section" && $0.h.contains("#") }
            return ["title": entry.title, "href": "\(entry.id)/index.html",
                    "hasSections": !sections.isEmpty, "sections": sections.map { ["title": $0.t, "href": $0.h] }]
        }
    }

    /// Tags removed, the common entities decoded, whitespace collapsed.
    static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" "); continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: char)
        }
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// Third-party scripts the site copies from Debian packages: KaTeX (libjs-katex, fonts-katex)
/// for math and lunr (libjs-lunr) for search. Both are MIT-licensed; their copyright files go
/// beside them. The folders can be overridden with MGDL_KATEX_DIR and MGDL_LUNR_DIR.
enum SiteAssets {
    static var katexDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["MGDL_KATEX_DIR"] ?? "/usr/share/javascript/katex")
    }
    static var lunrDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["MGDL_LUNR_DIR"] ?? "/usr/share/javascript/lunr")
    }

    /// `katex/katex.min.js`, `katex/katex.min.css` and the WOFF2 fonts it names (every browser
    /// that runs KaTeX reads WOFF2; the stylesheet's WOFF and TTF fallbacks are never fetched).
    static func copyKaTeX(to site: URL) throws {
        let source = katexDirectory
        let target = site.appendingPathComponent("katex")
        let missing = "math in the prose needs KaTeX: install Debian's libjs-katex (scripts/setup.sh) or set MGDL_KATEX_DIR"
        for name in ["katex.min.js", "katex.min.css"] {
            guard let data = try? Data(contentsOf: source.appendingPathComponent(name)) else {
                throw BuildError(step: "write site", path: source.appendingPathComponent(name).path, message: missing)
            }
            try write(data, to: target.appendingPathComponent(name), step: "write site")
        }
        let fonts = source.appendingPathComponent("fonts")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: fonts.path)) ?? []).filter { $0.hasSuffix(".woff2") }.sorted()
        guard !names.isEmpty else { throw BuildError(step: "write site", path: fonts.path, message: missing + " (no fonts)") }
        for name in names {
            // Read through the symlink Debian installs (fonts -> ../../fonts/truetype/katex).
            try write(Data(contentsOf: fonts.appendingPathComponent(name)), to: target.appendingPathComponent("fonts/\(name)"), step: "write site")
        }
        if let copyright = try? Data(contentsOf: URL(fileURLWithPath: "/usr/share/doc/libjs-katex/copyright")) {
            try write(copyright, to: target.appendingPathComponent("COPYRIGHT.txt"), step: "write site")
        }
    }

    static func copyLunr(to site: URL) throws {
        let file = lunrDirectory.appendingPathComponent("lunr.min.js")
        guard let data = try? Data(contentsOf: file) else {
            throw BuildError(step: "write site", path: file.path,
                             message: "search needs lunr: install Debian's libjs-lunr (scripts/setup.sh) or set MGDL_LUNR_DIR")
        }
        try write(data, to: site.appendingPathComponent("lunr/lunr.min.js"), step: "write site")
        if let copyright = try? Data(contentsOf: URL(fileURLWithPath: "/usr/share/doc/libjs-lunr/copyright")) {
            try write(copyright, to: site.appendingPathComponent("lunr/COPYRIGHT.txt"), step: "write site")
        }
    }

    /// Everything beyond the pages: KaTeX when a page has math, and the search page, its data
    /// and lunr when the template folder has `search.mustache` (a custom folder without it gets
    /// no search).
    static func writeExtras(entries: [SiteEntry], templates: SiteTemplates, context: [String: Any], to site: URL) throws {
        if entries.contains(where: \.hasMath) { try copyKaTeX(to: site) }
        guard templates.library.getTemplate(named: "search") != nil else { return }
        var c = context
        c["title"] = "Search"
        c["root"] = ""
        c["reports"] = SearchIndex.pageContext(for: entries)
        try write(templates.render(c, template: "search"), to: site.appendingPathComponent("search.html"), step: "pages")
        try write(SearchIndex.script(for: entries), to: site.appendingPathComponent("search-data.js"), step: "pages")
        try copyLunr(to: site)
    }
}
