/* ts_stable_light.h (internal): the light side of a totally skewed stable
 * law (|beta| = 1) by the saddlepoint expansion of its inverse Laplace
 * transform, with corrections to order A^-TS_LIGHT_TERMS (method:
 * ts_stable_light.c). Used where the density is far below the double range
 * (to decide underflow and give the log-density at series cost) and by the
 * fast density beyond its table. */
#ifndef TS_STABLE_LIGHT_H
#define TS_STABLE_LIGHT_H

#define TS_LIGHT_TERMS 5

typedef struct {
    double alpha;
    double c[TS_LIGHT_TERMS + 1];   /* corr = 1 + sum_j c[j] A^-j */
} ts_light;

void ts_light_init(ts_light *l, double alpha);

/* log f of the standardised beta = 1 law in S0 at y on its light side
 * (y -> -inf for alpha >= 1, y down to the support's edge for alpha < 1);
 * -INFINITY outside the support. *A gets the expansion's large parameter
 * (its error is ~A^-(TS_LIGHT_TERMS + 1)), *log_s the log of the
 * saddlepoint s (the tail probability is ~ f / s); either may be NULL. */
double ts_light_logpdf(const ts_light *l, double y, double *A, double *log_s);

/* The same at distance d1 > 0 from the edge in the S1 coordinate (alpha
 * != 1): x1 = d1 for alpha < 1, x1 = -d1 for alpha > 1. Next to the
 * support's edge of an alpha near 1 law, d1 << |zeta| and the S0 argument
 * would have lost d1's digits. */
double ts_light_logpdf_d1(const ts_light *l, double d1, double *A, double *log_s);

#endif
