import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The network's prediction on the snapshot inputs after `step` optimizer steps.
public struct TrainingSnapshot: Sendable, Codable {
    public let step: Int
    /// Row-major prediction on the snapshot inputs, in Double.
    public let prediction: [Double]

    public init(step: Int, prediction: [Double]) {
        self.step = step; self.prediction = prediction
    }
}

/// What a training run recorded.
public struct TrainingHistory: Sendable {
    /// Training loss at every optimizer step (on that step's batch, before the update), in Double.
    public let losses: [Double]
    public let snapshots: [TrainingSnapshot]
    /// Wall time of the training loop (snapshots included).
    public let seconds: Double

    public init(losses: [Double], snapshots: [TrainingSnapshot], seconds: Double) {
        self.losses = losses; self.snapshots = snapshots; self.seconds = seconds
    }
}

@inline(__always) func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Trains in place. Snapshots are taken at step 0 (before training) and every `snapshotEvery`
/// optimizer steps, and after the last step (also after an early stop). With `snapshotInputs`
/// nil they are taken on `x`; with `snapshotEvery` 0 only the first and last are taken, and
/// none at all if `snapshotInputs` is nil too.
/// `progress` is called after the first step, then at most every 250 ms, and after the last
/// step, with (step, totalSteps, loss); returning false stops training early.
///
/// Every call starts a fresh optimizer state (Adam moments or momentum zeroed, step count 0).
/// `Trainer` is the one training loop: it also trains a sum of networks (MscaleDNN).
/// Steps per epoch: 1 for full batch, ⌈n / batchSize⌉ for minibatches. The same network
/// parameters, data, spec and thread count (`BLASThreads.set`) give the same bits. With n > 1
/// threads, steps of at least n x 64 rows are data-parallel (see Learning/README.md).
///
/// `checkpoints` (see `TrainerCheckpoints`): resume from a checkpoint and save new ones at
/// epoch ends; a resumed run gives the same bits as an uninterrupted one (same thread count).
///
/// `observe`, when given, is called with the step number (and the network, between optimizer
/// steps) at every step where a snapshot is or would be taken: step 0, every `snapshotEvery`
/// steps, and the last step. With `observe` and no `snapshotInputs`, no predictions are kept.
public func train<T: RealScalar>(_ network: Network<T>, x: Matrix<T>, y: Matrix<T>, spec: TrainingSpec,
                                 snapshotEvery: Int = 0, snapshotInputs: Matrix<T>? = nil,
                                 observe: ((Int) -> Void)? = nil,
                                 progress: ((Int, Int, Double) -> Bool)? = nil,
                                 checkpoints: TrainerCheckpoints? = nil) -> TrainingHistory {
    let trainer = Trainer(networks: [network], inputs: [x], y: y, spec: spec)
    let wantsSnapshots = observe == nil && (snapshotEvery > 0 || snapshotInputs != nil)
    return trainer.run(snapshotEvery: snapshotEvery, snapshotInputs: wantsSnapshots ? (snapshotInputs ?? x) : snapshotInputs,
                       observe: observe, progress: progress, checkpoints: checkpoints)
}

/// An optimizer's state for one parameter vector and its update rule: the Adam/SGD choice is
/// made once, when the state is made (zeroed: step count 0, Adam's moments or SGD's momentum 0).
final class OptimizerState<T: RealScalar> {
    private enum Rule {
        case adam(beta1: Double, beta2: Double, epsilon: Double)
        case sgd(momentum: Double)
    }
    private let rule: Rule
    /// Adam: the moments m and v; SGD with momentum: the momentum buffer; plain SGD: none.
    let buffers: [AlignedBuffer<T>]

    init(_ optimizer: Optimizer, parameterCount: Int) {
        switch optimizer {
        case .adam(_, let b1, let b2, let eps):
            rule = .adam(beta1: b1, beta2: b2, epsilon: eps)
            buffers = [AlignedBuffer(count: parameterCount), AlignedBuffer(count: parameterCount)]
        case .sgd(_, let mu):
            rule = .sgd(momentum: mu)
            buffers = mu == 0 ? [] : [AlignedBuffer(count: parameterCount)]
        }
        for b in buffers { b.zero() }
    }

