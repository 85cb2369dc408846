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
    /// Its run groups (front matter `run_groups:`, ``RunGroup``) resolved at the profile it was
    /// loaded with: each group's name -> the names of its runs (a repeated run by its own name).
    public var runGroups: [String: [String]] = [:]

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
    /// Fenced blocks read by the loader (`prose` is prose shown at some profiles only); every
    /// other fenced block stays in the prose as code.
    static let declarationKinds: Set<String> = ["experiment", "figure", "table", "claim", "prose"]

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
