#include <libxsmm.h>

/* Glue for Swift, which can neither call libxsmm's kernels (their pointer type is variadic) nor
   issue vzeroupper. libxsmm's JIT kernels (and its transposition) end without vzeroupper: the
   upper halves of the vector registers stay dirty, and the legacy-SSE code Swift compiles for
   baseline x86-64 then runs about 4x slower on AMD Zen 4 (an Adam loop after a kernel: 1300 µs
   against 306 µs with vzeroupper; measured 2026-11-30). Only called where libxsmm generated
   AVX2 or AVX-512 code (SmallGEMM.available), so vzeroupper exists. */

/* c = a·b by a kernel of libxsmm_smmdispatch made without prefetch (it reads only a, b, c). */
static inline void cxsmm_smm(libxsmm_smmfunction kernel, const float *a, const float *b, float *c) {
    kernel(a, b, c);
#if defined(__x86_64__)
    __asm__ volatile("vzeroupper" ::: "memory");
#endif
}

/* The same for a kernel of libxsmm_dmmdispatch (double precision). */
static inline void cxsmm_dmm(libxsmm_dmmfunction kernel, const double *a, const double *b, double *c) {
    kernel(a, b, c);
#if defined(__x86_64__)
    __asm__ volatile("vzeroupper" ::: "memory");
#endif
}

/* libxsmm_otrans (out = inᵀ, column-major m x n in, n x m out), then vzeroupper. */
static inline void cxsmm_otrans(void *out, const void *in, unsigned int typesize,
                                libxsmm_blasint m, libxsmm_blasint n, libxsmm_blasint ldi, libxsmm_blasint ldo) {
    libxsmm_otrans(out, in, typesize, m, n, ldi, ldo);
#if defined(__x86_64__)
    __asm__ volatile("vzeroupper" ::: "memory");
#endif
}
