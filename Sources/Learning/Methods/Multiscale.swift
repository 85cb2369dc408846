import Numerics

/// A trained MscaleDNN (Liu, Cai & Xu 2020): f(v) = Σᵢ fᵢ(aᵢ v).
final class MultiscaleModel<T: RealScalar> {
    let scales: [Double]
    let networks: [Network<T>]

    init(scales: [Double], networks: [Network<T>]) {
        self.scales = scales; self.networks = networks
    }

    func predict(_ x: Matrix<T>) -> Matrix<T> {
        var sum: [Double] = []
        for (a, net) in zip(scales, networks) {
            let out = net.predict(scaled(x, by: a))
            if sum.isEmpty { sum = [Double](repeating: 0, count: out.values.count) }
            for i in 0..<sum.count { sum[i] += Double(out.values[i]) }
        }
        return Matrix(rows: x.rows, cols: networks[0].outputWidth, values: sum.map { T($0) })
    }
}

/// Trains the subnetworks fᵢ jointly on the summed output: one loss, every subnetwork stepped
/// each optimizer step (Adam per parameter is the same on the union as on each part).
func trainMultiscale<T: RealScalar>(scales: [Double], hidden: [Int], activation: Activation,
                                    training: MethodTraining, x: Matrix<T>, y: Matrix<T>,
                                    reporter: StepReporter, recorder: Recorder<T>? = nil) -> (MultiscaleModel<T>, ComponentRecord) {
    precondition(!scales.isEmpty, "MscaleDNN: no scales")
    let t0 = monotonicSeconds()
    let widths = [x.cols] + hidden + [y.cols]
    let layers = (0..<(widths.count - 1)).map { i in
        LayerSpec(inputs: widths[i], outputs: widths[i + 1], activation: i == widths.count - 2 ? .identity : activation)
    }
    let networks = scales.indices.map { i in
        Network<T>(layers: layers, initializer: training.initializer, seed: training.componentSeeds(i).network)
    }
    let inputs = scales.map { scaled(x, by: $0) }
    let trainer = JointTrainer(networks: networks, inputs: inputs, y: y,
                               spec: training.trainingSpec(batchSeed: training.componentSeeds(0).batches))
    let partial = MultiscaleModel(scales: scales, networks: networks)
    let observe: ((Int) -> Void)? = recorder.map { r in { step in r.record(step, Recorder.sum([], partial.predict(r.inputs))) } }
    let losses = trainer.run(snapshotEvery: recorder?.every ?? 0, observe: observe, progress: reporter.callback(offset: 0))
    for net in networks { net.releaseBuffers() }
    let record = ComponentRecord(losses: losses, seconds: monotonicSeconds() - t0,
                                 parameterCount: networks.reduce(0) { $0 + $1.parameterCount })
    return (MultiscaleModel(scales: scales, networks: networks), record)
}

/// Trains networks whose outputs are summed, each on its own input matrix (same rows), as one
/// model: the batching, schedule and optimizer rules of `train` (see `Trainer`), with the loss
/// on Σᵢ netᵢ(xᵢ) and dL/d(outputᵢ) = dL/d(sum) for every i.
final class JointTrainer<T: RealScalar> {
    let networks: [Network<T>]
    let inputs: [AlignedBuffer<T>]
    let targets: AlignedBuffer<T>
    let spec: TrainingSpec
    let n: Int
    let outW: Int
    let batchRows: Int
    let minibatch: Bool
    let stepsPerEpoch: Int

    init(networks: [Network<T>], inputs: [Matrix<T>], y: Matrix<T>, spec: TrainingSpec) {
        precondition(networks.count == inputs.count && !networks.isEmpty, "JointTrainer: one input per network")
        n = y.rows; outW = y.cols
        precondition(n > 0, "JointTrainer: no samples")
        for (net, x) in zip(networks, inputs) {
            precondition(x.rows == n && x.cols == net.inputWidth && net.outputWidth == outW,
                         "JointTrainer: input or output shape does not fit a network")
        }
        func buffer(_ m: Matrix<T>) -> AlignedBuffer<T> {
            let b = AlignedBuffer<T>(count: m.values.count)
            m.withUnsafeBufferPointer { b.pointer.update(from: $0.baseAddress!, count: $0.count) }
            return b
        }
        self.networks = networks; self.inputs = inputs.map(buffer); targets = buffer(y); self.spec = spec
        if let b = spec.batchSize, b < n {
            minibatch = true; batchRows = b; stepsPerEpoch = (n + b - 1) / b
        } else {
            minibatch = false; batchRows = n; stepsPerEpoch = 1
        }
    }