    /// Updates parameters [offset, offset + count) of `parameters` from the same range of `gradient`
    /// (`step` is the 1-based step number, for Adam's bias correction).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func update(_ parameters: UnsafeMutablePointer<T>, gradient: UnsafeMutablePointer<T>, offset: Int, count: Int,
                learningRate: Double, step: Int) {
        let p = parameters + offset, g = gradient + offset
        switch rule {
        case .adam(let b1, let b2, let eps):
            adamUpdate(p, grad: g, m: buffers[0].pointer + offset, v: buffers[1].pointer + offset, count: count,
                       learningRate: learningRate, beta1: b1, beta2: b2, epsilon: eps, step: step)
        case .sgd(let mu):
            sgdUpdate(p, grad: g, buffer: buffers.isEmpty ? g : buffers[0].pointer + offset, count: count,
                      learningRate: learningRate, momentum: mu)
        }
    }
}

/// One training run: the data, the batching and the optimizer loop, for one network or for
/// networks whose outputs are summed, each on its own inputs (MscaleDNN: Σᵢ netᵢ(xᵢ); the loss
/// is on the sum, so dL/d(outputᵢ) = dL/d(sum) for every i). Every network gets the same
/// chunking, data-parallel step, schedule and progress report. One network trains exactly as
/// before sums existed (no sum buffer: the same operations, the same bits).
final class Trainer<T: RealScalar> {
    let networks: [Network<T>]
    let inputs: [Matrix<T>]
    let y: Matrix<T>
    let spec: TrainingSpec
    let n: Int
    let batchRows: Int
    let minibatch: Bool
    let stepsPerEpoch: Int
    /// Test hook: called with the sample indices of every minibatch.
    var batchObserver: ((UnsafeBufferPointer<Int>) -> Void)?

    convenience init(network: Network<T>, x: Matrix<T>, y: Matrix<T>, spec: TrainingSpec) {
        self.init(networks: [network], inputs: [x], y: y, spec: spec)
    }

    init(networks: [Network<T>], inputs: [Matrix<T>], y: Matrix<T>, spec: TrainingSpec) {
        precondition(!networks.isEmpty && networks.count == inputs.count, "train: one input matrix per network")
        for (net, x) in zip(networks, inputs) {
            precondition(x.cols == net.inputWidth, "train: x has \(x.cols) columns, the network takes \(net.inputWidth)")
            precondition(y.cols == net.outputWidth, "train: y has \(y.cols) columns, the network gives \(net.outputWidth)")
            precondition(x.rows == y.rows, "train: x has \(x.rows) rows, y has \(y.rows)")
        }
        precondition(y.rows > 0, "train: no samples")
        self.networks = networks; self.inputs = inputs; self.y = y; self.spec = spec
        n = y.rows
        if let b = spec.batchSize, b < n {
            minibatch = true; batchRows = b; stepsPerEpoch = (n + b - 1) / b
        } else {
            minibatch = false; batchRows = n; stepsPerEpoch = 1
        }
    }

    /// Data-parallel step: a step of at least `workers x dataParallelMinRows` rows is split
    /// between the workers (see Learning/README.md); smaller steps run on the calling thread.
    /// Measured on W2b (256-row minibatches, 2 threads): 128 rows per worker is +25% over one
    /// worker on 2 BLAS threads; a threshold of 32 measured the same as 64.
    static var dataParallelMinRows: Int { 64 }

    /// Per network: its optimizer state (made by `run`).
    var optimizers: [OptimizerState<T>] = []
    /// Per worker, per network: the workspace and the gradient buffer the worker writes.
    var workspaces: [[Workspace<T>]] = []
    var gradients: [[UnsafeMutablePointer<T>]] = []
    /// Per worker (sums of several networks only): the summed output of a chunk.
    var sums: [AlignedBuffer<T>] = []

