/* ts_stable_dist.h: density, distribution function and quantiles of an
 * alpha-stable law (issue 6, accurate path).
 *
 * The law is a ts_stable from ts_stable_init (S0 or S1, any alpha in (0, 2],
 * beta in [-1, 1], scale, loc). Errors come back through ts_err, never
 * printed; every function re-checks the law, so a hand-filled struct with
 * bad fields gets TS_EINVAL rather than garbage.
 *
 * Method (Nolan 1997, "Numerical calculation of stable densities and
 * distribution functions"): Zolotarev's integral over a finite interval of
 * theta, in Nolan's S0 internally, with GSL adaptive quadrature. The
 * interval is split where the integrand peaks (g(theta) = 1), and each half
 * is integrated in log-distance from its own end of the interval, so points
 * near either end keep full relative precision. Closed forms are used
 * directly for alpha = 2 (Gauss, variance 2 scale^2), alpha = 1, beta = 0
 * (Cauchy) and alpha = 1/2, beta = +-1 (Levy); x = zeta uses Nolan's
 * closed form f(zeta); far tails use the convergent (alpha < 1) or
 * asymptotic (alpha >= 1) series whose first term is
 * alpha c_alpha (1 + beta) x^(-alpha-1), wherever it has converged to
 * double precision (at alpha = 1 the series carries powers of log x).
 * Near alpha = 1 the integral's constants are formed without the
 * 1/(alpha - 1) cancellation, so S0 stays accurate right up to alpha = 1.
 * Only next to (alpha, beta) = (1, 0), where the integrand tends to the
 * Cauchy spike, are the log-values interpolated (quadratically, in alpha
 * or beta, through nodes 1e-4 away and the Cauchy law at the corner).
 *
 * Accuracy, relative, checked against scipy, 50-digit Fourier inversion and
 * the closed forms (tests/unit/test_stable_dist.c,
 * tests/oracle/scipy_stable_dist.py): about 1e-13 typically, 1e-12 for pdf,
 * logpdf, cdf and sf; in light tails (beta = +-1, the short side), whose
 * condition number d log f / d log x is large, about 1e-16 times it. Near the
 * Cauchy corner (|alpha - 1| and |beta| both below ~1e-2, |x| < 40) the
 * integrand's spike of width w ~ max(|alpha - 1|, |beta|) / (1 + x^2) limits
 * it to ~1e-16 / w, at worst a few 1e-11. S1 within ~1e-2 of alpha = 1 with
 * beta != 0 inherits the rounding of its large location shift
 * beta tan(pi alpha / 2); such laws are best used in S0.
 *
 * Cost: 40-70 microseconds per pdf or cdf evaluation (one core; series in
 * the far tails, 5-10); the quantile is a root find on the cdf, 10-20 cdf
 * evaluations.
 *
 * Thread safety: the GSL error handler is switched off and restored around
 * each quadrature (a process-global setting), as ts_potential.c does; do not
 * call these from several threads at once. */
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
