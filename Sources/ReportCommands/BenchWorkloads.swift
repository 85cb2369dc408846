import Learning
import Numerics
#if canImport(Glibc)
import Glibc
#endif

/// The peer benchmark workloads (`../shared/bench/peers/common.py`), rebuilt with our engine:
/// same shapes, formulas, step counts and warm-up, Adam lr 1e-3, MSE, PyTorch-default init,
/// float32. Random data come from `SeededGenerator` (numpy's generator is not reproducible from
/// Swift), so the values differ from the peers' while their distributions are the same.
struct BenchWorkload {
    let name: String
    let widths: [Int]
    let output: Activation
    /// Points per step (full batch) or batch size (minibatch).
    let batch: Int
    /// Samples (minibatch workloads).
    let samples: Int
    let minibatch: Bool
    /// Timed steps (full batch) or epochs (minibatch).
    let count: Int
    /// Warm-up steps (full batch) or epochs (minibatch).
    let warmup: Int
    let inferPoints: Int
    let inferReps: Int

    static let all: [BenchWorkload] = [
        BenchWorkload(name: "rahaman", widths: [1] + Array(repeating: 256, count: 6) + [1], output: .identity,
                      batch: 200, samples: 200, minibatch: false, count: 2000, warmup: 50, inferPoints: 0, inferReps: 0),
        BenchWorkload(name: "mgdl_full", widths: [256, 256, 256, 1], output: .identity,
                      batch: 6000, samples: 6000, minibatch: false, count: 1000, warmup: 20, inferPoints: 0, inferReps: 0),
        BenchWorkload(name: "mgdl_mb", widths: [256, 256, 256, 1], output: .identity,
                      batch: 256, samples: 6000, minibatch: true, count: 100, warmup: 1, inferPoints: 0, inferReps: 0),
        BenchWorkload(name: "ffn", widths: [512, 256, 256, 256, 256, 3], output: .sigmoid,
                      batch: 16384, samples: 16384, minibatch: false, count: 500, warmup: 10,
                      inferPoints: 65536, inferReps: 5),
    ]

    static func named(_ name: String) -> BenchWorkload? { all.first { $0.name == name } }

    /// Sum of fan_in x fan_out (multiply-accumulates of one forward pass for one point).
    var macs: Int { zip(widths.dropLast(), widths.dropFirst()).map { $0 * $1 }.reduce(0, +) }

    var stepsPerEpoch: Int { minibatch ? (samples + batch - 1) / batch : 1 }

    /// Points per step (averaged over the uneven last batch for minibatches).
    var pointsPerStep: Double { minibatch ? Double(samples) / Double(stepsPerEpoch) : Double(batch) }
}

/// Training data of a workload: x, y and, for ffn, the full coordinates and Fourier matrix.
struct BenchData {
    var x: Matrix<Float>
    var y: Matrix<Float>
    var fullCoordinates: Matrix<Float>?
    var fourierMatrix: Matrix<Float>?   // m x 2

    static func make(_ w: BenchWorkload) -> BenchData {
        switch w.name {
        case "rahaman":
            var rng = SeededGenerator(seed: 0)
            let n = 200
            let ks = stride(from: 5, through: 50, by: 5).map(Double.init)
            let phi = ks.map { _ in rng.uniform(0, 2 * Double.pi) }
            var x = Matrix<Float>(rows: n, cols: 1), y = Matrix<Float>(rows: n, cols: 1)
            for i in 0..<n {
                let z = Double(i) / Double(n - 1)
                var s = 0.0
                for (k, p) in zip(ks, phi) { s += sin(2 * Double.pi * k * z + p) }
                x[i, 0] = Float(z); y[i, 0] = Float(s)
            }
            return BenchData(x: x, y: y)
        case "mgdl_full", "mgdl_mb":
            var rng = SeededGenerator(seed: 1)
            let n = 6000, d = 256
            let x = Matrix<Float>(rows: n, cols: d, values: (0..<(n * d)).map { _ in Float(rng.normal()) })
            let v = (0..<d).map { _ in Float(rng.normal()) / Float(d).squareRoot() }
            var y = Matrix<Float>(rows: n, cols: 1)
            for i in 0..<n {
                var dot: Float = 0
                for j in 0..<d { dot += x[i, j] * v[j] }
                y[i, 0] = sin(3 * dot)
            }
            return BenchData(x: x, y: y)
        default:
            var rng = SeededGenerator(seed: 2)
            let side = 256, m = 256, scale = 10.0
            var img = [Double](repeating: 0, count: side * side * 3)
            for c in 0..<3 {
                for _ in 0..<4 {
                    let fx = Double(1 + Int(rng.next(upperBound: UInt64(23))))
                    let fy = Double(1 + Int(rng.next(upperBound: UInt64(23))))
                    let phase = rng.uniform(0, 2 * Double.pi)
                    for i in 0..<side {
                        for j in 0..<side {
                            let xx = Double(i) / Double(side), yy = Double(j) / Double(side)
                            img[(i * side + j) * 3 + c] += sin(2 * Double.pi * (fx * xx + fy * yy) + phase)
                        }
                    }
                }
            }
            let lo = img.min()!, hi = img.max()!
            img = img.map { ($0 - lo) / (hi - lo) }
            let half = side / 2
            var tx = Matrix<Float>(rows: half * half, cols: 2), ty = Matrix<Float>(rows: half * half, cols: 3)
            for i in 0..<half {
                for j in 0..<half {
                    let r = i * half + j
                    tx[r, 0] = Float(Double(2 * i) / Double(side)); tx[r, 1] = Float(Double(2 * j) / Double(side))
                    for c in 0..<3 { ty[r, c] = Float(img[((2 * i) * side + 2 * j) * 3 + c]) }
                }
            }
            var full = Matrix<Float>(rows: side * side, cols: 2)
            for i in 0..<side {
                for j in 0..<side {
                    full[i * side + j, 0] = Float(Double(i) / Double(side))
                    full[i * side + j, 1] = Float(Double(j) / Double(side))
                }
            }
            let b = Matrix<Float>(rows: m, cols: 2, values: (0..<(2 * m)).map { _ in Float(rng.normal() * scale) })
            return BenchData(x: fourierFeatures(tx, b), y: ty, fullCoordinates: full, fourierMatrix: b)
        }
    }

    /// γ(v) = [cos 2π v·Bᵀ, sin 2π v·Bᵀ] for every row v of `coordinates` (float32, like the peers).
    static func fourierFeatures(_ coordinates: Matrix<Float>, _ b: Matrix<Float>) -> Matrix<Float> {
        let m = b.rows
        var p = coordinates * b.transposed()
        p.withUnsafeMutableBufferPointer { buf in
            for i in 0..<buf.count { buf[i] *= 2 * Float.pi }
        }
        return Matrix(rows: coordinates.rows, cols: 2 * m) { out in
            p.withUnsafeBufferPointer { pb in
                for r in 0..<coordinates.rows {
                    VectorMath.cos(pb.baseAddress! + r * m, into: out.baseAddress! + r * 2 * m, count: m)
                    VectorMath.sin(pb.baseAddress! + r * m, into: out.baseAddress! + r * 2 * m + m, count: m)
                }
            }
        }
    }
}
