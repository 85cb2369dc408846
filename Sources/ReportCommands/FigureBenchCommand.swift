import ArgumentParser
import Foundation
import Plotting

/// `mgdl-report bench-figures`: times the figures of a typical report (a 100×10 heatmap with a
/// colour bar, three 1,000-point log-scale loss curves, a 2×3 grid of 128×128 images), built and
/// rendered to SVG and to PNG (2x), and prints one JSON line per figure and format with the median
/// seconds. With `--matplotlib` it also runs `scripts/bench_matplotlib.py` (the same figures drawn
/// by matplotlib, Agg) and prints its lines and the speed-up per figure and format.
public struct FigureBenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench-figures",
        abstract: "Time figure rendering (SVG and PNG) and compare with matplotlib (JSON lines).",
        discussion: """
            Build in release mode first (swift build -c release). Each timing builds the figure \
            (data included) and renders it, after one warm-up; the median of --repeats is printed.
            """)

    @Option(name: .long, help: "Timed repetitions per figure and format.")
    var repeats: Int = 20

    @Flag(name: .long, help: "Also run scripts/bench_matplotlib.py with python3 and print the ratios.")
    var matplotlib = false

    @Option(name: .long, help: "Path of the matplotlib benchmark script.")
    var script: String = "scripts/bench_matplotlib.py"

    @Option(name: .long, help: "Python interpreter for --matplotlib.")
    var python: String = "python3"

    public init() {}

    public func validate() throws {
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }

    public func run() throws {
        var ours: [String: (wall: Double, cpu: Double)] = [:]
        for name in PlottingBenchmark.names {
            for format in ["svg", "png"] {
                let t = try PlottingBenchmark.measure(figure: name, format: format, repeats: repeats)
                ours["\(name)/\(format)"] = t
                print(#"{"figure":"\#(name)","format":"\#(format)","seconds":\#(t.wall),"cpu_seconds":\#(t.cpu),"repeats":\#(repeats),"tool":"mgdl-report"}"#)
                fflush(stdout)
            }
        }
        guard matplotlib else { return }
        guard FileManager.default.fileExists(atPath: script) else {
            throw ValidationError("matplotlib benchmark script not found at \(script) (run from the repository root or pass --script)")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        child.arguments = [python, script, "--repeats", String(repeats)]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else {
            throw ValidationError("\(script) failed with status \(child.terminationStatus) (is matplotlib installed? pip install matplotlib)")
        }
        var totals = (ours: 0.0, theirs: 0.0)
        for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
            print(line)
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let figure = object["figure"] as? String, let format = object["format"] as? String,
                  let theirs = object["seconds"] as? Double, let mine = ours["\(figure)/\(format)"], mine.wall > 0 else { continue }
            totals.ours += mine.wall
            totals.theirs += theirs
            let wall = (theirs / mine.wall * 10).rounded() / 10
            var line = #"{"figure":"\#(figure)","format":"\#(format)","speedup_vs_matplotlib":\#(wall)"#
            if let theirCPU = object["cpu_seconds"] as? Double, mine.cpu > 0 {
                line += #","cpu_speedup_vs_matplotlib":\#((theirCPU / mine.cpu * 10).rounded() / 10)"#
            }
            print(line + "}")
        }
        // The whole report: every figure in both formats, as a build renders them.
        if totals.ours > 0 {
            print(#"{"figure":"all","format":"svg+png","seconds":\#(totals.ours),"matplotlib_seconds":\#(totals.theirs),"speedup_vs_matplotlib":\#((totals.theirs / totals.ours * 10).rounded() / 10)}"#)
        }
    }
}
