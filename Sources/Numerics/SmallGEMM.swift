import COpenBLAS
import CXSMM

/// Float and Double products of the training engine's small shapes, on libxsmm's JIT kernels
/// instead of OpenBLAS: `C = op(A) op(B)` (row-major, alpha 1, beta 0) for the shapes `handles`
/// accepts.
///
/// Why: the Rahaman network (200 points, 256 wide) spends ~87% of a step in OpenBLAS's sgemm at
/// 200 x 256 x 256, which packs both operands and zeroes C before its kernel runs and reaches
/// ~101 GFLOP per CPU-second there; libxsmm's kernel reads the operands in place and reaches
/// ~115, the core's FMA peak (measured on the AMD EPYC Zen 4 of the development machine, one
/// thread, best of 7: NN 259 -> 228 µs, TN 257 -> 229 µs, NT 265 -> 241 µs including the
/// transposition below; BLIS 0.9 `bli_sgemm` was measured too: 240, 259, 274 µs).
///
/// Same bits as OpenBLAS: both compute every element of C as one chain of fused multiply-adds
/// over k, from k = 0 up, starting from zero, when OpenBLAS does not split the k loop into
/// blocks (k up to its block size, 320 for the SkylakeX/Cooperlake kernels) and does not take
/// its small-matrix path (which orders some edge shapes differently). The shapes below were
/// checked bit for bit against OpenBLAS 0.3.21's SkylakeX/Cooperlake kernels (thousands of
/// random shapes in the accepted range: 0 differences; `SmallGEMMTests` checks a set of them on
/// every run on those kernels), so a run's results, and so the run store's keys, do not change.
/// Elsewhere (other OpenBLAS kernels) the two agree to float rounding, as OpenBLAS's own
/// kernels for different CPUs do.
///
/// Double (the float64 reports: Fang & Xu's Table 1, 6000 points in minibatches of 256, width
/// 256), measured the same way on 2026-12-01 (one thread, quiet machine, best of 5 x 200 calls at
/// 256 x 256 x 256): NN 656 -> 586 µs, TN 658 -> 587 µs, NT 657 -> 620 µs (51 -> 57 GFLOP/s,
/// the core's float64 peak being ~58); bit-identical to OpenBLAS 0.3.21's Cooperlake dgemm on
/// those shapes and on 300 random shapes of the accepted range (a C sweep), and in
/// `SmallGEMMTests`.
///
/// libxsmm (1.17) has no kernel for a transposed first operand in its column-major terms (our
/// `op(B) = Bᵀ`, the dX = dZ·Wᵀ product): B is transposed into a scratch buffer with
/// `libxsmm_otrans` (13 µs at 256 x 256) and the plain kernel runs on it.
enum SmallGEMM {
    /// Largest k (the summed dimension) sent to libxsmm: OpenBLAS's SkylakeX kernels sum k in
    /// one block up to 320 (differences appear at 384).
    static let maxK = 256
    /// Smallest m and n: OpenBLAS's small-matrix kernels order some products of a few rows
    /// differently (e.g. Bᵀ products of up to 33 rows).
    static let minMN = 64
    /// n (the columns of C, libxsmm's vector dimension) must be a multiple of this: other
    /// widths (e.g. 100, 144) end in remainder kernels whose order differs from OpenBLAS's.
    static let columnMultiple = 32

