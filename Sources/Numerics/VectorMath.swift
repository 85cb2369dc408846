/// Elementwise math over buffers.
package enum VectorMath {
    /// y[i] = sin(x[i]).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func sin<T: RealScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count { y[i] = elementarySin(x[i]) }
    }

    /// y[i] = cos(x[i]).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    package static func cos<T: RealScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count { y[i] = elementaryCos(x[i]) }
    }
}
