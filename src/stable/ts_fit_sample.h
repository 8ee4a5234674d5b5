/* ts_fit_sample.h: what the quantile-based fitters share (src/stable only):
 * a sorted copy of the data and its linearly interpolated quantiles. */
#ifndef TS_FIT_SAMPLE_H
#define TS_FIT_SAMPLE_H

#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_error.h"

static int ts_fit_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A sorted copy of x[0..n), to be freed by the caller. */
static inline ts_status ts_fit_sorted(const double *x, size_t n, double **out, ts_err *err)
{
    *out = malloc((n ? n : 1) * sizeof **out);
    if (!*out) return ts_err_set(err, TS_ENOMEM, "out of memory for %zu values", n);
    memcpy(*out, x, n * sizeof **out);
    qsort(*out, n, sizeof **out, ts_fit_cmp);
    return TS_OK;
}

/* Quantile p of a sorted sample, interpolating linearly between order
 * statistics (numpy's default). */
static inline double ts_fit_quantile(const double *s, size_t n, double p)
{
    double h = p * (double)(n - 1);
    size_t i = (size_t)h;
    return i + 1 < n ? s[i] + (h - (double)i) * (s[i + 1] - s[i]) : s[n - 1];
}

#endif
