import Foundation
import Yams

/// A declared figure: which recipe draws it, from which runs, with what caption.
public struct FigureSpec: Sendable, Equatable, Codable {
    public var name: String
    public var kind: FigureKind
    public var runs: [String]
    public var caption: String
    /// For `fit`: the iterations to show (nearest recorded snapshots); empty = 4 evenly spaced.
    public var at: [Int]
    /// The file line of the `run:` key, for messages.
    public var line: Int
    /// Axis ranges, log axes, labels and the series on top, as the report asks (see `FigureOptions`).
    public var options = FigureOptions()
    /// For `curves`: what is plotted (nil: the loss).
    public var metric: CurveMetric?

    /// Why a figure of `kind` cannot be drawn from `run`, or nil when it can.
    static func cannotDraw(_ kind: FigureKind, metric: CurveMetric? = nil, from run: ExperimentSpec) -> String? {
        let isSines = run.task.kind == .sumOfSines && !run.task.frequencies.isEmpty
        let recordsTraining = run.method == .mlp || run.train.recordSnapshots == true
        switch kind {
        case .spectralEvolution:
            if !isSines { return "run '\(run.name)' has a \(run.task.kind) target; the heatmap shows the amplitudes at the frequencies of a sum_of_sines target" }
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record it"
            }
        case .layerNorms:
            if run.method != .mlp || run.train.recordNorms != true {
                return "run '\(run.name)' does not record layer norms; write train.record_norms: true (method mlp)"
            }
        case .reconstruction:
            if run.task.kind != .image { return "run '\(run.name)' has a \(run.task.kind) target, not an image" }
            if run.method == .mlp { return "run '\(run.name)' is an mlp; reconstructions are drawn from methods with grades (sgdl, mgdl, ...)" }
        case .gradeSpectra:
            if run.method == .mlp { return "run '\(run.name)' is an mlp, which has no grades; use method sgdl for one network" }
            if run.task.kind == .image { return "run '\(run.name)' is an image task; grade spectra are 1-D" }
        case .fit:
            if run.task.kind == .image { return "run '\(run.name)' is an image task; use a reconstruction figure" }
        case .curves:
            if !recordsTraining {
                return "run '\(run.name)' (method \(run.method)) records nothing during training; write train.record_every to record its curves"
            }
            if metric == .psnr && run.task.kind != .image { return "run '\(run.name)' is not an image task; its metric is rse" }
            if metric == .rse && run.task.kind == .image { return "run '\(run.name)' is an image task; its metric is psnr" }
        case .loss, .validationLoss:
            break
        }
        return nil
    }

    static func read(_ node: Node, name: String, reader: SpecReader) -> FigureSpec? {
        guard let map = MappingReader(node, keyPath: name, reader: reader) else { return nil }
        map.checkKeys(SpecSchema.keys("figure"))
        let kind: FigureKind? = map.choice("kind")
        let runs = map.runNames()
        let caption = map.string("caption", default: "") ?? ""
        var at: [Int] = []
        if let a = map["at"] { at = readIntList(a, map.path("at"), minimum: 0, reader: reader) ?? [] }
        let options = FigureOptions.read(map)
        var metric: CurveMetric?
        if map["metric"] != nil, let m: CurveMetric = map.choice("metric") {
            metric = m
            if kind != .curves { reader.report(map["metric"], map.path("metric"), "'metric' applies to a curves figure") }
        }
        guard let kind, !runs.isEmpty else { return nil }
        return FigureSpec(name: name, kind: kind, runs: runs, caption: caption, at: at,
                          line: reader.lineOffset + (map["run"]?.mark?.line ?? 1), options: options, metric: metric)
    }
}

/// What a `curves` figure plots over training.
public enum CurveMetric: String, Sendable, Codable, CaseIterable {
    /// Training loss at every step, validation and test loss (MSE) at the recorded steps.
    case loss
    /// Relative squared error on the training, validation and test sets.
    case rse
    /// PSNR (dB) on the training and test pixels (image tasks).
    case psnr
}
