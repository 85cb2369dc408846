import Experiments
import Foundation
import Numerics

/// The steps of `SiteBuilder.build`, by the names its events and errors use.
enum Step {
    static let load = "load specs"
    static let plan = "plan"
    static let trainOrRestore = "train or restore"
    static let figures = "figures"
    static let pages = "pages"
    static let write = "write site"
}

/// One declared run of a build, with its key (computed once, by the plan step).
struct DeclaredRun {
    /// Its place among all the build's runs (0-based), for the progress events.
    let index: Int
    let report: Report
    let spec: ExperimentSpec
    let key: String
}

/// The plan step's output: every declared run, and the run store, opened and locked.
struct BuildPlan {
    /// The runs this build does (a shard's share, or all).
    let runs: [DeclaredRun]
    /// How many runs the reports declare (a shard does some of them).
    let declaredCount: Int
    let store: RunStore?

    /// Run keys by report and run name (what the figures' cache keys are made of and the pages
    /// show): each run's key on this machine, or the key of the entry it was restored from when
    /// that differs (`RunOutcomes.entryKeys`).
    func keys(restoredFrom entryKeys: [String: [String: String]] = [:]) -> [String: [String: String]] {
        var keys: [String: [String: String]] = [:]
        for run in runs where keys[run.report.id]?[run.spec.name] == nil {
            keys[run.report.id, default: [:]][run.spec.name] = entryKeys[run.report.id]?[run.spec.name] ?? run.key
        }
        return keys
    }
}

/// The train-or-restore step's output.
struct RunOutcomes {
    /// Results by report and run name.
    var results: [String: [String: RunResult]] = [:]
    /// Per report, the runs taken from the store (or from an identical run of this build).
    var restored: [String: Set<String>] = [:]
    /// Per report, the key of the entry a restored run was read from, where it is not the run's
    /// key on this machine: the same run computed with another thread count, which `--frozen`
    /// and `--carry-over` take (`RunStore.acceptAnyThreadCount`).
    var entryKeys: [String: [String: String]] = [:]
    /// Runs done (trained or restored) and the failed ones, as "report/run", sorted.
    var runs = 0
    var failedRuns: [String] = []
    /// Runs a `frozen` build found in neither store (failed, not trained).
    var notInStores = 0
    /// Reports a `frozen` build with `allowUncommitted` shows as not yet committed: the results
    /// store does not list them and some of their runs are in neither store (none, or all but
    /// those trained so far). Their missing runs have no result, and neither they nor their
    /// figures count as failures.
    var uncommitted: Set<String> = []
    /// Of each report in `uncommitted`, the runs that are in a store (finished so far, frozen by
    /// `freeze --with-checkpoints` while the rest train) and the runs it declares.
    var uncommittedRuns: [String: (found: Int, declared: Int)] = [:]

    /// Per report, the threads each run was computed with (`RunStore.threads(for:)` for a run
    /// trained here; a restored run's entry may have been computed with another count).
    var threads: [String: [String: Int]] = [:]

    /// Adds a run's result; `threads` is what a restored run was computed with (default: what
    /// this build computes it with).
    mutating func add(_ result: RunResult, of run: DeclaredRun, restored isRestored: Bool, threads computed: Int? = nil) {
        results[run.report.id, default: [:]][run.spec.name] = result
        threads[run.report.id, default: [:]][run.spec.name] = computed ?? RunStore.threads(for: run.spec)
        if isRestored { restored[run.report.id, default: []].insert(run.spec.name) }
        runs += 1
        if result.status == .failed { failedRuns.append("\(run.report.id)/\(run.spec.name)") }
    }
}

extension SiteBuilder {
    /// Step "load specs": the reports the command has already loaded (and validated), or else
    /// those of `reportsDirectory`. Throws `SpecProblems`, or `BuildError` when there are none.
    func loadReports(_ loaded: [Report]?) throws -> [Report] {
        SiteOutput.projectRoot = SiteOutput.resolved(reportsDirectory.deletingLastPathComponent())
        let reports = try loaded ?? ReportLoader.load(directory: reportsDirectory, profile: profile, only: only, overrides: overrides)
        if reports.isEmpty {
            throw BuildError(step: Step.load, path: SiteOutput.display(reportsDirectory), message: "no reports (*.md) found")
        }
        return reports
    }

