import XCTest
import Numerics
@testable import Learning

final class LBFGSTests: XCTestCase {
    /// A linear least-squares problem (one identity layer): L-BFGS reaches the exact solution to
    /// rounding, and the loss it reports falls monotonically (More–Thuente keeps sufficient decrease).
    func testLinearLeastSquaresToRounding() {
        var rng = SeededGenerator(seed: 4)
        let x = Matrix<Double>(rows: 30, cols: 3, values: (0..<90).map { _ in rng.uniform(-1, 1) })
        let w = [0.5, -2.0, 1.25], b = 0.75
        let y = Matrix<Double>(rows: 30, cols: 1, values: (0..<30).map { r in b + (0..<3).reduce(0) { $0 + w[$1] * x[r, $1] } })
        let net = Network<Double>(layers: [LayerSpec(inputs: 3, outputs: 1, activation: .identity)], seed: 1)
        let outcome = refineWithLBFGS(net, x: x, y: y, loss: .mse, iterations: 100)
        for (a, e) in zip(net.weights(layer: 0).values, w) { XCTAssertEqual(a, e, accuracy: 1e-9) }
        XCTAssertEqual(net.bias(layer: 0)[0], b, accuracy: 1e-9)
        XCTAssertLessThan(outcome.losses.last!, 1e-20)
        for (a, c) in zip(outcome.losses, outcome.losses.dropFirst()) { XCTAssertLessThanOrEqual(c, a) }
        XCTAssertGreaterThanOrEqual(outcome.evaluations, outcome.losses.count)
    }

    /// The gradient libLBFGS is given is the engine's full-batch gradient: after a Float network
    /// is refined its loss is below the start, and the iteration cap is respected.
    func testRefinesANetworkWithinItsIterationCap() {
        let xs = (0..<64).map { Double($0) / 64 }
        let x = Matrix<Float>(rows: 64, cols: 1, values: xs.map { Float($0) })
        let y = Matrix<Float>(rows: 64, cols: 1, values: xs.map { Float(sin(2 * Double.pi * $0)) })
        let net = Network<Float>(spec: NetworkSpec(widths: [1, 12, 1], hidden: .tanh), seed: 3)
        let before = fullBatchGradient(net, x: x, y: y, loss: .mse)
        let outcome = refineWithLBFGS(net, x: x, y: y, loss: .mse, iterations: 20)
        XCTAssertLessThanOrEqual(outcome.losses.count, 20)
        XCTAssertLessThan(fullBatchGradient(net, x: x, y: y, loss: .mse), before / 10)
    }

    /// A FLOP budget counts evaluations: with `maxEvaluations` the refinement stops at the end of
    /// the iteration that reached it (never short of it unless converged, never more than one line
    /// search beyond), while the iteration cap alone lets it run on.
    func testEvaluationLimitStopsAtTheIterationThatReachesIt() {
        let xs = (0..<64).map { Double($0) / 64 }
        let x = Matrix<Double>(rows: 64, cols: 1, values: xs)
        let y = Matrix<Double>(rows: 64, cols: 1, values: xs.map { sin(6 * Double.pi * $0) })
        let free = refineWithLBFGS(Network<Double>(spec: NetworkSpec(widths: [1, 12, 1], hidden: .tanh), seed: 3),
                                   x: x, y: y, loss: .mse, iterations: 200)
        XCTAssertGreaterThan(free.evaluations, 30)
        let limited = refineWithLBFGS(Network<Double>(spec: NetworkSpec(widths: [1, 12, 1], hidden: .tanh), seed: 3),
                                      x: x, y: y, loss: .mse, iterations: 200, maxEvaluations: 20)
        XCTAssertGreaterThanOrEqual(limited.evaluations, 20)
        XCTAssertLessThanOrEqual(limited.evaluations, 20 + 40)
        XCTAssertLessThan(limited.losses.count, free.losses.count)
        // The same path as the free run up to the stop.
        XCTAssertEqual(Array(free.losses.prefix(limited.losses.count)), limited.losses)
    }
}
