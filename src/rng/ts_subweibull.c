/* ts_subweibull.c: the symmetric sub-Weibull law (ts_subweibull.h): |X| /
 * scale is Weibull of shape 1/r, the sign a fair coin. Sampled by the
 * inverse CDF on one uniform per draw, so a draw depends on its stream
 * position only. */
#include <math.h>

#include "tailsweep/ts_subweibull.h"

ts_status ts_subweibull_init(ts_subweibull *law, double r, double scale, ts_err *err)
{
    if (!(r > 0 && r <= TS_SUBWEIBULL_R_MAX))
        return ts_err_set(err, TS_EINVAL, "r = %g: the tail parameter must be in (0, %g]", r, TS_SUBWEIBULL_R_MAX);
    if (!(scale > 0 && isfinite(scale)))
        return ts_err_set(err, TS_EINVAL, "scale = %g: must be positive and finite", scale);
    law->r = r;
    law->scale = scale;
    return TS_OK;
}

/* u < 1/2: the lower half, P(X <= x) = exp(-(-x/scale)^(1/r)) / 2, so
 * x = -scale (-ln 2u)^r; the upper half mirrors it with 1 - u, which is
 * exact for u >= 1/2 (Sterbenz). 2u and 2(1 - u) lie in (0, 1]: -ln of
 * them is >= 0, and 0 maps to a draw of 0. */
double ts_subweibull_from_uniform(const ts_subweibull *law, double u)
{
    if (u < 0.5) return -law->scale * pow(-log(2.0 * u), law->r);
    return law->scale * pow(-log(2.0 * (1.0 - u)), law->r);
}

void ts_subweibull_fill(const ts_subweibull *law, ts_rng *rng, size_t n, double *out)
{
    ts_rng_uniform_block(rng, n, out);
    for (size_t i = 0; i < n; i++) out[i] = ts_subweibull_from_uniform(law, out[i]);
}

double ts_subweibull_pdf(const ts_subweibull *law, double x)
{
    if (isnan(x)) return x;
    double c = 1.0 / law->r, z = fabs(x) / law->scale;
    if (isinf(z)) return 0.0;
    if (z == 0) return c > 1 ? 0.0 : c == 1 ? 0.5 / law->scale : INFINITY;
    /* z^(c-1) e^(-z^c) by logs: both factors can be extreme, their product not */
    return 0.5 * c / law->scale * exp((c - 1.0) * log(z) - pow(z, c));
}

/* P(X > x) for x >= 0: exp(-(x/scale)^c) / 2. */
static double upper_tail(const ts_subweibull *law, double x)
{
    return 0.5 * exp(-pow(x / law->scale, 1.0 / law->r));
}

double ts_subweibull_sf(const ts_subweibull *law, double x)
{
    if (isnan(x)) return x;
    return x >= 0 ? upper_tail(law, x) : 1.0 - upper_tail(law, -x);
}

double ts_subweibull_cdf(const ts_subweibull *law, double x)
{
    if (isnan(x)) return x;
    return x <= 0 ? upper_tail(law, -x) : 1.0 - upper_tail(law, x);
}

double ts_subweibull_quantile(const ts_subweibull *law, double p)
{
    if (!(p > 0 && p < 1)) return NAN;
    return ts_subweibull_from_uniform(law, p);
}

double ts_subweibull_abs_moment(const ts_subweibull *law, double m)
{
    if (!(m * law->r > -1)) return INFINITY;
    return pow(law->scale, m) * tgamma(1.0 + m * law->r);
}