    /// Every declared run of `reports` in page order, with its key.
    func declaredRuns(_ reports: [Report]) -> [DeclaredRun] {
        var runs: [DeclaredRun] = []
        for report in reports {
            for spec in report.experiments {
                runs.append(DeclaredRun(index: runs.count, report: report, spec: spec, key: RunStore.key(for: spec)))
            }
        }
        return runs
    }

    /// Step "plan": the declared runs with their keys, and the store opened and locked.
    func makePlan(_ reports: [Report]) throws -> BuildPlan {
        let runs = declaredRuns(reports)
        var store: RunStore?
        if let storeDirectory {
            do {
                store = try RunStore(root: storeDirectory)
                try store?.lock()
            } catch {
                throw BuildError(step: Step.plan, path: SiteOutput.display(storeDirectory),
                                 message: error is StoreError ? "\(error)" : SiteOutput.describe(error))
            }
        }
        return BuildPlan(runs: shard.map { shard in runs.filter { shard.contains(key: $0.key) } } ?? runs,
                         declaredCount: runs.count, store: store)
    }

    /// Step "train or restore": each run from the store, or trained (`jobs` at a time) and
    /// stored. Two declarations with one key (the same run reached from two sweeps) train once:
    /// the copies take the result of the first, as if restored from the store.
    /// With `frozen` nothing trains: a run the store lacks is restored from the committed results
    /// store (`resultsDirectory`), and one that neither has is a failed run whose message says so.
    func trainOrRestore(_ plan: BuildPlan, events: (BuildEvent) -> Void) throws -> RunOutcomes {
        var outcomes = RunOutcomes()
        let store = plan.store, total = plan.declaredCount
        let committed = frozen || carryOver ? resultsDirectory.map { RunStore(readingFrom: $0) } : nil
        var toTrain: [DeclaredRun] = []
        var firstByKey: [String: DeclaredRun] = [:]
        var sameAs: [DeclaredRun] = []
        // A result frozen without a part that a figure, table or claim of the report now reads
        // (`RunResult.omitted`) is not taken: frozen, the run fails saying so; else it trains again.
        var readByReport: [String: [String: Set<ResultPart>]] = [:]
        var lacking: [String: String] = [:]  // run key -> why its committed result does not do
        var found: [RunResult?] = []
        var foundThreads: [Int?] = []
        for run in plan.runs {
            if readByReport[run.report.id] == nil { readByReport[run.report.id] = run.report.resultPartsRead() }
            let candidates = [store?.stored(run.spec, key: run.key), committed?.stored(run.spec, key: run.key)].compactMap { $0 }
            let usable = candidates.first { run.report.missingParts(of: $0.result, run: run.spec.name, read: readByReport[run.report.id]).isEmpty }
            if usable == nil, let first = candidates.first {
                let missing = run.report.missingParts(of: first.result, run: run.spec.name, read: readByReport[run.report.id])
                lacking[run.key] = "its stored result was frozen without its \(missing.map(\.words).joined(separator: ", ")), which a figure, "
                    + "table or claim of the report now reads: freeze the report again from a run store that has the run "
                    + "(mgdl-report freeze --profile \(profile) --only \(run.report.id); docs/committed-results.md)"
            }
            found.append(usable?.result)
            foundThreads.append(usable?.threads)
            if let usable, usable.key != run.key { outcomes.entryKeys[run.report.id, default: [:]][run.spec.name] = usable.key }
        }
        // Frozen: a report the results store lists (`freeze` wrote its manifest) must build whole
        // from it; one it does not list, with none of its runs anywhere, is not yet committed.
        var committedProblems: [String: String] = [:]
        if frozen {
            var reportRuns: [String: [(DeclaredRun, RunResult?)]] = [:]
            for (run, result) in zip(plan.runs, found) { reportRuns[run.report.id, default: []].append((run, result)) }
            for (id, runs) in reportRuns {
                if let committed, let manifest = committed.manifest(report: id, profile: profile) {
                    committedProblems[id] = manifest.problem(specs: runs.map(\.0.spec), absent: Set(runs.filter { $0.1 == nil && lacking[$0.0.key] == nil }.map(\.0.spec.name)),
                                                                in: committed)
                } else if allowUncommitted, runs.contains(where: { $0.1 == nil }) {
                    // Not listed and not whole: none of its runs yet, or those its training has finished so far.
                    outcomes.uncommitted.insert(id)
                    outcomes.uncommittedRuns[id] = (runs.filter { $0.1 != nil }.count, runs.count)
                }
            }
        }
        for ((run, cached), threads) in zip(zip(plan.runs, found), foundThreads) {
            // A report not yet committed shows no number, not even of the runs committed so far.
            if frozen, outcomes.uncommitted.contains(run.report.id) {
                outcomes.notInStores += 1
                continue
            }
            if frozen, cached == nil, let why = lacking[run.key] {
                var missing = Runner.failed(run.spec, "run \(run.spec.name): \(why)")
                missing.name = run.spec.name
                events(.runFinished(report: run.report.id, run: run.spec.name, result: missing))
                outcomes.add(missing, of: run, restored: false)
                outcomes.notInStores += 1
                continue
            }
            if frozen, cached == nil {
                let problem = committedProblems[run.report.id].map { " The results store lists this report as committed (\(SiteOutput.display(resultsDirectory!))/reports/\(profile)/\(run.report.id).json), but: \($0)." } ?? ""
                var missing = Runner.failed(run.spec, frozenMissMessage + problem)
                missing.name = run.spec.name
                events(.runFinished(report: run.report.id, run: run.spec.name, result: missing))
                outcomes.add(missing, of: run, restored: false)
                outcomes.notInStores += 1
                continue
            }
            if firstByKey[run.key] != nil, cached == nil {
                sameAs.append(run)
                continue
            }
            firstByKey[run.key] = firstByKey[run.key] ?? run
            if let cached {
                events(.runRestored(report: run.report.id, run: run.spec.name, index: run.index + 1, count: total))
                outcomes.add(cached, of: run, restored: true, threads: threads)
                store?.remember(run.spec, report: run.report.id)
            } else {
                toTrain.append(run)
            }
        }
        // A checkpoint this build cannot continue (written on another thread count) is never
        // thrown away silently: the build stops before training anything.
        if let store {
            let results = carryOver ? committed : nil
            let stranded = toTrain.compactMap { run -> CheckpointThreadsError.Run? in
                guard let other = store.checkpointOnOtherThreads(for: run.spec, committedIn: results) else { return nil }
                return CheckpointThreadsError.Run(name: "\(run.report.id)/\(run.spec.name)", steps: other.steps,
                                                  totalSteps: RunCost.phases(run.spec).reduce(0) { $0 + $1.steps },
                                                  checkpointThreads: other.threads, buildThreads: RunStore.threads(for: run.spec), file: other.file)
            }
            if !stranded.isEmpty { throw CheckpointThreadsError(runs: stranded) }
        }
        if !toTrain.isEmpty {
            let speed = EngineSpeed()
            events(.trainingPlanned(costs: Dictionary(toTrain.map { ($0.spec.name, RunCost.seconds($0.spec, speed: speed)) },
                                                      uniquingKeysWith: +)))
        }
        try train(toTrain, total: total, store: store, events: events, into: &outcomes)
        for run in sameAs {
            let first = firstByKey[run.key]!
            guard var result = outcomes.results[first.report.id]?[first.spec.name] else { continue }
            result.name = run.spec.name
            events(.runRestored(report: run.report.id, run: run.spec.name, index: run.index + 1, count: total))
            outcomes.add(result, of: run, restored: true, threads: outcomes.threads[first.report.id]?[first.spec.name])
            store?.remember(run.spec, report: run.report.id)
        }
        outcomes.failedRuns.sort()
        return outcomes
    }

