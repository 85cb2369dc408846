import Foundation

/// Where and how a site was built: tool version, git commit of the reports, OS and CPU.
/// The only machine-dependent part of the output, and it says so.
struct Provenance {
    let context: [String: Any]

    static func collect(reportsDirectory: URL, profile: String) -> Provenance {
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
            "cpu": "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) logical CPUs",
            "profile": profile,
        ])
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
