/* ts_mlp_blas.c: the one place the MLP's matrix products go through.
 *
 * Why oneDNN's sgemm and not OpenBLAS's for the network: the GNI layers are
 * GEMMs of a few hundred rows by 256 x 256 weights, repeated every step. At
 * those shapes oneDNN's JIT-generated kernels ran 1.6-1.9x faster than
 * OpenBLAS's here (one thread, 64 x 256 x 256: 74 vs 42 GFLOPS; 1024 rows:
 * 89 vs 46 GFLOPS; docs/benchmarks.md), and GEMM is ~80% of a training step.
 * oneDNN is the library PyTorch itself builds on for CPU deep learning, in
 * Debian as libdnnl. Everything else (the linear kind, double precision)
 * stays on OpenBLAS.
 *
 * Ranks are the parallelism (one rank per core): a multithreaded GEMM inside
 * each rank would oversubscribe the cores. Debian's oneDNN threads with
 * OpenMP, so the calling thread's OpenMP team size is set to 1 (and
 * OpenBLAS's threads too), once, at the first workspace allocation.
 *
 * Which kernels run is the libraries' own choice (CPU detection; oneDNN's
 * ONEDNN_MAX_CPU_ISA and OpenBLAS's OPENBLAS_CORETYPE override it): GEMM
 * rounding, hence the last bits of results, depends on it (docs/gni.md). */
#include <cblas.h>
#include <dnnl.h>
#include <stdio.h>

#include "ts_mlp_internal.h"

void omp_set_num_threads(int n);   /* libgomp, which Debian's oneDNN uses */

static int blas_ready;

void ts_mlp_blas_setup(void)
{
    if (blas_ready) return;
    blas_ready = 1;
    omp_set_num_threads(1);
    openblas_set_num_threads(1);
}

void ts_mlp_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
                  size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc)
{
    dnnl_status_t st = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', (dnnl_dim_t)m, (dnnl_dim_t)n,
                                  (dnnl_dim_t)k, alpha, a, (dnnl_dim_t)lda, b, (dnnl_dim_t)ldb, beta, c,
                                  (dnnl_dim_t)ldc);
    if (st == dnnl_success) return;
    /* oneDNN refuses only on resource failures (its scratch allocation):
     * the same product from OpenBLAS is still correct. */
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, (int)m,
                (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

const char *ts_mlp_blas_core(void)
{
    static char name[48];
    const dnnl_version_t *v = dnnl_version();
    snprintf(name, sizeof name, "oneDNN-%d.%d.%d", v->major, v->minor, v->patch);
    return name;
}
