/// A fixed-size, 64-byte-aligned, zero-initialised buffer owned by a class, for the engine's
/// preallocated workspaces. Access goes through the raw `pointer`, so hot loops see no ARC or
/// copy-on-write traffic. Zeroing and copying are byte operations (memset/memcpy), never
/// element-wise generic code.
package final class AlignedBuffer<T: RealScalar> {
    package let pointer: UnsafeMutablePointer<T>
    package let count: Int

    package init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)   // all-zero bits = 0.0
        pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
    }

    package func zero() {
        UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0,
                                                          count: count * MemoryLayout<T>.stride)
        _ = UnsafeMutableRawPointer(pointer).bindMemory(to: T.self, capacity: count)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}

/// memcpy of `count` elements.
@inlinable package func copyElements<T: RealScalar>(from source: UnsafePointer<T>, to destination: UnsafeMutablePointer<T>, count: Int) {
    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
}