    /// Runs the optimizer loop; returns the loss of every step (before its update). `observe` is
    /// called at step 0, every `snapshotEvery` steps and after the last step (as `train`'s).
    func run(snapshotEvery: Int = 0, observe: ((Int) -> Void)? = nil, progress: ((Int, Int, Double) -> Bool)?) -> [Double] {
        let totalSteps = spec.epochs * stepsPerEpoch
        let workspaces = networks.map { $0.workspace(rows: batchRows) }
        let batchInputs = networks.map { AlignedBuffer<T>(count: minibatch ? batchRows * $0.inputWidth : 0) }
        let batchTargets = AlignedBuffer<T>(count: minibatch ? batchRows * outW : 0)
        let sum = AlignedBuffer<T>(count: batchRows * outW)
        let grad = AlignedBuffer<T>(count: batchRows * outW)
        let stateCount: Int
        switch spec.optimizer {
        case .adam: stateCount = 2
        case .sgd(_, let mu): stateCount = mu == 0 ? 0 : 1
        }
        for net in networks {
            while net.optimizerState.count < stateCount { net.optimizerState.append(AlignedBuffer(count: net.parameterCount)) }
            for s in net.optimizerState { s.zero() }
        }
        var rng = SeededGenerator(seed: spec.seed)
        let permutation = UnsafeMutableBufferPointer<Int>.allocate(capacity: minibatch ? n : 0)
        defer { permutation.deallocate() }
        for i in 0..<permutation.count { permutation[i] = i }

        var losses: [Double] = []
        losses.reserveCapacity(totalSteps)
        var lastReport = monotonicSeconds()
        var step = 0
        var lastObserved = -1
        func snapshot(_ s: Int) { lastObserved = s; observe?(s) }
        if observe != nil { snapshot(0) }
        defer { if observe != nil && lastObserved != step { snapshot(step) } }
        let base = spec.optimizer.learningRate
        outer: for epoch in 0..<spec.epochs {
            let lr = spec.schedule.learningRate(epoch: epoch, epochs: spec.epochs, base: base)
            if minibatch { rng.shuffle(permutation) }
            for b in 0..<stepsPerEpoch {
                let start = b * batchRows
                let rows = min(batchRows, n - start)
                var xs: [UnsafePointer<T>] = []
                let yp: UnsafePointer<T>
                if minibatch {
                    let idx = permutation.baseAddress! + start
                    for (i, net) in networks.enumerated() {
                        gatherRows(inputs[i].pointer, cols: net.inputWidth, indices: idx, count: rows, into: batchInputs[i].pointer)
                        xs.append(UnsafePointer(batchInputs[i].pointer))
                    }
                    gatherRows(targets.pointer, cols: outW, indices: idx, count: rows, into: batchTargets.pointer)
                    yp = UnsafePointer(batchTargets.pointer)
                } else {
                    xs = inputs.map { UnsafePointer($0.pointer) }
                    yp = UnsafePointer(targets.pointer)
                }
                step += 1
                let count = rows * outW
                sum.pointer.update(repeating: 0, count: count)
                for (i, net) in networks.enumerated() {
                    let last = net.layers.count - 1
                    net.forward(workspaces[i], input: xs[i], rows: rows, through: last)
                    let out = workspaces[i].outputs[last].pointer
                    for k in 0..<count { sum.pointer[k] += out[k] }
                }
                let loss = lossAndGradient(sum.pointer, yp, count: count, loss: spec.loss, grad: grad.pointer)
                for (i, net) in networks.enumerated() {
                    workspaces[i].gradA.pointer.update(from: grad.pointer, count: count)
                    net.backward(workspaces[i], input: xs[i], rows: rows)
                    let p = net.parameters.pointer, g = net.gradients.pointer
                    switch spec.optimizer {
                    case .adam(_, let b1, let b2, let eps):
                        adamUpdate(p, grad: g, m: net.optimizerState[0].pointer, v: net.optimizerState[1].pointer,
                                   count: net.parameterCount, learningRate: lr, beta1: b1, beta2: b2,
                                   epsilon: eps, step: step)
                    case .sgd(_, let mu):
                        sgdUpdate(p, grad: g, buffer: mu == 0 ? g : net.optimizerState[0].pointer,
                                  count: net.parameterCount, learningRate: lr, momentum: mu)
                    }
                }
                losses.append(loss)
                if observe != nil && snapshotEvery > 0 && step % snapshotEvery == 0 { snapshot(step) }
                if let progress {
                    let now = monotonicSeconds()
                    if now - lastReport >= 0.25 || step == totalSteps {
                        lastReport = now
                        if !progress(step, totalSteps, loss) { break outer }
                    }
                }
            }
        }
        return losses
    }
}
