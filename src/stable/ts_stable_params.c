/* ts_stable_params.c: validation, precomputation and the characteristic
 * function of an alpha-stable law (see ts_stable.h). */
#include "tailsweep/ts_stable.h"

#include <ctype.h>
#include <math.h>
#include <strings.h>

/* tan(pi alpha / 2) with the exact zero at alpha = 2 (tan(M_PI) is -1.2e-16,
 * which would leak a spurious location shift into S0 at the Gaussian). */
static double tan_half_pi_alpha(double alpha)
{
    return alpha == 2.0 ? 0.0 : tan(M_PI * alpha / 2.0);
}

ts_status ts_stable_init(ts_stable *law, double alpha, double beta, double scale,
                         double loc, ts_stable_param param, ts_err *err)
{
    if (!(alpha > 0.0 && alpha <= 2.0))
        return ts_err_set(err, TS_EINVAL, "alpha = %g is outside (0, 2]", alpha);
    if (!(beta >= -1.0 && beta <= 1.0))
        return ts_err_set(err, TS_EINVAL, "beta = %g is outside [-1, 1]", beta);
    if (!(scale > 0.0 && isfinite(scale)))
        return ts_err_set(err, TS_EINVAL, "scale = %g must be positive and finite", scale);
    if (!isfinite(loc))
        return ts_err_set(err, TS_EINVAL, "loc = %g must be finite", loc);
    if (param != TS_S0 && param != TS_S1)
        return ts_err_set(err, TS_EINVAL, "parameterisation %d is neither S0 nor S1", (int)param);

    *law = (ts_stable){ .alpha = alpha, .beta = beta, .scale = scale, .loc = loc,
                        .param = param };
    double zeta = beta * tan_half_pi_alpha(alpha);  /* = -zeta of Nolan */
    if (alpha == 2.0) {
        law->branch = TS_STABLE_GAUSS;
        law->shift = loc;
    } else if (alpha == 1.0) {
        law->branch = TS_STABLE_ALPHA1;
        /* S1: sigma X + (2/pi) beta sigma log sigma + mu; S0 drops that term. */
        law->shift = param == TS_S1 ? loc + M_2_PI * beta * scale * log(scale) : loc;
    } else {
        law->branch = TS_STABLE_GENERAL;
        law->B_alpha = atan(zeta);
        law->S = pow(1.0 + zeta * zeta, 1.0 / (2.0 * alpha));
        law->expo = (1.0 - alpha) / alpha;
        law->shift = param == TS_S1 ? loc : loc - scale * zeta;
    }
    return TS_OK;
}

ts_status ts_stable_param_parse(const char *s, ts_stable_param *out, ts_err *err)
{
    if (s && strcasecmp(s, "S1") == 0) { *out = TS_S1; return TS_OK; }
    if (s && strcasecmp(s, "S0") == 0) { *out = TS_S0; return TS_OK; }
    return ts_err_set(err, TS_EINVAL, "parameterisation '%s' is neither S0 nor S1",
                      s ? s : "(null)");
}

const char *ts_stable_param_name(ts_stable_param p) { return p == TS_S0 ? "S0" : "S1"; }

void ts_stable_cf(const ts_stable *law, double u, double *re, double *im)
{
    double a = law->alpha, b = law->beta, s = law->scale;
    double au = fabs(u), sg = (u > 0) - (u < 0);
    double mod, phase;
    /* location in S1 terms */
    double mu1 = law->loc;
    if (law->param == TS_S0)
        mu1 = a == 1.0 ? law->loc - M_2_PI * b * s * log(s)
                       : law->loc - b * s * tan_half_pi_alpha(a);
    if (au == 0.0) { *re = 1.0; *im = 0.0; return; }
    if (a == 1.0) {
        mod = -s * au;
        phase = -s * au * b * M_2_PI * sg * log(au) + mu1 * u;
    } else {
        double sa = pow(s * au, a);
        mod = -sa;
        phase = sa * b * sg * tan_half_pi_alpha(a) + mu1 * u;
    }
    *re = exp(mod) * cos(phase);
    *im = exp(mod) * sin(phase);
}
