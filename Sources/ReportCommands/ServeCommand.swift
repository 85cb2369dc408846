import ArgumentParser
import Experiments
import FlyingFox
import Foundation
import Numerics
import ReportSite

/// `mgdl-report serve`: the preview loop. Builds the site, serves it on 127.0.0.1 (FlyingFox),
/// watches `reports/` (the notebooks and their data) and the template folder, rebuilds on every
/// change, and makes the open pages reload themselves.
///
/// The reload script is added to HTML pages as they are served, never written into the site:
/// the folder on disk is exactly what `build` writes. A change to report notebooks only rebuilds
/// those reports (`--only`, the other pages kept); a change to data or templates rebuilds all. The
/// run store makes either cheap: only runs whose declaration changed train.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Build, serve the site on 127.0.0.1, and rebuild and reload the open page on every change.",
        discussion: """
            Watches the reports folder (notebooks and data) and the template folder. A failed build \
            or an invalid report is printed and the last good site stays served. Stop with Ctrl-C. \
            Exit status 2 for invalid options; the server itself runs until stopped.
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Port on 127.0.0.1 (0: any free port; the address is printed).", valueName: "port"))
    var port: Int = 8000

    @OptionGroup var site: SiteOptions

    @Option(name: .long, help: ArgumentHelp("Seconds between two looks at the watched folders.", valueName: "s"))
    var interval: Double = 0.5

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port expects 0 to 65535, found \(port)") }
        guard interval > 0, interval <= 60 else { throw ValidationError("--interval expects a number of seconds in (0, 60]") }
    }

    func run() throws {
        let outDirectory = site.outDirectory
        let templatesDirectory = site.templatesDirectory
        var builder = SiteBuilder(reportsDirectory: options.reportsDirectory, templatesDirectory: templatesDirectory,
                                  outputDirectory: outDirectory, profile: options.profile, only: options.only,
                                  storeDirectory: site.storeDirectory)
        builder.overrides = try options.overrides()
        builder.jobs = site.jobCount
        BLASThreads.set(builder.computeThreads)
        let state = ServeState(site: outDirectory)
        let watcher = FolderWatcher(folders: [options.reportsDirectory, templatesDirectory])

        // A refused output folder or store is an error before anything is served, as for `build`.
        do { try builder.checkFolders() } catch let error as OutputFolderError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        rebuild(builder, state: state, changedReports: nil)
        let address = try startServer(state: state)
        say("serving \(outDirectory.path) at http://\(address)/ (Ctrl-C to stop); watching \(options.reportsDirectory.path) and \(templatesDirectory.path)")
        while true {
            Thread.sleep(forTimeInterval: interval)
            let changes = watcher.changes()
            guard !changes.isEmpty else { continue }
            // Report notebooks alone: rebuild those (the other pages are kept). Anything else
            // (data, templates, a report removed): rebuild everything.
            let reports = options.reportsDirectory.standardizedFileURL.path
            let notebooks = changes.filter { $0.deletingLastPathComponent().standardizedFileURL.path == reports && $0.pathExtension == "md" }
            let onlyNotebooks = notebooks.count == changes.count
                && notebooks.allSatisfy { FileManager.default.fileExists(atPath: $0.path) && $0.lastPathComponent != "README.md" }
            let ids = notebooks.map { $0.deletingPathExtension().lastPathComponent }.sorted()
            say("changed: \(changes.map(\.lastPathComponent).sorted().joined(separator: ", "))")
            rebuild(builder, state: state, changedReports: onlyNotebooks && options.only.isEmpty ? ids : nil)
        }
    }

    private func rebuild(_ builder: SiteBuilder, state: ServeState, changedReports: [String]?) {
        var builder = builder
        if let changedReports, FileManager.default.fileExists(atPath: builder.outputDirectory.appendingPathComponent("index.html").path) {
            builder.only = changedReports
        }
        let display = ProgressDisplay(quiet: true)
        do {
            let summary = try builder.build(events: display.handle)
            display.finishLine()
            say(String(format: "built %d report(s) (%d run(s) trained, %d figure(s) drawn, %d file(s) rewritten) in %.1f s%@",
                       summary.reports, summary.trained, summary.figuresDrawn, summary.rewrittenFiles, summary.seconds,
                       summary.succeeded ? "" : "; failed: " + (summary.failedRuns + summary.failedFigures).joined(separator: ", ")))
            state.bump()
        } catch let problems as SpecProblems {
            display.finishLine()
            say("invalid reports; the last good site stays served:\n\(problems.description)")
        } catch {
            display.finishLine()
            say("error: \(error); the last good site stays served")
        }
    }

    /// Starts FlyingFox on 127.0.0.1 in the background and returns "127.0.0.1:PORT" once it listens.
    private func startServer(state: ServeState) throws -> String {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: UInt16(port)), logger: .disabled)
        let ready = DispatchSemaphore(value: 0)
        let result = Locked<Result<String, Error>?>(nil)
        Task {
            await server.appendRoute("GET /__mgdl/version") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                             body: Data("\(state.version)".utf8))
            }
            await server.appendRoute("GET /__mgdl/reload.js") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-store"],
                             body: Data(ServeState.reloadScript.utf8))
            }
            await server.appendRoute("GET *") { request in state.response(for: request.path) }
            Task { try await server.run() }
            do {
                try await server.waitUntilListening(timeout: 10)
                guard case .ip4(let host, let port) = await server.listeningAddress else { throw ServeError(description: "no address") }
                result.set(.success("\(host):\(port)"))
            } catch {
                result.set(.failure(error))
            }
            ready.signal()
        }
        ready.wait()
        switch result.get() {
        case .success(let address): return address
        case .failure(let error): throw ServeError(description: "cannot serve on 127.0.0.1:\(port): \(error)")
        case nil: throw ServeError(description: "the server did not start")
        }
    }

    private func say(_ text: String) {
        print(text)
        fflush(stdout)
    }
}

struct ServeError: Error, CustomStringConvertible {
    let description: String
}

final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: Value) { lock.lock(); value = new; lock.unlock() }
}

/// What the server hands out: files of the site (HTML with the reload script added) and the
/// build counter the script polls.
final class ServeState: @unchecked Sendable {
    let site: URL
    private let counter = Locked(0)

    init(site: URL) { self.site = site.standardizedFileURL }

    var version: Int { counter.get() }
    func bump() { counter.set(counter.get() + 1) }

    /// Polls the build counter once a second and reloads the page when it changes.
    static let reloadScript = """
        // mgdl-report serve: reload this page when the site has been rebuilt (served only by serve).
        (function () {
          var seen = null;
          function check() {
            fetch("/__mgdl/version", { cache: "no-store" }).then(function (r) { return r.text(); }).then(function (v) {
              if (seen === null) { seen = v; } else if (v !== seen) { window.location.reload(); return; }
              setTimeout(check, 1000);
            }).catch(function () { setTimeout(check, 2000); });
          }
          check();
        })();
        """

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
        "json": "application/json", "ipynb": "application/x-ipynb+json", "md": "text/markdown; charset=utf-8",
        "tex": "application/x-tex; charset=utf-8", "bib": "application/x-bibtex; charset=utf-8",
        "woff2": "font/woff2", "txt": "text/plain; charset=utf-8",
    ]

    /// The file for a request path: percent-decoded, `..` refused, folders mapped to their
    /// `index.html`. HTML gets the reload script before `</body>`.
    func response(for requestPath: String) -> HTTPResponse {
        let decoded = requestPath.removingPercentEncoding ?? requestPath
        let parts = decoded.split(separator: "/").map(String.init)
        guard !parts.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else { return notFound() }
        var url = parts.reduce(site) { $0.appendingPathComponent($1) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url.appendPathComponent("index.html")
        }
        guard url.standardizedFileURL.path.hasPrefix(site.path), var data = try? Data(contentsOf: url) else { return notFound() }
        let ext = url.pathExtension.lowercased()
        if ext == "html", let html = String(data: data, encoding: .utf8), let end = html.range(of: "</body>", options: .backwards) {
            var page = html
            page.insert(contentsOf: "<script src=\"/__mgdl/reload.js\"></script>\n", at: end.lowerBound)
            data = Data(page.utf8)
        }
        return HTTPResponse(statusCode: .ok, headers: [.contentType: Self.contentTypes[ext] ?? "application/octet-stream", .cacheControl: "no-store"],
                            body: data)
    }

    private func notFound() -> HTTPResponse {
        HTTPResponse(statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("not found\n".utf8))
    }
}

/// Notices changed, added and removed files under some folders by comparing modification times
/// and sizes between two looks (portable, and cheap for a project's few hundred files).
final class FolderWatcher {
    let folders: [URL]
    private var last: [String: String]

    init(folders: [URL]) {
        self.folders = folders
        last = [:]
        last = snapshot()
    }

    func snapshot() -> [String: String] {
        var out: [String: String] = [:]
        let fm = FileManager.default
        for folder in folders {
            guard let walker = fm.enumerator(at: folder, includingPropertiesForKeys: [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey],
                                             options: [.skipsHiddenFiles]) else { continue }
            for case let url as URL in walker {
                guard let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey, .isRegularFileKey]),
                      values.isRegularFile == true else { continue }
                out[url.standardizedFileURL.path] = "\(values.contentModificationDate?.timeIntervalSince1970 ?? 0) \(values.fileSize ?? 0)"
            }
        }
        return out
    }

    /// The files that changed since the last call (or since the watcher was made).
    func changes() -> [URL] {
        let now = snapshot()
        var changed = Set<String>()
        for (path, stamp) in now where last[path] != stamp { changed.insert(path) }
        for path in last.keys where now[path] == nil { changed.insert(path) }
        last = now
        return changed.sorted().map { URL(fileURLWithPath: $0) }
    }
}
