import CLAPACKE

/// The eigendecomposition A = V·diag(λ)·Vᵀ of a real symmetric n × n matrix, by LAPACK's
/// divide-and-conquer `dsyevd` (through LAPACKE, run on OpenBLAS's LAPACK), in Double.
///
/// Eigenvalues are sorted in **decreasing** order (LAPACK returns them increasing) and the
/// eigenvectors with them. Each eigenvector's sign is fixed so that its entry of largest
/// magnitude is positive (the first such entry on an exact tie), so the result does not depend
/// on the sign LAPACK happens to return.
///
/// Accuracy (LAPACK's backward-stable bounds, checked by `SymmetricEigenTests`): every
/// eigenvalue is within a small multiple of n·ε·‖A‖₂ of the exact one (ε = 2.2·10⁻¹⁶), the
/// columns of V are orthonormal to about n·ε, and ‖A − VΛVᵀ‖ is about n·ε·‖A‖. An eigenvector is
/// determined only up to its eigenspace: where eigenvalues are (nearly) equal, the vectors
/// within their (near-)eigenspace may differ between LAPACK builds; the gap λᵢ − λᵢ₊₁ bounds how
/// far (an angle of about n·ε·‖A‖ / gap).
public struct SymmetricEigendecomposition: Sendable, Equatable {
    /// n.
    public let dimension: Int
    /// λ₀ ≥ λ₁ ≥ … ≥ λₙ₋₁.
    public let values: [Double]
    /// Row-major n × n: column j (`vectors[i * n + j]`, i = 0 … n − 1) is the unit eigenvector of
    /// `values[j]`.
    public let vectors: [Double]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Decomposes the symmetric matrix `matrix` (row-major n × n; only its lower triangle is
    /// read). Throws when LAPACK reports an illegal argument or that the algorithm failed to
    /// converge (`info` ≠ 0), or when an entry is not finite.
    public init(symmetric matrix: [Double], dimension n: Int) throws {
        precondition(n > 0 && matrix.count == n * n, "SymmetricEigendecomposition: \(matrix.count) values for \(n) x \(n)")
        guard matrix.allSatisfy(\.isFinite) else { throw Failure(description: "the matrix has a non-finite entry") }
        var a = matrix
        var w = [Double](repeating: 0, count: n)
        // lapack_int is Int32 (Debian builds LAPACKE without ILP64). Row-major lower triangle is column-major upper: the same storage either way for a
        // symmetric matrix. Eigenvectors overwrite `a`, row-major, one per column.
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "L")),
                               Int32(n), ap.baseAddress, Int32(n), wp.baseAddress)
            }
        }
        guard info == 0 else {
            throw Failure(description: info < 0 ? "LAPACK dsyevd: argument \(-info) is illegal"
                                                : "LAPACK dsyevd failed to converge (info \(info))")
        }
        var values = [Double](repeating: 0, count: n)
        var vectors = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            let source = n - 1 - j
            values[j] = w[source]
            var largest = 0.0, sign = 1.0
            for i in 0..<n where abs(a[i * n + source]) > largest {
                largest = abs(a[i * n + source]); sign = a[i * n + source] < 0 ? -1 : 1
            }
            for i in 0..<n { vectors[i * n + j] = sign * a[i * n + source] }
        }
        self.dimension = n
        self.values = values
        self.vectors = vectors
    }

    /// Eigenvector j as an array.
    public func vector(_ j: Int) -> [Double] {
        (0..<dimension).map { vectors[$0 * dimension + j] }
    }

    /// The coefficients c = Vᵀ f of `f` (n values) in the eigenbasis: c_j = ⟨v_j, f⟩ (BLAS `dgemv`).
    public func coefficients(of f: [Double]) -> [Double] {
        precondition(f.count == dimension, "SymmetricEigendecomposition.coefficients: \(f.count) values for \(dimension)")
        var c = [Double](repeating: 0, count: dimension)
        gemv(transpose: true, m: dimension, n: dimension, alpha: 1.0, a: vectors, lda: dimension, x: f, beta: 0.0, y: &c)
        return c
    }

    /// The function V·c with coefficients `c` in the eigenbasis (BLAS `dgemv`).
    public func synthesize(_ c: [Double]) -> [Double] {
        precondition(c.count == dimension, "SymmetricEigendecomposition.synthesize: \(c.count) coefficients for \(dimension)")
        var f = [Double](repeating: 0, count: dimension)
        gemv(transpose: false, m: dimension, n: dimension, alpha: 1.0, a: vectors, lda: dimension, x: c, beta: 0.0, y: &f)
        return f
    }
}
