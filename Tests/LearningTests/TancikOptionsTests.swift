import XCTest
import Numerics
@testable import Learning

/// Tancik et al.'s image protocol as their code has it: the positional encoding
/// b = 2^linspace(0, σ_p, m) − 1 per axis, and an SGDL network ending in a sigmoid.
final class TancikOptionsTests: XCTestCase {
    func testPositionalPowersAreTwoToTheLinspaceMinusOne() {
        // σ_p = 2, m = 3: linspace(0, 2, 3) = 0, 1, 2, so b = 0, 1, 3.
        let mapping = FeatureMapping.positionalPowers(exponent: 2, count: 3)
        let b = try! XCTUnwrap(mapping.frequencies(inputWidth: 2))
        XCTAssertEqual(b.rows, 6); XCTAssertEqual(b.cols, 2)
        let expected: [Double] = [0, 0,  1, 0,  3, 0,    // axis x (rows 0..<3)
                                  0, 0,  0, 1,  0, 3]    // axis y (rows 3..<6)
        XCTAssertEqual(b.values, expected)
        XCTAssertEqual(mapping.outputWidth(inputWidth: 2), 12)
        // 1-D, v = 0.3: cos then sin of 2π·b·v.
        let g = mapping.apply(Matrix<Double>(rows: 1, cols: 1, values: [0.3]))
        for (j, f) in [0.0, 1, 3].enumerated() {
            XCTAssertEqual(g[0, j], cos(2 * Double.pi * f * 0.3), accuracy: 1e-14)
            XCTAssertEqual(g[0, 3 + j], sin(2 * Double.pi * f * 0.3), accuracy: 1e-14)
        }
        // The paper's natural-image setting: σ_p = 6, m = 128 on (x, y): 512 features, the top
        // frequency 2⁶ − 1 = 63.
        let paper = FeatureMapping.positionalPowers(exponent: 6, count: 128)
        XCTAssertEqual(paper.outputWidth(inputWidth: 2), 512)
        let top = try! XCTUnwrap(paper.frequencies(inputWidth: 2))
        XCTAssertEqual(top[127, 0], 63, accuracy: 1e-12)
        XCTAssertEqual(top[1, 0], pow(2, 6.0 / 127) - 1, accuracy: 1e-15)
        XCTAssertEqual(FeatureMapping.positionalPowers(exponent: 5, count: 1).frequencies(inputWidth: 1)!.values, [0])
    }

    /// Untrained (0 epochs), the same seed gives the same network; with a sigmoid output its
    /// prediction is the sigmoid of the identity-output prediction, to float rounding.
    func testSigmoidOutputIsTheSigmoidOfTheLinearOutput() {
        var rng = SeededGenerator(seed: 5)
        let x = Matrix<Double>(rows: 12, cols: 2, values: (0..<24).map { _ in rng.uniform(0, 1) })
        let y = Matrix<Double>(rows: 12, cols: 3, values: (0..<36).map { _ in rng.uniform(0, 1) })
        func predict(_ output: Activation, epochs: Int) -> [Double] {
            var training = MethodTraining(optimizer: .adam(learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8),
                                          schedule: .constant, batchSize: nil, epochs: epochs, seed: 3,
                                          initializer: .glorotNormal)
            training.outputActivation = output
            return fit(method: .sgdl(hidden: [16, 16]), features: .gaussian(scale: 2, count: 8, seed: 1), training: training,
                       train: (x, y), validation: nil, test: nil, evaluateOn: x).prediction
        }
        let linear = predict(.identity, epochs: 0), squashed = predict(.sigmoid, epochs: 0)
        XCTAssertEqual(linear.count, 36)
        XCTAssertTrue(linear.contains { $0 < 0 || $0 > 1 }, "the linear output should leave [0, 1] somewhere: \(linear)")
        for (z, s) in zip(linear, squashed) { XCTAssertEqual(s, 1 / (1 + exp(-z)), accuracy: 1e-12) }
        // Trained, the sigmoid output stays inside (0, 1).
        let trained = predict(.sigmoid, epochs: 50)
        XCTAssertTrue(trained.allSatisfy { $0 > 0 && $0 < 1 })
        XCTAssertNotEqual(trained, squashed)
    }
}
