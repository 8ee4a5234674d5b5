/* ts_linear_min_norm.c: w = pinv(X) y, the point gradient descent from 0
 * converges to on least squares: the min-norm interpolator when d > n, the
 * least squares solution when d <= n, the minimum-norm least squares
 * solution when X is numerically rank-deficient (a steep spectrum).
 *
 * Route: LAPACK's dgelsd (an SVD by divide and conquer), from the LAPACK
 * that OpenBLAS ships, with singular values below max(n, d) eps s_max
 * counted as zero -- numpy.linalg.lstsq's default cut.
 *
 * Why it is numerically sound: the SVD works on X itself with orthogonal
 * transformations (backward stable), whereas solving the normal equations
 * (X X^T) a = y squares the condition number of X -- and near d = n the
 * smallest singular value of a Gaussian X, ~ sqrt(d) - sqrt(n), goes to 0,
 * so that would lose twice the digits. The SVD also decides the numerical
 * rank by the singular values themselves.
 *
 * Why not GSL: its decompositions are unblocked; its complete orthogonal
 * decomposition took 1.0 s and its SVD 5.3 s for a 2000 x 500 X, against
 * ~0.1 s here, and that time was 75% of a 10^4-step SGD task.
 * tests/oracle/linear_numpy.py checks the result against numpy.linalg.pinv
 * and tests/unit/test_linear.c against an independent Cholesky solve. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_linear.h"

/* LAPACK's Fortran interface (OpenBLAS exports it; Debian ships no lapacke.h
 * with it). Column-major; every argument by reference. */
extern void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
                    const int *ldb, double *s, const double *rcond, int *rank, double *work, const int *lwork,
                    int *iwork, int *info);

ts_status ts_linear_min_norm(const ts_linear_data *D, double *w, ts_err *err)
{
    size_t n = D->n, d = D->d, ld = n > d ? n : d, m = n < d ? n : d;
    if (ld > (size_t)1 << 30)
        return ts_err_set(err, TS_EINVAL, "linear: n = %zu or d = %zu is too large for LAPACK's int sizes", n, d);
    int M = (int)n, N = (int)d, nrhs = 1, lda = M > 1 ? M : 1, ldb = (int)ld, rank = 0, info = 0, lwork = -1;
    double rcond = (double)ld * DBL_EPSILON, query = 0;
    int iquery = 0;
    double *a = malloc(n * d * sizeof *a), *b = calloc(ld, sizeof *b), *s = malloc(m * sizeof *s);
    double *work = NULL;
    int *iwork = NULL;
    ts_status st = TS_OK;
    if (!a || !b || !s) {
        st = ts_err_set(err, TS_ENOMEM, "linear: out of memory for the SVD of X (%zu x %zu)", n, d);
        goto done;
    }
    for (size_t i = 0; i < n; i++)              /* row-major X -> column-major a */
        for (size_t j = 0; j < d; j++) a[i + j * n] = D->X[i * d + j];
    memcpy(b, D->y, n * sizeof *b);
    dgelsd_(&M, &N, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, &query, &lwork, &iquery, &info);
    if (info == 0) {
        lwork = (int)query + 1;
        work = malloc((size_t)lwork * sizeof *work);
        iwork = malloc((size_t)(iquery > 1 ? iquery : 1) * sizeof *iwork);
        if (!work || !iwork) {
            st = ts_err_set(err, TS_ENOMEM, "linear: out of memory for the SVD workspace (%d doubles)", lwork);
            goto done;
        }
        dgelsd_(&M, &N, &nrhs, a, &lda, b, &ldb, s, &rcond, &rank, work, &lwork, iwork, &info);
    }
    if (info != 0) {
        st = ts_err_set(err, TS_ENUMERIC, "linear: the SVD of X (%zu x %zu) failed (LAPACK dgelsd info %d%s)", n, d,
                        info, info > 0 ? ": no convergence" : "");
        goto done;
    }
    memcpy(w, b, d * sizeof *w);
done:
    free(a);
    free(b);
    free(s);
    free(work);
    free(iwork);
    return st;
}
