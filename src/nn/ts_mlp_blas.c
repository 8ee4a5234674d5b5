/* ts_mlp_blas.c: the BLAS settings a rank's MLP needs, made once.
 *
 * Ranks are the parallelism (one rank per core): a multithreaded BLAS inside
 * each rank would oversubscribe the cores, so OpenBLAS gets one thread. The
 * setting is process-wide; it is made at the first workspace allocation,
 * before any GEMM of ours. Which kernels OpenBLAS uses is its own choice
 * (CPU detection, or the OPENBLAS_CORETYPE environment variable, which this
 * machine sets to Haswell: docs/gni.md); ts_mlp_blas_core reports it. */
#include <cblas.h>

#include "ts_mlp_internal.h"

static int blas_ready;

void ts_mlp_blas_setup(void)
{
    if (blas_ready) return;
    blas_ready = 1;
    openblas_set_num_threads(1);
}

const char *ts_mlp_blas_core(void)
{
    const char *core = openblas_get_corename();
    return core ? core : "unknown";
}
