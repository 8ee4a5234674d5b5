/* ts_tail_index.c: tail-index estimators (ts_stable_fit.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fit.h"
#include "ts_fit_sample.h"

static ts_status check_data(const char *who, const double *x, size_t n, size_t min_n, ts_err *err)
{
    if (n < min_n) return ts_err_set(err, TS_EINVAL, "%s: %zu values; at least %zu are needed", who, n, min_n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return ts_err_set(err, TS_EINVAL, "%s: value %zu is not finite (%g)", who, i + 1, x[i]);
    return TS_OK;
}

/* The block-sum estimate of values v around `centre` (docs/math.md section 1.8). */
static ts_status blocksum(const double *v, size_t n, double centre, double *alpha, ts_err *err)
{
    size_t k1 = (size_t)floor(sqrt((double)n)), k2 = n / k1;
    double ly = 0, lx = 0;
    size_t ny = 0, nx = 0;
    for (size_t i = 0; i < k2; i++) {
        double y = 0;
        for (size_t j = 0; j < k1; j++) {
            double d = v[i * k1 + j] - centre;
            y += d;
            if (d != 0) { lx += log(fabs(d)); nx++; }   /* log 0 guard */
        }
        if (y != 0) { ly += log(fabs(y)); ny++; }
    }
    if (nx == 0 || ny == 0) return ts_err_set(err, TS_EINVAL, "tail index: the data are constant");
    double inv = (ly / (double)ny - lx / (double)nx) / log((double)k1);
    if (!(inv > 0)) return ts_err_set(err, TS_ENUMERIC, "tail index: block sums are not larger than "
                                      "the values (1/alpha = %g); the data are not heavy-tailed sums", inv);
    *alpha = 1 / inv > 2 ? 2 : 1 / inv;
    return TS_OK;
}

ts_status ts_tail_index_blocksum(const double *x, size_t n, double *alpha, ts_err *err)
{
    ts_status st = check_data("tail index", x, n, 16, err);
    double med;
    if (!st) st = ts_fit_median(x, n, &med, err);   /* selection: no sort */
    return st ? st : blocksum(x, n, med, alpha, err);
}

/* Centring a skewed law by its median leaves a drift in every block sum
 * (K1 (mean - median), against a spread of K1^(1/alpha)): on S1(1.5, 0.7)
 * the centred estimate reads 1.1. The difference X - X' of two independent
 * draws of any stable law is a symmetric stable law of the same alpha,
 * centred at 0 exactly, so the estimator needs no centre at all there. */
ts_status ts_tail_index_blocksum_sym(const double *x, size_t n, double *alpha, ts_err *err)
{
    ts_status st = check_data("tail index", x, n, 32, err);
    if (st) return st;
    double *d = malloc(n * sizeof *d);
    if (!d) return ts_err_set(err, TS_ENOMEM, "tail index: out of memory for %zu values", n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0) d[m++] = x[i];
    size_t h = m / 2;
    for (size_t i = 0; i < h; i++) d[i] -= d[i + h];
    st = h < 16 ? ts_err_set(err, TS_EINVAL, "tail index: %zu non-zero values; at least 32 are needed", m)
                : blocksum(d, h, 0, alpha, err);
    free(d);
    return st;
}

ts_status ts_tail_index_hill(const double *x, size_t n, double *alpha, size_t *k_out, ts_err *err)
{
    ts_status st = check_data("hill", x, n, 100, err);
    double med;
    if (!st) st = ts_fit_median(x, n, &med, err);
    if (st) return st;
    double *s = malloc(n * sizeof *s);
    if (!s) return ts_err_set(err, TS_ENOMEM, "hill: out of memory");
    size_t pos = 0;   /* non-zero deviations from the median */
    for (size_t i = 0; i < n; i++) {
        s[i] = fabs(x[i] - med);
        pos += s[i] > 0;
    }
    /* Stable laws are Pareto only far out: the Hill plot of S(1.5) drifts
     * from 1.50 at k = 1% of n to 1.72 at 10%, so k stays within 0.2-2%. */
    size_t kmin = pos / 500 > 10 ? pos / 500 : 10, kmax = pos / 50;
    if (kmax <= kmin + 8) {
        free(s);
        return ts_err_set(err, TS_EINVAL, "hill: only %zu non-zero deviations from the median", pos);
    }
    /* Only the top kmax + kmax/8 + 2 deviations enter the estimates below:
     * select them (O(n)) and sort just those, descending, as logs. */
    size_t top = kmax + kmax / 8 + 2 < pos ? kmax + kmax / 8 + 2 : pos;
    ts_fit_select(s, n, n - top);
    qsort(s + (n - top), top, sizeof *s, ts_fit_cmp);
    double *lg = malloc(top * sizeof *lg), *est = malloc((top + 1) * sizeof *est);
    if (!lg || !est) {
        free(s); free(lg); free(est);
        return ts_err_set(err, TS_ENOMEM, "hill: out of memory");
    }
    for (size_t i = 0; i < top; i++) lg[i] = log(s[n - 1 - i]);
    free(s);
    /* est[k] = k / sum_{i<k} (lg[i] - lg[k]) via a running sum */
    double sum = 0;
    for (size_t k = 1; k <= kmax + kmax / 8 + 1 && k < pos; k++) {
        sum += lg[k - 1];
        est[k] = (double)k / (sum - (double)k * lg[k]);
    }
    /* the k whose neighbourhood (k/8 each side) of the Hill plot varies least */
    double best = HUGE_VAL;
    size_t kbest = kmin;
    for (size_t k = kmin; k <= kmax; k++) {
        size_t h = k / 8 > 2 ? k / 8 : 2, a = k - h, b = k + h < pos - 1 ? k + h : pos - 1;
        double m = 0, v = 0;
        for (size_t j = a; j <= b; j++) m += est[j];
        m /= (double)(b - a + 1);
        for (size_t j = a; j <= b; j++) v += (est[j] - m) * (est[j] - m);
        v /= (double)(b - a + 1) * m * m;   /* relative variance */
        if (v < best) { best = v; kbest = k; }
    }
    *alpha = est[kbest];
    if (k_out) *k_out = kbest;
    free(lg);
    free(est);
    return isfinite(*alpha) && *alpha > 0 ? TS_OK : ts_err_set(err, TS_ENUMERIC, "hill: no finite estimate");
}
