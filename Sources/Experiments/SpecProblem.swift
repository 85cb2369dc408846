import Foundation

/// One thing wrong with a report: where it is, which key, what was expected and what was found.
public struct SpecProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// Dotted key path inside the block, e.g. `rahaman.train.lr`; empty for document-level problems.
    public let keyPath: String
    public let message: String

    public init(file: String, line: Int, column: Int, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let key = keyPath.isEmpty ? "" : " \(keyPath):"
        // Line 0: the whole file, or not a file at all (`-S key=value`, `--only`).
        return line == 0 ? "\(file):\(key) \(message)" : "\(file):\(line):\(column):\(key) \(message)"
    }
}

/// Every problem found in every report, reported at once (exit status 2).
public struct SpecProblems: Error, Sendable, CustomStringConvertible {
    public let problems: [SpecProblem]

    public var description: String {
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        return "invalid reports (\(count)):\n" + problems.map { "  " + $0.description }.joined(separator: "\n")
    }
}
