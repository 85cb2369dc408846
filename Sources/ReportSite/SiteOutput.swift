import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The output folder is refused before anything is trained: it would hold or hide files the tool
/// did not write (the project, the reports, the store, the templates, a foreign folder).
/// The command maps it to exit status 2.
public struct OutputFolderError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The site's output folder: only ever the tool's own.
///
/// Design notes:
/// - A folder the tool wrote carries a marker file, `.mgdl-site.json`, listing every file the
///   tool wrote there (its manifest). A non-empty folder without the marker is refused, so a
///   mistyped `--out` (`.`, `reports`, `$HOME`) can never be emptied.
/// - The new site is staged in a sibling folder and swapped in with one atomic
///   `renameat2(RENAME_EXCHANGE)`: a reader, or a build killed at any instant, sees the whole
///   old site or the whole new one. Where the exchange is not supported (some file systems),
///   two renames are used and an interrupted swap is rolled back by the next build.
/// - Unchanged files are hard links to the old ones (same inode and modification time), and a
///   build that changes nothing swaps nothing: incremental rebuilds rewrite nothing.
/// - Files in the output folder that are not in the manifest (added by the user, e.g. `CNAME`)
///   are carried over into the new site, never deleted; a build that would overwrite one stops.
enum SiteOutput {
    static let markerName = ".mgdl-site.json"

    struct Marker: Codable {
        var tool: String
        var files: [String]
    }

    // MARK: Refusing an output folder

    /// Refuses an output folder that is not the tool's own. `protected` are the folders the build
    /// reads or keeps (reports, store, templates): the output may not be one of them, contain one or
    /// lie inside one. The current directory and the reports' parent (the project root) are refused
    /// as well, and so are their `.git` folders.
    static func check(output: URL, reports: URL, store: URL?, templates: URL?) throws {
        let fm = FileManager.default
        let shown = display(output)
        let out = resolved(output)
        let cwd = resolved(URL(fileURLWithPath: fm.currentDirectoryPath))
        let reportsPath = resolved(reports)
        let projectRoot = (reportsPath as NSString).deletingLastPathComponent
        if out == "/" { throw OutputFolderError(message: "--out \(shown): refusing to write the site to the file system root") }
        for (root, what) in [(cwd, "the current folder"), (projectRoot, "the project root (the folder holding the reports)")] where out == root {
            throw OutputFolderError(message: "--out \(shown) is \(what): the site needs a folder of its own (e.g. --out site)")
        }
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty, out == resolved(URL(fileURLWithPath: home)) {
            throw OutputFolderError(message: "--out \(shown) is the home folder: the site needs a folder of its own (e.g. --out site)")
        }
        var protected: [(String, String)] = [(reportsPath, "the reports folder")]
        if let store { protected.append((resolved(store), "the run store")) }
        if let templates, fm.fileExists(atPath: templates.path) { protected.append((resolved(templates), "the templates folder")) }
        for root in Set([cwd, projectRoot]) { protected.append(((root as NSString).appendingPathComponent(".git"), "a git repository")) }
        for (path, what) in protected {
            if out == path {
                throw OutputFolderError(message: "--out \(shown) is \(what): building there would replace it")
            }
            if isInside(path, out) {
                throw OutputFolderError(message: "--out \(shown) contains \(what) (\(display(URL(fileURLWithPath: path)))): building there would delete it")
            }
            if isInside(out, path) {
                throw OutputFolderError(message: "--out \(shown) lies inside \(what) (\(display(URL(fileURLWithPath: path))))")
            }
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: out, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw OutputFolderError(message: "--out \(shown) is a file, not a folder: choose a folder for the site")
        }
        let entries = (try? fm.contentsOfDirectory(atPath: out)) ?? []
        if !entries.isEmpty && readMarker(URL(fileURLWithPath: out)) == nil && !isLegacySite(URL(fileURLWithPath: out)) {
            throw OutputFolderError(message: "--out \(shown) is a non-empty folder that mgdl-report did not write (it has no \(markerName)): "
                                        + "choose another folder, or empty or remove this one yourself")
        }
    }

