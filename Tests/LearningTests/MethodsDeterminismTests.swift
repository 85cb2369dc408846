import XCTest
import Numerics
@testable import Learning

final class MethodsDeterminismTests: XCTestCase {
    let train = MethodsFixtures.set(MethodsFixtures.inputs(48, seed: 2), { sin(4 * $0) + 0.2 * $0 }, as: Float.self)
    let validation = MethodsFixtures.set(MethodsFixtures.inputs(16, seed: 3), { sin(4 * $0) + 0.2 * $0 }, as: Float.self)
    let test = MethodsFixtures.set(MethodsFixtures.inputs(16, seed: 4), { sin(4 * $0) + 0.2 * $0 }, as: Float.self)

    func run(_ method: Method, _ features: FeatureMapping, seed: UInt64) -> MethodResult {
        let training = MethodTraining(optimizer: .adam(learningRate: 5e-3),
                                      schedule: .exponential(initial: 5e-3, final: 1e-3),
                                      batchSize: 16, epochs: 8, seed: seed)
        return fit(method: method, features: features, training: training, train: train,
                   validation: validation, test: test, evaluateOn: test.x)
    }

    /// Everything but the wall times, as bits.
    func fingerprint(_ r: MethodResult) -> [UInt64] {
        var v = r.prediction + r.losses + [r.trainRSE, r.validationRSE!, r.testRSE!, Double(r.parameterCount)]
        for g in r.grades { v += g.output + [g.trainRSE, g.validationRSE!, g.testRSE!, Double(g.parameterCount)] }
        return MethodsFixtures.bits(v)
    }

    /// The same seed gives the same bits twice; another training seed gives another result.
    func testSameSeedSameResult() {
        let cases: [(Method, FeatureMapping)] = [
            (.mgdl(grades: [[8, 8], [8]]), .gaussian(scale: 2, count: 4, seed: 9)),
            (.sgdl(hidden: [8, 8]), .positional(scale: 4, count: 2)),
            (.mscale(scales: [1, 2, 4], hidden: [6], activation: .s2ReLU), .none),
            (.multistage(stages: 2, hidden: [6]), .basic),
        ]
        for (method, features) in cases {
            let a = run(method, features, seed: 21), b = run(method, features, seed: 21)
            XCTAssertEqual(fingerprint(a), fingerprint(b), "\(method)")
            XCTAssertNotEqual(fingerprint(a), fingerprint(run(method, features, seed: 22)), "\(method)")
        }
    }

    /// Bookkeeping of the result: grade outputs add up to the prediction, RSEs of the summed
    /// model, boundaries, parameter counts, the feature mapping in front of every grade.
    func testResultBookkeeping() {
        let r = run(.mgdl(grades: [[8, 8], [8]]), .gaussian(scale: 2, count: 4, seed: 9), seed: 21)
        XCTAssertEqual(r.grades.map(\.index), [0, 1])
        XCTAssertEqual(r.gradeBoundaries, [24])                      // 8 epochs x 3 batches
        XCTAssertEqual(r.losses.count, 48)
        // Grade 1 takes the 8 Fourier features, grade 2 the 8 last-hidden features.
        XCTAssertEqual(r.grades.map(\.parameterCount), [8 * 8 + 8 + 8 * 8 + 8 + 8 + 1, 8 * 8 + 8 + 8 + 1])
        XCTAssertEqual(r.parameterCount, r.grades[0].parameterCount + r.grades[1].parameterCount)
        for i in 0..<r.prediction.count {
            XCTAssertEqual(r.grades[0].output[i] + r.grades[1].output[i], r.prediction[i], accuracy: 1e-6)
        }
        // Final RSE is the last grade's cumulative RSE, and matches the prediction on `test`.
        XCTAssertEqual(r.testRSE, r.grades[1].testRSE)
        let num = zip(test.y.values, r.prediction).map { (Double($0) - $1) * (Double($0) - $1) }.reduce(0, +)
        let den = test.y.values.map { Double($0) * Double($0) }.reduce(0, +)
        XCTAssertEqual(r.testRSE!, num / den, accuracy: 1e-6 * num / den)
        // Stopping through `progress` keeps the grades trained so far.
        let training = MethodTraining(optimizer: .adam(learningRate: 5e-3), schedule: .constant, batchSize: nil,
                                      epochs: 4, seed: 1)
        var calls: [(Int, Int)] = []
        let stopped = fit(method: .mgdl(grades: [[4], [4], [4]]), features: .none, training: training, train: train,
                          validation: nil, test: nil, evaluateOn: test.x,
                          progress: { step, total, _ in calls.append((step, total)); return false })
        XCTAssertEqual(stopped.grades.count, 1)
        XCTAssertEqual(calls.first?.1, 12)
        XCTAssertNil(stopped.testRSE)
    }
}
