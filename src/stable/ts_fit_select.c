/* ts_fit_select.c: order statistics by selection (ts_fit_sample.h).
 *
 * The fitters need a handful of order statistics (McCulloch: the two
 * neighbours of five quantiles; the tail index: the median; Hill: the top
 * few percent), so a full qsort of the sample was most of their cost.
 * Quickselect with a median-of-3 pivot (Numerical Recipes' `select`) is
 * O(n) on average; its partition stops on keys equal to the pivot, so
 * ties split evenly. A depth budget guards the O(n^2) worst case: past it
 * the remaining range is sorted, which is still exact. Selection returns
 * the very values a sort would, so every result is bit-identical to the
 * sorted route. */
#include <stdlib.h>
#include <string.h>

#include "ts_fit_sample.h"

int ts_fit_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define SWAP(u, v) do { double t_ = (u); (u) = (v); (v) = t_; } while (0)

void ts_fit_select(double *a, size_t n, size_t k)
{
    if (n < 2 || k >= n) return;
    size_t l = 0, ir = n - 1;
    /* median-of-3 shrinks the range by about half per round; 3 log2(n) + 16
     * rounds is far beyond what non-adversarial data need */
    int budget = 16;
    for (size_t m = n; m > 1; m >>= 1) budget += 3;
    for (;;) {
        if (ir <= l + 1) {
            if (ir == l + 1 && a[ir] < a[l]) SWAP(a[l], a[ir]);
            return;
        }
        if (budget-- == 0) {   /* adversarial order: finish exactly by sorting */
            qsort(a + l, ir - l + 1, sizeof *a, ts_fit_cmp);
            return;
        }
        size_t mid = l + (ir - l) / 2;
        SWAP(a[mid], a[l + 1]);
        /* a[l] <= a[l+1] <= a[ir]: the pivot a[l+1] and two sentinels */
        if (a[l] > a[ir]) SWAP(a[l], a[ir]);
        if (a[l + 1] > a[ir]) SWAP(a[l + 1], a[ir]);
        if (a[l] > a[l + 1]) SWAP(a[l], a[l + 1]);
        size_t i = l + 1, j = ir;
        double pv = a[l + 1];
        for (;;) {
            do i++; while (a[i] < pv);
            do j--; while (a[j] > pv);
            if (j < i) break;
            SWAP(a[i], a[j]);
        }
        a[l + 1] = a[j];
        a[j] = pv;
        /* now a[l..j) <= pv = a[j] <= a(j..ir] */
        if (j >= k) ir = j - 1;
        if (j <= k) l = i;
    }
}

void ts_fit_select_many(double *a, size_t n, const size_t *idx, size_t m)
{
    size_t lo = 0;   /* a[0..lo) already holds the lo smallest, in place */
    for (size_t j = 0; j < m; j++) {
        size_t k = idx[j];
        if (k < lo || k >= n) continue;   /* already placed (repeated index) */
        if (k == lo) {   /* the minimum of the rest: one scan */
            size_t b = lo;
            for (size_t i = lo + 1; i < n; i++)
                if (a[i] < a[b]) b = i;
            SWAP(a[lo], a[b]);
        } else {
            ts_fit_select(a + lo, n - lo, k - lo);
        }
        lo = k + 1;
    }
}

static double *copy(const double *x, size_t n, ts_err *err)
{
    double *c = malloc((n ? n : 1) * sizeof *c);
    if (!c) {
        ts_err_set(err, TS_ENOMEM, "out of memory for %zu values", n);
        return NULL;
    }
    memcpy(c, x, n * sizeof *c);
    return c;
}

#define MAXQ 16

ts_status ts_fit_quantiles(const double *x, size_t n, const double *p, size_t np, double *q, ts_err *err)
{
    if (n == 0 || np > MAXQ)
        return ts_err_set(err, TS_EINVAL, "quantiles: %zu values, %zu probabilities (at most %d)", n, np, MAXQ);
    for (size_t j = 0; j < np; j++)
        if (!(p[j] >= 0 && p[j] <= 1) || (j && p[j] < p[j - 1]))
            return ts_err_set(err, TS_EINVAL, "quantiles: probability %zu (%g) is not in [0, 1] or not ascending",
                              j + 1, p[j]);
    double *a = copy(x, n, err);
    if (!a) return TS_ENOMEM;
    size_t idx[2 * MAXQ] = { 0 }, m = 0;
    for (size_t j = 0; j < np; j++) {   /* the same h and i as ts_fit_quantile */
        size_t i = (size_t)(p[j] * (double)(n - 1));
        idx[m++] = i;
        if (i + 1 < n) idx[m++] = i + 1;
    }
    ts_fit_select_many(a, n, idx, m);
    for (size_t j = 0; j < np; j++) q[j] = ts_fit_quantile(a, n, p[j]);
    free(a);
    return TS_OK;
}

ts_status ts_fit_median(const double *x, size_t n, double *med, ts_err *err)
{
    if (n == 0) return ts_err_set(err, TS_EINVAL, "median: no values");
    double *a = copy(x, n, err);
    if (!a) return TS_ENOMEM;
    size_t idx[2] = { n % 2 ? n / 2 : n / 2 - 1, n / 2 };
    ts_fit_select_many(a, n, idx, n % 2 ? 1 : 2);
    *med = n % 2 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    free(a);
    return TS_OK;
}
