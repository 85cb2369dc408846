import ArgumentParser
import Experiments
import Foundation
import Numerics
import ReportSite

// Commands on the run store: what would train and why, merging shard stores, verifying entries.

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List every declared run and whether the run store has it; for a miss, say why and what it will cost.",
        discussion: """
            Trains nothing. For each run to train: its training FLOPs and estimated time on this \
            machine (the engine is timed for a moment on each network shape; see RunCost), then \
            totals per report and for the profile (with -j N, N runs train at once). \
            Exit status 2 when a report is invalid.
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Run store folder (default: .mgdl-store/ of the project root).", valueName: "dir"))
    var store: String?

    @Option(name: .short, help: ArgumentHelp("As for build: the runs' keys include the threads each run computes with, which -j sets (default: one job per CPU).", valueName: "N"))
    var jobs: Int?

    @Flag(name: .long, help: "As for build --carry-over: a run finished in the run store or committed to the results store (--results), computed with any thread count, is not to train, and a run with a committed checkpoint costs only its remaining steps.")
    var carryOver = false

    @Option(name: .long, help: ArgumentHelp("Committed results store that --carry-over reads (default: results/ of the project root).", valueName: "dir"))
    var results: String?

    func run() throws {
        let reports = try options.load()
        var builder = SiteBuilder(reportsDirectory: options.reportsDirectory, templatesDirectory: URL(fileURLWithPath: "."),
                                  outputDirectory: URL(fileURLWithPath: "."), profile: options.profile, only: options.only,
                                  storeDirectory: ProjectRoot.resolve(store, default: ".mgdl-store"))
        builder.overrides = try options.overrides()
        builder.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        builder.carryOver = carryOver
        builder.resultsDirectory = ProjectRoot.resolve(results, default: "results")
        BLASThreads.set(builder.computeThreads)  // the engine is timed as `build` would run it
        let plan = try builder.plan(reports: reports)
        for run in plan {
            let status = run.cached ? "cached" : "to run"
            print("\(status.padding(toLength: 7, withPad: " ", startingAt: 0)) \(run.report)/\(run.run)  \(run.key.prefix(12))"
                  + (run.cached ? (run.reason == "cached" ? "" : "  (\(run.reason))")
                     : "  (\(run.reason))  \(Self.flops(run.flops)), ~\(ProgressDisplay.duration(run.seconds))"))
        }
        let toTrain = plan.filter { !$0.cached }
        var reportIDs: [String] = []
        for run in plan where !reportIDs.contains(run.report) { reportIDs.append(run.report) }
        for report in reportIDs {
            let runs = toTrain.filter { $0.report == report }
            guard !runs.isEmpty else { continue }
            print("report \(report): \(runs.count) run(s) to train, \(Self.flops(runs.reduce(0) { $0 + $1.flops })), "
                  + "~\(ProgressDisplay.duration(runs.reduce(0) { $0 + $1.seconds })) of training")
        }
        let seconds = toTrain.reduce(0) { $0 + $1.seconds }
        var total = "profile \(options.profile): \(plan.count) run(s): \(plan.count - toTrain.count) cached, \(toTrain.count) to run"
        if !toTrain.isEmpty {
            total += ", \(Self.flops(toTrain.reduce(0) { $0 + $1.flops })), ~\(ProgressDisplay.duration(seconds)) of training"
            let jobs = min(builder.jobs, toTrain.count)
            if jobs > 1 { total += " (~\(ProgressDisplay.duration(seconds / Double(jobs))) with -j \(jobs))" }
        }
        print(total)
    }
}

extension PlanCommand {
    /// FLOPs with an SI prefix: "3.2 TFLOP".
    static func flops(_ value: Double) -> String {
        let prefixes: [(Double, String)] = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, prefix) in prefixes where value >= scale { return String(format: "%.3g %@FLOP", value / scale, prefix) }
        return String(format: "%.0f FLOP", value)
    }
}

struct FreezeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Copy the declared runs of a profile from the run store into the committed results store.",
        discussion: """
            The results store (default: results/ of the project root) is meant to be committed: \
            `build --profile paper --frozen` then builds the site from it with no training. Each \
            entry is copied verified, under its key; a training-loss curve of more than 8192 steps is \
            thinned to the steps a figure or table shows (every kept loss exact, the final and lowest \
            losses and every table number unchanged; docs/committed-results.md), and of the bulky parts \
            of a result (grade outputs, kept predictions, the training grid, learning curves, spectra, \
            plane predictions, layer norms, perturbation measurements, the loss curve beyond the steps the pages read) only those a figure, table or claim of the reports declaring the run \
            reads are kept, exactly. Only compact runs \
            are taken: a run that kept its whole prediction at every recorded step is refused when something reads \
            its predictions (declare train.keep_predictions). A report frozen whole is listed in reports/PROFILE/REPORT.json \
            of the results store, which `build --frozen` checks. Each result is written compressed \
            (result.json.xz: xz, deterministic; its digest is that of the uncompressed bytes), and \
            --reencode converts the entries of a results store written before in place. A run the run store lacks but the results store already holds \
            (frozen in an earlier session) is kept as it is. With --with-checkpoints, the runs still in training are committed \
            too, as their checkpoints, for `build --carry-over` to continue (docs/committed-results.md). \
            Trains nothing. Exit status 1 when a declared run is in neither store (without --with-checkpoints) \
            or refused (the others are still copied), 2 when a report is invalid.
            """
    )

    @OptionGroup var options: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Run store to copy from (default: .mgdl-store/ of the project root).", valueName: "dir"))
    var store: String?

    @Option(name: .long, help: ArgumentHelp("Results store to copy into (default: results/ of the project root).", valueName: "dir"))
    var results: String?

    @Flag(name: .long, help: "Copy nothing: rewrite, in place, every entry of the results store frozen in an earlier form into today's: result.json.xz (compressed; the digest stays that of the JSON), without the parts that no figure, table or claim of the profile's reports reads (an entry none declares is only compressed). Reads no run store; trains nothing; the kept numbers are the entries' own.")
    var reencode = false

    @Flag(name: .long, help: "Also commit the training in progress: for each declared run the run store has not finished, copy its checkpoint (tmp/checkpoints/KEY.json: weights, optimizer, RNG, schedule position, the measurements so far) into the results store as checkpoints/KEY.json.xz, so that `build --carry-over` continues it in another session or on another clone. A run in training or not started is then not an error; a committed checkpoint is removed once its run is frozen finished.")
    var withCheckpoints = false

    func run() throws {
        if reencode {
            // What each entry's readers read: every report, at every profile any of them declares
            // (an entry is kept whole where a run of any profile reads it), whatever --only and
            // --profile say.
            let loaded = try options.load()
            var reports: [Report] = []
            for profile in Set(loaded.flatMap(\.declaredProfiles) + [options.profile]).sorted() {
                reports += try ReportLoader.load(directory: options.reportsDirectory, profile: profile, only: [], overrides: try options.overrides())
            }
            let resultsDirectory = ProjectRoot.resolve(results, default: "results")
            guard FileManager.default.fileExists(atPath: resultsDirectory.appendingPathComponent("runs").path) else {
                FileHandle.standardError.write(Data("error: --results \(resultsDirectory.path): no results store there\n".utf8))
                throw ExitCode(2)
            }
            let store = RunStore(readingFrom: resultsDirectory)
            let (converted, before, after) = try store.reencodeEntries(keeping: Report.resultPartsRead(by: reports))
            print(String(format: "%d entr%@ re-encoded in %@ (%.2f MB -> %.2f MB on disk)", converted, converted == 1 ? "y" : "ies",
                         results ?? "results", Double(before) / 1e6, Double(after) / 1e6))
            let problems = store.problems().filter { $0.kind == "runs" }
            for problem in problems { FileHandle.standardError.write(Data("error: runs/\(problem.key): \(problem.reason)\n".utf8)) }
            if !problems.isEmpty { throw ExitCode(1) }
            return
        }
        let reports = try options.load()
        let storeDirectory = ProjectRoot.resolve(store, default: ".mgdl-store")
        guard FileManager.default.fileExists(atPath: storeDirectory.appendingPathComponent("runs").path) else {
            FileHandle.standardError.write(Data("error: --store \(storeDirectory.path): no run store there\n".utf8))
            throw ExitCode(2)
        }
        let runStore = RunStore(readingFrom: storeDirectory)
        let resultsDirectory = ProjectRoot.resolve(results, default: "results")
        let resultsStore = try RunStore(root: resultsDirectory)
        // A run computed with any thread count will do, as for `build --frozen`.
        RunStore.acceptAnyThreadCount = true
        // What each run's figures, tables and claims read, over every report of the profile (a
        // run two reports declare is one entry: it keeps what either reads).
        let everyReport = options.only.isEmpty ? reports
            : (try? ReportLoader.load(directory: options.reportsDirectory, profile: options.profile, only: [], overrides: try options.overrides())) ?? reports
        let partsByKey = Report.resultPartsRead(by: everyReport + reports)
        var copied = 0, bytes = 0, kept = 0
        var inProgress = 0, checkpointBytes = 0, notStarted = 0
        var problems: [String] = []
        for report in reports {
            var keys: [String: String] = [:]
            for spec in report.experiments {
                let parts = partsByKey[RunStore.key(for: spec)] ?? []
                // Frozen in an earlier session (committed with its training in progress: --with-checkpoints)
                // and no longer in this run store: the committed entry stands when it has every part read.
                if runStore.entryKey(for: spec) == nil, let committed = resultsStore.result(for: spec),
                   Set(committed.omitted ?? []).isDisjoint(with: parts) {
                    kept += 1
                    keys[spec.name] = resultsStore.entryKey(for: spec)
                    resultsStore.removeCommittedCheckpoints(of: spec)
                    continue
                }
                if withCheckpoints, runStore.entryKey(for: spec) == nil {
                    do {
                        if let written = try runStore.freezeCheckpoint(spec, into: resultsStore) {
                            inProgress += 1
                            checkpointBytes += written
                        } else {
                            notStarted += 1
                        }
                    } catch {
                        problems.append("\(report.id)/\(error)")
                    }
                    continue
                }
                do {
                    bytes += try runStore.freeze(spec, into: resultsStore, keeping: parts)
                    copied += 1
                    keys[spec.name] = resultsStore.entryKey(for: spec)
                    resultsStore.removeCommittedCheckpoints(of: spec)
                } catch {
                    problems.append("\(report.id)/\(error)")
                }
            }
            // Only a report frozen whole is listed as committed (`build --frozen` checks it against this).
            if keys.count == report.experiments.count {
                try resultsStore.writeManifest(ResultsManifest(report: report.id, profile: options.profile, runs: keys))
            }
        }
        for problem in problems { FileHandle.standardError.write(Data("error: \(problem)\n".utf8)) }
        print(String(format: "%d run(s) of profile %@ in %@ (%.1f MB)", copied, options.profile, results ?? "results", Double(bytes) / 1e6)
              + (kept > 0 ? "; \(kept) already there" : "")
              + (withCheckpoints ? String(format: "; %d in training (checkpoints, %.1f MB), %d not started", inProgress, Double(checkpointBytes) / 1e6, notStarted) : "")
              + (problems.isEmpty ? "" : "; \(problems.count) not frozen"))
        if !problems.isEmpty { throw ExitCode(1) }
    }
}

struct MergeStoresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-stores",
        abstract: "Copy the runs of other run stores (e.g. CI shard artifacts) into one store.",
        discussion: "Each entry is verified (its key must match its declaration) and copied atomically; entries already present are kept."
    )

    @Option(name: .long, help: ArgumentHelp("The store to merge into.", valueName: "dir"))
    var into: String = ".mgdl-store"

    @Argument(help: ArgumentHelp("Stores to merge from.", valueName: "store"))
    var sources: [String]

    func run() throws {
        let store = try RunStore(root: URL(fileURLWithPath: into))
        try store.lock()
        var total = 0
        var failed = false
        for source in sources {
            do {
                let copied = try store.merge(from: URL(fileURLWithPath: source))
                total += copied
                print("\(source): \(copied) run(s) merged")
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failed = true
            }
        }
        print("\(total) run(s) merged into \(into)")
        if failed { throw ExitCode(1) }
    }
}

struct VerifyStoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-store",
        abstract: "Check every entry of the run store (runs and cached figures) against the digest of its content.",
        discussion: """
            Every file of every entry is hashed again (SHA-256) and compared with the entry's digest; a run's \
            declaration must also hash to its key. Exit status 1 when an entry does not verify: it is never \
            read as valid, and the next build trains (or draws) it again and replaces it.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Run store folder.", valueName: "dir"))
    var store: String = ".mgdl-store"

    @Flag(name: .long, help: "First give a digest to the entries an earlier version wrote without one (runs whose declaration still hashes to their key, cached figures), taking their bytes as they are.")
    var adoptUndigested = false

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: store, isDirectory: &isDirectory), isDirectory.boolValue else {
            FileHandle.standardError.write(Data("error: --store \(store): no run store there\n".utf8))
            throw ExitCode(2)
        }
        let runStore = try RunStore(root: URL(fileURLWithPath: store))
        if adoptUndigested {
            try runStore.lock()
            print("\(runStore.adoptUndigested()) entr(ies) written without a digest adopted (their bytes taken as they are)")
        }
        let bad = runStore.problems()
        func count(_ kind: String) -> Int {
            ((try? FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: store).appendingPathComponent(kind).path)) ?? []).count
        }
        if bad.isEmpty {
            print("\(count("runs")) run(s) and \(count("figures")) cached figure(s) in \(store): all verify")
        } else {
            for entry in bad { print("does not verify: \(entry.kind)/\(entry.key): \(entry.reason)") }
            throw ExitCode(1)
        }
    }
}
