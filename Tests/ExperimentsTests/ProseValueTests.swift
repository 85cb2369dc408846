@testable import Experiments
import XCTest

/// Built values in the prose (`{{metric of run}}`): read where the report is loaded (a bad one is
/// an error naming its line, before anything trains), computed from the build's own runs.
final class ProseValueTests: XCTestCase {
    /// `fit` sweeps `a` and `b` at every profile; `c` only at the paper profile.
    static func report(prose: String) -> String {
        """
        ---
        version: 1
        title: "Values"
        ---

        ```experiment fit
        task:
          kind: sum_of_sines
          frequencies: [1, 2, 3]
          phases: {seed: 4}
          points: 32
        model:
          widths: [1, 8, 1]
        train:
          lr: 1.0e-3
          steps: 40
        repeat: 2
        sweep:
          zip:
            name: [a, b, c]
            train.lr: [1.0e-3, 2.0e-3, 3.0e-3]
        profiles:
          quick:
            sweep:
              zip:
                name: [a, b]
                train.lr: [1.0e-3, 2.0e-3]
          paper:
            train: {steps: 80}
        ```

        \(prose)
        """
    }

    func parse(_ prose: String, profile: String = "quick") -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: Self.report(prose: prose), id: "values", file: "reports/values.md", profile: profile)
    }

    func testTheSyntaxAndTheMetricAreReadWithDidYouMean() {
        XCTAssertEqual(ProseValue.parse("final_loss of fit--a"), .success(ProseValue(metric: .finalLoss, run: "fit--a")))
        XCTAssertEqual(ProseValue.parse("test_rse of fit--a / fit--b"), .success(ProseValue(metric: .testRSE, run: "fit--a", other: "fit--b", combination: .ratio)))
        guard case .failure(let typo) = ProseValue.parse("final_los of fit--a") else { return XCTFail("a typo is read") }
        XCTAssertTrue(typo.message.contains("did you mean 'final_loss'"), typo.message)
        guard case .failure(let form) = ProseValue.parse("final_loss fit--a") else { return XCTFail("no 'of' is read") }
        XCTAssertTrue(form.message.contains("{{METRIC of RUN}}"), form.message)
    }

    func testOccurrencesSkipCodeAndKeepTheirLines() {
        let found = ProseValue.occurrences(in: """
        The loss is {{final_loss of fit--a}}.
        In code `{{final_loss of x}}` stays.
        ```
        {{not read}}
        ```
        Two: {{train_rse of fit--b}} and {{test_psnr of fit}}.
        """)
        XCTAssertEqual(found.map(\.line), [1, 6, 6])
        XCTAssertEqual(found.map(\.inner), ["final_loss of fit--a", "train_rse of fit--b", "test_psnr of fit"])
    }

    func testABadValueIsAnErrorAtItsLineBeforeAnythingTrains() {
        let (report, problems) = parse("Intro.\n\nThe loss is {{final_los of fit--a}}.")
        XCTAssertNil(report)
        let problem = try? XCTUnwrap(problems.first)
        XCTAssertEqual(problems.count, 1, "\(problems)")
        XCTAssertEqual(problem?.keyPath, "prose")
        XCTAssertEqual(problem?.file, "reports/values.md")
        let text = Self.report(prose: "Intro.\n\nThe loss is {{final_los of fit--a}}.").components(separatedBy: "\n")
        XCTAssertEqual(problem.map { text[$0.line - 1] }, "The loss is {{final_los of fit--a}}.", "the line of the value")
    }

    func testARunOfAnotherProfileIsAllowedAndATypoIsNot() {
        // `fit--c` is run at the paper profile only: fine at quick (the page says not run here).
        XCTAssertEqual(parse("At paper: {{final_loss of fit--c}}.").1, [])
        XCTAssertEqual(parse("At paper: {{final_loss of fit--c}}.", profile: "paper").1, [])
        // `fit--d` is run at no profile: an error at every profile, with the nearest name.
        for profile in ["quick", "paper"] {
            let problems = parse("Typo: {{final_loss of fit--d}}.", profile: profile).1
            XCTAssertEqual(problems.count, 1, "\(profile): \(problems)")
            XCTAssertTrue(problems.first?.message.contains("names no run at any profile") == true, problems.first?.message ?? "")
        }
        // An unknown block: an error with the nearest block.
        let unknown = parse("{{final_loss of fitt}}").1
        XCTAssertTrue(unknown.first?.message.contains("did you mean 'fit'") == true, "\(unknown)")
    }

    func testTheValueIsTheMeanOverCopiesOrWhyThereIsNone() throws {
        let report = try XCTUnwrap(parse("x").0)
        func run(_ name: String, loss: Double, status: RunResult.Status = .ok) -> RunResult {
            RunResult(name: name, status: status, message: status == .ok ? nil : "diverged", inputs: [], target: [], frequencies: [],
                      targetAmplitudes: [], losses: [9, loss], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        }
        var runs = ["fit--a--repeat-1": run("fit--a--repeat-1", loss: 1), "fit--a--repeat-2": run("fit--a--repeat-2", loss: 3)]
        let a = ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a"), specs: report.experiments, runs: runs)
        XCTAssertEqual(a.number, 2, "the mean of the two copies' last losses")
        XCTAssertEqual(a.count, 2)
        let c = ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--c"), specs: report.experiments, runs: runs)
        XCTAssertNil(c.number)
        XCTAssertEqual(c.note, "not run at this profile")
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--b"), specs: report.experiments, runs: runs).note,
                       "not yet computed")
        // A ratio: the mean of a's copies over the mean of b's.
        runs["fit--b--repeat-1"] = run("fit--b--repeat-1", loss: 0.5)
        runs["fit--b--repeat-2"] = run("fit--b--repeat-2", loss: 0.5)
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a", other: "fit--b", combination: .ratio), specs: report.experiments, runs: runs).number, 4)
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a", other: "fit--c", combination: .ratio), specs: report.experiments, runs: runs).note,
                       "not run at this profile")
        // A list (names joined by commas): the mean over all their runs.
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a,fit--b"), specs: report.experiments, runs: runs).number, 1.25)
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a,fit--b"), specs: report.experiments, runs: runs).count, 4)
        XCTAssertEqual(parse("{{final_loss of fit--a,fit--d}}").1.count, 1, "each name of a list is checked")
        XCTAssertEqual(parse("{{final_loss of fit--a,fit--b}}").1, [])
        // A typo in the divisor is caught where the report is read.
        XCTAssertEqual(parse("{{final_loss of fit--a / fit--d}}").1.count, 1)
        runs["fit--a--repeat-2"] = run("fit--a--repeat-2", loss: 3, status: .failed)
        XCTAssertEqual(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "fit--a"), specs: report.experiments, runs: runs).note,
                       "run failed")
    }
}

