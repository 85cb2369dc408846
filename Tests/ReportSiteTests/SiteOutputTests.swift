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
}
