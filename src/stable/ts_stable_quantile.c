/* ts_stable_quantile.c: quantiles of an alpha-stable law (ts_stable_dist.h).
 *
 * Closed forms for Gauss, Cauchy and Levy; otherwise a safeguarded root find
 * on the standardised law (scale 1, loc 0): p <= 1/2 solves cdf(z) = p and
 * p > 1/2 solves sf(z) = 1 - p (exact in double for p >= 1/2), so upper
 * quantiles keep their precision. The root is sought in y = asinh(z): the
 * quantiles of heavy tails run over hundreds of orders of magnitude, and in
 * y a bracket expands, and Brent's method bisects, in a few steps whatever
 * the scale. The starting point is the tail asymptote
 * P(X > x) ~ c_alpha (1 + beta) x^(-alpha) (S1) in the tails, else the centre. */
#include "tailsweep/ts_stable_dist.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "ts_stable_eval.h"

typedef struct {
    ts_stable_ev *ev;  /* the standardised law, prepared */
    double target;     /* p (lower) or 1 - p (upper) */
    int upper;
    ts_err *err;
    ts_status st;
} qprob;

/* Increasing in y: cdf(z) - p, or (1 - p) - sf(z). */
static double qfun(qprob *q, double y)
{
    double z = sinh(y);
    ts_stable_dres r;
    if (q->st) return 0.0;
    q->st = ts_stable_ev_std(q->ev, z, TS_EV_CDF, &r, q->err);
    double v = q->upper ? fmin(fmax(r.Q, 0.0), 1.0) : fmin(fmax(r.F, 0.0), 1.0);
    return q->upper ? q->target - v : v - q->target;
}

