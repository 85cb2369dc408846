import Numerics

/// Fits `method` to `train` behind the input mapping `features` and evaluates it.
///
/// - Every network is trained by `training` (fresh optimizer, schedule restarted), in `T`.
/// - RSEs are Σ(y - ŷ)²/Σy² over every element, accumulated in Double (0 when both sums are 0).
/// - `evaluateOn` are raw inputs (before `features`), like `train.x`; `prediction` and each
///   grade's `output` are given on them, row-major, in Double.
/// - `progress` gets (step, total steps of all networks, loss) at most every few hundred ms;
///   returning false stops training: the grades (stages) trained so far are kept, later ones are
///   skipped (a stopped grade is kept with its partial training).
/// - Determinism: the same arguments give the same bits (on one machine, BLAS thread count and
///   libm), because every random draw comes from `training.seed` (see
///   `MethodTraining.componentSeeds`) and `features`' own seed.
/// - `recording`, when given, receives the whole model's prediction on its inputs during
///   training (see `ModelRecording`); it does not change what is trained.
/// - `checkpoints`, when given, saves the training's state at epoch ends (`FitCheckpoint`: the
///   grades or stages finished and the network in training) and resumes from `resume`: the
///   result is then bit-identical to an uninterrupted fit's (the caller restores what its
///   `recording` had received). Finished grades are restored, not trained again.
public func fit<T: RealScalar>(method: Method, features: FeatureMapping, training: MethodTraining,
                               train: (x: Matrix<T>, y: Matrix<T>),
                               validation: (x: Matrix<T>, y: Matrix<T>)?, test: (x: Matrix<T>, y: Matrix<T>)?,
                               evaluateOn: Matrix<T>,
                               recording: ModelRecording<T>? = nil,
                               progress: ((Int, Int, Double) -> Bool)? = nil,
                               checkpoints: FitCheckpoints? = nil) -> MethodResult {
    let t0 = monotonicSeconds()
    precondition(train.x.rows == train.y.rows, "fit: train.x has \(train.x.rows) rows, train.y has \(train.y.rows)")
    precondition(train.x.rows > 0, "fit: no training samples")
    for (name, set) in [("validation", validation), ("test", test)] {
        guard let set else { continue }
        precondition(set.x.rows == set.y.rows, "fit: \(name).x has \(set.x.rows) rows, \(name).y has \(set.y.rows)")
        precondition(set.x.cols == train.x.cols && set.y.cols == train.y.cols,
                     "fit: \(name) set has a different width from the training set")
    }
    precondition(evaluateOn.cols == train.x.cols, "fit: evaluateOn has \(evaluateOn.cols) columns, train.x has \(train.x.cols)")

    let x = features.apply(train.x)
    let recorder = recording.map { r in
        Recorder(every: max(1, r.everyEpochs * max(1, training.steps(rows: x.rows) / max(1, training.epochs))),
                 inputs: features.apply(r.inputs), record: r.record)
    }
    let model = trainModel(method: method, training: training, x: x, y: train.y, recorder: recorder, progress: progress,
                           checkpoints: checkpoints)

    // Evaluation: every component's output once per set, then running sums.
    func cumulativeRSE(mapped: Matrix<T>, y: Matrix<T>) -> (perComponent: [Double], model: Double) {
        var sum = [Double](repeating: 0, count: y.values.count)
        let perComponent = model.outputs(mapped).map { out in
            for i in 0..<sum.count { sum[i] += Double(out.values[i]) }
            return relativeSquaredError(sum, y)
        }
        return (perComponent, perComponent.last ?? relativeSquaredError(sum, y))
    }
    let trainRSE = cumulativeRSE(mapped: x, y: train.y)
    let validationRSE = validation.map { cumulativeRSE(mapped: features.apply($0.x), y: $0.y) }
    let testRSE = test.map { cumulativeRSE(mapped: features.apply($0.x), y: $0.y) }
    let evaluation = model.outputs(features.apply(evaluateOn)).map { $0.values.map { Double($0) } }
    var prediction = [Double](repeating: 0, count: evaluateOn.rows * train.y.cols)
    for out in evaluation { for i in 0..<prediction.count { prediction[i] += out[i] } }

    let grades = model.components.indices.map { k in
        GradeResult(index: k, losses: model.components[k].losses, seconds: model.components[k].seconds,
                    trainRSE: trainRSE.perComponent[k], validationRSE: validationRSE?.perComponent[k],
                    testRSE: testRSE?.perComponent[k], output: evaluation[k],
                    parameterCount: model.components[k].parameterCount)
    }
    return MethodResult(grades: grades, prediction: prediction, trainRSE: trainRSE.model,
                        validationRSE: validationRSE?.model, testRSE: testRSE?.model,
                        parameterCount: model.components.reduce(0) { $0 + $1.parameterCount },
                        seconds: monotonicSeconds() - t0)
}

