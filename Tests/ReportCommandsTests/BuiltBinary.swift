import Foundation
import XCTest

/// What every end-to-end test needs: the built `mgdl-report` next to the test bundle, the
/// package's folders, and a way to run the binary as a user would and read what it printed.
protocol BuiltBinaryTesting {}

extension BuiltBinaryTesting {
    /// The executable in the build products folder, beside the `.xctest` bundle.
    var binary: URL {
        let products = Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }
            .map { URL(fileURLWithPath: $0.bundlePath).deletingLastPathComponent() }
            ?? Bundle.main.bundleURL
        return products.appendingPathComponent("mgdl-report")
    }

    /// The package's root folder (this file is at Tests/ReportCommandsTests/).
    var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The package's own templates folder.
    var templates: String { packageRoot.appendingPathComponent("templates").path }

    /// Runs the binary in `directory` (with `environment` added to this process's) and waits.
    @discardableResult
    /// Starts the built binary with `arguments` in `directory`, its output discarded, and
    /// returns at once (a test that kills a build in training waits on its files).
    func launch(_ arguments: [String], in directory: URL) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = binary
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b } }
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

/// The tiny report the end-to-end tests build: a 1-8-1 network fitting two sines in 20 steps,
/// recorded every 10, with one figure of `figureKind` (`extra` lines go into its block). `sweep`
/// is the experiment's `sweep:` value (e.g. `{grid: {seed: [0, 1]}}`), `profiles` its lines.
func tinyReport(title: String, prose: String, sweep: String = "", profiles: String = "", figureKind: String,
                extra: String = "") -> String {
    """
    ---
    version: 1
    title: "\(title)"
    ---

    \(prose)

    ```experiment tiny
    task:
      kind: sum_of_sines
      frequencies: [1, 3]
      points: 32
    model:
      widths: [1, 8, 1]
    train:
      lr: 3.0e-3
      steps: 20
      record_every: 10
    \(sweep.isEmpty ? "" : "sweep: \(sweep)")
    \(profiles)
    ```

    ```figure \(figureKind)
    kind: \(figureKind)
    run: tiny
    caption: "\(figureKind.capitalized)."
    \(extra)
    ```
    """
}
