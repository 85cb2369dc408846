import Foundation
import Yams

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
        // The papers' map names figures, tables and claims of the reports: checked with them.
        problems += PaperMap.load(directory: directory, reports: reports, displayRoot: displayRoot).1
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
    /// The profiles the published site is built at (CI's quick site, the committed paper
    /// results): every report has them, whether its experiments declare them or not.
    public static let siteProfiles: Set<String> = ["quick", "paper"]

    public static func parse(text: String, id: String, file: String, profile: String, overrides: [Override] = [],
                             baseDirectory: URL? = nil, checksOtherProfiles: Bool = true) -> (Report?, [SpecProblem]) {
        var notebook = NotebookReader(file: file, profile: profile, overrides: overrides, baseDirectory: baseDirectory)
        if !isSafeName(id) {
            notebook.problem(1, "", "the report name '\(id)' is not a safe folder name: use letters, digits, '-' and '_' only")
        }
        // CRLF line ends read as LF (lines are counted the same either way).
        let text = text.contains("\r\n") ? text.replacingOccurrences(of: "\r\n", with: "\n") : text
        let split = NotebookSplitter.split(text)
        if let line = split.unclosed { notebook.problem(line, "", "this fenced block is never closed") }
        let front = notebook.readFrontMatter(split.frontMatter, id: id)
        notebook.readPieces(split.pieces, of: text, firstLine: split.frontMatter.map { $0.firstLine + $0.text.components(separatedBy: "\n").count + 1 } ?? 1,
                            references: front.references)
        notebook.resolveOptimisedMappings()
        notebook.checkRunNames(thumbnail: front.thumbnail)
        notebook.checkTrainedMappings()
        notebook.resolveRunGroups(front.runGroups)
        notebook.checkClaims()
        notebook.expandSweeps()
        notebook.checkFiguresAndTables()
        notebook.checkProseValues()
        if checksOtherProfiles, notebook.problems.isEmpty, !notebook.proseValuesOfOtherProfiles.isEmpty || !notebook.groupEntriesOfOtherProfiles.isEmpty {
            // A value read at another profile only must name a run of one of them: a typo in a
            // label is an error at every profile, not "not run at this profile" forever.
            let others = notebook.declaredProfiles.union(siteProfiles).union([""]).subtracting([profile]).sorted()
            let specsOfOthers = others.compactMap { other in
                parse(text: text, id: id, file: file, profile: other, baseDirectory: baseDirectory, checksOtherProfiles: false).0?.experiments
            }
            let names = Array(Set(specsOfOthers.flatMap { $0.map { $0.repeatOf ?? $0.name } })).sorted()
            let profiles = "(\(others.map { $0.isEmpty ? "(none)" : $0 }.joined(separator: ", ")), \(profile.isEmpty ? "(none)" : profile))"
            for (value, line) in notebook.proseValuesOfOtherProfiles
            where !specsOfOthers.contains(where: { !ProseValue.elements(of: value.run, specs: $0).isEmpty }) {
                var message = "{{\(value.metric.rawValue) of \(value.run)}}: '\(value.run)' names no run at any profile \(profiles)"
                if let near = closest(to: value.run, in: names) { message += "; did you mean '\(near)'?" }
                notebook.problem(line, "prose", message)
            }
            for (group, entry, line) in notebook.groupEntriesOfOtherProfiles
            where !specsOfOthers.contains(where: { !ProseValue.elements(of: entry, specs: $0).isEmpty }) {
                var message = "run group '\(group)': '\(entry)' names no run at any profile \(profiles)"
                if let near = closest(to: entry, in: names) { message += "; did you mean '\(near)'?" }
                notebook.problem(line, "run_groups.\(group)", message)
            }
        }
        guard notebook.problems.isEmpty else { return (nil, notebook.problems) }
        var report = Report(id: id, file: file, title: front.title, summary: front.summary,
                            thumbnail: front.thumbnail?.name ?? notebook.figures.first?.name,
                            segments: notebook.segments, experiments: notebook.experiments, figures: notebook.figures,
                            tables: notebook.tables, claims: notebook.claims, declaredProfiles: notebook.declaredProfiles.sorted())
        report.references = front.references
        report.runGroups = notebook.runGroups
        return (report, [])
    }
}

