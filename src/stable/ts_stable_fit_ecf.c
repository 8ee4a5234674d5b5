/* ts_stable_fit_ecf.c: Koutrouvelis's regression on the empirical
 * characteristic function (Kogon-Williams variant), see ts_stable_fit.h.
 *
 * Working in Nolan's S0 makes the law a location-scale family, so
 * standardising the data by (m, s) maps S0(alpha, beta, sigma, mu) to
 * S0(alpha, beta, sigma/s, (mu - m)/s) exactly, and the phase regression
 * stays well conditioned through alpha = 1, where S1's tan(pi alpha/2) is
 * infinite. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fit.h"
#include "ts_fit_sample.h"

#define NU 10   /* u = 0.1, 0.2, ..., 1.0 */

/* Least squares y = a + b x. */
static void fit_line(const double *x, const double *y, int n, double *a, double *b)
{
    double mx = 0, my = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
    mx /= n;
    my /= n;
    for (int i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    *b = sxy / sxx;
    *a = my - *b * mx;
}

/* Least squares z = p u + q v (no intercept), by the 2x2 normal equations. */
static void fit_two(const double *u, const double *v, const double *z, int n, double *p, double *q)
{
    double uu = 0, uv = 0, vv = 0, uz = 0, vz = 0;
    for (int i = 0; i < n; i++) {
        uu += u[i] * u[i]; uv += u[i] * v[i]; vv += v[i] * v[i];
        uz += u[i] * z[i]; vz += v[i] * z[i];
    }
    double det = uu * vv - uv * uv;
    *p = det != 0 ? (uz * vv - vz * uv) / det : uz / uu;
    *q = det != 0 ? (vz * uu - uz * uv) / det : 0;
}

/* The empirical characteristic function of (x - m) / s at NU points. */
static void ecf(const double *x, size_t n, double m, double s, double *re, double *im)
{
    for (int k = 0; k < NU; k++) {
        double u = 0.1 * (k + 1), c = 0, d = 0;
        for (size_t i = 0; i < n; i++) {
            double t = u * ((x[i] - m) / s);
            c += cos(t);
            d += sin(t);
        }
        re[k] = c / (double)n;
        im[k] = d / (double)n;
    }
}

/* tan(pi alpha / 2) (sigma^alpha u^alpha - sigma u), continuous at alpha = 1
 * where it tends to -(2/pi) sigma u log(sigma u). */
static double phase_term(double alpha, double sigma, double u)
{
    double su = sigma * u;
    if (fabs(alpha - 1) < 1e-9) return -(2 / M_PI) * su * log(su);
    return tan(M_PI * alpha / 2) * (pow(su, alpha) - su);
}

/* One regression pass on data standardised by (m, s): S0 estimates of the
 * standardised law. */
static ts_status regress(const double *x, size_t n, double m, double s, double est[4], ts_err *err)
{
    double re[NU], im[NU], lu[NU], y[NU], u[NU], v[NU], z[NU];
    ecf(x, n, m, s, re, im);
    for (int k = 0; k < NU; k++) {
        u[k] = 0.1 * (k + 1);
        double mod2 = re[k] * re[k] + im[k] * im[k];
        if (!(mod2 > 0 && mod2 < 1))
            return ts_err_set(err, TS_EINVAL, "koutrouvelis: |ecf(%.1f)|^2 = %g is outside (0, 1): "
                              "the data are degenerate", u[k], mod2);
        lu[k] = log(u[k]);
        y[k] = log(-log(mod2));
    }
    double a, alpha;
    fit_line(lu, y, NU, &a, &alpha);
    alpha = alpha < 0.1 ? 0.1 : alpha > 2 ? 2 : alpha;
    double sigma = pow(exp(a) / 2, 1 / alpha);
    for (int k = 0; k < NU; k++) {
        v[k] = phase_term(alpha, sigma, u[k]);
        z[k] = atan2(im[k], re[k]);
    }
    double mu, beta;
    fit_two(u, v, z, NU, &mu, &beta);
    /* Im log phi = mu0 u + beta sigma^... : the regression's v already holds
     * the sigma factors, so its coefficient is beta itself */
    est[0] = alpha;
    est[1] = alpha == 2 ? 0 : beta < -1 ? -1 : beta > 1 ? 1 : beta;
    est[2] = sigma;
    est[3] = mu;
    return isfinite(sigma) && isfinite(mu) ? TS_OK
                                           : ts_err_set(err, TS_ENUMERIC, "koutrouvelis: regression failed");
}

static ts_status check_data(const double *x, size_t n, ts_err *err)
{
    if (n < 20) return ts_err_set(err, TS_EINVAL, "koutrouvelis: %zu values; at least 20 are needed", n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return ts_err_set(err, TS_EINVAL, "value %zu is not finite (%g)", i + 1, x[i]);
    return TS_OK;
}

ts_status ts_fit_koutrouvelis(const double *x, size_t n, ts_stable_param param, ts_stable_fit *out, ts_err *err)
{
    memset(out, 0, sizeof *out);
    ts_status st = check_data(x, n, err);
    if (st) return st;
    static const double p[3] = { 0.28, 0.5, 0.72 };
    double q[3];
    st = ts_fit_quantiles(x, n, p, 3, q, err);
    if (st) return st;
    /* Fama-Roll: (x.72 - x.28) / 1.654 estimates the scale within a few
     * percent for every alpha; the median is a robust location. */
    double scale = (q[2] - q[0]) / 1.654, loc = q[1];
    if (!(scale > 0))
        return ts_err_set(err, TS_EINVAL, "koutrouvelis: the data are constant over their middle 44%%; "
                          "no stable law fits");
    double est[4] = { 0 };
    int it;
    for (it = 1; it <= 20; it++) {
        st = regress(x, n, loc, scale, est, err);
        if (st) return st;
        loc += scale * est[3];
        scale *= est[2];
        if (fabs(est[2] - 1) < 1e-6 && fabs(est[3]) < 1e-6) break;
    }
    out->alpha = est[0];
    out->beta = est[1];
    out->scale = scale;
    out->loc = loc;   /* S0 */
    out->param = param;
    out->iterations = it > 20 ? 20 : it;
    if (param == TS_S1)
        out->loc -= fabs(out->alpha - 1) < 1e-12 ? out->beta * (2 / M_PI) * scale * log(scale)
                                                 : out->beta * scale * tan(M_PI * out->alpha / 2);
    return TS_OK;
}
