import Foundation
import Yams

/// The version of the report format this build reads (front matter `version:`).
public let reportFormatVersion = 1

/// A report: a Markdown notebook with YAML front matter, prose, and fenced blocks that declare
/// experiments (```` ```experiment NAME ````), figures (```` ```figure NAME ````) and tables.
/// See `docs/report-format.md`.
public struct Report: Sendable {
    /// The file stem; names the report's folder in the site.
    public let id: String
    public let file: String
    public let title: String
    public let summary: String
    /// The figure shown as the report's thumbnail on the index page.
    public let thumbnail: String?
    public let segments: [Segment]
    public let experiments: [ExperimentSpec]
    public let figures: [FigureSpec]
    public let tables: [TableSpec]
    /// Claims of the papers, checked on the runs.
    public let claims: [ClaimSpec]
    /// Every profile name some experiment of this report declares.
    public let declaredProfiles: [String]
    /// The papers it cites (front matter `references:`), in declaration order.
    public var references: [Reference] = []

    public enum Segment: Sendable {
        case prose(String)
        case experiment(String)
        case figure(String)
        case table(String)
        case claim(String)
    }
}

/// One fenced block of a notebook, with the file line of its first YAML line.
struct FencedBlock {
    let info: String
    let body: String
    let firstLine: Int
    let fenceLine: Int
}

/// Splits a notebook into front matter, prose and fenced declaration blocks.
enum NotebookSplitter {
    static let declarationKinds: Set<String> = ["experiment", "figure", "table", "claim"]

    enum Piece {
        case prose(String)
        case block(FencedBlock)
    }

    /// Returns the front matter text (with its first line) and the pieces in order.
    static func split(_ text: String) -> (frontMatter: (text: String, firstLine: Int)?, pieces: [Piece], unclosed: Int?) {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        var index = 0
        var frontMatter: (String, Int)?
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---" {
            if let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) {
                frontMatter = (lines[1..<end].joined(separator: "\n"), 2)
                index = end + 1
            }
        }
        var pieces: [Piece] = []
        var prose: [String] = []
        func flushProse() {
            let chunk = prose.joined(separator: "\n")
            if !chunk.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { pieces.append(.prose(chunk)) }
            prose = []
        }
        var fence: (marker: String, info: String, start: Int, body: [String])?
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var open = fence {
                if trimmed.hasPrefix(open.marker) && trimmed.allSatisfy({ $0 == open.marker.first }) {
                    let kind = open.info.split(separator: " ").first.map(String.init) ?? ""
                    if declarationKinds.contains(kind) {
                        flushProse()
                        pieces.append(.block(FencedBlock(info: open.info, body: open.body.joined(separator: "\n"),
                                                         firstLine: open.start + 2, fenceLine: open.start + 1)))
                    } else {
                        prose.append(contentsOf: [fenceLine(open)] + open.body + [line])
                    }
                    fence = nil
                } else {
                    open.body.append(line)
                    fence = open
                }
            } else if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                let marker = String(trimmed.prefix { $0 == trimmed.first })
                let info = String(trimmed.dropFirst(marker.count)).trimmingCharacters(in: .whitespaces)
                fence = (marker, info, index, [])
            } else {
                prose.append(line)
            }
            index += 1
        }
        var unclosed: Int?
        if let open = fence {
            unclosed = open.start + 1
            prose.append(contentsOf: [fenceLine(open)] + open.body)
        }
        flushProse()
        return (frontMatter, pieces, unclosed)
    }

    /// The names of a notebook's ```experiment blocks.
    static func experimentNames(_ text: String) -> [String] {
        split(text.replacingOccurrences(of: "\r\n", with: "\n")).pieces.compactMap { piece in
            guard case .block(let block) = piece else { return nil }
            let words = block.info.split(separator: " ")
            return words.count == 2 && words[0] == "experiment" ? String(words[1]) : nil
        }
    }

    private static func fenceLine(_ open: (marker: String, info: String, start: Int, body: [String])) -> String {
        open.info.isEmpty ? open.marker : "\(open.marker)\(open.info)"
    }
}

