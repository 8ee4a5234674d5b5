/* ts_stable_dist.h: density, distribution function and quantiles of an
 * alpha-stable law (the accurate path).
 *
 * The law is a ts_stable from ts_stable_init (S0 or S1, any alpha in (0, 2],
 * beta in [-1, 1], scale, loc). Errors come back through ts_err, never
 * printed; every function re-checks the law, so a hand-filled struct with
 * bad fields gets TS_EINVAL rather than garbage.
 *
 * Method (docs/stable-fitting.md). Zolotarev's integral in Nolan's form
 * (Nolan 1997), in S0 internally, over a variable sigma = log(u/w) (u, w the
 * distances to the ends of the theta interval) that keeps full precision at
 * both ends, by 15-point Gauss-Kronrod panels placed around the integrand's
 * peak (found on a skeleton of the law's exponent, shared by all points of a
 * call, and Newton), the integrand evaluated 16 points at a time in SIMD
 * lanes; ~160 evaluations a point. Closed forms for alpha = 2 (Gauss,
 * variance 2 scale^2), alpha = 1, beta = 0 (Cauchy), alpha = 1/2, beta = +-1
 * (Levy) and x = zeta; series where they converge to double precision: the
 * tail series in x1^-alpha (convergent for alpha < 1, asymptotic above;
 * at alpha = 1 with powers of log x) and, for alpha > 1, the series in
 * powers of x1 around zeta, with coefficients computed once per law. On
 * the light side of a |beta| = 1 law, once the density is below e^-700 (and
 * underflows), the saddlepoint expansion of the inverse Laplace transform
 * to order A^-5 gives the log-density and decides the underflow of pdf,
 * cdf and sf at series cost (~1 us). Near alpha = 1 the integral's
 * constants are formed without the 1/(alpha - 1) cancellation, so S0 stays
 * accurate right up to alpha = 1; only next to (alpha, beta) = (1, 0),
 * where the integrand tends to the Cauchy spike, are the log-values
 * interpolated (quadratically, in alpha or beta, through nodes 1e-4 away
 * and the Cauchy law at the corner).
 *
 * Accuracy, relative: against 200 random points computed at 30 digits
 * (mpmath, alpha in [0.1, 2] away from 1, beta including +-1 and within
 * 1e-10 of it, |x| from 1e-3 to 1e3, S0 and S1) at most 6e-15 (pdf) and
 * 1e-14 (cdf); against 50-digit Fourier inversion, closed forms and scipy
 * (tests/unit/test_stable_dist.c, tests/oracle/scipy_stable_dist.py,
 * tests/python) 1e-12 or better; in light tails, whose condition number
 * d log f / d log x is large, about 1e-16 times it. Near the Cauchy corner
 * (|alpha - 1| and |beta| both below ~1e-2, |x| < 40) the integrand's spike
 * of width w ~ max(|alpha - 1|, |beta|) / (1 + x^2) limits it to ~1e-16 / w,
 * at worst a few 1e-11. S1 within ~1e-2 of alpha = 1 with beta != 0
 * inherits the rounding of its large location shift beta tan(pi alpha / 2);
 * such laws are best used in S0. No point fails: a scan of 28 alpha x 11
 * beta x 163 x out to |x| = 1e8, S0 and S1, finds every value finite and
 * consistent (tests/unit/test_stable_scan.c).
 *
 * Cost (one core, docs/benchmarks.md): over |x| <= 10 of 30 laws, 5 us a
 * pdf and 8 us a cdf when a vector shares the law's set-up, 9 and 12 us
 * point by point; ~1 us where a series or the light side's expansion
 * applies; the quantile is a root find on the cdf, 10-20 cdf evaluations.
 *
 * Threads: nothing here touches process-wide state (no GSL error handler is
 * switched), so these may be called from several threads at once. */
#ifndef TS_STABLE_DIST_H
#define TS_STABLE_DIST_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_stable.h"

/* Density at x (0 outside the support; 0 at x = +-inf). x must not be NaN. */
ts_status ts_stable_pdf(const ts_stable *law, double x, double *out, ts_err *err);

/* log of the density, accurate where the density underflows (tails);
 * -INFINITY outside the support. */
ts_status ts_stable_logpdf(const ts_stable *law, double x, double *out, ts_err *err);

/* P(X <= x). */
ts_status ts_stable_cdf(const ts_stable *law, double x, double *out, ts_err *err);

/* P(X > x) = 1 - cdf, computed directly, so accurate in the upper tail. */
ts_status ts_stable_sf(const ts_stable *law, double x, double *out, ts_err *err);

/* The x with cdf(x) = p, for p in (0, 1) (open: p = 0 or 1 is TS_EINVAL).
 * Relative accuracy about 1e-12 in x (absolute about 1e-12 scale near 0). */
ts_status ts_stable_quantile(const ts_stable *law, double p, double *out, ts_err *err);

/* The same over arrays: out[i] = f(x[i]) for i < n; out may alias x. Every
 * point is evaluated: one that fails gets NaN, and the first failure's status
 * is returned with a message naming its index (ts_stable_eval_vec also
 * gives each point's status). */
ts_status ts_stable_pdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                            ts_err *err);
ts_status ts_stable_logpdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                               ts_err *err);
ts_status ts_stable_cdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                            ts_err *err);
ts_status ts_stable_sf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                           ts_err *err);
ts_status ts_stable_quantile_vec(const ts_stable *law, size_t n, const double *p, double *out,
                                 ts_err *err);

typedef enum {
    TS_STABLE_PDF = 0,
    TS_STABLE_LOGPDF = 1,
    TS_STABLE_CDF = 2,
    TS_STABLE_SF = 3,
    TS_STABLE_QUANTILE = 4,   /* x with P(X <= x) = p                          */
    TS_STABLE_ISF = 5         /* x with P(X > x) = p, exact for small p         */
} ts_stable_fn;

/* fn at n points, sharing the law's set-up (its constants, series
 * coefficients and the integrand's skeleton) across them. Every point is
 * evaluated; where one fails (NaN input, p outside (0, 1), a numerical
 * failure) out[i] is NaN and status[i] its code (status may be NULL; it is
 * TS_OK elsewhere). Returns TS_OK, or the first failure's status with a
 * message naming its index and the number of failures. */
ts_status ts_stable_eval_vec(const ts_stable *law, ts_stable_fn fn, size_t n, const double *x, double *out,
                             ts_status *status, ts_err *err);

/* fn at n points of n laws: point i has (alpha[i], beta[i], scale[i],
 * loc[i]) in parameterisation param (scipy's broadcasting, done by the
 * caller). Consecutive points with equal (alpha, beta) share the set-up,
 * so callers should group them. A point with invalid parameters gets NaN
 * and TS_EINVAL; otherwise as ts_stable_eval_vec. */
ts_status ts_stable_eval_laws(ts_stable_fn fn, ts_stable_param param, size_t n, const double *x,
                              const double *alpha, const double *beta, const double *scale, const double *loc,
                              double *out, ts_status *status, ts_err *err);

#endif
