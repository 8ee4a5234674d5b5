/* ts_stable.h: alpha-stable laws: parameters and sampling.
 *
 * Parameterisations (docs/math.md section 1.1; Nolan's notation):
 *   TS_S1  Samorodnitsky-Taqqu, the papers' theta == beta;
 *   TS_S0  Nolan's S0, continuous in alpha: differs from S1 by a location
 *          shift only (mu0 = mu1 + beta sigma tan(pi alpha / 2), alpha != 1).
 *
 * Sampling is Chambers-Mallows-Stuck with Weron's correction, with exact
 * branches at alpha = 1 (including the (2/pi) beta sigma log sigma term) and
 * alpha = 2 (N(mu, 2 sigma^2)). The block API vectorises; the scalar API runs
 * the same kernel, so both give the same bits for the same stream position.
 *
 * Precision note: S0 draws are S1 draws shifted by beta scale tan(pi alpha/2),
 * so near alpha = 1 (beta != 0) their absolute error grows like
 * 1e-16 |tan(pi alpha / 2)|: about 1e-13 at alpha = 1.001, harmless except
 * extremely close to 1 (alpha = 1 itself is exact). */
#ifndef TS_STABLE_H
#define TS_STABLE_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_rng.h"

typedef enum { TS_S1 = 1, TS_S0 = 0 } ts_stable_param;

typedef enum {
    TS_STABLE_GENERAL = 0,   /* alpha != 1, alpha != 2          */
    TS_STABLE_ALPHA1 = 1,    /* alpha == 1                      */
    TS_STABLE_GAUSS = 2      /* alpha == 2                      */
} ts_stable_branch;

/* A validated law with the constants its sampler needs precomputed. */
typedef struct {
    double alpha, beta, scale, loc;
    ts_stable_param param;
    /* derived */
    ts_stable_branch branch;
    double B_alpha;   /* alpha * B = atan(beta tan(pi alpha/2))             */
    double S;         /* (1 + beta^2 tan^2(pi alpha/2))^(1/(2 alpha))       */
    double expo;      /* (1 - alpha) / alpha                                */
    double shift;     /* location of the standardised draw after scaling    */
} ts_stable;

/* Check alpha in (0, 2], beta in [-1, 1], scale > 0 and finite, loc finite,
 * and precompute. Errors name the parameter and the allowed range. */
ts_status ts_stable_init(ts_stable *law, double alpha, double beta, double scale,
                         double loc, ts_stable_param param, ts_err *err);

/* Parse "S0"/"S1" (case-insensitive). */
ts_status ts_stable_param_parse(const char *s, ts_stable_param *out, ts_err *err);
const char *ts_stable_param_name(ts_stable_param p);

/* Transform two uniforms in (0, 1) into a draw of the law (the CMS kernel).
 * Deterministic: the same (u1, u2) always give the same bits. */
double ts_stable_from_uniforms(const ts_stable *law, double u1, double u2);

/* One draw; consumes two uniforms of the stream. */
double ts_stable_draw(const ts_stable *law, ts_rng *r);

/* n draws into out, identical to n calls of ts_stable_draw; vectorised. */
void ts_stable_fill(const ts_stable *law, ts_rng *r, size_t n, double *out);

/* The exact characteristic function E exp(iuX) as (re, im), for tests. */
void ts_stable_cf(const ts_stable *law, double u, double *re, double *im);

#endif
