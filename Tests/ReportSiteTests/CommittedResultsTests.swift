@testable import Experiments
import Foundation
import Learning
@testable import ReportSite
import XCTest

/// The committed results store keeps long loss curves thinned (`LossThinning`): small, same keys,
/// same tables, the same figure of one run; repeats drawn at the steps all of them kept.
final class CommittedResultsTests: XCTestCase {
    static let text = """
        ---
        version: 1
        title: "Long"
        ---

        ```experiment g
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 32}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 20, record_every: 5}
        ```

        ```table per-grade
        kind: rse
        grades: true
        run: g
        ```

        ```figure loss
        kind: loss
        run: g
        ```

        ```figure curves
        kind: curves
        metric: loss
        run: g
        ```
        """

    /// A noisy decreasing loss over `steps` steps, deterministic.
    static func curve(_ steps: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<steps).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(state >> 11) / Double(1 << 53)
            return exp(-Double(i) / 4000) * (0.5 + noise) + 1e-6
        }
    }

    /// `run` as if its two grades had trained 30,000 steps each.
    static func long(_ run: RunResult, seed: UInt64 = 7) -> RunResult {
        var copy = run
        let grades = run.grades!
        let curves = [curve(30_000, seed: seed), curve(30_000, seed: seed + 1)]
        copy.grades = zip(grades, curves).map { g, losses in
            GradeResult(index: g.index, losses: losses, seconds: g.seconds, trainRSE: g.trainRSE, validationRSE: g.validationRSE,
                        testRSE: g.testRSE, output: g.output, parameterCount: g.parameterCount)
        }
        copy.losses = curves[0] + curves[1]
        copy.gradeBoundaries = [30_000]
        return copy
    }

    func testThinningKeepsWhatFiguresAndTablesShow() throws {
        let losses = Self.curve(50_000, seed: 3) + [Double.nan] + Self.curve(9_999, seed: 4)
        let kept = LossThinning.keptSteps(losses, segmentStarts: [50_000])
        XCTAssertLessThan(kept.count, 4 * LossThinning.figureBuckets + 2 * (LossThinning.logPoints + 2) + 10)
        XCTAssertEqual(kept, kept.sorted())
        XCTAssertEqual(Set(kept).count, kept.count)
        for step in [0, 1, 2, 49_999, 50_000, 50_001, 59_999, 50_000] { XCTAssertTrue(kept.contains(step), "step \(step)") }
        let lowest = losses.indices.filter { losses[$0].isFinite }.min { losses[$0] < losses[$1] }!
        XCTAssertTrue(kept.contains(lowest))
        // The figure's envelope of the thinned curve is the envelope of the whole one.
        let whole = FigureRecipes.envelope(losses, buckets: LossThinning.figureBuckets)
        let thinned = FigureRecipes.envelope(kept.map { losses[$0] }, steps: kept, length: losses.count, buckets: LossThinning.figureBuckets)
        XCTAssertEqual(whole.0, thinned.0)
        XCTAssertEqual(whole.1.map { $0.bitPattern }, thinned.1.map { $0.bitPattern })
        // A run with grades stores their copies of its curve once; reading cuts them again.
        let report = try ReportSiteTests.report(Self.text, id: "long")
        let short = Runner.run(report.experiments[0])
        XCTAssertTrue(short.compactForResults.grades!.allSatisfy { $0.losses.isEmpty })
        XCTAssertEqual(short.compactForResults.losses, short.losses)
        XCTAssertEqual(short.compactForResults.withGradeLosses, short)
        // Short curves are kept whole.
        XCTAssertEqual(LossThinning.keptSteps(Array(Self.curve(LossThinning.wholeUpTo, seed: 1))), Array(0..<LossThinning.wholeUpTo))
    }

    func testFrozenLongRunIsSmallKeepsItsKeyAndBuildsTheSameTablesAndFigure() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("committed-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try Self.text.write(to: reports.appendingPathComponent("long.md"), atomically: true, encoding: .utf8)
        let report = try ReportSiteTests.report(Self.text, id: "long")
        let spec = report.experiments[0]
        let run = Self.long(Runner.run(spec))
        // The run store holds the run as today's binary writes it: every step, twice (run and grades).
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        try store.store(run, for: spec)
        let key = RunStore.key(for: spec)
        let storedBytes = try Data(contentsOf: dir.appendingPathComponent("store/runs/\(key)/result.json")).count
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        try store.freeze(spec, into: results)
        let frozenFile = dir.appendingPathComponent("results/runs/\(key)/result.json.xz")
        let frozenBytes = try EntryCompression.decompress(try Data(contentsOf: frozenFile)).count
        print("committed results: result.json of a 60,000-step two-grade run: \(storedBytes) bytes in the run store, \(frozenBytes) frozen, "
              + "\(try Data(contentsOf: frozenFile).count) compressed")
        XCTAssertGreaterThan(storedBytes, 2_000_000)
        XCTAssertLessThan(frozenBytes, 250_000, "thinned: \(frozenBytes) bytes (whole: \(storedBytes))")
        XCTAssertEqual(results.problems().count, 0, "the frozen entry verifies")
        let restored = try XCTUnwrap(results.result(for: spec))
        XCTAssertEqual(restored.stepCount, 60_000)
        XCTAssertEqual(restored.gradeStepCounts, [30_000, 30_000])
        XCTAssertEqual(restored.losses.last, run.losses.last)
        XCTAssertEqual(restored.lowestLoss?.step, run.lowestLoss?.step)
        XCTAssertEqual(restored.grades?.map(\.trainRSE), run.grades?.map(\.trainRSE))
        XCTAssertEqual(restored.grades?[1].losses.last, run.losses.last, "each grade's curve is cut from the run's again")
        // Freezing again changes nothing.
        try store.freeze(spec, into: results)
        XCTAssertEqual(try EntryCompression.decompress(try Data(contentsOf: frozenFile)).count, frozenBytes)

        // The site from the run store and the site from the results store alone: the same pages,
        // tables and figures; only the run's downloadable JSON is thinned.
        func site(_ name: String, store: URL, results: URL?) throws -> URL {
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates, outputDirectory: out,
                                      profile: "quick", storeDirectory: store, frozen: true)
            builder.resultsDirectory = results
            let summary = try builder.build()
            XCTAssertTrue(summary.succeeded, "\(summary.failedRuns) \(summary.failedFigures)")
            return out.appendingPathComponent("long")
        }
        let whole = try site("whole", store: dir.appendingPathComponent("store"), results: nil)
        let thinned = try site("thinned", store: dir.appendingPathComponent("empty"), results: dir.appendingPathComponent("results"))
        let files = try XCTUnwrap(fm.subpathsOfDirectory(atPath: whole.path)).filter { !$0.hasSuffix("/") }.sorted()
        XCTAssertTrue(files.contains("tables/per-grade.md") && files.contains("figures/loss.csv") && files.contains("figures/curves.png"), "\(files)")
        for file in files where !file.hasPrefix("runs/g.json") {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: whole.appendingPathComponent(file).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            XCTAssertEqual(try Data(contentsOf: whole.appendingPathComponent(file)), try Data(contentsOf: thinned.appendingPathComponent(file)), file)
        }
        let page = try String(contentsOf: thinned.appendingPathComponent("runs/g.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("60000"), "the step count")
    }

    func testRepeatsAreDrawnAtTheStepsAllOfThemKept() throws {
        let report = try ReportSiteTests.report(Self.text, id: "long")
        let base = Runner.run(report.experiments[0])
        var a = Self.long(base, seed: 1).compactForResults.withGradeLosses, b = Self.long(base, seed: 5).compactForResults.withGradeLosses
        a.name = "a"; b.name = "b"
        XCTAssertNotEqual(a.lossSteps, b.lossSteps, "each run keeps its own bucket extremes")
        let (steps, columns, length) = FigureRecipes.alignedLosses([a, b])
        XCTAssertEqual(length, 60_000)
        XCTAssertGreaterThanOrEqual(steps.count, LossThinning.uniformPoints)
        XCTAssertEqual(steps.last, 59_999)
        XCTAssertEqual(columns.count, steps.count)
        let mean = FigureRecipes.loss([FigureRecipes.Series(name: "g", runs: [a, b])], labels: [:])
        XCTAssertTrue(mean.csv().contains("59999"), "drawn to the last step")
    }
}

