/* ts_stable_light.c: saddlepoint expansion of a totally skewed stable law's
 * light side (see ts_stable_light.h).
 *
 * The beta = 1 law (S0, scale 1) has K(s) = log E exp(-s X) =
 * -s^alpha / cos(pi alpha / 2) + s T for alpha != 1 (T = tan(pi alpha / 2)),
 * K(s) = (2/pi) s log s for alpha = 1. With d = alpha - 1 the saddlepoint
 * K'(s) = -y solves
 *   s^d = w = (sin(pi alpha/2) + y cos(pi alpha/2)) / alpha,
 * A = s^2 K''(s) = alpha g s^alpha with g = (1 - alpha) / sin(pi (1 - alpha)/2),
 * and
 *   log f = -A / alpha - log(2 pi A) / 2 + log s + log(1 + sum_j c_j A^-j),
 * every piece finite and free of cancellation as alpha -> 1 (log s ->
 * -pi y / 2 - 1, g -> 2 / pi). The corrections: along the vertical line
 * through s the integrand is exp(K''(it)^2/2 + sum_k K^(k)(s)(it)^k/k!), so
 * with t = z / sqrt(K'') the correction is E exp(sum_(k>=3) l_k (iz)^k / k!)
 * over z ~ N(0, 1), with the standardised cumulants l_k = P_k A^(1 - k/2),
 * P_k = (alpha - 2)(alpha - 3)...(alpha - k + 1) (a pure power's
 * derivatives). Expanding the exponential in eps = A^-1/2 (l_k carries
 * eps^(k-2)) and taking E z^(2q) = (2q - 1)!! gives c_j, a polynomial in
 * the P_k, computed here once per alpha: c_1 = P_4/8 - 5 P_3^2/24 and c_2
 * are Daniels' (1954), checked in tests/unit/test_stable_dist.c. The
 * expansion is asymptotic in 1/A; at A >= 1000 its truncation is below
 * 1e-16 relative. */
#include "ts_stable_light.h"

#include <complex.h>
#include <math.h>
#include <string.h>

enum { JM = 2 * TS_LIGHT_TERMS, DM = 3 * JM };

void ts_light_init(ts_light *l, double alpha)
{
    memset(l, 0, sizeof *l);
    l->alpha = alpha;
    /* s_m = P_(m+2) i^(m+2) / (m+2)! z^(m+2): the eps^m part of the exponent */
    double complex sc[JM + 1];
    double P = 1.0, fact = 2.0;
    double complex ik = -I;                     /* i^3 */
    sc[0] = 0.0;
    for (int m = 1; m <= JM; m++) {
        int k = m + 2;
        P *= alpha - (k - 1);                   /* (alpha - 2) ... (alpha - k + 1) */
        fact *= k;
        sc[m] = P * ik / fact;
        ik *= I;
    }
    /* E = exp(S): m E_m = sum_j j s_j E_(m-j), each a polynomial in z */
    double complex E[JM + 1][DM + 1];
    memset(E, 0, sizeof E);
    E[0][0] = 1.0;
    for (int m = 1; m <= JM; m++)
        for (int j = 1; j <= m; j++)
            for (int d = 0; d + j + 2 <= DM; d++)
                if (E[m - j][d] != 0.0) E[m][d + j + 2] += (double)j / m * sc[j] * E[m - j][d];
    for (int J = 1; J <= TS_LIGHT_TERMS; J++) {
        double c = 0.0, dfact = 1.0;            /* (d - 1)!! */
        for (int d = 0; d <= DM; d += 2) {
            if (d > 0) dfact *= d - 1;
            c += creal(E[2 * J][d]) * dfact;
        }
        l->c[J] = c;
    }
}

static double finish(const ts_light *l, double ls, double g, double *A_out)
{
    double alpha = l->alpha;
    double A = alpha * g * exp(alpha * ls);
    if (A_out) *A_out = A;
    if (!isfinite(A)) return -INFINITY;
    double corr = 0.0, ia = 1.0 / A;
    for (int j = TS_LIGHT_TERMS; j >= 1; j--) corr = (corr + l->c[j]) * ia;
    corr += 1.0;
    if (!(corr > 0.0)) corr = 1.0;   /* A small: the expansion is not valid; leading order */
    return -A / alpha - 0.5 * log(2.0 * M_PI * A) + ls + log(corr);
}

/* In S1 at distance d1 from the edge: K'(s) = -x1 gives
 * s^(alpha - 1) = d1 |cos(pi alpha / 2)| / alpha, and A = s^2 K'' =
 * alpha |alpha - 1| s^alpha / |cos(pi alpha / 2)|: the same g as above. */
double ts_light_logpdf_d1(const ts_light *l, double d1, double *A_out, double *log_s)
{
    double alpha = l->alpha, d = alpha - 1.0;
    if (A_out) *A_out = 0.0;
    if (!(d1 > 0.0)) return -INFINITY;
    double cs = fabs(sin(M_PI_2 * d));                   /* |cos(pi alpha / 2)| */
    double ls = (log(d1) + log(cs) - log(alpha)) / d;
    if (log_s) *log_s = ls;
    return finish(l, ls, fabs(d) / cs, A_out);
}

double ts_light_logpdf(const ts_light *l, double y, double *A_out, double *log_s)
{
    double d = l->alpha - 1.0, ls;
    if (A_out) *A_out = 0.0;
    if (d == 0.0) {
        ls = -M_PI_2 * y - 1.0;
    } else {
        double sq = sin(M_PI_4 * d);
        double arg = -2.0 * sq * sq - y * sin(M_PI_2 * d);   /* w alpha - 1 */
        if (!(arg > -1.0)) return -INFINITY;                 /* outside the support */
        ls = (log1p(arg) - log1p(d)) / d;
    }
    if (log_s) *log_s = ls;
    double g = d == 0.0 ? 2.0 / M_PI : -d / sin(-M_PI_2 * d);
    return finish(l, ls, g, A_out);
}
