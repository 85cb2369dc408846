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
/// parameters, data, spec and BLAS thread count give the same bits.
public func train<T: RealScalar>(_ network: Network<T>, x: Matrix<T>, y: Matrix<T>, spec: TrainingSpec,
                                 snapshotEvery: Int = 0, snapshotInputs: Matrix<T>? = nil,
                                 progress: ((Int, Int, Double) -> Bool)? = nil) -> TrainingHistory {
    let trainer = Trainer(network: network, x: x, y: y, spec: spec)
    let wantsSnapshots = snapshotEvery > 0 || snapshotInputs != nil
    return trainer.run(snapshotEvery: snapshotEvery, snapshotInputs: wantsSnapshots ? (snapshotInputs ?? x) : nil,
                       progress: progress)
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

    func run(snapshotEvery: Int, snapshotInputs: Matrix<T>?,
             progress: ((Int, Int, Double) -> Bool)?) -> TrainingHistory {
        let net = network
        let totalSteps = spec.epochs * stepsPerEpoch
        // With n > 1 BLAS threads the chunk is 4n x `trainingChunk` rows: bigger products split
        // better across threads (measured on 2 threads: W2 +7%, W3 +3% over 2 x 1024 rows), while
        // on one thread 1024 rows is best (W3: 512 ≈ 1024 > 2048 > unchunked).
        let threads = max(BLASThreads.current, 1)
        let chunkRows = min(batchRows, threads == 1 ? net.trainingChunk : 4 * threads * net.trainingChunk)
        let ws = net.workspace(rows: chunkRows)
        let inW = net.inputWidth, outW = net.outputWidth
        if minibatch {
            if (ws.batchInputs?.count ?? 0) < batchRows * inW { ws.batchInputs = AlignedBuffer(count: batchRows * inW) }
            if (ws.batchTargets?.count ?? 0) < batchRows * outW { ws.batchTargets = AlignedBuffer(count: batchRows * outW) }
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
        func snapshot(_ step: Int) {
            guard let snapshotInputs else { return }
            snapshots.append(TrainingSnapshot(step: step, prediction: doubles(net.predict(snapshotInputs).values)))
        }
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
                        let loss = trainingStep(ws: ws, x: xp, y: yp, rows: rows, learningRate: lr, step: step)
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
        if snapshotInputs != nil && snapshots.last?.step != step { snapshot(step) }
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
}