    /// Trains `runs`, `jobs` at a time (the engine's threads are the caller's: the cores the
    /// jobs leave), storing each result as it finishes. With a store, each run checkpoints into
    /// the store's temporary area every `checkpointInterval` seconds and continues from its
    /// checkpoint after a killed build; the checkpoint is removed once the result is stored.
    ///
    /// Runs whose steps are too small to use the engine's threads well compute on one thread
    /// (`RunStore.threads(for:)`, which their keys follow): they train first, side by side, as
    /// many at once as the jobs have threads in all, each with the bits it has when trained alone.
    private func train(_ runs: [DeclaredRun], total: Int, store: RunStore?, events: (BuildEvent) -> Void,
                       into outcomes: inout RunOutcomes) throws {
        let threads = BLASThreads.current
        let small = threads > 1 ? runs.filter { RunStore.threads(for: $0.spec) == 1 } : []
        if !small.isEmpty {
            BLASThreads.set(1)
            defer { BLASThreads.set(threads) }
            try train(small, workers: jobs * threads, total: total, store: store, events: events, into: &outcomes)
        }
        let smallKeys = Set(small.map(\.key))
        try train(runs.filter { !smallKeys.contains($0.key) }, workers: jobs, total: total, store: store, events: events, into: &outcomes)
    }

