import XCTest
import Numerics
@testable import Learning

final class MethodsMultiGradeTests: XCTestCase {
    /// Grade l > 1 trains on exactly the frozen last-hidden (post-ReLU) features of grade l - 1,
    /// computed once, and training it leaves the earlier grades bit for bit unchanged (an
    /// implementation that kept training earlier grades, or fed them pre-activations or outputs,
    /// fails here). Grade 2's target is the residual of grade 1.
    func testLaterGradesTrainOnFrozenFeaturesOfThePreviousGrade() {
        let data = MethodsFixtures.set(MethodsFixtures.inputs(64, seed: 5), { sin(3 * $0) + 0.3 * cos(9 * $0) }, as: Float.self)
        let training = MethodTraining(optimizer: .adam(learningRate: 1e-2), schedule: .constant, batchSize: 16,
                                      epochs: 10, seed: 11)
        var inputs: [Matrix<Float>] = []
        var frozen: [(weights: [UInt32], bias: [UInt32])] = []
        let (model, records) = trainMultiGrade(
            grades: [[8, 6], [7, 5], [4]], training: training, x: data.x, y: data.y,
            reporter: StepReporter(total: 0, callback: nil),
            observe: { l, input, net in
                inputs.append(input)
                if l == 0 {
                    frozen = (0..<net.layers.count).map {
                        (MethodsFixtures.bits(net.weights(layer: $0).values), MethodsFixtures.bits(net.bias(layer: $0)))
                    }
                }
            })
        XCTAssertEqual(model.grades.count, 3)
        XCTAssertEqual(records.map(\.losses.count), [40, 40, 40])
        // Grade 1 unchanged after grades 2 and 3 trained.
        let g1 = model.grades[0]
        for layer in 0..<g1.layers.count {
            XCTAssertEqual(MethodsFixtures.bits(g1.weights(layer: layer).values), frozen[layer].weights, "layer \(layer) weights")
            XCTAssertEqual(MethodsFixtures.bits(g1.bias(layer: layer)), frozen[layer].bias, "layer \(layer) bias")
        }
        // Grade inputs: x, then the previous grade's last-hidden features of its own input.
        XCTAssertEqual(inputs[0], data.x)
        XCTAssertEqual(inputs[1].cols, 6)
        XCTAssertEqual(MethodsFixtures.bits(inputs[1].values), MethodsFixtures.bits(g1.lastHiddenFeatures(data.x).values))
        XCTAssertEqual(MethodsFixtures.bits(inputs[2].values), MethodsFixtures.bits(model.grades[1].lastHiddenFeatures(inputs[1]).values))
        XCTAssertTrue(inputs[1].values.allSatisfy { $0 >= 0 }, "post-ReLU features")
        XCTAssertTrue(inputs[1].values.contains { $0 > 0 })
        // The inference path pushes x through the same frozen features.
        XCTAssertEqual(model.gradeInputs(data.x), inputs)
        XCTAssertEqual(model.grades[1].inputWidth, 6); XCTAssertEqual(model.grades[2].inputWidth, 5)
        XCTAssertEqual(model.grades[2].layers.count, 2)
    }

    /// Full batch: grade 2's first loss is the MSE of its initial network against y - grade 1.
    func testLaterGradesFitTheResidual() {
        let data = MethodsFixtures.set(MethodsFixtures.inputs(40, seed: 6), { $0 * $0 }, as: Double.self)
        let training = MethodTraining(optimizer: .adam(learningRate: 1e-2), schedule: .constant, batchSize: nil,
                                      epochs: 5, seed: 3)
        var inputs: [Matrix<Double>] = []
        let (model, records) = trainMultiGrade(grades: [[5], [5]], training: training, x: data.x, y: data.y,
                                               reporter: StepReporter(total: 0, callback: nil),
                                               observe: { _, input, _ in inputs.append(input) })
        let fresh = Network<Double>(spec: NetworkSpec(widths: [5, 5, 1]), seed: training.componentSeeds(1).network)
        let residual = zip(data.y.values, model.grades[0].predict(data.x).values).map { $0 - $1 }
        let initial = fresh.predict(inputs[1]).values
        let mse = zip(initial, residual).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(residual.count)
        XCTAssertEqual(records[1].losses[0], mse, accuracy: 1e-12 * max(mse, 1))
    }

    /// Fang & Xu's claim on a small composite target f = f1 + f2∘f1 (f1(x) = sin πx,
    /// f2(u) = sin πu) at equal width (32) and total depth (2 grades of 2 hidden layers vs
    /// one net of 4), under the paper's protocol: every network gets the same epochs (SGDL as
    /// many as one grade), Adam with the learning rate decaying exponentially 1e-2 → 1e-3, full
    /// batch, 200 random training points, test on a 500-point grid.
    ///
    /// Robustness (measured with release builds on 150 seed/data pairs): MGDL has the lower
    /// test RSE in 97% of seeds, by a median factor of 10-20 (SGDL stalls near RSE 0.04, MGDL's
    /// second grade usually reaches ~2e-3). Here the seeds are fixed and all three must win.
    func testMGDLBeatsSGDLOnACompositeTarget() {
        let f = { (x: Double) -> Double in let u = sin(Double.pi * x); return u + sin(Double.pi * u) }
        let train = MethodsFixtures.set(MethodsFixtures.inputs(200, seed: 1), f, as: Float.self)
        let test = MethodsFixtures.set((0..<500).map { Double($0) / 499 * 2 - 1 }, f, as: Float.self)
        var ratios: [Double] = []
        for seed: UInt64 in [1, 2, 3] {
            let training = MethodTraining(optimizer: .adam(learningRate: 1e-2),
                                          schedule: .exponential(initial: 1e-2, final: 1e-3),
                                          batchSize: nil, epochs: 300, seed: seed)
            let mgdl = fit(method: .mgdl(grades: [[32, 32], [32, 32]]), features: .none, training: training,
                           train: train, validation: nil, test: test, evaluateOn: test.x)
            let sgdl = fit(method: .sgdl(hidden: [32, 32, 32, 32]), features: .none, training: training,
                           train: train, validation: nil, test: test, evaluateOn: test.x)
            XCTAssertEqual(mgdl.losses.count, 600); XCTAssertEqual(sgdl.losses.count, 300)
            XCTAssertEqual(mgdl.gradeBoundaries, [300])
            XCTAssertLessThan(mgdl.grades[1].testRSE!, mgdl.grades[0].testRSE!, "grade 2 improves on grade 1 (seed \(seed))")
            XCTAssertLessThan(mgdl.testRSE!, sgdl.testRSE!, "MGDL beats SGDL (seed \(seed))")
            ratios.append(sgdl.testRSE! / mgdl.testRSE!)
        }
        XCTAssertGreaterThan(ratios.sorted()[1], 2, "median SGDL/MGDL test RSE ratio \(ratios)")
    }
}