/// Snapshots of the whole model during training, for every method: its prediction on `inputs`
/// (raw, before the features) at the first step, every `everyEpochs` epochs of each network
/// (grade, stage), and at each network's last step. `record` gets (step, prediction): the step
/// counts optimizer steps of all networks so far, in the order they train (the index space of
/// `MethodResult.losses` and `gradeBoundaries`), and the prediction is row-major in Double. For
/// MGDL and multi-stage networks the prediction is the sum of the finished grades and the one in
/// training; a new grade's untrained start is not recorded (its step is the previous grade's end).
public struct ModelRecording<T: RealScalar> {
    public let everyEpochs: Int
    public let inputs: Matrix<T>
    public let record: (Int, [Double]) -> Void

    public init(everyEpochs: Int, inputs: Matrix<T>, record: @escaping (Int, [Double]) -> Void) {
        precondition(everyEpochs > 0, "ModelRecording: everyEpochs must be positive")
        self.everyEpochs = everyEpochs; self.inputs = inputs; self.record = record
    }
}

/// A recording in optimizer steps on mapped inputs (after the features).
struct Recorder<T: RealScalar> {
    let every: Int
    let inputs: Matrix<T>
    let record: (Int, [Double]) -> Void

    /// `base` (the finished grades' sum on `inputs`, or empty) plus `output`.
    static func sum(_ base: [Double], _ output: Matrix<T>, scale: Double = 1) -> [Double] {
        let values = output.values
        if base.isEmpty { return values.map { Double($0) * scale } }
        return (0..<values.count).map { base[$0] + Double(values[$0]) * scale }
    }
}

/// Σ(y - ŷ)²/Σy² in Double; 0 when both sums are 0.
func relativeSquaredError<T: RealScalar>(_ prediction: [Double], _ target: Matrix<T>) -> Double {
    var num = 0.0, den = 0.0
    for i in 0..<prediction.count {
        let y = Double(target.values[i]), d = y - prediction[i]
        num += d * d; den += y * y
    }
    return num == 0 ? 0 : num / den
}

// MARK: - Internal model representation

/// What training one grade / stage / network recorded.
struct ComponentRecord {
    var losses: [Double]
    var seconds: Double
    var parameterCount: Int
}

/// A trained model as a sum of components (grades, stages, or a single network).
struct TrainedModel<T: RealScalar> {
    var components: [ComponentRecord]
    /// Each component's own output for mapped inputs (after `FeatureMapping.apply`).
    var outputs: (Matrix<T>) -> [Matrix<T>]
}

/// Trains `method` on mapped inputs `x`.
func trainModel<T: RealScalar>(method: Method, training: MethodTraining, x: Matrix<T>, y: Matrix<T>,
                               recorder: Recorder<T>? = nil,
                               progress: ((Int, Int, Double) -> Bool)?,
                               checkpoints: FitCheckpoints? = nil) -> TrainedModel<T> {
    let steps = training.steps(rows: x.rows)
    switch method {
    case .sgdl(let hidden):
        let reporter = StepReporter(total: steps, callback: progress)
        let t0 = monotonicSeconds()
        let spec = NetworkSpec(widths: [x.cols] + hidden + [y.cols], hidden: .relu, output: training.outputActivation,
                               initializer: training.initializer)
        let seeds = training.componentSeeds(0)
        let net = Network<T>(spec: spec, seed: seeds.network)
        let observe: ((Int) -> Void)? = recorder.map { r in { step in r.record(step, Recorder.sum([], net.predict(r.inputs))) } }
        let history = train(net, x: x, y: y, spec: training.trainingSpec(batchSeed: seeds.batches),
                            snapshotEvery: recorder?.every ?? 0, observe: observe,
                            progress: reporter.callback(offset: 0), checkpoints: checkpoints?.forNetwork(0, finished: { [] }))
        let record = ComponentRecord(losses: history.losses, seconds: monotonicSeconds() - t0,
                                     parameterCount: net.parameterCount)
        return TrainedModel(components: [record], outputs: { [net.predict($0)] })
    case .mgdl(let grades):
        let total = grades.indices.reduce(0) { $0 + training.forGrade($1).steps(rows: x.rows) }
        let reporter = StepReporter(total: total, callback: progress)
        let (model, records) = trainMultiGrade(grades: grades, training: training, x: x, y: y, reporter: reporter,
                                               recorder: recorder, checkpoints: checkpoints)
        return TrainedModel(components: records, outputs: model.gradeOutputs)
    case .mscale(let scales, let hidden, let activation):
        let reporter = StepReporter(total: steps, callback: progress)
        let (model, record) = trainMultiscale(scales: scales, hidden: hidden, activation: activation.activation,
                                              training: training, x: x, y: y, reporter: reporter, recorder: recorder,
                                              checkpoints: checkpoints)
        return TrainedModel(components: [record], outputs: { [model.predict($0)] })
    case .mscaleGroups(let scales, let hidden, let activation):
        precondition(!hidden.isEmpty, "MscaleDNN-1: need at least one hidden layer")
        let options = NetworkOptions(firstLayerUnitScales: Method.groupScales(scales, units: hidden[0]))
        return trainSingleNetwork(hidden: hidden, activation: activation.activation, options: options,
                                  training: training, x: x, y: y, steps: steps, recorder: recorder, progress: progress)
    case .adaptive(let hidden, let activation, let factor):
        let options = NetworkOptions(adaptiveActivationFactor: factor)
        return trainSingleNetwork(hidden: hidden, activation: activation, options: options,
                                  training: training, x: x, y: y, steps: steps, recorder: recorder, progress: progress)
    case .phaseShift(let bands, let bandWidth, let hidden, let activation):
        let reporter = StepReporter(total: steps * bands, callback: progress)
        let (model, records) = trainPhaseShift(bands: bands, bandWidth: bandWidth, hidden: hidden, activation: activation,
                                               training: training, x: x, y: y, reporter: reporter, recorder: recorder)
        return TrainedModel(components: records, outputs: model.bandOutputs)
    case .multistage(let stages, let hidden):
        let reporter = StepReporter(total: (steps + training.lbfgsIterations) * stages, callback: progress)
        let (model, records) = trainMultiStage(stages: stages, hidden: hidden, training: training, x: x, y: y,
                                               reporter: reporter, recorder: recorder, checkpoints: checkpoints)
        return TrainedModel(components: records, outputs: model.stageOutputs)
    }
}