extension ProseValueTests {
    func testDifferencesAggregatesAndPatternsAreRead() {
        XCTAssertEqual(ProseValue.parse("test_psnr of fit--a - fit--b"),
                       .success(ProseValue(metric: .testPSNR, run: "fit--a", other: "fit--b", combination: .difference)))
        XCTAssertEqual(ProseValue.parse("range test_rse of fit--*"), .success(ProseValue(.range, metric: .testRSE, run: "fit--*")))
        XCTAssertEqual(ProseValue.parse("min final_loss of fit--a,fit--b"), .success(ProseValue(.min, metric: .finalLoss, run: "fit--a,fit--b")))
        guard case .failure(let mixed) = ProseValue.parse("max final_loss of fit--a / fit--b") else { return XCTFail("a max of a ratio is read") }
        XCTAssertTrue(mixed.message.contains("is not combined"), mixed.message)
        guard case .failure(let sign) = ProseValue.parse("final_loss of fit--a + fit--b") else { return XCTFail("a sum is read") }
        XCTAssertTrue(sign.message.contains("for a difference"), sign.message)
        XCTAssertTrue(ProseValue.matches("sparse--kind-uniform--scale-4", pattern: "sparse--kind-*--scale-4"))
        XCTAssertFalse(ProseValue.matches("sparse--kind-uniform--scale-64", pattern: "sparse--kind-*--scale-4"))
        XCTAssertTrue(ProseValue.matches("ab", pattern: "a*b"))
        XCTAssertFalse(ProseValue.matches("a", pattern: "a*a"), "the prefix and suffix may not overlap")
        XCTAssertTrue(ProseValue.matches("x-1-y-2", pattern: "x*1*2"))
        XCTAssertFalse(ProseValue.matches("x-2-y-1", pattern: "x*1*2"))
    }

    func testAPatternExpandsToRunsAndATypoInItIsAnError() throws {
        XCTAssertEqual(parse("{{range final_loss of fit--*}}").1, [])
        XCTAssertEqual(parse("{{final_loss of fit--c*}}").1, [], "run at the paper profile only: fine at quick")
        let typo = parse("{{final_loss of fit--x*}}").1
        XCTAssertEqual(typo.count, 1, "\(typo)")
        XCTAssertTrue(typo.first?.message.contains("names no run at any profile") == true, "\(typo)")
        XCTAssertEqual(parse("{{final_loss of fot*}}").1.count, 1, "a pattern that matches no block")
        let report = try XCTUnwrap(parse("x").0)
        XCTAssertEqual(ProseValue.elements(of: "fit--*", specs: report.experiments).map { $0.map(\.name) },
                       [["fit--a--repeat-1", "fit--a--repeat-2"], ["fit--b--repeat-1", "fit--b--repeat-2"]],
                       "one element per repeated run, with its copies, in the report's order")
    }

