/* ts_sde_law.c: the small-noise law of exits (Imkeller and Pavlyukevich 2006,
 * 2008; docs/sde.md). For eps -> 0 the chain sits at the bottom of its basin
 * and leaves it only by one jump of eps L larger than the distance to a
 * barrier: the rate is eps^alpha times the Levy measure nu of L beyond the
 * barriers. For L_1 ~ S1(alpha, theta, 0) the tails of nu are
 *   nu((x, inf)) = C_alpha (1 + theta)/2 x^-alpha,
 *   nu((-inf, -x)) = C_alpha (1 - theta)/2 x^-alpha,
 * with C_alpha the stable tail constant (Samorodnitsky and Taqqu 1994,
 * eq. 1.2.9), so that P(L_1 > x) ~ nu((x, inf)). */
#include <math.h>

#include <gsl/gsl_sf_gamma.h>

#include "tailsweep/ts_sde.h"

double ts_sde_law_c_alpha(double alpha)
{
    if (alpha == 1) return 2 / M_PI;
    if (alpha >= 2) return 0;
    return (1 - alpha) / (gsl_sf_gamma(2 - alpha) * cos(M_PI * alpha / 2));
}

/* nu((x, inf)) / C_alpha for x >= 0 (one side: +1 right, -1 left) */
static double tail(double x, int side, double alpha, double theta)
{
    if (isinf(x)) return 0;
    return 0.5 * (1 + side * theta) * pow(x, -alpha);
}

/* Levy measure (over C_alpha) of the jumps from m that land in (lo, hi) */
static double landing(double m, double lo, double hi, double alpha, double theta)
{
    if (lo >= m) return tail(lo - m, 1, alpha, theta) - tail(hi - m, 1, alpha, theta);
    if (hi <= m) return tail(m - hi, -1, alpha, theta) - tail(m - lo, -1, alpha, theta);
    return NAN;   /* the basin of m itself */
}

void ts_sde_law(const ts_basins *b, double alpha, double theta, double eps, double *rate, double *occ)
{
    const size_t n = b->n;
    const double ca = ts_sde_law_c_alpha(alpha), ea = pow(eps, alpha);
    double q[TS_SDE_MAX_BASINS][TS_SDE_MAX_BASINS];
    for (size_t i = 0; i < n; i++) {
        rate[i] = ea * ca * (tail(b->hi[i] - b->min[i], 1, alpha, theta) + tail(b->min[i] - b->lo[i], -1, alpha, theta));
        for (size_t j = 0; j < n; j++) q[i][j] = i == j ? 0 : ea * ca * landing(b->min[i], b->lo[j], b->hi[j], alpha, theta);
    }
    if (n == 1) {
        occ[0] = 1;
        return;
    }
    if (!(ca > 0)) {
        for (size_t i = 0; i < n; i++) occ[i] = NAN;
        return;
    }
    /* pi Q = 0 with sum pi = 1: the balance equations of basins 1..n-1
     * (column j: sum_i pi_i q_ij = pi_j sum_k q_jk) and the normalisation,
     * solved by Gaussian elimination with partial pivoting (n <= 6). */
    double A[TS_SDE_MAX_BASINS][TS_SDE_MAX_BASINS + 1];
    for (size_t j = 0; j < n; j++) A[0][j] = 1;
    A[0][n] = 1;
    for (size_t r = 1; r < n; r++) {
        for (size_t i = 0; i < n; i++) A[r][i] = i == r ? -rate[r] : q[i][r];
        A[r][n] = 0;
    }
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(A[r][c]) > fabs(A[piv][c])) piv = r;
        for (size_t k = 0; k <= n; k++) {
            double t = A[c][k];
            A[c][k] = A[piv][k];
            A[piv][k] = t;
        }
        for (size_t r = 0; r < n; r++) {
            if (r == c || A[c][c] == 0) continue;
            double f = A[r][c] / A[c][c];
            for (size_t k = c; k <= n; k++) A[r][k] -= f * A[c][k];
        }
    }
    for (size_t i = 0; i < n; i++) occ[i] = A[i][i] != 0 ? A[i][n] / A[i][i] : NAN;
}
