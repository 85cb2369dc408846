import Experiments
import Foundation
import Ink
import Mustache
import Numerics
import Plotting

/// The version of mgdl-report, shown by `--version` and in every page's provenance block.
public let toolVersion = "0.1.0"

/// A build step failed for a reason that is not the user's spec: names the step and the path.
public struct BuildError: Error, CustomStringConvertible {
    public let step: String
    public let path: String
    public let message: String

    /// Paths shown relative to the current folder (or the project), never as this machine's
    /// absolute paths, also inside the message.
    public var description: String {
        let shown = path.hasPrefix("/") ? SiteOutput.scrub(SiteOutput.display(URL(fileURLWithPath: path))) : path
        return "\(step): \(shown): \(SiteOutput.scrub(message))"
    }
}

/// What a build did, for the command's summary and exit status.
public struct BuildSummary: Sendable {
    public var reports: Int = 0
    public var runs: Int = 0
    public var restored: Int = 0
    public var trained: Int = 0
    /// Site files written, replaced or removed (unchanged files are left alone).
    public var rewrittenFiles: Int = 0
    /// Figures drawn by this build (the others came from the store's figure cache).
    public var figuresDrawn: Int = 0
    public var failedRuns: [String] = []
    /// Reports shown as not yet committed (`SiteBuilder.allowUncommitted`), sorted.
    public var uncommittedReports: [String] = []
    public var figures: Int = 0
    public var failedFigures: [String] = []
    /// Every checked claim, as (report, result), in page order.
    public var claims: [(report: String, result: ClaimResult)] = []
    public var seconds: Double = 0
    public var output: String = ""

    public var succeeded: Bool { failedRuns.isEmpty && failedFigures.isEmpty }
}

/// Events a build reports while it works.
public enum BuildEvent: Sendable {
    case step(String)
    case runStarted(report: String, run: String, index: Int, count: Int, steps: Int)
    case runRestored(report: String, run: String, index: Int, count: Int)
    case runProgress(RunProgress)
    /// A run to train starts from the checkpoint committed to the results store (`carryOver`).
    case runCarriedOver(report: String, run: String)
    case runFinished(report: String, run: String, result: RunResult)
    case figureFailed(report: String, figure: String, message: String)
    case claimChecked(report: String, claim: ClaimResult)
    /// The runs this build will train and their estimated training seconds on this machine
    /// (`RunCost.seconds`, on the thread count each run computes with), before the first starts.
    case trainingPlanned(costs: [String: Double])
}

/// A run to train has a checkpoint written on another thread count (another `-j`, another
/// machine) that this build cannot continue: rather than start it over silently, the build stops
/// before training anything and says how to continue it (exit status 2).
public struct CheckpointThreadsError: Error, CustomStringConvertible {
    public struct Run: Sendable {
        public let name: String
        public let steps: Int
        public let totalSteps: Int
        public let checkpointThreads: Int
        public let buildThreads: Int
        public let file: URL
    }
    public let runs: [Run]

    /// The `-j` that gives each run `threads` threads on this machine, in words.
    static func jobsGiving(_ threads: Int) -> String {
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        return threads <= cpus && cpus % threads == 0 ? "-j \(cpus / threads)"
            : "a machine whose CPUs divided by -j give \(threads) (this one has \(cpus))"
    }

    public var description: String {
        runs.map { run in
            "\(Step.trainOrRestore): run \(run.name): its checkpoint (step \(run.steps) of \(run.totalSteps)) was computed on \(run.checkpointThreads) thread(s) "
                + "and this build computes it on \(run.buildThreads), which would start it over: build with \(Self.jobsGiving(run.checkpointThreads)) "
                + "to continue it, or delete \(SiteOutput.scrub(SiteOutput.display(run.file))) to start it over"
        }.joined(separator: "\n")
    }
}