/// One notebook being read: its blocks in order, then the checks across them.
private struct NotebookReader {
    let file: String
    let profile: String
    let overrides: [Override]
    let baseDirectory: URL?
    var problems: [SpecProblem] = []
    var segments: [Report.Segment] = []
    var experiments: [ExperimentSpec] = []
    var figures: [FigureSpec] = []
    var tables: [TableSpec] = []
    var claims: [ClaimSpec] = []
    /// Block name -> the line of its fence.
    var names: [String: Int] = [:]
    var declaredProfiles: Set<String> = []
    var experimentBlocks: [String] = []
    var paperKeyLines: [String: [(String, Int)]] = [:]
    /// The prose's built values (`{{metric of run}}`) with their lines.
    var proseValues: [(value: ProseValue, line: Int)] = []
    /// Built values whose run is not run at this profile (their block is declared): each must
    /// name a run of some other profile (`ReportLoader.parse` checks).
    var proseValuesOfOtherProfiles: [(value: ProseValue, line: Int)] = []
    /// The profiles of each ```` ```prose PROFILES ```` block and each figure's `profiles:`
    /// overlays, with the fence line and the figure's name (nil: the prose block).
    var namedProfiles: [(profiles: [String], line: Int, figure: String?)] = []
    /// The run groups of the front matter, resolved at this profile (``RunGroup``).
    var runGroups: [String: [String]] = [:]
    /// Entries of run groups that name no run at this profile, though their block is declared:
    /// each must name a run of some other profile (`ReportLoader.parse` checks).
    var groupEntriesOfOtherProfiles: [(group: String, entry: String, line: Int)] = []

    init(file: String, profile: String, overrides: [Override], baseDirectory: URL?) {
        self.file = file
        self.profile = profile
        self.overrides = overrides
        self.baseDirectory = baseDirectory
    }

    mutating func problem(_ line: Int, _ key: String, _ message: String) {
        problems.append(SpecProblem(file: file, line: line, column: 1, keyPath: key, message: message))
    }

    struct FrontMatter {
        var title: String
        var summary = ""
        var thumbnail: (name: String, line: Int)?
        var references: [Reference] = []
        var runGroups: [RunGroup] = []
    }

    mutating func readFrontMatter(_ front: (text: String, firstLine: Int)?, id: String) -> FrontMatter {
        var result = FrontMatter(title: id)
        guard let front else {
            problem(1, "", "missing YAML front matter: start the file with '---', a 'title:' line and '---'")
            return result
        }
        let reader = SpecReader(file: file, lineOffset: front.firstLine - 1)
        if let node = reader.compose(front.text, keyPath: ""), let map = MappingReader(node, keyPath: "", reader: reader) {
            map.checkKeys(SpecSchema.keys("front_matter"))
            if let version = map.int("version", default: reportFormatVersion), version != reportFormatVersion {
                reader.report(map["version"], "version", "this build reads report format version \(reportFormatVersion), found \(version)")
            }
            result.title = map.string("title", default: id) ?? id
            result.summary = map.string("summary", default: "") ?? ""
            if let thumbnail = map.string("thumbnail", default: ""), !thumbnail.isEmpty {
                result.thumbnail = (thumbnail, front.firstLine - 1 + (map["thumbnail"]?.mark?.line ?? 1))
            }
            if let refs = map["references"] { result.references = Reference.readList(refs, keyPath: "references", reader: reader) }
            if let groups = map["run_groups"] { result.runGroups = RunGroup.readList(groups, keyPath: "run_groups", reader: reader) }
        }
        problems += reader.problems
        return result
    }

    mutating func readPieces(_ pieces: [NotebookSplitter.Piece], of text: String, firstLine: Int, references: [Reference]) {
        var lineOfPiece = firstLine
        for piece in pieces {
            switch piece {
            case .prose(let markdown):
                // Lines are approximate within a chunk: the chunk's position is found by searching the text.
                let chunkLine = text.range(of: markdown).map { text[..<$0.lowerBound].components(separatedBy: "\n").count } ?? lineOfPiece
                readProse(markdown, line: chunkLine, references: references)
                lineOfPiece = chunkLine + markdown.components(separatedBy: "\n").count
            case .block(let block) where block.info.split(separator: " ").first == "prose":
                readProfileProse(block, references: references)
            case .block(let block):
                readBlock(block)
            }
        }
    }

