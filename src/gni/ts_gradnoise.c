/* ts_gradnoise.c: moments, tail index and alpha-stable fit of a noise
 * vector (ts_gradnoise.h). */
#include <math.h>
#include <stdlib.h>

#include "tailsweep/ts_fit_ctx.h"
#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_stable_fit.h"

const char *const ts_gradnoise_fit_names[] = { "mcculloch", "mle", NULL };

/* Two passes: the centred sums are accurate where one-pass power sums
 * cancel (noise whose mean dwarfs its spread). */
unsigned ts_gradnoise_moments(const double *x, size_t n, double *mean, double *skew, double *kurt)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    double m = n ? s / (double)n : 0;
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t i = 0; i < n; i++) {
        double c = x[i] - m, c2 = c * c;
        m2 += c2;
        m3 += c2 * c;
        m4 += c2 * c2;
    }
    *mean = m;
    *skew = *kurt = NAN;
    if (n < 2) return 0;
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;
    /* a spread at rounding level of the mean is a constant vector */
    if (!(m2 > 1e-30 * m * m) || m2 == 0) return 0;
    *skew = m3 / (m2 * sqrt(m2));
    *kurt = m4 / (m2 * m2) - 3;
    return TS_GN_VALID_MOMENTS;
}

/* The estimators refuse data they cannot use with EINVAL (too few values,
 * constant data) or ENUMERIC (no finite estimate): for noise statistics
 * that means "not applicable", not a failed task. */
static int not_applicable(ts_status st)
{
    return st == TS_EINVAL || st == TS_ENUMERIC;
}

static ts_status fit_mle(const double *x, size_t n, size_t mle_max, ts_stable_fit *f, ts_err *err)
{
    if (mle_max == 0 || mle_max >= n) return ts_fit_mle(x, n, TS_S0, 0, f, NULL, err);
    double *sub = malloc(mle_max * sizeof *sub);
    if (!sub) return ts_err_set(err, TS_ENOMEM, "gradient noise: out of memory for the MLE subsample");
    for (size_t i = 0; i < mle_max; i++) sub[i] = x[(size_t)((double)i * (double)n / (double)mle_max)];
    ts_status st = ts_fit_mle(sub, mle_max, TS_S0, 0, f, NULL, err);
    free(sub);
    return st;
}

ts_status ts_gradnoise_stats_compute(const double *x, size_t n, ts_gradnoise_fit method, size_t mle_max,
                                     ts_gradnoise_stats *out, ts_err *err)
{
    return ts_gradnoise_stats_compute_ctx(x, n, method, mle_max, NULL, out, err);
}

ts_status ts_gradnoise_stats_compute_ctx(const double *x, size_t n, ts_gradnoise_fit method, size_t mle_max,
                                         ts_fit_ctx *ctx, ts_gradnoise_stats *out, ts_err *err)
{
    out->tail_index = out->alpha = out->beta = out->scale = out->loc = out->sd = NAN;
    out->mean = out->skew = out->kurt = NAN;
    out->valid = 0;
    if (n == 0) return ts_err_set(err, TS_EINVAL, "gradient noise: the vector is empty");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return ts_err_set(err, TS_ENUMERIC, "gradient noise: value %zu of %zu is not finite (%g)", i + 1, n, x[i]);
    out->valid = ts_gradnoise_moments(x, n, &out->mean, &out->skew, &out->kurt);
    if (!out->valid) return TS_OK;   /* constant: no tails, no stable law */
    double m2 = 0;
    for (size_t i = 0; i < n; i++) m2 += (x[i] - out->mean) * (x[i] - out->mean);
    out->sd = sqrt(m2 / (double)n);
    ts_err e2 = { 0 };
    double a;
    ts_status st = ts_tail_index_blocksum_sym(x, n, &a, &e2);
    if (!st) {
        out->tail_index = a;
        out->valid |= TS_GN_VALID_TAIL;
    } else if (!not_applicable(st)) {
        return ts_err_set(err, st, "gradient noise: tail index: %s", e2.msg);
    }
    ts_stable_fit f;
    st = method != TS_GN_FIT_MLE ? ts_fit_mcculloch(x, n, TS_S0, &f, &e2)
       : ctx                     ? ts_fit_ctx_fit(ctx, x, n, &f, &e2)
                                 : fit_mle(x, n, mle_max, &f, &e2);
    /* ERANGE: the MLE sits on its alpha bound; the estimate is still filled in */
    if (!st || (st == TS_ERANGE && isfinite(f.alpha))) {
        out->alpha = f.alpha;
        out->beta = f.beta;
        out->scale = f.scale;
        out->loc = f.loc;
        out->valid |= TS_GN_VALID_FIT;
    } else if (!not_applicable(st)) {
        return ts_err_set(err, st, "gradient noise: stable fit: %s", e2.msg);
    }
    return TS_OK;
}
