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
    case runFinished(report: String, run: String, result: RunResult)
    case figureFailed(report: String, figure: String, message: String)
    case claimChecked(report: String, claim: ClaimResult)
    /// The runs this build will train and their estimated costs (`RunCost`), before the first starts.
    case trainingPlanned(costs: [String: Double])
}

/// Builds the static site: load specs, plan, run, figures, pages, write site.
public struct SiteBuilder {
    public var reportsDirectory: URL
    public var templatesDirectory: URL
    public var outputDirectory: URL
    public var profile: String
    public var only: [String]
    /// The run store (nil: train everything, keep nothing).
    public var storeDirectory: URL?
    /// Train nothing: fail with the list of runs missing from the store.
    public var frozen = false
    /// `-S key=value` overrides, applied to every experiment (or to the one they name).
    public var overrides: [Override] = []
    /// Train only this deterministic share of the runs (by key) and write no site.
    public var shard: Shard?
    /// How many runs train at once.
    public var jobs = 1

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

    /// One planned run: cached or to train, and why.
    public struct PlannedRun: Sendable {
        public let report: String
        public let run: String
        public let key: String
        public let cached: Bool
        public let reason: String
    }

    /// Loads and validates the reports and says, for every run, whether the store has it.
    public func plan() throws -> [PlannedRun] {
        setComputeThreads()
        let reports = try ReportLoader.load(directory: reportsDirectory, profile: profile, only: only, overrides: overrides)
        let store = try storeDirectory.map { try RunStore(root: $0) }
        return reports.flatMap { report in
            report.experiments.map { spec in
                let cached = store?.result(for: spec) != nil
                return PlannedRun(report: report.id, run: spec.name, key: RunStore.key(for: spec), cached: cached,
                                  reason: cached ? "cached" : (store?.missReason(for: spec, report: report.id) ?? "no store"))
            }
        }
    }

