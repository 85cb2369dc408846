import Foundation
import Yams

/// The papers' map (`reports/papers.yml`): for each paper the site reproduces, every experiment,
/// figure and table it publishes, what the paper found there, and where our reports show it (the
/// figures, tables and claims of a report) or why they do not. The site's `papers.html` renders
/// it with the verdicts of the claims it names, so a reader sees, item by item, what each paper
/// found, whether our runs reproduce it, and what is not covered. See `docs/report-format.md`,
/// *The papers' map*.
public struct PaperMap: Sendable {
    public static let fileName = "papers.yml"

    public struct Paper: Sendable {
        public let key: String
        public let title: String
        /// How the page names it in lists, e.g. "Rahaman et al. (2019)".
        public let short: String
        public let authors: String
        public let venue: String
        public let year: Int
        public let url: String?
        /// One paragraph: what the paper is about and found overall.
        public let summary: String
        public let items: [Item]
    }

    /// One experiment, figure or table of a paper.
    public struct Item: Sendable {
        /// The paper's name for it, e.g. "Fig. 1a/1b" or "Table 3, Text".
        public let label: String
        /// What the paper found there, in one or two sentences.
        public let finding: String
        /// Where our reports show it: `report`, or `report#figure-NAME`, `#table-NAME`, `#claim-NAME`.
        public let shown: [Anchor]
        /// Why it is not shown, or what of it is not (with `shown`: shown in part).
        public let missing: String?
    }

