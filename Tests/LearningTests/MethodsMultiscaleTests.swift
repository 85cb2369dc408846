import XCTest
import Numerics
@testable import Learning

final class MethodsMultiscaleTests: XCTestCase {
    /// sReLU and s2ReLU layers: the hand-written backward pass against central differences
    /// (Double, h = 1e-6: truncation O(h²) ≈ 1e-12 relative, rounding ≈ 1e-10; tolerance 1e-6
    /// absolute + relative, loose enough for a sample landing near a kink at 0 or 1).
    func testActivationGradientsMatchFiniteDifferences() {
        for activation in [Activation.sReLU, .s2ReLU] {
            let net = Network<Double>(layers: [LayerSpec(inputs: 2, outputs: 6, activation: activation),
                                               LayerSpec(inputs: 6, outputs: 3, activation: activation),
                                               LayerSpec(inputs: 3, outputs: 1, activation: .identity)], seed: 4)
            var rng = SeededGenerator(seed: 8)
            let rows = 7
            let x = (0..<(2 * rows)).map { _ in rng.uniform(0, 1) }
            let y = (0..<rows).map { _ in rng.uniform(-1, 1) }
            let ws = net.workspace(rows: rows)
            let last = net.layers.count - 1
            func loss() -> Double {
                net.forward(ws, input: x, rows: rows, through: last)
                return lossValue(ws.outputs[last].pointer, y, count: rows, loss: .mse)
            }
            net.forward(ws, input: x, rows: rows, through: last)
            _ = lossAndGradient(ws.outputs[last].pointer, y, count: rows, loss: .mse, grad: ws.gradA.pointer)
            net.backward(ws, input: x, rows: rows)
            let analytic = Array(UnsafeBufferPointer(start: net.gradients.pointer, count: net.parameterCount))
            XCTAssertTrue(analytic.contains { abs($0) > 1e-3 }, "\(activation): some gradient is non-trivial")
            let p = net.parameters.pointer, h = 1e-6
            for i in 0..<net.parameterCount {
                let saved = p[i]
                p[i] = saved + h; let up = loss()
                p[i] = saved - h; let down = loss()
                p[i] = saved
                let numeric = (up - down) / (2 * h)
                XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 * (1 + abs(numeric)), "\(activation) parameter \(i)")
            }
        }
    }

    func testActivationValues() {
        let z: [Double] = [-0.5, 0, 0.25, 0.5, 0.75, 1, 1.5]
        let net = Network<Double>(layers: [LayerSpec(inputs: 1, outputs: 1, activation: .s2ReLU)], seed: 0)
        net.setParameters(layer: 0, weights: Matrix(rows: 1, cols: 1, values: [1]), bias: [0])
        let s2 = net.predict(Matrix(rows: z.count, cols: 1, values: z)).values
        let expected = z.map { v in v > 0 && v < 1 ? sin(2 * Double.pi * v) * v * (1 - v) : 0 }
        for (a, b) in zip(s2, expected) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertEqual(s2[2], 0.1875, accuracy: 1e-15)           // sin(π/2)·¼·¾
    }

    /// A sum of networks trains through the one training loop: a batch split in chunks of 3 rows
    /// (gradients accumulated) trains like the whole batch to rounding (1e-12), for a full batch
    /// and minibatches larger than a chunk, and the workspaces are chunk-sized. (MscaleDNN's
    /// former loop, `JointTrainer`, had no chunking: its workspaces held the whole batch.)
    func testSumOfNetworksTrainsInChunksLikeWholeBatch() {
        let threads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(threads) }
        let data = MethodsFixtures.set(MethodsFixtures.inputs(11, seed: 3, low: 0, high: 1), { sin(6 * $0) }, as: Double.self)
        let layers = [LayerSpec(inputs: 1, outputs: 9, activation: .s2ReLU), LayerSpec(inputs: 9, outputs: 1, activation: .identity)]
        for batch in [nil, 7] as [Int?] {
            let spec = TrainingSpec(optimizer: .adam(learningRate: 1e-2), loss: .mse, batchSize: batch, epochs: 5, seed: 2)
            func run(chunk: Int) -> (losses: [Double], parameters: [[Double]], workspaceRows: Int) {
                let networks = [Network<Double>(layers: layers, seed: 1), Network<Double>(layers: layers, seed: 2)]
                for net in networks { net.trainingChunk = chunk }
                let history = Trainer(networks: networks, inputs: [data.x, scaled(data.x, by: 3)], y: data.y, spec: spec)
                    .run(snapshotEvery: 0, snapshotInputs: nil, progress: nil)
                let parameters = networks.map { net in (0..<2).flatMap { net.weights(layer: $0).values + net.bias(layer: $0) } }
                return (history.losses, parameters, networks[0].workspaces.keys.max()!)
            }
            let whole = run(chunk: 1024), chunked = run(chunk: 3)
            XCTAssertEqual(chunked.workspaceRows, 3)
            XCTAssertEqual(whole.losses.count, chunked.losses.count)
            for (u, v) in zip(whole.losses, chunked.losses) { XCTAssertEqual(u, v, accuracy: 1e-12) }
            for (a, b) in zip(whole.parameters, chunked.parameters) {
                for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: 1e-12) }
            }
        }
    }

    /// A sum of networks gets the data-parallel step: on 2 threads the step is split between two
    /// workers, the result is bit-identical across two runs and equals one thread's to float
    /// rounding (1e-5 relative: the rows' gradients are summed in another order).
    func testSumOfNetworksDataParallelStepMatchesOneThread() {
        let threads = BLASThreads.current
        defer { BLASThreads.set(threads) }
        let data = MethodsFixtures.set(MethodsFixtures.inputs(256, seed: 5, low: 0, high: 1), { sin(9 * $0) }, as: Float.self)
        let layers = [LayerSpec(inputs: 1, outputs: 24, activation: .sReLU), LayerSpec(inputs: 24, outputs: 1, activation: .identity)]
        func run(_ n: Int) -> (losses: [Double], weights: [Float], workers: Int) {
            BLASThreads.set(n)
            let networks = [Network<Float>(layers: layers, seed: 1), Network<Float>(layers: layers, seed: 2)]
            let spec = TrainingSpec(optimizer: .adam(learningRate: 1e-3), batchSize: 200, epochs: 3, seed: 4)
            let history = Trainer(networks: networks, inputs: [data.x, scaled(data.x, by: 4)], y: data.y, spec: spec)
                .run(snapshotEvery: 0, snapshotInputs: nil, progress: nil)
            return (history.losses, networks.flatMap { net in (0..<2).flatMap { net.weights(layer: $0).values } },
                    networks[1].workerGradients.count + 1)
        }
        let one = run(1), a = run(2), b = run(2)
        XCTAssertEqual(a.workers, 2, "the step was not split")
        XCTAssertEqual(a.losses.map(\.bitPattern), b.losses.map(\.bitPattern))
        XCTAssertEqual(a.weights.map(\.bitPattern), b.weights.map(\.bitPattern))
        XCTAssertEqual(a.losses.count, one.losses.count)
        for (u, v) in zip(a.losses, one.losses) { XCTAssertEqual(u, v, accuracy: 1e-5 * abs(v)) }
        for (u, v) in zip(a.weights, one.weights) { XCTAssertEqual(u, v, accuracy: 1e-5 * max(1, abs(v))) }
    }

    /// MscaleDNN reports progress like every method: from the first step on, then at most every
    /// 250 ms, and at the last step. (`JointTrainer` skipped the first step: a short run was
    /// reported only when it had finished.)
    func testMscaleReportsProgressFromTheFirstStep() {
        let data = MethodsFixtures.set(MethodsFixtures.inputs(32, seed: 6, low: 0, high: 1), { sin(4 * $0) }, as: Float.self)
        let training = MethodTraining(optimizer: .adam(learningRate: 1e-3), schedule: .constant, batchSize: nil, epochs: 20,
                                      seed: 1, initializer: .pytorchDefault)
        var reported: [Int] = []
        _ = fit(method: .mscale(scales: [1, 2], hidden: [8], activation: .sReLU), features: .none, training: training,
                train: data, validation: nil, test: nil, evaluateOn: data.x, progress: { step, total, _ in
                    XCTAssertEqual(total, 20)
                    reported.append(step)
                    return true
                })
        XCTAssertEqual(reported.first, 1)
        XCTAssertEqual(reported.last, 20)
    }

    /// MscaleDNN is the sum of subnetworks on scaled inputs, trained jointly, and learns.
    func testMscaleSumsScaledSubnetworksAndLearns() {
        let data = MethodsFixtures.set(MethodsFixtures.inputs(64, seed: 2, low: 0, high: 1), { sin(2 * Double.pi * $0) + 0.3 * sin(2 * Double.pi * 8 * $0) }, as: Double.self)
        let training = MethodTraining(optimizer: .adam(learningRate: 1e-2), schedule: .constant, batchSize: nil, epochs: 150,
                                      seed: 4, initializer: .pytorchDefault)
        let reporter = StepReporter(total: 0, callback: nil)
        let (model, record) = trainMultiscale(scales: [1, 4, 8], hidden: [16, 16], activation: .s2ReLU,
                                              training: training, x: data.x, y: data.y, reporter: reporter)
        XCTAssertEqual(record.parameterCount, 3 * (32 + 272 + 17))
        // The model is Σ fᵢ(aᵢ x).
        let direct = zip(model.scales, model.networks).map { a, net in net.predict(scaled(data.x, by: a)).values }
        let sum = (0..<data.x.rows).map { i in direct.map { $0[i] }.reduce(0, +) }
        for (a, b) in zip(model.predict(data.x).values, sum) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        XCTAssertLessThan(record.losses.last!, 0.2 * record.losses.first!, "losses \(record.losses.first!) → \(record.losses.last!)")
    }
}
