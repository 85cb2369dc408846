import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `mgdl-report serve` as a user runs it: on a loopback port, a report edited while it runs is
/// rebuilt and served, and only served pages carry the reload script.
final class ServeTests: XCTestCase, BuiltBinaryTesting {
    /// GET with a short timeout; nil on any failure.
    func get(_ url: URL) -> (status: Int, body: String)? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        URLSession.shared.dataTask(with: request) { data, response, _ in
            if let http = response as? HTTPURLResponse { result.value = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self)) }
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return result.value
    }

    final class ResultBox: @unchecked Sendable { var value: (Int, String)? }

    /// Waits up to `seconds` for `condition`, polling every 0.2 s.
    func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return condition()
    }

    /// An output folder `build` refuses is refused by `serve` too: exit 2, before serving.
    func testServeRefusesTheProjectRootAsItsOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try WorkflowTests.report(title: "Served", prose: "Prose.").write(to: dir.appendingPathComponent("reports/tiny.md"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--out", "."]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        let exited = !process.isRunning
        if !exited { process.terminate(); process.waitUntilExit() }
        XCTAssertTrue(exited, "serve kept running with the project root as its output")
        XCTAssertEqual(process.terminationStatus, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("reports/tiny.md").path))
    }

    func testServeRebuildsAnEditedReportAndTheServedPageChanges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("reports/tiny.md")
        try WorkflowTests.report(title: "Served", prose: "The first version of the prose.").write(to: report, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve", "--port", "0", "--interval", "0.2", "-j", "1"]
        process.currentDirectoryURL = dir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let log = Locked()
        out.fileHandleForReading.readabilityHandler = { handle in log.append(String(decoding: handle.availableData, as: UTF8.self)) }
        try process.run()
        defer {
            out.fileHandleForReading.readabilityHandler = nil
            if process.isRunning { process.terminate(); process.waitUntilExit() }
        }

        // The first build trains one tiny run; the address is printed once the server listens.
        var address: String?
        XCTAssertTrue(eventually(120) {
            address = log.text.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression).map { String(log.text[$0]) }
            return address != nil
        }, "serve did not start: \(log.text)")
        let base = try XCTUnwrap(URL(string: try XCTUnwrap(address)))
        let page = base.appendingPathComponent("tiny/index.html")
        let first = try XCTUnwrap(get(page))
        XCTAssertEqual(first.status, 200)
        XCTAssertTrue(first.body.contains("The first version of the prose."))
        XCTAssertTrue(first.body.contains("<script src=\"/__mgdl/reload.js\"></script>"), "served pages reload themselves")
        XCTAssertEqual(get(base.appendingPathComponent("__mgdl/reload.js"))?.status, 200)
        let version = try XCTUnwrap(get(base.appendingPathComponent("__mgdl/version"))?.body)
        XCTAssertEqual(get(base.appendingPathComponent("tiny/figures/fit.pdf"))?.status, 200)
        XCTAssertEqual(get(base.appendingPathComponent("tiny/.site-entry.json"))?.status, 404, "hidden files are not served")
        XCTAssertEqual(get(URL(string: base.absoluteString + "tiny/%2E%2E/%2E%2E/etc/passwd")!)?.status, 404, "nothing outside the site")

        // Edit the report: the page served changes, and the version the script polls moves on.
        let text = try String(contentsOf: report, encoding: .utf8)
        try text.replacingOccurrences(of: "The first version", with: "The edited version").write(to: report, atomically: true, encoding: .utf8)
        XCTAssertTrue(eventually(60) { get(page)?.body.contains("The edited version of the prose.") == true },
                      "the edit did not reach the served page: \(log.text)")
        // (The counter moves once the build has finished, just after the files are in place.)
        XCTAssertTrue(eventually(30) { get(base.appendingPathComponent("__mgdl/version"))?.body != version }, "the version did not change")
        XCTAssertTrue(log.text.contains("changed: tiny.md"), log.text)

        // The site on disk is what `build` writes: no reload script in it.
        let onDisk = try String(contentsOf: dir.appendingPathComponent("site/tiny/index.html"), encoding: .utf8)
        XCTAssertTrue(onDisk.contains("The edited version of the prose."))
        XCTAssertFalse(onDisk.contains("__mgdl"), "the published site never carries the reload script")
    }

    final class Locked: @unchecked Sendable {
        private let lock = NSLock()
        private var buffer = ""
        func append(_ s: String) { lock.lock(); buffer += s; lock.unlock() }
        var text: String { lock.lock(); defer { lock.unlock() }; return buffer }
    }
}
