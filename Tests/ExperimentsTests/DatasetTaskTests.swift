@testable import Experiments
import Foundation
import Learning
import Tasks
import XCTest

/// Dataset tasks, classification targets, label noise and `train.loss` in the report format and
/// the runner.
final class DatasetTaskTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-task-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // 60 samples of 3 features in [0, 255], labels 0/1/2 by which feature is largest: learnable.
        var lines: [String] = []
        var rng = 12345 as UInt64
        func next() -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int((rng >> 33) % 256) }
        for i in 0..<60 {
            var f = [next(), next(), next()]
            f[i % 3] = 255
            lines.append(f.map(String.init).joined(separator: ",") + ",\(i % 3)")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("small.csv"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func parse(_ block: String) -> ([ExperimentSpec], [SpecProblem]) {
        let text = "---\nversion: 1\n---\n\n```experiment e\n\(block)\n```\n"
        let (report, problems) = ReportLoader.parse(text: text, id: "t", file: "t.md", profile: "quick", baseDirectory: folder)
        return (report?.experiments ?? [], problems)
    }

    static let dataset = """
    method: sgdl
    task:
      kind: dataset
      file: small.csv
      classes: [0, 2]
      targets: plus_minus_one
      validation_fraction: 0.25
      noise: {kind: additive, amplitude: 0.5, frequency: 0.01}
    model: {hidden: [16, 16]}
    train: {lr: 1.0e-2, epochs: 60, record_every: 20}
    """

    func testDatasetKeysAreReadAndTheFileHashIsPartOfTheKey() throws {
        let (specs, problems) = parse(Self.dataset)
        XCTAssertEqual(problems, [])
        let task = try XCTUnwrap(specs.first).task
        XCTAssertEqual(task.kind, .dataset)
        XCTAssertEqual(task.classes, [0, 2])
        XCTAssertEqual(task.targets, .plusMinusOne)
        XCTAssertEqual(task.validationFraction, 0.25)
        XCTAssertEqual(task.testFraction, 0)
        XCTAssertEqual(task.noise, LabelNoise(kind: .additive, amplitude: 0.5, frequency: 0.01))
        XCTAssertEqual(specs[0].inputHashes["small.csv"]?.count, 64)
        let key = RunStore.key(for: specs[0])
        try Data("1,2,3,0\n".utf8).write(to: folder.appendingPathComponent("small.csv"))
        XCTAssertNotEqual(RunStore.key(for: parse(Self.dataset).0[0]), key, "another file, another run")
        // β = 0 is the clean task: the same run as no noise at all.
        let clean = Self.dataset.replacingOccurrences(of: "  noise: {kind: additive, amplitude: 0.5, frequency: 0.01}\n", with: "")
        let zero = Self.dataset.replacingOccurrences(of: "amplitude: 0.5", with: "amplitude: 0")
        XCTAssertEqual(String(decoding: RunStore.canonicalDeclaration(parse(clean).0[0]), as: UTF8.self),
                       String(decoding: RunStore.canonicalDeclaration(parse(zero).0[0]), as: UTF8.self))
        XCTAssertEqual(RunStore.key(for: parse(clean).0[0]), RunStore.key(for: parse(zero).0[0]))
    }

    /// Runs declared before these keys existed keep their keys: nothing new is encoded by default.
    func testNewKeysAreLeftOutOfOldDeclarations() throws {
        let (specs, problems) = parse("""
            method: sgdl
            task: {kind: sum_of_sines, frequencies: [1, 2], points: 16}
            model: {hidden: [4]}
            train: {lr: 1.0e-3, epochs: 2, loss: mse}
            """)
        XCTAssertEqual(problems, [])
        let json = String(decoding: RunStore.canonicalDeclaration(specs[0]), as: UTF8.self)
        for key in ["loss", "classes", "targets", "noise", "validationFraction", "testFraction", "splitSeed"] {
            XCTAssertFalse(json.contains("\"\(key)\""), "\(key) in \(json)")
        }
    }

    func testBadDeclarationsNameTheKey() {
        func messages(_ block: String) -> [String] { parse(block).1.map { "\($0.keyPath): \($0.message)" } }
        let three = Self.dataset.replacingOccurrences(of: "classes: [0, 2]", with: "classes: [0, 1, 2]")
        XCTAssertEqual(messages(three), ["e.task.targets: targets 'plus_minus_one' need exactly two classes, found 3; use one_hot"])
        let missing = Self.dataset.replacingOccurrences(of: "small.csv", with: "nothing.csv")
        XCTAssertTrue(messages(missing).first?.hasPrefix("e.task.file: dataset file not found") ?? false, "\(messages(missing))")
        let fraction = Self.dataset.replacingOccurrences(of: "validation_fraction: 0.25", with: "validation_fraction: 1.5")
        XCTAssertTrue(messages(fraction).contains("e.task.validation_fraction: expected a fraction in [0, 1), found 1.5"))
        let bce = Self.dataset.replacingOccurrences(of: "record_every: 20}", with: "record_every: 20, loss: bce}")
        XCTAssertEqual(messages(bce), ["e.train.loss: loss 'bce' needs 0/1 labels: set task.targets to zero_one"])
        let mgdl = bce.replacingOccurrences(of: "method: sgdl", with: "method: mgdl")
            .replacingOccurrences(of: "hidden: [16, 16]", with: "grades: [[16], [16]]")
            .replacingOccurrences(of: "plus_minus_one", with: "zero_one")
        XCTAssertEqual(messages(mgdl).count, 1)
        XCTAssertTrue(messages(mgdl)[0].hasPrefix("e.train.loss: loss 'bce' trains one network"))
        let noiseKind = Self.dataset.replacingOccurrences(of: "kind: additive", with: "kind: adittive")
        XCTAssertEqual(messages(noiseKind), ["e.task.noise.kind: expected one of additive, multiplicative, kernel_eigenvectors, found 'adittive'; did you mean 'additive'?"])
        let points = Self.dataset.replacingOccurrences(of: "  classes:", with: "  points: 10\n  classes:")
        XCTAssertEqual(messages(points).count, 1)
        XCTAssertTrue(messages(points)[0].hasPrefix("e.task.points: 'points' does not apply to a dataset task"))
    }

    /// `kernel_spectrum` and `kernel_eigenvectors` noise: read, refused where they do not apply
    /// (each problem at its key), and run: the noise lies along the kernel's eigenvectors of the
    /// training inputs, the validation targets stay clean, and the binned spectrum is recorded.
    func testKernelSpectrumNoise() throws {
        let block = Self.dataset.replacingOccurrences(of: "  noise: {kind: additive, amplitude: 0.5, frequency: 0.01}",
                                                      with: "  kernel_spectrum: {width: 0.5, bin: 10}\n  noise: {kind: kernel_eigenvectors, amplitude: 1, exponent: 2}")
        let (specs, problems) = parse(block)
        XCTAssertEqual(problems, [])
        let task = try XCTUnwrap(specs.first).task
        XCTAssertEqual(task.kernelSpectrum, ExperimentSpec.KernelSpectrumSpec(width: 0.5, bin: 10))
        XCTAssertEqual(task.noise, LabelNoise(kernelEigenvectorsAmplitude: 1, exponent: 2))
        XCTAssertTrue(String(decoding: RunStore.canonicalDeclaration(specs[0]), as: UTF8.self).contains("\"exponent\":2"))
        func messages(_ block: String) -> [String] { parse(block).1.map { "\($0.keyPath): \($0.message)" } }
        XCTAssertEqual(messages(block.replacingOccurrences(of: "  kernel_spectrum: {width: 0.5, bin: 10}\n", with: "")),
                       ["e.task.noise: kernel_eigenvectors noise needs the task's kernel_spectrum: {width: σ} (the kernel it is drawn along)"])
        XCTAssertEqual(messages(block.replacingOccurrences(of: "exponent: 2", with: "frequency: 2")),
                       ["e.task.noise.frequency: unknown key 'frequency'; expected one of: kind, amplitude, exponent",
                        "e.task.noise.exponent: missing required key 'exponent'"])
        XCTAssertEqual(messages(block.replacingOccurrences(of: "plus_minus_one", with: "one_hot")),
                       ["e.task.kernel_spectrum: kernel_spectrum measures one output: use targets plus_minus_one or zero_one (two classes)"])
        XCTAssertEqual(messages(block.replacingOccurrences(of: "width: 0.5", with: "width: -1")).count, 1)
        XCTAssertTrue(messages(block.replacingOccurrences(of: "width: 0.5", with: "width: -1"))[0].hasPrefix("e.task.kernel_spectrum.width:"))
        let run = Runner.run(specs[0])
        XCTAssertEqual(run.status, .ok, run.message ?? "")
        XCTAssertEqual(run.eigenBin, 10)
        XCTAssertEqual(run.frequencies, [0, 10, 20], "30 training samples in bins of 10")
        XCTAssertEqual(run.spectra?.map(\.step), [0, 20, 40, 60])
        XCTAssertEqual(run.spectra?.first?.amplitudes.count, 3)
        // The training targets are ±1 plus the noise along the kernel's eigenvectors.
        let clean = Runner.run(parse(block.replacingOccurrences(of: "amplitude: 1,", with: "amplitude: 0,")).0[0])
        let difference = zip(run.target, clean.target).map { $0 - $1 }
        XCTAssertGreaterThan(difference.map(abs).max()!, 0.01)
        XCTAssertEqual(run.validationCurve?.first?.value, clean.validationCurve?.first?.value, "validation targets stay clean")
        // The noise's spectrum grows with the eigen-index: the last bin holds the most.
        XCTAssertGreaterThan(run.targetAmplitudes.last!, clean.targetAmplitudes.last!)
        XCTAssertNotNil(SpectralEvolution(run))
    }

    /// Training on noisy labels, measured against the clean ones: with a learning rate too small
    /// to move the network, the validation error and accuracy are those of the clean targets (the
    /// same as a run without noise), while the training RSE is against the noisy targets it fits.
    func testMetricsAreMeasuredAgainstTheCleanLabels() throws {
        let frozen = Self.dataset.replacingOccurrences(of: "lr: 1.0e-2", with: "lr: 1.0e-30")
            .replacingOccurrences(of: "amplitude: 0.5", with: "amplitude: 2")
        let noisy = Runner.run(parse(frozen).0[0])
        let clean = Runner.run(parse(frozen.replacingOccurrences(of: "amplitude: 2", with: "amplitude: 0")).0[0])
        XCTAssertEqual(noisy.status, .ok, noisy.message ?? "")
        XCTAssertEqual(noisy.validationRSE, clean.validationRSE)
        XCTAssertEqual(noisy.validationAccuracy, clean.validationAccuracy)
        XCTAssertEqual(noisy.trainAccuracy, clean.trainAccuracy, "train accuracy is against the clean labels too")
        XCTAssertNotEqual(noisy.trainRSE, clean.trainRSE)
        XCTAssertNotEqual(noisy.target, clean.target, "the run's training targets are the noisy ones")
        XCTAssertEqual(noisy.validationCurve?.first?.value, clean.validationCurve?.first?.value)
    }

    /// A small network learns the three-class toy data: one-hot accuracy well above chance, the
    /// validation curve recorded every `record_every` steps and falling.
    func testOneHotClassificationLearnsAndRecordsTheValidationCurve() throws {
        let block = Self.dataset.replacingOccurrences(of: "classes: [0, 2]", with: "classes: [0, 1, 2]")
            .replacingOccurrences(of: "targets: plus_minus_one", with: "targets: one_hot")
        let run = Runner.run(parse(block).0[0])
        XCTAssertEqual(run.status, .ok, run.message ?? "")
        XCTAssertEqual(run.validationCurve?.map(\.step), [0, 20, 40, 60])
        let curve = try XCTUnwrap(run.validationCurve)
        XCTAssertLessThan(curve.last!.value, curve.first!.value)
        XCTAssertGreaterThan(try XCTUnwrap(run.trainAccuracy), 0.9)
        XCTAssertGreaterThan(try XCTUnwrap(run.validationAccuracy), 0.6)
        XCTAssertEqual(run.target.count, 45 * 3, "one-hot training targets of the 45 training samples")
        XCTAssertEqual(run.snapshots.last?.prediction.count, 45 * 3)
    }

    /// The validation curve is the whole model's loss: with ±1 targets the mean squared error
    /// equals the RSE (Σy²/N = 1), so the curve's last point is the final validation RSE, for one
    /// network and for the sum of MGDL's grades (grade 2's points continue grade 1's steps).
    func testValidationCurveEndsAtTheWholeModelsValidationLoss() throws {
        let sgdl = Runner.run(parse(Self.dataset).0[0])
        let mgdlBlock = Self.dataset.replacingOccurrences(of: "method: sgdl", with: "method: mgdl")
            .replacingOccurrences(of: "hidden: [16, 16]", with: "grades: [[16], [16]]")
        let mgdl = Runner.run(parse(mgdlBlock).0[0])
        for run in [sgdl, mgdl] {
            XCTAssertEqual(run.status, .ok, run.message ?? "")
            let curve = try XCTUnwrap(run.validationCurve)
            XCTAssertEqual(curve.last!.value, try XCTUnwrap(run.validationRSE), accuracy: 1e-6 * curve.last!.value)
        }
        XCTAssertEqual(mgdl.validationCurve?.map(\.step), [0, 20, 40, 60, 80, 100, 120])
        // Without record_every nothing is recorded (older runs keep their keys and costs).
        let silent = Runner.run(parse(Self.dataset.replacingOccurrences(of: ", record_every: 20", with: "")).0[0])
        XCTAssertNil(silent.validationCurve)
    }

    /// Claims read the recorded validation curve and the accuracies.
    func testClaimMetricsOfCurvesAndAccuracies() {
        var run = RunResult(name: "r", status: .ok, message: nil, inputs: [], target: [], frequencies: [], targetAmplitudes: [],
                            losses: [1, 0.5], snapshots: [], seconds: 0, parameterCount: 0, finalRSE: nil)
        XCTAssertNil(ClaimMetric.lowestValidationLoss.value(of: run))
        XCTAssertNil(ClaimMetric.lowestValidationStep.value(of: run))
        run.validationCurve = [CurvePoint(step: 0, value: 1), CurvePoint(step: 10, value: 0.2), CurvePoint(step: 20, value: 0.4),
                               CurvePoint(step: 30, value: 0.2)]
        XCTAssertEqual(ClaimMetric.lowestValidationStep.value(of: run), 10, "the first step of the lowest loss")
        run.validationCurve?.removeLast()
        run.validationAccuracy = 0.875
        XCTAssertEqual(ClaimMetric.lowestValidationLoss.value(of: run), 0.2)
        XCTAssertEqual(ClaimMetric.finalValidationLoss.value(of: run), 0.4)
        XCTAssertEqual(ClaimMetric.validationAccuracy.value(of: run), 0.875)
        XCTAssertNil(ClaimMetric.testAccuracy.value(of: run))
    }

    /// Binary classification of a function's sign with BCE on logits.
    func testSignOfASineWithBinaryCrossEntropy() throws {
        let (specs, problems) = parse("""
            method: sgdl
            task: {kind: sum_of_sines, frequencies: [2], points: 128, targets: zero_one}
            model: {hidden: [32, 32]}
            train: {lr: 1.0e-2, epochs: 300, loss: bce}
            """)
        XCTAssertEqual(problems, [])
        let run = Runner.run(specs[0])
        XCTAssertEqual(run.status, .ok, run.message ?? "")
        XCTAssertEqual(Set(run.target), [0, 1])
        XCTAssertGreaterThan(try XCTUnwrap(run.trainAccuracy), 0.95)
        XCTAssertLessThan(run.losses.last!, 0.3 * run.losses.first!)
    }
}
