import Foundation

/// Error measures, as the papers define them. All take flat arrays of the same length (any
/// number of output channels interleaved: the sums run over every entry).
public enum Metrics {
    /// Relative squared error Σ(y - ŷ)² / Σy² (MGDL's "RSE"). 0 is perfect; predicting 0 gives 1.
    /// An all-zero target gives +inf (or NaN when the prediction is also zero).
    public static func rse(prediction: [Double], target: [Double]) -> Double {
        checkLengths(prediction, target, "rse")
        var error = 0.0
        var energy = 0.0
        for i in target.indices {
            let d = target[i] - prediction[i]
            error += d * d
            energy += target[i] * target[i]
        }
        return error / energy
    }

    /// Mean squared error Σ(y - ŷ)² / N. NaN for empty arrays.
    public static func mse(prediction: [Double], target: [Double]) -> Double {
        checkLengths(prediction, target, "mse")
        var error = 0.0
        for i in target.indices {
            let d = target[i] - prediction[i]
            error += d * d
        }
        return error / Double(target.count)
    }

    /// Peak signal-to-noise ratio 10 log10(peak² / MSE), in dB, for images with values in
    /// [0, peak]. The prediction is first clamped to [0, peak] (a pixel cannot be brighter than
    /// white nor darker than black, and Tancik et al. clip the same way before measuring); the
    /// target is used as given. A perfect prediction gives +inf.
    public static func psnr(prediction: [Double], target: [Double], peak: Double = 1) -> Double {
        checkLengths(prediction, target, "psnr")
        precondition(peak > 0, "Metrics.psnr: peak must be positive, got \(peak)")
        let clamped = prediction.map { min(max($0, 0), peak) }
        return 10 * log10(peak * peak / mse(prediction: clamped, target: target))
    }

    /// Number of trainable parameters of a fully connected network with the given layer widths
    /// (input, hidden..., output): Σ (w_i + 1) w_{i+1}, weights plus biases.
    public static func denseParameterCount(widths: [Int]) -> Int {
        precondition(widths.allSatisfy { $0 > 0 }, "Metrics.denseParameterCount: widths must be positive")
        return zip(widths, widths.dropFirst()).reduce(0) { $0 + ($1.0 + 1) * $1.1 }
    }

    private static func checkLengths(_ prediction: [Double], _ target: [Double], _ name: String) {
        precondition(prediction.count == target.count,
                     "Metrics.\(name): prediction has \(prediction.count) values, target \(target.count)")
    }
}
