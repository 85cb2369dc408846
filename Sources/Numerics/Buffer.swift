/// A fixed-size, 64-byte-aligned, uninitialised-then-zeroed buffer owned by a class, for the
/// engine's preallocated workspaces. Access goes through the raw `pointer`, so hot loops see no
/// ARC or copy-on-write traffic.
package final class AlignedBuffer<T: RealScalar> {
    package let pointer: UnsafeMutablePointer<T>
    package let count: Int

    package init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<T>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    package func zero() { pointer.update(repeating: 0, count: count) }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
