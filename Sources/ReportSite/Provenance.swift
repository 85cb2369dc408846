import Experiments
import Foundation
import Numerics
import Plotting

/// Where and how a site was built: tool version, git commit of the reports, OS and CPU.
/// The only machine-dependent part of the output, and it says so.
struct Provenance {
    let context: [String: Any]

    static func collect(reportsDirectory: URL, profile: String, overrides: [Override] = [], threads: Int = 1) -> Provenance {
        let commit = shell(["git", "-C", reportsDirectory.path, "rev-parse", "--short=12", "HEAD"])
        // Dirty: any tracked or untracked change in the whole working tree (sources as well as
        // reports), since either can change what is built. Ignored files (site/, .build*/) do not count.
        let dirty = commit == nil ? false
            : (shell(["git", "-C", reportsDirectory.path, "status", "--porcelain"]).map { !$0.isEmpty } ?? false)
        var cpu = "unknown CPU"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            cpu = name.trimmingCharacters(in: .whitespaces)
        }
        let os = ProcessInfo.processInfo.operatingSystemVersionString
        return Provenance(context: [
            "toolVersion": toolVersion,
            "commit": commit ?? "none (not a git checkout)",
            "inGit": commit != nil,
            "dirty": dirty,
            "os": os,
            "cpu": "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) logical CPUs; runs trained here compute on \(threads) thread\(threads == 1 ? "" : "s") (each run page says what its run was computed with)",
            "profile": profile,
            // -S overrides change what the prose describes: the pages say which were applied.
            "overrides": overrides.map { ["text": "\($0.experiment.map { "\($0)." } ?? "")\($0.path.joined(separator: "."))=\($0.text)"] },
            "hasOverrides": !overrides.isEmpty,
            "libraries": libraries.enumerated().map { i, l in ["name": l.0, "version": l.1, "sep": i + 1 < libraries.count ? "; " : ""] },
        ])
    }

    /// The tool and the libraries that computed and drew the results. Swift is the compiler
    /// that built this executable.
    static var libraries: [(String, String)] {
        [("mgdl-report", toolVersion), ("Swift", swiftVersion), ("OpenBLAS", NumericLibraries.openBLAS),
         ("libxsmm", NumericLibraries.libxsmm),
         ("FFTW", NumericLibraries.fftw), ("Cairo", DrawingLibraries.cairo), ("HarfBuzz", DrawingLibraries.harfBuzz)]
    }

    static var swiftVersion: String {
        #if compiler(>=6.4)
        return "6.4 or newer"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #elseif compiler(>=6.0)
        return "6.0"
        #else
        return "5.x"
        #endif
    }

    /// `provenance.json` at the site root: everything above plus the build date, which appears
    /// in no page (pages stay byte-stable). The date is that of the build that first wrote this
    /// record: a rebuild whose provenance is otherwise unchanged keeps the previous file (and date),
    /// so a rebuild with nothing changed still rewrites nothing.
    func json(date: Date, previous: Data?, extra: [String: Any] = [:]) throws -> Data {
        var record = context.merging(extra) { _, b in b }
        record["built"] = ISO8601DateFormatter().string(from: date)
        record["overrides"] = (context["overrides"] as? [[String: String]] ?? []).map { $0["text"] ?? "" }
        record["libraries"] = Dictionary(Self.libraries, uniquingKeysWith: { a, _ in a })
        record["hasOverrides"] = nil
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = try JSONSerialization.data(withJSONObject: record, options: options)
        // Compare both records without their dates, each parsed back and written by the same
        // serialiser (Foundation's bridged numbers and Swift values do not compare equal as-is).
        func undated(_ bytes: Data) -> Data? {
            guard var object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any] else { return nil }
            object["built"] = nil
            return try? JSONSerialization.data(withJSONObject: object, options: options)
        }
        if let previous, let old = undated(previous), old == undated(data) { return previous }
        return data
    }

    /// `provenance.js`: the same record as a script (`window.mgdlProvenance = {...};`), since pages
    /// opened from `file://` cannot fetch JSON; `times.js` fills the tables' training-time cells
    /// from it. Like provenance.json, the only machine- and clock-dependent file of the site.
    static func script(_ json: Data) -> Data {
        Data(("// This build's provenance (provenance.json), for the pages' training-time cells. Written by mgdl-report.\n"
              + "window.mgdlProvenance = ").utf8) + json + Data(";\n".utf8)
    }

    private static func shell(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