    /// Trains `runs`, `workers` at a time, on the engine's current thread count.
    private func train(_ runs: [DeclaredRun], workers: Int, total: Int, store: RunStore?, events: (BuildEvent) -> Void,
                       into outcomes: inout RunOutcomes) throws {
        guard !runs.isEmpty else { return }
        let workers = max(1, min(workers, runs.count))
        let lock = NSLock()
        var next = 0
        var storeFailure: BuildError?
        var done = outcomes
        withoutActuallyEscaping(events) { events in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    lock.lock()
                    guard next < runs.count, storeFailure == nil else { lock.unlock(); return }
                    let run = runs[next]
                    next += 1
                    events(.runStarted(report: run.report.id, run: run.spec.name, index: run.index + 1, count: total,
                                       steps: run.spec.train.steps))
                    lock.unlock()
                    let checkpoints = store.map {
                        RunCheckpointing(file: $0.checkpointFile(forKey: run.key), interval: checkpointInterval)
                    }
                    if carryOver, let store, let resultsDirectory,
                       store.seedCheckpoint(forKey: run.key, from: RunStore(readingFrom: resultsDirectory)) {
                        lock.lock(); events(.runCarriedOver(report: run.report.id, run: run.spec.name)); lock.unlock()
                    }
                    var result = Runner.run(run.spec, progress: { progress in
                        lock.lock(); events(.runProgress(progress)); lock.unlock()
                    }, checkpoints: checkpoints)
                    result.message = result.message.map(SiteOutput.scrub)  // stored and published: no paths of this machine
                    lock.lock()
                    do {
                        try store?.store(result, for: run.spec, key: run.key)
                        store?.remember(run.spec, report: run.report.id)
                        store?.removeCheckpoint(forKey: run.key)
                    } catch {
                        storeFailure = BuildError(step: Step.trainOrRestore, path: storeDirectory.map(SiteOutput.display) ?? "",
                                                  message: "cannot store run \(run.spec.name): \(error is StoreError ? "\(error)" : SiteOutput.describe(error))")
                    }
                    done.add(result, of: run, restored: false)
                    events(.runFinished(report: run.report.id, run: run.spec.name, result: result))
                    lock.unlock()
                }
            }
        }
        outcomes = done
        if let storeFailure { throw storeFailure }
    }

    /// Step "pages" of one report: its claims checked, its pages and site entry written.
    func writeReport(_ report: Report, runs: [String: RunResult], keys: [String: String], restored: Set<String>, threads: [String: Int] = [:],
                     figures: [String: FigureFiles],
                     provenance: Provenance, templates: SiteTemplates, to folder: URL, events: (BuildEvent) -> Void,
                     uncommitted: Bool = false, uncommittedRuns: (found: Int, declared: Int)? = nil, summary: inout BuildSummary) throws -> SiteEntry {
        let claims = report.claims.map { ClaimCheck.check($0, specs: report.experiments, runs: runs, profile: profile, figures: report.figures) }
        for claim in claims {
            events(.claimChecked(report: report.id, claim: claim))
            summary.claims.append((report.id, claim))
        }
        var page = ReportPage(report: report, runs: runs, figures: figures, provenance: provenance, restored: restored)
        page.runThreads = threads
        page.budget = ProfileBudget(profile: profile, specs: report.experiments, frozen: frozen, uncommitted: uncommitted ? uncommittedMessage(report.id) : nil,
                                    otherProfile: otherProfileSite)
        page.budget?.uncommittedProgress = uncommitted ? uncommittedProgress(uncommittedRuns) : nil
        page.claims = Dictionary(claims.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        page.runKeys = keys
        try writePages(page, templates: templates, to: folder)
        let siteEntry = SiteEntry(page: page)
        try write(siteEntry.json(), to: folder.appendingPathComponent(SiteEntry.fileName), step: Step.pages)
        summary.reports += 1
        return siteEntry
    }
}