/// `build --frozen --allow-uncommitted` (the published paper site, `scripts/check-results.sh`):
/// a report the results store lists must build whole from it; one it does not list and whose runs
/// are nowhere is a "not yet committed" page, not a failure; every page names its profile and budget.
final class UncommittedReportTests: XCTestCase {
    static let other = """
        ---
        version: 1
        title: "Other"
        ---

        ```experiment tiny
        task: {kind: sum_of_sines, frequencies: [1, 3], points: 32}
        model: {widths: [1, 8, 1]}
        train: {lr: 3.0e-3, steps: 20, record_every: 10}
        ```

        ```figure loss
        kind: loss
        run: tiny
        ```
        """

    func testCommittedReportsBuildWholeOthersSaySoAndPagesNameTheirProfile() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("uncommitted-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try CommittedResultsTests.text.write(to: reports.appendingPathComponent("long.md"), atomically: true, encoding: .utf8)
        try Self.other.write(to: reports.appendingPathComponent("other.md"), atomically: true, encoding: .utf8)
        let spec = try ReportSiteTests.report(CommittedResultsTests.text, id: "long").experiments[0]
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        try store.store(Runner.run(spec), for: spec)
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        func freeze() throws {
            try store.freeze(spec, into: results)
            try results.writeManifest(ResultsManifest(report: "long", profile: "quick", runs: ["g": try XCTUnwrap(results.entryKey(for: spec))]))
        }
        try freeze()
        func build(_ name: String) throws -> (BuildSummary, URL) {
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates, outputDirectory: out,
                                      profile: "quick", storeDirectory: dir.appendingPathComponent("empty-\(name)"), frozen: true)
            builder.resultsDirectory = dir.appendingPathComponent("results")
            builder.allowUncommitted = true
            builder.otherProfileSite = ("paper", "paper/")
            return (try builder.build(), out)
        }
        let (summary, out) = try build("site")
        XCTAssertTrue(summary.succeeded, "\(summary.failedRuns) \(summary.failedFigures)")
        XCTAssertEqual(summary.uncommittedReports, ["other"])
        XCTAssertEqual(summary.trained, 0)
        let committed = try String(contentsOf: out.appendingPathComponent("long/index.html"), encoding: .utf8)
        XCTAssertTrue(committed.contains("<strong>Profile <code>quick</code></strong>"), "the banner names the profile")
        XCTAssertTrue(committed.contains("1 run, ") && committed.contains("FLOP of training in all, restored from the run store and the committed results"),
                      "and its budget and where its results come from")
        XCTAssertFalse(committed.contains("in all, reports/"), "no outer key leaks into the banner")
        XCTAssertTrue(committed.contains(#"<span class="profile-note">Profile quick (1 run, "#), "under tables and figures")
        XCTAssertTrue(committed.contains(#"href="../paper/long/index.html""#), "the same report at the other profile")
        XCTAssertFalse(committed.contains("uncommitted-note"))
        let run = try String(contentsOf: out.appendingPathComponent("long/runs/g.html"), encoding: .utf8)
        XCTAssertTrue(run.contains("<strong>Profile <code>quick</code></strong>"), "run pages name it too")
        let pending = try String(contentsOf: out.appendingPathComponent("other/index.html"), encoding: .utf8)
        XCTAssertTrue(pending.contains(#"class="uncommitted-note""#) && pending.contains("Not yet committed"))
        XCTAssertTrue(pending.contains("mgdl-report freeze --profile quick --only other"), "how to add them")
        XCTAssertFalse(pending.contains("error-block"), "not a failure")
        XCTAssertFalse(fm.fileExists(atPath: out.appendingPathComponent("other/runs/tiny.json").path))
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(index.contains("1 not yet committed") && index.contains(#"href="paper/index.html""#))

        // A committed run gone from the results store: the report fails, saying it is listed.
        let key = try XCTUnwrap(results.entryKey(for: spec))
        try fm.removeItem(at: dir.appendingPathComponent("results/runs/\(key)"))
        let (gone, goneOut) = try build("gone")
        XCTAssertEqual(gone.failedRuns, ["long/g"])
        XCTAssertEqual(gone.uncommittedReports, ["other"])
        let gonePage = try String(contentsOf: goneOut.appendingPathComponent("long/index.html"), encoding: .utf8)
        XCTAssertTrue(gonePage.contains("lists this report as committed") && gonePage.contains("committed run(s) missing"), gonePage)
        // Declarations changed since the report was frozen: fails, saying so.
        try freeze()
        try CommittedResultsTests.text.replacingOccurrences(of: "lr: 1.0e-2", with: "lr: 2.0e-2")
            .write(to: reports.appendingPathComponent("long.md"), atomically: true, encoding: .utf8)
        let (stale, staleOut) = try build("stale")
        XCTAssertEqual(stale.failedRuns, ["long/g"])
        let stalePage = try String(contentsOf: staleOut.appendingPathComponent("long/index.html"), encoding: .utf8)
        XCTAssertTrue(stalePage.contains("the declarations changed since they were frozen (g)"), stalePage)
    }
}

/// `freeze` keeps of each run only the bulky parts (`ResultPart`) that a figure, table or claim
/// of its report reads, exactly: the frozen site's pages and notebook are the unfrozen build's
/// byte for byte, and a report that starts reading a part that was left out fails by name.
final class FrozenPartsTests: XCTestCase {
    /// Two MGDL runs recording every 5 epochs: `g` is read by a curves figure and the tables only,
    /// `h` by a grade-spectra figure (its grade outputs and its grid).
    static let text = """
        ---
        version: 1
        title: "Parts"
        ---

        ```experiment g
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 32}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 20, record_every: 5}
        ```

        ```experiment h
        method: mgdl
        seed: 3
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 1}, points: 64, split: mgdl, validation: 32, test: 32}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 20, record_every: 5}
        ```

        ```table errors
        kind: rse
        grades: true
        run: [g, h]
        ```

        ```figure curves
        kind: curves
        metric: rse
        run: g
        ```

        ```figure spectra
        kind: grade_spectra
        run: h
        ```

        ```claim g-below-h
        kind: compare
        statement: "g's test RSE is below h's."
        run: g
        than: h
        metric: test_rse
        factor: 1
        direction: below
        ```
        """

    /// A report of every figure kind that draws runs, with order and robustness claims: an mlp
    /// recording spectra, predictions, norms and perturbations, an MGDL run on a manifold with
    /// plane predictions and a validation set, an image, a sweep read through a metric, and one
    /// network beside its NTK theory (ntk_training, ntk_theory: learning curves and final prediction).
    static let everyKind = """
        ---
        version: 1
        title: "Every kind"
        ---

        ```experiment s
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 2}, points: 32}
        model: {widths: [1, 16, 16, 1]}
        train: {lr: 3.0e-3, steps: 60, record_every: 10, keep_predictions: [30, 60], record_norms: true, perturb: {directions: 2, max: 2, deltas: 3, seed: 7}}
        ```

        ```experiment m
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 2}, points: 48, manifold: {q: 4}, split: mgdl, validation: 16, test: 16}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-2, epochs: 10, precision: float64, record_every: 5, plane: {size: 6, extent: 1.5}}
        ```

        ```experiment i
        method: sgdl
        task:
          kind: image
          text: {seed: 0}
          size: 8
        model: {hidden: [8], output: sigmoid}
        train: {optimizer: adam, lr: 1.0e-2, epochs: 3, batch: full, record_every: 1, keep_predictions: [2]}
        ```

        ```experiment w
        task: {kind: sum_of_sines, frequencies: [1, 3], phases: {seed: 2}, points: 32}
        model: {widths: [1, 8, 1]}
        train: {lr: 3.0e-3, steps: 20, record_every: 10, keep_predictions: [20]}
        sweep:
          grid:
            train.lr: [1.0e-3, 3.0e-3]
            train.steps: [20, 30]
        ```

        ```experiment n
        method: sgdl
        task: {kind: band_limited_power_law, exponent: 1, noise_seed: 2, points: 64, split: interleaved, stride: 4}
        model: {hidden: [16, 16], init: glorot_normal}
        train: {optimizer: sgd, lr: 1.0e-2, epochs: 20, batch: full, record_every: 10}
        ```

        ```figure ntk-loss
        kind: ntk_training
        run: n
        ```

        ```figure ntk-bins
        kind: ntk_training
        run: n
        bins: [1, 3]
        ```

        ```claim theory
        kind: ntk_theory
        statement: "The NTK theory predicts the training loss."
        figure: ntk-loss
        quantity: train_loss
        ```

        ```claim bins
        kind: ntk_theory
        statement: "Low frequencies first."
        figure: ntk-bins
        quantity: bin_order
        ```

        ```figure heat
        kind: spectral_evolution
        run: s
        ```

        ```figure fit
        kind: fit
        run: s
        ```

        ```figure norms
        kind: layer_norms
        run: s
        ```

        ```figure robustness
        kind: perturbation
        run: s
        ```

        ```figure curves
        kind: curves
        run: s
        ```

        ```figure finals
        kind: final_fits
        run: [s, w]
        ```

        ```figure final-spectra
        kind: fit_spectra
        run: [s, w]
        ```

        ```figure snapshots
        kind: spectral_snapshots
        run: w
        reference: s
        at: [0, 10, 20]
        ```

        ```figure spectra
        kind: grade_spectra
        run: m
        ```

        ```figure plane
        kind: plane
        run: m
        ```

        ```figure validation
        kind: validation_loss
        run: m
        ```

        ```figure picture
        kind: reconstruction
        run: i
        ```

        ```figure by-lr
        kind: parameter_sweep
        run: w
        parameter: train.lr
        metric: mean_spectral_ratio
        ```

        ```figure grid
        kind: sweep_heatmap
        run: w
        x: train.lr
        y: train.steps
        metric: mean_spectral_ratio
        ```

        ```table errors
        kind: rse
        grades: true
        run: [s, m]
        ```

        ```claim low-first
        kind: order
        statement: "Low frequencies first."
        run: s
        ```

        ```claim robust
        kind: robustness_order
        statement: "High frequencies are the least robust."
        run: s
        ```
        """

    /// Trains `text`'s report into a run store, freezes it keeping what it reads, builds the site
    /// from each (both restored), and compares every file of the report's folder but the
    /// downloadable runs/NAME.json. Returns the report, the results store and the folder.
    static func freezeAndCompare(_ text: String, id: String, in dir: URL) throws -> (Report, RunStore, URL) {
        let fm = FileManager.default
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try text.write(to: reports.appendingPathComponent("\(id).md"), atomically: true, encoding: .utf8)
        let report = try ReportSiteTests.report(text, id: id)
        let store = try RunStore(root: dir.appendingPathComponent("store"))
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        let parts = Report.resultPartsRead(by: [report])
        for spec in report.experiments {
            let run = Runner.run(spec)
            XCTAssertEqual(run.status, .ok, "\(spec.name): \(run.message ?? "")")
            try store.store(run, for: spec)
            try store.freeze(spec, into: results, keeping: parts[RunStore.key(for: spec)] ?? [])
        }
        func site(_ name: String, store: URL, results: URL?) throws -> URL {
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates, outputDirectory: out,
                                      profile: "quick", storeDirectory: store, frozen: true)
            builder.resultsDirectory = results
            let summary = try builder.build()
            XCTAssertTrue(summary.succeeded, "\(name): \(summary.failedRuns) \(summary.failedFigures)")
            return out.appendingPathComponent(id)
        }
        let whole = try site("whole", store: dir.appendingPathComponent("store"), results: nil)
        let frozen = try site("frozen", store: dir.appendingPathComponent("empty"), results: dir.appendingPathComponent("results"))
        let files = try XCTUnwrap(fm.subpathsOfDirectory(atPath: whole.path)).sorted()
        var compared = 0
        for file in files where !(file.hasPrefix("runs/") && file.hasSuffix(".json")) {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: whole.appendingPathComponent(file).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            XCTAssertEqual(try Data(contentsOf: whole.appendingPathComponent(file)), try Data(contentsOf: frozen.appendingPathComponent(file)), file)
            compared += 1
        }
        XCTAssertTrue(files.contains("\(id).ipynb"), "\(files)")
        XCTAssertGreaterThan(compared, 10)
        return (report, results, frozen)
    }

    /// Every figure kind, the claims that read spectra and perturbations, a metric that reads
    /// spectra: drawn from what `freeze` kept, byte-identical to what the whole results draw.
    func testEveryFigureKindDrawsTheSameFromWhatIsKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frozen-kinds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (report, results, frozen) = try Self.freezeAndCompare(Self.everyKind, id: "every", in: dir)
        let figures = try String(contentsOf: frozen.appendingPathComponent("index.html"), encoding: .utf8)
        for name in report.figures.map(\.name) { XCTAssertTrue(figures.contains("figures/\(name).png"), "figure \(name) drawn") }
        XCTAssertFalse(figures.contains("error-block"), "nothing failed")
        // Something was left out of each kind of run, and what they read was kept.
        let omitted = Dictionary(uniqueKeysWithValues: report.experiments.map { ($0.name, results.result(for: $0)?.omitted ?? []) })
        XCTAssertEqual(omitted["s"], [], "the mlp's fit, heatmap and curves read all it has")
        XCTAssertEqual(omitted["m"], [.predictions, .curves, .spectra, .lossCurve], "the plane and grade spectra read its grid and grade outputs")
        XCTAssertEqual(omitted["i"]?.filter { $0 != .lossCurve }, [.gradeOutputs, .predictions, .grid, .curves],
                       "the reconstruction reads its image panels, kept at 8 bits (EightBitImages)")
        let sweep = report.experiments.filter { $0.group == "w" }
        XCTAssertEqual(sweep.count, 4)
        for spec in sweep { XCTAssertEqual(omitted[spec.name], [.curves, .lossCurve], "\(spec.name): its metric reads spectra and predictions, the final fits the grid") }
    }

    /// An image run that only reconstruction figures read is frozen as the 8-bit panels they
    /// draw (`EightBitImages`): each grade's running sum and each kept prediction, the target left
    /// out and decoded again from the declaration; every page, figure and table drawn from it is
    /// byte-identical to those of the run as trained, for several grades and for `at:` steps.
    func testImageRunsAreFrozenAsTheirDrawnPanels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("frozen-images-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = """
        ---
        title: "Images"
        ---

        ```experiment grades
        method: mgdl
        task: {kind: image, text: {seed: 1}, size: 12, protocol: mgdl}
        model: {grades: [[8], [8]]}
        train: {optimizer: adam, lr: 1.0e-2, epochs: 4, batch: full, record_every: 2, keep_predictions: [2, 8]}
        ```

        ```figure by-grade
        kind: reconstruction
        run: grades
        ```

        ```figure by-step
        kind: reconstruction
        run: grades
        at: [2, 8]
        ```
        """
        let (report, results, _) = try Self.freezeAndCompare(text, id: "images", in: dir)
        let spec = try XCTUnwrap(report.experiments.first)
        let folder = dir.appendingPathComponent("results/runs/\(RunStore.key(for: spec))")
        let stored = try RunStore.decoder().decode(RunResult.self, from: try EntryCompression.decompress(try Data(contentsOf: folder.appendingPathComponent("result.json.xz"))))
        XCTAssertEqual(stored.omitted?.filter { $0 != .lossCurve && $0 != .curves }, [.gradeOutputs, .predictions, .grid])
        let levels = try XCTUnwrap(stored.eightBitImages, "the panels are kept as 8-bit levels")
        XCTAssertEqual(levels.grades.count, 2)
        XCTAssertEqual(levels.grades.map(\.count), [12 * 12 * 3, 12 * 12 * 3])
        XCTAssertTrue(stored.target.isEmpty && stored.grades!.allSatisfy { $0.output.isEmpty }, "nothing else of the images is kept")
        let trained = Runner.run(spec)
        let restored = try XCTUnwrap(results.result(for: spec))
        XCTAssertEqual(restored.target, trained.target, "the target is the declared image, decoded again")
        XCTAssertEqual(restored.testPSNR, trained.testPSNR, "the scalars are kept exactly")
        // Each panel's level is the trained one's: the running sums and the kept predictions.
        var sums = [[Double]](repeating: [Double](repeating: 0, count: trained.target.count), count: 2)
        for g in 0..<2 { for i in sums[g].indices { sums[g][i] = (g > 0 ? sums[g - 1][i] : 0) + trained.grades![g].output[i] } }
        var restoredSum = [Double](repeating: 0, count: trained.target.count)
        for g in 0..<2 {
            for i in restoredSum.indices { restoredSum[i] += restored.grades![g].output[i] }
            XCTAssertEqual(EightBitImages.quantised(restoredSum), EightBitImages.quantised(sums[g]), "grade \(g + 1)")
        }
        XCTAssertEqual(restored.snapshots.map { EightBitImages.quantised($0.prediction) }, trained.snapshots.map { EightBitImages.quantised($0.prediction) })
    }

    func testFreezeKeepsWhatIsReadAndPagesAreIdentical() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("frozen-parts-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports")
        try fm.createDirectory(at: reports, withIntermediateDirectories: true)
        try Self.text.write(to: reports.appendingPathComponent("parts.md"), atomically: true, encoding: .utf8)
        let report = try ReportSiteTests.report(Self.text, id: "parts")
        let read = report.resultPartsRead()
        XCTAssertEqual(read["g"], [.curves])
        XCTAssertEqual(read["h"], [.grid, .gradeOutputs])

        let store = try RunStore(root: dir.appendingPathComponent("store"))
        let results = try RunStore(root: dir.appendingPathComponent("results"))
        let parts = Report.resultPartsRead(by: [report])
        var trained: [String: RunResult] = [:]
        for spec in report.experiments {
            let run = Runner.run(spec)
            trained[spec.name] = run
            try store.store(run, for: spec)
            try store.freeze(spec, into: results, keeping: parts[RunStore.key(for: spec)] ?? [])
        }
        func bytes(_ root: String, _ spec: ExperimentSpec) throws -> Int {
            let folder = dir.appendingPathComponent("\(root)/runs/\(RunStore.key(for: spec))")
            return try root == "results" ? EntryCompression.decompress(try Data(contentsOf: folder.appendingPathComponent("result.json.xz"))).count
                : Data(contentsOf: folder.appendingPathComponent("result.json")).count
        }
        let (g, h) = (report.experiments[0], report.experiments[1])
        print("frozen parts: result.json of g \(try bytes("store", g)) -> \(try bytes("results", g)) bytes, of h \(try bytes("store", h)) -> \(try bytes("results", h))")
        XCTAssertLessThan(try bytes("results", g) * 2, try bytes("store", g), "g's unread grade outputs, predictions, grid and spectra are left out")
        XCTAssertEqual(results.problems().count, 0, "the frozen entries verify")
        let frozenG = try XCTUnwrap(results.result(for: g)), frozenH = try XCTUnwrap(results.result(for: h))
        XCTAssertEqual(frozenG.omitted, [.gradeOutputs, .predictions, .grid, .spectra, .lossCurve])
        XCTAssertTrue(frozenG.grades!.allSatisfy { $0.output.isEmpty } && frozenG.target.isEmpty)
        XCTAssertEqual(frozenG.curves, trained["g"]!.curves, "what a figure reads is kept exactly")
        XCTAssertEqual(frozenG.snapshots.map(\.step), trained["g"]!.snapshots.map(\.step), "the recorded steps stay")
        XCTAssertEqual(frozenH.omitted, [.predictions, .curves, .spectra, .lossCurve])
        XCTAssertEqual(frozenH.grades!.map(\.output), trained["h"]!.grades!.map(\.output), "the grade-spectra figure gets its grade outputs")
        XCTAssertEqual(frozenH.target, trained["h"]!.target)
        XCTAssertEqual(RunStore.key(for: g), try XCTUnwrap(results.entryKey(for: g)), "the run key is unchanged")

        // The site from the run store and the one from the results store alone: every page, table,
        // figure and the notebook byte-identical; only the downloadable runs/NAME.json differ.
        func site(_ name: String, store: URL, results: URL?) throws -> (BuildSummary, URL) {
            let out = dir.appendingPathComponent(name)
            var builder = SiteBuilder(reportsDirectory: reports, templatesDirectory: ReportSiteTests.templates, outputDirectory: out,
                                      profile: "quick", storeDirectory: store, frozen: true)
            builder.resultsDirectory = results
            return (try builder.build(), out.appendingPathComponent("parts"))
        }
        let (wholeSummary, whole) = try site("whole", store: dir.appendingPathComponent("store"), results: nil)
        let (frozenSummary, frozen) = try site("frozen", store: dir.appendingPathComponent("empty"), results: dir.appendingPathComponent("results"))
        XCTAssertTrue(wholeSummary.succeeded && frozenSummary.succeeded, "\(frozenSummary.failedRuns) \(frozenSummary.failedFigures)")
        let files = try XCTUnwrap(fm.subpathsOfDirectory(atPath: whole.path)).sorted()
        XCTAssertTrue(files.contains("parts.ipynb") && files.contains("figures/spectra.csv") && files.contains("runs/h.html"), "\(files)")
        var compared = 0
        for file in files where !(file.hasPrefix("runs/") && file.hasSuffix(".json")) {
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: whole.appendingPathComponent(file).path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            XCTAssertEqual(try Data(contentsOf: whole.appendingPathComponent(file)), try Data(contentsOf: frozen.appendingPathComponent(file)), file)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 10)

        // The report now also draws g's grade spectra: g's frozen result lacks its grade outputs,
        // so the frozen build fails that run, saying what to do.
        try (Self.text + "\n\n```figure more\nkind: grade_spectra\nrun: g\n```\n")
            .write(to: reports.appendingPathComponent("parts.md"), atomically: true, encoding: .utf8)
        let (stale, staleOut) = try site("stale", store: dir.appendingPathComponent("empty-2"), results: dir.appendingPathComponent("results"))
        XCTAssertEqual(stale.failedRuns, ["parts/g"])
        let page = try String(contentsOf: staleOut.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("frozen without its grade outputs") && page.contains("freeze --profile quick --only parts"), page)
    }
}
