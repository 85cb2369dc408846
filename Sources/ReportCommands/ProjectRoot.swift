import ArgumentParser
import Experiments
import Foundation

/// Where a project's folders are when the command runs from anywhere inside it (or outside).
///
/// The project root is the nearest folder, from the working directory upwards, that holds a
/// `reports/` folder. Paths given on the command line are relative to the working directory, as
/// usual; the defaults (`reports`, `templates`, `site`, `.mgdl-store`) are relative to the root.
/// A project without its own `templates/` uses the templates that came with mgdl-report (found
/// beside the executable's source checkout), so `build` works in a folder that only has reports.
enum ProjectRoot {
    static func find(from start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        var dir = start.standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("reports").path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// An explicit path as given (relative to the working directory), or the default under the
    /// project root (the working directory when there is no project root).
    static func resolve(_ explicit: String?, default name: String) -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        let base = find() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return base.appendingPathComponent(name)
    }

    /// The template folder: `--templates`, else the project's `templates/`, else the one that
    /// ships with mgdl-report (the checkout the executable was built in: `.build/<config>/`
    /// sits two or three levels under it).
    static func templates(_ explicit: String?) -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        let project = resolve(nil, default: "templates")
        if FileManager.default.fileExists(atPath: project.appendingPathComponent("layout.mustache").path) { return project }
        if let bundled = bundledTemplates() { return bundled }
        return project
    }

    static func bundledTemplates() -> URL? {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent("templates")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("layout.mustache").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }
}

extension MGDLReport {
    /// Runs the command with the documented exit statuses: 0 success, 1 a run, figure or build
    /// step failed, 2 invalid input. Argument Parser's usage errors (exit 64, EX_USAGE) become 2:
    /// a wrong option is invalid input like a wrong report. `--help` and `--version` exit 0.
    public static func mainWithDocumentedExitCodes() -> Never {
        do {
            var command = try parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            let status = code.rawValue
            Foundation.exit(status == 0 || status == 1 || status == 2 ? status : 2)
        }
    }
}

/// The profiles declared anywhere in a reports folder (reports that do not parse are skipped:
/// their problems are reported when they are built).
enum ProfileScan {
    static func declaredProfiles(in directory: URL) -> Set<String> {
        var out: Set<String> = []
        for url in (try? ReportLoader.reportFiles(in: directory)) ?? [] {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            let (report, _) = ReportLoader.parse(text: text, id: url.deletingPathExtension().lastPathComponent, file: url.path, profile: "")
            out.formUnion(report?.declaredProfiles ?? [])
        }
        return out
    }
}
