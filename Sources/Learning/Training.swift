import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The network's prediction on the snapshot inputs after `step` optimizer steps.
public struct TrainingSnapshot: Sendable {
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
/// Steps per epoch: 1 for full batch, ⌈n / batchSize⌉ for minibatches. The same network
/// parameters, data, spec and thread count (`BLASThreads.set`) give the same bits. With n > 1
/// threads, steps of at least n x 64 rows are data-parallel (see Learning/README.md).
///
/// `observe`, when given, is called with the step number (and the network, between optimizer
/// steps) at every step where a snapshot is or would be taken: step 0, every `snapshotEvery`
/// steps, and the last step. With `observe` and no `snapshotInputs`, no predictions are kept.
public func train<T: RealScalar>(_ network: Network<T>, x: Matrix<T>, y: Matrix<T>, spec: TrainingSpec,
                                 snapshotEvery: Int = 0, snapshotInputs: Matrix<T>? = nil,
                                 observe: ((Int) -> Void)? = nil,
                                 progress: ((Int, Int, Double) -> Bool)? = nil) -> TrainingHistory {
    let trainer = Trainer(network: network, x: x, y: y, spec: spec)
    let wantsSnapshots = observe == nil && (snapshotEvery > 0 || snapshotInputs != nil)
    return trainer.run(snapshotEvery: snapshotEvery, snapshotInputs: wantsSnapshots ? (snapshotInputs ?? x) : snapshotInputs,
                       observe: observe, progress: progress)
}

/// One training run: the data, the batching and the optimizer loop.
final class Trainer<T: RealScalar> {
    let network: Network<T>
    let x: Matrix<T>
    let y: Matrix<T>
    let spec: TrainingSpec
    let n: Int
    let batchRows: Int
    let minibatch: Bool
    let stepsPerEpoch: Int
    /// Test hook: called with the sample indices of every minibatch.
    var batchObserver: ((UnsafeBufferPointer<Int>) -> Void)?