    /// A place on a report page: the report, and a figure, table or claim of it (the page's own
    /// element ids, `figure-NAME`, `table-NAME`, `claim-NAME`), or the report as a whole.
    public struct Anchor: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case figure, table, claim }
        public let report: String
        public let kind: Kind?
        public let name: String?

        /// The fragment of the report page, e.g. `figure-loss`; nil for the whole report.
        public var fragment: String? { kind.map { "\($0.rawValue)-\(name!)" } }

        /// Parses `report` or `report#kind-name`; nil (with the reason) when malformed.
        static func parse(_ text: String) -> (Anchor?, String?) {
            let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let report = parts[0]
            guard ReportLoader.isSafeName(report) else { return (nil, "'\(text)': '\(report)' is not a report name") }
            guard parts.count == 2 else { return (Anchor(report: report, kind: nil, name: nil), nil) }
            for kind in Kind.allCases where parts[1].hasPrefix(kind.rawValue + "-") {
                let name = String(parts[1].dropFirst(kind.rawValue.count + 1))
                if !name.isEmpty { return (Anchor(report: report, kind: kind, name: name), nil) }
            }
            return (nil, "'\(text)': after '#' write figure-NAME, table-NAME or claim-NAME")
        }
    }

    public let papers: [Paper]

    /// Reads `papers.yml` of the reports folder and checks every anchor: the report must exist
    /// and, when it is among `reports` (those loaded; `--only` loads fewer), have the figure,
    /// table or claim named. Returns nil without problems when the folder has no map.
    public static func load(directory: URL, reports: [Report], displayRoot: URL? = nil) -> (PaperMap?, [SpecProblem]) {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, []) }
        let display = ReportLoader.displayPath(url, root: displayRoot)
        let text: String
        switch TextFile.read(url) {
        case .success(let read): text = read
        case .failure(let problem):
            return (nil, [SpecProblem(file: display, line: problem.line, column: problem.column, keyPath: "", message: problem.message)])
        }
        let reader = SpecReader(file: display, lineOffset: 0)
        let existing = Set(((try? ReportLoader.reportFiles(in: directory)) ?? []).map { $0.deletingPathExtension().lastPathComponent })
        var map: PaperMap?
        if let root = reader.compose(text, keyPath: ""), let top = MappingReader(root, keyPath: "", reader: reader) {
            top.checkKeys(["version", "papers"])
            if let version = top.int("version", minimum: 1), version != 1 {
                reader.report(top["version"], "version", "this build reads version 1 of the papers' map, found \(version)")
            }
            var papers: [Paper] = []
            var keys: Set<String> = []
            for (index, node) in list(top.required("papers"), "papers", reader) {
                guard let paper = readPaper(node, "papers[\(index)]", reader: reader, reports: reports, existing: existing) else { continue }
                if !keys.insert(paper.key).inserted { reader.report(node, "papers[\(index)].key", "the key '\(paper.key)' is used twice") }
                papers.append(paper)
            }
            map = PaperMap(papers: papers)
        }
        return reader.problems.isEmpty ? (map, []) : (nil, reader.problems)
    }

    private static func list(_ node: Node?, _ path: String, _ reader: SpecReader) -> [(Int, Node)] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else {
            reader.report(node, path, "expected a list, found \(node.kindDescription)")
            return []
        }
        return Array(sequence.enumerated())
    }

    private static func readPaper(_ node: Node, _ path: String, reader: SpecReader, reports: [Report], existing: Set<String>) -> Paper? {
        guard let m = MappingReader(node, keyPath: path, reader: reader) else { return nil }
        m.checkKeys(["key", "title", "short", "authors", "venue", "year", "url", "summary", "items"])
        let key = m.string("key"), title = m.string("title"), authors = m.string("authors"), venue = m.string("venue")
        let year = m.int("year", minimum: 1900), summary = m.string("summary")
        let url = m.string("url", default: ""), short = m.string("short", default: "")
        var items: [Item] = []
        for (index, itemNode) in list(m.required("items"), m.path("items"), reader) {
            if let item = readItem(itemNode, "\(m.path("items"))[\(index)]", reader: reader, reports: reports, existing: existing) {
                items.append(item)
            }
        }
        guard let key, let title, let authors, let venue, let year, let summary else { return nil }
        // "Doe, Roe" is "Doe & Roe (year)"; three or more surnames, "Doe et al. (year)".
        let surnames = authors.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let byline = surnames.count > 2 ? "\(surnames[0]) et al." : surnames.joined(separator: " & ")
        let named = short?.isEmpty == false ? short! : "\(byline) (\(year))"
        return Paper(key: key, title: title, short: named, authors: authors, venue: venue, year: year, url: url?.isEmpty == false ? url : nil,
                     summary: summary, items: items)
    }

    private static func readItem(_ node: Node, _ path: String, reader: SpecReader, reports: [Report], existing: Set<String>) -> Item? {
        guard let m = MappingReader(node, keyPath: path, reader: reader) else { return nil }
        m.checkKeys(["label", "finding", "shown", "missing"])
        let label = m.string("label"), finding = m.string("finding")
        let missing = m.string("missing", default: "")
        var anchors: [Anchor] = []
        for (index, anchorNode) in list(m["shown"], m.path("shown"), reader) {
            let anchorPath = "\(m.path("shown"))[\(index)]"
            guard case .scalar(let scalar) = anchorNode else {
                reader.report(anchorNode, anchorPath, "expected report or report#kind-name, found \(anchorNode.kindDescription)")
                continue
            }
            let (anchor, problem) = Anchor.parse(scalar.string)
            if let problem { reader.report(anchorNode, anchorPath, problem) }
            guard let anchor else { continue }
            if let problem = check(anchor, reports: reports, existing: existing) { reader.report(anchorNode, anchorPath, problem) }
            anchors.append(anchor)
        }
        if anchors.isEmpty && (missing ?? "").isEmpty {
            reader.report(node, path, "an item says where it is shown (shown:) or why it is not (missing:)")
        }
        guard let label, let finding else { return nil }
        return Item(label: label, finding: finding, shown: anchors, missing: missing?.isEmpty == false ? missing : nil)
    }

    /// Why `anchor` names nothing, or nil.
    static func check(_ anchor: Anchor, reports: [Report], existing: Set<String>) -> String? {
        guard existing.contains(anchor.report) else {
            var message = "no report is named '\(anchor.report)'"
            if let near = closest(to: anchor.report, in: existing.sorted()) { message += "; did you mean '\(near)'?" }
            return message
        }
        guard let kind = anchor.kind, let name = anchor.name, let report = reports.first(where: { $0.id == anchor.report }) else { return nil }
        let names: [String]
        switch kind {
        case .figure: names = report.figures.map(\.name)
        case .table: names = report.tables.map(\.name)
        case .claim: names = report.claims.map(\.name)
        }
        guard !names.contains(name) else { return nil }
        var message = "report '\(report.id)' has no \(kind.rawValue) named '\(name)'"
        if let near = closest(to: name, in: names) { message += "; did you mean '\(near)'?" }
        return message
    }
}
