@testable import Experiments
import Foundation
import Plotting
@testable import ReportSite
import Tasks
import XCTest

/// `spectral_snapshots` (Rahaman et al.'s Fig. 6): a run's recorded spectrum at chosen
/// iterations, one curve each, with its target's spectrum and those of reference runs.
final class SpectralSnapshotsFigureTests: XCTestCase {
    /// A kernel-spectrum run as the runner stores it: bins of 20 eigen-indices starting at 0, 20,
    /// 40, the binned |⟨vₙ, f⟩| recorded every 5 steps, and the target's.
    static func kernelRun(_ name: String, target: [Double], steps: Int = 60) -> RunResult {
        var run = RunResult(name: name, status: .ok, message: nil, inputs: [], target: [], frequencies: [0, 20, 40],
                            targetAmplitudes: target, losses: [Double](repeating: 1, count: steps), snapshots: [],
                            seconds: 0, parameterCount: 0, finalRSE: nil)
        run.eigenBin = 20
        run.spectra = stride(from: 0, through: steps, by: 5).map { step in
            RunResult.SpectrumSnapshot(step: step, amplitudes: target.indices.map { j in target[j] * Double(step) / Double(steps) / Double(j + 1) })
        }
        return run
    }

    static func rows(_ csv: String, _ series: String) -> [(x: Double, y: Double)] {
        csv.split(separator: "\n").filter { $0.hasPrefix("1,line,\(series),") }.map {
            let f = $0.split(separator: ",", omittingEmptySubsequences: false)
            return (Double(f[3])!, Double(f[4])!)
        }
    }

    /// The recorded amplitudes at the nearest recorded step to each requested iteration (each
    /// once, in order), at the centres of the eigen-index bins, under the targets dashed.
    func testKernelSpectrumAtChosenIterations() throws {
        let noisy = Self.kernelRun("noisy", target: [1.0, 1.2, 1.6])
        let clean = Self.kernelRun("clean", target: [1.0, 0.9, 0.8])
        var spec = FigureSpec(name: "f", kind: .spectralSnapshots, runs: ["noisy", "clean"], caption: "", at: [0, 12, 13, 40, 1000], line: 1)
        spec.references = ["clean"]
        let figure = try FigureRecipes.figure(for: spec, runs: ["noisy": noisy, "clean": clean])
        XCTAssertEqual(figure.panelCount, 1, "the reference gets no panel")
        let csv = figure.csv()
        // 12 and 13 are both nearest to the recorded step 10 (or 15): one curve each step.
        let series = Set(csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[2]) })
        XCTAssertEqual(series, ["iteration 0", "iteration 10", "iteration 15", "iteration 40", "iteration 60",
                                "target (noisy)", "target (clean)"])
        let at40 = Self.rows(csv, "iteration 40")
        XCTAssertEqual(at40.map(\.x), [9.5, 29.5, 49.5], "bins of 20 drawn at their centres")
        XCTAssertEqual(at40.map(\.y), noisy.spectra!.first { $0.step == 40 }!.amplitudes, "the amplitudes themselves, not divided by the target's")
        XCTAssertEqual(Self.rows(csv, "target (noisy)").map(\.y), noisy.targetAmplitudes)
        XCTAssertEqual(Self.rows(csv, "target (clean)").map(\.y), clean.targetAmplitudes)
        let outline = figure.outline
        XCTAssertEqual(outline.panels.first?.xLabel, "kernel eigen-index n (bins of 20)")
        XCTAssertEqual(outline.panels.first?.title, "noisy")
        XCTAssertTrue(figure.altText().contains("target (clean)"), figure.altText())
    }

    /// A reference measured on other bins, and a run with nothing recorded, fail by name.
    func testMismatchedReferenceAndUnrecordedRunsFail() {
        let noisy = Self.kernelRun("noisy", target: [1.0, 1.2, 1.6])
        var other = Self.kernelRun("other", target: [1.0, 1.2])
        other.frequencies = [0, 30]
        var spec = FigureSpec(name: "f", kind: .spectralSnapshots, runs: ["noisy", "other"], caption: "", at: [0, 40], line: 1)
        spec.references = ["other"]
        XCTAssertThrowsError(try FigureRecipes.figure(for: spec, runs: ["noisy": noisy, "other": other])) {
            XCTAssertTrue("\($0)".contains("reference 'other' is measured at other eigen-index bins"), "\($0)")
        }
        var silent = noisy
        silent.spectra = nil
        let alone = FigureSpec(name: "f", kind: .spectralSnapshots, runs: ["noisy"], caption: "", at: [0], line: 1)
        XCTAssertThrowsError(try FigureRecipes.figure(for: alone, runs: ["noisy": silent])) {
            XCTAssertTrue("\($0)".contains("run 'noisy' has no spectrum"), "\($0)")
        }
    }

    /// From a report: two trained sum-of-sines runs of a sweep (repeated: the mean over the copies), one
    /// panel each, at the declared iterations, each panel with its own target only.
    func testTrainedRunsFromAReport() throws {
        let (parsed, problems) = ReportLoader.parse(text: """
            ---
            version: 1
            title: t
            ---

            ```experiment s
            task: {kind: sum_of_sines, frequencies: [1, 2, 3], points: 32}
            model: {widths: [1, 8, 8, 1]}
            train: {lr: 1.0e-2, steps: 30, record_every: 10}
            repeat: 2
            sweep:
              zip:
                name: [small, large]
                train.lr: [1.0e-2, 3.0e-3]
            ```

            ```figure f
            kind: spectral_snapshots
            run: s
            at: [0, 10, 30]
            ```
            """, id: "t", file: "t.md", profile: "")
        XCTAssertEqual(problems, [])
        let report = try XCTUnwrap(parsed)
        var runs: [String: RunResult] = [:]
        for spec in report.experiments { runs[spec.name] = Runner.run(spec) }
        let labels = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, $0.label) })
        let repeats = Dictionary(uniqueKeysWithValues: report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } })
        let figure = try FigureRecipes.figure(for: report.figures[0], runs: runs, labels: labels, repeats: repeats)
        XCTAssertEqual(figure.panelCount, 2)
        let outline = figure.outline
        XCTAssertEqual(outline.panels.map(\.title), ["small · mean of 2 runs", "large · mean of 2 runs"])
        XCTAssertEqual(outline.panels.first?.xLabel, "frequency k")
        let csv = figure.csv()
        // An mlp keeps its predictions, not spectra: the amplitudes at k = 1, 2, 3 of its prediction at step 10.
        let copies = try ["s--small--repeat-1", "s--small--repeat-2"].map { name -> [Double] in
            let snapshot = try XCTUnwrap(runs[name]!.snapshots.first { $0.step == 10 })
            return Spectra.amplitudes(in: Spectra.amplitudeSpectrum(snapshot.prediction), at: [1, 2, 3], halfWidth: 0)
        }
        let mean = zip(copies[0], copies[1]).map { ($0 + $1) / 2 }
        let drawn = Self.rows(csv, "iteration 10")
        XCTAssertEqual(drawn.map(\.x), [1, 2, 3])
        for (a, b) in zip(drawn.map(\.y), mean) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertEqual(Self.rows(csv, "target").count, 3, "the panel's own target, labelled plainly without references")
    }
}