    init(network: Network<T>, x: Matrix<T>, y: Matrix<T>, spec: TrainingSpec) {
        precondition(x.cols == network.inputWidth,
                     "train: x has \(x.cols) columns, the network takes \(network.inputWidth)")
        precondition(y.cols == network.outputWidth,
                     "train: y has \(y.cols) columns, the network gives \(network.outputWidth)")
        precondition(x.rows == y.rows, "train: x has \(x.rows) rows, y has \(y.rows)")
        precondition(x.rows > 0, "train: no samples")
        self.network = network; self.x = x; self.y = y; self.spec = spec
        n = x.rows
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

    // State of the current data-parallel step (read by the workers).
    var team: WorkerTeam?
    var stepX: UnsafePointer<T>?
    var stepY: UnsafePointer<T>?
    var stepRows = 0
    var stepLearningRate = 0.0
    var stepNumber = 0
    var workerWorkspaces: [Workspace<T>] = []
    var workerGradients: [UnsafeMutablePointer<T>] = []
    var workerLosses: UnsafeMutableBufferPointer<Double> = .init(start: nil, count: 0)

    func run(snapshotEvery: Int, snapshotInputs: Matrix<T>?, observe: ((Int) -> Void)? = nil,
             progress: ((Int, Int, Double) -> Bool)?) -> TrainingHistory {
        let net = network
        let totalSteps = spec.epochs * stepsPerEpoch
        let threads = max(BLASThreads.current, 1)
        let workers = threads > 1 && batchRows >= threads * Self.dataParallelMinRows ? threads : 1
        let chunkRows: Int
        if workers > 1 {
            // Data-parallel: each worker runs its share of the rows in chunks of at most
            // `trainingChunk` rows (the 1-thread optimum) on single-threaded BLAS.
            chunkRows = min((batchRows + workers - 1) / workers, net.trainingChunk)
        } else {
            // With n > 1 BLAS threads the chunk is 4n x `trainingChunk` rows: bigger products split
            // better across threads (measured on 2 threads: W2 +7%, W3 +3% over 2 x 1024 rows), while
            // on one thread 1024 rows is best (W3: 512 ≈ 1024 > 2048 > unchunked).
            chunkRows = min(batchRows, threads == 1 ? net.trainingChunk : 4 * threads * net.trainingChunk)
        }
        let ws = net.workspace(rows: chunkRows)
        let inW = net.inputWidth, outW = net.outputWidth
        if minibatch {
            if (ws.batchInputs?.count ?? 0) < batchRows * inW { ws.batchInputs = AlignedBuffer(count: batchRows * inW) }
            if (ws.batchTargets?.count ?? 0) < batchRows * outW { ws.batchTargets = AlignedBuffer(count: batchRows * outW) }
        }
        if workers > 1 {
            workerWorkspaces = [ws]
            workerGradients = [net.gradients.pointer]
            for k in 1..<workers {
                let (w, g) = net.workerBuffers(k, rows: chunkRows)
                workerWorkspaces.append(w); workerGradients.append(g.pointer)
            }
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
                workerWorkspaces = []; workerGradients = []
            }
        }
        // Optimizer state, made once per network and zeroed per run.
        let stateCount: Int
        switch spec.optimizer {
        case .adam: stateCount = 2
        case .sgd(_, let mu): stateCount = mu == 0 ? 0 : 1
        }
        while net.optimizerState.count < stateCount { net.optimizerState.append(AlignedBuffer(count: net.parameterCount)) }
        for s in net.optimizerState { s.zero() }

        var losses: [Double] = []
        losses.reserveCapacity(totalSteps)
        var snapshots: [TrainingSnapshot] = []
        var lastObserved = -1
        func snapshot(_ step: Int) {
            lastObserved = step
            observe?(step)
            guard let snapshotInputs else { return }
            snapshots.append(TrainingSnapshot(step: step, prediction: doubles(net.predict(snapshotInputs).values)))
        }
        let observing = snapshotInputs != nil || observe != nil
        var rng = SeededGenerator(seed: spec.seed)
        let permutation = UnsafeMutableBufferPointer<Int>.allocate(capacity: minibatch ? n : 0)
        defer { permutation.deallocate() }
        for i in 0..<permutation.count { permutation[i] = i }

        let t0 = monotonicSeconds()
        var lastReport = t0
        snapshot(0)
        var step = 0
        let base = spec.optimizer.learningRate
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                outer: for epoch in 0..<spec.epochs {
                    let lr = spec.schedule.learningRate(epoch: epoch, epochs: spec.epochs, base: base)
                    if minibatch { rng.shuffle(permutation) }
                    for b in 0..<stepsPerEpoch {
                        let start = b * batchRows
                        let rows = min(batchRows, n - start)
                        let xp: UnsafePointer<T>, yp: UnsafePointer<T>
                        if minibatch {
                            let bx = ws.batchInputs!.pointer, by = ws.batchTargets!.pointer
                            gatherRows(xb.baseAddress!, cols: inW, indices: permutation.baseAddress! + start,
                                       count: rows, into: bx)
                            gatherRows(yb.baseAddress!, cols: outW, indices: permutation.baseAddress! + start,
                                       count: rows, into: by)
                            xp = UnsafePointer(bx); yp = UnsafePointer(by)
                            batchObserver?(UnsafeBufferPointer(start: permutation.baseAddress! + start, count: rows))
                        } else {
                            xp = xb.baseAddress!; yp = yb.baseAddress!
                        }
                        step += 1
                        let loss: Double
                        if let team, rows >= team.size * Self.dataParallelMinRows {
                            stepX = xp; stepY = yp; stepRows = rows; stepLearningRate = lr; stepNumber = step
                            team.perform(phase: 0)   // forward and backward, each worker on its rows
                            team.perform(phase: 1)   // gradient sum and update, each on its slice
                            loss = (0..<team.size).reduce(0.0) { $0 + workerLosses[$1] }
                        } else {
                            loss = trainingStep(ws: ws, x: xp, y: yp, rows: rows, learningRate: lr, step: step)
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
                }
            }
        }
        if observing && lastObserved != step { snapshot(step) }
        return TrainingHistory(losses: losses, snapshots: snapshots, seconds: monotonicSeconds() - t0)
    }

