@testable import Experiments
import Foundation
import Learning
import Tasks
import XCTest

/// The key table (`DeclarationKeys`) and the typed vocabulary against the schema and the reports.
final class DeclarationKeysTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func runs(_ block: String, profile: String = "") -> [ExperimentSpec] {
        let text = "---\ntitle: T\n---\n\n```experiment e\n\(block)\n```\n"
        let (report, problems) = ReportLoader.parse(text: text, id: "t", file: "t.md", profile: profile)
        XCTAssertEqual(problems, [])
        return report?.experiments ?? []
    }

    func testAnEpochsRunShowsEpochsAndNoEngineNames() throws {
        let spec = try XCTUnwrap(Self.runs("""
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1, 2], amplitudes: decreasing, phases: {seed: 4}, points: 32, manifold: {q: 1}}
        model: {grades: [[8], [8]]}
        train: {lr: 1.0e-3, lr_final: 1.0e-4, epochs: 7, record_every: 7, grades: [{epochs: 3}, {lr: 2.0e-3}]}
        """).first)
        let declaration = DeclarationKeys.declaration(spec)
        let flat = declaration.flattened()
        XCTAssertEqual(flat["train.epochs"], "7")
        XCTAssertNil(flat["train.steps"])
        XCTAssertEqual(flat["train.lr"], "0.001")
        XCTAssertEqual(flat["train.lr_final"], "0.0001")
        XCTAssertEqual(flat["train.grades"], "[{lr: 0.001, lr_final: 0.0001, epochs: 3}, {lr: 0.002, lr_final: 0.0001, epochs: 7}]")
        XCTAssertEqual(flat["task.amplitudes"], "decreasing")
        XCTAssertEqual(flat["task.phases.seed"], "4")
        XCTAssertEqual(flat["task.manifold.q"], "1.0")
        XCTAssertEqual(flat["model.init"], "glorot_normal")
        let words = flat.keys.joined(separator: " ")
        for engineName in ["record_snapshots", "recordSnapshots", "amplitude_profile", "amplitudeProfile", "phase_seed", "manifold_q",
                           "learning_rate", "initializer", "steps", "input_hashes", "base_directory", "group", "label", "profile"] {
            XCTAssertFalse(words.contains(engineName), "\(engineName) in \(words)")
        }
        // The run's JSON writes the same keys.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(declaration)) as? [String: Any]
        let train = try XCTUnwrap(json?["train"] as? [String: Any])
        XCTAssertEqual(train["epochs"] as? Int, 7)
        XCTAssertNil(train["steps"])
        XCTAssertNil(train["recordSnapshots"])
    }

    func testAmplitudesAreWrittenAsTheBlockWroteThem() {
        let base = "task: {kind: sum_of_sines, frequencies: [1, 2], points: 16%@}\nmodel: {widths: [1, 4, 1]}\ntrain: {lr: 1.0e-3, steps: 2}"
        func amplitudes(_ written: String) -> String? {
            Self.runs(base.replacingOccurrences(of: "%@", with: written)).first.map { DeclarationKeys.declaration($0).flattened()["task.amplitudes"] } ?? nil
        }
        XCTAssertEqual(amplitudes(""), "1.0")
        XCTAssertEqual(amplitudes(", amplitudes: 0.5"), "0.5")
        XCTAssertEqual(amplitudes(", amplitudes: [1, 0.5]"), "[1.0, 0.5]")
        XCTAssertEqual(amplitudes(", amplitudes: x_dependent"), "x_dependent")
    }

    /// Every field of every run of every report (at each profile they declare) has its key in the
    /// table; a field added to `ExperimentSpec` without one fails here.
    func testEveryFieldOfEveryReportsRunsHasAKey() throws {
        let reports = Self.root.appendingPathComponent("reports")
        var checked = 0
        for profile in ["", "quick", "paper"] {
            for report in try ReportLoader.load(directory: reports, profile: profile) {
                for spec in report.experiments {
                    XCTAssertEqual(DeclarationKeys.walk(spec).unknownFields, [], "\(report.id)/\(spec.name)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 10)
        // And a run with every optional field set.
        var full = try XCTUnwrap(Self.runs("""
        method: mgdl
        task: {kind: sum_of_sines, frequencies: [1], points: 8, targets: zero_one, noise: {kind: additive, amplitude: 0.1, frequency: 2}, manifold: {q: 0}, generator: numpy}
        model: {grades: [[4]]}
        train: {lr: 1.0e-3, lr_final: 1.0e-4, epochs: 2, batch: 4, record_every: 1, grades: [{epochs: 1}]}
        repeat: 2
        """).first)
        full.task.formula = "x"; full.task.phaseSeed = 1; full.task.exponent = 1; full.task.maxFrequency = 2; full.task.noiseSeed = 1
        full.task.file = "f.png"; full.task.colour = .grey; full.task.size = 4; full.task.imageProtocol = .mgdl; full.task.classes = [0, 1]
        full.task.validationFraction = 0.1; full.task.testFraction = 0.1; full.task.splitSeed = 1
        full.model.output = .sigmoid
        full.train.recordNorms = true; full.train.keepPredictions = [0]; full.train.loss = .bce
        full.inputHashes = ["f.png": "00"]
        XCTAssertEqual(DeclarationKeys.walk(full).unknownFields, [])
        for field in Mirror(reflecting: full).children.compactMap(\.label) {
            XCTAssertNotNil(DeclarationKeys.table[field], field)
        }
    }

    /// Each key the table writes is a key of the schema's section (or, for a nested key, its
    /// first part is): the page shows only words the format has.
    func testTheTableWritesOnlyTheFormatsKeys() {
        for (field, shown) in DeclarationKeys.table {
            let parts = field.split(separator: ".").map(String.init)
            guard parts.count <= 2 else { continue }  // inside noise or a grade: checked by their readers
            let section = parts.count == 1 ? "experiment" : "experiment.\(DeclarationKeys.table[parts[0]].flatMap { if case .key(let k) = $0 { return k } else { return nil } } ?? parts[0])"
            let allowed = SpecSchema.keys(section)
            switch shown {
            case .key(let key): XCTAssertTrue(allowed.contains(String(key.split(separator: ".")[0])), "\(field) -> \(key) is not a key of \(section)")
            case .length: XCTAssertTrue(allowed.contains("steps") && allowed.contains("epochs"), field)
            case .amplitudes: XCTAssertTrue(allowed.contains("amplitudes"), field)
            case .notAKey: continue
            }
        }
    }
}
