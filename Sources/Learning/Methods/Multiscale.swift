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

/// Trains the subnetworks fᵢ jointly on the summed output (`Trainer` over the sum): one loss,
/// every subnetwork stepped each optimizer step (Adam per parameter is the same on the union as
/// on each part).
func trainMultiscale<T: RealScalar>(scales: [Double], hidden: [Int], activation: Activation,
                                    training: MethodTraining, x: Matrix<T>, y: Matrix<T>,
                                    reporter: StepReporter, recorder: Recorder<T>? = nil,
                                    checkpoints: FitCheckpoints? = nil) -> (MultiscaleModel<T>, ComponentRecord) {
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
    let trainer = Trainer(networks: networks, inputs: inputs, y: y,
                          spec: training.trainingSpec(batchSeed: training.componentSeeds(0).batches))
    let partial = MultiscaleModel(scales: scales, networks: networks)
    let observe: ((Int) -> Void)? = recorder.map { r in { step in r.record(step, Recorder.sum([], partial.predict(r.inputs))) } }
    let losses = trainer.run(snapshotEvery: recorder?.every ?? 0, snapshotInputs: nil, observe: observe,
                             progress: reporter.callback(offset: 0),
                             checkpoints: checkpoints?.forNetwork(0, finished: { [] })).losses
    for net in networks { net.releaseBuffers() }
    let record = ComponentRecord(losses: losses, seconds: monotonicSeconds() - t0,
                                 parameterCount: networks.reduce(0) { $0 + $1.parameterCount })
    return (MultiscaleModel(scales: scales, networks: networks), record)
}