    /// Forward, loss, backward and optimizer update on one batch; returns the loss before the update.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func trainingStep(ws: Workspace<T>, x: UnsafePointer<T>, y: UnsafePointer<T>, rows: Int,
                      learningRate: Double, step: Int) -> Double {
        let net = network
        let last = net.layers.count - 1
        let inW = net.inputWidth, outW = net.outputWidth
        var loss = 0.0
        var start = 0
        while start < rows {
            let n = min(ws.capacity, rows - start)
            net.forward(ws, input: x + start * inW, rows: n, through: last)
            loss += lossAndGradient(ws.outputs[last].pointer, y + start * outW, count: n * outW, of: rows * outW,
                                    loss: spec.loss, grad: ws.gradA.pointer)
            net.backward(ws, input: x + start * inW, rows: n, accumulate: start > 0)
            start += n
        }
        let p = net.parameters.pointer, g = net.gradients.pointer, count = net.parameterCount
        switch spec.optimizer {
        case .adam(_, let b1, let b2, let eps):
            adamUpdate(p, grad: g, m: net.optimizerState[0].pointer, v: net.optimizerState[1].pointer,
                       count: count, learningRate: learningRate, beta1: b1, beta2: b2, epsilon: eps, step: step)
        case .sgd(_, let mu):
            sgdUpdate(p, grad: g, buffer: mu == 0 ? g : net.optimizerState[0].pointer, count: count,
                      learningRate: learningRate, momentum: mu)
        }
        return loss
    }

    /// One worker's part of a data-parallel step. Phase 0: forward, loss gradient and backward
    /// on rows [rows·k/n, rows·(k+1)/n) into the worker's own gradient buffer (its share of the
    /// loss into `workerLosses[k]`). Phase 1 (after a barrier): on the worker's slice of the
    /// parameter vector, gradients summed in worker order (g₀ + g₁ + ...) into `gradients`, then
    /// the optimizer update of that slice.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func workerPhase(worker k: Int, phase: Int) {
        let net = network
        let n = workerWorkspaces.count
        if phase == 0 {
            let last = net.layers.count - 1
            let inW = net.inputWidth, outW = net.outputWidth
            let rows = stepRows, x = stepX!, y = stepY!
            let ws = workerWorkspaces[k], grad = workerGradients[k]
            let end = rows * (k + 1) / n
            var start = rows * k / n
            let first = start
            var loss = 0.0
            while start < end {
                let m = min(ws.capacity, end - start)
                net.forward(ws, input: x + start * inW, rows: m, through: last)
                loss += lossAndGradient(ws.outputs[last].pointer, y + start * outW, count: m * outW, of: rows * outW,
                                        loss: spec.loss, grad: ws.gradA.pointer)
                net.backward(ws, input: x + start * inW, rows: m, accumulate: start > first, into: grad)
                start += m
            }
            workerLosses[k] = loss
        } else {
            // Slices start on 16-element (64-byte) boundaries: no two workers share a cache line.
            let count = net.parameterCount
            func bound(_ i: Int) -> Int { i == n ? count : min(count, (count * i / n) & ~15) }
            let lo = bound(k), hi = bound(k + 1)
            if hi <= lo { return }
            let g = workerGradients[0] + lo
            for j in 1..<n { addElements(workerGradients[j] + lo, into: g, count: hi - lo) }
            let p = net.parameters.pointer + lo
            switch spec.optimizer {
            case .adam(_, let b1, let b2, let eps):
                adamUpdate(p, grad: g, m: net.optimizerState[0].pointer + lo, v: net.optimizerState[1].pointer + lo,
                           count: hi - lo, learningRate: stepLearningRate, beta1: b1, beta2: b2, epsilon: eps,
                           step: stepNumber)
            case .sgd(_, let mu):
                sgdUpdate(p, grad: g, buffer: mu == 0 ? g : net.optimizerState[0].pointer + lo, count: hi - lo,
                          learningRate: stepLearningRate, momentum: mu)
            }
        }
    }
}

extension Trainer: TeamJob {
    func run(worker: Int, phase: Int) { workerPhase(worker: worker, phase: phase) }
}