    /// Refuses a run store path that is a file.
    static func checkStore(_ store: URL?) throws {
        guard let store else { return }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: store.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw OutputFolderError(message: "--store \(display(store)) is a file, not a folder: choose a folder for the run store")
        }
    }

    /// `inner` lies strictly inside `outer` (both resolved absolute paths).
    static func isInside(_ inner: String, _ outer: String) -> Bool {
        let prefix = outer.hasSuffix("/") ? outer : outer + "/"
        return inner.hasPrefix(prefix)
    }

    /// An absolute path with `.`, `..` and symbolic links resolved, also for a path that does not
    /// exist yet (its longest existing ancestor is resolved, the rest appended).
    static func resolved(_ url: URL) -> String {
        var path = url.standardizedFileURL.path
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: path), path != "/" {
            rest.insert((path as NSString).lastPathComponent, at: 0)
            path = (path as NSString).deletingLastPathComponent
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if realpath(path, &buffer) != nil {
            path = String(cString: buffer)
        }
        for component in rest { path = (path as NSString).appendingPathComponent(component) }
        return path
    }

    /// A path as the user should see it: relative to the current folder when inside it.
    static func display(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let path = url.standardizedFileURL.path
        if path == cwd { return "." }
        return isInside(path, cwd) ? String(path.dropFirst(cwd.count + (cwd.hasSuffix("/") ? 0 : 1))) : path
    }

    // MARK: The manifest

    /// A site written by a version before the marker: `index.html` (naming mgdl-report) and
    /// `style.css` at its top, and nothing that looks like a project (`.git`, `reports`,
    /// `Package.swift`). Those versions removed every file they did not produce at each build, so
    /// all its files are taken as the tool's own, once; the next build writes the marker.
    static func isLegacySite(_ output: URL) -> Bool {
        let fm = FileManager.default
        let names = Set((try? fm.contentsOfDirectory(atPath: output.path)) ?? [])
        guard names.contains("index.html"), names.contains("style.css"), names.isDisjoint(with: [".git", "reports", "Package.swift", "Sources"]),
              let index = try? String(contentsOf: output.appendingPathComponent("index.html"), encoding: .utf8) else { return false }
        return index.contains("mgdl-report")
    }

    static func readMarker(_ output: URL) -> Marker? {
        guard let data = try? Data(contentsOf: output.appendingPathComponent(markerName)),
              let marker = try? JSONDecoder().decode(Marker.self, from: data), marker.tool == "mgdl-report" else { return nil }
        return marker
    }

    /// Regular files under a folder, as sorted relative paths.
    static func regularFiles(_ root: URL) -> [String] {
        let fm = FileManager.default
        return (fm.subpaths(atPath: root.path) ?? []).filter { path in
            var info = stat()
            return lstat(root.appendingPathComponent(path).path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }.sorted()
    }

    // MARK: Swapping the site in

    /// Installs a fully written staging folder as the output folder, atomically, and returns how
    /// many files were written, replaced or removed. The staging folder is gone afterwards.
    static func install(staging: URL, output: URL) throws -> Int {
        let fm = FileManager.default
        let newFiles = regularFiles(staging).filter { $0 != markerName }
        var changed = 0
        let exists = fm.fileExists(atPath: output.path)
        if exists {
            let empty = ((try? fm.contentsOfDirectory(atPath: output.path)) ?? []).isEmpty
            let legacy = isLegacySite(output) ? Marker(tool: "mgdl-report", files: regularFiles(output)) : nil
            guard let old = readMarker(output) ?? legacy ?? (empty ? Marker(tool: "mgdl-report", files: []) : nil) else {
                throw BuildError(step: "write site", path: display(output), message: "the folder has no \(markerName): it was not written by mgdl-report")
            }
            let ours = Set(old.files), produced = Set(newFiles)
            // Files the tool did not write are carried over, never deleted.
            for path in regularFiles(output) where path != markerName && !ours.contains(path) {
                if produced.contains(path) {
                    throw BuildError(step: "write site", path: display(output.appendingPathComponent(path)),
                                     message: "this file was not written by mgdl-report and the new site has a file of that name: move it away")
                }
                try linkOrCopy(output.appendingPathComponent(path), to: staging.appendingPathComponent(path))
            }
            for path in newFiles {
                testDelay()
                let source = staging.appendingPathComponent(path), previous = output.appendingPathComponent(path)
                if ours.contains(path), fm.contentsEqual(atPath: source.path, andPath: previous.path) {
                    // Keep the old file (same inode, same modification time).
                    unlink(source.path)
                    if link(previous.path, source.path) != 0 { try linkOrCopy(previous, to: source) }
                } else {
                    changed += 1
                }
            }
            changed += ours.subtracting(produced).count
        } else {
            changed = newFiles.count
        }
        let marker = try JSONEncoder.sorted.encode(Marker(tool: "mgdl-report", files: newFiles))
        let markerURL = staging.appendingPathComponent(markerName)
        do { try marker.write(to: markerURL) } catch {
            throw BuildError(step: "write site", path: display(markerURL), message: describe(error))
        }
        if exists && changed == 0 && (try? Data(contentsOf: output.appendingPathComponent(markerName))) == marker {
            try? fm.removeItem(at: staging)
            return 0
        }
        testDelay()
        try swap(staging, output)
        testDelay()
        try? fm.removeItem(at: staging)  // now the old site
        return changed
    }

    /// Tests widen the write step (`MGDL_REPORT_TEST_WRITE_DELAY_MS` per file) so that a kill -9
    /// lands inside it often; never set otherwise.
    private static let delay = ProcessInfo.processInfo.environment["MGDL_REPORT_TEST_WRITE_DELAY_MS"].flatMap { UInt32($0) } ?? 0

    private static func testDelay() {
        if delay > 0 { usleep(delay * 1000) }
    }

    private static func linkOrCopy(_ source: URL, to target: URL) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if link(source.path, target.path) != 0 { try fm.copyItem(at: source, to: target) }
        } catch {
            throw BuildError(step: "write site", path: display(target), message: describe(error))
        }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// `renameat2` from the C library, when it has one (glibc 2.28 and later).
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Exchanges two directory entries atomically (`RENAME_EXCHANGE`). False when unsupported.
    static func exchange(_ a: URL, _ b: URL) -> Bool {
        guard let renameat2 else { return false }
        let renameExchange: UInt32 = 1 << 1
        return renameat2(AT_FDCWD, a.path, AT_FDCWD, b.path, renameExchange) == 0
    }

    /// Afterwards `output` holds the staged site and `staging` the old one (or nothing).
    /// `exchange` is the atomic swap (tests pass one that fails, to run the fallback).
    static func swap(_ staging: URL, _ output: URL, exchange: (URL, URL) -> Bool = exchange) throws {
        if !FileManager.default.fileExists(atPath: output.path) {
            guard rename(staging.path, output.path) == 0 else {
                throw BuildError(step: "write site", path: display(output), message: String(cString: strerror(errno)))
            }
            return
        }
        if exchange(staging, output) { return }
        // Fallback: two renames; `recover` puts the old site back if a build dies in between.
        let old = aside(output)
        guard rename(output.path, old.path) == 0 else {
            throw BuildError(step: "write site", path: display(output), message: String(cString: strerror(errno)))
        }
        guard rename(staging.path, output.path) == 0 else {
            let message = String(cString: strerror(errno))
            rename(old.path, output.path)
            throw BuildError(step: "write site", path: display(output), message: message)
        }
        rename(old.path, staging.path)
    }

    static func aside(_ output: URL) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old")
    }

    /// Undoes what a build killed in the middle of a fallback swap left: the old site set aside.
    static func recover(_ output: URL) {
        let old = aside(output)
        guard FileManager.default.fileExists(atPath: old.path) else { return }
        if FileManager.default.fileExists(atPath: output.path) {
            try? FileManager.default.removeItem(at: old)
        } else {
            rename(old.path, output.path)
        }
    }

    /// The project's folder (the one holding the reports), when the build knows it: messages show
    /// paths inside it relative to it.
    nonisolated(unsafe) static var projectRoot: String?

    /// A message with this machine's paths made relative: the current folder's and the project's
    /// paths are removed.
    static func scrub(_ message: String) -> String {
        var text = message
        let cwd = FileManager.default.currentDirectoryPath
        for root in Set([cwd, resolved(URL(fileURLWithPath: cwd))] + (projectRoot.map { [$0] } ?? [])) where root.count > 1 {
            text = text.replacingOccurrences(of: root.hasSuffix("/") ? root : root + "/", with: "")
        }
        return text
    }

    /// A message for a Foundation error without its domain, code or absolute paths.
    static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
            if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
                return String(cString: strerror(Int32(posix.code)))
            }
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteNoPermission, .fileReadNoPermission: return "permission denied"
            case .fileWriteFileExists: return "a file of that name exists"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            default: break
            }
            if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
            return "cannot read or write the file (error \(ns.code))"
        }
        return "\(error)"
    }
}
