import XCTest
import Numerics
@testable import Learning

final class MethodsExploreTests: XCTestCase {
    func data(_ n: Int, seed: UInt64, grid: Bool, f: (Double) -> Double) -> (x: Matrix<Float>, y: Matrix<Float>) {
        var rng = SeededGenerator(seed: seed)
        let xs = (0..<n).map { grid ? Double($0) / Double(n - 1) * 2 - 1 : rng.uniform(-1, 1) }
        return (Matrix(rows: n, cols: 1, values: xs.map { Float($0) }), Matrix(rows: n, cols: 1, values: xs.map { Float(f($0)) }))
    }
    func testExplore() {
        let env = ProcessInfo.processInfo.environment
        let a = Double(env["EXP_A"] ?? "5") ?? 5
        let k1 = Double(env["EXP_K"] ?? "1") ?? 1
        let epochs = Int(env["EXP_E"] ?? "300") ?? 300
        let width = Int(env["EXP_W"] ?? "32") ?? 32
        let batch = Int(env["EXP_B"] ?? "0") ?? 0
        let n = Int(env["EXP_N"] ?? "200") ?? 200
        let lr0 = Double(env["EXP_LR"] ?? "1e-2") ?? 1e-2
        let kind = env["EXP_F"] ?? "sin"
        let depth = Int(env["EXP_D"] ?? "2") ?? 2
        let f1 = { (x: Double) in sin(Double.pi * k1 * x) }
        let c = Double(env["EXP_C"] ?? "1") ?? 1
        let f2: (Double) -> Double = kind == "sin" ? { c * sin(a * Double.pi * $0) } : kind == "cos" ? { c * cos(a * Double.pi * $0) } : { abs($0) < 0.5 ? 1 : 0 }
        let f = { (x: Double) in f1(x) + f2(f1(x)) }
        let train = data(n, seed: 1, grid: false, f: f)
        let test = data(500, seed: 0, grid: true, f: f)
        for seed in [UInt64(1), 2, 3] {
            let tr = MethodTraining(optimizer: .adam(learningRate: lr0), schedule: .exponential(initial: lr0, final: lr0 / 10),
                                    batchSize: batch == 0 ? nil : batch, epochs: epochs, seed: seed)
            let m = fit(method: .mgdl(grades: [[Int](repeating: width, count: depth), [Int](repeating: width, count: depth)]), features: .none, training: tr,
                        train: train, validation: nil, test: test, evaluateOn: test.x)
            let s = fit(method: .sgdl(hidden: [Int](repeating: width, count: 2 * depth)), features: .none, training: tr,
                        train: train, validation: nil, test: test, evaluateOn: test.x)
            print(String(format: "seed %d: MGDL test %.4f -> %.4f (%.1fs)  SGDL test %.4f (%.1fs) ratio %.2f", seed, m.grades[0].testRSE!, m.testRSE!, m.seconds, s.testRSE!, s.seconds, s.testRSE! / m.testRSE!))
        }
    }
}
