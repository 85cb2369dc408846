import Numerics

/// A trained multi-grade model (Fang & Xu): grade 1 maps the (feature-mapped) input, grade l > 1
/// maps the post-ReLU last-hidden features of grade l - 1; the model is the sum of the grades'
/// outputs.
final class MultiGradeModel<T: RealScalar> {
    /// The grades, first to last; each `[in, hidden..., out]`, ReLU hidden layers, linear output.
    private(set) var grades: [Network<T>] = []

    func append(_ grade: Network<T>) { grades.append(grade) }

    /// The input of every grade for mapped inputs `x`: `x`, then each grade's last-hidden
    /// features of its own input (the frozen feature path).
    func gradeInputs(_ x: Matrix<T>) -> [Matrix<T>] {
        var inputs: [Matrix<T>] = []
        var h = x
        for (l, g) in grades.enumerated() {
            inputs.append(h)
            if l + 1 < grades.count { h = g.lastHiddenFeatures(h) }
        }
        return inputs
    }

    /// Each grade's own output for mapped inputs `x`.
    func gradeOutputs(_ x: Matrix<T>) -> [Matrix<T>] {
        zip(grades, gradeInputs(x)).map { $0.predict($1) }
    }

    /// The model: the sum of the grades' outputs.
    func predict(_ x: Matrix<T>) -> Matrix<T> {
        let outs = gradeOutputs(x)
        var sum = [Double](repeating: 0, count: outs[0].values.count)
        for o in outs { for i in 0..<sum.count { sum[i] += Double(o.values[i]) } }
        return Matrix(rows: outs[0].rows, cols: outs[0].cols, values: sum.map { T($0) })
    }
}

/// Trains grade by grade. Grade l's inputs are computed once, by the frozen grade l - 1, before
/// grade l trains; grade l trains on y minus the sum of the earlier grades' outputs (on the
/// training set), with a fresh network, optimizer and schedule (`training.forGrade(l)`: per-grade
/// learning rates and epochs when given). `observe` (for tests) is called
/// after each grade is trained with its index, the exact matrix it trained on, and its network.
/// Stops after the grade during which `reporter` saw a stop.
func trainMultiGrade<T: RealScalar>(grades: [[Int]], training: MethodTraining, x: Matrix<T>, y: Matrix<T>,
                                    reporter: StepReporter,
                                    observe: ((Int, Matrix<T>, Network<T>) -> Void)? = nil,
                                    recorder: Recorder<T>? = nil, checkpoints: FitCheckpoints? = nil)
    -> (MultiGradeModel<T>, [ComponentRecord]) {
    precondition(!grades.isEmpty, "MGDL: no grades")
    for (l, g) in grades.enumerated() where g.isEmpty || g.contains(where: { $0 <= 0 }) {
        preconditionFailure("MGDL: grade \(l + 1) needs at least one hidden layer of positive width")
    }
    let model = MultiGradeModel<T>()
    var records: [ComponentRecord] = []
    var progressOffset = 0
    var input = x
    var residual = y
    // Recording: the recorded inputs through the frozen grades, and the finished grades' sum on them.
    var recordInput = recorder?.inputs
    var recordSum: [Double] = []
    var stepsSoFar = 0
    // Checkpoints: the grades finished so far (restored from `checkpoints.resume`, not trained again).
    let restored = checkpoints?.finished ?? []
    var finished: [FitCheckpoint.Finished] = []
    for (l, hidden) in grades.enumerated() {
        let t0 = monotonicSeconds()
        if l > 0 {
            // The frozen previous grade's features, computed once for the whole grade.
            let previous = model.grades[l - 1]
            input = previous.lastHiddenFeatures(input)
            if let r = recordInput {
                recordSum = Recorder.sum(recordSum, previous.predict(r))
                recordInput = previous.lastHiddenFeatures(r)
            }
        }
        let spec = NetworkSpec(widths: [input.cols] + hidden + [y.cols], hidden: .relu, output: .identity,
                               initializer: training.initializer)
        let seeds = training.componentSeeds(l)
        let net = Network<T>(spec: spec, seed: seeds.network)
        let gradeTraining = training.forGrade(l)
        let offset = stepsSoFar, base = recordSum, gradeInput = recordInput
        let recordStep: ((Int) -> Void)? = recorder.map { r in { step in
            if l > 0 && step == 0 { return }   // the previous grade's last record
            r.record(offset + step, Recorder.sum(base, net.predict(gradeInput!)))
        } }
        let history: TrainingHistory
        if l < restored.count {
            net.parameters.restore(restored[l].parameters)
            history = TrainingHistory(losses: restored[l].losses, snapshots: [], seconds: restored[l].seconds)
        } else {
            history = train(net, x: input, y: residual, spec: gradeTraining.trainingSpec(batchSeed: seeds.batches),
                            snapshotEvery: recorder?.every ?? 0, observe: recordStep,
                            progress: reporter.callback(offset: progressOffset),
                            checkpoints: checkpoints?.forNetwork(l, finished: { finished }))
        }
        finished.append(FitCheckpoint.Finished(parameters: net.parameterBytes, losses: history.losses, seconds: history.seconds))
        stepsSoFar += history.losses.count
        progressOffset += gradeTraining.steps(rows: x.rows)
        model.append(net)
        if l + 1 < grades.count { residual = subtract(residual, net.predict(input)) }
        // Training workspaces are not needed any more (inference makes its own).
        net.releaseBuffers()
        records.append(ComponentRecord(losses: history.losses, seconds: monotonicSeconds() - t0,
                                       parameterCount: net.parameterCount))
        observe?(l, input, net)
        if reporter.stopped || checkpoints?.policy.interrupted == true { break }
    }
    return (model, records)
}