    // State of the current data-parallel step (read by the workers).
    var team: WorkerTeam?
    var stepInputs: [UnsafePointer<T>] = []
    var stepY: UnsafePointer<T>?
    var stepRows = 0
    var stepLearningRate = 0.0
    var stepNumber = 0
    var workerLosses: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)

    /// Trains. `snapshotInputs` (one network only) are predicted at every observed step.
    /// With `checkpoints`, continues from `checkpoints.resume` (when given) and hands a
    /// `TrainerCheckpoint` to `checkpoints.save` at the end of every epoch (but the last) at which
    /// the policy says one is due.
    func run(snapshotEvery: Int, snapshotInputs: Matrix<T>?, observe: ((Int) -> Void)? = nil,
             progress: ((Int, Int, Double) -> Bool)?, checkpoints: TrainerCheckpoints? = nil) -> TrainingHistory {
        precondition(snapshotInputs == nil || networks.count == 1, "train: snapshots of a sum of networks are taken by `observe`")
        let totalSteps = spec.epochs * stepsPerEpoch
        let threads = max(BLASThreads.current, 1)
        let workers = threads > 1 && batchRows >= threads * Self.dataParallelMinRows ? threads : 1
        let trainingChunk = networks.map(\.trainingChunk).min()!
        let chunkRows: Int
        if workers > 1 {
            // Data-parallel: each worker runs its share of the rows in chunks of at most
            // `trainingChunk` rows (the 1-thread optimum) on single-threaded BLAS.
            chunkRows = min((batchRows + workers - 1) / workers, trainingChunk)
        } else {
            // With n > 1 BLAS threads the chunk is 4n x `trainingChunk` rows: bigger products split
            // better across threads (measured on 2 threads: W2 +7%, W3 +3% over 2 x 1024 rows), while
            // on one thread 1024 rows is best (W3: 512 ≈ 1024 > 2048 > unchunked).
            chunkRows = min(batchRows, threads == 1 ? trainingChunk : 4 * threads * trainingChunk)
        }
        workspaces = [networks.map { $0.workspace(rows: chunkRows) }]
        gradients = [networks.map { $0.gradients.pointer }]
        for k in 1..<max(workers, 1) {
            let buffers = networks.map { $0.workerBuffers(k, rows: chunkRows) }
            workspaces.append(buffers.map(\.0)); gradients.append(buffers.map(\.1.pointer))
        }
        if networks.count > 1 { sums = (0..<workers).map { _ in AlignedBuffer<T>(count: chunkRows * y.cols) } }
        // Minibatch copies of the inputs and targets (kept in the first workspace, reused across runs).
        let ws0 = workspaces[0]
        if minibatch {
            for (i, net) in networks.enumerated() where (ws0[i].batchInputs?.count ?? 0) < batchRows * net.inputWidth {
                ws0[i].batchInputs = AlignedBuffer(count: batchRows * net.inputWidth)
            }
            if (ws0[0].batchTargets?.count ?? 0) < batchRows * y.cols { ws0[0].batchTargets = AlignedBuffer(count: batchRows * y.cols) }
        }
        if workers > 1 {
            workerLosses = .allocate(capacity: workers)
            BLASThreads.beginSingleThreaded()
            team = WorkerTeam(size: workers, job: self)
        }
        defer {
            if let team {
                team.shutDown()
                self.team = nil
                BLASThreads.endSingleThreaded()
                workerLosses.deallocate()
            }
            workspaces = []; gradients = []; sums = []
        }
        optimizers = networks.map { OptimizerState(spec.optimizer, parameterCount: $0.parameterCount) }

        var losses: [Double] = []
        losses.reserveCapacity(totalSteps)
        var snapshots: [TrainingSnapshot] = []
        var lastObserved = -1
        func snapshot(_ step: Int) {
            lastObserved = step
            observe?(step)
            guard let snapshotInputs else { return }
            snapshots.append(TrainingSnapshot(step: step, prediction: doubles(networks[0].predict(snapshotInputs).values)))
        }
        let observing = snapshotInputs != nil || observe != nil
        var rng = SeededGenerator(seed: spec.seed)
        let permutation = UnsafeMutableBufferPointer<Int>.allocate(capacity: minibatch ? n : 0)
        defer { permutation.deallocate() }
        for i in 0..<permutation.count { permutation[i] = i }

        let t0 = monotonicSeconds()
        var lastReport = t0
        var step = 0, firstEpoch = 0, secondsBefore = 0.0
        if let resume = checkpoints?.resume {
            precondition(resume.parameters.count == networks.count && resume.optimizerBuffers.count == networks.count
                         && resume.permutation.count == permutation.count, "train: the checkpoint is of another training")
            for (i, net) in networks.enumerated() {
                net.parameters.restore(resume.parameters[i])
                precondition(resume.optimizerBuffers[i].count == optimizers[i].buffers.count, "train: the checkpoint is of another optimizer")
                for (buffer, bytes) in zip(optimizers[i].buffers, resume.optimizerBuffers[i]) { buffer.restore(bytes) }
            }
            for i in 0..<permutation.count { permutation[i] = resume.permutation[i] }
            rng = resume.rng; losses = resume.losses; snapshots = resume.snapshots; lastObserved = resume.lastObserved
            step = resume.step; firstEpoch = resume.epoch; secondsBefore = resume.seconds
        } else {
            snapshot(0)
        }
        var interrupted = false
        let base = spec.optimizer.learningRate
        withRowPointers(inputs + [y]) { pointers in
            let xs = Array(pointers.dropLast()), yb = pointers.last!
            // A step reads its rows from `stepInputs` and `stepY`: the data, or the minibatch copies.
            stepInputs = minibatch ? ws0.map { UnsafePointer($0.batchInputs!.pointer) } : xs
            stepY = minibatch ? UnsafePointer(ws0[0].batchTargets!.pointer) : yb
            outer: for epoch in firstEpoch..<max(firstEpoch, spec.epochs) {
                let lr = spec.schedule.learningRate(epoch: epoch, epochs: spec.epochs, base: base)
                if minibatch { rng.shuffle(permutation) }
                for b in 0..<stepsPerEpoch {
                    let start = b * batchRows
                    let rows = min(batchRows, n - start)
                    if minibatch {
                        let indices = permutation.baseAddress! + start
                        for (i, net) in networks.enumerated() {
                            gatherRows(xs[i], cols: net.inputWidth, indices: indices, count: rows,
                                       into: ws0[i].batchInputs!.pointer)
                        }
                        gatherRows(yb, cols: y.cols, indices: indices, count: rows, into: ws0[0].batchTargets!.pointer)
                        batchObserver?(UnsafeBufferPointer(start: indices, count: rows))
                    }
                    step += 1
                    let loss: Double
                    stepRows = rows; stepLearningRate = lr; stepNumber = step
                    if let team, rows >= team.size * Self.dataParallelMinRows {
                        team.perform(phase: 0)   // forward and backward, each worker on its rows
                        team.perform(phase: 1)   // gradient sum and update, each on its slice
                        loss = (0..<team.size).reduce(0.0) { $0 + workerLosses[$1] }
                    } else {
                        loss = backpropagate(worker: 0, of: 1)
                        for i in networks.indices { update(network: i, worker: 0, of: 1) }
                    }
                    losses.append(loss)
                    if snapshotEvery > 0 && step % snapshotEvery == 0 && step != totalSteps { snapshot(step) }
                    if let progress {
                        let now = monotonicSeconds()
                        if step == 1 || now - lastReport >= 0.25 || step == totalSteps {
                            lastReport = now
                            if !progress(step, totalSteps, loss) { break outer }
                        }
                    }
                }
                if let checkpoints, epoch + 1 < spec.epochs, checkpoints.policy.isDue {
                    checkpoints.save(TrainerCheckpoint(
                        epoch: epoch + 1, step: step, rng: rng, permutation: Array(permutation), losses: losses,
                        snapshots: snapshots, lastObserved: lastObserved, parameters: networks.map(\.parameterBytes),
                        optimizerBuffers: optimizers.map { $0.buffers.map(\.rawBytes) },
                        seconds: secondsBefore + monotonicSeconds() - t0))
                    if !checkpoints.policy.didSave() { interrupted = true; break outer }
                }
            }
        }
        stepInputs = []; stepY = nil
        if observing && lastObserved != step && !interrupted { snapshot(step) }
        return TrainingHistory(losses: losses, snapshots: snapshots, seconds: secondsBefore + monotonicSeconds() - t0)
    }

    /// Worker `k`'s share (of `workers`) of the current step's forward, loss gradient and backward:
    /// rows [rows·k/n, rows·(k+1)/n), in chunks of the workspaces' capacity, dL/dθ into the worker's
    /// gradient buffers (accumulated after the first chunk). Returns the worker's share of the loss.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backpropagate(worker k: Int, of workers: Int) -> Double {
        let rows = stepRows, y = stepY!, outW = self.y.cols
        let ws = workspaces[k], grads = gradients[k]
        let end = rows * (k + 1) / workers
        var start = rows * k / workers
        let first = start
        var loss = 0.0
        while start < end {
            let m = min(ws[0].capacity, end - start)
            let target = y + start * outW
            if networks.count == 1 {
                let net = networks[0], last = net.layers.count - 1
                let x = stepInputs[0] + start * net.inputWidth
                net.forward(ws[0], input: x, rows: m, through: last)
                loss += lossAndGradient(ws[0].outputs[last].pointer, target, count: m * outW, of: rows * outW,
                                        loss: spec.loss, grad: ws[0].gradA.pointer)
                net.backward(ws[0], input: x, rows: m, accumulate: start > first, into: grads[0])
            } else {
                let sum = sums[k].pointer, count = m * outW
                sum.update(repeating: 0, count: count)
                for (i, net) in networks.enumerated() {
                    let last = net.layers.count - 1
                    net.forward(ws[i], input: stepInputs[i] + start * net.inputWidth, rows: m, through: last)
                    addElements(ws[i].outputs[last].pointer, into: sum, count: count)
                }
                loss += lossAndGradient(sum, target, count: count, of: rows * outW, loss: spec.loss, grad: ws[0].gradA.pointer)
                for i in networks.indices.dropFirst() { ws[i].gradA.pointer.update(from: ws[0].gradA.pointer, count: count) }
                for (i, net) in networks.enumerated() {
                    net.backward(ws[i], input: stepInputs[i] + start * net.inputWidth, rows: m, accumulate: start > first,
                                 into: grads[i])
                }
            }
            start += m
        }
        return loss
    }

    /// Worker `k`'s slice (of `workers`) of network `i`'s update: the workers' gradients summed
    /// there in worker order (g₀ + g₁ + ...) into the network's `gradients`, then the optimizer
    /// update of the slice. Slices start on 16-element (64-byte) boundaries: no two workers share
    /// a cache line.
    func update(network i: Int, worker k: Int, of workers: Int) {
        let net = networks[i], count = net.parameterCount
        func bound(_ j: Int) -> Int { j == workers ? count : min(count, (count * j / workers) & ~15) }
        let lo = bound(k), hi = bound(k + 1)
        if hi <= lo { return }
        let g = gradients[0][i]
        for j in 1..<workers { addElements(gradients[j][i] + lo, into: g + lo, count: hi - lo) }
        optimizers[i].update(net.parameters.pointer, gradient: g, offset: lo, count: hi - lo,
                             learningRate: stepLearningRate, step: stepNumber)
        if let c = spec.weightClip { net.clipWeights(in: lo..<hi, to: T(c)) }
    }
}

extension Trainer: TeamJob {
    /// Phase 0: `backpropagate` on the worker's rows (its loss share into `workerLosses[k]`).
    /// Phase 1 (after a barrier): `update` of the worker's slice of every network (and its weight
    /// clipping, `TrainingSpec.weightClip`, of the same slice).
    func run(worker: Int, phase: Int) {
        let workers = workspaces.count
        if phase == 0 {
            workerLosses[worker] = backpropagate(worker: worker, of: workers)
        } else {
            for i in networks.indices { update(network: i, worker: worker, of: workers) }
        }
    }
}

/// Calls `body` with a pointer to the row-major values of each matrix (valid during the call).
func withRowPointers<T: RealScalar, R>(_ matrices: [Matrix<T>], _ body: ([UnsafePointer<T>]) -> R) -> R {
    func nest(_ i: Int, _ pointers: [UnsafePointer<T>]) -> R {
        if i == matrices.count { return body(pointers) }
        return matrices[i].withUnsafeBufferPointer { nest(i + 1, pointers + [$0.baseAddress!]) }
    }
    return nest(0, [])
}
