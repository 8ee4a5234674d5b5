/* ts_agg_stats.c: the statistics of a sample with missing values, and the
 * reduction of an array over some of its dimensions. The definitions follow
 * NumPy (nanmean, nanstd(ddof=1), nanmedian, nanquantile 'linear') so the
 * oracle in tests/oracle/aggregate_numpy.py can hold them to 1e-12. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ts_agg_internal.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* NumPy's _lerp: a + (b - a) t, but from b's side when t >= 0.5, so the
 * result is exact at both ends. */
static double lerp(double a, double b, double t)
{
    double d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

double ts_agg_quantile_sorted(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    double lo = floor(h);
    size_t i = (size_t)lo;
    if (i >= n - 1) return x[n - 1];
    return lerp(x[i], x[i + 1], h - lo);
}

void ts_agg_sample(double *buf, size_t n, const double *q, size_t n_q, ts_agg_stats *s, double *qout)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)    /* keep the order: the mean sums in it */
        if (!isnan(buf[i])) buf[m++] = buf[i];
    s->count = m;
    s->mean = s->sd = s->se = s->median = NAN;
    for (size_t k = 0; k < n_q; k++) qout[k] = NAN;
    if (m == 0) return;
    double sum = 0;
    for (size_t i = 0; i < m; i++) sum += buf[i];
    s->mean = sum / (double)m;
    if (m >= 2) {
        double ss = 0;
        for (size_t i = 0; i < m; i++) {
            double d = buf[i] - s->mean;
            ss += d * d;
        }
        s->sd = sqrt(ss / (double)(m - 1));
        s->se = s->sd / sqrt((double)m);
    }
    qsort(buf, m, sizeof *buf, cmp_double);
    s->median = m % 2 ? buf[m / 2] : (buf[m / 2 - 1] + buf[m / 2]) / 2;
    for (size_t k = 0; k < n_q; k++) qout[k] = ts_agg_quantile_sorted(buf, m, q[k]);
}

double ts_agg_t_factor(uint64_t count, double level)
{
    if (count < 2 || !(level > 0 && level < 1)) return NAN;
    return gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(count - 1));
}

void ts_agg_result_free(ts_agg_result *r)
{
    if (!r) return;
    free(r->count);
    free(r->mean);
    free(r->sd);
    free(r->se);
    free(r->median);
    free(r->quantile);
    memset(r, 0, sizeof *r);
}

void agg_gather(const double *x, size_t rank, const size_t *shape, const size_t *stride, const int *reduce,
                size_t base, double *out)
{
    size_t ridx[16] = { 0 }, nred = 1;
    for (size_t k = 0; k < rank; k++)
        if (reduce[k]) nred *= shape[k];
    for (size_t j = 0; j < nred; j++) {
        size_t off = base;
        for (size_t k = 0; k < rank; k++)
            if (reduce[k]) off += ridx[k] * stride[k];
        out[j] = x[off];
        for (size_t k = rank; k-- > 0;) {   /* the reduced odometer, last dim fastest */
            if (!reduce[k]) continue;
            if (++ridx[k] < shape[k]) break;
            ridx[k] = 0;
        }
    }
}

ts_status ts_agg_reduce(const double *x, size_t rank, const size_t *shape, const int *reduce,
                        const double *q, size_t n_q, ts_agg_result *out, ts_err *err)
{
    memset(out, 0, sizeof *out);
    if (rank > 16) return ts_err_set(err, TS_EINVAL, "aggregate: %zu dimensions (at most 16)", rank);
    for (size_t k = 0; k < n_q; k++)
        if (!(q[k] >= 0 && q[k] <= 1))
            return ts_err_set(err, TS_EINVAL, "aggregate: quantile %g is outside [0, 1]", q[k]);
    size_t stride[16], cells = 1, nred = 1;
    for (size_t k = rank, s = 1; k-- > 0;) {
        stride[k] = s;
        s *= shape[k];
    }
    for (size_t k = 0; k < rank; k++) {
        if (reduce[k]) nred *= shape[k];
        else cells *= shape[k];
    }
    out->n_cells = cells;
    out->n_q = n_q;
    size_t nc = cells ? cells : 1;
    out->count = malloc(nc * sizeof *out->count);
    out->mean = malloc(nc * sizeof(double));
    out->sd = malloc(nc * sizeof(double));
    out->se = malloc(nc * sizeof(double));
    out->median = malloc(nc * sizeof(double));
    out->quantile = malloc((cells * n_q > 0 ? cells * n_q : 1) * sizeof(double));
    double *buf = malloc((nred ? nred : 1) * sizeof *buf);
    if (!out->count || !out->mean || !out->sd || !out->se || !out->median || !out->quantile || !buf) {
        free(buf);
        ts_agg_result_free(out);
        return ts_err_set(err, TS_ENOMEM, "aggregate: out of memory (%zu cells)", cells);
    }
    size_t kidx[16] = { 0 };
    for (size_t c = 0; c < cells; c++) {
        /* base offset of this kept cell; kidx counts over kept dims, row-major */
        size_t base = 0;
        for (size_t k = 0; k < rank; k++)
            if (!reduce[k]) base += kidx[k] * stride[k];
        agg_gather(x, rank, shape, stride, reduce, base, buf);
        ts_agg_stats s;
        ts_agg_sample(buf, nred, q, n_q, &s, out->quantile + c * n_q);
        out->count[c] = s.count;
        out->mean[c] = s.mean;
        out->sd[c] = s.sd;
        out->se[c] = s.se;
        out->median[c] = s.median;
        for (size_t k = rank; k-- > 0;) {
            if (reduce[k]) continue;
            if (++kidx[k] < shape[k]) break;
            kidx[k] = 0;
        }
    }
    free(buf);
    return TS_OK;
}
