#ifndef PEAK_FMA_H
#define PEAK_FMA_H

/// Measures the FP32 fused multiply-add throughput of this machine on `threads` threads
/// (pthreads, each running its own FMA chains), `trials` runs of about `seconds` of CPU each,
/// and writes the best of them two ways, in GFLOP/s (an FMA counts 2 FLOPs):
/// `wall_gflops`, all threads together over wall time, and `cpu_gflops`, FLOPs over the CPU
/// time the threads really ran (CLOCK_THREAD_CPUTIME_ID, summed): on a machine shared with
/// other work the latter is still one core's peak, where the wall-clock rate drops with the load.
void peak_fma_measure(int threads, double seconds, int trials, double *wall_gflops, double *cpu_gflops);

/// The vector width the measurement uses: "avx512", "avx2" or "scalar" (chosen at run time).
const char *peak_fma_isa(void);

#endif