/// One network `[d, hidden..., d_out]` (hidden activation `activation`, linear output, the
/// engine variation `options`) trained by `train` with network seeds of index 0.
func trainSingleNetwork<T: RealScalar>(hidden: [Int], activation: Activation, options: NetworkOptions,
                                       training: MethodTraining, x: Matrix<T>, y: Matrix<T>, steps: Int,
                                       recorder: Recorder<T>?, progress: ((Int, Int, Double) -> Bool)?) -> TrainedModel<T> {
    let reporter = StepReporter(total: steps, callback: progress)
    let t0 = monotonicSeconds()
    let spec = NetworkSpec(widths: [x.cols] + hidden + [y.cols], hidden: activation, output: .identity,
                           initializer: training.initializer)
    let seeds = training.componentSeeds(0)
    let net = Network<T>(layers: spec.layers, initializer: spec.initializer, seed: seeds.network, options: options)
    let observe: ((Int) -> Void)? = recorder.map { r in { step in r.record(step, Recorder.sum([], net.predict(r.inputs))) } }
    let history = train(net, x: x, y: y, spec: training.trainingSpec(batchSeed: seeds.batches),
                        snapshotEvery: recorder?.every ?? 0, observe: observe,
                        progress: reporter.callback(offset: 0))
    net.releaseBuffers()
    let record = ComponentRecord(losses: history.losses, seconds: monotonicSeconds() - t0,
                                 parameterCount: net.parameterCount)
    return TrainedModel(components: [record], outputs: { [net.predict($0)] })
}

/// Maps the per-network progress of `train` onto the steps of all networks, and remembers a stop.
final class StepReporter {
    let total: Int
    let callbackFunction: ((Int, Int, Double) -> Bool)?
    private(set) var stopped = false

    init(total: Int, callback: ((Int, Int, Double) -> Bool)?) {
        self.total = total; callbackFunction = callback
    }

    /// A `train` progress closure for a network whose first step is step `offset + 1` overall.
    func callback(offset: Int) -> ((Int, Int, Double) -> Bool)? {
        guard let callbackFunction else { return nil }
        return { [self] step, _, loss in
            let keepGoing = callbackFunction(offset + step, total, loss)
            if !keepGoing { stopped = true }
            return keepGoing
        }
    }
}

// MARK: - Small matrix helpers (Double arithmetic, one rounding to T)

/// a - b elementwise.
func subtract<T: RealScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> Matrix<T> {
    precondition(a.rows == b.rows && a.cols == b.cols, "subtract: shapes differ")
    return Matrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map { $0 - $1 })
}

/// s · a elementwise (computed in Double, rounded once).
func scaled<T: RealScalar>(_ a: Matrix<T>, by s: Double) -> Matrix<T> {
    if s == 1 { return a }
    return Matrix(rows: a.rows, cols: a.cols, values: a.values.map { T(Double($0) * s) })
}

/// Root mean square of every element, in Double.
func rootMeanSquare<T: RealScalar>(_ a: Matrix<T>) -> Double {
    guard !a.values.isEmpty else { return 0 }
    var s = 0.0
    for v in a.values { s += Double(v) * Double(v) }
    return (s / Double(a.values.count)).squareRoot()
}
