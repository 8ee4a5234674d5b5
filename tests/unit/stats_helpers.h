/* stats_helpers.h: the goodness-of-fit machinery the statistical tests share.
 *
 * Every statistical test here runs on fixed seeds, so its outcome is
 * deterministic; the thresholds below say how often a *correct* sampler would
 * fail on a fresh seed, which is what the tolerance means. */
#ifndef TS_STATS_HELPERS_H
#define TS_STATS_HELPERS_H

#include <math.h>
#include <stdlib.h>

/* Asymptotic Kolmogorov critical value of sqrt(n_eff) D at level 1e-3
 * (P(K > 1.949) = 1e-3). */
#define KS_CRIT_1E3 1.949

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One-sample KS statistic D of x (sorted in place) against cdf. */
static inline double ks_one_sample(double *x, size_t n, double (*cdf)(double, const void *),
                                   const void *ctx)
{
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double F = cdf(x[i], ctx);
        double lo = F - (double)i / n, hi = (double)(i + 1) / n - F;
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    return d;
}

/* Two-sample KS statistic D (both arrays sorted in place). */
static inline double ks_two_sample(double *x, size_t n, double *y, size_t m)
{
    qsort(x, n, sizeof *x, cmp_double);
    qsort(y, m, sizeof *y, cmp_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < n && j < m) {
        double v = x[i] < y[j] ? x[i] : y[j];
        while (i < n && x[i] <= v) i++;
        while (j < m && y[j] <= v) j++;
        double diff = fabs((double)i / n - (double)j / m);
        if (diff > d) d = diff;
    }
    return d;
}

#endif
