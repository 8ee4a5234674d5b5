/* ts_linear_min_norm.c: w = pinv(X) y, the point gradient descent from 0
 * converges to on least squares.
 *
 * Why an SVD and not the normal equations: solving (X X^T) a = y squares
 * the condition number of X, and near d = n (where the smallest singular
 * value of a Gaussian X is ~ (sqrt(d) - sqrt(n)) -> 0) that loses twice the
 * digits. The SVD of X works on X itself (backward stable, the error
 * relative to s_max is O(eps)), and a rank cut at max(n, d) eps s_max --
 * LAPACK's and numpy.linalg.pinv's default -- makes rank-deficient inputs
 * give the minimum-norm least squares solution instead of a blow-up.
 * GSL's Golub-Reinsch SVD needs rows >= columns, so it factors X when
 * n >= d and X^T when d > n. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "tailsweep/ts_linear.h"

ts_status ts_linear_min_norm(const ts_linear_data *D, double *w, ts_err *err)
{
    size_t n = D->n, d = D->d;
    int tall = n >= d;                       /* factor X (n x d) or X^T (d x n) */
    size_t M = tall ? n : d, N = tall ? d : n;
    gsl_matrix *A = gsl_matrix_alloc(M, N), *V = gsl_matrix_alloc(N, N);
    gsl_vector *s = gsl_vector_alloc(N), *work = gsl_vector_alloc(N), *c = gsl_vector_alloc(N);
    ts_status st = TS_OK;
    if (!A || !V || !s || !work || !c) {
        st = ts_err_set(err, TS_ENOMEM, "linear: out of memory for the SVD of a %zu x %zu matrix", M, N);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(A, tall ? i : j, tall ? j : i, D->X[i * d + j]);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_SV_decomp(A, V, s, work);     /* A <- U (M x N) */
    gsl_set_error_handler(old);
    if (rc) {
        st = ts_err_set(err, TS_ENUMERIC, "linear: the SVD of X (%zu x %zu) failed: %s", n, d, gsl_strerror(rc));
        goto done;
    }
    /* X = U S V^T: pinv y = V S^+ U^T y.  X^T = U S V^T: pinv(X) y = U S^+ V^T y. */
    double cut = (double)(M > N ? M : N) * 2.220446049250313e-16 * gsl_vector_get(s, 0);
    for (size_t k = 0; k < N; k++) {
        double sk = gsl_vector_get(s, k), proj = 0;
        for (size_t i = 0; i < n; i++) proj += (tall ? gsl_matrix_get(A, i, k) : gsl_matrix_get(V, i, k)) * D->y[i];
        gsl_vector_set(c, k, sk > cut ? proj / sk : 0);
    }
    for (size_t j = 0; j < d; j++) {
        double acc = 0;
        for (size_t k = 0; k < N; k++)
            acc += (tall ? gsl_matrix_get(V, j, k) : gsl_matrix_get(A, j, k)) * gsl_vector_get(c, k);
        w[j] = acc;
    }
done:
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_vector_free(s);
    gsl_vector_free(work);
    gsl_vector_free(c);
    return st;
}
