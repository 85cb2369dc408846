import Foundation
import XCTest

/// The output folder is only ever the tool's own, and it is replaced as a whole.
final class OutputFolderTests: XCTestCase, BuiltBinaryTesting {
    static func report(title: String, prose: String = "Some prose.") -> String {
        tinyReport(title: title, prose: prose, figureKind: "loss")
    }

    /// A copy of a checkout: reports, sources, a git folder, a store, a README.
    func makeCheckout() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-out-\(UUID().uuidString)")
        let fm = FileManager.default
        for folder in ["reports", "Sources/Tool", ".git/objects", ".mgdl-store/runs", "docs"] {
            try fm.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Self.report(title: "Tiny").write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        try "print(1)".write(to: dir.appendingPathComponent("Sources/Tool/main.swift"), atomically: true, encoding: .utf8)
        try "ref: refs/heads/main".write(to: dir.appendingPathComponent(".git/HEAD"), atomically: true, encoding: .utf8)
        try "# readme".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try "notes".write(to: dir.appendingPathComponent("docs/notes.txt"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Every regular file under a folder and the SHA-256 of its bytes.
    func snapshot(_ root: URL) -> [String: Data] {
        var files: [String: Data] = [:]
        for path in FileManager.default.subpaths(atPath: root.path) ?? [] {
            let url = root.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, path != ".mgdl-store/lock",
                  var data = try? Data(contentsOf: url) else { continue }
            // provenance.json is the one file that may carry the clock: its build date says when
            // the site's content was built, and is left out of the comparison.
            if path == "provenance.json", var record = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
                record["built"] = nil
                data = (try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])) ?? data
            }
            files[path] = data
        }
        return files
    }

