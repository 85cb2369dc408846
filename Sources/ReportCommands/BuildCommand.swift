import ArgumentParser
import Experiments
import Foundation
import Numerics
import ReportSite

/// Options shared by the commands that read reports.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of report notebooks (*.md) (default: reports/ of the project root, the nearest folder upwards that has one).", valueName: "dir"))
    var reports: String?

    /// `--reports`, or `reports/` of the project root (see `ProjectRoot`).
    var reportsDirectory: URL { ProjectRoot.resolve(reports, default: "reports") }

    @Option(name: .long, help: ArgumentHelp("Profile to apply: each experiment's `profiles.<name>` overlay (e.g. quick, paper).", valueName: "name"))
    var profile: String = "quick"

    @Option(name: .long, help: ArgumentHelp("Build only this report (file name without .md); repeat for several.", valueName: "report"))
    var only: [String] = []

    @Option(name: [.customShort("S"), .customLong("set")],
            help: ArgumentHelp("Override a key of every experiment (train.steps=100) or of one (rahaman.train.lr=1e-3); applied after the profile. Repeatable.", valueName: "key=value"))
    var settings: [String] = []

    @Option(name: .long, help: ArgumentHelp("Refuse a run estimated to need more memory than this (default 8G); e.g. 16G, 512M.", valueName: "size"))
    var maxMemory: String?

    /// Applies `--max-memory` to the limits checked while validating.
    func applyLimits() throws {
        guard let maxMemory else { return }
        guard let bytes = Limits.parseBytes(maxMemory) else {
            throw ValidationError("--max-memory expects a size such as 16G or 512M, found '\(maxMemory)'")
        }
        Limits.memoryBytes = bytes
    }

    func overrides() throws -> [Override] {
        try settings.map { text in
            do { return try Override.parse(text) } catch { throw ValidationError("\(error)") }
        }
    }

    func load() throws -> [Report] {
        try applyLimits()
        do {
            let reports = try ReportLoader.load(directory: reportsDirectory, profile: profile, only: only,
                                                overrides: try overrides())
            try checkProfile(reports)
            return reports
        } catch let problems as SpecProblems {
            FileHandle.standardError.write(Data((problems.description + "\n").utf8))
            throw ExitCode(2)
        }
    }

    /// A profile that no report of the folder declares is almost always a typo: refuse it (exit 2).
    /// A report that does not declare it (e.g. under `--only`) builds its base declaration.
    func checkProfile(_ reports: [Report]) throws {
        let experiments = reports.flatMap(\.experiments)
        guard !experiments.isEmpty, !experiments.contains(where: { $0.profile == profile }) else { return }
        var declaredSet = Set(reports.flatMap(\.declaredProfiles))
        if !only.isEmpty { declaredSet.formUnion(ProfileScan.declaredProfiles(in: reportsDirectory)) }
        guard !declaredSet.isEmpty, !declaredSet.contains(profile) else { return }
        let declared = declaredSet.sorted()
        var message = "--profile: unknown profile '\(profile)': no experiment declares it (the reports declare \(declared.joined(separator: ", ")))"
        if let near = nearestName(to: profile, in: declared) { message += "; did you mean '\(near)'?" }
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        throw ExitCode(2)
    }
}

