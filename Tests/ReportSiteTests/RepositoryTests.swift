import Foundation
import XCTest

/// The repository's own text files, as a fresh clone has them.
final class RepositoryTests: XCTestCase {
    /// A merge left half-resolved shows as conflict markers in a template or a report, which no
    /// compiler sees (a template renders them into every page): none in the project's text files.
    func testNoConflictMarkers() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let kinds: Set<String> = ["swift", "mustache", "md", "yml", "yaml", "css", "js", "sh", "json", "py", "h", "modulemap"]
        var checked = 0
        for folder in ["Sources", "Tests", "templates", "reports", "docs", "scripts", ".ci", ".github"] {
            let base = root.appendingPathComponent(folder)
            let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
            for file in files where kinds.contains((file as NSString).pathExtension) || file.hasSuffix("/run") {
                guard let text = try? String(contentsOf: base.appendingPathComponent(file), encoding: .utf8) else { continue }
                checked += 1
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.hasPrefix("<<<<<<< ") || line.hasPrefix(">>>>>>> ") || line == "=======" && text.contains("\n<<<<<<< ") {
                    XCTFail("\(folder)/\(file):\(n + 1): a merge conflict marker")
                }
            }
        }
        XCTAssertGreaterThan(checked, 100)
    }
}
