import ArgumentParser
import Experiments
import Foundation
import ReportSite

// Commands on the run store: what would train and why, merging shard stores, verifying entries.

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List every declared run and whether the run store has it; for a miss, say why.",
        discussion: "Trains nothing. Exit status 2 when a report is invalid."
    )

    @OptionGroup var options: ReportOptions

    @Option(name: .long, help: ArgumentHelp("Run store folder (default: .mgdl-store/ of the project root).", valueName: "dir"))
    var store: String?

    @Option(name: .short, help: ArgumentHelp("As for build: the runs' keys include the threads each run computes with, which -j sets (default: one job per CPU).", valueName: "N"))
    var jobs: Int?

    func run() throws {
        let reports = try options.load()
        var builder = SiteBuilder(reportsDirectory: options.reportsDirectory, templatesDirectory: URL(fileURLWithPath: "."),
                                  outputDirectory: URL(fileURLWithPath: "."), profile: options.profile, only: options.only,
                                  storeDirectory: ProjectRoot.resolve(store, default: ".mgdl-store"))
        builder.overrides = try options.overrides()
        builder.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        let plan = try builder.plan(reports: reports)
        for run in plan {
            let status = run.cached ? "cached" : "to run"
            print("\(status.padding(toLength: 7, withPad: " ", startingAt: 0)) \(run.report)/\(run.run)  \(run.key.prefix(12))" + (run.cached ? "" : "  (\(run.reason))"))
        }
        let missing = plan.filter { !$0.cached }.count
        print("\(plan.count) run(s): \(plan.count - missing) cached, \(missing) to run")
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
