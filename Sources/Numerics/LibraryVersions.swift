#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenBLAS

/// The versions of the numeric libraries this process runs on, for provenance records.
public enum NumericLibraries {
    /// OpenBLAS's build configuration and core, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
    public static var openBLAS: String {
        guard let config = openblas_get_config() else { return "OpenBLAS (unknown version)" }
        return String(cString: config)
    }

    /// FFTW's version string, e.g. "fftw-3.3.10-sse2-avx". `fftw_version` is a C array of unknown
    /// size, which Swift does not import: it is looked up by name in the linked library.
    public static var fftw: String {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fftw_version") else { return "FFTW (unknown version)" }
        return String(cString: symbol.assumingMemoryBound(to: CChar.self))
    }
}
