/* LAPACKE, the C interface to LAPACK (Debian liblapacke-dev). Debian's liblapack.so.3 is an
   alternative that points to OpenBLAS's LAPACK, so the routines run on OpenBLAS. */
#include <lapacke.h>
