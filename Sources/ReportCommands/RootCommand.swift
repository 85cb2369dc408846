import ArgumentParser
import ReportSite

/// `mgdl-report`: the root command.
public struct MGDLReport: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mgdl-report",
        abstract: "Train the experiments declared in reports/ and publish them as a static site.",
        discussion: """
            A report is a Markdown file in reports/ with YAML front matter, prose, and fenced \
            blocks that declare experiments (```experiment NAME) and the figures drawn from them \
            (```figure NAME). `mgdl-report build` trains every declared experiment on the CPU with \
            mgdl-report's own engine, draws the figures (SVG and PNG) and writes the site to site/. \
            Open site/index.html in a browser; it works offline.

            Start with:  mgdl-report build --profile quick
            The report format is described in docs/report-format.md.
            """,
        version: toolVersion,
        subcommands: [BuildCommand.self, ServeCommand.self, PlanCommand.self, ValidateCommand.self, FreezeCommand.self, MergeStoresCommand.self, VerifyStoreCommand.self,
                      SchemaCommand.self, BenchCommand.self, FigureBenchCommand.self],
        defaultSubcommand: nil
    )

    public init() {}
}