    /// Whether `gemm` sends this product to libxsmm: Float or Double, alpha 1, beta 0, packed
    /// operands, the shape range above, and OpenBLAS on one thread (a larger product on several
    /// OpenBLAS threads stays there: libxsmm's kernels run on the calling thread only).
    @inline(__always)
    static func handles<T: RealScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                       lda: Int, ldb: Int, ldc: Int, alpha: T, beta: T) -> Bool {
        guard alpha == 1, beta == 0, k >= 1, k <= maxK, m >= minMN, n >= minMN, n % columnMultiple == 0,
              lda == (transposeA ? m : k), ldb == (transposeB ? k : n), ldc == n else { return false }
        return available && openblas_get_num_threads() == 1
    }

    /// Whether libxsmm generates AVX2 or AVX-512 code on this CPU (its kernels for older vector
    /// sets were not checked against OpenBLAS, and `CXSMM`'s glue issues vzeroupper after them).
    static let available = libxsmm_get_target_archid() >= LIBXSMM_X86_AVX2

    /// C = op(A) op(B), row-major, for T = Float or Double; false (nothing written) if libxsmm
    /// has no kernel for it (e.g. no JIT on this CPU), and the caller uses OpenBLAS.
    static func multiply<T: RealScalar>(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                                        a: UnsafePointer<T>, b: UnsafePointer<T>, c: UnsafeMutablePointer<T>) -> Bool {
        // Column-major view of the row-major buffers: Cᵀ (n x m) = op(B)ᵀ (n x k) · op(A)ᵀ (k x m).
        // libxsmm's first operand is B's buffer (n x k column-major when not transposed), its
        // second is A's buffer (k x m column-major; transposed by the flag when A is).
        var flags: Int32 = transposeA ? Int32(LIBXSMM_GEMM_FLAG_TRANS_B.rawValue) : 0
        var prefetch: Int32 = 0   // LIBXSMM_PREFETCH_NONE: the kernel takes exactly (a, b, c)
        var ldFirst = libxsmm_blasint(n), ldSecond = libxsmm_blasint(transposeA ? m : k), ldc = libxsmm_blasint(n)
        let (kn, km, kk) = (libxsmm_blasint(n), libxsmm_blasint(m), libxsmm_blasint(k))
        let kernel: Kernel
        if T.self == Float.self {
            var alpha: Float = 1, beta: Float = 0
            guard let dispatched = libxsmm_smmdispatch(kn, km, kk, &ldFirst, &ldSecond, &ldc, &alpha, &beta, &flags, &prefetch) else { return false }
            kernel = .float(dispatched)
        } else if T.self == Double.self {
            var alpha: Double = 1, beta: Double = 0
            guard let dispatched = libxsmm_dmmdispatch(kn, km, kk, &ldFirst, &ldSecond, &ldc, &alpha, &beta, &flags, &prefetch) else { return false }
            kernel = .double(dispatched)
        } else {
            return false
        }
        if transposeB {
            // B is stored n x k (row-major); its transpose k x n, row-major, is the first operand.
            let bytes = k * n * MemoryLayout<T>.stride
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            defer { scratch.deallocate() }
            cxsmm_otrans(scratch, b, UInt32(MemoryLayout<T>.stride), libxsmm_blasint(k), libxsmm_blasint(n),
                           libxsmm_blasint(k), libxsmm_blasint(n))
            kernel.call(UnsafeRawPointer(scratch), UnsafeRawPointer(a), UnsafeMutableRawPointer(c))
        } else {
            kernel.call(UnsafeRawPointer(b), UnsafeRawPointer(a), UnsafeMutableRawPointer(c))
        }
        return true
    }

    /// A dispatched kernel of either element type, called through `CXSMM`'s glue on
    /// (first operand, second operand, C).
    private enum Kernel {
        case float(libxsmm_smmfunction)
        case double(libxsmm_dmmfunction)

        @inline(__always)
        func call(_ first: UnsafeRawPointer, _ second: UnsafeRawPointer, _ c: UnsafeMutableRawPointer) {
            switch self {
            case .float(let kernel):
                cxsmm_smm(kernel, first.assumingMemoryBound(to: Float.self), second.assumingMemoryBound(to: Float.self), c.assumingMemoryBound(to: Float.self))
            case .double(let kernel):
                cxsmm_dmm(kernel, first.assumingMemoryBound(to: Double.self), second.assumingMemoryBound(to: Double.self), c.assumingMemoryBound(to: Double.self))
            }
        }
    }
}
