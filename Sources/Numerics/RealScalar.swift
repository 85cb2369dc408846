#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element types of the engine: `Float` (Float32) and `Double` (Float64).
///
/// All numeric code is written once, generically over `RealScalar`, and is specialised for the
/// two conforming types (`@_specialize` on the hot kernels). BLAS calls dispatch on `T.self` to
/// the `s`- or `d`-prefixed routine. Only `Float` and `Double` conform; a third conformance would
/// trap at the first BLAS call.
public protocol RealScalar: BinaryFloatingPoint, Sendable, Codable
where RawSignificand: FixedWidthInteger {}

extension Float: RealScalar {}
extension Double: RealScalar {}

// MARK: - Elementary functions (scalar), dispatched at compile time in specialised code.

@inlinable @inline(__always) package func elementarySin<T: RealScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(sinf(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T(sin(Double(x)))
}

@inlinable @inline(__always) package func elementaryCos<T: RealScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(cosf(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T(cos(Double(x)))
}

@inlinable @inline(__always) package func elementaryTanh<T: RealScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(tanhf(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T(tanh(Double(x)))
}

@inlinable @inline(__always) package func elementaryExp<T: RealScalar>(_ x: T) -> T {
    if T.self == Float.self { return unsafeBitCast(expf(unsafeBitCast(x, to: Float.self)), to: T.self) }
    return T(exp(Double(x)))
}
