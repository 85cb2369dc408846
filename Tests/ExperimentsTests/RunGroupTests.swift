@testable import Experiments
import XCTest

/// Run groups (front matter `run_groups:`): a name for many runs, read by claims and built
/// values as the runs listed; every mistake in one is an error at its line before anything trains.
final class RunGroupTests: XCTestCase {
    /// ProseValueTests' report (`fit` sweeps a and b at every profile, c at paper only; two copies
    /// each) with `groups` in its front matter and `body` after the experiment.
    static func report(groups: String, body: String) -> String {
        ProseValueTests.report(prose: body).replacingOccurrences(of: "title: \"Values\"\n", with: "title: \"Values\"\nrun_groups:\n\(groups)\n")
    }

    func parse(_ groups: String, _ body: String = "x", profile: String = "quick") -> (Report?, [SpecProblem]) {
        ReportLoader.parse(text: Self.report(groups: groups, body: body), id: "values", file: "reports/values.md", profile: profile)
    }

    static let groups = """
          ab: [fit--a, fit--b]
          not-a: {runs: ["fit--*"], except: [fit--a]}
          late: [fit--c]
        """

    func run(_ name: String, loss: Double) -> RunResult {
        RunResult(name: name, status: .ok, message: nil, inputs: [], target: [], frequencies: [],
                  targetAmplitudes: [], losses: [9, loss], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
    }

    func testGroupsResolveAtEachProfileWithExceptAndEarlierGroups() throws {
        let quick = try XCTUnwrap(parse(Self.groups).0)
        XCTAssertEqual(quick.runGroups["ab"], ["fit--a", "fit--b"], "a repeated run counts once, by its own name")
        XCTAssertEqual(quick.runGroups["not-a"], ["fit--b"])
        XCTAssertEqual(quick.runGroups["late"], [], "c is swept at the paper profile only")
        let paper = try XCTUnwrap(parse(Self.groups, profile: "paper").0)
        XCTAssertEqual(paper.runGroups["not-a"], ["fit--b", "fit--c"])
        XCTAssertEqual(paper.runGroups["late"], ["fit--c"])
        let nested = try XCTUnwrap(parse("  ab: [fit--a, fit--b]\n  b-only: {runs: [ab], except: [fit--a]}").0)
        XCTAssertEqual(nested.runGroups["b-only"], ["fit--b"], "an entry may name a group declared above")
    }

    func testBuiltValuesReadAGroupAsItsRuns() throws {
        let report = try XCTUnwrap(parse(Self.groups, "{{final_loss of ab}} {{range final_loss of ab}} {{final_loss of late}}").0)
        let runs = Dictionary(uniqueKeysWithValues: [("fit--a--repeat-1", 1.0), ("fit--a--repeat-2", 3.0), ("fit--b--repeat-1", 0.5), ("fit--b--repeat-2", 1.5)]
            .map { ($0.0, run($0.0, loss: $0.1)) })
        func value(_ text: String) -> BuiltNumber {
            guard case .success(let parsed) = ProseValue.parse(text) else { XCTFail(text); return BuiltNumber(number: nil) }
            return ClaimCheck.builtValue(parsed, specs: report.experiments, runs: runs, groups: report.runGroups)
        }
        XCTAssertEqual(value("final_loss of ab"), BuiltNumber(number: 1.5, count: 4), "the mean over all four runs")
        XCTAssertEqual(value("range final_loss of ab"), BuiltNumber(number: 1, upper: 2, count: 4), "one value per run of the group: a 2, b 1")
        XCTAssertEqual(value("final_loss of ab - not-a"), BuiltNumber(number: 0.5, count: 4, otherCount: 2), "both sides' runs are counted")
        XCTAssertEqual(value("final_loss of late").note, "not run at this profile")
        XCTAssertNil(ClaimCheck.builtValue(ProseValue(metric: .finalLoss, run: "ab"), specs: report.experiments, runs: runs).number,
                     "without the groups the name is no run")
    }

    func testAClaimReadsTheGroupsRunsAndKeepsItsName() throws {
        let claim = """
            ```claim lower
            kind: compare
            statement: "b below a"
            run: not-a
            than: ab
            metric: final_loss
            factor: 1
            ```
            """
        let report = try XCTUnwrap(parse(Self.groups, claim).0)
        let spec = try XCTUnwrap(report.claims.first)
        XCTAssertEqual(spec.run, "not-a")
        XCTAssertEqual(spec.runList, ["fit--b"])
        XCTAssertEqual(spec.thanList, ["fit--a", "fit--b"])
        let runs = Dictionary(uniqueKeysWithValues: [("fit--a--repeat-1", 1.0), ("fit--a--repeat-2", 3.0), ("fit--b--repeat-1", 0.5), ("fit--b--repeat-2", 1.5)]
            .map { ($0.0, run($0.0, loss: $0.1)) })
        let result = ClaimCheck.check(spec, specs: report.experiments, runs: runs, profile: "quick")
        XCTAssertEqual(result.verdict, .reproduced, result.evidence)
        XCTAssertTrue(result.evidence.contains("not-a 1 (mean of 2 runs), ab 1.5 (mean of 4 runs)"), result.evidence)
        // A claim checked here that names a group with no run here is an error at the claim.
        let empty = parse(Self.groups, claim.replacingOccurrences(of: "run: not-a", with: "run: late")).1
        XCTAssertEqual(empty.count, 1, "\(empty)")
        XCTAssertTrue(empty.first?.message.contains("'late', which has no run at profile 'quick'") == true, "\(empty)")
        XCTAssertEqual(empty.first?.keyPath, "lower.run")
        XCTAssertEqual(parse(Self.groups, claim.replacingOccurrences(of: "run: not-a", with: "run: late\nprofiles: [paper]")).1, [],
                       "the same claim checked at the paper profile only")
    }

    func testMistakesAreErrorsAtTheirLine() {
        func problems(_ groups: String) -> [SpecProblem] { parse(groups).1 }
        let typo = problems("  ab: [fit--a, fit--x]")
        XCTAssertEqual(typo.count, 1, "\(typo)")
        XCTAssertTrue(typo.first?.message.contains("'fit--x' names no run at any profile") == true, "\(typo)")
        XCTAssertEqual(typo.first?.line, 5, "the group's line in the file")
        XCTAssertEqual(typo.first?.keyPath, "run_groups.ab")
        let block = problems("  ab: [fot]")
        XCTAssertTrue(block.first?.message.contains("did you mean 'fit'") == true, "\(block)")
        XCTAssertTrue(problems("  fit: [fit--a]").first?.message.contains("already the name of a block or run") == true)
        XCTAssertTrue(problems("  ab: [later]\n  later: [fit--a]").first?.message.contains("declared below") == true)
        XCTAssertTrue(problems("  ab: []").first?.message.contains("non-empty list") == true)
        XCTAssertTrue(problems("  ab: {runs: [fit--a], exept: [fit--b]}").first?.message.contains("did you mean 'except'") == true)
        XCTAssertTrue(problems("  ab: {except: [fit--b]}").first?.message.contains("missing required key 'runs'") == true)
        XCTAssertTrue(problems("  \"a*\": [fit--a]").first?.message.contains("not a plain name") == true)
        XCTAssertTrue(problems("  ab: [\"fit--a fit--b\"]").first?.message.contains("no spaces or commas") == true)
        let prose = parse(Self.groups, "{{final_loss of abb}}").1
        XCTAssertTrue(prose.first?.message.contains("did you mean 'ab'") == true, "\(prose)")
    }
}
