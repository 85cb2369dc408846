import XCTest
@testable import Learning
import Numerics

final class TrainingTests: XCTestCase {
    /// The 2-3-1 tanh network of the reference scripts, with given parameters.
    func referenceNetwork() -> (Network<Double>, Matrix<Double>, Matrix<Double>) {
        let net = Network<Double>(spec: NetworkSpec(widths: [2, 3, 1], hidden: .tanh), seed: 0)
        net.setParameters(layer: 0, weights: Matrix(rows: 2, cols: 3, values: [0.5, -0.3, 0.8, -0.2, 0.7, 0.1]),
                          bias: [0.1, -0.1, 0.05])
        net.setParameters(layer: 1, weights: Matrix(rows: 3, cols: 1, values: [0.6, -0.4, 0.9]), bias: [0.2])
        let x = Matrix<Double>(rows: 4, cols: 2, values: [0.1, 0.2, 0.4, -0.5, -0.3, 0.8, 0.9, 0.6])
        let y = Matrix<Double>(rows: 4, cols: 1, values: [0.3, -0.2, 0.5, 0.1])
        return (net, x, y)
    }

    func parameters(_ net: Network<Double>) -> [Double] {
        (0..<net.layers.count).flatMap { net.weights(layer: $0).values + net.bias(layer: $0) }
    }

