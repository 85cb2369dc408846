import COpenBLAS

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's thread count. `set(n)` sets OpenBLAS's thread pool to n threads, and training
/// steps with enough rows use n data-parallel workers instead (each calling single-threaded
/// BLAS; see Learning/README.md). `set(1)` makes everything single-threaded.
public enum BLASThreads {
    /// Sets the thread count for every later call: OpenBLAS's (`openblas_set_num_threads`) and
    /// the training engine's data-parallel workers.
    public static func set(_ n: Int) {
        precondition(n >= 1, "BLASThreads.set: need at least one thread, got \(n)")
        state.withLock { s in
            s.requested = n
            if s.singleThreadedScopes == 0 { openblas_set_num_threads(Int32(n)) }
        }
    }

    /// The thread count last `set` (initially OpenBLAS's own, from `OPENBLAS_NUM_THREADS` or
    /// the core count). While a data-parallel training step runs, OpenBLAS itself is held at
    /// one thread, but this still reports the requested count.
    public static var current: Int { state.withLock { $0.requested } }

    /// The kernel family OpenBLAS picked at load time (`openblas_get_corename`), e.g. "SkylakeX".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Holds OpenBLAS at one thread until the matching `endSingleThreaded` (nestable, and safe
    /// when several trainings run at once: the requested count is restored when the last
    /// scope ends). Data-parallel workers call BLAS concurrently, each on its own thread.
    package static func beginSingleThreaded() {
        state.withLock { s in
            s.singleThreadedScopes += 1
            if s.singleThreadedScopes == 1 && s.requested > 1 { openblas_set_num_threads(1) }
        }
    }

    package static func endSingleThreaded() {
        state.withLock { s in
            precondition(s.singleThreadedScopes > 0, "BLASThreads.endSingleThreaded without begin")
            s.singleThreadedScopes -= 1
            if s.singleThreadedScopes == 0 && s.requested > 1 { openblas_set_num_threads(Int32(s.requested)) }
        }
    }

    struct State { var requested: Int; var singleThreadedScopes: Int }
    static let state = LockedState(State(requested: max(1, Int(openblas_get_num_threads())), singleThreadedScopes: 0))
}

/// A value behind a pthread mutex.
final class LockedState<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}

/// Row-major GEMM: `C = alpha * op(A) * op(B) + beta * C`, `op(A)` is m x k, `op(B)` is k x n.
/// Dispatches to `cblas_sgemm` or `cblas_dgemm`, or for the Float and Double shapes of small networks to
/// libxsmm (`SmallGEMM`: the same bits on OpenBLAS's SkylakeX/Cooperlake kernels, faster). Empty products (m, n or k zero) are handled:
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
        let a = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self)
        let b = UnsafeRawPointer(b).assumingMemoryBound(to: Float.self)
        let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
        let alpha = unsafeBitCast(alpha, to: Float.self), beta = unsafeBitCast(beta, to: Float.self)
        if SmallGEMM.handles(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                             lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta),
           SmallGEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: c) {
            return
        }
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    } else if T.self == Double.self {
        if SmallGEMM.handles(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                             lda: lda, ldb: ldb, ldc: ldc, alpha: alpha, beta: beta),
           SmallGEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, b: b, c: c) {
            return
        }
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
