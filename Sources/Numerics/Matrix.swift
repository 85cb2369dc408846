/// A dense row-major matrix of `Float` or `Double`; by convention rows are samples.
///
/// A value type backed by a contiguous `[T]` (copy-on-write). Its members are `@inlinable`, so
/// they are compiled for the concrete element type in the calling module. The training engine
/// does not use `Matrix` inside a step: it owns raw buffers (see `Learning`); `Matrix` is the
/// exchange format.
public struct Matrix<T: RealScalar>: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    @usableFromInline var storage: [T]

    /// The elements, row-major: element (r, c) is `values[r * cols + c]`.
    @inlinable public var values: [T] { storage }

    @inlinable public init(rows: Int, cols: Int, repeating value: T = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative size \(rows)x\(cols)")
        self.rows = rows; self.cols = cols
        storage = Array(repeating: value, count: rows * cols)
    }

    /// Row-major values; `values.count` must be `rows * cols`.
    @inlinable public init(rows: Int, cols: Int, values: [T]) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative size \(rows)x\(cols)")
        precondition(values.count == rows * cols,
                     "Matrix: \(values.count) values for a \(rows)x\(cols) matrix")
        self.rows = rows; self.cols = cols; storage = values
    }

    /// Fills a `rows x cols` matrix by writing every element through a buffer (no zero-fill
    /// pass). `body` must initialise all `rows * cols` elements.
    @inlinable public init(rows: Int, cols: Int,
                           initializingWith body: (inout UnsafeMutableBufferPointer<T>) throws -> Void) rethrows {
        self.rows = rows; self.cols = cols
        storage = try Array(unsafeUninitializedCapacity: rows * cols) { buffer, count in
            try body(&buffer)
            count = rows * cols
        }
    }

    @inlinable public subscript(row: Int, col: Int) -> T {
        get {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index out of range")
            return storage[row * cols + col]
        }
        set {
            precondition(row >= 0 && row < rows && col >= 0 && col < cols, "Matrix index out of range")
            storage[row * cols + col] = newValue
        }
    }

    /// The transpose (a copy).
    @inlinable public func transposed() -> Matrix<T> {
        Matrix(rows: cols, cols: rows) { out in
            storage.withUnsafeBufferPointer { v in
                for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = v[r * cols + c] } }
            }
        }
    }

    /// Rows `range` as a new matrix.
    @inlinable public func rows(_ range: Range<Int>) -> Matrix<T> {
        Matrix(rows: range.count, cols: cols,
               values: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Read access to the row-major storage.
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Write access to the row-major storage.
    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }

    /// The matrix product `a * b` through BLAS (`sgemm`/`dgemm`).
    @inlinable public static func * (a: Matrix<T>, b: Matrix<T>) -> Matrix<T> {
        precondition(a.cols == b.rows, "Matrix product: \(a.rows)x\(a.cols) * \(b.rows)x\(b.cols)")
        return Matrix(rows: a.rows, cols: b.cols) { pc in
            a.storage.withUnsafeBufferPointer { pa in
                b.storage.withUnsafeBufferPointer { pb in
                    gemm(transposeA: false, transposeB: false, m: a.rows, n: b.cols, k: a.cols,
                         alpha: 1, a: pa.baseAddress!, lda: max(a.cols, 1),
                         b: pb.baseAddress!, ldb: max(b.cols, 1),
                         beta: 0, c: pc.baseAddress!, ldc: max(b.cols, 1))
                }
            }
        }
    }
}
