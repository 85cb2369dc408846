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

    /// With one subnetwork at scale 1, the joint trainer is exactly the engine's `train`.
    func testJointTrainerWithOneNetworkIsTrain() {
        let data = MethodsFixtures.set(MethodsFixtures.inputs(30, seed: 1), { cos(5 * $0) }, as: Float.self)
        let spec = TrainingSpec(optimizer: .adam(learningRate: 1e-2), schedule: .exponential(initial: 1e-2, final: 1e-3),
                                batchSize: 8, epochs: 6, seed: 5)
        let layers = [LayerSpec(inputs: 1, outputs: 10, activation: .sReLU), LayerSpec(inputs: 10, outputs: 1, activation: .identity)]
        let a = Network<Float>(layers: layers, seed: 3), b = Network<Float>(layers: layers, seed: 3)
        let history = train(a, x: data.x, y: data.y, spec: spec)
        let losses = JointTrainer(networks: [b], inputs: [data.x], y: data.y, spec: spec).run(progress: nil)
        XCTAssertEqual(MethodsFixtures.bits(losses.map(Float.init)), MethodsFixtures.bits(history.losses.map(Float.init)))
        XCTAssertEqual(losses, history.losses)
        XCTAssertEqual(a.predict(data.x), b.predict(data.x))
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