/// Options shared by the commands that build the site (`build`, `serve`): where it goes, its
/// templates, the run store and how many runs train at once.
struct SiteOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder to write the site to (default: site/ of the project root).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Folder of Mustache templates (layout, index, report, run, search) and static files (default: the project's templates/, else mgdl-report's own).", valueName: "dir"))
    var templates: String?

    @Option(name: .long, help: ArgumentHelp("Run store: finished runs are kept here by content hash and never trained twice (default: .mgdl-store/ of the project root).", valueName: "dir"))
    var store: String?

    @Option(name: .short, help: ArgumentHelp("Train this many runs at once (default: one per CPU); BLAS gets the CPUs the jobs leave.", valueName: "N"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("-j expects at least 1, found \(jobs)") }
    }

    var outDirectory: URL { ProjectRoot.resolve(out, default: "site") }
    var templatesDirectory: URL { ProjectRoot.templates(templates) }
    var storeDirectory: URL { ProjectRoot.resolve(store, default: ".mgdl-store") }
    /// `-j`, else one job per CPU.
    var jobCount: Int { jobs ?? ProcessInfo.processInfo.activeProcessorCount }
}

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Train the declared experiments and write the static site.",
        discussion: """
            Steps: load specs, plan, run, figures, pages, write site. The site is written to a \
            staging folder and swapped in at the end: a failed build leaves the previous site as it was. \
            Exit status: 0 on success, 1 if a run or a figure failed (the site still shows the failure), \
            2 if a report is invalid (nothing is trained).
            """
    )

    @OptionGroup var options: ReportOptions

    @OptionGroup var site: SiteOptions

    @Flag(name: .long, help: "Train nothing: assemble the site from the run store and the committed results store (--results); a run in neither fails (its page says so, exit status 1).")
    var frozen = false

    @Flag(name: .long, help: "Continue the training committed to the results store (--results; `freeze --with-checkpoints`, e.g. by another session): a run the run store lacks is taken from the results store when it is there finished, and a run to train starts from its committed checkpoint when the run store has none of its own. A finished run computed with another thread count (another -j, another machine) is taken as it is, as --frozen takes it; a checkpoint continues only on its own thread count.")
    var carryOver = false

    @Option(name: .long, help: ArgumentHelp("Committed results store that --frozen and --carry-over read after the run store (default: results/ of the project root; fill it with `mgdl-report freeze`).", valueName: "dir"))
    var results: String?

    @Flag(name: .long, help: "With --frozen: a report that the results store does not list as committed and that is not whole in the stores (none of its runs, or only those trained so far: `freeze --with-checkpoints`) is built as a 'not yet committed' page, saying how many of its runs are committed, instead of failing (a report it lists must still build whole).")
    var allowUncommitted = false

    @Option(name: .long, help: ArgumentHelp("Link every page to the same reports built with another profile, published at ROOT relative to this site's root (e.g. paper=paper/ on the quick site, quick=../ on the paper site).", valueName: "profile=root"))
    var profileLink: String?

    @Option(name: .long, help: ArgumentHelp("Train only shard i of N (runs split by key) into the store and write no site; merge the stores with `merge-stores`, then `build --frozen`.", valueName: "i/N"))
    var shard: String?

    @Option(name: .long, help: ArgumentHelp("Seconds between two checkpoints of a run in training (in the store's tmp/; a killed build continues each run from its last checkpoint, bit-identically).", valueName: "s"))
    var checkpointEvery: Double = 120

    @Flag(name: .long, help: "Exit with status 1 when a claim is not reproduced (by default a failing claim is shown on its page and in the summary, and does not fail the build).")
    var strictClaims = false

    @Flag(name: .shortAndLong, help: "Print only problems and the final summary.")
    var quiet = false

    @Flag(name: .long, help: "Print progress as JSON lines (one event per line) on standard error.")
    var json = false

    func run() throws {
        let reports = try options.load()  // validate (and report every problem) before anything else
        var shardValue: Shard?
        if let shard {
            guard let parsed = Shard(shard) else { throw ValidationError("--shard expects i/N with 0 <= i < N, found '\(shard)'") }
            guard !frozen else { throw ValidationError("--shard trains runs and --frozen trains none: choose one") }
            shardValue = parsed
        }
        var builder = SiteBuilder(reportsDirectory: options.reportsDirectory,
                                  templatesDirectory: site.templatesDirectory,
                                  outputDirectory: site.outDirectory,
                                  profile: options.profile, only: options.only,
                                  storeDirectory: site.storeDirectory, frozen: frozen)
        builder.overrides = try options.overrides()
        builder.shard = shardValue
        builder.resultsDirectory = ProjectRoot.resolve(results, default: "results")
        if carryOver {
            guard !frozen else { throw ValidationError("--carry-over continues training and --frozen trains none: choose one") }
            builder.carryOver = true
        }
        if allowUncommitted {
            guard frozen else { throw ValidationError("--allow-uncommitted goes with --frozen (a build that trains has no uncommitted reports)") }
            builder.allowUncommitted = true
        }
        if let profileLink {
            let parts = profileLink.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].hasPrefix("/"), !parts[1].contains("://") else {
                throw ValidationError("--profile-link expects profile=root with a relative root ending in /, e.g. paper=paper/, found '\(profileLink)'")
            }
            builder.otherProfileSite = (parts[0], parts[1].hasSuffix("/") ? parts[1] : parts[1] + "/")
        }
        builder.jobs = site.jobCount
        guard checkpointEvery >= 0, checkpointEvery.isFinite else { throw ValidationError("--checkpoint-every expects a number of seconds >= 0") }
        builder.checkpointInterval = checkpointEvery
        BLASThreads.set(builder.computeThreads)
        let display = ProgressDisplay(quiet: quiet, json: json)
        let summary: BuildSummary
        do {
            summary = try builder.build(reports: reports, events: display.handle)
        } catch let problems as SpecProblems {
            FileHandle.standardError.write(Data((problems.description + "\n").utf8))
            throw ExitCode(2)
        } catch let error as OutputFolderError {
            display.finishLine()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as CheckpointThreadsError {
            display.finishLine()
            for line in error.description.split(separator: "\n") { FileHandle.standardError.write(Data("error: \(line)\n".utf8)) }
            throw ExitCode(2)
        } catch let error as BuildError {
            display.finishLine()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        display.finishLine()
        if let shardValue {
            print("shard \(shardValue): \(summary.runs) run(s) (\(summary.trained) trained, \(summary.restored) already in the store) in \(site.storeDirectory.path); no site written")
            if !summary.failedRuns.isEmpty { throw ExitCode(1) }
            return
        }
        let line = String(format: "built %d report(s), %d run(s) (%d trained, %d from the store), %d figure(s) (%d drawn), %d file(s) rewritten in %@ in %.1f s",
                          summary.reports, summary.runs, summary.trained, summary.restored, summary.figures, summary.figuresDrawn,
                          summary.rewrittenFiles, site.out ?? summary.output, summary.seconds)
        print(line)
        if !summary.uncommittedReports.isEmpty {
            print("not yet committed (profile \(options.profile), shown as such): " + summary.uncommittedReports.joined(separator: ", "))
        }
        if !summary.claims.isEmpty {
            let counts = ClaimVerdict.allCases.compactMap { v -> String? in
                let n = summary.claims.filter { $0.result.verdict == v }.count
                return n == 0 ? nil : "\(n) \(v.words)"
            }
            print("claims: " + counts.joined(separator: ", "))
        }
        let failedClaims = summary.claims.filter { $0.result.verdict == .notReproduced }
        if !summary.succeeded {
            for run in summary.failedRuns { FileHandle.standardError.write(Data("failed run: \(run)\n".utf8)) }
            for figure in summary.failedFigures { FileHandle.standardError.write(Data("failed figure: \(figure)\n".utf8)) }
            throw ExitCode(1)
        }
        if strictClaims && !failedClaims.isEmpty {
            for claim in failedClaims {
                FileHandle.standardError.write(Data("claim not reproduced (--strict-claims): \(claim.report)/\(claim.result.name)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
