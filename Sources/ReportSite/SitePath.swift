import Experiments
import Foundation

/// Names that become file or folder names in the site (report ids, run names, figure names).
///
/// `ReportLoader` already refuses unsafe names while validating; this is the second lock on the
/// door, checked right before anything is written, so that no name can ever make the build write
/// outside the output folder whatever the loader lets through in the future.
enum SitePath {
    /// A name is one path component of a safe alphabet: ASCII letters, digits, `-`, `_` and `.`,
    /// not starting with `.` or `-` (no `..`, no hidden files, no option-like names), at most 200
    /// characters.
    static func isSafe(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 200 && name.first != "." && name.first != "-"
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// Throws a `BuildError` naming the offending name unless it is safe.
    static func check(_ name: String, kind: String, in report: String) throws {
        guard isSafe(name) else {
            throw BuildError(step: "pages", path: report,
                             message: "refusing the \(kind) name '\(name)': it would not stay a single file name inside the site folder "
                                 + "(use letters, digits, '-', '_' and '.', not starting with '.' or '-')")
        }
    }

    /// Checks the report id and every run and figure name of a report.
    static func checkNames(of report: Report) throws {
        try check(report.id, kind: "report", in: report.file)
        for spec in report.experiments { try check(spec.name, kind: "run", in: report.file) }
        for spec in report.figures { try check(spec.name, kind: "figure", in: report.file) }
        for spec in report.tables { try check(spec.name, kind: "table", in: report.file) }
    }
}