/// Builds the static site in named steps (`Step`): load, plan, train or restore, figures, pages, write.
public struct SiteBuilder {
    public var reportsDirectory: URL
    public var templatesDirectory: URL
    public var outputDirectory: URL
    public var profile: String
    public var only: [String]
    /// The run store (nil: train everything, keep nothing).
    public var storeDirectory: URL?
    /// Train nothing: restore every run from the store or the committed results store
    /// (`resultsDirectory`); a run in neither is shown failed on its page (exit status 1).
    public var frozen = false
    /// The committed results store (`results/` of the project), read by `frozen` builds after the
    /// run store; nil: none.
    public var resultsDirectory: URL?
    /// A build that trains continues the training committed to the results store
    /// (`resultsDirectory`; `freeze --with-checkpoints`): a run the run store lacks is restored
    /// from the results store when it is there, finished, and a run to train whose run store has
    /// no checkpoint starts from the results store's committed checkpoint of it, if any.
    public var carryOver = false
    /// With `frozen`: a report that the results store does not list as committed
    /// (`ResultsManifest`) and that is not whole in the stores (none of its runs, or only those
    /// its training has finished so far) is built as "not yet committed" (its page says so and how
    /// many of its runs are committed; no figure is drawn) instead of failing. A report the results store lists must
    /// still build whole.
    public var allowUncommitted = false
    /// The same reports built with another profile, published beside this site: (profile, its
    /// site root relative to this one's, e.g. `paper/` or `../`). Every report page and the index
    /// link to it.
    public var otherProfileSite: (name: String, root: String)?
    /// `-S key=value` overrides, applied to every experiment (or to the one they name).
    public var overrides: [Override] = []
    /// Train only this deterministic share of the runs (by key) and write no site.
    public var shard: Shard?
    /// How many runs train at once.
    public var jobs = 1
    /// Seconds between two checkpoints of a run in training (with a store; see `Runner.run`).
    public var checkpointInterval: Double = 120

    public init(reportsDirectory: URL, templatesDirectory: URL, outputDirectory: URL, profile: String, only: [String] = [],
                storeDirectory: URL? = nil, frozen: Bool = false) {
        self.reportsDirectory = reportsDirectory
        self.templatesDirectory = templatesDirectory
        self.outputDirectory = outputDirectory
        self.profile = profile
        self.only = only
        self.storeDirectory = storeDirectory
        self.frozen = frozen
    }

    /// One planned run: cached or to train, and why; for a run to train, its estimated cost.
    public struct PlannedRun: Sendable {
        public let report: String
        public let run: String
        public let key: String
        public let cached: Bool
        public var reason: String
        /// Training FLOPs (`RunCost.flops`); 0 for a cached run.
        public var flops: Double = 0
        /// Estimated training seconds on this machine (`RunCost.seconds`); 0 for a cached run.
        public var seconds: Double = 0
    }

    /// Says, for every run of `reports` (loaded and validated here when nil), whether the store
    /// has it, and for each run to train its estimated FLOPs and seconds (timing the engine on
    /// each shape, on the thread count the caller set, as for `build`).
    public func plan(reports loaded: [Report]? = nil) throws -> [PlannedRun] {
        useComputeThreadsForKeys()
        let reports = try loaded ?? ReportLoader.load(directory: reportsDirectory, profile: profile, only: only, overrides: overrides)
        let store = try storeDirectory.map { try RunStore(root: $0) }
        // With `carryOver`, as the build would: finished runs and checkpoints committed to the results store.
        let committed = carryOver ? resultsDirectory.map { RunStore(readingFrom: $0) } : nil
        let speed = EngineSpeed()
        return declaredRuns(reports).map { run in
            // A run computed with another thread count (taken with `carryOver`) is listed under the key it was stored with.
            let otherThreads = ", computed with another thread count"
            if let found = store?.stored(run.spec, key: run.key) {
                return PlannedRun(report: run.report.id, run: run.spec.name, key: found.key, cached: true,
                                  reason: "cached" + (found.key == run.key ? "" : otherThreads))
            }
            if let found = committed?.stored(run.spec, key: run.key) {
                return PlannedRun(report: run.report.id, run: run.spec.name, key: found.key, cached: true,
                                  reason: "committed to the results store" + (found.key == run.key ? "" : otherThreads))
            }
            var planned = PlannedRun(report: run.report.id, run: run.spec.name, key: run.key, cached: false,
                                     reason: store?.missReason(for: run.spec, report: run.report.id) ?? "no store")
            planned.flops = RunCost.flops(run.spec)
            planned.seconds = RunCost.seconds(run.spec, speed: speed)
            // A run that continues from a checkpoint has only the rest of its steps to train.
            let total = RunCost.phases(run.spec).reduce(0) { $0 + $1.steps }
            if let progress = store?.checkpointProgress(forKey: run.key, committedIn: committed), total > 0 {
                let left = max(0, 1 - Double(progress.steps) / Double(total))
                planned.reason = String(format: "continues from %@ checkpoint: step %d of %d", progress.committed ? "its committed" : "its", progress.steps, total)
                planned.flops *= left
                planned.seconds *= left
            } else if let other = store?.checkpointOnOtherThreads(for: run.spec, committedIn: committed) {
                planned.reason = "its checkpoint (step \(other.steps) of \(total)) was computed on \(other.threads) thread(s): "
                    + "\(CheckpointThreadsError.jobsGiving(other.threads)) continues it; this -j would not (build stops)"
            }
            return planned
        }
    }

