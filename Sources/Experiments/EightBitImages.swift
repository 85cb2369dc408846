import Foundation
import Learning
import Tasks

/// The image panels of an image run as a `reconstruction` figure draws them: 8 bits per
/// channel. A whole 512 × 512 prediction is 786,432 doubles (about 3 MB compressed, each run, in
/// the committed results store); the figure shows each pixel at one of 256 levels, so `freeze`
/// keeps, of a run that only reconstruction figures read (`ResultPart.images`), exactly those
/// levels (about 0.3–0.5 MB a photo), and the target not at all: it is the declared image,
/// decoded again from the report's data when the entry is read (`RunResult.restoringImages`).
///
/// The figure quantises in every build, frozen or not (`level`, the rounding of the raster it
/// draws: `UInt8(clamped · 255 + 0.5)`), and computes the PSNR in its titles from the quantised
/// panels, so a page drawn from the frozen entry is byte-identical to the page of the run as
/// trained. The tables and claims read the run's scalars (train and test PSNR over the float
/// predictions), which are kept exactly.
///
/// Stored per grade: the clamped sum of grades 1 … g (what the figure's g-th panel draws); per
/// kept prediction: the clamped prediction. Each image is coded row by row, channel by channel,
/// as the difference to the pixel on its left (the first pixel of a row as it is), which halves
/// what xz keeps of a photo's levels (measured on *Astronaut* 512 × 512: 0.52 MB of raw levels,
/// 0.43 MB of differences, PNG 0.42 MB).
public struct EightBitImages: Codable, Sendable, Equatable {
    /// Per grade: the levels of the clamped sum of grades 1 … g, left-difference coded.
    public var grades: [[Int]]
    /// Per kept prediction (`RunResult.snapshots`, same order): its clamped levels, left-difference coded.
    public var snapshots: [[Int]]

    /// The 8-bit level a figure draws `value` at: clamped to [0, 1], rounded half up.
    @inline(__always) public static func level(_ value: Double) -> Int {
        guard value.isFinite else { return 0 }
        return Int(min(1, max(0, value)) * 255 + 0.5)
    }

    /// `values` as a figure draws them: each at its 8-bit level, as a fraction of 255.
    public static func quantised(_ values: [Double]) -> [Double] {
        values.map { Double(level($0)) / 255 }
    }

    /// Left-difference coding of an image's levels (`width` pixels of `channels` per row).
    static func encode(_ levels: [Int], width: Int, channels: Int) -> [Int] {
        let row = width * channels
        guard row > 0 else { return levels }
        var coded = levels
        for i in levels.indices where i % row >= channels { coded[i] = levels[i] - levels[i - channels] }
        return coded
    }

    static func decode(_ coded: [Int], width: Int, channels: Int) -> [Int] {
        let row = width * channels
        guard row > 0 else { return coded }
        var levels = coded
        for i in coded.indices where i % row >= channels { levels[i] = coded[i] + levels[i - channels] }
        return levels
    }

    /// The 8-bit panels of `result` (an image run), or nil when it has no image or no grade outputs.
    init?(_ result: RunResult) {
        guard let shape = result.image, let grades = result.grades, grades.allSatisfy({ !$0.output.isEmpty }) else { return nil }
        var sum = [Double](repeating: 0, count: grades.first?.output.count ?? 0)
        self.grades = grades.map { grade in
            for i in sum.indices { sum[i] += grade.output[i] }
            return Self.encode(sum.map(Self.level), width: shape.width, channels: shape.channels)
        }
        self.snapshots = result.snapshots.map { Self.encode($0.prediction.map(Self.level), width: shape.width, channels: shape.channels) }
    }
}

extension RunResult {
    /// The result with its grade outputs and kept predictions replaced by their 8-bit panels
    /// (`EightBitImages`) and its target left out (the declared image), when it is an image run;
    /// nil otherwise.
    func keepingEightBitImages() -> RunResult? {
        guard let images = EightBitImages(self) else { return nil }
        var copy = self
        copy.eightBitImages = images
        copy.grades = grades?.map { g in
            GradeResult(index: g.index, losses: g.losses, seconds: g.seconds, trainRSE: g.trainRSE, validationRSE: g.validationRSE,
                        testRSE: g.testRSE, output: [], parameterCount: g.parameterCount)
        }
        copy.snapshots = snapshots.map { Snapshot(step: $0.step, prediction: []) }
        copy.inputs = []
        copy.target = []
        return copy
    }

    /// A result frozen with 8-bit panels (`eightBitImages`) made whole for the figures: each
    /// grade's output the difference of two consecutive drawn sums (so the figure's running sum
    /// draws each panel at its level), each kept prediction its drawn levels, and the target the
    /// declared image of `spec`, decoded again. A result without them is returned as it is; one
    /// whose image cannot be decoded keeps an empty target (its figure then fails by name).
    public func restoringImages(spec: ExperimentSpec) -> RunResult {
        guard let images = eightBitImages, let shape = image else { return self }
        var copy = self
        let decode = { (coded: [Int]) in EightBitImages.decode(coded, width: shape.width, channels: shape.channels).map { Double($0) / 255 } }
        if var grades = copy.grades, grades.count == images.grades.count {
            var previous = [Double](repeating: 0, count: shape.width * shape.height * shape.channels)
            for (g, grade) in grades.enumerated() {
                let drawn = decode(images.grades[g])
                grades[g] = GradeResult(index: grade.index, losses: grade.losses, seconds: grade.seconds, trainRSE: grade.trainRSE,
                                        validationRSE: grade.validationRSE, testRSE: grade.testRSE,
                                        output: zip(drawn, previous).map { $0 - $1 }, parameterCount: grade.parameterCount)
                previous = drawn
            }
            copy.grades = grades
        }
        if copy.snapshots.count == images.snapshots.count {
            for s in copy.snapshots.indices { copy.snapshots[s].prediction = decode(images.snapshots[s]) }
        }
        if copy.target.isEmpty, let task = try? ImageTask.declared(by: spec) { copy.target = task.image.pixels }
        copy.eightBitImages = nil
        return copy
    }
}

extension ImageTask {
    /// The image an image-task declaration trains on: the sinusoid, the drawn text or the photo
    /// (cropped to a square, resized to `task.size`), as a run builds it.
    static func declared(by spec: ExperimentSpec) throws -> ImageTask {
        let size = spec.task.size.map { (width: $0, height: $0) }
        if let angle = spec.task.sinusoidAngle, let frequency = spec.task.sinusoidFrequency, let side = spec.task.size {
            return try ImageTask.sinusoid(SinusoidImage(angle: angle, frequency: frequency), size: side, as: spec.task.colour ?? .rgb)
        } else if let seed = spec.task.textSeed {
            return try ImageTask.text(seed: seed, as: spec.task.colour ?? .rgb, resizeTo: size)
        }
        return try ImageTask.load(contentsOf: spec.resolve(spec.task.file ?? ""), as: spec.task.colour ?? .rgb, cropToSquare: true, resizeTo: size)
    }
}
