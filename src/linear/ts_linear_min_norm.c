/* ts_linear_min_norm.c: w = pinv(X) y, the point gradient descent from 0
 * converges to on least squares.
 *
 * Route: GSL's complete orthogonal decomposition X P = Q [R 0; 0 0] Z^T
 * (Householder QR with column pivoting, then an RZ step on the leading
 * rank rows), and its least squares solve, which returns the minimum-norm
 * minimiser of ||X w - y|| (for d <= n: the least squares solution; for
 * d > n, where GSL's solve wants rows >= columns, the same decomposition
 * of X^T gives the min-norm interpolator, see wide_solve), and the right
 * answer for a rank-deficient X too (e.g. a steep power-law spectrum).
 *
 * Why it is numerically sound: it works on X itself with orthogonal
 * transformations (backward stable), whereas solving the normal equations
 * (X X^T) a = y squares the condition number of X -- and near d = n the
 * smallest singular value of a Gaussian X, ~ sqrt(d) - sqrt(n), goes to 0,
 * so that would lose twice the digits. The pivoted QR reveals the rank
 * (GSL's default tolerance on the diagonal of R, gsl_linalg_QRPT_rank),
 * much as an SVD would, at a fifth of the cost of GSL's SVD (measured
 * 1.0 s against 5.3 s for 2000 x 500).
 * tests/oracle/linear_numpy.py checks the result against numpy.linalg.pinv
 * (LAPACK's SVD) and tests/unit/test_linear.c against a Cholesky solve. */
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permute_vector.h>

#include "tailsweep/ts_linear.h"

/* d > n: GSL's least squares solve wants rows >= columns, so factor
 * A = X^T (d x n) as GSL does, A = Q R Z P^T with R = [R11 0; 0 0],
 * R11 rank x rank. Then pinv(X) = pinv(A)^T = Q pinv(R)^T Z P^T, i.e.
 * w = Q [R11^-T (Z P^T y)_(1..rank); 0]. GSL applies Z only from the
 * right (A Z), so Z itself is formed as I Z (n x n, small next to A). */
static int wide_solve(gsl_matrix *A, gsl_vector *tq, gsl_vector *tz, gsl_permutation *perm, size_t rank,
                      const double *y, size_t n, gsl_vector *x)
{
    gsl_vector *c = gsl_vector_alloc(n), *zc = gsl_vector_alloc(n), *work = gsl_vector_alloc(n);
    gsl_matrix *Z = gsl_matrix_alloc(n, n);
    int rc = !c || !zc || !work || !Z ? GSL_ENOMEM : GSL_SUCCESS;
    if (!rc) {
        for (size_t i = 0; i < n; i++) gsl_vector_set(c, i, y[i]);
        rc = gsl_permute_vector(perm, c);                         /* P^T y */
    }
    if (!rc) {
        gsl_matrix_set_identity(Z);
        rc = gsl_linalg_COD_matZ(A, tz, rank, Z, work);           /* Z = I Z */
    }
    if (!rc) rc = gsl_blas_dgemv(CblasNoTrans, 1.0, Z, c, 0.0, zc);
    if (!rc) {
        gsl_vector_set_zero(x);
        for (size_t i = 0; i < rank; i++) gsl_vector_set(x, i, gsl_vector_get(zc, i));
        gsl_matrix_view R11 = gsl_matrix_submatrix(A, 0, 0, rank, rank);
        gsl_vector_view z = gsl_vector_subvector(x, 0, rank);
        if (rank) rc = gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, &R11.matrix, &z.vector);
    }
    if (!rc) rc = gsl_linalg_QR_Qvec(A, tq, x);                  /* Q [z; 0] */
    gsl_vector_free(c);
    gsl_vector_free(zc);
    gsl_vector_free(work);
    gsl_matrix_free(Z);
    return rc;
}

ts_status ts_linear_min_norm(const ts_linear_data *D, double *w, ts_err *err)
{
    size_t n = D->n, d = D->d, m = n < d ? n : d;
    int wide = d > n;                        /* factor X^T instead of X */
    size_t M = wide ? d : n, N = wide ? n : d;
    gsl_matrix *A = gsl_matrix_alloc(M, N);
    gsl_vector *tq = gsl_vector_alloc(m), *tz = gsl_vector_alloc(m), *work = gsl_vector_alloc(N);
    gsl_vector *res = gsl_vector_alloc(M), *x = gsl_vector_alloc(d);
    gsl_permutation *perm = gsl_permutation_alloc(N);
    ts_status st = TS_OK;
    if (!A || !tq || !tz || !work || !res || !x || !perm) {
        st = ts_err_set(err, TS_ENOMEM, "linear: out of memory for the decomposition of X (%zu x %zu)", n, d);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) gsl_matrix_set(A, wide ? j : i, wide ? i : j, D->X[i * d + j]);
    size_t rank = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_COD_decomp(A, tq, tz, perm, &rank, work);
    if (!rc && wide) {
        rc = wide_solve(A, tq, tz, perm, rank, D->y, n, x);
    } else if (!rc) {
        gsl_vector_const_view y = gsl_vector_const_view_array(D->y, n);
        rc = gsl_linalg_COD_lssolve(A, tq, tz, perm, rank, &y.vector, x, res);
    }
    gsl_set_error_handler(old);
    if (rc) {
        st = ts_err_set(err, TS_ENUMERIC, "linear: the least squares solve on X (%zu x %zu) failed: %s", n, d,
                        gsl_strerror(rc));
        goto done;
    }
    for (size_t j = 0; j < d; j++) w[j] = gsl_vector_get(x, j);
done:
    gsl_matrix_free(A);
    gsl_vector_free(tq);
    gsl_vector_free(tz);
    gsl_vector_free(work);
    gsl_vector_free(res);
    gsl_vector_free(x);
    gsl_permutation_free(perm);
    return st;
}
