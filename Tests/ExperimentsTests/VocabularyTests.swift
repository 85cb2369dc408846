import Experiments
import Foundation
import Learning
import XCTest

/// The format's words are typed (`Vocabulary.swift`): the schema lists the enums' cases, a
/// stored declaration cannot hold another word, and a table's kind chooses its columns.
final class VocabularyTests: XCTestCase {
    /// The schema's choices are the enums' cases, in order.
    func testSchemaChoicesComeFromTheVocabulary() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(SpecSchema.jsonSchema().utf8)) as! [String: Any]
        let defs = schema["$defs"] as! [String: [String: Any]]
        func choices(_ section: String, _ key: String) -> [String]? {
            ((defs[section]?["properties"] as? [String: Any])?[key] as? [String: Any])?["examples"] as? [String]
        }
        XCTAssertEqual(choices("experiment", "method"), ["mlp", "sgdl", "mgdl", "mscale", "mscale_groups", "adaptive_activation", "phase_shift", "multistage"])
        XCTAssertEqual(choices("experiment", "method"), MethodKind.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.task", "kind"), TaskKind.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.features", "kind"), FeatureKind.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.train", "precision"), Precision.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.train", "loss"), Loss.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.model", "init"), Initializer.allCases.map(\.rawValue))
        XCTAssertEqual(choices("experiment.model", "activation"), Activation.allCases.map(\.rawValue))
        XCTAssertEqual(choices("figure", "kind"), FigureKind.allCases.map(\.rawValue))
        XCTAssertEqual(choices("table", "kind"), TableKind.allCases.map(\.rawValue))
    }

    /// A stored declaration with a method this build does not know does not decode: it can no
    /// longer fall back to another method inside the runner.
    func testAnUnknownMethodCannotBeDecoded() throws {
        let spec = try XCTUnwrap(Self.runs("method: sgdl\ntask: {kind: sum_of_sines, frequencies: [1], points: 8}\nmodel: {hidden: [4]}\ntrain: {lr: 1.0e-3, epochs: 2}").first)
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        XCTAssertNoThrow(try JSONDecoder().decode(ExperimentSpec.self, from: Data(json.utf8)))
        let unknown = json.replacingOccurrences(of: "\"method\":\"sgdl\"", with: "\"method\":\"sgld\"")
        XCTAssertNotEqual(unknown, json)
        XCTAssertThrowsError(try JSONDecoder().decode(ExperimentSpec.self, from: Data(unknown.utf8)))
    }

    /// A table shows its kind's columns; a published value for another kind's column is refused.
    func testATablesKindChoosesItsColumns() {
        XCTAssertEqual(TableKind.psnr.columns(grades: false), ["train_psnr", "test_psnr"])
        XCTAssertEqual(TableKind.rse.columns(grades: true), ["train", "validation", "test", "seconds"])
        let text = ReportLoaderTests.valid + "\n\n```table t\nkind: psnr\nrun: tiny\npaper:\n  source: \"P\"\n  values:\n    tiny: {test: 0.1, test_psnr: 20}\n```\n"
        let (_, problems) = ReportLoader.parse(text: text, id: "tiny", file: "tiny.md", profile: "quick")
        XCTAssertEqual(problems.map(\.message), ["a psnr table has no 'test' column (its columns: train_psnr, test_psnr)"])
    }

    /// The method names are spelled once, as `MethodKind`'s cases: no source file compares or
    /// switches on them as strings (the schema takes them from `allCases`); the one place a word
    /// may appear is its case's raw value in Vocabulary.swift (`case phaseShift = "phase_shift"`).
    func testMethodNamesAreNotSpelledOutsideTheVocabulary() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        XCTAssertGreaterThan(files.count, 50)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for method in MethodKind.allCases {
                let spelled = text.components(separatedBy: "\"\(method.rawValue)\"").count - 1
                let declared = file.hasSuffix("Vocabulary.swift") ? text.components(separatedBy: " = \"\(method.rawValue)\"").count - 1 : 0
                guard spelled > declared else { continue }
                XCTFail("\(file) spells the method \"\(method.rawValue)\" as a string: use MethodKind.\(method)")
            }
        }
    }

    static func runs(_ block: String) -> [ExperimentSpec] {
        let text = "---\ntitle: T\n---\n\n```experiment e\n\(block)\n```\n"
        let (report, problems) = ReportLoader.parse(text: text, id: "t", file: "t.md", profile: "")
        XCTAssertEqual(problems, [])
        return report?.experiments ?? []
    }
}
