/* ts_stable_fit.h: estimating an alpha-stable law, and tail indices, from
 * samples (docs/math.md sections 1.7-1.8).
 *
 * Every estimator returns TS_EINVAL with a message for unusable data (too
 * few points, non-finite values, constant data) and never prints. */
#ifndef TS_STABLE_FIT_H
#define TS_STABLE_FIT_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_stable.h"

typedef struct {
    double alpha, beta, scale, loc;   /* in the parameterisation asked for */
    ts_stable_param param;
    int iterations;                   /* estimator-specific; 0 if not iterative */
} ts_stable_fit;

/* Koutrouvelis (1980) regression on the empirical characteristic function,
 * in the variant of Kogon and Williams (1998): standardise by quantile
 * estimates of scale and location, regress log(-log|phi(u)|^2) on log u for
 * alpha and scale, then the unwrapped phase on (u, sgn(u) |u|^alpha) for
 * beta and location, over u = 0.1 .. 1, and iterate on the re-standardised
 * data until the standardisation is the identity to 1e-6. */
ts_status ts_fit_koutrouvelis(const double *x, size_t n, ts_stable_param param,
                              ts_stable_fit *out, ts_err *err);

/* McCulloch (1986): alpha and beta from the sample quantile ratios
 * nu_a = (x.95 - x.05) / (x.75 - x.25) and nu_b = (x.95 + x.05 - 2 x.50) /
 * (x.95 - x.05), inverted through tables recomputed at first use from
 * tailsweep's own quantile function (alpha in [0.6, 2], beta in [-1, 1]);
 * scale and location from the interquartile range and the median. Fast and
 * robust; less efficient than the MLE, which it can start. */
ts_status ts_fit_mcculloch(const double *x, size_t n, ts_stable_param param,
                           ts_stable_fit *out, ts_err *err);

#define TS_FIT_MLE_ALPHA_MIN 0.05

/* Maximum likelihood (Nolan 2001): maximises sum_i log f(x_i; alpha, beta,
 * scale, loc) over alpha in [TS_FIT_MLE_ALPHA_MIN = 0.05, 2], beta in
 * [-1, 1], scale > 0, with the fast density of ts_stable_fast.h for alpha
 * >= 0.6 (error <= 1e-8 in log f, far below the sampling error) and the
 * accurate density of ts_stable_dist.h below, by Nelder-Mead on unbounded
 * transforms of the four parameters, started from ts_fit_koutrouvelis
 * (which also rejects the data it cannot use: fewer than 20 values,
 * non-finite or constant data). If the likelihood is largest at the lower
 * limit (alpha within 0.005 of it) the fit is still filled in, without
 * standard errors, and TS_ERANGE says so.
 * With want_se, se[] gets standard errors of (alpha, beta, scale, loc) from
 * the observed information (numerical Hessian of the log-likelihood,
 * inverted); NaN where they are not defined (an estimate on a bound, or an
 * information matrix that is not positive definite, e.g. beta when alpha is
 * ~2). se may be NULL when want_se is 0. out->iterations counts simplex
 * iterations (~200-250). Cost: one density table per likelihood evaluation
 * (~0.1 ms for alpha >= 1.4, more towards alpha = 1 and 0.6) plus ~15 ns
 * per value: 0.05-0.4 s for n = 1000 or 10^4 with alpha in [1.1, 1.9];
 * below alpha 0.6 ~10 us per value and evaluation, seconds for n = 1000
 * (docs/benchmarks.md). Switches GSL's
 * process-global error handler off while it runs: not for concurrent use
 * from several threads. */
ts_status ts_fit_mle(const double *x, size_t n, ts_stable_param param, int want_se, ts_stable_fit *out,
                     double se[4], ts_err *err);

/* Tail index alpha of centred data by the block-sum estimator of Mohammadi,
 * Mohammadpour and Ogata (2015), used by Simsekli et al. (2019):
 *   1/alpha = (mean_i log|Y_i| - mean_j log|X_j|) / log K1,
 * Y_i the sums of K2 blocks of K1 consecutive values, K1 = floor(sqrt(n)).
 * The data are centred by their median first; zeros are skipped in the logs.
 * The result is clamped to (0, 2] (the estimator is for stable data). */
ts_status ts_tail_index_blocksum(const double *x, size_t n, double *alpha, ts_err *err);

/* The same estimator on the differences x[i] - x[i + h] of the two halves of
 * the non-zero values (h = half their count): a symmetric law of the same
 * tail index, centred at 0 exactly, so it is unbiased for skewed laws too,
 * where the median-centred estimate above is not (S1(1.5, 0.7): 1.1 for
 * 1.5). Exact zeros (e.g. gradients that are structurally 0) carry no tail
 * and are left out. Half the values enter: needs at least 32 non-zero. */
ts_status ts_tail_index_blocksum_sym(const double *x, size_t n, double *alpha, ts_err *err);

/* Hill estimator on the k largest |x - median|, with k chosen automatically
 * where the Hill plot is flattest (the k minimising the relative variance
 * of the estimate over k/8 neighbours each side, k between 0.2% and 2% of
 * n, at least 10). Stable laws are Pareto only asymptotically: Hill is
 * biased upward as alpha approaches 2 (S(1.8) reads ~2 at any k), where the
 * block-sum estimator is the better choice. k_out may be NULL. */
ts_status ts_tail_index_hill(const double *x, size_t n, double *alpha, size_t *k_out, ts_err *err);

#endif
