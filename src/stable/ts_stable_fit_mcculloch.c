/* ts_stable_fit_mcculloch.c: McCulloch's (1986) quantile estimator, with its
 * tables recomputed from tailsweep's own quantile function (published
 * transcriptions of the tables disagree in a few cells; docs/stable-fitting.md).
 *
 * From the sample quantiles x_p,
 *   nu_a = (x.95 - x.05) / (x.75 - x.25)          (falls as alpha rises)
 *   nu_b = (x.95 + x.05 - 2 x.50) / (x.95 - x.05)  (rises with beta)
 * are inverted for (alpha, beta) through the same functions of the law's
 * own quantiles, tabulated on an (alpha, beta) grid (ts_mcculloch_table.c,
 * generated from ts_stable_quantile and checked against it by the tests); then
 *   scale = (x.75 - x.25) / (q.75 - q.25) and S0 location
 *   = x.50 - scale * q.50, with q the standardised S0 law's quantiles. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fit.h"
#include "ts_fit_sample.h"
#include "ts_mcculloch_table.h"

#define NA TS_MC_NA
#define NB TS_MC_NB
#define A0 TS_MC_A0
#define DA TS_MC_DA
#define DB TS_MC_DB

static const double P[TS_MC_NP] = TS_MC_P_INIT;

/* Per grid law: nu_a, nu_b, q.75 - q.25, q.50 of S0(alpha, beta, 1, 0). */
typedef struct {
    double nu_a[NA][NB], nu_b[NA][NB], iqr[NA][NB], med[NA][NB];
} mc_table;

/* The statistics from the committed quantiles (ts_mcculloch_table.c,
 * generated from ts_stable_quantile): 261 cells of arithmetic, so every
 * call derives them afresh and no mutable static state is needed. */
static void derive_table(mc_table *t)
{
    for (int i = 0; i < NA; i++)
        for (int j = 0; j < NB; j++) {
            const double *q = ts_mcculloch_q[i][j];
            t->nu_a[i][j] = (q[4] - q[0]) / (q[3] - q[1]);
            t->nu_b[i][j] = (q[4] + q[0] - 2 * q[2]) / (q[4] - q[0]);
            t->iqr[i][j] = q[3] - q[1];
            t->med[i][j] = q[2];
        }
}

/* Bilinear interpolation of a table at (alpha, beta >= 0). */
static double interp(const double t[NA][NB], double alpha, double beta)
{
    double fa = (alpha - A0) / DA, fb = beta / DB;
    int i = (int)fa, j = (int)fb;
    i = i < 0 ? 0 : i > NA - 2 ? NA - 2 : i;
    j = j < 0 ? 0 : j > NB - 2 ? NB - 2 : j;
    double u = fa - i, v = fb - j;
    return (1 - u) * (1 - v) * t[i][j] + u * (1 - v) * t[i + 1][j] + (1 - u) * v * t[i][j + 1] + u * v * t[i + 1][j + 1];
}

/* The beta in [0, 1] with nu_b(alpha, beta) = nb (nu_b rises with beta). */
static double beta_for(const mc_table *t, double alpha, double nb)
{
    double lo = 0, hi = 1;
    if (nb <= interp(t->nu_b, alpha, 0)) return 0;
    if (nb >= interp(t->nu_b, alpha, 1)) return 1;
    for (int it = 0; it < 60; it++) {
        double mid = 0.5 * (lo + hi);
        if (interp(t->nu_b, alpha, mid) < nb) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* (alpha, beta >= 0) matching (na, nb), by bisection on alpha of
 * nu_a(alpha, beta_for(alpha)), which falls as alpha rises. */
static void invert(const mc_table *t, double na, double nb, double *alpha, double *beta)
{
    double lo = A0, hi = 2.0;
    if (na >= interp(t->nu_a, lo, beta_for(t, lo, nb))) hi = lo;
    else if (na <= interp(t->nu_a, hi, beta_for(t, hi, nb))) lo = hi;
    for (int it = 0; it < 60 && hi > lo; it++) {
        double mid = 0.5 * (lo + hi);
        if (interp(t->nu_a, mid, beta_for(t, mid, nb)) > na) lo = mid;
        else hi = mid;
    }
    *alpha = 0.5 * (lo + hi);
    *beta = beta_for(t, *alpha, nb);
}

ts_status ts_fit_mcculloch(const double *x, size_t n, ts_stable_param param, ts_stable_fit *out, ts_err *err)
{
    memset(out, 0, sizeof *out);
    if (n < 20) return ts_err_set(err, TS_EINVAL, "mcculloch: %zu values; at least 20 are needed", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return ts_err_set(err, TS_EINVAL, "value %zu is not finite (%g)", i + 1, x[i]);
    double q[5];
    ts_status st = ts_fit_quantiles(x, n, P, 5, q, err);
    if (st) return st;
    if (!(q[3] > q[1]) || !(q[4] > q[0]))
        return ts_err_set(err, TS_EINVAL, "mcculloch: the data are constant over their middle 50%%; "
                          "no stable law fits");
    double na = (q[4] - q[0]) / (q[3] - q[1]), nb = (q[4] + q[0] - 2 * q[2]) / (q[4] - q[0]);
    mc_table tab, *t = &tab;
    derive_table(t);
    double alpha, b;
    invert(t, na, fabs(nb), &alpha, &b);
    double beta = nb < 0 ? -b : b;
    double scale = (q[3] - q[1]) / interp(t->iqr, alpha, b);
    /* the S0 median of S0(alpha, -beta) is minus that of S0(alpha, beta) */
    double med = interp(t->med, alpha, b) * (nb < 0 ? -1 : 1);
    out->alpha = alpha;
    out->beta = alpha >= 2 ? 0 : beta;
    out->scale = scale;
    out->loc = q[2] - scale * med;   /* S0 */
    out->param = param;
    if (param == TS_S1)
        out->loc -= fabs(alpha - 1) < 1e-12 ? out->beta * (2 / M_PI) * scale * log(scale)
                                            : out->beta * scale * tan(M_PI * alpha / 2);
    return TS_OK;
}
