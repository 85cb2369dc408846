import COpenBLAS

/// OpenBLAS's thread pool. This is the only multi-threading in the engine.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for every later call (`openblas_set_num_threads`).
    public static func set(_ n: Int) {
        precondition(n >= 1, "BLASThreads.set: need at least one thread, got \(n)")
        openblas_set_num_threads(Int32(n))
    }

    /// The current thread count (`openblas_get_num_threads`).
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS picked at load time (`openblas_get_corename`), e.g. "SkylakeX".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }
}

/// Row-major GEMM: `C = alpha * op(A) * op(B) + beta * C`, `op(A)` is m x k, `op(B)` is k x n.
/// Dispatches to `cblas_sgemm` or `cblas_dgemm`. Empty products (m, n or k zero) are handled:
/// with k == 0 the result is `beta * C`.
@usableFromInline
package func gemm<T: RealScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                 alpha: T, a: UnsafePointer<T>, lda: Int,
                                 b: UnsafePointer<T>, ldb: Int,
                                 beta: T, c: UnsafeMutablePointer<T>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for r in 0..<m { for j in 0..<n { c[r * ldc + j] = beta == 0 ? 0 : beta * c[r * ldc + j] } }
        return
    }
    let ta = transposeA ? CblasTrans : CblasNoTrans
    let tb = transposeB ? CblasTrans : CblasNoTrans
    if T.self == Float.self {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                    unsafeBitCast(alpha, to: Float.self),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb),
                    unsafeBitCast(beta, to: Float.self),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
    } else if T.self == Double.self {
        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                    unsafeBitCast(alpha, to: Double.self),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb),
                    unsafeBitCast(beta, to: Double.self),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
    } else {
        fatalError("RealScalar: only Float and Double are supported, not \(T.self)")
    }
}

/// Row-major GEMV: `y = alpha * op(A) * x + beta * y`, A is m x n (before op).
package func gemv<T: RealScalar>(transpose: Bool, m: Int, n: Int, alpha: T,
                                 a: UnsafePointer<T>, lda: Int, x: UnsafePointer<T>,
                                 beta: T, y: UnsafeMutablePointer<T>) {
    if m == 0 || n == 0 { return }
    let t = transpose ? CblasTrans : CblasNoTrans
    if T.self == Float.self {
        cblas_sgemv(CblasRowMajor, t, Int32(m), Int32(n), unsafeBitCast(alpha, to: Float.self),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), 1,
                    unsafeBitCast(beta, to: Float.self),
                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), 1)
    } else if T.self == Double.self {
        cblas_dgemv(CblasRowMajor, t, Int32(m), Int32(n), unsafeBitCast(alpha, to: Double.self),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), 1,
                    unsafeBitCast(beta, to: Double.self),
                    UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), 1)
    } else {
        fatalError("RealScalar: only Float and Double are supported, not \(T.self)")
    }
}
