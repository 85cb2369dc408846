import Numerics

/// A trained multi-stage network (Wang & Lai 2024): u(v) = Σₖ εₖ uₖ(κₖ v).
final class MultiStageModel<T: RealScalar> {
    /// Per stage: the RMS εₖ of the residual it fitted (its output weight), the input scale κₖ
    /// (the first layer's frequency factor: sin(κₖ v W + b) = sin((κₖ v) W + b)), the network.
    private(set) var stages: [(weight: Double, kappa: Double, network: Network<T>)] = []

    func append(weight: Double, kappa: Double, network: Network<T>) {
        stages.append((weight, kappa, network))
    }

    /// Each stage's weighted output εₖ uₖ(κₖ v) for mapped inputs `x`.
    func stageOutputs(_ x: Matrix<T>) -> [Matrix<T>] {
        stages.map { scaled($0.network.predict(scaled(x, by: $0.kappa)), by: $0.weight) }
    }
}

/// Trains `stages` networks in turn. Stage k (1-based) fits eₖ₋₁/εₖ where eₖ₋₁ = y - Σ_{j<k} εⱼuⱼ
/// (e₀ = y) and εₖ = RMS(eₖ₋₁). Networks are `[d, hidden..., d_out]` with tanh hidden layers and a
/// linear output; from stage 2 on the first layer is sin and the input is multiplied by
/// κₖ = 2π f_d, f_d the dominant frequency of eₖ₋₁ (see `dominantFrequency`). Stage 1 has κ = 1
/// and a tanh first layer. A stage whose residual is exactly zero ends the run.
func trainMultiStage<T: RealScalar>(stages: Int, hidden: [Int], training: MethodTraining, x: Matrix<T>,
                                    y: Matrix<T>, reporter: StepReporter, recorder: Recorder<T>? = nil,
                                    checkpoints: FitCheckpoints? = nil) -> (MultiStageModel<T>, [ComponentRecord]) {
    precondition(stages > 0, "multi-stage: need at least one stage")
    precondition(!hidden.isEmpty && hidden.allSatisfy { $0 > 0 }, "multi-stage: need hidden layers of positive width")
    let model = MultiStageModel<T>()
    var records: [ComponentRecord] = []
    let stepsPerStage = training.steps(rows: x.rows) + training.lbfgsIterations
    var residual = y
    var recordSum: [Double] = []
    var stepsSoFar = 0
    // Checkpoints: the stages finished so far (restored from `checkpoints.resume`, not trained again).
    let restored = checkpoints?.finished ?? []
    var finished: [FitCheckpoint.Finished] = []
    for k in 0..<stages {
        let t0 = monotonicSeconds()
        let eps = rootMeanSquare(residual)
        if eps == 0 { break }
        let kappa = k == 0 ? 1 : 2 * Double.pi * dominantFrequency(x, residual)
        let input = scaled(x, by: kappa)
        let target = scaled(residual, by: 1 / eps)
        let widths = [x.cols] + hidden + [y.cols]
        let layers = (0..<(widths.count - 1)).map { i in
            LayerSpec(inputs: widths[i], outputs: widths[i + 1],
                      activation: i == widths.count - 2 ? .identity : (i == 0 && k > 0 ? .sin : .tanh))
        }
        let seeds = training.componentSeeds(k)
        let net = Network<T>(layers: layers, initializer: training.initializer, seed: seeds.network)
        let offset = stepsSoFar, base = recordSum
        let recordInput = recorder.map { scaled($0.inputs, by: kappa) }
        let recordStep: ((Int) -> Void)? = recorder.map { r in { step in
            if k > 0 && step == 0 { return }   // the previous stage's last record
            r.record(offset + step, Recorder.sum(base, net.predict(recordInput!), scale: eps))
        } }
        let history: TrainingHistory
        if k < restored.count {
            net.parameters.restore(restored[k].parameters)
            history = TrainingHistory(losses: restored[k].losses, snapshots: [], seconds: restored[k].seconds)
        } else {
            let adam = train(net, x: input, y: target, spec: training.trainingSpec(batchSeed: seeds.batches),
                             snapshotEvery: recorder?.every ?? 0, observe: recordStep,
                             progress: reporter.callback(offset: k * stepsPerStage),
                             checkpoints: checkpoints?.forNetwork(k, finished: { finished }))
            if training.lbfgsIterations > 0 && !reporter.stopped && checkpoints?.policy.interrupted != true {
                // Wang & Lai: Adam, then L-BFGS on the same normalised residual (one "step" per iteration).
                let outcome = refineWithLBFGS(net, x: input, y: target, loss: training.loss, iterations: training.lbfgsIterations,
                                              maxEvaluations: training.lbfgsEvaluationsLimited ? training.lbfgsIterations : nil)
                history = TrainingHistory(losses: adam.losses + outcome.losses, snapshots: adam.snapshots,
                                          seconds: monotonicSeconds() - t0)
                if !outcome.losses.isEmpty {
                    recordStep?(history.losses.count)
                    _ = reporter.callback(offset: k * stepsPerStage)?(history.losses.count, 0, outcome.losses.last!)
                }
            } else {
                history = adam
            }
        }
        finished.append(FitCheckpoint.Finished(parameters: net.parameterBytes, losses: history.losses, seconds: history.seconds))
        stepsSoFar += history.losses.count
        if let recordInput { recordSum = Recorder.sum(recordSum, net.predict(recordInput), scale: eps) }
        model.append(weight: eps, kappa: kappa, network: net)
        if k + 1 < stages { residual = subtract(residual, scaled(net.predict(input), by: eps)) }
        net.releaseBuffers()
        records.append(ComponentRecord(losses: history.losses, seconds: monotonicSeconds() - t0,
                                       parameterCount: net.parameterCount))
        if reporter.stopped || checkpoints?.policy.interrupted == true { break }
    }
    return (model, records)
}

