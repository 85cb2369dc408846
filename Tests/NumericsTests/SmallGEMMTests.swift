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

    func product(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: [Float], _ b: [Float],
                 library: Bool) -> [Float] {
        var c = [Float](repeating: .nan, count: m * n)
        let lda = ta ? m : k, ldb = tb ? k : n
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            if library {
                XCTAssertTrue(SmallGEMM.handles(transposeA: ta, transposeB: tb, m: m, n: n, k: k,
                                                lda: lda, ldb: ldb, ldc: n, alpha: 1, beta: 0), "\(m)x\(n)x\(k)")
                gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: lda,
                     b: pb.baseAddress!, ldb: ldb, beta: 0, c: pc.baseAddress!, ldc: n)
            } else {
                cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1, pa.baseAddress!, Int32(lda), pb.baseAddress!, Int32(ldb),
                            0, pc.baseAddress!, Int32(n))
            }
        } } }
        return c
    }

    /// On OpenBLAS's SkylakeX/Cooperlake kernels every element is bit-identical; on any other
    /// kernels the two agree to float rounding (1e-5 of the largest |a||b| sum, k <= 256 terms).
    func testSmallProductsMatchOpenBLAS() {
        let threads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(threads) }
        var rng = SeededGenerator(seed: 11)
        for (m, n, k) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true)] {
                let a = (0..<(m * k)).map { _ in Float(rng.uniform(-1, 1)) }
                let b = (0..<(k * n)).map { _ in Float(rng.uniform(-1, 1)) }
                let ours = product(ta, tb, m, n, k, a, b, library: true)
                let reference = product(ta, tb, m, n, k, a, b, library: false)
                let label = "\(m)x\(n)x\(k) transposeA \(ta) transposeB \(tb)"
                if checkedKernels {
                    XCTAssertTrue(ours.map(\.bitPattern) == reference.map(\.bitPattern), "\(label): not bit-identical")
                } else {
                    let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-5 * Float(k), label)
                }
            }
        }
    }

    /// The same for Double (the float64 reports): bit-identical on the checked kernels, else to
    /// double rounding (1e-13 of k, for k <= 256 terms of size <= 1).
    func testSmallDoubleProductsMatchOpenBLAS() {
        let threads = BLASThreads.current
        BLASThreads.set(1)
        defer { BLASThreads.set(threads) }
        var rng = SeededGenerator(seed: 12)
        for (m, n, k) in shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true)] {
                let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                let lda = ta ? m : k, ldb = tb ? k : n
                var ours = [Double](repeating: .nan, count: m * n), reference = ours
                XCTAssertTrue(SmallGEMM.handles(transposeA: ta, transposeB: tb, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: n,
                                                alpha: 1.0, beta: 0.0), "\(m)x\(n)x\(k)")
                gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: &ours, ldc: n)
                cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), 0, &reference, Int32(n))
                let label = "\(m)x\(n)x\(k) transposeA \(ta) transposeB \(tb)"
                if checkedKernels {
                    XCTAssertTrue(ours.map(\.bitPattern) == reference.map(\.bitPattern), "\(label): not bit-identical")
                } else {
                    let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThanOrEqual(worst, 1e-13 * Double(k), label)
                }
            }
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
