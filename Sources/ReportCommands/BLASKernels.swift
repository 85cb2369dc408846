import Numerics
#if canImport(Glibc)
import Glibc
#endif

/// Makes sure OpenBLAS runs its fast kernels for this CPU. Call it first thing in `main`.
///
/// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels when the library loads, from
/// CPUID or from `OPENBLAS_CORETYPE`. On some virtual CPUs the detection falls back to slow
/// generic or AVX2 kernels. If `OPENBLAS_CORETYPE` is unset and the loaded kernels are not the
/// best ones this CPU supports, this sets it and re-executes the program (`execv` on
/// `/proc/self/exe`, same argv), so that the library loads again with the right kernels.
/// It never loops: the second process finds the variable set.
///
/// Choice (measured with sgemm at our layer shapes, 200..65536 x 256 x 256, one thread, on the
/// development machine's AVX-512 Xeon): SkylakeX 160-189 GFLOP/s, Cooperlake the same (it only
/// adds bf16 kernels), Haswell 109-115; this OpenBLAS has no SapphireRapids kernels. So: SkylakeX
/// on any CPU with AVX-512 F/BW/DQ/VL, Haswell on AVX2+FMA, otherwise leave OpenBLAS alone.
public func prepareBLASKernels() {
    if getenv("OPENBLAS_CORETYPE") != nil { return }
    let loaded = BLASThreads.coreName.lowercased()
    guard let wanted = preferredBLASCoreType() else { return }
    let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    if avx512Cores.contains(loaded) || loaded == wanted.lowercased() { return }
    setenv("OPENBLAS_CORETYPE", wanted, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returned: it failed. Carry on with the kernels already loaded.
}

/// The OpenBLAS core type to ask for on this CPU, from the flags in /proc/cpuinfo.
func preferredBLASCoreType() -> String? {
    guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
    defer { fclose(file) }
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) > 0 {
        let text = String(cString: line!)
        guard text.hasPrefix("flags") else { continue }
        let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }).map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }
    return nil
}
