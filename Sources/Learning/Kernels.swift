import Numerics

// Elementwise kernels of the training step. Written once, generically; `@_specialize` makes the
// compiler emit Float and Double versions that the generic entry points jump to, so the loops
// are compiled (and vectorised) for the concrete type even when called from unspecialised code.

/// out[r, j] = f(out[r, j] + bias[j]) in place; if `pre` is non-nil it receives z = out + bias.
///
/// Loops are written for LLVM's loop vectoriser: constants hoisted out of the loop, every load
/// unconditional (a select, not a branch), so the Float and Double specialisations compile to
/// packed instructions. (Swift's generic SIMD types were tried and lowered comparisons lane by
/// lane through the stack.)
@_specialize(where T == Float)
@_specialize(where T == Double)
func biasActivate<T: RealScalar>(_ out: UnsafeMutablePointer<T>, pre: UnsafeMutablePointer<T>?,
                                 rows: Int, cols: Int, bias: UnsafePointer<T>, activation: Activation) {
    let zero: T = 0, one: T = 1
    switch activation {
    case .relu:
        for r in 0..<rows {
            let o = out + r * cols
            for j in 0..<cols { let z = o[j] + bias[j]; o[j] = z > zero ? z : zero }
        }
    case .identity:
        for r in 0..<rows {
            let o = out + r * cols
            for j in 0..<cols { o[j] += bias[j] }
        }
    case .tanh:
        for r in 0..<rows {
            let o = out + r * cols
            for j in 0..<cols { o[j] = elementaryTanh(o[j] + bias[j]) }
        }
    case .sigmoid:
        for r in 0..<rows {
            let o = out + r * cols
            for j in 0..<cols { o[j] = one / (one + elementaryExp(-(o[j] + bias[j]))) }
        }
    case .sin:
        let p = pre!
        for r in 0..<rows {
            let o = out + r * cols, z = p + r * cols
            for j in 0..<cols { z[j] = o[j] + bias[j] }
            VectorMath.sin(z, into: o, count: cols)
        }
    case .sReLU, .s2ReLU:
        let p = pre!
        let twoPi = T(2 * Double.pi)
        for r in 0..<rows {
            let o = out + r * cols, z = p + r * cols
            for j in 0..<cols {
                let zj = o[j] + bias[j]
                z[j] = zj
                let s = sReLU(zj)
                o[j] = activation == .sReLU ? s : elementarySin(twoPi * zj) * s
            }
        }
    }
}

/// In place: grad (dL/da on entry) becomes dL/dz = dL/da · f'(z); `biasGrad[j]` is set to (or
/// with `accumulate`, increased by) the column sums of dL/dz. `out` holds a = f(z), `pre` holds z (for sin, sReLU and s2ReLU).
@_specialize(where T == Float)
@_specialize(where T == Double)
func activationBackward<T: RealScalar>(_ grad: UnsafeMutablePointer<T>, out: UnsafePointer<T>,
                                       pre: UnsafePointer<T>?, rows: Int, cols: Int,
                                       activation: Activation, biasGrad: UnsafeMutablePointer<T>,
                                       accumulate: Bool = false) {
    let zero: T = 0, one: T = 1
    if !accumulate { biasGrad.update(repeating: zero, count: cols) }
    switch activation {
    case .relu:
        for r in 0..<rows {
            let g = grad + r * cols, a = out + r * cols
            for j in 0..<cols { let gj = g[j]; let d = a[j] > zero ? gj : zero; g[j] = d; biasGrad[j] += d }
        }
    case .identity:
        for r in 0..<rows {
            let g = grad + r * cols
            for j in 0..<cols { biasGrad[j] += g[j] }
        }
    case .tanh:
        for r in 0..<rows {
            let g = grad + r * cols, a = out + r * cols
            for j in 0..<cols { let d = g[j] * (one - a[j] * a[j]); g[j] = d; biasGrad[j] += d }
        }
    case .sigmoid:
        for r in 0..<rows {
            let g = grad + r * cols, a = out + r * cols
            for j in 0..<cols { let d = g[j] * a[j] * (one - a[j]); g[j] = d; biasGrad[j] += d }
        }
    case .sin:
        let p = pre!
        for r in 0..<rows {
            let g = grad + r * cols, z = p + r * cols
            for j in 0..<cols { let d = g[j] * elementaryCos(z[j]); g[j] = d; biasGrad[j] += d }
        }
    case .sReLU:
        let p = pre!
        for r in 0..<rows {
            let g = grad + r * cols, z = p + r * cols
            for j in 0..<cols { let d = g[j] * sReLUDerivative(z[j]); g[j] = d; biasGrad[j] += d }
        }
    case .s2ReLU:
        // d/dz sin(2πz)·sReLU(z) = 2π cos(2πz)·sReLU(z) + sin(2πz)·sReLU'(z)
        let p = pre!
        let twoPi = T(2 * Double.pi)
        for r in 0..<rows {
            let g = grad + r * cols, z = p + r * cols
            for j in 0..<cols {
                let zj = z[j]
                let f = twoPi * elementaryCos(twoPi * zj) * sReLU(zj) + elementarySin(twoPi * zj) * sReLUDerivative(zj)
                let d = g[j] * f
                g[j] = d; biasGrad[j] += d
            }
        }
    }
}

