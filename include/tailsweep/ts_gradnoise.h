/* ts_gradnoise.h: statistics of one noise vector, e.g. one layer's
 * flattened gradient noise (docs/math.md section 4.3: implicit-effect, minibatch or
 * total) or the forward-pass perturbation of one hidden layer's activations.
 *
 * Moments are the plain (biased) sample moments, as scipy.stats.skew and
 * scipy.stats.kurtosis compute them by default (bias=True; kurtosis is the
 * excess, Fisher's). The tail index is docs/math.md section 1.8's block-sum estimator
 * on the differences of the vector's two halves (ts_tail_index_blocksum_sym:
 * gradient noise is skewed, and median-centred block sums are biased for
 * skewed laws), the alpha-stable fit McCulloch's quantile estimator or
 * maximum likelihood (ts_stable_fit.h).
 *
 * A statistic that is not defined for the data (skewness of a constant
 * vector, a stable fit to data that are constant over their middle half,
 * e.g. all zeros when sigma2 = 0) is a quiet NaN, the missing value, and its
 * bit in `valid` is clear. No other value is ever NaN. */
#ifndef TS_GRADNOISE_H
#define TS_GRADNOISE_H

#include <stddef.h>

#include "tailsweep/ts_error.h"

enum {
    TS_GN_VALID_MOMENTS = 1,   /* skew, kurt (the mean is always defined)  */
    TS_GN_VALID_TAIL = 2,      /* tail_index                               */
    TS_GN_VALID_FIT = 4        /* alpha, beta, scale                       */
};

typedef enum { TS_GN_FIT_MCCULLOCH = 0, TS_GN_FIT_MLE = 1 } ts_gradnoise_fit;
extern const char *const ts_gradnoise_fit_names[];   /* "mcculloch", "mle", NULL */

typedef struct {
    double mean, skew, kurt;      /* kurt: excess kurtosis                   */
    double tail_index;
    double alpha, beta, scale;    /* alpha-stable fit (beta as S1's theta)   */
    double loc;                   /* the fit's location, Nolan's S0 (continuous
                                     in alpha); not stored, used by mimic     */
    double sd;                    /* standard deviation (biased), or NaN      */
    unsigned valid;               /* TS_GN_VALID_* bits                      */
} ts_gradnoise_stats;

/* Mean, skewness and excess kurtosis; returns TS_GN_VALID_MOMENTS when the
 * variance is positive, else 0 with skew and kurt NaN. */
unsigned ts_gradnoise_moments(const double *x, size_t n, double *mean, double *skew, double *kurt);

/* All statistics of x. The MLE runs on at most mle_max values (0: all), an
 * evenly spaced subsample x[floor(i n / mle_max)]: fixed and reproducible,
 * spread over every row of a weight matrix, and it bounds the cost
 * (~0.13 s per 1000 values). Fails only for n = 0, a non-finite value
 * (TS_ENUMERIC, naming its index) or lack of memory; data a statistic cannot
 * be computed from only clear its valid bit. */
ts_status ts_gradnoise_stats_compute(const double *x, size_t n, ts_gradnoise_fit method, size_t mle_max,
                                     ts_gradnoise_stats *out, ts_err *err);

/* The same, with the MLE (method TS_GN_FIT_MLE) carried across calls by
 * a fit context (ts_fit_ctx.h: the previous estimate, cached density
 * tables; its own subsample replaces mle_max). ctx NULL: as above. */
struct ts_fit_ctx;
ts_status ts_gradnoise_stats_compute_ctx(const double *x, size_t n, ts_gradnoise_fit method, size_t mle_max,
                                         struct ts_fit_ctx *ctx, ts_gradnoise_stats *out, ts_err *err);

#endif
