import Foundation
import Numerics

/// When a long training saves its state: at the end of an epoch, once `interval` seconds have
/// passed since the start or the last checkpoint (0: after every epoch). One policy serves a
/// whole run (every grade, stage or network of a method).
public final class CheckpointPolicy: @unchecked Sendable {
    let interval: Double
    private var last: Double
    /// Checkpoints taken so far.
    public private(set) var saved = 0
    /// Test hook: after this many checkpoints the training stops as if the process had been
    /// killed there (`interrupted` is then true and the result is incomplete: never keep it).
    var interruptAfter: Int?
    public private(set) var interrupted = false

    public init(interval: Double) {
        precondition(interval >= 0, "CheckpointPolicy: negative interval")
        self.interval = interval
        last = monotonicSeconds()
    }

    var isDue: Bool { monotonicSeconds() - last >= interval }

    /// Records a checkpoint just saved; returns false when the training must stop (test hook).
    func didSave() -> Bool {
        saved += 1
        last = monotonicSeconds()
        if let interruptAfter, saved >= interruptAfter { interrupted = true }
        return !interrupted
    }
}

/// The state of a training loop (`Trainer`) after a whole number of epochs: the networks'
/// parameters, the optimizer state, the minibatch generator and order, the step count and what
/// was recorded. Continuing from it gives the same bits as never having stopped.
public struct TrainerCheckpoint: Codable, Sendable {
    /// Epochs done (the next one to run) and optimizer steps done.
    var epoch: Int
    var step: Int
    var rng: SeededGenerator
    var permutation: [Int]
    var losses: [Double]
    var snapshots: [TrainingSnapshot]
    /// The last step `observe` was called for (-1: none).
    var lastObserved: Int
    /// Per network: the parameters and the optimizer's buffers, as raw bytes of the precision trained.
    var parameters: [Data]
    var optimizerBuffers: [[Data]]
    /// Seconds of training before the checkpoint.
    var seconds: Double

    /// Optimizer steps done before the checkpoint.
    public var stepsDone: Int { step }
}

/// How one training loop checkpoints: when (`policy`), from which checkpoint it resumes (nil:
/// from the start), and what receives each new checkpoint.
public struct TrainerCheckpoints {
    let policy: CheckpointPolicy
    let resume: TrainerCheckpoint?
    let save: (TrainerCheckpoint) -> Void

    public init(policy: CheckpointPolicy, resume: TrainerCheckpoint?, save: @escaping (TrainerCheckpoint) -> Void) {
        self.policy = policy; self.resume = resume; self.save = save
    }
}

/// The state of `fit` between two epochs: the networks (grades, stages) already trained, and
/// the one in training.
public struct FitCheckpoint: Codable, Sendable {
    /// One finished grade or stage: its parameters (raw bytes) and what its training recorded.
    struct Finished: Codable, Sendable {
        var parameters: Data
        var losses: [Double]
        var seconds: Double
    }
    var finished: [Finished]
    var current: TrainerCheckpoint

    /// Optimizer steps done before the checkpoint, over the finished networks and the current one.
    public var stepsDone: Int { finished.reduce(current.stepsDone) { $0 + $1.losses.count } }
}

/// How `fit` checkpoints (see `TrainerCheckpoints`).
public struct FitCheckpoints {
    let policy: CheckpointPolicy
    let resume: FitCheckpoint?
    let save: (FitCheckpoint) -> Void

    public init(policy: CheckpointPolicy, resume: FitCheckpoint?, save: @escaping (FitCheckpoint) -> Void) {
        self.policy = policy; self.resume = resume; self.save = save
    }

    /// The checkpoints of network `index` (0-based grade or stage), trained after `finished`:
    /// it resumes when the checkpoint was taken during this network.
    func forNetwork(_ index: Int, finished: @escaping () -> [FitCheckpoint.Finished]) -> TrainerCheckpoints {
        let resumeHere = resume.flatMap { $0.finished.count == index ? $0.current : nil }
        return TrainerCheckpoints(policy: policy, resume: resumeHere) { [save] current in
            save(FitCheckpoint(finished: finished(), current: current))
        }
    }

    /// The finished networks to restore instead of training them again.
    var finished: [FitCheckpoint.Finished] { resume?.finished ?? [] }
}

extension AlignedBuffer {
    /// The raw bytes of the buffer's elements.
    var rawBytes: Data { Data(bytes: UnsafeRawPointer(pointer), count: count * MemoryLayout<T>.stride) }

    /// Overwrites the elements with `bytes` (from `rawBytes` of a buffer of the same size and type).
    func restore(_ bytes: Data) {
        precondition(bytes.count == count * MemoryLayout<T>.stride,
                     "checkpoint: \(bytes.count) bytes for \(count) values of \(MemoryLayout<T>.stride) bytes")
        guard count > 0 else { return }
        bytes.withUnsafeBytes { UnsafeMutableRawPointer(pointer).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}

extension Network {
    /// The parameters as raw bytes (`FitCheckpoint.Finished.parameters`).
    var parameterBytes: Data { parameters.rawBytes }
}
