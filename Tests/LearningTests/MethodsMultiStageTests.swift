import XCTest
import Numerics
@testable import Learning

final class MethodsMultiStageTests: XCTestCase {
    /// Wang & Lai's claim, small: on sin(2π·3x) + 0.5 sin(2π·17x) (Float64, 200 grid points on
    /// [0, 1)), stage 1 (tanh) gets the 3-cycle part only (RSE ≈ 0.2); stage 2, whose sin first
    /// layer is tuned to the residual's 17 cycles, removes most of the rest. The last stage must
    /// cut the RSE at least 100x on train and on the interleaved test points (release runs: about
    /// 1e9x on train and 3000x on test).
    func testMultiStageCutsTheErrorByOrdersOfMagnitude() {
        let f = { (x: Double) in sin(2 * Double.pi * 3 * x) + 0.5 * sin(2 * Double.pi * 17 * x) }
        let train = MethodsFixtures.set(MethodsFixtures.inputs(200, seed: nil, low: 0, high: 1), f, as: Double.self)
        let test = MethodsFixtures.set((0..<200).map { (Double($0) + 0.5) / 200 }, f, as: Double.self)
        let training = MethodTraining(optimizer: .adam(learningRate: 1e-2),
                                      schedule: .exponential(initial: 1e-2, final: 1e-4),
                                      batchSize: nil, epochs: 1000, seed: 1)
        let result = fit(method: .multistage(stages: 3, hidden: [20, 20]), features: .none, training: training,
                         train: train, validation: nil, test: test, evaluateOn: test.x)
        XCTAssertEqual(result.grades.count, 3)
        let first = result.grades[0], last = result.grades[2]
        XCTAssertGreaterThan(first.trainRSE / last.trainRSE, 100, "train RSE \(result.grades.map(\.trainRSE))")
        XCTAssertGreaterThan(first.testRSE! / last.testRSE!, 100, "test RSE \(result.grades.map { $0.testRSE! })")
        // The stages' weighted outputs add up to the prediction; later stages are small corrections.
        for i in 0..<result.prediction.count {
            XCTAssertEqual(result.grades.map { $0.output[i] }.reduce(0, +), result.prediction[i], accuracy: 1e-12)
        }
        let rms = { (v: [Double]) in (v.map { $0 * $0 }.reduce(0, +) / Double(v.count)).squareRoot() }
        XCTAssertLessThan(rms(result.grades[2].output), rms(result.grades[1].output))
        XCTAssertEqual(result.parameterCount, 3 * (20 + 20 + 400 + 20 + 21))
    }

    /// The first-layer frequency comes from the residual's dominant FFT bin, in cycles per unit.
    func testDominantFrequencyOfAResidual() {
        let xs = MethodsFixtures.inputs(256, seed: nil, low: 0, high: 2)
        let grid = MethodsFixtures.set(xs, { 0.2 * sin(2 * Double.pi * 3 * $0) + 0.5 * cos(2 * Double.pi * 17 * $0) + 4 }, as: Double.self)
        // 256 points spanning [0, 2 - 2/256]: h = 2/256, bins 1/(n h) = 1/2 cycle per unit apart.
        XCTAssertEqual(dominantFrequency(grid.x, grid.y), 17, accuracy: 1e-9)
        // Scattered samples are interpolated onto a grid first.
        let scattered = MethodsFixtures.set(MethodsFixtures.inputs(400, seed: 9, low: 0, high: 1),
                                            { sin(2 * Double.pi * 11 * $0) }, as: Double.self)
        XCTAssertEqual(dominantFrequency(scattered.x, scattered.y), 11, accuracy: 1)
    }
}