/// sReLU(z) = ReLU(z)·ReLU(1 - z).
@inline(__always) func sReLU<T: RealScalar>(_ z: T) -> T { z > 0 && z < 1 ? z * (1 - z) : 0 }
/// sReLU'(z) = 1 - 2z on (0, 1), else 0.
@inline(__always) func sReLUDerivative<T: RealScalar>(_ z: T) -> T { z > 0 && z < 1 ? 1 - 2 * z : 0 }

/// The loss of `prediction` against `target` (both `count` elements) in Double, and its
/// gradient with respect to the prediction written to `grad`.
@_specialize(where T == Float)
@_specialize(where T == Double)
func lossAndGradient<T: RealScalar>(_ prediction: UnsafePointer<T>, _ target: UnsafePointer<T>,
                                    count: Int, loss: Loss, grad: UnsafeMutablePointer<T>) -> Double {
    lossAndGradient(prediction, target, count: count, of: count, loss: loss, grad: grad)
}

/// The same for `count` of the `total` elements of a batch processed in chunks: the gradient is
/// scaled for the whole batch, and the return value is this chunk's share of the batch loss.
@_specialize(where T == Float)
@_specialize(where T == Double)
func lossAndGradient<T: RealScalar>(_ prediction: UnsafePointer<T>, _ target: UnsafePointer<T>,
                                    count: Int, of total: Int, loss: Loss, grad: UnsafeMutablePointer<T>) -> Double {
    if loss == .bce {
        return binaryCrossEntropyWithLogits(prediction, target, count: count, of: total, grad: grad)
    }
    let halfFactor: Double = loss == .halfMSE ? 0.5 : 1
    let scale = T(2 * halfFactor / Double(total))
    var sum: Double = 0
    for i in 0..<count {
        let d = prediction[i] - target[i]
        grad[i] = scale * d
        sum += Double(d) * Double(d)
    }
    return halfFactor * sum / Double(total)
}

/// The loss value only.
@_specialize(where T == Float)
@_specialize(where T == Double)
func lossValue<T: RealScalar>(_ prediction: UnsafePointer<T>, _ target: UnsafePointer<T>,
                              count: Int, loss: Loss) -> Double {
    if loss == .bce {
        return binaryCrossEntropyWithLogits(prediction, target, count: count, of: count, grad: nil)
    }
    var sum: Double = 0
    for i in 0..<count { let d = Double(prediction[i] - target[i]); sum += d * d }
    return (loss == .halfMSE ? 0.5 : 1) * sum / Double(count)
}

