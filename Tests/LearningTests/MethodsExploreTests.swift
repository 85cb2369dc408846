import XCTest
import Numerics
@testable import Learning

final class MethodsExploreTests: XCTestCase {
    func data(_ n: Int, seed: UInt64, grid: Bool, f: (Double) -> Double) -> (x: Matrix<Float>, y: Matrix<Float>) {
        var rng = SeededGenerator(seed: seed)
        let xs = (0..<n).map { grid ? Double($0) / Double(n - 1) : rng.uniform() }
        return (Matrix(rows: n, cols: 1, values: xs.map { Float($0) }), Matrix(rows: n, cols: 1, values: xs.map { Float(f($0)) }))
    }
    func testExplore() {
        let env = ProcessInfo.processInfo.environment
        let a = Double(env["EXP_A"] ?? "5") ?? 5
        let epochs = Int(env["EXP_E"] ?? "300") ?? 300
        let width = Int(env["EXP_W"] ?? "32") ?? 32
        let batch = Int(env["EXP_B"] ?? "32") ?? 32
        let f1 = { (x: Double) in sin(2 * Double.pi * x) }
        let f = { (x: Double) in f1(x) + sin(a * Double.pi * f1(x)) }
        let train = data(300, seed: 1, grid: false, f: f)
        let test = data(500, seed: 0, grid: true, f: f)
        for seed in [UInt64(1), 2, 3] {
            let tr = MethodTraining(optimizer: .adam(learningRate: 1e-3), schedule: .exponential(initial: 1e-3, final: 1e-4),
                                    batchSize: batch, epochs: epochs, seed: seed)
            let m = fit(method: .mgdl(grades: [[width, width], [width, width]]), features: .none, training: tr,
                        train: train, validation: nil, test: test, evaluateOn: test.x)
            let s = fit(method: .sgdl(hidden: [width, width, width, width]), features: .none, training: tr,
                        train: train, validation: nil, test: test, evaluateOn: test.x)
            print("seed \(seed): MGDL test \(m.grades.map { $0.testRSE! }) \(m.seconds)s  SGDL test \(s.testRSE!) \(s.seconds)s")
        }
    }
}
