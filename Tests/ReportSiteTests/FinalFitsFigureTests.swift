import Experiments
import Foundation
@testable import ReportSite
import Tasks
import XCTest

/// `final_fits` and `fit_spectra` (Rahaman et al.'s App. A.5): several runs' final predictions,
/// and their spectra, each in one panel with the target's.
final class FinalFitsFigureTests: XCTestCase {
    static let blocks = """
        ```experiment s
        task: {kind: delta_spike, points: 32}
        model: {widths: [1, 8, 8, 1]}
        train: {lr: 1.0e-2, steps: 30, record_every: 10, keep_predictions: [10]}
        repeat: 2
        sweep:
          zip:
            name: [free, clipped]
            train.weight_clip: [null, 0.05]
        ```

        ```figure fits
        kind: final_fits
        run: s
        ```

        ```figure spectra
        kind: fit_spectra
        run: s
        ```
        """

    func testBothFiguresDrawEveryRunInOnePanelWithTheTarget() throws {
        let (parsed, problems) = ReportLoader.parse(text: "---\nversion: 1\ntitle: t\n---\n\n" + Self.blocks, id: "t", file: "t.md", profile: "")
        XCTAssertEqual(problems, [])
        let report = try XCTUnwrap(parsed)
        XCTAssertEqual(report.experiments.count, 4)
        var runs: [String: RunResult] = [:]
        for spec in report.experiments { runs[spec.name] = Runner.run(spec) }
        let labels = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, $0.label) })
        let repeats = Dictionary(uniqueKeysWithValues: report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } })
        let fits = try FigureRecipes.figure(for: report.figures[0], runs: runs, labels: labels, repeats: repeats)
        XCTAssertEqual(fits.panelCount, 1)
        let fitsCSV = fits.csv()
        XCTAssertTrue(fitsCSV.contains("1,line,target,"), fitsCSV.prefix(300).description)
        XCTAssertTrue(fitsCSV.contains("1,line,free (RSE ") && fitsCSV.contains("run 1 of 2)"), "the first copy, said so")
        // The first copy's last step, on the grid: 32 points per line.
        let free = runs["s--free--repeat-1"]!
        let freeRows = fitsCSV.split(separator: "\n").filter { $0.hasPrefix("1,line,free") }
        XCTAssertEqual(freeRows.count, 32)
        XCTAssertEqual(Double(freeRows[16].split(separator: ",").last!)!, free.snapshots.last!.prediction[16], accuracy: 1e-6)

        let spectra = try FigureRecipes.figure(for: report.figures[1], runs: runs, labels: labels, repeats: repeats)
        XCTAssertEqual(spectra.panelCount, 1)
        let csv = spectra.csv()
        XCTAssertTrue(spectra.altText().contains("log"), "amplitudes on a log axis")
        // The mean of the two copies' spectra at k = 3.
        let copies = ["s--clipped--repeat-1", "s--clipped--repeat-2"].map { Spectra.amplitudeSpectrum(runs[$0]!.snapshots.last!.prediction)[3] }
        let row = try XCTUnwrap(csv.split(separator: "\n").first {
            $0.hasPrefix("1,line,clipped (mean of 2),") && Double($0.split(separator: ",")[3]) == 3
        }, String(csv.prefix(400)))
        XCTAssertEqual(Double(row.split(separator: ",").last!)!, (copies[0] + copies[1]) / 2, accuracy: 1e-9)
        // The target's spectrum is flat at 2/N for 0 < k < N/2.
        let target = csv.split(separator: "\n").filter { $0.hasPrefix("1,line,target,") }.map { Double($0.split(separator: ",").last!)! }
        XCTAssertEqual(target.count, 17)
        for a in target.dropFirst().dropLast() { XCTAssertEqual(a, 2.0 / 32, accuracy: 1e-12) }
    }

    func testImageAndDatasetRunsAreRefused() {
        let (_, problems) = ReportLoader.parse(text: """
            ---
            version: 1
            ---

            ```experiment i
            method: sgdl
            task: {kind: image, text: {seed: 1}, size: 8}
            model: {hidden: [4]}
            train: {lr: 1.0e-3, epochs: 2}
            ```

            ```figure f
            kind: fit_spectra
            run: i
            ```
            """, id: "t", file: "t.md", profile: "")
        XCTAssertTrue(problems.contains { $0.keyPath.hasPrefix("f") && $0.message.contains("fit_spectra") }, "\(problems)")
    }
}
