/* ts_stable_series.h (internal): the two series of the stable density and
 * distribution function, with their coefficients computed once per law, as
 * far as the points need them (method and conditions: ts_stable_series.c).
 *
 *  - the tail series in x1^-alpha (Bergstrom/Zolotarev): convergent for
 *    alpha < 1, asymptotic for alpha > 1; one per side of zeta;
 *  - the series in powers of x1 around x1 = 0 (x = zeta in S0), convergent
 *    for alpha > 1, for both sides at once.
 * Each evaluation says whether it was usable (converged to double precision
 * without cancellation); where it was not, the caller integrates. */
#ifndef TS_STABLE_SERIES_H
#define TS_STABLE_SERIES_H

#define TS_TAIL_TERMS 80
#define TS_ZERO_TERMS 128

typedef struct {
    double alpha, Mplus, Mc, sM;  /* Mc = pi - Mplus; sM = sin(Mplus), the first term's weight */
    double log_gam;           /* log sqrt(1 + zeta^2) = -log cos(alpha theta0) */
    double lead_p, lead_q;    /* log Gamma(alpha + 1), log Gamma(alpha)       */
    int nk;                   /* coefficients computed so far                 */
    double cp[TS_TAIL_TERMS], cq[TS_TAIL_TERMS];   /* term k+1 over the first */
    double env[TS_TAIL_TERMS];                      /* bound on |cp|, |cq|      */
    double lr_max;            /* log(gamma x1^-alpha) above this: not tried   */
} ts_tail_series;

/* The side x1 > 0 of a law (alpha != 1) in this orientation, from its
 * Mplus = pi/2 - (alpha theta0 - pi (1 - alpha)/2), Mc = pi - Mplus (both
 * exact when small) and log cos(alpha theta0). Cheap: coefficients come on
 * first use. */
void ts_tail_series_init(ts_tail_series *t, double alpha, double Mplus, double Mc, double log_cos_atheta0);

/* f = exp(*lscale) * (*mult) and the far side's probability *Q at x1 > 0.
 * Returns 1 when the series was usable. */
int ts_tail_series_eval(ts_tail_series *t, double x1, double *lscale, double *mult, double *Q);

typedef struct {
    double alpha, beta, zeta, theta0;
    int nk;
    double b[TS_ZERO_TERMS];  /* f(x1) = sum_k b[k] x1^k                       */
    double F0, Q0;            /* F and 1 - F at x1 = 0                         */
    double radius;            /* not tried beyond |x1| = radius                */
} ts_zero_series;

/* alpha > 1; beta, zeta and theta0 of the unreflected law. Cheap until used. */
void ts_zero_series_init(ts_zero_series *z, double alpha, double beta, double zeta, double theta0);

/* f, F and 1 - F at x1 (either sign); want: 1 pdf, 2 cdf, 3 both. Returns 1
 * when usable. */
int ts_zero_series_eval(ts_zero_series *z, double x1, int want, double *f, double *F, double *Q);

/* alpha = 1, x > 40, any beta: the asymptotic series of f and 1 - F in
 * powers of 1/x (with logs); returns 1 when it converged to double precision,
 * with f = exp(*lscale) * (*mult) and 1 - F = *Q. */
int ts_alpha1_series(double beta, double x, double *lscale, double *mult, double *Q);

#endif