/// The dominant frequency (cycles per unit of input) of the residual `r` (rows x outputs) over
/// the inputs `x`: for each input column, the samples are sorted by that coordinate, the residual
/// (summed over output columns) is linearly interpolated onto n equispaced points spanning the
/// column's range, its mean removed, and the FFT bin k ≥ 1 of largest amplitude gives
/// f = k / (n·h), h the grid step; the largest f over the columns is returned (at least
/// 1 / range, i.e. bin 1). Exact for samples already on a uniform 1D grid; for scattered or
/// multi-dimensional inputs it is a heuristic (see README).
func dominantFrequency<T: RealScalar>(_ x: Matrix<T>, _ r: Matrix<T>) -> Double {
    let n = x.rows
    guard n >= 4 else { return 1 }
    var signal = [Double](repeating: 0, count: n)
    for i in 0..<n { for c in 0..<r.cols { signal[i] += Double(r[i, c]) } }
    var best = 0.0
    for c in 0..<x.cols {
        let coordinate = (0..<n).map { Double(x[$0, c]) }
        let order = (0..<n).sorted { coordinate[$0] < coordinate[$1] || (coordinate[$0] == coordinate[$1] && $0 < $1) }
        let xs = order.map { coordinate[$0] }, ys = order.map { signal[$0] }
        let low = xs[0], high = xs[n - 1]
        guard high > low else { continue }
        let h = (high - low) / Double(n - 1)
        var grid = [Double](repeating: 0, count: n)
        var j = 0
        for g in 0..<n {
            let t = g == n - 1 ? high : low + Double(g) * h
            while j < n - 2 && xs[j + 1] < t { j += 1 }
            let x0 = xs[j], x1 = xs[j + 1]
            grid[g] = x1 > x0 ? ys[j] + (ys[j + 1] - ys[j]) * (t - x0) / (x1 - x0) : ys[j + 1]
        }
        let mean = grid.reduce(0, +) / Double(n)
        let amplitudes = FourierTransform.amplitudes(grid.map { $0 - mean })
        var k = 1
        for i in 1..<amplitudes.count where amplitudes[i] > amplitudes[k] { k = i }
        best = max(best, Double(k) / (Double(n) * h))
    }
    return best > 0 ? best : 1
}