    /// Builds the whole site into a staging folder beside the output and swaps it in at the end,
    /// so an interrupted or failed build never leaves a half-written site. The steps, in order:
    /// load (`reports`, when the command has already loaded them, are used as they are), plan,
    /// train or restore, then per report figures and pages, then write. The BLAS thread count is
    /// the caller's (the command sets it to `computeThreads`).
    /// Throws `SpecProblems` for invalid reports (nothing is trained) and `BuildError` otherwise.
    public func build(reports loaded: [Report]? = nil, events: (BuildEvent) -> Void = { _ in }) throws -> BuildSummary {
        let start = Date()
        var summary = BuildSummary()
        useComputeThreadsForKeys()
        events(.step(Step.load))
        let reports = try loaded ?? ReportLoader.load(directory: reportsDirectory, profile: profile, only: only, overrides: overrides)
        // The output folder and the templates are checked before anything is trained; a shard
        // writes no site and needs neither.
        try checkFolders()
        let templates = shard == nil ? try SiteTemplates(directory: templatesDirectory) : nil

        events(.step(Step.plan))
        let plan = try makePlan(reports)
        defer { plan.store?.unlock() }

        events(.step(Step.trainOrRestore))
        let outcomes = try trainOrRestore(plan, events: events)
        summary.runs = outcomes.runs
        summary.restored = outcomes.restored.values.reduce(0) { $0 + $1.count }
        summary.failedRuns = outcomes.failedRuns
        summary.uncommittedReports = outcomes.uncommitted.sorted()
        guard shard == nil, let templates else {
            // A shard only fills the store; the site is assembled after the stores are merged.
            summary.trained = summary.runs - summary.restored
            summary.seconds = Date().timeIntervalSince(start)
            return summary
        }

        let staging = try makeStaging()
        do {
            let provenance = Provenance.collect(reportsDirectory: reportsDirectory, profile: profile, overrides: overrides, threads: computeThreads)
            var siteEntries: [SiteEntry] = []
            let keys = plan.keys(restoredFrom: outcomes.entryKeys)
            for report in reports {
                try SitePath.checkNames(of: report)
                let folder = staging.appendingPathComponent(report.id)
                let runs = outcomes.results[report.id] ?? [:]
                events(.step("\(Step.figures): \(report.id)"))
                let uncommitted = outcomes.uncommitted.contains(report.id)
                let figures = uncommitted
                    ? Dictionary(report.figures.map { ($0.name, FigureFiles(name: $0.name, altText: "", error: "not yet committed: no results of this profile")) },
                                 uniquingKeysWith: { a, _ in a })
                    : try writeFigures(report, runs: runs, keys: keys[report.id] ?? [:], to: folder, store: plan.store,
                                       events: events, summary: &summary)
                events(.step("\(Step.pages): \(report.id)"))
                siteEntries.append(try writeReport(report, runs: runs, keys: keys[report.id] ?? [:], restored: outcomes.restored[report.id] ?? [],
                                                   threads: outcomes.threads[report.id] ?? [:], figures: figures,
                                                   provenance: provenance, templates: templates, to: folder, events: events,
                                                   uncommitted: uncommitted, uncommittedRuns: outcomes.uncommittedRuns[report.id], summary: &summary))
            }
            events(.step("\(Step.pages): index"))
            siteEntries += try keepOtherReports(built: Set(reports.map(\.id)), into: staging)
            siteEntries.sort { $0.id < $1.id }
            var index = ReportPage.indexContext(entries: siteEntries.map(\.entry), profile: profile, provenance: provenance,
                                                otherProfile: otherProfileSite)
            if let map = try paperMap(reports), templates.library.getTemplate(named: "papers") != nil {
                let page = PaperMapPage.context(map, entries: siteEntries.map(\.entry), index: index)
                try write(templates.render(page, template: "papers"), to: staging.appendingPathComponent(PaperMapPage.fileName), step: Step.pages)
                index["paperMap"] = ["href": PaperMapPage.fileName, "papers": page["overview"] ?? []]
            }
            try write(templates.render(index, template: "index"), to: staging.appendingPathComponent("index.html"), step: Step.pages)
            try templates.copyStaticFiles(to: staging)
            try SiteAssets.writeExtras(entries: siteEntries, templates: templates, context: index, to: staging)
            events(.step(Step.write))
            let record = try provenance.json(date: Date(), previous: try? Data(contentsOf: outputDirectory.appendingPathComponent("provenance.json")),
                                             extra: runProvenance(plan: plan, outcomes: outcomes))
            try write(record, to: staging.appendingPathComponent("provenance.json"), step: Step.write)
            try write(Provenance.script(record), to: staging.appendingPathComponent("provenance.js"), step: Step.write)
            summary.rewrittenFiles = try SiteOutput.install(staging: staging, output: outputDirectory)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        summary.trained = plan.runs.count - summary.restored - outcomes.notInStores
        summary.seconds = Date().timeIntervalSince(start)
        summary.output = outputDirectory.path
        return summary
    }

    /// The store and (unless this is a shard, which writes no site) the output folder are the
    /// tool's own: throws `OutputFolderError` (nothing written) otherwise. `build` calls it
    /// before training; `serve` before it starts.
    public func checkFolders() throws {
        SiteOutput.projectRoot = SiteOutput.resolved(reportsDirectory.deletingLastPathComponent())
        try SiteOutput.checkStore(storeDirectory)
        if shard == nil {
            try SiteOutput.check(output: outputDirectory, reports: reportsDirectory, store: storeDirectory, templates: templatesDirectory)
        }
    }

    /// The threads each run computes with: the CPUs the `jobs` parallel trainings leave. It is
    /// part of the run keys (see `RunStore.computeThreads`), so it is set before any key is made.
    /// The command sets the engine's thread count (`BLASThreads.set`) to it before building.
    public var computeThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, jobs)) }

    private func useComputeThreadsForKeys() {
        RunStore.computeThreads = computeThreads
        // A finished run computed with another thread count will do when nothing trains (frozen)
        // and when continuing committed training (carry-over), whose runs may have been trained
        // with another -j or on another machine; a run that trains here still gets this machine's key.
        RunStore.acceptAnyThreadCount = frozen || carryOver
    }

    /// What `provenance.json` at the site's root adds to the build's provenance: what depends on
    /// the clock and the machine, kept out of every other file so that two builds of the same
    /// declarations differ only there. Per run: the wall time of its training (as trained, also
    /// when restored from the store) and its key; and the threads each run computed with. Reports
    /// this build did not build (`--only`) keep their previous entries.
    private func runProvenance(plan: BuildPlan, outcomes: RunOutcomes) -> [String: Any] {
        var runs: [String: Any] = [:]
        let built = Set(plan.runs.map(\.report.id))
        if let data = try? Data(contentsOf: outputDirectory.appendingPathComponent("provenance.json")),
           let old = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let oldRuns = old["runs"] as? [String: Any] {
            for (name, value) in oldRuns where !built.contains(String(name.split(separator: "/").first ?? "")) { runs[name] = value }
        }
        for run in plan.runs {
            guard let result = outcomes.results[run.report.id]?[run.spec.name] else { continue }
            // No origin (trained here or restored): a rebuild that restores everything leaves
            // this record, and its date, as they were (the pages say where each run came from).
            let key = outcomes.entryKeys[run.report.id]?[run.spec.name] ?? run.key
            var record: [String: Any] = ["seconds": (result.seconds * 1000).rounded() / 1000, "key": key]
            if let grades = result.grades, grades.count > 1 { record["gradeSeconds"] = grades.map { ($0.seconds * 1000).rounded() / 1000 } }
            runs["\(run.report.id)/\(run.spec.name)"] = record
        }
        return ["computeThreads": computeThreads, "runs": runs]
    }

    /// Identifies the code that draws figures: the SHA-256 of the running executable, so that any
    /// change to a recipe or to the plotting code draws every figure again (hashing the binary
    /// takes tens of milliseconds, once per process).
    static let figureVersion: String = {
        if let binary = try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/exe")) { return RunStore.digest(binary) }
        return toolVersion
    }()

    /// Draws the figures of a report, or takes them from the store's figure cache: a figure's
    /// key is the hash of its declaration, the keys of the runs it shows, their labels and
    /// `figureVersion`, so a rebuild re-renders only figures whose inputs changed.
    func writeFigures(_ report: Report, runs: [String: RunResult], keys runKeys: [String: String], to folder: URL, store: RunStore?,
                      events: (BuildEvent) -> Void, summary: inout BuildSummary) throws -> [String: FigureFiles] {
        var files: [String: FigureFiles] = [:]
        let labels = Dictionary(report.experiments.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
        let repeats = Dictionary(report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let declaredValues = Dictionary(report.experiments.compactMap { s in s.sweepValues.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let sweepAxes = Dictionary(report.experiments.compactMap { s in s.sweepAxes.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
        // A scatter also reads the properties measured on each run's declaration (frequency_std).
        let measuredValues = FigureRecipes.measuredValues(report.experiments)
        let specs = Dictionary(report.experiments.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = ["light.svg", "light.png", "light.pdf", "dark.svg", "dark.png", "data.csv", "meta.json"]
        struct Meta: Codable { let altText: String; let width: Double; let height: Double; let outline: FigureOutline }
        for spec in report.figures {
            let sweepValues = spec.kind == .scatter ? measuredValues : declaredValues
            var spec0 = spec
            spec0.line = 0
            let identity = (try? JSONEncoder.sorted.encode(spec0)) ?? Data()
            let key = RunStore.digest(identity + Data(("figure \(Self.figureVersion)\n" + spec.runs.map {
                "\($0) \(runKeys[$0] ?? "-") \(runs[$0]?.status.rawValue ?? "-") \(labels[$0] ?? "")"
                    + (sweepValues[$0].map { v in " " + v.keys.sorted().map { "\($0)=\(v[$0]!)" }.joined(separator: " ") } ?? "")
            }.joined(separator: "\n")).utf8))
            do {
                var rendered: [String: Data]
                if let cached = store?.cachedFiles(kind: "figures", key: key, names: names) {
                    rendered = cached
                } else {
                    let figure = try FigureRecipes.figure(for: spec, runs: runs, labels: labels, repeats: repeats, sweepValues: sweepValues, sweepAxes: sweepAxes,
                                                              specs: specs)
                    try spec.options.apply(to: figure)
                    rendered = [
                        "light.svg": try figure.svg(theme: .light), "light.png": try figure.png(theme: .light),
                        "light.pdf": try figure.pdf(theme: .light, documentTitle: spec.caption.isEmpty ? "\(report.title): \(spec.name)" : spec.caption),
                        "dark.svg": try figure.svg(theme: .dark), "dark.png": try figure.png(theme: .dark),
                        "data.csv": Data(figure.csv().utf8),
                        "meta.json": try JSONEncoder.sorted.encode(Meta(altText: figure.altText(), width: figure.width, height: figure.height,
                                                                           outline: figure.outline)),
                    ]
                    store?.cache(kind: "figures", key: key, files: rendered)
                    summary.figuresDrawn += 1
                }
                let meta = try JSONDecoder().decode(Meta.self, from: rendered["meta.json"]!)
                let base = folder.appendingPathComponent("figures/\(spec.name)")
                let dark = folder.appendingPathComponent("figures/\(spec.name)-dark")
                try write(rendered["light.svg"]!, to: base.appendingPathExtension("svg"), step: Step.figures)
                try write(rendered["light.png"]!, to: base.appendingPathExtension("png"), step: Step.figures)
                try write(rendered["light.pdf"]!, to: base.appendingPathExtension("pdf"), step: Step.figures)
                try write(rendered["dark.svg"]!, to: dark.appendingPathExtension("svg"), step: Step.figures)
                try write(rendered["dark.png"]!, to: dark.appendingPathExtension("png"), step: Step.figures)
                try write(rendered["data.csv"]!, to: base.appendingPathExtension("csv"), step: Step.figures)
                files[spec.name] = FigureFiles(name: spec.name, altText: meta.altText, error: nil, png: rendered["light.png"]!,
                                               width: meta.width, height: meta.height, csv: rendered["data.csv"], outline: meta.outline)
                summary.figures += 1
            } catch let error as BuildError {
                throw error
            } catch {
                let message = SiteOutput.scrub("\(error)")
                events(.figureFailed(report: report.id, figure: spec.name, message: message))
                files[spec.name] = FigureFiles(name: spec.name, altText: "", error: message)
                summary.failedFigures.append("\(report.id)/\(spec.name)")
            }
        }
        return files
    }

    /// What the page of a report not yet committed says (`allowUncommitted`), in place of its figures.
    func uncommittedMessage(_ report: String) -> String {
        "to add them: mgdl-report build --profile \(profile) --only \(report) -j N --carry-over (N: the machine's CPU count, "
            + "each run on one thread), then mgdl-report freeze --profile \(profile) --only \(report), "
            + "and commit results/ (docs/committed-results.md)"
    }

    /// How far the training of a report not yet committed is, when some of its runs are
    /// committed (`freeze --with-checkpoints`), or nil.
    func uncommittedProgress(_ runs: (found: Int, declared: Int)?) -> String? {
        guard let runs, runs.found > 0 else { return nil }
        return "\(runs.found) of its \(runs.declared) runs are trained and committed so far; the others are still in training, "
            + "continued across sessions (freeze --with-checkpoints commits them in progress, build --carry-over continues them)"
    }

    /// The papers' map of the reports folder (checked when the reports were loaded), or nil.
    private func paperMap(_ reports: [Report]) throws -> PaperMap? {
        let (map, problems) = PaperMap.load(directory: reportsDirectory, reports: reports)
        if let problem = problems.first {
            throw BuildError(step: Step.pages, path: problem.file, message: "\(problem)")
        }
        return map
    }

    /// What a `frozen` build says of a run that neither store has.
    var frozenMissMessage: String {
        let stores = [storeDirectory, resultsDirectory].compactMap { $0 }.map { SiteOutput.display($0) }
        return "not in the run store\(stores.isEmpty ? "" : " (\(stores.joined(separator: ", ")))"): --frozen trains nothing. "
            + "Train it (build --profile \(profile)), then add it to the results store (mgdl-report freeze --profile \(profile))"
    }

    private func makeStaging() throws -> URL {
        let parent = outputDirectory.deletingLastPathComponent()
        let prefix = ".\(outputDirectory.lastPathComponent).staging-"
        let staging = parent.appendingPathComponent("\(prefix)\(getpid())")
        if storeDirectory != nil {
            // Under the store lock no other build is running: staging folders of killed builds can go,
            // and a site set aside by a swap that was cut short goes back in place.
            SiteOutput.recover(outputDirectory)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(name))
            }
        }
        do {
            try? FileManager.default.removeItem(at: staging)
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw BuildError(step: Step.write, path: SiteOutput.display(staging), message: "cannot create the staging folder: \(SiteOutput.describe(error))")
        }
        return staging
    }
}

extension JSONEncoder {
    /// Sorted keys: bytes that do not depend on hash order.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

func write(_ text: String, to url: URL, step: String) throws {
    try write(Data(text.utf8), to: url, step: step)
}

func write(_ data: Data, to url: URL, step: String) throws {
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    } catch {
        throw BuildError(step: step, path: SiteOutput.display(url), message: SiteOutput.describe(error))
    }
}
