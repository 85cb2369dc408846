import XCTest
import Numerics
@testable import Learning

/// MscaleDNN-1 and globally adaptive activations against plain networks, where their papers say
/// they help: fitting a function with a higher-frequency component, x·sin(2π·4x) on 64 grid
/// points of [−1, 1), 300 full-batch Adam epochs at 3·10⁻³, Float32, seeds 1 and 2 (the same seed
/// gives every network the same draws where shapes agree). Numbers in the comments are train RSEs
/// measured on seeds 1, 2, 3, 4 (about 5 CPU-seconds in debug for all four tests' eight fits).
final class MethodsRemediesTests: XCTestCase {
    let f = { (x: Double) in x * sin(2 * Double.pi * 4 * x) }
    var train: (x: Matrix<Float>, y: Matrix<Float>) { MethodsFixtures.set((0..<64).map { -1 + 2 * Double($0) / 64 }, f) }

    func rse(_ method: Method, seed: UInt64) -> Double {
        let training = MethodTraining(optimizer: .adam(learningRate: 3e-3), schedule: .constant, batchSize: nil, epochs: 300, seed: seed)
        return fit(method: method, features: .none, training: training, train: train, validation: nil, test: nil,
                   evaluateOn: train.x).trainRSE
    }

    /// The same tanh network `[1, 20, 20, 1]` with a fixed slope (the plain network of Jagtap et al.'s comparison).
    func plainTanhRSE(seed: UInt64) -> Double {
        let training = MethodTraining(optimizer: .adam(learningRate: 3e-3), schedule: .constant, batchSize: nil, epochs: 300, seed: seed)
        let data = train
        let model = trainSingleNetwork(hidden: [20, 20], activation: .tanh, options: NetworkOptions(), training: training,
                                       x: data.x, y: data.y, steps: 300, recorder: nil, progress: nil)
        return relativeSquaredError(model.outputs(data.x)[0].values.map { Double($0) }, data.y)
    }

    /// Jagtap et al.: the adaptive slope (n = 10, a from 1/10) accelerates convergence over the
    /// same tanh network with the slope fixed at 1 (same initial weights). Measured: adaptive
    /// 0.46, 0.55, 0.32, 0.24; fixed 0.95, 0.95, 0.95, 0.89 (1.7x to 3.7x); we require 1.5x.
    func testAdaptiveActivationConvergesFasterThanAPlainTanhNetwork() {
        for seed in UInt64(1)...2 {
            let plain = plainTanhRSE(seed: seed)
            let adaptive = rse(.adaptive(hidden: [20, 20], activation: .tanh, factor: 10), seed: seed)
            XCTAssertLessThan(adaptive * 1.5, plain, "seed \(seed): adaptive \(adaptive), plain \(plain)")
        }
    }

    /// Liu, Cai & Xu: MscaleDNN-1 (s2ReLU, first-layer groups scaled 1, 2, 4, 8) converges much
    /// faster than a plain ReLU network of the same widths. Measured: 0.0035, 0.0032, 0.0054,
    /// 0.0010 against 0.66, 0.75, 0.72, 0.86 (we require 20x); and, less strongly, faster than
    /// the same s2ReLU network without the scales (0.041, 0.0052, 0.0078, 0.011: 1.4x to 12x):
    /// we require the scaled runs' total below the unscaled ones'.
    func testMscaleGroupsBeatAPlainNetwork() {
        var scaledTotal = 0.0, unscaledTotal = 0.0
        for seed in UInt64(1)...2 {
            let scaled = rse(.mscaleGroups(scales: [1, 2, 4, 8], hidden: [32, 32], activation: .s2ReLU), seed: seed)
            let plain = rse(.sgdl(hidden: [32, 32]), seed: seed)
            XCTAssertLessThan(scaled * 20, plain, "seed \(seed): mscale-1 \(scaled), plain \(plain)")
            scaledTotal += scaled
            unscaledTotal += rse(.mscaleGroups(scales: [1], hidden: [32, 32], activation: .s2ReLU), seed: seed)
        }
        XCTAssertLessThan(scaledTotal, unscaledTotal)
    }

    /// The group split: consecutive groups of (nearly) equal size.
    func testGroupScales() {
        XCTAssertEqual(Method.groupScales([1, 2, 4], units: 7), [1, 1, 1, 2, 2, 4, 4])
        XCTAssertEqual(Method.groupScales([3], units: 2), [3, 3])
    }
}
