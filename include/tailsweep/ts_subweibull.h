/* ts_subweibull.h: the symmetric sub-Weibull law of tail parameter r, the
 * law of the paper's figure 3 (Camuto et al. 2021, definition 3.2;
 * docs/math.md section 4.7).
 *
 * X = S W with a random sign S = +-1 and |X| / scale Weibull of shape 1/r:
 *
 *   P(|X| > x) = exp(-(x / scale)^(1/r)),       x >= 0
 *   f(x)       = (1 / (2 r scale)) (|x| / scale)^(1/r - 1) exp(-(|x| / scale)^(1/r))
 *   E|X|^m     = scale^m Gamma(1 + m r)
 *
 * so ||X||_m = (E|X|^m)^(1/m) ~ scale (m r / e)^r grows like m^r: X is
 * sub-Weibull with tail parameter r in the paper's sense (r = 1/2: tails
 * like a Gaussian's, r = 1: the Laplace law, larger r: heavier tails, yet
 * every moment finite). It is scipy.stats.dweibull(c = 1/r, scale = scale).
 *
 * Sampling is the inverse CDF on one uniform u in (0, 1) of the stream:
 * u < 1/2 gives -scale (-ln 2u)^r, else scale (-ln 2(1 - u))^r (1 - u is
 * exact there). So a draw is a pure function of the stream position; the
 * largest |draw| is scale (53 ln 2)^r, at a probability of 2^-53. */
#ifndef TS_SUBWEIBULL_H
#define TS_SUBWEIBULL_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_rng.h"

#define TS_SUBWEIBULL_R_MAX 50.0   /* scale (53 ln 2)^50 ~ 1e78: still finite */

typedef struct {
    double r, scale;
} ts_subweibull;

/* Check 0 < r <= TS_SUBWEIBULL_R_MAX and 0 < scale < inf; errors name the
 * parameter and its range. */
ts_status ts_subweibull_init(ts_subweibull *law, double r, double scale, ts_err *err);

/* The draw of a uniform u in (0, 1) (the inverse CDF). */
double ts_subweibull_from_uniform(const ts_subweibull *law, double u);

/* n draws, one uniform of the stream each. */
void ts_subweibull_fill(const ts_subweibull *law, ts_rng *rng, size_t n, double *out);

/* The density (+inf at 0 when r > 1), the CDF, the survival function
 * P(X > x) (accurate in the upper tail), the quantile (p in (0, 1), else
 * NaN), and E|X|^m for m > -1/r (else +inf). */
double ts_subweibull_pdf(const ts_subweibull *law, double x);
double ts_subweibull_cdf(const ts_subweibull *law, double x);
double ts_subweibull_sf(const ts_subweibull *law, double x);
double ts_subweibull_quantile(const ts_subweibull *law, double p);
double ts_subweibull_abs_moment(const ts_subweibull *law, double m);

#endif
