/* ts_fit_sample.h: what the quantile-based fitters share (src/stable only):
 * order statistics of the data by selection (O(n), no full sort) and the
 * linearly interpolated quantiles built from them. */
#ifndef TS_FIT_SAMPLE_H
#define TS_FIT_SAMPLE_H

#include <stddef.h>

#include "tailsweep/ts_error.h"

/* Ascending order for qsort. */
int ts_fit_cmp(const void *a, const void *b);

/* Rearranges a[0..n) so that a[k] holds the value a full ascending sort
 * would put there, with a[i] <= a[k] for i < k and a[i] >= a[k] for i > k.
 * The data must not hold NaN. */
void ts_fit_select(double *a, size_t n, size_t k);

/* Like ts_fit_select for the ascending indices idx[0..m): afterwards each
 * a[idx[j]] equals the sorted sample's value at idx[j]. */
void ts_fit_select_many(double *a, size_t n, const size_t *idx, size_t m);

/* Quantiles p[0..np) (ascending, in [0, 1]) of x[0..n) (n >= 1, no NaN),
 * interpolating linearly between order statistics (numpy's default), into
 * q: the same values, bit for bit, as ts_fit_quantile of a sorted copy. */
ts_status ts_fit_quantiles(const double *x, size_t n, const double *p, size_t np, double *q, ts_err *err);

/* The median of x[0..n) (n >= 1, no NaN): the middle order statistic, or
 * the mean of the middle two. */
ts_status ts_fit_median(const double *x, size_t n, double *med, ts_err *err);

/* Quantile p of a sorted sample, interpolating linearly between order
 * statistics (numpy's default). */
static inline double ts_fit_quantile(const double *s, size_t n, double p)
{
    double h = p * (double)(n - 1);
    size_t i = (size_t)h;
    return i + 1 < n ? s[i] + (h - (double)i) * (s[i + 1] - s[i]) : s[n - 1];
}

#endif
