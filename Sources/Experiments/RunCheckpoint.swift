import Foundation
import Learning

/// Where a run keeps its checkpoint and how often it writes it (see `Runner.run`).
public struct RunCheckpointing {
    /// The checkpoint file (in the run store's temporary area: `RunStore.checkpointFile(forKey:)`).
    public let file: URL
    public let policy: CheckpointPolicy

    public init(file: URL, policy: CheckpointPolicy) {
        self.file = file; self.policy = policy
    }

    /// A checkpoint every `interval` seconds of training (0: after every epoch).
    public init(file: URL, interval: Double) {
        self.init(file: file, policy: CheckpointPolicy(interval: interval))
    }
}

/// What a run saves to continue after a kill: the training's state (one network for `mlp`, the
/// method's for the others) and what the runner had recorded so far.
struct RunCheckpoint: Codable {
    /// What the runner records while the networks train (`train.record_every`).
    struct Records: Codable {
        var spectra: [RunResult.SpectrumSnapshot] = []
        var kept: [RunResult.Snapshot] = []
        var norms: [RunResult.LayerNormSnapshot] = []
        var curves: [RunResult.CurvePoint] = []
        var validationCurve: [Learning.CurvePoint] = []
    }

    /// Format of the file; a checkpoint of another format is ignored (the run starts over).
    var format = 1
    var network: TrainerCheckpoint?
    var fit: FitCheckpoint?
    var records: Records

    /// Optimizer steps the run had done when the checkpoint was written.
    var stepsDone: Int { network?.stepsDone ?? fit?.stepsDone ?? 0 }

    /// The checkpoint in `file`, or nil when there is none or it cannot be read.
    static func read(_ file: URL) -> RunCheckpoint? {
        (try? Data(contentsOf: file)).flatMap(decode)
    }

    /// The checkpoint in `data`, or nil when it does not decode or is of another format.
    static func decode(_ data: Data) -> RunCheckpoint? {
        guard let checkpoint = try? RunStore.decoder().decode(RunCheckpoint.self, from: data), checkpoint.format == 1 else { return nil }
        return checkpoint
    }

    /// Writes the checkpoint atomically (a temporary file renamed over the previous one), so a
    /// kill at any instant leaves the previous checkpoint or this one. A checkpoint that cannot be
    /// written is skipped: the run goes on (and a kill loses more of it).
    func write(to file: URL) {
        guard let data = try? RunStore.encoder().encode(self) else { return }
        let partial = file.appendingPathExtension("partial")
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: partial)
            if rename(partial.path, file.path) != 0 { try? FileManager.default.removeItem(at: partial) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
        }
    }
}
