/* ts_stable_fast.h: the fast alpha-stable density: the inner loop
 * of maximum-likelihood fitting, tens of millions of evaluations per second.
 *
 * One object per (alpha, beta): building it tabulates the standardised S0
 * log-density (scale 1, loc 0) on a uniform grid by FFT inversion of the
 * exact characteristic function (Mittnik, Rachev, Doganoglu and Chenyao
 * 1999), after which an evaluation is a 6-point Lagrange interpolation of
 * the table, or outside it a tail formula:
 *   - heavy tails: the Zolotarev/Nolan asymptotic series (convergent for
 *     alpha < 1)  f(x) ~ sum_k c_k x1^(-k alpha - 1), c_1 = alpha c_alpha
 *     (1 + beta), c_alpha = sin(pi alpha / 2) Gamma(alpha) / pi, in the S1
 *     coordinate x1; mirrored with (1 - beta) for x -> -inf;
 *   - the light side of a totally skewed law (|beta| = 1): the saddlepoint
 *     approximation with its first two correction terms (Daniels 1954);
 *   - alpha = 2: the Gaussian N(0, 2) in closed form.
 * The FFT's periodic images of the heavy tails (aliasing) are summed with
 * the same series and subtracted, so a modest grid (2^11 .. 2^15 points for
 * alpha >= 0.7) reaches the accuracy below.
 * Near alpha = 1 with beta != 0 the S1 series needs |x1| >> |beta tan(pi
 * alpha / 2)|, which diverges; there (|beta tan(pi alpha/2)| > 13.3) the
 * table keeps its exact characteristic function, but the tails beyond it
 * are interpolated in alpha (6 nodes) from laws whose series converge.
 * Details of the method: the comment at the top of src/stable/ts_stable_fast.c.
 *
 * Accuracy (absolute error of the log-density, i.e. relative error of the
 * density; checked by tests/unit/test_stable_fast.c against closed forms and
 * mpmath values of Nolan's integral, and by tests/oracle/scipy_stable_fast.py
 * against scipy.stats.levy_stable on 104 laws):
 *   - inside the table and in the heavy tails: <= 1e-8 (measured <= 2e-9,
 *     typically 1e-11; the builder refines its grid when its own estimate
 *     of the interpolation error exceeds 2e-9);
 *   - heavy tails (|x| beyond the table) of laws within ~0.05 |beta| of
 *     alpha = 1, interpolated in alpha: <= 1e-6 (measured <= 1e-7);
 *   - the light side of |beta| = 1 laws, beyond the table (where the
 *     density is below ~1e-9 of its maximum): <= 1e-4 (saddlepoint;
 *     measured <= 5e-6 where log f > -20, smaller deeper, exact for the
 *     Levy law);
 *   - the light side of laws with |beta| within ~1e-4 of 1 (or alpha within
 *     ~1e-7 of 2) where the density is below ~1e-13 of its maximum: the
 *     FFT's rounding dominates there and the value is only indicative
 *     (finite, decreasing); ts_stable_fast_get_info() says where that starts.
 * alpha must be in [TS_STABLE_FAST_ALPHA_MIN, 2]: below it the density's
 * peak is too sharp for a uniform grid of affordable size (alpha = 0.5
 * already takes 2^18 points).
 *
 * Cost (one core, release build, bench/bench_mle): building takes ~0.1 ms
 * for alpha >= 1.4 (2048 FFT points), 0.2-0.3 ms at alpha 1.3 or 1.9-2,
 * ~0.5 ms near alpha = 1.1 and 0.9, ~3 ms in the band near alpha = 1 and at
 * alpha ~ 0.7, ~30 ms at alpha = 0.5; evaluations run at 15-20 ns each
 * (5e7-7e7 a second) on data drawn from the law itself (~50 ns in a tail,
 * ~300 ns in a band tail). Objects are immutable after building, so
 * threads may share one. */
#ifndef TS_STABLE_FAST_H
#define TS_STABLE_FAST_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_stable.h"

#define TS_STABLE_FAST_ALPHA_MIN 0.5

typedef struct ts_stable_fast ts_stable_fast;

/* Build the density of the standardised law (alpha, beta, scale 1, loc 0)
 * in parameterisation param. NULL on error (bad parameters: TS_EINVAL with
 * the parameter named; alpha below TS_STABLE_FAST_ALPHA_MIN: TS_ERANGE;
 * TS_ENOMEM). */
ts_stable_fast *ts_stable_fast_alloc(double alpha, double beta, ts_stable_param param, ts_err *err);
void ts_stable_fast_free(ts_stable_fast *d);

/* log f(x) and f(x) at a standardised x (the caller applies scale and loc:
 * f(x; sigma, mu) = f((x - mu) / sigma) / sigma). -INFINITY (0) outside the
 * support and at x = +-inf; NaN for NaN. */
double ts_stable_fast_logpdf(const ts_stable_fast *d, double x);
double ts_stable_fast_pdf(const ts_stable_fast *d, double x);

/* out[i] = log f((x[i] - loc) / scale) - log(scale), i < n; out may alias x. */
void ts_stable_fast_logpdf_vec(const ts_stable_fast *d, size_t n, const double *x, double scale,
                               double loc, double *out);

/* sum_i log f((x[i] - loc) / scale) - n log(scale): the log-likelihood. */
double ts_stable_fast_loglik(const ts_stable_fast *d, size_t n, const double *x, double scale,
                             double loc);

/* What was built, for tests and benchmarks. */
typedef struct {
    double alpha, beta;
    int closed_form;        /* 1: alpha = 2, no table                             */
    int band;               /* 1: tails interpolated in alpha (near alpha = 1)    */
    size_t fft_n;           /* FFT length (a power of two)                        */
    size_t table_n;         /* table entries                                      */
    double h;               /* grid step (standardised S0 units)                  */
    double x_tail;          /* |y| >= x_tail (S0) uses the tail series           */
    double y_lo, y_hi;      /* the table serves S0 arguments in [y_lo, y_hi]      */
    double y_lo_cert, y_hi_cert; /* where the stated bound holds in the table     */
    int terms_right, terms_left; /* series terms kept per side (0: light side)   */
    double interp_err_est;  /* estimated interpolation error of log f            */
    double tail_err_est;    /* estimated relative truncation error of the series */
    int rebuilds;           /* grid refinements the error estimate asked for      */
} ts_stable_fast_info;

void ts_stable_fast_get_info(const ts_stable_fast *d, ts_stable_fast_info *out);

#endif
