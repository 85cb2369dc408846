#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise math over buffers.
///
/// Float sine and cosine use a branch-free kernel that LLVM vectorises (libm's `sinf`/`cosf`
/// are scalar calls, about 10 ns each): the argument is widened to Double, reduced by
/// j = round(x·2/π) (the 1.5·2⁵² "magic number" rounding, which needs no SSE4.1), r = x - j·π/2,
/// and sin r, cos r on |r| ≤ π/4 are Taylor polynomials to degree 9 and 10 (truncation below
/// 2e-9 relative), then the quadrant selects ±sin r or ±cos r. In Double until the final
/// rounding, so the Float result is within one ulp of the correctly rounded value for
/// |x| ≤ 1e5 (the reduction error j·6e-17 stays far below Float's resolution). Double inputs
/// go through libm (`sin`, `cos`), exactly as the scalar functions.
package enum VectorMath {
    /// y[i] = sin(x[i]).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func sin<T: RealScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
        if T.self == Float.self {
            floatSinCos(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                        UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count, quadrantOffset: 0)
        } else {
            for i in 0..<count { y[i] = elementarySin(x[i]) }
        }
    }

    /// y[i] = cos(x[i]).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func cos<T: RealScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
        if T.self == Float.self {
            floatSinCos(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                        UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), count: count, quadrantOffset: 1)
        } else {
            for i in 0..<count { y[i] = elementaryCos(x[i]) }
        }
    }

    /// sin(x + quadrantOffset·π/2): offset 0 is sine, 1 is cosine.
    static func floatSinCos(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                            quadrantOffset: Double) {
        let magic = 6_755_399_441_055_744.0          // 1.5·2⁵²: (a + magic) - magic = round(a)
        let twoOverPi = 2 / Double.pi, halfPi = Double.pi / 2
        let s3 = -1.0 / 6, s5 = 1.0 / 120, s7 = -1.0 / 5040, s9 = 1.0 / 362_880
        let c2 = -0.5, c4 = 1.0 / 24, c6 = -1.0 / 720, c8 = 1.0 / 40320, c10 = -1.0 / 3_628_800
        for i in 0..<count {
            let xd = Double(x[i])
            let j = (xd * twoOverPi + magic) - magic
            let r = xd - j * halfPi
            let r2 = r * r
            let s = r + r * r2 * (s3 + r2 * (s5 + r2 * (s7 + r2 * s9)))
            let c = 1 + r2 * (c2 + r2 * (c4 + r2 * (c6 + r2 * (c8 + r2 * c10))))
            // Quadrant q mod 4 in {0, 1, 2, 3}, as a Double: floor(q/4) = round(q/4 - 0.375).
            let q = j + quadrantOffset
            let m4 = q - 4 * ((q * 0.25 - 0.375 + magic) - magic)
            let negate = m4 >= 2
            let odd = (negate ? m4 - 2 : m4) >= 1
            let v = odd ? c : s
            y[i] = Float(negate ? -v : v)
        }
    }
}