    func testOutputThatHoldsOrHidesProjectFilesIsRefusedBeforeTraining() throws {
        let dir = try makeCheckout()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("afile-parent"), withIntermediateDirectories: true)
        try "x".write(to: dir.appendingPathComponent("afile"), atomically: true, encoding: .utf8)
        let before = snapshot(dir)
        let cases: [(out: String, expected: String)] = [
            (".", "is the current folder"),
            (dir.path, "is the current folder"),
            ("reports", "is the reports folder"),
            ("reports/site", "lies inside the reports folder"),
            (".mgdl-store", "is the run store"),
            (".mgdl-store/site", "lies inside the run store"),
            (".git", "is a git repository"),
            ("..", "contains the reports folder"),
            (templates, "is the templates folder"),
            ("docs", "non-empty folder that mgdl-report did not write"),
            ("Sources", "non-empty folder that mgdl-report did not write"),
            ("afile", "is a file, not a folder"),
        ]
        for c in cases {
            let result = try run(["build", "--templates", templates, "--out", c.out, "--quiet"], in: dir)
            XCTAssertEqual(result.status, 2, "--out \(c.out): \(result.stdout) \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(c.expected), "--out \(c.out): expected '\(c.expected)' in \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("NSCocoaErrorDomain"), result.stderr)
            XCTAssertEqual(snapshot(dir), before, "--out \(c.out) changed the checkout")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".mgdl-store/runs").path), [],
                       "nothing is trained")
        // A store that is a file is a clear error too.
        let store = try run(["build", "--templates", templates, "--store", "afile", "--quiet"], in: dir)
        XCTAssertEqual(store.status, 2, store.stderr)
        XCTAssertTrue(store.stderr.contains("--store afile is a file"), store.stderr)
        // An empty folder, or the tool's own, is fine.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("empty"), withIntermediateDirectories: true)
        XCTAssertEqual(try run(["build", "--templates", templates, "--out", "empty", "--quiet"], in: dir).status, 0)
        let again = try run(["build", "--templates", templates, "--out", "empty", "--quiet"], in: dir)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("empty/.mgdl-site.json").path))
    }

    func testASiteFromBeforeTheMarkerIsAdoptedOnce() throws {
        let dir = try makeCheckout()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        let site = dir.appendingPathComponent("site")
        try FileManager.default.removeItem(at: site.appendingPathComponent(".mgdl-site.json"))
        try "stale".write(to: site.appendingPathComponent("tiny/old-page.html"), atomically: true, encoding: .utf8)
        let result = try run(["build", "--templates", templates, "--quiet"], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(".mgdl-site.json").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("tiny/old-page.html").path),
                       "an adopted old site is the tool's own: what the build no longer writes goes")
        // A folder that only looks like a site is not adopted if it holds a project.
        try FileManager.default.removeItem(at: site.appendingPathComponent(".mgdl-site.json"))
        try FileManager.default.createDirectory(at: site.appendingPathComponent(".git"), withIntermediateDirectories: true)
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 2)
    }

    func testFilesTheToolDidNotWriteAreNeverDeleted() throws {
        let dir = try makeCheckout()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertEqual(try run(["build", "--templates", templates, "--quiet"], in: dir).status, 0)
        let site = dir.appendingPathComponent("site")
        try "example.org".write(to: site.appendingPathComponent("CNAME"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: site.appendingPathComponent("extra"), withIntermediateDirectories: true)
        try "mine".write(to: site.appendingPathComponent("extra/mine.txt"), atomically: true, encoding: .utf8)
        // A changed report: the new site replaces the old one, the user's files stay.
        try Self.report(title: "Changed").write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let result = try run(["build", "--templates", templates], in: dir)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOf: site.appendingPathComponent("CNAME"), encoding: .utf8), "example.org")
        XCTAssertEqual(try String(contentsOf: site.appendingPathComponent("extra/mine.txt"), encoding: .utf8), "mine")
        XCTAssertTrue(try String(contentsOf: site.appendingPathComponent("tiny/index.html"), encoding: .utf8).contains("Changed"))
        // The manifest lists the tool's files only.
        let marker = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent(".mgdl-site.json"))) as? [String: Any])
        let files = marker["files"] as? [String] ?? []
        XCTAssertTrue(files.contains("tiny/index.html"))
        XCTAssertFalse(files.contains("CNAME"))
        // A user file where the new site has one of its own stops the build; nothing is replaced.
        try "user figure".write(to: site.appendingPathComponent("tiny/figures/fit.svg"), atomically: true, encoding: .utf8)
        let kept = snapshot(site)
        let withFit = Self.report(title: "Changed") + "\n\n```figure fit\nkind: fit\nrun: tiny\ncaption: \"Fit.\"\n```\n"
        try withFit.write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let clash = try run(["build", "--templates", templates], in: dir)
        XCTAssertEqual(clash.status, 1, clash.stdout)
        XCTAssertTrue(clash.stderr.contains("site/tiny/figures/fit.svg: this file was not written by mgdl-report"), clash.stderr)
        XCTAssertFalse(clash.stderr.contains(dir.path), "no absolute path of the build machine: \(clash.stderr)")
        XCTAssertEqual(snapshot(site), kept)
    }

    /// kill -9 at random instants of many builds that alternate between two versions of a report:
    /// after every round the site is exactly the whole old or the whole new one, and the store verifies.
    func testKilledBuildsLeaveAWholeSiteAndAVerifyingStore() throws {
        let dir = try makeCheckout()
        defer { try? FileManager.default.removeItem(at: dir) }
        let variants = [Self.report(title: "Alpha", prose: "First version."), Self.report(title: "Beta", prose: "Second version, longer.")]
        let site = dir.appendingPathComponent("site")
        func write(_ i: Int) throws {
            try variants[i].write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        }
        // Train once, then take each variant's snapshot from a build that restores everything.
        var snapshots: [[String: Data]] = []
        // 15 ms per file in the write step: about half of each build, so most kills land in it.
        let slow = ["MGDL_REPORT_TEST_WRITE_DELAY_MS": "15"]
        var duration = 0.0
        for i in [0, 1, 0, 1] {
            try write(i)
            let start = Date()
            let result = try run(["build", "--templates", templates, "-j", "1", "--quiet"], in: dir, environment: slow)
            duration = Date().timeIntervalSince(start)
            XCTAssertEqual(result.status, 0, result.stderr)
            snapshots.append(snapshot(site))
        }
        let wholeSites = Array(snapshots.suffix(2))
        XCTAssertNotEqual(wholeSites[0], wholeSites[1])
        var generator = SystemRandomNumberGenerator()
        let rounds = 30
        var killedBeforeEnd = 0
        for round in 0..<rounds {
            try write(round % 2)
            let process = Process()
            process.executableURL = binary
            process.arguments = ["build", "--templates", templates, "-j", "1", "--quiet"]
            process.currentDirectoryURL = dir
            process.environment = ProcessInfo.processInfo.environment.merging(slow) { _, b in b }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0...(duration * 1.1), using: &generator) * 1_000_000))
            if process.isRunning { killedBeforeEnd += 1 }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let now = snapshot(site)
            XCTAssertTrue(now == wholeSites[0] || now == wholeSites[1],
                          "round \(round): the site mixes two builds or is incomplete (\(now.count) files)")
            let verify = try run(["verify-store"], in: dir)
            XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stdout) \(verify.stderr)")
        }
        XCTAssertGreaterThan(killedBeforeEnd, rounds / 3, "most builds were killed while running")
        // The next build completes and cleans up after the killed ones.
        try write(1)
        XCTAssertEqual(try run(["build", "--templates", templates, "-j", "1", "--quiet"], in: dir).status, 0)
        XCTAssertEqual(snapshot(site), wholeSites[1])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("staging") || $0.hasSuffix(".old") }
        XCTAssertEqual(leftovers, [])
    }
}
