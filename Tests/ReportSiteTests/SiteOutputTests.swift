import Foundation
@testable import ReportSite
import XCTest

final class SiteOutputTests: XCTestCase {
    func testBuildErrorsShowNoAbsolutePathOfThisMachine() {
        let cwd = FileManager.default.currentDirectoryPath
        let error = BuildError(step: "write site", path: cwd + "/site/tiny/index.html", message: "cannot write \(cwd)/site/tiny/index.html")
        XCTAssertEqual(error.description, "write site: site/tiny/index.html: cannot write site/tiny/index.html")
        SiteOutput.projectRoot = "/srv/project"
        defer { SiteOutput.projectRoot = nil }
        XCTAssertEqual(SiteOutput.scrub("image /srv/project/reports/data/a.png is broken"), "image reports/data/a.png is broken")
    }

    func testFoundationErrorsAreWords() {
        let missing = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileReadNoSuchFile.rawValue,
                              userInfo: [NSFilePathErrorKey: "/secret/x", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOENT))])
        XCTAssertEqual(SiteOutput.describe(missing), String(cString: strerror(ENOENT)))
        let full = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteOutOfSpace.rawValue)
        XCTAssertEqual(SiteOutput.describe(full), "no space left on the device")
        XCTAssertFalse(SiteOutput.describe(full).contains("NSCocoaErrorDomain"))
    }

    func testPathsInsideAndOutsideAFolder() {
        XCTAssertTrue(SiteOutput.isInside("/a/b/c", "/a/b"))
        XCTAssertFalse(SiteOutput.isInside("/a/bc", "/a/b"))
        XCTAssertFalse(SiteOutput.isInside("/a/b", "/a/b"))
        XCTAssertTrue(SiteOutput.isInside("/x", "/"))
    }

    /// Without `renameat2`, the swap is two renames; a build killed between them leaves the old
    /// site set aside, and the next build's `recover` puts it back (or drops it once a new site
    /// is in place).
    func testFallbackSwapAndRecovery() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("mgdl-swap-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: root) }
        let output = root.appendingPathComponent("site"), staging = root.appendingPathComponent(".site.staging")
        for (folder, text) in [(output, "old"), (staging, "new")] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        }
        try SiteOutput.swap(staging, output, exchange: { _, _ in false })
        XCTAssertEqual(try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8), "new")
        XCTAssertEqual(try String(contentsOf: staging.appendingPathComponent("index.html"), encoding: .utf8), "old")
        XCTAssertFalse(fm.fileExists(atPath: SiteOutput.aside(output).path))
        // Killed between the two renames: only the old site, set aside.
        try fm.moveItem(at: output, to: SiteOutput.aside(output))
        SiteOutput.recover(output)
        XCTAssertEqual(try String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8), "new")
        XCTAssertFalse(fm.fileExists(atPath: SiteOutput.aside(output).path))
        // Killed after both renames: the new site is in place; the set-aside copy is dropped.
        try fm.copyItem(at: output, to: SiteOutput.aside(output))
        SiteOutput.recover(output)
        XCTAssertTrue(fm.fileExists(atPath: output.appendingPathComponent("index.html").path))
        XCTAssertFalse(fm.fileExists(atPath: SiteOutput.aside(output).path))
    }
}