    /// A prose chunk starting at file line `line`: a citation must name a declared reference, and
    /// a built value must read.
    mutating func readProse(_ markdown: String, line: Int, references: [Reference]) {
        segments.append(.prose(markdown))
        for citation in Reference.citations(in: markdown) where !references.contains(where: { $0.key == citation.key }) {
            var message = "[@\(citation.key)] cites a reference the front matter does not declare"
            if let near = closest(to: citation.key, in: references.map(\.key)) { message += "; did you mean '\(near)'?" }
            else if references.isEmpty { message += "; add it to a 'references:' list in the front matter" }
            problem(line + citation.line - 1, "references", message)
        }
        for occurrence in ProseValue.occurrences(in: markdown) {
            switch occurrence.value {
            case .success(let value): proseValues.append((value, line + occurrence.line - 1))
            case .failure(let error): problem(line + occurrence.line - 1, "prose", error.message)
            }
        }
    }

    /// ```` ```prose quick ```` (or `quick,paper`): prose on the page of those profiles only, e.g.
    /// what the quick profile's runs show, which the paper page's runs do not. Its profiles must
    /// be declared by some experiment (checked once every block is read).
    mutating func readProfileProse(_ block: FencedBlock, references: [Reference]) {
        let words = block.info.split(separator: " ").map(String.init)
        guard words.count == 2 else {
            problem(block.fenceLine, "prose", "a ```prose block names the profiles it is shown at, e.g. ```prose quick or ```prose quick,paper")
            return
        }
        let profiles = words[1].split(separator: ",").map(String.init)
        namedProfiles.append((profiles, block.fenceLine, nil))
        if profiles.contains(profile) { readProse(block.body, line: block.firstLine, references: references) }
    }

