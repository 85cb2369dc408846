import Foundation
import XCTest
@testable import Learning
@testable import Numerics

/// Finite-difference checks of every hand-written backward pass, in Float64.
///
/// Central differences (f(θ+h) - f(θ-h)) / 2h with h = 1e-6: the truncation error is
/// h²/6·|f'''| ≈ 1e-13 and the rounding error about ε·|f|/h ≈ 1e-16/1e-6 = 1e-10 for losses of
/// order one, so the analytic and numeric gradients agree to about 1e-10 absolute. We require a
/// relative error below 1e-6, relative to max(|analytic|, |numeric|, 1e-3): pure relative error
/// for every component larger than 1e-3, and 1e-9 absolute for the (rare) tiny ones, which is
/// still 10x the rounding noise. A sign or factor error in any backward pass fails by orders of
/// magnitude.
final class GradientCheckTests: XCTestCase {
    let h = 1e-6
    let tolerance = 1e-6

    func randomMatrix(_ rows: Int, _ cols: Int, _ rng: inout SeededGenerator, scale: Double = 1) -> Matrix<Double> {
        Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in scale * rng.uniform(-1, 1) })
    }

    /// Loss, parameter gradients and input gradients from the engine's backward pass.
    func analytic(_ net: Network<Double>, _ x: Matrix<Double>, _ y: Matrix<Double>, _ loss: Loss)
        -> (loss: Double, parameters: [Double], inputs: [Double]) {
        let ws = net.workspace(rows: x.rows)
        var inputGrad = [Double](repeating: 0, count: x.rows * x.cols)
        var value = 0.0
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeBufferPointer { yb in
                let last = net.layers.count - 1
                net.forward(ws, input: xb.baseAddress!, rows: x.rows, through: last)
                value = lossAndGradient(ws.outputs[last].pointer, yb.baseAddress!, count: y.rows * y.cols,
                                        loss: loss, grad: ws.gradA.pointer)
                inputGrad.withUnsafeMutableBufferPointer {
                    net.backward(ws, input: xb.baseAddress!, rows: x.rows, inputGradient: $0.baseAddress!)
                }
            }
        }
        return (value, Array(UnsafeBufferPointer(start: net.gradients.pointer, count: net.parameterCount)), inputGrad)
    }

    func networkLoss(_ net: Network<Double>, _ x: Matrix<Double>, _ y: Matrix<Double>, _ loss: Loss) -> Double {
        let f = net.predict(x)
        return f.withUnsafeBufferPointer { fb in
            y.withUnsafeBufferPointer { yb in Learning.lossValue(fb.baseAddress!, yb.baseAddress!, count: fb.count, loss: loss) }
        }
    }

    func assertClose(_ a: Double, _ n: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let rel = abs(a - n) / max(abs(a), abs(n), 1e-3)
        XCTAssertLessThan(rel, tolerance, "\(what): analytic \(a), numeric \(n)", file: file, line: line)
    }

    /// Checks d loss / d θ for every parameter and d loss / d x for every input.
    func check(_ net: Network<Double>, _ x: Matrix<Double>, _ y: Matrix<Double>, _ loss: Loss, _ label: String,
               file: StaticString = #filePath, line: UInt = #line) {
        let (value, grads, inputGrads) = analytic(net, x, y, loss)
        XCTAssertEqual(value, networkLoss(net, x, y, loss), accuracy: 1e-14 * max(1, value))
        let p = net.parameters.pointer
        for i in 0..<net.parameterCount {
            let saved = p[i]
            p[i] = saved + h; let up = networkLoss(net, x, y, loss)
            p[i] = saved - h; let down = networkLoss(net, x, y, loss)
            p[i] = saved
            assertClose(grads[i], (up - down) / (2 * h), "\(label) parameter \(i)", file: file, line: line)
        }
        for i in 0..<(x.rows * x.cols) {
            var xu = x, xd = x
            xu.withUnsafeMutableBufferPointer { $0[i] += h }
            xd.withUnsafeMutableBufferPointer { $0[i] -= h }
            let numeric = (networkLoss(net, xu, y, loss) - networkLoss(net, xd, y, loss)) / (2 * h)
            assertClose(inputGrads[i], numeric, "\(label) input \(i)", file: file, line: line)
        }
    }

    /// One dense layer (weights, biases, inputs) for every activation, under the MSE loss.
    func testDenseLayerEveryActivation() {
        for activation in Activation.allCases {
            var rng = SeededGenerator(seed: 21)
            let net = Network<Double>(layers: [LayerSpec(inputs: 3, outputs: 4, activation: activation)], seed: 1)
            let x = randomMatrix(5, 3, &rng), y = randomMatrix(5, 4, &rng, scale: 0.5)
            check(net, x, y, .mse, "dense \(activation)")
        }
    }

    /// Layers wider than one 16-lane vector (plus a remainder), so both the vector and the
    /// scalar paths of every elementwise kernel are checked.
    func testWideLayersEveryActivation() {
        for activation in Activation.allCases {
            var rng = SeededGenerator(seed: 24)
            let net = Network<Double>(layers: [LayerSpec(inputs: 2, outputs: 19, activation: activation),
                                               LayerSpec(inputs: 19, outputs: 17, activation: activation),
                                               LayerSpec(inputs: 17, outputs: 1, activation: .identity)], seed: 5)
            check(net, randomMatrix(3, 2, &rng), randomMatrix(3, 1, &rng), .mse, "wide \(activation)")
        }
    }

    /// Both losses on an identity layer, and the loss kernel alone against differences of the loss.
    func testLosses() {
        for loss in Loss.allCases {
            var rng = SeededGenerator(seed: 22)
            let net = Network<Double>(layers: [LayerSpec(inputs: 2, outputs: 3, activation: .identity)], seed: 2)
            check(net, randomMatrix(6, 2, &rng), randomMatrix(6, 3, &rng), loss, "loss \(loss)")

            var f = (0..<7).map { _ in rng.uniform(-2, 2) }
            let y = (0..<7).map { _ in rng.uniform(-2, 2) }
            var g = [Double](repeating: 0, count: 7)
            _ = lossAndGradient(f, y, count: 7, loss: loss, grad: &g)
            for i in 0..<7 {
                let saved = f[i]
                f[i] = saved + h; let up = Learning.lossValue(f, y, count: 7, loss: loss)
                f[i] = saved - h; let down = Learning.lossValue(f, y, count: 7, loss: loss)
                f[i] = saved
                assertClose(g[i], (up - down) / (2 * h), "loss kernel \(loss) \(i)")
            }
        }
        // Values: mse = mean of squares, half_mse = mse / 2.
        XCTAssertEqual(Learning.lossValue([1, 2] as [Double], [0, 0], count: 2, loss: .mse), 2.5)
        XCTAssertEqual(Learning.lossValue([1, 2] as [Double], [0, 0], count: 2, loss: .halfMSE), 1.25)
    }

    /// BCE with logits: the values of the definition −y log σ(z) − (1 − y) log(1 − σ(z)), no
    /// overflow for large |z|, and a whole ReLU network checked by finite differences on 0/1 labels.
    func testBinaryCrossEntropyWithLogits() {
        let log2 = Foundation.log(2.0)
        XCTAssertEqual(Learning.lossValue([0, 0] as [Double], [1, 0], count: 2, loss: .bce), log2, accuracy: 1e-15)
        // z = 2, y = 1: log(1 + e^-2); z = -3, y = 0.25: −0.25 log σ(−3) − 0.75 log σ(3)
        // = 0.25·(3 + log(1 + e^-3)) + 0.75·log(1 + e^-3) = 0.75 + log(1 + e^-3) (mean of the two).
        let expected = (Foundation.log1p(Foundation.exp(-2)) + 0.75 + Foundation.log1p(Foundation.exp(-3))) / 2
        XCTAssertEqual(Learning.lossValue([2, -3] as [Double], [1, 0.25], count: 2, loss: .bce), expected, accuracy: 1e-14)
        // Large logits: finite (a naive log σ(z) gives -inf at z = -800).
        XCTAssertEqual(Learning.lossValue([-800] as [Double], [1], count: 1, loss: .bce), 800, accuracy: 1e-9)
        XCTAssertEqual(Learning.lossValue([800] as [Double], [1], count: 1, loss: .bce), 0, accuracy: 1e-12)
        var g: [Float] = [0, 0]
        _ = lossAndGradient([Float(-800), 800], [Float(1), 1], count: 2, loss: .bce, grad: &g)
        XCTAssertEqual(g[0], -0.5, accuracy: 1e-7)   // (σ(-800) - 1) / 2
        XCTAssertEqual(g[1], 0, accuracy: 1e-7)
        var rng = SeededGenerator(seed: 25)
        let net = Network<Double>(spec: NetworkSpec(widths: [3, 6, 5, 1], hidden: .relu, output: .identity), seed: 4)
        let labels = Matrix<Double>(rows: 8, cols: 1, values: (0..<8).map { _ in rng.uniform(0, 1) < 0.5 ? 0 : 1 })
        check(net, randomMatrix(8, 3, &rng), labels, .bce, "mlp relu/identity bce")
    }

    /// Whole multilayer perceptrons: several hidden activations, sigmoid and identity outputs.
    func testWholeNetworks() {
        let cases: [(Activation, Activation, Loss)] = [(.tanh, .sigmoid, .mse), (.relu, .identity, .halfMSE),
                                                       (.sin, .identity, .mse), (.sigmoid, .tanh, .halfMSE)]
        for (hidden, output, loss) in cases {
            var rng = SeededGenerator(seed: 23)
            let net = Network<Double>(spec: NetworkSpec(widths: [3, 5, 4, 2], hidden: hidden, output: output,
                                                        initializer: .glorotNormal), seed: 3)
            // Non-zero biases, so their gradients are exercised away from the initial zero.
            for l in 0..<net.layers.count {
                net.setParameters(layer: l, weights: net.weights(layer: l),
                                  bias: (0..<net.layers[l].outputs).map { _ in rng.uniform(-0.5, 0.5) })
            }
            check(net, randomMatrix(7, 3, &rng), randomMatrix(7, 2, &rng, scale: 0.8), loss, "mlp \(hidden)/\(output)")
        }
    }

    /// The remedies' engine variations: MscaleDNN-1's first-layer unit scales, the globally
    /// adaptive activation's slope (every hidden activation, slope moved off its initial 1/n so
    /// n·a ≠ 1), and both together; 19 and 17 units so vector and scalar paths both run.
    func testRemedyOptions() {
        let scales = (0..<19).map { [1.0, 2.0, 4.0, 8.0][$0 * 4 / 19] }
        var cases: [(Activation, NetworkOptions, String)] = [(.relu, NetworkOptions(firstLayerUnitScales: scales), "unit scales relu"),
                                                             (.s2ReLU, NetworkOptions(firstLayerUnitScales: scales), "unit scales s2relu")]
        for activation in Activation.allCases {
            cases.append((activation, NetworkOptions(adaptiveActivationFactor: 10), "adaptive \(activation)"))
        }
        cases.append((.tanh, NetworkOptions(firstLayerUnitScales: scales, adaptiveActivationFactor: 5), "both tanh"))
        for (activation, options, label) in cases {
            var rng = SeededGenerator(seed: 26)
            let net = Network<Double>(layers: [LayerSpec(inputs: 2, outputs: 19, activation: activation),
                                               LayerSpec(inputs: 19, outputs: 17, activation: activation),
                                               LayerSpec(inputs: 17, outputs: 1, activation: .identity)],
                                      initializer: .glorotNormal, seed: 6, options: options)
            if let slope = net.slopeIndex {
                XCTAssertEqual(net.adaptiveSlope!, 1 / options.adaptiveActivationFactor!, accuracy: 1e-15)
                XCTAssertEqual(slope, net.parameterCount - 1)
                net.parameters.pointer[slope] = 0.13
            }
            // s2ReLU is compactly supported on (0, 1): small inputs keep most units inside.
            let scale = activation == .s2ReLU || activation == .sReLU ? 0.1 : 1
            check(net, randomMatrix(4, 2, &rng, scale: scale), randomMatrix(4, 1, &rng), .mse, label)
        }
        // The options change the function: f(s·xW + b) is f((s·x)W + b), and f(n·a·z).
        var rng = SeededGenerator(seed: 27)
        let x = randomMatrix(5, 1, &rng)
        let scaledNet = Network<Double>(layers: [LayerSpec(inputs: 1, outputs: 4, activation: .tanh),
                                                 LayerSpec(inputs: 4, outputs: 1, activation: .identity)],
                                        seed: 7, options: NetworkOptions(firstLayerUnitScales: [3, 3, 3, 3]))
        let plainNet = Network<Double>(layers: scaledNet.layers, seed: 7)
        let tripled = Matrix(rows: 5, cols: 1, values: x.values.map { 3 * $0 })
        for (a, b) in zip(scaledNet.predict(x).values, plainNet.predict(tripled).values) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        let adaptiveNet = Network<Double>(layers: scaledNet.layers, seed: 7, options: NetworkOptions(adaptiveActivationFactor: 4))
        for (a, b) in zip(adaptiveNet.predict(x).values, plainNet.predict(x).values) { XCTAssertEqual(a, b, accuracy: 1e-14) }
        adaptiveNet.parameters.pointer[adaptiveNet.slopeIndex!] = 0.5   // n·a = 2: tanh(2z)
        let z = plainNet.outputs(of: 0, x).values.map { Foundation.atanh($0) }   // plain hidden layer: tanh(z)
        let w = plainNet.weights(layer: 1).values, b = plainNet.bias(layer: 1)[0]
        for r in 0..<5 {
            let expected = (0..<4).reduce(b) { $0 + w[$1] * Foundation.tanh(2 * z[r * 4 + $1]) }
            XCTAssertEqual(adaptiveNet.predict(x).values[r], expected, accuracy: 1e-12)
        }
    }
}
