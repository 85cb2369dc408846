/// A dense row-major matrix of `Float` or `Double`; by convention rows are samples.
///
/// A value type backed by a contiguous `[T]` (copy-on-write). The training engine does not use
/// `Matrix` inside a step: it owns raw buffers (see `Learning`); `Matrix` is the exchange format.
public struct Matrix<T: RealScalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    /// The elements, row-major: element (r, c) is `values[r * cols + c]`.
    public private(set) var values: [T]

    public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative size \(rows)x\(cols)")
        self.rows = rows; self.cols = cols
        values = Array(repeating: value, count: rows * cols)
    }

    /// Row-major values; `values.count` must be `rows * cols`.
    public init(rows: Int, cols: Int, values: [T]) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative size \(rows)x\(cols)")
        precondition(values.count == rows * cols,
                     "Matrix: \(values.count) values for a \(rows)x\(cols) matrix")
        self.rows = rows; self.cols = cols; self.values = values
    }

    /// Fills a `rows x cols` matrix by writing through a buffer (no zero-fill pass).
    public init(rows: Int, cols: Int,
                initializingWith body: (inout UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        self.rows = rows; self.cols = cols
        values = try Array(unsafeUninitializedCapacity: rows * cols) { buffer, count in
            try body(&buffer)
            count = rows * cols
        }
    }

    public subscript(row: Int, col: Int) -> T {
        get {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index out of range")
            return values[row * cols + col]
        }
        set {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index out of range")
            values[row * cols + col] = newValue
        }
    }

    /// The transpose (a copy).
    public func transposed() -> Matrix<T> {
        Matrix(rows: cols, cols: rows) { out in
            values.withUnsafeBufferPointer { v in
                for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = v[r * cols + c] } }
            }
        }
    }

    /// Rows `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix<T> {
        Matrix(rows: range.count, cols: cols, values: Array(values[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Read access to the row-major storage.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try values.withUnsafeBufferPointer(body)
    }

    /// Write access to the row-major storage.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try values.withUnsafeMutableBufferPointer(body)
    }

    /// The matrix product `a * b` through BLAS (`sgemm`/`dgemm`).
    public static func * (a: Matrix<T>, b: Matrix<T>) -> Matrix<T> {
        precondition(a.cols == b.rows, "Matrix product: \(a.rows)x\(a.cols) * \(b.rows)x\(b.cols)")
        var c = Matrix(rows: a.rows, cols: b.cols)
        a.values.withUnsafeBufferPointer { pa in
            b.values.withUnsafeBufferPointer { pb in
                c.values.withUnsafeMutableBufferPointer { pc in
                    gemm(transposeA: false, transposeB: false, m: a.rows, n: b.cols, k: a.cols,
                         alpha: 1, a: pa.baseAddress!, lda: max(a.cols, 1),
                         b: pb.baseAddress!, ldb: max(b.cols, 1),
                         beta: 0, c: pc.baseAddress!, ldc: max(b.cols, 1))
                }
            }
        }
        return c
    }
}