/// One fused Adam update over `count` parameters (PyTorch's rule, see `Optimizer.adam`).
/// `step` is the 1-based step number used for bias correction.
@_specialize(where T == Float)
@_specialize(where T == Double)
func adamUpdate<T: RealScalar>(_ p: UnsafeMutablePointer<T>, grad: UnsafePointer<T>,
                               m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, count: Int,
                               learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
                               step: Int) {
    let bc1 = 1 - pow(beta1, Double(step))
    let bc2 = 1 - pow(beta2, Double(step))
    let stepSize = T(learningRate / bc1)
    let invBC2Sqrt = T(1 / bc2.squareRoot())
    let b1 = T(beta1), b2 = T(beta2), c1 = T(1 - beta1), c2 = T(1 - beta2), eps = T(epsilon)
    // Moments below the smallest normal number are flushed to zero: with dead units (g = 0)
    // m decays by β1 per step and would reach subnormals within ~800 steps, where every
    // multiply costs a microcode assist (a 2x slowdown of a whole step was measured on W1).
    let tiny = T.leastNormalMagnitude, zero: T = 0
    for i in 0..<count {
        let g = grad[i]
        var mi = b1 * m[i] + c1 * g
        var vi = b2 * v[i] + c2 * (g * g)
        mi = mi.magnitude < tiny ? zero : mi
        vi = vi < tiny ? zero : vi
        m[i] = mi; v[i] = vi
        p[i] -= stepSize * mi / (vi.squareRoot() * invBC2Sqrt + eps)
    }
}

/// One SGD-with-momentum update over `count` parameters (PyTorch's rule).
@_specialize(where T == Float)
@_specialize(where T == Double)
func sgdUpdate<T: RealScalar>(_ p: UnsafeMutablePointer<T>, grad: UnsafePointer<T>,
                              buffer: UnsafeMutablePointer<T>, count: Int,
                              learningRate: Double, momentum: Double) {
    let lr = T(learningRate), mu = T(momentum)
    if momentum == 0 {
        for i in 0..<count { p[i] -= lr * grad[i] }
    } else {
        for i in 0..<count { let b = mu * buffer[i] + grad[i]; buffer[i] = b; p[i] -= lr * b }
    }
}

/// m[r, j] *= s[j] for a rows x cols row-major matrix (MscaleDNN-1's first-layer unit scales).
@_specialize(where T == Float)
@_specialize(where T == Double)
func scaleColumns<T: RealScalar>(_ m: UnsafeMutablePointer<T>, rows: Int, cols: Int, by s: UnsafePointer<T>) {
    for r in 0..<rows {
        let row = m + r * cols
        for j in 0..<cols { row[j] *= s[j] }
    }
}

/// x[i] *= c for `count` elements.
@_specialize(where T == Float)
@_specialize(where T == Double)
func scaleElements<T: RealScalar>(_ x: UnsafeMutablePointer<T>, count: Int, by c: T) {
    for i in 0..<count { x[i] *= c }
}

/// Σ x[i]·y[i] over `count` elements, accumulated in `T`.
@_specialize(where T == Float)
@_specialize(where T == Double)
func dotElements<T: RealScalar>(_ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count: Int) -> T {
    var s: T = 0
    for i in 0..<count { s += x[i] * y[i] }
    return s
}

/// out[j] = Σ_r m[r, j] (or += with `accumulate`) for a rows x cols row-major matrix.
@_specialize(where T == Float)
@_specialize(where T == Double)
func columnSums<T: RealScalar>(_ m: UnsafePointer<T>, rows: Int, cols: Int, into out: UnsafeMutablePointer<T>,
                               accumulate: Bool) {
    if !accumulate { out.update(repeating: 0, count: cols) }
    for r in 0..<rows {
        let row = m + r * cols
        for j in 0..<cols { out[j] += row[j] }
    }
}

/// y[i] += x[i] for `count` elements.
@_specialize(where T == Float)
@_specialize(where T == Double)
func addElements<T: RealScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
    for i in 0..<count { y[i] += x[i] }
}

/// dst row i = src row indices[i], for `count` rows of `cols` values.
@_specialize(where T == Float)
@_specialize(where T == Double)
func gatherRows<T: RealScalar>(_ src: UnsafePointer<T>, cols: Int, indices: UnsafePointer<Int>,
                               count: Int, into dst: UnsafeMutablePointer<T>) {
    for i in 0..<count {
        copyElements(from: src + indices[i] * cols, to: dst + i * cols, count: cols)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The elements as Doubles.
@_specialize(where T == Float)
@_specialize(where T == Double)
func doubles<T: RealScalar>(_ values: [T]) -> [Double] {
    values.map { Double($0) }
}