    func testMinMaxRangeAndDifferenceOnRuns() throws {
        let report = try XCTUnwrap(parse("x").0)
        func run(_ name: String, loss: Double) -> RunResult {
            RunResult(name: name, status: .ok, message: nil, inputs: [], target: [], frequencies: [],
                      targetAmplitudes: [], losses: [9, loss], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        }
        let runs = Dictionary(uniqueKeysWithValues: [("fit--a--repeat-1", 1.0), ("fit--a--repeat-2", 3.0), ("fit--b--repeat-1", 0.5), ("fit--b--repeat-2", 1.5)]
            .map { ($0.0, run($0.0, loss: $0.1)) })
        func value(_ text: String) -> BuiltNumber {
            guard case .success(let parsed) = ProseValue.parse(text) else { XCTFail(text); return BuiltNumber(number: nil) }
            return ClaimCheck.builtValue(parsed, specs: report.experiments, runs: runs)
        }
        // Several names: one value per name (a: 2, b: 1).
        XCTAssertEqual(value("range final_loss of fit--*"), BuiltNumber(number: 1, upper: 2, count: 4))
        XCTAssertEqual(value("min final_loss of fit--a,fit--b").number, 1)
        XCTAssertEqual(value("max final_loss of fit--a,fit--b").number, 2)
        // One name with copies: one value per copy (the spread over seeds).
        XCTAssertEqual(value("range final_loss of fit--a"), BuiltNumber(number: 1, upper: 3, count: 2))
        // The mean over a pattern is the mean over all its runs, as over a list.
        XCTAssertEqual(value("final_loss of fit--*").number, 1.5)
        XCTAssertEqual(value("final_loss of fit--a - fit--b").number, 1)
        XCTAssertEqual(value("final_loss of fit--a / fit--b").number, 2)
        XCTAssertEqual(value("range final_loss of fit--c,fit--a").note, "not run at this profile")
    }
}

/// ```` ```prose PROFILES ````: prose on the pages of those profiles only.
final class ProfileProseTests: XCTestCase {
    func prose(_ text: String, profile: String) -> [String] {
        let (report, problems) = ReportLoader.parse(text: ProseValueTests.report(prose: text), id: "values", file: "reports/values.md", profile: profile)
        XCTAssertEqual(problems, [], profile)
        return (report?.segments ?? []).compactMap { if case .prose(let markdown) = $0 { return markdown.trimmingCharacters(in: .whitespacesAndNewlines) } else { return nil } }
    }

    func testAProseBlockIsShownAtItsProfilesOnly() {
        let text = "Everywhere.\n\n```prose quick\nQuick only: {{final_loss of fit--a}}.\n```\n\n```prose quick,paper\nBoth.\n```\n\nAfter."
        XCTAssertEqual(prose(text, profile: "quick"), ["Everywhere.", "Quick only: {{final_loss of fit--a}}.", "Both.", "After."])
        XCTAssertEqual(prose(text, profile: "paper"), ["Everywhere.", "Both.", "After."])
    }

    func testAnUnknownProfileOrABadValueInsideIsAnError() {
        let (_, unknown) = ReportLoader.parse(text: ProseValueTests.report(prose: "```prose quik\nx\n```"), id: "values", file: "reports/values.md", profile: "quick")
        XCTAssertEqual(unknown.count, 1, "\(unknown)")
        XCTAssertTrue(unknown.first?.message.contains("did you mean 'quick'") == true, "\(unknown)")
        // quick and paper are the site's profiles: a report that declares neither may still say
        // something on their pages.
        let plain = ClaimsTests.report(claims: "```prose quick,paper\nSaid on both pages.\n```")
        XCTAssertFalse(plain.contains("profiles:"), "the fixture declares no profile")
        let undeclared = ReportLoader.parse(text: plain, id: "values", file: "reports/values.md", profile: "quick")
        XCTAssertEqual(undeclared.1, [])
        let text = ProseValueTests.report(prose: "```prose quick\nfine\n{{final_los of fit--a}}\n```")
        let (_, bad) = ReportLoader.parse(text: text, id: "values", file: "reports/values.md", profile: "quick")
        XCTAssertEqual(bad.count, 1, "\(bad)")
        XCTAssertEqual(bad.first.map { text.components(separatedBy: "\n")[$0.line - 1] }, "{{final_los of fit--a}}", "the line of the value inside the block")
    }
}