    /// Builds the whole site into a staging folder beside the output and swaps it in at the end,
    /// so an interrupted or failed build never leaves a half-written site.
    /// Throws `SpecProblems` for invalid reports (nothing is trained) and `BuildError` otherwise.
    public func build(events: (BuildEvent) -> Void = { _ in }) throws -> BuildSummary {
        let start = Date()
        var summary = BuildSummary()

        events(.step("load specs"))
        setComputeThreads()
        SiteOutput.projectRoot = SiteOutput.resolved(reportsDirectory.deletingLastPathComponent())
        let reports = try ReportLoader.load(directory: reportsDirectory, profile: profile, only: only, overrides: overrides)
        if reports.isEmpty {
            throw BuildError(step: "load specs", path: SiteOutput.display(reportsDirectory), message: "no reports (*.md) found")
        }
        // The output folder and the templates are checked before anything is trained; a shard
        // writes no site and needs neither.
        try checkFolders()
        let loadedTemplates = shard == nil ? try SiteTemplates(directory: templatesDirectory) : nil

        events(.step("plan"))
        let plan = reports.flatMap { report in report.experiments.map { (report, $0) } }
        var store: RunStore?
        if let storeDirectory {
            do {
                store = try RunStore(root: storeDirectory)
                try store?.lock()
            } catch {
                throw BuildError(step: "plan", path: SiteOutput.display(storeDirectory),
                                 message: error is StoreError ? "\(error)" : SiteOutput.describe(error))
            }
        }
        defer { store?.unlock() }
        if frozen {
            let missing = plan.filter { store?.result(for: $0.1) == nil }.map { "\($0.0.id)/\($0.1.name)" }
            if !missing.isEmpty {
                throw BuildError(step: "plan", path: storeDirectory?.path ?? "(no store)",
                                 message: "--frozen trains nothing, but \(missing.count) run(s) are not in the store: \(missing.joined(separator: ", "))")
            }
        }

        events(.step("run"))
        var results: [String: [String: RunResult]] = [:]
        var restored: [String: Set<String>] = [:]
        var toTrain: [(index: Int, report: Report, spec: ExperimentSpec)] = []
        // Two declarations with one key (the same run reached from two sweeps) train once: the
        // copies take the result of the first, as if restored from the store.
        var firstByKey: [String: (report: String, run: String)] = [:]
        var sameAs: [(index: Int, report: Report, spec: ExperimentSpec, key: String)] = []
        for (index, (report, spec)) in plan.enumerated() {
            if let shard, !shard.contains(key: RunStore.key(for: spec)) { continue }
            let key = RunStore.key(for: spec)
            if firstByKey[key] != nil, store?.result(for: spec) == nil {
                sameAs.append((index, report, spec, key))
                continue
            }
            firstByKey[key] = firstByKey[key] ?? (report.id, spec.name)
            if let cached = store?.result(for: spec) {
                events(.runRestored(report: report.id, run: spec.name, index: index + 1, count: plan.count))
                summary.restored += 1
                results[report.id, default: [:]][spec.name] = cached
                restored[report.id, default: []].insert(spec.name)
                store?.remember(spec, report: report.id)
                summary.runs += 1
                if cached.status == .failed { summary.failedRuns.append("\(report.id)/\(spec.name)") }
            } else {
                toTrain.append((index, report, spec))
            }
        }
        // Independent runs train `jobs` at a time; BLAS gets the cores the jobs leave. The BLAS
        // thread count depends only on -j and the machine, never on how many runs are left, so
        // a run's bits do not depend on what else the build had to train.
        if !toTrain.isEmpty {
            events(.trainingPlanned(costs: Dictionary(toTrain.map { ($0.spec.name, RunCost.estimate($0.spec)) }, uniquingKeysWith: +)))
        }
        let workers = max(1, min(jobs, toTrain.count))
        BLASThreads.set(computeThreads)
        let lock = NSLock()
        var next = 0
        var storeFailure: BuildError?
        withoutActuallyEscaping(events) { events in
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    lock.lock()
                    guard next < toTrain.count, storeFailure == nil else { lock.unlock(); return }
                    let (index, report, spec) = toTrain[next]
                    next += 1
                    events(.runStarted(report: report.id, run: spec.name, index: index + 1, count: plan.count, steps: spec.train.steps))
                    lock.unlock()
                    var result = Runner.run(spec) { progress in
                        lock.lock(); events(.runProgress(progress)); lock.unlock()
                    }
                    result.message = result.message.map(SiteOutput.scrub)  // stored and published: no paths of this machine
                    lock.lock()
                    do {
                        try store?.store(result, for: spec)
                        store?.remember(spec, report: report.id)
                    } catch {
                        storeFailure = BuildError(step: "run", path: storeDirectory.map(SiteOutput.display) ?? "",
                                                  message: "cannot store run \(spec.name): \(error is StoreError ? "\(error)" : SiteOutput.describe(error))")
                    }
                    results[report.id, default: [:]][spec.name] = result
                    events(.runFinished(report: report.id, run: spec.name, result: result))
                    summary.runs += 1
                    if result.status == .failed { summary.failedRuns.append("\(report.id)/\(spec.name)") }
                    lock.unlock()
                }
            }
        }
        if let storeFailure { throw storeFailure }
        for (index, report, spec, key) in sameAs {
            guard let first = firstByKey[key], var result = results[first.report]?[first.run] else { continue }
            result.name = spec.name
            events(.runRestored(report: report.id, run: spec.name, index: index + 1, count: plan.count))
            summary.restored += 1
            summary.runs += 1
            results[report.id, default: [:]][spec.name] = result
            restored[report.id, default: []].insert(spec.name)
            store?.remember(spec, report: report.id)
            if result.status == .failed { summary.failedRuns.append("\(report.id)/\(spec.name)") }
        }
        summary.failedRuns.sort()

        if shard != nil {
            // A shard only fills the store; the site is assembled after the stores are merged.
            summary.trained = summary.runs - summary.restored
            summary.seconds = Date().timeIntervalSince(start)
            return summary
        }

        guard let templates = loadedTemplates else { return summary }
        let staging = try makeStaging()
        do {
            let provenance = Provenance.collect(reportsDirectory: reportsDirectory, profile: profile, overrides: overrides, threads: computeThreads)
            var siteEntries: [SiteEntry] = []
            for report in reports {
                try SitePath.checkNames(of: report)
                events(.step("figures: \(report.id)"))
                let folder = staging.appendingPathComponent(report.id)
                let figures = try writeFigures(report, runs: results[report.id] ?? [:], to: folder, store: store, events: events, summary: &summary)
                events(.step("claims: \(report.id)"))
                let claims = report.claims.map {
                    ClaimCheck.check($0, specs: report.experiments, runs: results[report.id] ?? [:], profile: profile)
                }
                for claim in claims {
                    events(.claimChecked(report: report.id, claim: claim))
                    summary.claims.append((report.id, claim))
                }
                events(.step("pages: \(report.id)"))
                var page = ReportPage(report: report, runs: results[report.id] ?? [:], figures: figures, provenance: provenance,
                                      restored: restored[report.id] ?? [])
                page.claims = Dictionary(claims.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                try writePages(page, templates: templates, to: folder)
                let siteEntry = SiteEntry(page: page)
                try write(siteEntry.json(), to: folder.appendingPathComponent(SiteEntry.fileName), step: "pages")
                siteEntries.append(siteEntry)
                summary.reports += 1
            }
            events(.step("pages: index"))
            siteEntries += try keepOtherReports(built: Set(reports.map(\.id)), into: staging)
            siteEntries.sort { $0.id < $1.id }
            let index = ReportPage.indexContext(entries: siteEntries.map(\.entry), profile: profile, provenance: provenance)
            try write(templates.render(index, template: "index"), to: staging.appendingPathComponent("index.html"), step: "pages")
            try templates.copyStaticFiles(to: staging)
            try SiteAssets.writeExtras(entries: siteEntries, templates: templates, context: index, to: staging)
            let record = try provenance.json(date: Date(), previous: try? Data(contentsOf: outputDirectory.appendingPathComponent("provenance.json")),
                                             extra: runProvenance(reports: reports, results: results, restored: restored))
            try write(record, to: staging.appendingPathComponent("provenance.json"), step: "write site")
            try write(Provenance.script(record), to: staging.appendingPathComponent("provenance.js"), step: "write site")
            events(.step("write site"))
            summary.rewrittenFiles = try SiteOutput.install(staging: staging, output: outputDirectory)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
        summary.trained = plan.count - summary.restored
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
    var computeThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, jobs)) }

    private func setComputeThreads() {
        RunStore.computeThreads = computeThreads
        RunStore.acceptAnyThreadCount = frozen
    }

    /// What `provenance.json` at the site's root adds to the build's provenance: what depends on
    /// the clock and the machine, kept out of every other file so that two builds of the same
    /// declarations differ only there. Per run: the wall time of its training (as trained, also
    /// when restored from the store) and its key; and the threads each run computed with. Reports
    /// this build did not build (`--only`) keep their previous entries.
    private func runProvenance(reports: [Report], results: [String: [String: RunResult]], restored: [String: Set<String>]) -> [String: Any] {
        var runs: [String: Any] = [:]
        let built = Set(reports.map(\.id))
        if let data = try? Data(contentsOf: outputDirectory.appendingPathComponent("provenance.json")),
           let old = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let oldRuns = old["runs"] as? [String: Any] {
            for (name, value) in oldRuns where !built.contains(String(name.split(separator: "/").first ?? "")) { runs[name] = value }
        }
        for report in reports {
            for spec in report.experiments {
                guard let result = results[report.id]?[spec.name] else { continue }
                // No origin (trained here or restored): a rebuild that restores everything leaves
                // this record, and its date, as they were (the pages say where each run came from).
                var record: [String: Any] = ["seconds": (result.seconds * 1000).rounded() / 1000, "key": RunStore.key(for: spec)]
                if let grades = result.grades, grades.count > 1 { record["gradeSeconds"] = grades.map { ($0.seconds * 1000).rounded() / 1000 } }
                runs["\(report.id)/\(spec.name)"] = record
            }
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
    private func writeFigures(_ report: Report, runs: [String: RunResult], to folder: URL, store: RunStore?,
                              events: (BuildEvent) -> Void, summary: inout BuildSummary) throws -> [String: FigureFiles] {
        var files: [String: FigureFiles] = [:]
        let labels = Dictionary(report.experiments.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
        let runKeys = Dictionary(report.experiments.map { ($0.name, RunStore.key(for: $0)) }, uniquingKeysWith: { a, _ in a })
        let repeats = Dictionary(report.experiments.compactMap { s in s.repeatOf.map { (s.name, $0) } }, uniquingKeysWith: { a, _ in a })
        let names = ["light.svg", "light.png", "light.pdf", "dark.svg", "dark.png", "data.csv", "meta.json"]
        struct Meta: Codable { let altText: String; let width: Double; let height: Double }
        for spec in report.figures {
            var spec0 = spec
            spec0.line = 0
            let identity = (try? JSONEncoder.sorted.encode(spec0)) ?? Data()
            let key = RunStore.digest(identity + Data(("figure \(Self.figureVersion)\n" + spec.runs.map {
                "\($0) \(runKeys[$0] ?? "-") \(runs[$0]?.status.rawValue ?? "-") \(labels[$0] ?? "")"
            }.joined(separator: "\n")).utf8))
            do {
                var rendered: [String: Data]
                if let cached = store?.cachedFiles(kind: "figures", key: key, names: names) {
                    rendered = cached
                } else {
                    let figure = try FigureRecipes.figure(for: spec, runs: runs, labels: labels, repeats: repeats)
                    try spec.options.apply(to: figure)
                    rendered = [
                        "light.svg": try figure.svg(theme: .light), "light.png": try figure.png(theme: .light),
                        "light.pdf": try figure.pdf(theme: .light, documentTitle: spec.caption.isEmpty ? "\(report.title): \(spec.name)" : spec.caption),
                        "dark.svg": try figure.svg(theme: .dark), "dark.png": try figure.png(theme: .dark),
                        "data.csv": Data(figure.csv().utf8),
                        "meta.json": try JSONEncoder.sorted.encode(Meta(altText: figure.altText(), width: figure.width, height: figure.height)),
                    ]
                    store?.cache(kind: "figures", key: key, files: rendered)
                    summary.figuresDrawn += 1
                }
                let meta = try JSONDecoder().decode(Meta.self, from: rendered["meta.json"]!)
                let base = folder.appendingPathComponent("figures/\(spec.name)")
                let dark = folder.appendingPathComponent("figures/\(spec.name)-dark")
                try write(rendered["light.svg"]!, to: base.appendingPathExtension("svg"), step: "figures")
                try write(rendered["light.png"]!, to: base.appendingPathExtension("png"), step: "figures")
                try write(rendered["light.pdf"]!, to: base.appendingPathExtension("pdf"), step: "figures")
                try write(rendered["dark.svg"]!, to: dark.appendingPathExtension("svg"), step: "figures")
                try write(rendered["dark.png"]!, to: dark.appendingPathExtension("png"), step: "figures")
                try write(rendered["data.csv"]!, to: base.appendingPathExtension("csv"), step: "figures")
                files[spec.name] = FigureFiles(name: spec.name, altText: meta.altText, error: nil, png: rendered["light.png"]!,
                                               width: meta.width, height: meta.height, csv: rendered["data.csv"])
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
            throw BuildError(step: "write site", path: SiteOutput.display(staging), message: "cannot create the staging folder: \(SiteOutput.describe(error))")
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
