import ArgumentParser
import Experiments
import Foundation
import ReportSite

/// Options shared by the commands that read reports.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Folder of report notebooks (*.md).", valueName: "dir"))
    var reports: String = "reports"

    @Option(name: .long, help: ArgumentHelp("Profile to apply: each experiment's `profiles.<name>` overlay (e.g. quick, paper).", valueName: "name"))
    var profile: String = "quick"

    @Option(name: .long, help: ArgumentHelp("Build only this report (file name without .md); repeat for several.", valueName: "report"))
    var only: [String] = []

    func load() throws -> [Report] {
        do {
            let reports = try ReportLoader.load(directory: URL(fileURLWithPath: self.reports), profile: profile, only: only)
            try checkProfile(reports)
            return reports
        } catch let problems as SpecProblems {
            FileHandle.standardError.write(Data((problems.description + "\n").utf8))
            throw ExitCode(2)
        }
    }

    /// A profile no experiment declares is almost always a typo: refuse it.
    func checkProfile(_ reports: [Report]) throws {
        let experiments = reports.flatMap(\.experiments)
        guard !experiments.isEmpty, !experiments.contains(where: { $0.profile == profile }) else { return }
        let declared = Set(reports.flatMap(\.declaredProfiles)).sorted()
        guard !declared.isEmpty else { return }
        throw ValidationError("unknown profile '\(profile)': the reports declare \(declared.joined(separator: ", "))")
    }
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

    @Option(name: .long, help: ArgumentHelp("Folder to write the site to.", valueName: "dir"))
    var out: String = "site"

    @Option(name: .long, help: ArgumentHelp("Folder of Mustache templates (layout, index, report) and static files.", valueName: "dir"))
    var templates: String = "templates"

    @Option(name: .long, help: ArgumentHelp("Run store: finished runs are kept here by content hash and never trained twice.", valueName: "dir"))
    var store: String = ".mgdl-store"

    @Flag(name: .long, help: "Train nothing: assemble the site from the run store, or fail listing the missing runs.")
    var frozen = false

    @Flag(name: .shortAndLong, help: "Print only problems and the final summary.")
    var quiet = false

    func run() throws {
        _ = try options.load()  // validate (and report every problem) before anything else
        let builder = SiteBuilder(reportsDirectory: URL(fileURLWithPath: options.reports),
                                  templatesDirectory: URL(fileURLWithPath: templates),
                                  outputDirectory: URL(fileURLWithPath: out),
                                  profile: options.profile, only: options.only,
                                  storeDirectory: URL(fileURLWithPath: store), frozen: frozen)
        let display = ProgressDisplay(quiet: quiet)
        let summary: BuildSummary
        do {
            summary = try builder.build(events: display.handle)
        } catch let problems as SpecProblems {
            FileHandle.standardError.write(Data((problems.description + "\n").utf8))
            throw ExitCode(2)
        } catch let error as BuildError {
            display.finishLine()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        display.finishLine()
        let line = String(format: "built %d report(s), %d run(s) (%d trained, %d from the store), %d figure(s) into %@ in %.1f s",
                          summary.reports, summary.runs, summary.trained, summary.restored, summary.figures, out, summary.seconds)
        print(line)
        if !summary.succeeded {
            for run in summary.failedRuns { FileHandle.standardError.write(Data("failed run: \(run)\n".utf8)) }
            for figure in summary.failedFigures { FileHandle.standardError.write(Data("failed figure: \(figure)\n".utf8)) }
            throw ExitCode(1)
        }
    }
}

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every report and print every problem at once; train nothing.",
        discussion: "Exit status 2 when a report is invalid."
    )

    @OptionGroup var options: ReportOptions

    func run() throws {
        let reports = try options.load()
        let runs = reports.reduce(0) { $0 + $1.experiments.count }
        print("\(reports.count) report(s), \(runs) experiment(s): valid")
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List every declared run and whether the run store has it; for a miss, say why.",
        discussion: "Trains nothing. Exit status 2 when a report is invalid."
    )

    @OptionGroup var options: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Run store folder.", valueName: "dir"))
    var store: String = ".mgdl-store"

    func run() throws {
        _ = try options.load()
        let builder = SiteBuilder(reportsDirectory: URL(fileURLWithPath: options.reports), templatesDirectory: URL(fileURLWithPath: "."),
                                  outputDirectory: URL(fileURLWithPath: "."), profile: options.profile, only: options.only,
                                  storeDirectory: URL(fileURLWithPath: store))
        let plan = try builder.plan()
        for run in plan {
            let status = run.cached ? "cached" : "to run"
            print("\(status.padding(toLength: 7, withPad: " ", startingAt: 0)) \(run.report)/\(run.run)  \(run.key.prefix(12))" + (run.cached ? "" : "  (\(run.reason))"))
        }
        let missing = plan.filter { !$0.cached }.count
        print("\(plan.count) run(s): \(plan.count - missing) cached, \(missing) to run")
    }
}