/* Brent-Dekker zeroin on [a, b] with fa, fb of opposite signs. */
static double brent(qprob *q, double a, double b, double fa, double fb, double tol)
{
    double c = a, fc = fa, d = b - a, e = d;
    for (int it = 0; it < 200 && !q->st; it++) {
        if ((fb > 0) == (fc > 0)) { c = a; fc = fa; d = e = b - a; }
        if (fabs(fc) < fabs(fb)) { a = b; b = c; c = a; fa = fb; fb = fc; fc = fa; }
        double t = 2.0 * DBL_EPSILON * fabs(b) + 0.5 * tol, mid = 0.5 * (c - b);
        if (fabs(mid) <= t || fb == 0.0) return b;
        if (fabs(e) >= t && fabs(fa) > fabs(fb)) {
            double s = fb / fa, pp, qq;
            if (a == c) {
                pp = 2.0 * mid * s;
                qq = 1.0 - s;
            } else {
                double r = fb / fc;
                qq = fa / fc;
                pp = s * (2.0 * mid * qq * (qq - r) - (b - a) * (r - 1.0));
                qq = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if (pp > 0) qq = -qq; else pp = -pp;
            if (2.0 * pp < fmin(3.0 * mid * qq - fabs(t * qq), fabs(e * qq))) {
                e = d;
                d = pp / qq;
            } else {
                d = e = mid;
            }
        } else {
            d = e = mid;
        }
        a = b;
        fa = fb;
        b += fabs(d) > t ? d : (mid > 0 ? t : -t);
        fb = qfun(q, b);
    }
    return b;
}

/* Closed-form quantiles of the standardised law at P(X <= z) = pl, with
 * pu = 1 - pl (whichever is small is exact); returns 1 when one applies. */
static int closed_form(const ts_stable *law, double pl, double pu, double *z)
{
    double a = law->alpha, b = law->beta;
    if (a == 2.0) {                               /* N(0, 2) */
        *z = M_SQRT2 * (pl <= 0.5 ? gsl_cdf_ugaussian_Pinv(pl) : gsl_cdf_ugaussian_Qinv(pu));
        return 1;
    }
    if (a == 1.0 && b == 0.0) {                   /* Cauchy: tan(pi (p - 1/2)) */
        if (pl >= 0.25 && pl <= 0.75) *z = tan(M_PI * (pl - 0.5));
        else *z = pl < 0.5 ? -1.0 / tan(M_PI * pl) : 1.0 / tan(M_PI * pu);
        return 1;
    }
    if (a == 0.5 && fabs(b) == 1.0) {
        /* Levy (S1, beta = 1): F(s) = erfc(1/sqrt(2 s)) = 2 Qn(1/sqrt(s)), Qn the
         * standard normal upper tail, so s = 1/Qn^-1(p/2)^2. beta = -1 is the
         * mirror image: x = -s with F(s) = 1 - p, i.e. erf(1/sqrt(2 s)) = p,
         * s = 1/t^2 with t = sqrt(2) erfinv(p); for small p, 1 - p would lose
         * p's digits, so erfinv comes from its series there (either side). */
        /* the side whose probability is small comes from erfinv's series */
        double ps = b > 0 ? pu : pl, pb = b > 0 ? pl : pu, t;
        if (ps < 0.01) {
            double y = 0.5 * sqrt(M_PI) * ps, y2 = y * y;   /* erfinv(p) = sum c_k y^(2k+1) */
            double ei = y * (1.0 + y2 * (1.0 / 3 + y2 * (7.0 / 30 + y2 * (127.0 / 630 + y2 * (4369.0 / 22680)))));
            t = M_SQRT2 * ei;
        } else {
            t = gsl_cdf_ugaussian_Qinv(0.5 * pb);
        }
        double x1 = b > 0 ? 1.0 / (t * t) : -1.0 / (t * t);
        *z = law->param == TS_S0 ? x1 - b : x1;   /* S0: x0 = x1 + zeta, zeta = -beta */
        return 1;
    }
    return 0;
}

/* pl: the lower probability P(X <= z), pu = 1 - pl, each exact as given
 * (the one that is below 1/2 carries the digits). */
static ts_status quantile_std(ts_stable_ev *ev, const ts_stable *law, double pl, double pu, double *z, ts_err *err)
{
    double p = pl <= 0.5 ? pl : 1.0 - pu;
    if (closed_form(law, pl, pu, z)) return TS_OK;
    qprob q = { .ev = ev, .upper = pl > 0.5, .err = err };
    q.target = q.upper ? pu : pl;
    double a = law->alpha, b = law->beta;
    /* Start at S0's centre (x0 = 0), or in a tail at the asymptote
     * P(X1 > x) ~ c_alpha (1 + beta) x^-alpha, P(X1 < -x) ~ c_alpha (1 - beta) x^-alpha. */
    double zeta = a == 1.0 || a == 2.0 ? 0.0 : -b * tan(M_PI_2 * a);
    if (!isfinite(zeta)) zeta = 0.0;
    double z0 = law->param == TS_S0 ? 0.0 : -zeta;
    double tailw = q.upper ? 1.0 + b : 1.0 - b;
    if (q.target < 0.05 && tailw > 1e-3) {
        double c = a == 1.0 ? M_1_PI : sin(M_PI_2 * a) * tgamma(a) / M_PI;
        double x = pow(c * tailw / q.target, 1.0 / a);
        double x1 = q.upper ? x : -x;
        if (isfinite(x)) z0 = law->param == TS_S0 ? x1 + zeta : x1;
    }
    double y0 = asinh(z0), f0 = qfun(&q, y0);
    if (q.st) return q.st;
    if (f0 == 0.0) { *z = z0; return TS_OK; }
    /* Expand in y (factor ~e^step in z) until the sign changes. */
    const double YMAX = asinh(DBL_MAX);
    double dir = f0 < 0 ? 1.0 : -1.0, step = 0.5, y1 = y0, f1 = f0;
    for (;;) {
        double yn = fmin(fmax(y1 + dir * step, -YMAX), YMAX);
        double fn = qfun(&q, yn);
        if (q.st) return q.st;
        if ((fn > 0) != (f0 > 0) || fn == 0.0) { y0 = y1; f0 = f1; y1 = yn; f1 = fn; break; }
        if (fabs(yn) >= YMAX)
            return ts_err_set(err, TS_ERANGE, "quantile for p = %g is beyond the double range", p);
        y1 = yn; f1 = fn; step *= 2.0;
    }
    double y = f1 == 0.0 ? y1 : brent(&q, y0, y1, f0, f1, 1e-14);
    if (q.st) return q.st;
    *z = sinh(y);
    return TS_OK;
}

ts_status ts_stable_quantile_ev(ts_stable_ev *e, const ts_stable *law, int upper, double p, double *out,
                                ts_err *err)
{
    if (!(p > 0.0 && p < 1.0))
        return ts_err_set(err, TS_EINVAL, "p = %g is outside (0, 1)", p);
    double z = 0.0;
    double pl = upper ? 1.0 - p : p, pu = upper ? p : 1.0 - p;
    ts_status st = quantile_std(e, law, pl, pu, &z, err);
    if (st) return st;
    double off = law->loc;
    if (law->alpha == 1.0 && law->param == TS_S1)
        off += M_2_PI * law->beta * law->scale * log(law->scale);
    *out = off + law->scale * z;
    return TS_OK;
}

ts_status ts_stable_quantile(const ts_stable *law, double p, double *out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "out is NULL");
    return ts_stable_eval_vec(law, TS_STABLE_QUANTILE, 1, &p, out, NULL, err);
}

ts_status ts_stable_quantile_vec(const ts_stable *law, size_t n, const double *p, double *out,
                                 ts_err *err)
{
    return ts_stable_eval_vec(law, TS_STABLE_QUANTILE, n, p, out, NULL, err);
}
