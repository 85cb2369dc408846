import Foundation
import Tasks
import XCTest

final class DatasetTests: XCTestCase {
    /// reports/data/mnist/mnist_5k.csv.gz, from this file's place in the repository.
    static let mnist = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("reports/data/mnist/mnist_5k.csv.gz").path

    /// Six samples of two features, labels 0, 1, 2 twice each (CRLF line ends and a blank line).
    static let small = "0,0,0\r\n1,0,1\r\n0,2,2\r\n\r\n3,0,0\r\n0,4,1\r\n5,5,2\r\n"

    func testParsesCSVWithLabelsLast() throws {
        let data = try LabelledDataset.parse(csv: Data(Self.small.utf8), scale: 5)
        XCTAssertEqual(data.count, 6)
        XCTAssertEqual(data.featureCount, 2)
        XCTAssertEqual(data.labels, [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(Array(data.sample(2)), [0, 0.4])
        XCTAssertEqual(Array(data.scaledToUnitInterval().sample(5)), [1, 1])
    }

    func testMalformedRowsNameTheLine() {
        func message(_ text: String) -> String {
            do { _ = try LabelledDataset.parse(csv: Data(text.utf8), name: "f.csv"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("1,2,3\n4,x,5\n"), "f.csv:2: field 2 is not a number")
        XCTAssertEqual(message("1,2,3\n4,5\n"), "f.csv:2: 1 feature values, the first row has 2")
        XCTAssertEqual(message("1,2,3\n\n4,5,6.5\n"), "f.csv:3: the label (last field) is not an integer: 6.5")
        XCTAssertEqual(message(""), "f.csv: no samples")
    }

    /// The MNIST subset through zlib: 5,000 images of 784 pixels, 500 per digit, pixels 0–255.
    func testReadsTheGzippedMNISTSubset() throws {
        let data = try LabelledDataset.load(contentsOf: Self.mnist)
        XCTAssertEqual(data.count, 5000)
        XCTAssertEqual(data.featureCount, 784)
        for digit in 0...9 { XCTAssertEqual(data.labels.filter { $0 == digit }.count, 500, "digit \(digit)") }
        XCTAssertEqual(data.features.min(), 0)
        XCTAssertEqual(data.features.max(), 255)
        XCTAssertTrue(data.features.allSatisfy { $0 == $0.rounded() })
        // The scaled copy lies in [0, 1] and keeps the order of the pixels.
        let scaled = data.scaledToUnitInterval()
        XCTAssertEqual(scaled.features.max(), 1)
        XCTAssertEqual(scaled.features[1000], data.features[1000] / 255)
    }

    /// zlib's transparent mode: a plain file reads unchanged; a missing file names its path.
    func testPlainFilesAndMissingFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID()).csv")
        try Data(Self.small.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertEqual(try GzipFile.read(url.path), Data(Self.small.utf8))
        XCTAssertEqual(try LabelledDataset.load(contentsOf: url.path).count, 6)
        XCTAssertThrowsError(try GzipFile.read("/nonexistent/x.csv.gz")) { error in
            XCTAssertEqual("\(error)", "file not found: /nonexistent/x.csv.gz")
        }
    }

    func testClassificationSplitSubsetsShufflesAndEncodes() throws {
        let data = try LabelledDataset.load(contentsOf: Self.mnist).scaledToUnitInterval()
        let split = try Split.classification(data, classes: [3, 8], encoding: .plusMinusOne,
                                             validationFraction: 0.2, testFraction: 0, seed: 0)
        XCTAssertEqual(split.train.count, 800)
        XCTAssertEqual(split.validation.count, 200)
        XCTAssertEqual(split.test.count, 0)
        XCTAssertEqual(split.inputDimension, 784)
        XCTAssertEqual(Set(split.train.targets), [-1, 1])
        // Every target is the encoding of its image's label: find each training image in the file.
        var byImage: [ArraySlice<Double>: Int] = [:]
        for i in 0..<data.count where [3, 8].contains(data.labels[i]) { byImage[data.sample(i)] = data.labels[i] }
        for i in 0..<split.train.count {
            XCTAssertEqual(split.train.targets[i], byImage[split.train.input(i)] == 3 ? -1 : 1)
        }
        // Both classes appear in both sets (a shuffle, not file order), and the sets are disjoint.
        XCTAssertEqual(Set(split.validation.targets), [-1, 1])
        let trainImages = Set((0..<800).map { split.train.input($0) })
        XCTAssertTrue((0..<200).allSatisfy { !trainImages.contains(split.validation.input($0)) })
        // The seed decides the split: the same seed the same bytes, another seed another order.
        XCTAssertEqual(try Split.classification(data, classes: [3, 8], encoding: .plusMinusOne,
                                                validationFraction: 0.2, testFraction: 0, seed: 0), split)
        XCTAssertNotEqual(try Split.classification(data, classes: [3, 8], encoding: .plusMinusOne,
                                                   validationFraction: 0.2, testFraction: 0, seed: 1).train, split.train)
        // One-hot over three classes, with a test set.
        let three = try Split.classification(data, classes: [0, 1, 2], encoding: .oneHot,
                                             validationFraction: 0.1, testFraction: 0.2, seed: 3)
        XCTAssertEqual([three.train.count, three.validation.count, three.test.count], [1050, 150, 300])
        XCTAssertEqual(three.outputDimension, 3)
        XCTAssertTrue((0..<three.test.count).allSatisfy { three.test.target($0).sorted() == [0, 0, 1] })
        XCTAssertThrowsError(try Split.classification(data, classes: [3, 8, 9], encoding: .zeroOne,
                                                      validationFraction: 0.2, testFraction: 0, seed: 0))
        XCTAssertThrowsError(try Split.classification(data, classes: [3, 11], encoding: .zeroOne,
                                                      validationFraction: 0.2, testFraction: 0, seed: 0))
    }

    func testLabelNoiseIsASineOfTheRadius() {
        // Inputs (3, 4) and (0, 0.25): radii 5 and 0.25; k = 0.05 gives sin(π/2) = 1 and sin(π/40).
        let samples = Samples(inputs: [3, 4, 0, 0.25], targets: [-1, 0, 1, 0], inputDimension: 2, outputDimension: 2)
        let additive = LabelNoise(kind: .additive, amplitude: 0.5, frequency: 0.05).applied(to: samples)
        let small = 0.5 * sin(2 * Double.pi * 0.05 * 0.25)
        XCTAssertEqual(additive.targets[0], -0.5, accuracy: 1e-15)
        XCTAssertEqual(additive.targets[1], 0.5, accuracy: 1e-15)
        XCTAssertEqual(additive.targets[2], 1 + small, accuracy: 1e-15)
        XCTAssertEqual(additive.targets[3], small, accuracy: 1e-15)
        // Multiplicative: only the non-zero (true-class) entries change.
        let multiplicative = LabelNoise(kind: .multiplicative, amplitude: 0.5, frequency: 0.05).applied(to: samples)
        XCTAssertEqual(multiplicative.targets[0], -1.5, accuracy: 1e-15)
        XCTAssertEqual(multiplicative.targets[1], 0)
        XCTAssertEqual(multiplicative.targets[2], 1 + small, accuracy: 1e-15)
        XCTAssertEqual(multiplicative.targets[3], 0)
        XCTAssertEqual(multiplicative.inputs, samples.inputs)
    }

    func testAccuracyDecodesEachEncoding() {
        XCTAssertEqual(TargetEncoding.plusMinusOne.accuracy(prediction: [-0.2, 0.1, 3, -1], target: [-1, -1, 1, 1], outputDimension: 1), 0.5)
        XCTAssertEqual(TargetEncoding.zeroOne.accuracy(prediction: [0.4, 0.6], target: [0, 1], outputDimension: 1), 1)
        // Logits: the threshold is 0, not 0.5.
        XCTAssertEqual(TargetEncoding.zeroOne.accuracy(prediction: [0.4, -0.6], target: [0, 1], outputDimension: 1, logits: true), 0)
        XCTAssertEqual(TargetEncoding.oneHot.accuracy(prediction: [0.1, 0.7, 0.2, 0.9, 0.05, 0.05],
                                                      target: [0, 1, 0, 0, 0, 1], outputDimension: 3), 0.5)
        // A noisy one-hot target (true entry 1 + β sin) still decodes to its class.
        XCTAssertEqual(TargetEncoding.oneHot.decode([0, 0.3, 0][...]), 1)
        let split = Split(train: Samples(inputs: [0, 1, 2], targets: [0.5, -0.2, 0], inputDimension: 1),
                          validation: .empty(inputDimension: 1), test: .empty(inputDimension: 1))
        XCTAssertEqual(split.classifyingSign(as: .plusMinusOne).train.targets, [1, -1, -1])
        XCTAssertEqual(split.classifyingSign(as: .zeroOne).train.targets, [1, 0, 0])
    }
}
