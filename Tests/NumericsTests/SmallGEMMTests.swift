import COpenBLAS
import CXSMM
import XCTest
@testable import Numerics

/// libxsmm's products (`SmallGEMM`) against OpenBLAS's for the shapes `gemm` sends to it.
final class SmallGEMMTests: XCTestCase {
    /// The (m, n, k) of the engine's small networks: the Rahaman network's 200-point steps
    /// (forward, dW with k = rows, dX), 256-point minibatches and their 112-row remainder,
    /// 1024-row chunks, a first layer of one input, and widths 64 and 128.
    let shapes = [(200, 256, 256), (256, 256, 200), (256, 256, 256), (112, 256, 256), (256, 256, 112),
                  (1024, 256, 256), (200, 256, 1), (64, 64, 64), (100, 128, 200), (128, 512, 96)]

    /// Provenance names the libxsmm that is linked (its configured version, not the default
    /// config's placeholders) and the instruction set its kernels are generated for here.
    func testLibraryVersionIsTheLinkedOne() {
        let text = NumericLibraries.libxsmm
        XCTAssertTrue(text.hasPrefix("\(LIBXSMM_CONFIG_VERSION_MAJOR).\(LIBXSMM_CONFIG_VERSION_MINOR).\(LIBXSMM_CONFIG_VERSION_UPDATE)"), text)
        XCTAssertFalse(text.contains("\(Int32.max)"), "a configured version: \(text)")
        XCTAssertTrue(text.hasSuffix(", JIT target " + String(cString: libxsmm_get_target_arch())), text)
    }

    /// Whether OpenBLAS runs the kernels the identical-bits claim was checked on.
    var checkedKernels: Bool { ["skylakex", "cooperlake"].contains(BLASThreads.coreName.lowercased()) }

    /// `gemm` (which sends these shapes to libxsmm: asserted) against OpenBLAS's own product, for
    /// every shape and transposition: bit-identical where OpenBLAS runs the checked kernels, else
    /// within `tolerance` times k (k <= 256 terms of size <= 1: rounding of the element type).
    func checkProducts<T: RealScalar>(_: T.Type, seed: UInt64, tolerance: T,
                                      openBLAS: (_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [T], _ b: [T], _ c: inout [T]) -> Void) {
        let threads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(threads) }
        var rng = SeededGenerator(seed: seed)
        for (m, n, k) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true)] {
                let a = (0..<(m * k)).map { _ in T(rng.uniform(-1, 1)) }
                let b = (0..<(k * n)).map { _ in T(rng.uniform(-1, 1)) }
                let lda = ta ? m : k, ldb = tb ? k : n
                var ours = [T](repeating: .nan, count: m * n), reference = ours
                let label = "\(T.self) \(m)x\(n)x\(k) transposeA \(ta) transposeB \(tb)"
                XCTAssertTrue(SmallGEMM.handles(transposeA: ta, transposeB: tb, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: n,
                                                alpha: T(1), beta: T(0)), label)
                gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &ours, ldc: n)
                openBLAS(ta, tb, m, n, k, a, b, &reference)
                if checkedKernels {
                    XCTAssertTrue(ours.withUnsafeBytes { Array($0) } == reference.withUnsafeBytes { Array($0) }, "\(label): not bit-identical")
                } else {
                    let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, tolerance * T(k), label)
                }
            }
        }
    }

    /// Float: bit-identical on OpenBLAS's SkylakeX/Cooperlake kernels; on any other kernels the
    /// two agree to float rounding (1e-5 per term).
    func testSmallProductsMatchOpenBLAS() {
        checkProducts(Float.self, seed: 11, tolerance: 1e-5) { ta, tb, m, n, k, a, b, c in
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, a, Int32(ta ? m : k), b, Int32(tb ? k : n), 0, &c, Int32(n))
        }
    }

    /// Double (the float64 reports): the same, to double rounding elsewhere (1e-13 per term).
    func testSmallDoubleProductsMatchOpenBLAS() {
        checkProducts(Double.self, seed: 12, tolerance: 1e-13) { ta, tb, m, n, k, a, b, c in
            cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k), 1, a, Int32(ta ? m : k), b, Int32(tb ? k : n), 0, &c, Int32(n))
        }
    }

    /// Products outside the checked range stay on OpenBLAS.
    func testOtherProductsStayOnOpenBLAS() {
        let threads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(threads) }
        func handles(_ m: Int, _ n: Int, _ k: Int, beta: Float = 0, alpha: Float = 1, ldc: Int? = nil) -> Bool {
            SmallGEMM.handles(transposeA: false, transposeB: false, m: m, n: n, k: k, lda: k, ldb: n,
                              ldc: ldc ?? n, alpha: alpha, beta: beta)
        }
        XCTAssertTrue(handles(200, 256, 256))
        XCTAssertFalse(handles(200, 256, 256, beta: 1), "accumulating (chunked dW)")
        XCTAssertFalse(handles(200, 256, 256, alpha: 2))
        XCTAssertFalse(handles(200, 256, 257), "k beyond OpenBLAS's one block")
        XCTAssertFalse(handles(200, 100, 256), "a width that is not a multiple of 32")
        XCTAssertFalse(handles(32, 256, 256), "few rows: OpenBLAS's small-matrix path")
        XCTAssertFalse(handles(200, 256, 256, ldc: 512), "strided output")
        BLASThreads.set(2)
        XCTAssertFalse(handles(200, 256, 256), "OpenBLAS on two threads")
    }
}
