import ArgumentParser
import Experiments
import Foundation
import ReportSite

// Commands on the report format: checking reports and printing the schema.

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

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the report format's schema (JSON Schema): every key of every block, its type and meaning.",
        discussion: "The same table drives validation; docs/report-format.md explains the format with examples."
    )

    func run() throws {
        print(SpecSchema.jsonSchema(), terminator: "")
    }
}
