import Foundation
import XCTest

/// A paper profile too long for one sitting: its training in progress is committed
/// (`freeze --with-checkpoints`: the finished runs and the checkpoints of the others) and a build
/// on another clone continues it (`build --carry-over`), giving the bytes of a training never
/// interrupted; the committed checkpoints go once the report is frozen whole.
final class CarryOverTests: XCTestCase, BuiltBinaryTesting {
    static let report = """
    ---
    version: 1
    title: "Carry over"
    ---

    One run that finishes at once and one long enough to be stopped in its training.

    ```experiment short
    task:
      kind: sum_of_sines
      frequencies: [1, 2]
      points: 32
    model:
      widths: [1, 8, 1]
    train:
      lr: 3.0e-3
      steps: 50
    ```

    \(ResumeTests.longRun)
    """

    /// A clone: the report, and the results store of `results` if given (what a commit carries).
    func clone(results: URL? = nil) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-carry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try Self.report.write(to: dir.appendingPathComponent("reports/carry.md"), atomically: true, encoding: .utf8)
        if let results { try FileManager.default.copyItem(at: results, to: dir.appendingPathComponent("results")) }
        return dir
    }

    var build: [String] { ["build", "--templates", templates, "-j", "1", "--json", "--checkpoint-every", "0.05"] }

    func files(_ folder: URL) throws -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    func testTrainingCommittedInProgressContinuesOnAnotherCloneBitIdentically() throws {
        let reference = try clone(), first = try clone()
        var second: URL?
        defer { for dir in [reference, first, second].compactMap({ $0 }) { try? FileManager.default.removeItem(at: dir) } }
        let uninterrupted = try run(build, in: reference)
        XCTAssertEqual(uninterrupted.status, 0, uninterrupted.stderr)

        // First sitting: the short run finishes, the long one is killed after its first checkpoint.
        let process = try launch(build, in: first)
        let checkpoints = first.appendingPathComponent(".mgdl-store/tmp/checkpoints")
        let deadline = Date().addingTimeInterval(120)
        let runs = first.appendingPathComponent(".mgdl-store/runs")
        func started() throws -> Bool {
            let stored = try files(runs)
            guard stored.count == 1 else { return false }
            return try files(checkpoints).contains { $0.hasSuffix(".json") && !stored.contains(String($0.dropLast(5))) }
        }
        while try !started() && Date() < deadline && process.isRunning {
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the build was killed before it finished")
        let shortKey = try XCTUnwrap(files(runs).first)
        let longKey = try XCTUnwrap(files(checkpoints).first { $0.hasSuffix(".json") && $0 != shortKey + ".json" }).replacingOccurrences(of: ".json", with: "")
        XCTAssertEqual(try files(first.appendingPathComponent(".mgdl-store/runs")).count, 1, "the short run finished, the long one did not")

        // Without --with-checkpoints, freeze says the long run is missing (exit 1) and commits no checkpoint.
        let plain = try run(["freeze"], in: first)
        XCTAssertEqual(plain.status, 1, plain.stdout + plain.stderr)
        XCTAssertEqual(try files(first.appendingPathComponent("results/checkpoints")), [])
        let committed = try run(["freeze", "--with-checkpoints"], in: first)
        XCTAssertEqual(committed.status, 0, committed.stderr)
        XCTAssertTrue(committed.stdout.contains("1 in training (checkpoints"), committed.stdout)
        XCTAssertEqual(try files(first.appendingPathComponent("results/checkpoints")), ["\(longKey).json.xz"])
        XCTAssertEqual(try files(first.appendingPathComponent("results/runs")).count, 1)
        XCTAssertEqual(try files(first.appendingPathComponent("results/reports/quick")), [], "a report in training is not listed as committed")

        // The paper site of a clone with only results/: the report is not yet committed, and says how far it is.
        let empty = first.appendingPathComponent("empty-store")
        let partial = try run(["build", "--templates", templates, "--frozen", "--allow-uncommitted", "--store", empty.path, "--out", "partial-site"], in: first)
        XCTAssertEqual(partial.status, 0, partial.stderr)
        let page = try String(contentsOf: first.appendingPathComponent("partial-site/carry/index.html"), encoding: .utf8)
        XCTAssertTrue(page.contains("1 of its 2 runs are trained and committed so far"), "the page says how much is committed")
        let runPage = (try? String(contentsOf: first.appendingPathComponent("partial-site/carry/runs/short.html"), encoding: .utf8)) ?? ""
        XCTAssertFalse(runPage.contains("final training loss"), "a report not yet committed shows no number, not even of the run committed so far")

        // Second sitting, on another clone: the short run comes from results/, the long one continues from its committed checkpoint.
        second = try clone(results: first.appendingPathComponent("results"))
        let clone2 = try XCTUnwrap(second)
        // What is left, as plan sees it: the short run committed, the long one from its committed checkpoint's step.
        let plan = try run(["plan", "-j", "1", "--carry-over"], in: clone2)
        XCTAssertEqual(plan.status, 0, plan.stderr)
        XCTAssertTrue(plan.stdout.contains("carry/short  \(shortKey.prefix(12))  (committed to the results store)"), plan.stdout)
        let stepLine = try XCTUnwrap(plan.stdout.split(separator: "\n").first { $0.contains("carry/long") }.map(String.init))
        let stepDone = try XCTUnwrap(stepLine.range(of: "continues from its committed checkpoint: step ").map { Int(stepLine[$0.upperBound...].prefix { $0.isNumber }) } ?? nil)
        XCTAssertTrue(stepDone > 0 && stepDone < 8000 && stepLine.contains("of 8000"), stepLine)
        XCTAssertFalse(try run(["plan", "-j", "1"], in: clone2).stdout.contains("committed"), "without --carry-over, plan reads no results store")
        let continued = try run(build + ["--carry-over"], in: clone2)
        XCTAssertEqual(continued.status, 0, continued.stderr)
        XCTAssertTrue(continued.stderr.contains("\"event\":\"run_carried_over\""), continued.stderr)
        XCTAssertFalse(continued.stderr.contains("\"step\":1,"), "no run started over")
        let refEntry = reference.appendingPathComponent(".mgdl-store/runs/\(longKey)")
        let newEntry = clone2.appendingPathComponent(".mgdl-store/runs/\(longKey)")
        for name in ["result.json", "compute.json"] {
            XCTAssertEqual(try Data(contentsOf: refEntry.appendingPathComponent(name)), try Data(contentsOf: newEntry.appendingPathComponent(name)),
                           "\(name) of the continued run differs from the uninterrupted one")
        }
        for page in ["carry/runs/long.json", "carry/figures/loss.csv", "carry/figures/loss.svg"] {
            XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent("site/\(page)")),
                           try Data(contentsOf: clone2.appendingPathComponent("site/\(page)")), page)
        }
        XCTAssertEqual(try files(clone2.appendingPathComponent(".mgdl-store/tmp/checkpoints")), [], "the run store's checkpoint is removed once the run is stored")

        // Frozen whole: listed, the committed checkpoint gone; the site builds from results/ alone.
        let whole = try run(["freeze", "--with-checkpoints"], in: clone2)
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stdout.contains("1 already there"), whole.stdout)
        XCTAssertEqual(try files(clone2.appendingPathComponent("results/reports/quick")), ["carry.json"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: clone2.appendingPathComponent("results/checkpoints").path))
        let frozen = try run(["build", "--templates", templates, "--frozen", "--store", clone2.appendingPathComponent("empty").path, "--out", "frozen-site"], in: clone2)
        XCTAssertEqual(frozen.status, 0, frozen.stderr)
        XCTAssertEqual(try Data(contentsOf: reference.appendingPathComponent("site/carry/figures/loss.csv")),
                       try Data(contentsOf: clone2.appendingPathComponent("frozen-site/carry/figures/loss.csv")))
    }

    /// The CPUs, for the tests that need -j 1 and -j CPUs to compute on different thread counts.
    func twoOrMoreCPUs() throws -> Int {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        guard cpus >= 2 else { throw XCTSkip("needs 2 CPUs: -j 1 and -j \(cpus) compute on the same thread count here") }
        return cpus
    }

    /// A project with one report, `threads`, of one run, `wide`, with enough points per step for
    /// every CPU at -j 1 (`RunStore.oneThreadBelowPointsPerThread`).
    func threadsProject(cpus: Int, widths: String, steps: Int, folder: URL? = nil) throws -> URL {
        let report = """
        ---
        version: 1
        title: "Threads"
        ---

        ```experiment wide
        task:
          kind: sum_of_sines
          frequencies: [1, 2]
          points: \(128 * cpus)
        model:
          widths: \(widths)
        train:
          lr: 3.0e-3
          steps: \(steps)
        ```
        """
        let dir = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("mgdl-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("reports"), withIntermediateDirectories: true)
        try report.write(to: dir.appendingPathComponent("reports/threads.md"), atomically: true, encoding: .utf8)
        return dir
    }

    /// A report trained in part with one `-j` continues with another: `--carry-over` takes a
    /// finished run computed with another thread count (from the run store or the results
    /// store) instead of training it again, and the pages and provenance name the key of the
    /// entry it was read from. Without `--carry-over` the key of this machine's thread count is
    /// wanted, so the run is to train.
    func testCarryOverTakesRunsComputedWithAnotherThreadCount() throws {
        let cpus = try twoOrMoreCPUs()
        let first = try threadsProject(cpus: cpus, widths: "[1, 8, 1]", steps: 20)
        let second = try threadsProject(cpus: cpus, widths: "[1, 8, 1]", steps: 20, folder: first.appendingPathExtension("clone"))
        defer { for dir in [first, second] { try? FileManager.default.removeItem(at: dir) } }
        let many = ["build", "--templates", templates, "-j", "1", "--json"]
        let trained = try run(many, in: first)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let key = try XCTUnwrap(files(first.appendingPathComponent(".mgdl-store/runs")).first)
        let compute = try String(contentsOf: first.appendingPathComponent(".mgdl-store/runs/\(key)/compute.json"), encoding: .utf8)
        XCTAssertTrue(compute.contains("\"threads\":\(cpus)"), compute)
        let trainedPage = try String(contentsOf: first.appendingPathComponent("site/threads/runs/wide.html"), encoding: .utf8)
        XCTAssertTrue(trainedPage.contains("trained by this build, computed on \(cpus) threads"), trainedPage)
        let frozen = try run(["freeze"], in: first)
        XCTAssertEqual(frozen.status, 0, frozen.stderr)
        try FileManager.default.copyItem(at: first.appendingPathComponent("results"), to: second.appendingPathComponent("results"))

        let oneEach = ["build", "--templates", templates, "-j", "\(cpus)", "--json"]
        for (dir, origin) in [(first, "cached, computed with another thread count"),
                              (second, "committed to the results store, computed with another thread count")] {
            let plain = try run(["plan", "-j", "\(cpus)"], in: dir)
            XCTAssertTrue(plain.stdout.contains("to run  threads/wide"), "without --carry-over one thread's key is wanted: " + plain.stdout)
            let plan = try run(["plan", "-j", "\(cpus)", "--carry-over"], in: dir)
            XCTAssertTrue(plan.stdout.contains("threads/wide  \(key.prefix(12))  (\(origin))"), plan.stdout)
            let continued = try run(oneEach + ["--carry-over"], in: dir)
            XCTAssertEqual(continued.status, 0, continued.stderr)
            XCTAssertTrue(continued.stderr.contains("\"event\":\"run_restored\""), continued.stderr)
            XCTAssertFalse(continued.stderr.contains("\"event\":\"run_started\""), "nothing trains again: " + continued.stderr)
            let page = try String(contentsOf: dir.appendingPathComponent("site/threads/runs/wide.html"), encoding: .utf8)
            XCTAssertTrue(page.contains(key), "the run page names the entry it was read from")
            XCTAssertTrue(page.contains("restored from the run store, computed on \(cpus) threads"), "and the threads it was computed with")
            let provenance = try String(contentsOf: dir.appendingPathComponent("site/provenance.json"), encoding: .utf8)
            XCTAssertTrue(provenance.contains(key), provenance)
        }
        XCTAssertEqual(try files(second.appendingPathComponent(".mgdl-store/runs")), [], "the clone trained nothing")
    }

    /// A run killed in training at one `-j` has a checkpoint that only its thread count continues:
    /// a build with another `-j` stops before training anything (exit 2), naming the run, the
    /// `-j` that continues it and the file to delete to start it over, instead of throwing hours
    /// of training away; `plan` says the same. (Continuing with the right `-j` is `ResumeTests`'.)
    func testACheckpointOfAnotherThreadCountStopsTheBuildInsteadOfStartingOver() throws {
        let cpus = try twoOrMoreCPUs()
        let dir = try threadsProject(cpus: cpus, widths: "[1, 16, 16, 1]", steps: 400_000)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Killed in training at -j 1 (every CPU for the run), after its first checkpoint.
        let process = try launch(["build", "--templates", templates, "-j", "1", "--checkpoint-every", "0.05"], in: dir)
        let checkpoints = dir.appendingPathComponent(".mgdl-store/tmp/checkpoints")
        let deadline = Date().addingTimeInterval(120)
        while try files(checkpoints).filter({ $0.hasSuffix(".json") }).isEmpty && Date() < deadline && process.isRunning { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let written = try files(checkpoints).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(written.count, 1, "one checkpoint, of the -j 1 key")

        let plan = try run(["plan", "-j", "\(cpus)"], in: dir)
        XCTAssertTrue(plan.stdout.contains("was computed on \(cpus) thread(s): -j 1 continues it"), plan.stdout)
        for extra in [[], ["--carry-over"]] {
            let stopped = try run(["build", "--templates", templates, "-j", "\(cpus)", "--json"] + extra, in: dir)
            XCTAssertEqual(stopped.status, 2, stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains("error: train or restore: run threads/wide: its checkpoint (step "), stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains("was computed on \(cpus) thread(s) and this build computes it on 1"), stopped.stderr)
            XCTAssertTrue(stopped.stderr.contains("build with -j 1 to continue it, or delete .mgdl-store/tmp/checkpoints/\(written[0])"), stopped.stderr)
            XCTAssertFalse(stopped.stderr.contains("\"event\":\"run_started\""), "nothing trained")
            XCTAssertEqual(try files(checkpoints).filter { $0.hasSuffix(".json") }, written, "the checkpoint is kept, and no other is written")
            XCTAssertEqual(try files(dir.appendingPathComponent(".mgdl-store/runs")), [])
        }
    }
}
