import Foundation
import Yams

/// Checks on the names a report declares that only show once every block is read: names that
/// would become the same file in the site, and published values keyed by an unknown run.
enum Names {
    /// Runs, figures and tables whose files would collide: names equal once case is folded (the
    /// site may be served from a case-insensitive file system), or a figure `x-dark` beside a
    /// figure `x` (whose dark variant is `x-dark.svg`). Swept runs are named from their values with
    /// unsafe characters replaced, so two values can give one name: that is caught here too.
    static func collisions(experiments: [ExperimentSpec], figures: [FigureSpec], tables: [TableSpec],
                           blockLines: [String: Int], file: String) -> [SpecProblem] {
        var problems: [SpecProblem] = []
        func check(_ items: [(stems: [String], name: String, line: Int)], kind: String) {
            var seen: [String: (name: String, line: Int)] = [:]
            for item in items {
                for stem in item.stems {
                    if let earlier = seen[stem.lowercased()] {
                        let same = earlier.name == item.name
                        problems.append(SpecProblem(file: file, line: item.line, column: 1, keyPath: item.name, message: same
                            ? "two \(kind)s are named '\(item.name)' (the sweep's values give the same name once unsafe characters are replaced); name the sweep points with a `name` axis"
                            : "the \(kind) '\(item.name)' would be written to the same file as '\(earlier.name)' (line \(earlier.line)): names must differ in more than letter case, and '-dark' is reserved for a figure's dark variant"))
                        break
                    }
                }
                for stem in item.stems { seen[stem.lowercased()] = (item.name, item.line) }
            }
        }
        check(experiments.map { ([$0.name], $0.name, blockLines[$0.group] ?? 1) }, kind: "run")
        check(figures.map { ([$0.name, $0.name + "-dark"], $0.name, blockLines[$0.name] ?? $0.line) }, kind: "figure")
        check(tables.map { ([$0.name], $0.name, blockLines[$0.name] ?? $0.line) }, kind: "table")
        return problems
    }

    /// `paper.values` keys of a table block, with their file lines.
    static func paperKeyLines(_ node: Node, lineOffset: Int) -> [(String, Int)] {
        guard let values = node.mapping?["paper"]?.mapping?["values"]?.mapping else { return [] }
        return values.compactMap { pair in pair.key.string.map { ($0, lineOffset + (pair.key.mark?.line ?? 1)) } }
    }

    /// Published values for a run the table does not show would silently vanish: an error.
    static func unknownPaperRuns(_ tables: [TableSpec], keyLines: [String: [(String, Int)]], file: String,
                                 labels: [String: String] = [:]) -> [SpecProblem] {
        tables.flatMap { table in
            // With `group: label` the rows, and the published values' keys, are the runs' labels.
            var rows: [String] = []
            for run in table.runs { let row = table.group == .label ? labels[run] ?? run : run; if !rows.contains(row) { rows.append(row) } }
            let what = table.group == .label ? "row" : "run"
            return (keyLines[table.name] ?? []).filter { !rows.contains(Self.paperRun($0.0, grades: table.grades)) }.map { key, line in
                var message = "table '\(table.name)' has published values for \(what) '\(key)', which it does not show"
                if let near = closest(to: key, in: rows) { message += "; did you mean '\(near)'?" }
                else { message += " (it shows: \(rows.prefix(6).joined(separator: ", "))\(rows.count > 6 ? ", ..." : ""))" }
                return SpecProblem(file: file, line: line, column: 1, keyPath: "\(table.name).paper.values.\(key)", message: message)
            }
        }
    }

    /// The run a `paper.values` key names: `RUN/grade-N` names a grade row of RUN in a table with
    /// `grades: true`.
    static func paperRun(_ key: String, grades: Bool) -> String {
        guard grades, let slash = key.range(of: "/grade-", options: .backwards),
              Int(key[slash.upperBound...]).map({ $0 >= 1 }) == true else { return key }
        return String(key[..<slash.lowerBound])
    }

    /// An input file must resolve (symbolic links followed) inside the project: the folder that
    /// holds the reports folder. Otherwise a report could publish any file of the build machine.
    /// Returns the problem, or nil. A file that does not exist is left to the caller.
    static func inputOutsideProject(_ url: URL, reports: URL?) -> String? {
        guard let reports, FileManager.default.fileExists(atPath: url.path) else { return nil }
        func real(_ path: String) -> String {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            return realpath(path, &buffer) != nil ? String(cString: buffer) : path
        }
        let root = (real(reports.path) as NSString).deletingLastPathComponent
        let target = real(url.path)
        guard !target.hasPrefix(root == "/" ? "/" : root + "/") else { return nil }
        return "the input file resolves outside the project (the folder holding the reports folder); copy it into the project"
    }
}
