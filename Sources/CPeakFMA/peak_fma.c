// The machine's FP32 FMA peak, measured: the denominator of the engine's "fraction of peak".
//
// Method (as ../shared/bench/peers/fma_peak.c): each thread runs 12 independent chains of
// a = a * m + c on full vector registers, enough to hide the FMA latency (4 cycles) on two FMA
// ports, so the loop is bound by FMA throughput alone; no memory traffic. The ISA is chosen at
// run time: AVX-512 (zmm) where the CPU has it, else AVX2 + FMA (ymm), else scalar fmaf. Each
// function carries its own target attribute, so the file builds without -march flags.
//
// Checked once against a plain loop compiled with `gcc -O2 -march=native -fopenmp` (numbers in
// Sources/ReportCommands/BenchCommand.swift): the same peak, within 1%.
#include "peak_fma.h"

#include <math.h>
#include <pthread.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PEAK_X86 1
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double thread_cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

struct job {
    long iterations;   // of the 12-chain body
    float sink;
    double cpu;        // the thread's CPU seconds in the loop
};

#define CHAINS(T, SET, FMA)                                                                         \
    T a0 = SET(1.0f), a1 = SET(1.1f), a2 = SET(1.2f), a3 = SET(1.3f), a4 = SET(1.4f), a5 = SET(1.5f), \
      a6 = SET(1.6f), a7 = SET(1.7f), a8 = SET(1.8f), a9 = SET(1.9f), a10 = SET(2.0f), a11 = SET(2.1f); \
    const T m = SET(0.999999f), c = SET(1e-7f);                                                    \
    double cpu0 = thread_cpu();                                                                     \
    for (long i = 0; i < job->iterations; i++) {                                                    \
        a0 = FMA(a0, m, c); a1 = FMA(a1, m, c); a2 = FMA(a2, m, c); a3 = FMA(a3, m, c);            \
        a4 = FMA(a4, m, c); a5 = FMA(a5, m, c); a6 = FMA(a6, m, c); a7 = FMA(a7, m, c);            \
        a8 = FMA(a8, m, c); a9 = FMA(a9, m, c); a10 = FMA(a10, m, c); a11 = FMA(a11, m, c);        \
    }                                                                                               \
    job->cpu = thread_cpu() - cpu0;

#ifdef PEAK_X86
__attribute__((target("avx512f,fma"))) static void *work512(void *arg) {
    struct job *job = arg;
    CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps)
    __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                             _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
    s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
    job->sink = _mm512_reduce_add_ps(s);
    return 0;
}

__attribute__((target("avx2,fma"))) static void *work256(void *arg) {
    struct job *job = arg;
    CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps)
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(a8, a9), _mm256_add_ps(a10, a11)));
    float o[8];
    _mm256_storeu_ps(o, s);
    job->sink = o[0] + o[1] + o[2] + o[3] + o[4] + o[5] + o[6] + o[7];
    return 0;
}
#endif

static float identity(float x) { return x; }
static void *work1(void *arg) {
    struct job *job = arg;
    CHAINS(float, identity, fmaf)
    job->sink = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    return 0;
}

static int lanes(void) {
#ifdef PEAK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 16;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
#endif
    return 1;
}

const char *peak_fma_isa(void) {
    switch (lanes()) {
    case 16: return "avx512";
    case 8: return "avx2";
    default: return "scalar";
    }
}

/// Runs `threads` workers of `iterations` each; returns the wall seconds (and, in `cpu`, the
/// CPU seconds of the threads summed).
static double timed(int threads, long iterations, void *(*work)(void *), double *cpu) {
    enum { MAX_THREADS = 256 };
    pthread_t th[MAX_THREADS];
    struct job jobs[MAX_THREADS];
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    double t = now();
    for (int i = 0; i < threads; i++) {
        jobs[i].iterations = iterations;
        pthread_create(&th[i], 0, work, &jobs[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(th[i], 0);
    double wall = now() - t;
    if (cpu) {
        *cpu = 0;
        for (int i = 0; i < threads; i++) *cpu += jobs[i].cpu;
    }
    return wall;
}

void peak_fma_measure(int threads, double seconds, int trials, double *wall_gflops, double *cpu_gflops) {
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    if (trials < 1) trials = 1;
    int width = lanes();
    void *(*work)(void *) = work1;
#ifdef PEAK_X86
    if (width == 16) work = work512;
    else if (width == 8) work = work256;
#endif
    // Calibrate the iteration count on one short run (by its CPU time), then time `trials` runs
    // of about `seconds` of CPU each.
    long iterations = 1L << 16;
    double cpu = 0;
    timed(1, iterations, work, &cpu);
    while (cpu < 0.02) { iterations *= 4; timed(1, iterations, work, &cpu); }
    iterations = (long)((double)iterations * seconds / cpu);
    if (iterations < 1) iterations = 1;
    double best_wall = 0, best_cpu = 0;
    for (int k = 0; k < trials; k++) {
        double s = timed(threads, iterations, work, &cpu);
        double flops = (double)threads * (double)iterations * 12.0 * width * 2.0;
        if (flops / s / 1e9 > best_wall) best_wall = flops / s / 1e9;
        if (cpu > 0 && flops / cpu / 1e9 > best_cpu) best_cpu = flops / cpu / 1e9;
    }
    *wall_gflops = best_wall;
    *cpu_gflops = best_cpu;
}