    /// Three full-batch Adam steps (lr 0.05, default betas and eps, MSE). Expected values were
    /// computed independently with numpy (textbook Adam: m̂ = m/(1-β1ᵗ), v̂ = v/(1-β2ᵗ),
    /// θ -= lr m̂/(sqrt(v̂)+ε); hand-written numpy forward and backward). The engine uses PyTorch's
    /// algebraically equal arrangement, so the two agree to rounding: 1e-12 relative.
    func testAdamStepsMatchNumpy() {
        let (net, x, y) = referenceNetwork()
        let history = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 0.05), epochs: 3, seed: 0))
        let losses = [0.6613327912811793, 0.4550343268203063, 0.3190462489558218]
        let expected = [0.3527140554794894, -0.15411940081162082, 0.6520626186589764, -0.05039664245524301,
                        0.5498115663921095, 0.24928688128778606,
                        -0.039071941786477445, 0.03964031787825253, -0.08597675433594884,
                        0.45486351715913215, -0.25326359302561235, 0.7547284429805231,
                        0.05991918893728502]
        XCTAssertEqual(history.losses.count, 3)
        for (a, b) in zip(history.losses, losses) { XCTAssertEqual(a, b, accuracy: 1e-12 * b) }
        for (a, b) in zip(parameters(net), expected) { XCTAssertEqual(a, b, accuracy: 1e-12 * abs(b)) }
    }

    /// Three SGD-with-momentum steps (μ = 0.9) under the exponential schedule 0.1 → 0.01 and
    /// half-MSE; numpy reference as above (PyTorch's momentum rule b = μb + g, θ -= lr b).
    func testSGDMomentumWithExponentialScheduleMatchesNumpy() {
        let (net, x, y) = referenceNetwork()
        let spec = TrainingSpec(optimizer: .sgd(learningRate: 123, momentum: 0.9),
                                schedule: .exponential(initial: 0.1, final: 0.01), loss: .halfMSE, epochs: 3, seed: 0)
        let history = train(net, x: x, y: y, spec: spec)
        let losses = [0.33066639564058964, 0.2806720007760296, 0.2564998750020292]
        let expected = [0.4646570924452161, -0.276008180082452, 0.7558013530709579, -0.18474306698668305,
                        0.6948966908469717, 0.13159601121696002, 0.07037993877949773, -0.07733873982302557,
                        0.015500081394647498, 0.5568054831794165, -0.35949203633681426, 0.851991687298593,
                        0.13781840729924955]
        for (a, b) in zip(history.losses, losses) { XCTAssertEqual(a, b, accuracy: 1e-12 * b) }
        for (a, b) in zip(parameters(net), expected) { XCTAssertEqual(a, b, accuracy: 1e-12 * abs(b)) }
    }

    /// The fused Adam kernel over 37 parameters (two 16-lane vectors and a scalar remainder)
    /// against the textbook update written out here, for 3 steps, in Double: 1e-13 relative.
    func testAdamKernelVectorAndScalarPaths() {
        var rng = SeededGenerator(seed: 12)
        let n = 37
        var p = (0..<n).map { _ in rng.uniform(-1, 1) }, m = [Double](repeating: 0, count: n), v = m
        var pr = p, mr = m, vr = v
        let (lr, b1, b2, eps) = (0.01, 0.8, 0.99, 1e-6)
        for t in 1...3 {
            let g = (0..<n).map { _ in rng.uniform(-1, 1) }
            adamUpdate(&p, grad: g, m: &m, v: &v, count: n, learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, step: t)
            for i in 0..<n {
                mr[i] = b1 * mr[i] + (1 - b1) * g[i]
                vr[i] = b2 * vr[i] + (1 - b2) * g[i] * g[i]
                let mhat = mr[i] / (1 - pow(b1, Double(t))), vhat = vr[i] / (1 - pow(b2, Double(t)))
                pr[i] -= lr * mhat / (vhat.squareRoot() + eps)
            }
        }
        for i in 0..<n { XCTAssertEqual(p[i], pr[i], accuracy: 1e-13 * max(1, abs(pr[i])), "parameter \(i)") }
        for i in 0..<n { XCTAssertEqual(m[i], mr[i], accuracy: 1e-15); XCTAssertEqual(v[i], vr[i], accuracy: 1e-15) }
    }

    /// A batch processed in chunks of 3 rows (gradients accumulated) trains like the whole
    /// batch at once, to rounding (1e-12), for full batches and minibatches larger than a chunk.
    func testChunkedStepsMatchWholeBatch() {
        let threads = BLASThreads.current
        BLASThreads.set(1)              // chunks of exactly `trainingChunk` rows
        defer { BLASThreads.set(threads) }
        var rng = SeededGenerator(seed: 13)
        let x = Matrix<Double>(rows: 11, cols: 2, values: (0..<22).map { _ in rng.uniform(-1, 1) })
        let y = Matrix<Double>(rows: 11, cols: 2, values: (0..<22).map { _ in rng.uniform(-1, 1) })
        for batch in [nil, 7] as [Int?] {
            let spec = TrainingSpec(optimizer: .adam(learningRate: 0.01), loss: .halfMSE, batchSize: batch, epochs: 4, seed: 1)
            let whole = Network<Double>(spec: NetworkSpec(widths: [2, 19, 5, 2], hidden: .tanh), seed: 2)
            let chunked = Network<Double>(spec: NetworkSpec(widths: [2, 19, 5, 2], hidden: .tanh), seed: 2)
            chunked.trainingChunk = 3
            let a = train(whole, x: x, y: y, spec: spec), b = train(chunked, x: x, y: y, spec: spec)
            for (u, v) in zip(a.losses, b.losses) { XCTAssertEqual(u, v, accuracy: 1e-12) }
            for l in 0..<3 {
                for (u, v) in zip(whole.weights(layer: l).values, chunked.weights(layer: l).values) {
                    XCTAssertEqual(u, v, accuracy: 1e-12)
                }
                for (u, v) in zip(whole.bias(layer: l), chunked.bias(layer: l)) { XCTAssertEqual(u, v, accuracy: 1e-12) }
            }
            XCTAssertNotEqual(chunked.workspaces.keys.max(), 11)
        }
    }

    func testScheduleSequences() {
        XCTAssertEqual((0..<3).map { LearningRateSchedule.constant.learningRate(epoch: $0, epochs: 3, base: 0.1) },
                       [0.1, 0.1, 0.1])
        let exp = (0..<5).map { LearningRateSchedule.exponential(initial: 1e-2, final: 1e-4).learningRate(epoch: $0, epochs: 5, base: 9) }
        for (a, b) in zip(exp, [1e-2, 1e-2 * pow(1e-2, 0.25), 1e-3, 1e-3 * pow(1e-2, 0.25), 1e-4]) {
            XCTAssertEqual(a, b, accuracy: 1e-15)
        }
        XCTAssertEqual((0..<6).map { LearningRateSchedule.step(every: 2, factor: 0.5).learningRate(epoch: $0, epochs: 6, base: 1) },
                       [1, 1, 0.5, 0.5, 0.25, 0.25])
        XCTAssertEqual(LearningRateSchedule.exponential(initial: 0.3, final: 0.1).learningRate(epoch: 0, epochs: 1, base: 0), 0.3)
    }

    /// A small regression must converge: sin(πx) on 64 points, 1-32-32-1 tanh, Adam, Float32.
    func testSmallRegressionConverges() {
        let n = 64
        let xs = (0..<n).map { -1 + 2 * Float($0) / Float(n - 1) }
        let x = Matrix<Float>(rows: n, cols: 1, values: xs)
        let y = Matrix<Float>(rows: n, cols: 1, values: xs.map { sin(Float.pi * $0) })
        let net = Network<Float>(spec: NetworkSpec(widths: [1, 32, 32, 1], hidden: .tanh), seed: 4)
        let history = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2), epochs: 400, seed: 0))
        XCTAssertEqual(history.losses.count, 400)
        XCTAssertLessThan(history.losses.last!, 1e-3)
        XCTAssertLessThan(history.losses.last!, history.losses.first! / 100)
        let fit = net.predict(x)
        for i in stride(from: 0, to: n, by: 8) { XCTAssertEqual(fit[i, 0], y[i, 0], accuracy: 0.1) }
    }

    /// Same spec, seeds and thread count: the same bits, with minibatches.
    func testSeededTrainingIsDeterministic() {
        func run() -> ([UInt64], [UInt32]) {
            var rng = SeededGenerator(seed: 9)
            let x = Matrix<Float>(rows: 50, cols: 3, values: (0..<150).map { _ in Float(rng.normal()) })
            let y = Matrix<Float>(rows: 50, cols: 2, values: (0..<100).map { _ in Float(rng.uniform()) })
            let net = Network<Float>(spec: NetworkSpec(widths: [3, 16, 16, 2], initializer: .heNormal), seed: 5)
            let h = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2), batchSize: 8, epochs: 5, seed: 6))
            return (h.losses.map(\.bitPattern), (0..<3).flatMap { net.weights(layer: $0).values.map(\.bitPattern) })
        }
        let a = run(), b = run()
        XCTAssertEqual(a.0.count, 5 * 7)
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, b.1)
    }

    /// Data-parallel steps (`BLASThreads.set(n)`, n > 1, enough rows): the same losses and
    /// parameters as one thread to float rounding (the rows' gradients are summed in another
    /// order: 1e-5 relative over a few Adam steps), and bit-identical across two runs with the
    /// same thread count. Covers full batch, minibatches (with a remainder batch too small to split) and several
    /// chunks per worker, on 2 and 3 workers.
    func testDataParallelStepsMatchOneThreadAndAreDeterministic() {
        let threads = BLASThreads.current
        defer { BLASThreads.set(threads) }
        var rng = SeededGenerator(seed: 21)
        let rows = 300
        let x = Matrix<Float>(rows: rows, cols: 3, values: (0..<(3 * rows)).map { _ in Float(rng.normal()) })
        let y = Matrix<Float>(rows: rows, cols: 2, values: (0..<(2 * rows)).map { _ in Float(rng.uniform()) })
        func run(_ n: Int, batch: Int?, chunk: Int) -> (losses: [Double], weights: [Float], workers: Int) {
            BLASThreads.set(n)
            let net = Network<Float>(spec: NetworkSpec(widths: [3, 40, 40, 2], hidden: .tanh), seed: 3)
            net.trainingChunk = chunk
            let h = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-3), batchSize: batch, epochs: 4, seed: 8))
            return (h.losses, (0..<3).flatMap { net.weights(layer: $0).values }, net.workerGradients.count + 1)
        }
        for (batch, chunk) in [(nil, 1024), (nil, 50), (200, 1024)] as [(Int?, Int)] {
            let one = run(1, batch: batch, chunk: chunk)
            for n in [2, 3] {
                let a = run(n, batch: batch, chunk: chunk), b = run(n, batch: batch, chunk: chunk)
                XCTAssertEqual(a.workers, n, "the step was not split")
                XCTAssertEqual(a.losses.map(\.bitPattern), b.losses.map(\.bitPattern))
                XCTAssertEqual(a.weights.map(\.bitPattern), b.weights.map(\.bitPattern))
                XCTAssertEqual(a.losses.count, one.losses.count)
                for (u, v) in zip(a.losses, one.losses) { XCTAssertEqual(u, v, accuracy: 1e-5 * abs(v)) }
                for (u, v) in zip(a.weights, one.weights) { XCTAssertEqual(u, v, accuracy: 1e-5 * max(1, abs(v))) }
            }
        }
        XCTAssertEqual(BLASThreads.current, 3)
    }

    /// Every epoch's minibatches cover every sample exactly once, in a fresh order.
    func testMinibatchesCoverEverySampleOncePerEpoch() {
        let n = 10
        let x = Matrix<Double>(rows: n, cols: 1, values: (0..<n).map(Double.init))
        let y = Matrix<Double>(rows: n, cols: 1)
        let net = Network<Double>(spec: NetworkSpec(widths: [1, 4, 1]), seed: 1)
        let trainer = Trainer(network: net, x: x, y: y,
                              spec: TrainingSpec(optimizer: .adam(learningRate: 1e-3), batchSize: 3, epochs: 3, seed: 2))
        var batches: [[Int]] = []
        trainer.batchObserver = { batches.append(Array($0)) }
        let history = trainer.run(snapshotEvery: 0, snapshotInputs: x, progress: nil)
        XCTAssertEqual(history.losses.count, 12)
        XCTAssertEqual(batches.map(\.count), [3, 3, 3, 1, 3, 3, 3, 1, 3, 3, 3, 1])
        var orders: [[Int]] = []
        for e in 0..<3 {
            let epoch = batches[(4 * e)..<(4 * e + 4)].flatMap { $0 }
            XCTAssertEqual(epoch.sorted(), Array(0..<n))
            orders.append(epoch)
        }
        XCTAssertNotEqual(orders[0], orders[1])
        XCTAssertNotEqual(orders[1], orders[2])
    }

    func testSnapshotsAndEarlyStop() {
        let (net, x, y) = referenceNetwork()
        let h = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2), epochs: 10, seed: 0),
                      snapshotEvery: 4)
        XCTAssertEqual(h.snapshots.map(\.step), [0, 4, 8, 10])
        XCTAssertEqual(h.snapshots.last!.prediction, net.predict(x).values)
        XCTAssertEqual(h.snapshots[0].prediction.count, 4)

        let (net2, _, _) = referenceNetwork()
        var calls = 0
        let stopped = train(net2, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2), epochs: 10, seed: 0),
                            progress: { step, total, loss in calls += 1; XCTAssertEqual(total, 10); return false })
        XCTAssertEqual(calls, 1)
        XCTAssertEqual(stopped.losses.count, 1)
        XCTAssertEqual(stopped.snapshots.map(\.step), [])

        let (net3, _, _) = referenceNetwork()
        let once = train(net3, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-2), epochs: 10, seed: 0),
                         snapshotInputs: x, progress: { _, _, _ in false })
        XCTAssertEqual(once.snapshots.map(\.step), [0, 1])
    }
}

