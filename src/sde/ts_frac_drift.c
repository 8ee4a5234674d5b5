/* ts_frac_drift.c: the fractional Langevin drift b_{h,K} (MATH.md section 3;
 * derivation and the sign convention in docs/fractional-drift.md). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sf_gamma.h>

#include "tailsweep/ts_sde.h"
#include "tailsweep/ts_vmath.h"

/* Weights of (1 - z)^A (1 - 1/z)^B scaled by s, from g_0 outwards by the
 * ratio of consecutive terms of the closed form
 *   g_k = (-1)^k Gamma(A + B + 1) / (Gamma(A - k + 1) Gamma(B + k + 1)):
 *   g_{k+1} = g_k (k - A) / (B + k + 1),   g_{-(m+1)} = g_{-m} (m - B) / (A + m + 1).
 * The recurrence never evaluates Gamma at large arguments (which overflows
 * near k = 170) and gives exact zeros where A or B is a non-negative integer. */
static void grunwald_weights(double A, double B, double s, unsigned K, double *g)
{
    double g0 = s * gsl_sf_gamma(A + B + 1) * gsl_sf_gammainv(A + 1) * gsl_sf_gammainv(B + 1);
    g[K] = g0;
    for (unsigned k = 0; k < K; k++) g[K + k + 1] = g[K + k] * (k - A) / (B + k + 1);
    for (unsigned m = 0; m < K; m++) g[K - m - 1] = g[K - m] * (m - B) / (A + m + 1);
}

double ts_frac_drift_h0(double alpha)
{
    double gam = alpha - 2, g0 = gsl_sf_gamma(gam + 1) * pow(gsl_sf_gammainv(gam / 2 + 1), 2);
    /* h0^(2-alpha) g0 = 1; at alpha = 2 any h works (g0 = 1, exponent 0). */
    return alpha == 2 ? 1.0 : pow(1.0 / g0, 1.0 / (2 - alpha));
}

ts_status ts_frac_drift_init(ts_frac_drift *d, double alpha, double theta, double sign,
                             double eps, double h, unsigned K, ts_err *err)
{
    d->g = NULL;
    if (!(alpha > 1 && alpha <= 2))
        return ts_err_set(err, TS_EINVAL, "fractional drift: alpha = %g must be in (1, 2] "
                          "(the weights need alpha - 2 > -1)", alpha);
    if (!(h > 0) || !isfinite(h)) return ts_err_set(err, TS_EINVAL, "fractional drift: h = %g must be > 0", h);
    if (K > TS_FRAC_MAX_K) return ts_err_set(err, TS_EINVAL, "fractional drift: K = %u exceeds %d", K, TS_FRAC_MAX_K);
    if (!(theta >= -1 && theta <= 1)) return ts_err_set(err, TS_EINVAL, "fractional drift: theta = %g outside [-1, 1]", theta);
    double gam = alpha - 2;
    double c = alpha == 2 ? 0 : sign * theta * tan(M_PI * alpha / 2);
    double delta = 2 / M_PI * atan(c);
    /* The symbol of the weights is |u h|^gam exp(i sgn(u) pi delta / 2); its
     * modulus must be |u h|^gam sqrt(1 + c^2), hence the scale. */
    double s = sqrt(1 + c * c);
    d->g = malloc((2 * (size_t)K + 1) * sizeof *d->g);
    if (!d->g) return ts_err_set(err, TS_ENOMEM, "fractional drift: out of memory for K = %u", K);
    grunwald_weights((gam + delta) / 2, (gam - delta) / 2, s, K, d->g);
    d->alpha = alpha;
    d->eps_pow = pow(eps, -alpha);
    d->h = h;
    d->pref = pow(h, 2 - alpha);
    d->K = K;
    return TS_OK;
}

void ts_frac_drift_free(ts_frac_drift *d)
{
    free(d->g);
    d->g = NULL;
}

/* exp(eps^-alpha (f(w) - f(w - kh))) grows without bound as w moves into
 * the tails (the exact drift does too: it is what pulls the chain back). The
 * exponent is capped so the sum stays finite; where the cap binds the drift
 * is already ~1e260 and any scheme either diverges (explicit Euler, which the
 * detector reports) or saturates (tamed). */
#define FRAC_EXP_CAP 600.0

double ts_frac_drift_eval(const ts_frac_drift *d, const ts_potential *p, double w)
{
    double fw = ts_potential_f(p, w), s = 0;
    for (int k = -(int)d->K; k <= (int)d->K; k++) {
        double x = w - k * d->h;
        double e = d->eps_pow * (fw - ts_potential_f(p, x));
        s += d->g[d->K + k] * ts_potential_grad(p, x) * ts_vexp(e < FRAC_EXP_CAP ? e : FRAC_EXP_CAP);
    }
    return -d->pref * s;
}
