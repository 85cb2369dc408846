import Experiments
import Foundation
@testable import ReportSite
import XCTest

/// The papers' map (`reports/papers.yml`): anchors checked when the reports load, and
/// `papers.html` with each item's places and the verdicts of its claims.
final class PaperMapTests: XCTestCase {
    static let map = """
        version: 1
        papers:
          - key: demo2024
            title: "A demo paper"
            authors: "Doe, Roe"
            venue: "Nowhere 2024"
            year: 2024
            url: https://example.org/demo
            summary: "Low frequencies first."
            items:
              - label: "Table 9"
                finding: "The RSE is 0.02, and 1."
                shown:
                  - claims#table-rse
                  - claims#claim-agrees
                  - claims#claim-disagrees
              - label: "Fig. 2"
                finding: "Low frequencies first, at the paper's budget."
                shown: [claims#figure-loss, claims#claim-later]
              - label: "Fig. 3"
                finding: "Something we cannot run."
                missing: "needs data we do not have."
        """

    func testPageShowsPlacesVerdictsAndWhatIsMissing() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("paper-map-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let builder = try ReportSiteTests.claimsSite(in: dir, files: [PaperMap.fileName: Self.map])
        _ = try builder.build()
        let page = try String(contentsOf: builder.outputDirectory.appendingPathComponent("papers.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("href=\"claims/index.html#table-rse\""), page)
        XCTAssertTrue(page.contains("href=\"claims/index.html#claim-disagrees\""))
        // Table 9: one claim reproduced, one not; Fig. 2: not run at quick; Fig. 3: not shown, with why.
        XCTAssertTrue(page.contains("1 reproduced, 1 not reproduced"), page)
        XCTAssertTrue(page.contains("item-not-reproduced"), "an item with a failing claim is marked as such")
        XCTAssertTrue(page.contains("1 not run at this profile"))
        XCTAssertTrue(page.contains("Not shown: needs data we do not have."))
        XCTAssertTrue(page.contains("2 of 3 items shown; claims: 1 reproduced, 1 not reproduced, 1 not run at this profile"), page)
        let index = try String(contentsOf: builder.outputDirectory.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("href=\"papers.html#paper-demo2024\""), "the index links each paper's section")
        XCTAssertTrue(index.contains("1 report.</p>"), "the lede ends with the count when nothing is uncommitted: \(index)")

        // `--only` keeps the other reports' verdicts (from their site entries).
        var again = builder
        again.only = ["claims"]
        _ = try again.build()
        let rebuilt = try String(contentsOf: builder.outputDirectory.appendingPathComponent("papers.html"), encoding: .utf8)
        XCTAssertEqual(rebuilt, page)
    }

    func testBadAnchorsNameFileLineAndKey() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("paper-map-bad-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let bad = Self.map
            .replacingOccurrences(of: "claims#table-rse", with: "claims#table-rses")
            .replacingOccurrences(of: "claims#claim-later", with: "claim#claim-later")
            .replacingOccurrences(of: "claims#figure-loss", with: "claims#plot-loss")
            .replacingOccurrences(of: "missing: \"needs data we do not have.\"", with: "mising: \"typo\"")
        let builder = try ReportSiteTests.claimsSite(in: dir, files: [PaperMap.fileName: bad])
        XCTAssertThrowsError(try ReportLoader.load(directory: builder.reportsDirectory, profile: "quick")) { error in
            let problems = (error as? SpecProblems)?.problems ?? []
            let text = problems.map(\.description).joined(separator: "\n")
            XCTAssertTrue(problems.allSatisfy { $0.file.hasSuffix("papers.yml") }, text)
            XCTAssertTrue(text.contains("papers.yml:14:"), "the line of the anchor: \(text)")
            XCTAssertTrue(text.contains("papers[0].items[0].shown[0]: report 'claims' has no table named 'rses'; did you mean 'rse'?"), text)
            XCTAssertTrue(text.contains("no report is named 'claim'; did you mean 'claims'?"), text)
            XCTAssertTrue(text.contains("after '#' write figure-NAME, table-NAME or claim-NAME"), text)
            XCTAssertTrue(text.contains("unknown key 'mising'; did you mean 'missing'?"), text)
            XCTAssertTrue(text.contains("papers[0].items[2]: an item says where it is shown (shown:) or why it is not (missing:)"), text)
        }
        // The build refuses before anything is written.
        XCTAssertThrowsError(try builder.build())
        XCTAssertFalse(fm.fileExists(atPath: builder.outputDirectory.path))
    }
}
