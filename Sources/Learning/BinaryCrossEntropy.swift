#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Numerics

/// Binary cross-entropy with logits (PyTorch's `BCEWithLogitsLoss`, mean reduction), for
/// `count` of the `total` elements of a batch: the prediction `z` is a logit, the target `y` a
/// probability in [0, 1] (0 or 1 for labels).
///
/// ℓ(z, y) = max(z, 0) − z·y + log(1 + e^(−|z|)), the stable form of
/// −y log σ(z) − (1 − y) log(1 − σ(z)); dℓ/dz = σ(z) − y, with σ evaluated on the side where the
/// exponential cannot overflow. Both are computed in Double per element and the gradient rounded
/// once to `T`, so Float32 training loses nothing beyond that rounding. The gradient is scaled by
/// 1/total (the mean over the whole batch) and the return value is this chunk's share of the mean.
@_specialize(where T == Float)
@_specialize(where T == Double)
func binaryCrossEntropyWithLogits<T: RealScalar>(_ prediction: UnsafePointer<T>, _ target: UnsafePointer<T>,
                                                 count: Int, of total: Int,
                                                 grad: UnsafeMutablePointer<T>?) -> Double {
    let inverse = 1 / Double(total)
    var sum = 0.0
    for i in 0..<count {
        let z = Double(prediction[i]), y = Double(target[i])
        let e = exp(-abs(z))
        sum += max(z, 0) - z * y + log1p(e)
        if let grad {
            let sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e)
            grad[i] = T((sigmoid - y) * inverse)
        }
    }
    return sum * inverse
}

extension Loss {
    /// The loss of `prediction` against `target` (the same length, row-major), computed as a
    /// training step computes it (in Double): e.g. a validation loss.
    public func value(prediction: [Double], target: [Double]) -> Double {
        precondition(prediction.count == target.count && !target.isEmpty, "Loss.value: \(prediction.count) predictions, \(target.count) targets")
        return prediction.withUnsafeBufferPointer { p in
            target.withUnsafeBufferPointer { t in lossValue(p.baseAddress!, t.baseAddress!, count: p.count, loss: self) }
        }
    }
}