/// Loads every report of a folder, validating all of them and collecting every problem.
public enum ReportLoader {
    /// Report ids become folder names in the site: keep them to a safe alphabet.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && name.first != "." && name.first != "-"
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// The `.md` files of a folder, sorted by name.
    public static func reportFiles(in directory: URL) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") && $0 != "README.md" }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// Parses and validates every report under `directory` with `profile` applied.
    /// Throws `SpecProblems` listing every problem in every file.
    public static func load(directory: URL, profile: String, only: [String] = [], overrides: [Override] = [],
                            displayRoot: URL? = nil) throws -> [Report] {
        var reports: [Report] = []
        var problems: [SpecProblem] = []
        // Every experiment block's name, also of reports with problems (for `-S NAME.key`).
        var blockNames: Set<String> = []
        let files: [URL]
        do {
            files = try reportFiles(in: directory)
        } catch {
            throw SpecProblems(problems: [SpecProblem(file: displayPath(directory, root: displayRoot), line: 0, column: 0, keyPath: "",
                                                      message: "cannot read the reports folder (\(TextFile.reason(error)))")])
        }
        for url in files {
            let id = url.deletingPathExtension().lastPathComponent
            if !only.isEmpty && !only.contains(id) { continue }
            let display = displayPath(url, root: displayRoot)
            let text: String
            switch TextFile.read(url) {
            case .success(let read): text = read
            case .failure(let problem):
                problems.append(SpecProblem(file: display, line: problem.line, column: problem.column, keyPath: "", message: problem.message))
                continue
            }
            blockNames.formUnion(NotebookSplitter.experimentNames(text))
            let (report, found) = parse(text: text, id: id, file: display, profile: profile, overrides: overrides,
                                        baseDirectory: url.deletingLastPathComponent())
            problems += found
            if let report { reports.append(report) }
        }
        for name in only where !files.contains(where: { $0.deletingPathExtension().lastPathComponent == name }) {
            problems.append(SpecProblem(file: "--only", line: 0, column: 0, keyPath: "",
                                        message: "--only names '\(name)', but there is no \(name).md in \(displayPath(directory, root: displayRoot))"))
        }
        let blocks = blockNames
        for o in overrides {
            if let name = o.experiment, !blocks.contains(name) {
                var message = "no experiment is named '\(name)'"
                if let near = closest(to: name, in: blocks.sorted()) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: o.argument, line: 0, column: 0, keyPath: "", message: message))
            }
        }
        if !problems.isEmpty { throw SpecProblems(problems: problems) }
        return reports
    }

    static func displayPath(_ url: URL, root: URL?) -> String {
        let root = (root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Parses one notebook. Returns the report (nil if it has problems) and its problems.
    public static func parse(text: String, id: String, file: String, profile: String, overrides: [Override] = [],
                             baseDirectory: URL? = nil) -> (Report?, [SpecProblem]) {
        var problems: [SpecProblem] = []
        func problem(_ line: Int, _ key: String, _ message: String) {
            problems.append(SpecProblem(file: file, line: line, column: 1, keyPath: key, message: message))
        }
        if !isSafeName(id) {
            problem(1, "", "the report name '\(id)' is not a safe folder name: use letters, digits, '-' and '_' only")
        }
        // CRLF line ends read as LF (lines are counted the same either way).
        let text = text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        let split = NotebookSplitter.split(text)
        if let line = split.unclosed { problem(line, "", "this fenced block is never closed") }

        // Front matter.
        var title = id, summary = "", thumbnail: String?, thumbnailLine = 2
        var references: [Reference] = []
        if let front = split.frontMatter {
            let reader = SpecReader(file: file, lineOffset: front.firstLine - 1)
            if let node = reader.compose(front.text, keyPath: ""), let map = MappingReader(node, keyPath: "", reader: reader) {
                map.checkKeys(SpecSchema.keys("front_matter"))
                if let version = map.int("version", default: reportFormatVersion), version != reportFormatVersion {
                    reader.report(map["version"], "version",
                                  "this build reads report format version \(reportFormatVersion), found \(version)")
                }
                title = map.string("title", default: id) ?? id
                summary = map.string("summary", default: "") ?? ""
                thumbnail = map.string("thumbnail", default: "")
                thumbnailLine = front.firstLine - 1 + (map["thumbnail"]?.mark?.line ?? 1)
                if thumbnail == "" { thumbnail = nil }
                if let refs = map["references"] { references = Reference.readList(refs, keyPath: "references", reader: reader) }
            }
            problems += reader.problems
        } else {
            problem(1, "", "missing YAML front matter: start the file with '---', a 'title:' line and '---'")
        }

        // Blocks.
        var segments: [Report.Segment] = []
        var experiments: [ExperimentSpec] = []
        var figures: [FigureSpec] = []
        var tables: [TableSpec] = []
        var claims: [ClaimSpec] = []
        var names: [String: Int] = [:]
        var declaredProfiles: Set<String> = []
        var experimentBlocks: [String] = []
        var paperKeyLines: [String: [(String, Int)]] = [:]
        var lineOfPiece = (split.frontMatter.map { $0.firstLine + $0.text.components(separatedBy: "\n").count + 1 } ?? 1)
        for piece in split.pieces {
            switch piece {
            case .prose(let markdown):
                segments.append(.prose(markdown))
                // A citation must name a declared reference (lines are approximate within a chunk:
                // the chunk's position is found by searching the text).
                let chunkLine = text.range(of: markdown).map { text[..<$0.lowerBound].components(separatedBy: "\n").count } ?? lineOfPiece
                for citation in Reference.citations(in: markdown) where !references.contains(where: { $0.key == citation.key }) {
                    var message = "[@\(citation.key)] cites a reference the front matter does not declare"
                    if let near = closest(to: citation.key, in: references.map(\.key)) { message += "; did you mean '\(near)'?" }
                    else if references.isEmpty { message += "; add it to a 'references:' list in the front matter" }
                    problem(chunkLine + citation.line - 1, "references", message)
                }
                lineOfPiece = chunkLine + markdown.components(separatedBy: "\n").count
            case .block(let block):
                let words = block.info.split(separator: " ").map(String.init)
                let kind = words[0]
                guard words.count == 2 else {
                    problem(block.fenceLine, "", "a ```\(kind) block needs exactly one name after '\(kind)', e.g. ```\(kind) my-\(kind)")
                    continue
                }
                let name = words[1]
                if !isSafeName(name) {
                    problem(block.fenceLine, name, "the name '\(name)' is not a safe file name: use letters, digits, '-' and '_' only")
                    continue
                }
                if let earlier = names[name] {
                    problem(block.fenceLine, name, "the name '\(name)' is already used on line \(earlier)")
                    continue
                }
                names[name] = block.fenceLine
                let reader = SpecReader(file: file, lineOffset: block.firstLine - 1)
                guard let node = reader.compose(block.body, keyPath: name) else {
                    problems += reader.problems
                    continue
                }
                switch kind {
                case "experiment":
                    experimentBlocks.append(name)
                    if case .mapping(let top) = node, let profiles = top["profiles"], case .mapping(let map) = profiles {
                        declaredProfiles.formUnion(map.keys.compactMap(\.string))
                    }
                    let specs = ExperimentSpec.read(node, name: name, profile: profile, overrides: overrides,
                                                    reader: reader, baseDirectory: baseDirectory)
                    if !specs.isEmpty {
                        experiments += specs
                        segments.append(.experiment(name))
                    }
                case "figure":
                    if let figure = FigureSpec.read(node, name: name, reader: reader) {
                        figures.append(figure)
                        segments.append(.figure(name))
                    }
                case "claim":
                    if let claim = ClaimSpec.read(node, name: name, reader: reader) {
                        claims.append(claim)
                        segments.append(.claim(name))
                    }
                default:
                    paperKeyLines[name] = Names.paperKeyLines(node, lineOffset: reader.lineOffset)
                    if let table = TableSpec.read(node, name: name, reader: reader) {
                        tables.append(table)
                        segments.append(.table(name))
                    }
                }
                problems += reader.problems
            }
        }
        // Cross references.
        for figure in figures {
            for run in figure.runs where !experimentBlocks.contains(run) {
                var message = "figure '\(figure.name)' shows run '\(run)', but no experiment of that name is declared"
                if let near = closest(to: run, in: experimentBlocks) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run", message: message))
            }
        }
        if let thumbnail, !figures.contains(where: { $0.name == thumbnail }) {
            problem(thumbnailLine, "thumbnail", "thumbnail names figure '\(thumbnail)', which this report does not declare")
        }
        for table in tables {
            for run in table.runs where !experimentBlocks.contains(run) {
                var message = "table '\(table.name)' shows run '\(run)', but no experiment of that name is declared"
                if let near = closest(to: run, in: experimentBlocks) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: table.line, column: 1, keyPath: "\(table.name).run", message: message))
            }
        }
        // A claim checked only at other profiles may name runs that exist only there (a profile's
        // sweep can name its runs differently); it is validated when one of them is built.
        for claim in claims where claim.profiles.isEmpty || claim.profiles.contains(profile) {
            for run in claim.runNames {
                let members = ClaimCheck.members(run, specs: experiments)
                let key = run == claim.run ? "run" : "than"
                if members.isEmpty {
                    var message = "claim '\(claim.name)' checks run '\(run)', but no experiment or run of that name is declared"
                    if let near = closest(to: run, in: experimentBlocks + experiments.map { $0.repeatOf ?? $0.name }) { message += "; did you mean '\(near)'?" }
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).\(key)", message: message))
                } else if Set(members.map { $0.repeatOf ?? $0.name }).count > 1 {
                    let names = Array(Set(members.map { $0.repeatOf ?? $0.name })).sorted()
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).\(key)",
                                                message: "claim '\(claim.name)' names '\(run)', a sweep of \(names.count) runs: name one of them (\(names.prefix(4).joined(separator: ", "))\(names.count > 4 ? ", ..." : ""))"))
                } else if claim.kind == .order, let spec = members.first,
                          !(spec.task.kind == .sumOfSines && !spec.task.frequencies.isEmpty) {
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).run",
                                                message: "an order claim needs a sum_of_sines task (its frequencies are what is ordered); '\(run)' is a \(spec.task.kind) task"))
                }
            }
        }
        // A figure or table naming a swept experiment shows all of its runs.
        func expand(_ runs: [String]) -> [String] {
            runs.flatMap { run in
                let members = experiments.filter { $0.group == run }.map(\.name)
                return members.isEmpty ? [run] : members
            }
        }
        for i in figures.indices { figures[i].runs = expand(figures[i].runs) }
        for i in tables.indices { tables[i].runs = expand(tables[i].runs) }
        // Published values limited to other profiles (`paper.profiles`) are left out, unchecked:
        // they name the runs of those profiles, which may be named differently.
        for i in tables.indices where !tables[i].paperProfiles.isEmpty && !tables[i].paperProfiles.contains(profile) {
            tables[i].paper = [:]
            paperKeyLines[tables[i].name] = []
        }
        // Names that would share a file once written (case folded, `-dark` variants), and published
        // values keyed by a run the table does not show.
        problems += Names.collisions(experiments: experiments, figures: figures, tables: tables, blockLines: names, file: file)
        problems += Names.unknownPaperRuns(tables, keyLines: paperKeyLines, file: file)
        // A figure that cannot be drawn from the runs it names is an error now, not an empty frame later.
        for figure in figures {
            let specs = figure.runs.compactMap { name in experiments.first { $0.name == name } }
            if let reason = specs.lazy.compactMap({ FigureSpec.cannotDraw(figure.kind, metric: figure.metric, from: $0) }).first {
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run",
                                            message: "figure '\(figure.name)' (\(figure.kind)) cannot be drawn: \(reason)"))
            }
        }
        guard problems.isEmpty else { return (nil, problems) }
        var report = Report(id: id, file: file, title: title, summary: summary, thumbnail: thumbnail ?? figures.first?.name,
                            segments: segments, experiments: experiments, figures: figures, tables: tables, claims: claims,
                            declaredProfiles: declaredProfiles.sorted())
        report.references = references
        return (report, [])
    }
}
