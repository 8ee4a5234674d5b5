/* ts_frac_drift.c: the fractional Langevin drift b_{h,K} (docs/math.md sections 2.6-2.8;
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

/* Camuto et al. (4.8) as printed: Delta psi(w) = c_gam h^-gam sum_{k=-K..K}
 * (1 + theta sgn k) gt_|k| psi(w - k h), gt_j = Gamma(j - gam) / (Gamma(j + 1)
 * Gamma(-gam)) the one-sided Grunwald weights (gt_0 = 1, gt_{j+1} = gt_j (j - gam)
 * / (j + 1)), c_gam = 1 / (2 cos(gam pi / 2)). Its symbol is
 * c_gam [(1 + theta) (1 - z)^gam + (1 - theta) (1 - 1/z)^gam - 1]: the centre
 * weight appears once where the two one-sided operators have it twice, so
 * besides |u|^gam (1 + i theta tan(pi alpha / 2) sgn u) it carries the
 * constant -c_gam h^-gam (docs/fractional-drift.md). */
static void paper_weights(double gam, double theta, unsigned K, double *g)
{
    double cg = 1 / (2 * cos(gam * M_PI / 2)), gt = 1;
    g[K] = cg;
    for (unsigned j = 1; j <= K; j++) {
        gt *= (j - 1 - gam) / j;
        g[K + j] = cg * (1 + theta) * gt;   /* k > 0: psi(w - k h), the left side */
        g[K - j] = cg * (1 - theta) * gt;
    }
}

double ts_frac_drift_h0(double alpha, ts_frac_weights weights)
{
    double gam = alpha - 2;
    /* h0^(2-alpha) g0 = 1; at alpha = 2 any h works (g0 = 1, exponent 0). */
    if (alpha == 2) return 1.0;
    double g0 = weights == TS_FRAC_PAPER ? 1 / (2 * cos(gam * M_PI / 2))
                                         : gsl_sf_gamma(gam + 1) * pow(gsl_sf_gammainv(gam / 2 + 1), 2);
    return pow(1.0 / g0, 1.0 / (2 - alpha));
}

const char *const ts_frac_weights_names[] = { "grunwald", "paper", NULL };

ts_status ts_frac_drift_init(ts_frac_drift *d, double alpha, double theta, double sign,
                             double eps, double h, unsigned K, ts_frac_weights weights, ts_err *err)
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
    if (weights == TS_FRAC_PAPER) paper_weights(gam, sign * theta, K, d->g);
    else grunwald_weights((gam + delta) / 2, (gam - delta) / 2, s, K, d->g);
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
