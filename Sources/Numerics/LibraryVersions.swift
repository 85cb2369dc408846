#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenBLAS
import CXSMM

/// The versions of the numeric libraries this process runs on, for provenance records.
public enum NumericLibraries {
    /// OpenBLAS's build configuration and core, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64".
    public static var openBLAS: String {
        guard let config = openblas_get_config() else { return "OpenBLAS (unknown version)" }
        return String(cString: config)
    }

    /// libxsmm's version (linked statically: the version of the headers it was built with) and
    /// the instruction set its JIT kernels target on this machine, e.g. "1.17.0 (release), JIT
    /// target hsw". The engine uses it for small Float and Double GEMMs (`SmallGEMM`).
    public static var libxsmm: String {
        let version = "\(LIBXSMM_CONFIG_VERSION_MAJOR).\(LIBXSMM_CONFIG_VERSION_MINOR).\(LIBXSMM_CONFIG_VERSION_UPDATE)"
            + (LIBXSMM_CONFIG_VERSION_PATCH == 0 ? "" : "-\(LIBXSMM_CONFIG_VERSION_PATCH)")
        let target = libxsmm_get_target_arch().map { String(cString: $0) } ?? "unknown"
        return "\(version) (\(LIBXSMM_CONFIG_BRANCH)), JIT target \(target)"
    }

    /// FFTW's version string, e.g. "fftw-3.3.10-sse2-avx". `fftw_version` is a C array of unknown
    /// size, which Swift does not import: it is looked up by name in the linked library.
    public static var fftw: String {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "fftw_version") else { return "FFTW (unknown version)" }
        return String(cString: symbol.assumingMemoryBound(to: CChar.self))
    }
}
