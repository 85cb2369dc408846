import Foundation

/// The closed curves of Rahaman et al. (2019, Sec. 4): γ_q(t) = (1 + sin(2πqt)/2)(cos 2πt, sin 2πt),
/// t ∈ [0, 1). q = 0 is the unit circle; larger q wraps a flower with q petals, so a target of
/// frequency k in t becomes easier to fit (lower frequency in the ambient ℝ²) as q grows.
public struct Manifold: Sendable, Equatable {
    /// Number of petals.
    public let q: Double

    public init(q: Double) {
        self.q = q
    }

    /// γ_q(t).
    public func point(_ t: Double) -> (x: Double, y: Double) {
        let radius = 1 + sin(2 * Double.pi * q * t) / 2
        return (radius * cos(2 * Double.pi * t), radius * sin(2 * Double.pi * t))
    }

    /// γ_q at each parameter, flat row-major (x₀, y₀, x₁, y₁, ...).
    public func embed(_ parameters: [Double]) -> [Double] {
        parameters.flatMap { t -> [Double] in
            let p = point(t)
            return [p.x, p.y]
        }
    }
}