    mutating func readBlock(_ block: FencedBlock) {
        let words = block.info.split(separator: " ").map(String.init)
        let kind = words[0]
        guard words.count == 2 else {
            problem(block.fenceLine, "", "a ```\(kind) block needs exactly one name after '\(kind)', e.g. ```\(kind) my-\(kind)")
            return
        }
        let name = words[1]
        if !ReportLoader.isSafeName(name) {
            problem(block.fenceLine, name, "the name '\(name)' is not a safe file name: use letters, digits, '-' and '_' only")
            return
        }
        if let earlier = names[name] {
            problem(block.fenceLine, name, "the name '\(name)' is already used on line \(earlier)")
            return
        }
        names[name] = block.fenceLine
        let reader = SpecReader(file: file, lineOffset: block.firstLine - 1)
        guard let node = reader.compose(block.body, keyPath: name) else {
            problems += reader.problems
            return
        }
        switch kind {
        case "experiment":
            experimentBlocks.append(name)
            if case .mapping(let top) = node, let profiles = top["profiles"], case .mapping(let map) = profiles {
                declaredProfiles.formUnion(map.keys.compactMap(\.string))
            }
            let specs = ExperimentSpec.read(node, name: name, profile: profile, overrides: overrides, reader: reader, baseDirectory: baseDirectory)
            if !specs.isEmpty {
                experiments += specs
                segments.append(.experiment(name))
            }
        case "figure":
            let (read, overlaid) = FigureSpec.read(node, name: name, profile: profile, reader: reader)
            if !overlaid.isEmpty { namedProfiles.append((overlaid, block.fenceLine, name)) }
            if let figure = read {
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

    /// Figures and tables name declared experiments (all their runs) or runs of a sweep; the
    /// thumbnail a declared figure.
    mutating func checkRunNames(thumbnail: (name: String, line: Int)?) {
        let runNames = Set(experiments.map(\.name))
        for figure in figures {
            for run in figure.runs where !experimentBlocks.contains(run) && !runNames.contains(run) {
                var message = "figure '\(figure.name)' shows run '\(run)', but no experiment or run of that name is declared"
                if let near = closest(to: run, in: experimentBlocks + runNames.sorted()) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run", message: message))
            }
        }
        if let thumbnail, !figures.contains(where: { $0.name == thumbnail.name }) {
            problem(thumbnail.line, "thumbnail", "thumbnail names figure '\(thumbnail.name)', which this report does not declare")
        }
        for table in tables where table.kind == .leaderboard {
            for run in table.runs where !experimentBlocks.contains(run) && runNames.contains(run) {
                problems.append(SpecProblem(file: file, line: table.line, column: 1, keyPath: "\(table.name).run",
                                            message: "a leaderboard lists tasks: experiment blocks, each one's runs the methods (by sweep label); '\(run)' is one run"))
            }
            for task in table.taskMetrics.keys.sorted() where !table.runs.contains(task) {
                problems.append(SpecProblem(file: file, line: table.line, column: 1, keyPath: "\(table.name).metrics.\(task)",
                                            message: "leaderboard '\(table.name)' does not list the task '\(task)'"))
            }
            do {
                for run in table.runs {
                    let metric = table.metric(of: run)
                    if let member = experiments.first(where: { $0.group == run }), let why = metric.unavailable(for: member) {
                        problems.append(SpecProblem(file: file, line: table.line, column: 1, keyPath: "\(table.name).metric",
                                                    message: "leaderboard '\(table.name)' ranks by \(metric.rawValue), which '\(run)' cannot have: \(why)"))
                    }
                }
            }
        }
        for table in tables {
            for run in table.runs where !experimentBlocks.contains(run) && !runNames.contains(run) {
                var message = "table '\(table.name)' shows run '\(run)', but no experiment or run of that name is declared"
                if let near = closest(to: run, in: experimentBlocks + runNames.sorted()) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: table.line, column: 1, keyPath: "\(table.name).run", message: message))
            }
        }
    }

    /// `features: {kind: ntk_optimised, figure: F, exponent: α}`: the run uses the amplitudes figure F
    /// (an ntk_optimisation figure of this report) optimises for α; its protocol joins the run's
    /// declaration (and key). A figure that is not declared, or does not optimise α, is an error
    /// at the experiment block.
    mutating func resolveOptimisedMappings() {
        var reported = Set<String>()
        for i in experiments.indices where experiments[i].features.kind == .ntkOptimised {
            let spec = experiments[i]
            let name = spec.features.figure ?? ""
            let line = names[spec.group] ?? 1
            guard let figure = figures.first(where: { $0.name == name }), let optimisation = figure.optimisation else {
                if reported.insert("\(spec.group) figure").inserted {
                    var message = "the mapping reads the amplitudes of figure '\(name)', but no ntk_optimisation figure of that name is declared"
                    if let near = closest(to: name, in: figures.filter { $0.kind == .ntkOptimisation }.map(\.name)) { message += "; did you mean '\(near)'?" }
                    problem(line, "\(spec.group).features.figure", message)
                }
                continue
            }
            guard let alpha = spec.features.exponent, optimisation.exponents.contains(alpha) else {
                if reported.insert("\(spec.group) exponent").inserted {
                    problem(line, "\(spec.group).features.exponent",
                            "figure '\(name)' optimises the amplitudes for the exponents \(optimisation.exponents.map { ClaimCheck.number($0) }.joined(separator: ", ")), not \(ClaimCheck.number(spec.features.exponent ?? .nan))")
                }
                continue
            }
            experiments[i].features.optimisation = optimisation
            experiments[i].features.count = optimisation.trainPoints / 2
        }
    }

    /// An ntk_optimisation figure's `trained` experiments: networks (sgdl) on exactly its held-out
    /// signals for each exponent (a power_law_ensemble task: its grid of 2n points, its noise
    /// seed, its ensemble of test_signals; trained on the even points), with power-law or this
    /// figure's optimised mappings. Anything else would not be comparable, and is an error at the
    /// figure's `trained` key.
    mutating func checkTrainedMappings() {
        for figure in figures {
            guard let trained = figure.trained, let o = figure.optimisation else { continue }
            for (index, block) in trained.enumerated() {
                let alpha = o.exponents[index]
                let members = experiments.filter { $0.group == block }
                func fail(_ message: String) { problem(figure.line, "\(figure.name).trained", "experiment '\(block)' (for α = \(ClaimCheck.number(alpha))): \(message)") }
                guard !members.isEmpty else {
                    var message = "figure '\(figure.name)' shows trained experiment '\(block)', but no experiment block of that name is declared"
                    if let near = closest(to: block, in: experimentBlocks) { message += "; did you mean '\(near)'?" }
                    problem(figure.line, "\(figure.name).trained", message)
                    continue
                }
                let seed = AmplitudeOptimisationSpec.testSeed(seed: o.seed, index: index)
                for run in members {
                    let t = run.task
                    if run.method != .sgdl { fail("run '\(run.name)' is method \(run.method.rawValue); the figure compares single networks (sgdl)"); break }
                    if t.kind != .powerLawEnsemble || t.exponent != alpha || t.points != 2 * o.trainPoints || t.signals != o.testSignals
                        || t.noiseSeed != seed || t.split != .interleaved || (t.stride ?? 0) != 2 {
                        fail("run '\(run.name)' does not fit the figure's held-out signals: write task: {kind: power_law_ensemble, exponent: \(ClaimCheck.number(alpha)), points: \(2 * o.trainPoints), signals: \(o.testSignals), noise_seed: \(seed), split: interleaved, stride: 2}")
                        break
                    }
                    let f = run.features
                    let ok = f.kind == .powerFalloff && f.count == o.trainPoints / 2
                        || f.kind == .ntkOptimised && f.figure == figure.name && f.exponent == alpha
                    if !ok {
                        fail("run '\(run.name)' has features \(f.kind.rawValue); the figure compares power_falloff mappings of \(o.trainPoints / 2) frequencies (exponent p, or inf) and {kind: ntk_optimised, figure: \(figure.name), exponent: \(ClaimCheck.number(alpha))}")
                        break
                    }
                }
                if !members.contains(where: { $0.features.kind == .ntkOptimised }) {
                    fail("it has no run with the optimised mapping ({kind: ntk_optimised, figure: \(figure.name), exponent: \(ClaimCheck.number(alpha))})")
                }
                if !members.contains(where: { $0.features.kind == .powerFalloff }) {
                    fail("it has no run with a power_falloff mapping to compare the optimised one with")
                }
            }
        }
    }

    /// The front matter's run groups: each resolved at this profile, and every claim that names
    /// one reading its runs instead (`run:` and `than:` keep the name as written, for the
    /// evidence). A group's name must not be a block's or a run's; an entry must name a run at
    /// some profile (checked here, or on the other profiles when its block is declared), or a
    /// group declared above it; a claim checked at this profile must not name a group with no
    /// run here.
    mutating func resolveRunGroups(_ groups: [RunGroup]) {
        guard !groups.isEmpty else { return }
        let units = experiments.map { $0.repeatOf ?? $0.name }
        let declared = Set(groups.map(\.name))
        var above: Set<String> = []
        for group in groups {
            defer { above.insert(group.name) }
            if names[group.name] != nil || units.contains(group.name) {
                problem(group.line, "run_groups.\(group.name)", "the group name '\(group.name)' is already the name of a block or run of this report: name the group differently")
            }
            for entry in group.entries where entry != group.name {
                if declared.contains(entry) {
                    if !above.contains(entry) {
                        problem(group.line, "run_groups.\(group.name)", "'\(entry)' is a group declared below '\(group.name)': declare it above the groups that name it")
                    }
                    continue
                }
                guard ProseValue.elements(of: entry, specs: experiments).isEmpty else { continue }
                let block = entry.components(separatedBy: "--").first ?? entry
                if experimentBlocks.contains(where: { ProseValue.matches($0, pattern: block) }) {
                    groupEntriesOfOtherProfiles.append((group.name, entry, group.line))
                    continue
                }
                var message = "run group '\(group.name)': '\(entry)' names no experiment or run of this report"
                if let near = closest(to: entry, in: experimentBlocks + units) { message += "; did you mean '\(near)'?" }
                problem(group.line, "run_groups.\(group.name)", message)
            }
        }
        runGroups = RunGroup.resolve(groups, specs: experiments)
        for i in claims.indices {
            let claim = claims[i]
            let checked = claim.profiles.isEmpty || claim.profiles.contains(profile)
            func expand(_ list: [String], key: String) -> [String]? {
                guard list.contains(where: { runGroups[$0] != nil }) else { return nil }
                var out: [String] = []
                for name in list {
                    guard let members = runGroups[name] else { out.append(name); continue }
                    if members.isEmpty, checked {
                        problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).\(key)",
                                                    message: "claim '\(claim.name)' names the run group '\(name)', which has no run at profile '\(profile)'; check the claim at the profiles that have its runs (profiles: [...])"))
                    }
                    out += members
                }
                return out
            }
            if let runs = expand(claim.runList ?? [claim.run], key: "run") { claims[i].runList = runs }
            if let than = claim.than, let runs = expand(claim.thanList ?? [than], key: "than") { claims[i].thanList = runs }
        }
    }

    /// A claim checked only at other profiles may name runs that exist only there (a profile's
    /// sweep can name its runs differently); it is validated when one of them is built.
    mutating func checkClaims() {
        for claim in claims where claim.kind == .optimisedMapping {
            guard let name = claim.figure else { continue }
            guard let figure = figures.first(where: { $0.name == name }), let computed = figure.optimisation else {
                let candidates = figures.filter { $0.kind == .ntkOptimisation }.map(\.name)
                var message = "claim '\(claim.name)' reads figure '\(name)', but no ntk_optimisation figure of that name is declared"
                if let near = closest(to: name, in: candidates) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).figure", message: message))
                continue
            }
            if claim.networks == .trained, figure.trained == nil {
                problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).networks",
                                            message: "networks: trained reads the networks of figure '\(name)''s trained experiments, and it names none (trained: [...])"))
            }
            if let alpha = claim.exponent, !computed.exponents.contains(alpha) {
                problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).exponent",
                                            message: "figure '\(name)' optimises the exponents \(computed.exponents.map { ClaimCheck.number($0) }.joined(separator: ", ")), not \(ClaimCheck.number(alpha))"))
            }
        }
        for claim in claims where claim.kind == .ntkTheory {
            guard let name = claim.figure else { continue }
            guard let figure = figures.first(where: { $0.name == name && $0.kind == .ntkTraining }) else {
                let candidates = figures.filter { $0.kind == .ntkTraining }.map(\.name)
                var message = "claim '\(claim.name)' reads figure '\(name)', but no ntk_training figure of that name is declared"
                if let near = closest(to: name, in: candidates) { message += "; did you mean '\(near)'?" }
                problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).figure", message: message))
                continue
            }
            if claim.quantity == .binOrder, (figure.bins ?? []).count < 2 {
                problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).quantity",
                                            message: "bin_order reads the bins of figure '\(name)', which declares \(figure.bins == nil ? "none" : "one"); give it bins: [1, 5, 15]"))
            }
        }
        for claim in claims where claim.profiles.isEmpty || claim.profiles.contains(profile) {
            for run in claim.runNames {
                let members = ClaimCheck.members(run, specs: experiments)
                let key = (claim.runList ?? [claim.run]).contains(run) ? "run" : "than"
                let runs = Array(Set(members.map { $0.repeatOf ?? $0.name })).sorted()
                if members.isEmpty {
                    var message = "claim '\(claim.name)' checks run '\(run)', but no experiment, run or run group of that name is declared"
                    if let near = closest(to: run, in: experimentBlocks + experiments.map { $0.repeatOf ?? $0.name } + runGroups.keys.sorted()) { message += "; did you mean '\(near)'?" }
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).\(key)", message: message))
                } else if runs.count > 1 && claim.kind != .spread && ClaimCheck.labelSeries(run, specs: experiments).isEmpty {
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).\(key)",
                                                message: "claim '\(claim.name)' names '\(run)', a sweep of \(runs.count) runs: name one of them (\(runs.prefix(4).joined(separator: ", "))\(runs.count > 4 ? ", ..." : ""))"))
                } else if claim.kind == .robustnessOrder, let spec = members.first, spec.train.perturb == nil {
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).run",
                                                message: "a robustness_order claim reads the perturbation measurement: '\(run)' needs train.perturb (an mlp on a sum_of_sines task)"))
                } else if claim.kind == .order, let spec = members.first,
                          !spec.task.hasSpectrumFrequencies && spec.task.kernelSpectrum == nil {
                    problems.append(SpecProblem(file: file, line: claim.line, column: 1, keyPath: "\(claim.name).run",
                                                message: "an order claim needs a sum_of_sines task or a delta_spike with frequencies (its frequencies are what is ordered), or a dataset task with kernel_spectrum (its eigen-index bins); '\(run)' is a \(spec.task.kind) task"))
                }
            }
        }
    }

    /// A figure or table naming a swept experiment shows all of its runs. Published values
    /// limited to other profiles (`paper.profiles`) are left out, unchecked: they name the runs
    /// of those profiles, which may be named differently.
    mutating func expandSweeps() {
        let experiments = self.experiments
        func expand(_ runs: [String]) -> [String] {
            runs.flatMap { run in
                let members = experiments.filter { $0.group == run }.map(\.name)
                return members.isEmpty ? [run] : members
            }
        }
        for i in figures.indices {
            figures[i].runs = expand(figures[i].runs)
            figures[i].references = figures[i].references.map(expand)
        }
        for i in tables.indices { tables[i].runs = expand(tables[i].runs) }
        for i in tables.indices where !tables[i].paperProfiles.isEmpty && !tables[i].paperProfiles.contains(profile) {
            tables[i].paper = [:]
            paperKeyLines[tables[i].name] = []
        }
    }

    /// A built value of the prose must name a run, a repeated run, `block--label` or a block. A
    /// name that no run of this profile has is kept for the check on the other profiles when its
    /// block is declared; otherwise it is an error now.
    mutating func checkProseValues() {
        let known = declaredProfiles.union(ReportLoader.siteProfiles)
        for (profiles, line, figure) in namedProfiles {
            for name in profiles where !known.contains(name) {
                let what = figure.map { "figure '\($0)', profiles" } ?? "```prose \(profiles.joined(separator: ","))"
                var message = "\(what): no experiment declares a profile '\(name)', and it is not one the site is built at"
                if let near = closest(to: name, in: known.sorted()) { message += "; did you mean '\(near)'?" }
                else { message += " (known: \(known.sorted().joined(separator: ", ")))" }
                problem(line, figure.map { "\($0).profiles" } ?? "prose", message)
            }
        }
        for (value, line) in proseValues {
            // A run group with no run at this profile prints "not run at this profile"; its entries are checked themselves.
            for run in value.runs where runGroups[run] == nil && ProseValue.elements(of: run, specs: experiments).isEmpty {
                let block = run.components(separatedBy: "--").first ?? run
                if experimentBlocks.contains(where: { ProseValue.matches($0, pattern: block) }) {
                    proseValuesOfOtherProfiles.append((ProseValue(metric: value.metric, run: run), line))
                    continue
                }
                var message = "{{\(value.metric.rawValue) of \(run)}} names no experiment, run or run group of this report"
                if let near = closest(to: run, in: experimentBlocks + experiments.map { $0.repeatOf ?? $0.name } + runGroups.keys.sorted()) { message += "; did you mean '\(near)'?" }
                problem(line, "prose", message)
            }
        }
    }

    /// Names that would share a file once written (case folded, `-dark` variants), published
    /// values keyed by a run the table does not show, and a figure that cannot be drawn from the
    /// runs it names: errors now, not an empty frame later.
    mutating func checkFiguresAndTables() {
        problems += Names.collisions(experiments: experiments, figures: figures, tables: tables, blockLines: names, file: file)
        problems += Names.unknownPaperRuns(tables, keyLines: paperKeyLines, file: file,
                                           labels: Dictionary(experiments.map { ($0.name, $0.label.isEmpty ? $0.name : $0.label) }, uniquingKeysWith: { a, _ in a }))
        for figure in figures {
            let specs = figure.runs.compactMap { name in experiments.first { $0.name == name } }
            if let reason = specs.lazy.compactMap({ figure.cannotDraw($0) }).first {
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run",
                                            message: "figure '\(figure.name)' (\(figure.kind)) cannot be drawn: \(reason)"))
            } else if figure.kind == .sweepHeatmap, let reason = FigureSpec.cannotDrawHeatmap(figure, from: specs) {
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run",
                                            message: "figure '\(figure.name)' (sweep_heatmap) cannot be drawn: \(reason)"))
            }
            if figure.kind == .scatter || figure.kind == .spectralSnapshots, let references = figure.references, figure.runs.allSatisfy(references.contains) {
                problems.append(SpecProblem(file: file, line: figure.line, column: 1, keyPath: "\(figure.name).run",
                                            message: "figure '\(figure.name)' (\(figure.kind.rawValue)) has no \(figure.kind == .scatter ? "point" : "panel") to draw: every run it names is a reference\(figure.kind == .scatter ? " line" : " (a run named in both run and reference is drawn as a reference)")"))
            }
        }
    }
}
