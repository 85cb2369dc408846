import XCTest
@testable import Learning
import Numerics

final class NetworkTests: XCTestCase {
    /// Power iteration finds the largest singular value: of a matrix with known singular values
    /// (a scaled rotation times a diagonal), of a vector layer (its Euclidean norm, exactly), and
    /// never above the true value.
    func testSpectralNorm() {
        let net = Network<Double>(layers: [LayerSpec(inputs: 1, outputs: 3, activation: .relu),
                                           LayerSpec(inputs: 3, outputs: 3, activation: .relu),
                                           LayerSpec(inputs: 3, outputs: 1, activation: .identity)], seed: 0)
        net.setParameters(layer: 0, weights: Matrix(rows: 1, cols: 3, values: [3, 4, 12]), bias: [0, 0, 0])
        // W = R · diag(5, 2, 0.5) with R a rotation by 30° in the first two axes: σ = 5, 2, 0.5.
        let c = cos(Double.pi / 6), s = sin(Double.pi / 6)
        net.setParameters(layer: 1, weights: Matrix(rows: 3, cols: 3, values: [5 * c, -2 * s, 0, 5 * s, 2 * c, 0, 0, 0, 0.5]), bias: [0, 0, 0])
        net.setParameters(layer: 2, weights: Matrix(rows: 3, cols: 1, values: [1, 2, 2]), bias: [0])
        XCTAssertEqual(net.spectralNorm(layer: 0), 13, accuracy: 1e-12)
        XCTAssertEqual(net.spectralNorm(layer: 2), 3, accuracy: 1e-12)
        // (σ₂/σ₁)^(2·10) = 0.4^20 ≈ 1e-8: ten iterations are within 1e-6 relative.
        let sigma = net.spectralNorm(layer: 1)
        XCTAssertEqual(sigma, 5, accuracy: 5e-6)
        XCTAssertLessThanOrEqual(sigma, 5 + 1e-12)
        XCTAssertLessThan(net.spectralNorm(layer: 1, iterations: 1), 5, "one iteration is visibly short of σ")
    }

    /// The specialised power iteration gives the bits of the plain one it replaced (arrays, the
    /// same operations in the same order) on a Float network: stored norms do not change.
    func testSpectralNormKeepsItsBits() {
        let net = Network<Float>(spec: NetworkSpec(widths: [1, 24, 17, 1]), seed: 3)
        for layer in 0..<3 {
            let w = net.weights(layer: layer)
            let rows = w.rows, cols = w.cols
            var v = [Double](repeating: 1 / Double(cols).squareRoot(), count: cols)
            var u = [Double](repeating: 0, count: rows)
            var sigma = 0.0
            for _ in 0..<10 {
                for i in 0..<rows { var s = 0.0; for j in 0..<cols { s += Double(w[i, j]) * v[j] }; u[i] = s }
                sigma = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for j in 0..<cols { v[j] = 0 }
                for i in 0..<rows { for j in 0..<cols { v[j] += Double(w[i, j]) * u[i] } }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for j in 0..<cols { v[j] /= norm }
            }
            var s2 = 0.0
            for i in 0..<rows { var s = 0.0; for j in 0..<cols { s += Double(w[i, j]) * v[j] }; s2 += s * s }
            XCTAssertEqual(net.spectralNorm(layer: layer).bitPattern, max(sigma, s2.squareRoot()).bitPattern, "layer \(layer)")
        }
    }

    func testInitializers() {
        let layers = [LayerSpec(inputs: 256, outputs: 128, activation: .relu)]
        let torch = Network<Double>(layers: layers, initializer: .pytorchDefault, seed: 1)
        let bound = 1 / 16.0
        let w = torch.weights(layer: 0).values
        XCTAssert(w.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(w.max()!, 0.95 * bound); XCTAssertLessThan(w.min()!, -0.95 * bound)
        XCTAssert(torch.bias(layer: 0).allSatisfy { abs($0) <= bound })
        XCTAssertNotEqual(torch.bias(layer: 0).filter { $0 != 0 }.count, 0)
        // Normal initialisers: the sample std of 32768 draws is within 2% of the target
        // (its standard error is 1/sqrt(2·32768) ≈ 0.4%); biases are zero.
        for (initializer, std) in [(Initializer.glorotNormal, (2.0 / 384).squareRoot()), (.heNormal, (2.0 / 256).squareRoot())] {
            let net = Network<Double>(layers: layers, initializer: initializer, seed: 2)
            let v = net.weights(layer: 0).values
            let mean = v.reduce(0, +) / Double(v.count)
            let sd = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
            XCTAssertEqual(sd, std, accuracy: 0.02 * std, "\(initializer)")
            XCTAssertEqual(mean, 0, accuracy: 0.03 * std)
            XCTAssertEqual(net.bias(layer: 0), Array(repeating: 0, count: 128))
        }
        // Same seed, same parameters; Float and Double draw the same values.
        let a = Network<Float>(spec: NetworkSpec(widths: [3, 4, 2]), seed: 8)
        let b = Network<Double>(spec: NetworkSpec(widths: [3, 4, 2]), seed: 8)
        XCTAssertEqual(a.weights(layer: 1).values, b.weights(layer: 1).values.map(Float.init))
        XCTAssertEqual(a.parameterCount, 3 * 4 + 4 + 4 * 2 + 2)
    }

    /// predict and lastHiddenFeatures against the same network written with Matrix products,
    /// on more rows than one inference chunk.
    func testPredictAndHiddenFeaturesMatchMatrixForm() {
        var rng = SeededGenerator(seed: 3)
        let n = Network<Double>.inferenceChunk + 37
        let x = Matrix<Double>(rows: n, cols: 2, values: (0..<(2 * n)).map { _ in rng.uniform(-1, 1) })
        let net = Network<Double>(spec: NetworkSpec(widths: [2, 8, 6, 3], hidden: .relu, output: .sigmoid), seed: 4)
        func layer(_ input: Matrix<Double>, _ l: Int, _ f: (Double) -> Double) -> Matrix<Double> {
            var z = input * net.weights(layer: l)
            let b = net.bias(layer: l)
            for r in 0..<z.rows { for c in 0..<z.cols { z[r, c] = f(z[r, c] + b[c]) } }
            return z
        }
        let h2 = layer(layer(x, 0) { max($0, 0) }, 1) { max($0, 0) }
        let out = layer(h2, 2) { 1 / (1 + exp(-$0)) }
        let features = net.lastHiddenFeatures(x), prediction = net.predict(x)
        XCTAssertEqual(features.rows, n); XCTAssertEqual(features.cols, 6)
        XCTAssertEqual(prediction.rows, n); XCTAssertEqual(prediction.cols, 3)
        for i in 0..<(n * 6) { XCTAssertEqual(features.values[i], h2.values[i], accuracy: 1e-14) }
        for i in 0..<(n * 3) { XCTAssertEqual(prediction.values[i], out.values[i], accuracy: 1e-14) }
    }

    func testBuildFromLayers() {
        let net = Network<Float>(layers: [LayerSpec(inputs: 4, outputs: 3, activation: .sin),
                                          LayerSpec(inputs: 3, outputs: 2, activation: .identity)],
                                 initializer: .heNormal, seed: 1)
        XCTAssertEqual(net.inputWidth, 4); XCTAssertEqual(net.outputWidth, 2)
        XCTAssertEqual(net.parameterCount, 4 * 3 + 3 + 3 * 2 + 2)
        XCTAssertEqual(net.predict(Matrix(rows: 5, cols: 4)).rows, 5)
    }
}