/// `TrainingSpec.weightClip` (Rahaman et al.'s App. A.5): every weight-matrix entry within [−c, c]
/// after every step, biases untouched, and a clip no weight reaches changes no bit.
final class WeightClipTests: XCTestCase {
    func data(rows: Int) -> (Matrix<Float>, Matrix<Float>) {
        let x = Matrix<Float>(rows: rows, cols: 1, values: (0..<rows).map { Float($0) / Float(rows) })
        let y = Matrix<Float>(rows: rows, cols: 1, values: (0..<rows).map { $0 == rows / 2 ? 1 : 0 })
        return (x, y)
    }

    func testEveryWeightStaysWithinTheClipAfterEveryStep() {
        let (x, y) = data(rows: 40)
        let c = 0.05
        let net = Network<Float>(spec: NetworkSpec(widths: [1, 8, 8, 1], hidden: .relu), seed: 4)
        XCTAssertGreaterThan(net.largestWeightMagnitude, c, "the start must exceed the clip for the test to mean anything")
        var largest: [Double] = []
        _ = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 0.05), epochs: 30, seed: 0, weightClip: c),
                  snapshotEvery: 1, observe: { step in if step > 0 { largest.append(net.largestWeightMagnitude) } })
        XCTAssertEqual(largest.count, 30)
        XCTAssertTrue(largest.allSatisfy { $0 <= Double(Float(c)) }, "\(largest)")
        // Clipped entries sit on the bound; the biases are free (Adam moves them by up to lr per step).
        XCTAssertEqual(largest.last!, Double(Float(c)))
        XCTAssertGreaterThan(net.largestBiasMagnitude, c)
    }

    func testAClipNoWeightReachesChangesNothing() {
        let (x, y) = data(rows: 40)
        func run(_ clip: Double?) -> [UInt32] {
            let net = Network<Float>(spec: NetworkSpec(widths: [1, 8, 8, 1], hidden: .relu), seed: 4)
            _ = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-3), epochs: 20, seed: 0, weightClip: clip))
            return (0..<3).flatMap { net.weights(layer: $0).values + net.bias(layer: $0) }.map(\.bitPattern)
        }
        XCTAssertEqual(run(nil), run(100))
        XCTAssertNotEqual(run(nil), run(0.1))
    }

    /// The data-parallel step clips each worker's slice: the same bound, and the same weights as one thread's to rounding.
    func testDataParallelStepsClipToo() {
        let threads = BLASThreads.current
        defer { BLASThreads.set(threads) }
        let (x, y) = data(rows: 600)
        func run(_ n: Int) -> (Network<Float>, [Float]) {
            BLASThreads.set(n)
            let net = Network<Float>(spec: NetworkSpec(widths: [1, 40, 40, 1], hidden: .relu), seed: 2)
            _ = train(net, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 0.02), epochs: 10, seed: 0, weightClip: 0.1))
            return (net, (0..<3).flatMap { net.weights(layer: $0).values })
        }
        let (one, w1) = run(1), (two, w2) = run(2)
        XCTAssertEqual(two.workerGradients.count + 1, 2, "the step was not split")
        XCTAssertLessThanOrEqual(one.largestWeightMagnitude, Double(Float(0.1)))
        XCTAssertLessThanOrEqual(two.largestWeightMagnitude, Double(Float(0.1)))
        for (u, v) in zip(w1, w2) { XCTAssertEqual(u, v, accuracy: 1e-4) }
    }
}
