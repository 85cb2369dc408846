#include <cblas.h>
/* OpenBLAS extensions (declared in openblas's cblas.h on Debian) */
