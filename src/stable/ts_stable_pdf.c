/* ts_stable_pdf.c: density, log-density, cdf and survival function of an
 * alpha-stable law (see ts_stable_dist.h for the method and accuracy):
 * which formula serves which point, and the public vector API.
 *
 * Notation (Nolan 1997, docs/math.md section 1.5), standardised law (scale 1, loc 0):
 * zeta = -beta tan(pi alpha / 2), x0 the S0 argument, x1 = x0 - zeta the S1
 * one. A point with x1 < 0 is the point -x of the law with -beta (side 1 of
 * zeta), so the formulas below see x1 > 0 only. In order:
 *  - closed forms: Gauss (alpha = 2), Cauchy (alpha = 1, beta = 0), Levy
 *    (alpha = 1/2, beta = +-1), f(zeta) (x1 below 1e-280);
 *  - alpha > 1 and |x1| small enough: the convergent series around zeta;
 *  - far out: the tail series (heavy sides), or on the light side of a
 *    |beta| = 1 law, once the density is below e^-700, the saddlepoint
 *    expansion, which decides underflow and gives the log-density directly;
 *  - otherwise Zolotarev's integral (ts_stable_quad.c).
 * Next to (alpha, beta) = (1, 0) the integrand tends to the Cauchy spike and
 * the log-values are interpolated (quadratically in alpha or beta through
 * nodes BAND away and the Cauchy law at the corner; node error ~1e-12,
 * interpolation error ~BAND^3). */
#include "tailsweep/ts_stable_dist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ts_stable_eval.h"

#define BAND 1e-4
/* below this log-density on a light side the expansion is used (its error
 * there is < 1e-16 relative, and the density is 0 in double) */
#define LIGHT_LOG (-700.0)

enum { K_GAUSS, K_LEVY, K_ALPHA1, K_BAND, K_GENERAL };

static double zeta_of(double alpha, double beta)
{
    ts_qlaw q;
    ts_qlaw_init(&q, alpha, beta);
    return q.zeta;
}

void ts_stable_ev_init(ts_stable_ev *e, double alpha, double beta, ts_stable_param param)
{
    memset(e, 0, sizeof *e);
    e->alpha = alpha;
    e->beta = beta;
    e->param = param;
    if (alpha == 2.0) e->kind = K_GAUSS;
    else if (alpha == 1.0) e->kind = K_ALPHA1;
    else if (alpha == 0.5 && fabs(beta) == 1.0) e->kind = K_LEVY;
    else if (fabs(alpha - 1.0) < BAND && fabs(beta) < BAND) e->kind = K_BAND;
    else e->kind = K_GENERAL;
    if (e->kind == K_GENERAL || e->kind == K_BAND) e->zeta = zeta_of(alpha, beta);
}

static void reflect(ts_stable_dres *o)
{
    double t = o->F;
    o->F = o->Q;
    o->Q = t;
}

static ts_qlaw *side_law(ts_stable_ev *e, int side)
{
    if (!e->have_side[side]) {
        if (e->kind == K_ALPHA1) ts_qlaw_init_a1(&e->q[side], fabs(e->beta));
        else ts_qlaw_init(&e->q[side], e->alpha, side ? -e->beta : e->beta);
        e->have_side[side] = 1;
    }
    return &e->q[side];
}

static ts_light *light_of(ts_stable_ev *e)
{
    if (!e->have_light) {
        ts_light_init(&e->light, e->alpha);
        e->have_light = 1;
    }
    return &e->light;
}

static ts_status quad_failed(ts_err *err, int rc)
{
    return ts_err_set(err, TS_ENUMERIC, rc == 1 ? "stable distribution: the integrand's peak lies beyond "
                      "the double range (no series applies)" : "stable distribution: the quadrature "
                      "did not reach its tolerance");
}

/* ---- alpha != 1 ------------------------------------------------------------------ */

/* x1 = x0 - zeta > 0 on the given side. */
static ts_status general_pos(ts_stable_ev *e, int side, double x0, double x1, int want,
                             ts_stable_dres *o, ts_err *err)
{
    ts_qlaw *q = side_law(e, side);
    double alpha = e->alpha, bo = q->beta;
    if (q->L <= 0.0) {               /* alpha < 1, |beta| = 1, beyond the support */
        *o = (ts_stable_dres){ -INFINITY, 0.0, 1.0, 0.0 };
        return TS_OK;
    }
    if (x1 < 1e-280) {
        /* x = zeta: f = Gamma(1 + 1/alpha) cos(theta0) / (pi (1 + zeta^2)^(1/(2 alpha))),
         * F = (pi/2 - theta0)/pi. Within 1e-280 of zeta this is exact to
         * double precision for every law whose density is finite there. */
        o->lscale = lgamma(1.0 + 1.0 / alpha) + log(sin(q->c0)) - log(M_PI) + q->log_sin_e / alpha;
        o->mult = 1.0;
        o->F = q->P0 / M_PI;
        o->Q = q->L / M_PI;
        return TS_OK;
    }
    /* the heavy tail's series */
    if (!e->have_tail[side]) {
        ts_tail_series_init(&e->tail[side], alpha, q->Mplus, q->Mplus_c, q->log_sin_e);
        e->have_tail[side] = 1;
    }
    double Qt;
    if (ts_tail_series_eval(&e->tail[side], x1, &o->lscale, &o->mult, &Qt)) {
        o->Q = Qt;
        o->F = 1.0 - Qt;
        return TS_OK;
    }
    /* the light side of a totally skewed law: alpha > 1 with beta = -1 here
     * (x1 -> inf), or alpha < 1 with beta = 1 (x1 -> 0+, the support's edge);
     * x1 is the distance from the beta = 1 law's edge either way */
    int light = (alpha > 1.0 && bo == -1.0) || (alpha < 1.0 && bo == 1.0);
    double lf = 0.0, ls = 0.0, A = 0.0;
    if (light) {
        lf = ts_light_logpdf_d1(light_of(e), x1, &A, &ls);
        if (lf < LIGHT_LOG && A > 1000.0) {
            double tail = exp(lf - ls);          /* the light side's probability, ~ f / s */
            o->lscale = lf;
            o->mult = 1.0;
            o->F = alpha > 1.0 ? 1.0 - tail : tail;
            o->Q = alpha > 1.0 ? tail : 1.0 - tail;
            return TS_OK;
        }
    }
    ts_qres r;
    int rc = ts_qlaw_integrate(q, ts_qlaw_T1(q, x0, x1), want == TS_EV_PDF ? TS_Q_PDF : TS_Q_PDF | TS_Q_CDF, &r);
    e->evals += r.evals;
    if (rc) return quad_failed(err, rc);
    o->lscale = log(alpha / (M_PI * fabs(q->am1))) - log(x1) + r.mP;
    o->mult = r.P;
    if (alpha < 1.0) {
        o->F = (q->P0 + r.E) / M_PI;
        o->Q = r.E1 / M_PI;
    } else {
        o->F = (q->P0 + r.E1) / M_PI;
        o->Q = r.E / M_PI;
    }
    return TS_OK;
}

static ts_status general_eval(ts_stable_ev *e, double x0, double x1, int want, ts_stable_dres *o,
                              ts_err *err)
{
    /* alpha > 1 near zeta: the convergent series, both sides at once */
    if (e->alpha > 1.0) {
        if (!e->have_zero) {
            ts_qlaw *q = side_law(e, 0);
            ts_zero_series_init(&e->zero, e->alpha, e->beta, q->zeta, q->theta0);
            e->have_zero = 1;
        }
        double f;
        if (ts_zero_series_eval(&e->zero, x1, want == TS_EV_PDF ? 1 : 3, &f, &o->F, &o->Q)) {
            o->lscale = 0.0;
            o->mult = f;
            return TS_OK;
        }
    }
    ts_status st;
    if (x1 < 0.0) {
        st = general_pos(e, 1, -x0, -x1, want, o, err);
        reflect(o);
    } else {
        st = general_pos(e, 0, x0, x1, want, o, err);
    }
    return st;
}

/* ---- alpha = 1 ---------------------------------------------------------------- */

static void cauchy(double z, ts_stable_dres *o)
{
    double a = fabs(z);
    if (a > 1.0) {
        double r = 1.0 / a;
        o->lscale = -log(M_PI) - 2.0 * log(a) - log1p(r * r);
    } else {
        o->lscale = -log(M_PI) - log1p(z * z);
    }
    o->mult = 1.0;
    o->F = atan2(1.0, -z) / M_PI;
    o->Q = atan2(1.0, z) / M_PI;
}

/* beta > 0 (the law's |beta|), any x. */
static ts_status alpha1_pos(ts_stable_ev *e, double beta, double x, int want, ts_stable_dres *o,
                            ts_err *err)
{
    double Qs;
    if (x > 0 ? ts_alpha1_series(beta, x, &o->lscale, &o->mult, &Qs)
              : ts_alpha1_series(-beta, -x, &o->lscale, &o->mult, &Qs)) {
        o->Q = Qs;
        o->F = 1.0 - Qs;
        if (x < 0) reflect(o);
        return TS_OK;
    }
    /* the light side (beta = 1, x -> -inf): the expansion once f < e^-700 */
    if (beta == 1.0 && x < 0.0) {
        double A, ls, lf = ts_light_logpdf(light_of(e), x, &A, &ls);
        if (lf < LIGHT_LOG && A > 1000.0) {
            double tail = exp(lf - ls);
            *o = (ts_stable_dres){ lf, 1.0, tail, 1.0 - tail };
            return TS_OK;
        }
    }
    ts_qlaw *q = side_law(e, 0);
    ts_qres r;
    int rc = ts_qlaw_integrate(q, ts_qlaw_T1_a1(q, x), want == TS_EV_PDF ? TS_Q_PDF : TS_Q_PDF | TS_Q_CDF, &r);
    e->evals += r.evals;
    if (rc == 1 && fabs(x) > 1e16) {
        /* left only where the series did not converge, i.e. on the short
         * side of beta = +-1 (weight 1 - beta = 0): f ~ (1 - beta)/(pi x^2) */
        double a = fabs(x), wt = x > 0 ? 1.0 + beta : 1.0 - beta;
        o->lscale = wt > 0 ? log(wt / M_PI) - 2.0 * log(a) : -INFINITY;
        o->mult = wt > 0 ? 1.0 : 0.0;
        double tail = wt / (M_PI * a);
        o->F = x > 0 ? 1.0 - tail : tail;
        o->Q = x > 0 ? tail : 1.0 - tail;
        return TS_OK;
    }
    if (rc) return quad_failed(err, rc);
    o->lscale = -log(2.0 * beta) + r.mP;
    o->mult = r.P;
    o->F = r.E / M_PI;
    o->Q = r.E1 / M_PI;
    return TS_OK;
}

/* Quadratic interpolation of log-values through t = -1, 0, 1, at t in (-1, 1). */
static double interp3(const double y[3], double t)
{
    return y[0] * 0.5 * t * (t - 1.0) + y[1] * (1.0 - t * t) + y[2] * 0.5 * t * (t + 1.0);
}

static void interp_dres(const ts_stable_dres n[3], double t, int want, ts_stable_dres *o)
{
    double lp[3], lf[3], lq[3];
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        lp[i] = n[i].lscale + log(n[i].mult);
        lf[i] = log(n[i].F);
        lq[i] = log(n[i].Q);
        if (want & TS_EV_PDF) ok = ok && isfinite(lp[i]);
        if (want & TS_EV_CDF) ok = ok && isfinite(lf[i]) && isfinite(lq[i]);
    }
    if (ok) {
        o->lscale = interp3(lp, t);
        o->mult = 1.0;
        /* the smaller of F, 1 - F from its log; the other as its complement,
         * so that cdf + sf = 1 */
        double F = exp(interp3(lf, t)), Q = exp(interp3(lq, t));
        o->F = F <= Q ? F : 1.0 - Q;
        o->Q = F <= Q ? 1.0 - F : Q;
        return;
    }
    /* Some value underflowed at a node (deep in a light tail): interpolate
     * the values themselves, which are then all negligible or exact 0/1. */
    double yp[3], yf[3], yq[3];
    for (int i = 0; i < 3; i++) {
        yp[i] = exp(n[i].lscale) * n[i].mult;
        yf[i] = n[i].F;
        yq[i] = n[i].Q;
    }
    double pv = fmax(interp3(yp, t), 0.0);
    o->lscale = pv > 0 ? log(pv) : -INFINITY;
    o->mult = pv > 0 ? 1.0 : 0.0;
    o->F = fmin(fmax(interp3(yf, t), 0.0), 1.0);
    o->Q = fmin(fmax(interp3(yq, t), 0.0), 1.0);
}

static ts_status alpha1_eval(ts_stable_ev *e, double x, int want, ts_stable_dres *o, ts_err *err)
{
    double beta = e->beta;
    if (beta == 0.0) {
        cauchy(x, o);
        return TS_OK;
    }
    if (fabs(beta) < BAND) {
        ts_stable_dres n[3];
        ts_stable_ev node;
        ts_status st;
        ts_stable_ev_init(&node, 1.0, -BAND, TS_S0);
        if ((st = alpha1_eval(&node, x, want, &n[0], err))) return st;
        cauchy(x, &n[1]);
        ts_stable_ev_init(&node, 1.0, BAND, TS_S0);
        if ((st = alpha1_eval(&node, x, want, &n[2], err))) return st;
        interp_dres(n, beta / BAND, want, o);
        return TS_OK;
    }
    ts_status st;
    if (beta < 0) {
        st = alpha1_pos(e, -beta, -x, want, o, err);
        reflect(o);
    } else {
        st = alpha1_pos(e, beta, x, want, o, err);
    }
    return st;
}

/* ---- dispatch ------------------------------------------------------------------- */

ts_status ts_stable_ev_std(ts_stable_ev *e, double z, int want, ts_stable_dres *o, ts_err *err)
{
    *o = (ts_stable_dres){ -INFINITY, 0.0, 0.0, 0.0 };
    if (isinf(z)) {
        *o = (ts_stable_dres){ -INFINITY, 0.0, z > 0 ? 1.0 : 0.0, z > 0 ? 0.0 : 1.0 };
        return TS_OK;
    }
    double alpha = e->alpha, beta = e->beta;
    switch (e->kind) {
    case K_GAUSS:               /* N(0, 2) */
        o->lscale = -0.25 * z * z - log(2.0 * sqrt(M_PI));
        o->mult = 1.0;
        o->F = 0.5 * erfc(-0.5 * z);
        o->Q = 0.5 * erfc(0.5 * z);
        return TS_OK;
    case K_ALPHA1:
        return alpha1_eval(e, z, want, o, err);
    case K_LEVY: {
        /* Levy in S1: f = (2 pi)^(-1/2) x^(-3/2) exp(-1/(2x)), F = erfc(1/sqrt(2x)), x > 0;
         * beta = -1 is its mirror image. S0 moves it by zeta = -beta. */
        double x1 = e->param == TS_S0 ? z + beta : z;
        double y = beta * x1;
        if (y <= 0.0) {
            *o = (ts_stable_dres){ -INFINITY, 0.0, 0.0, 1.0 };
        } else {
            double r = sqrt(0.5 / y);
            o->lscale = -0.5 * log(2.0 * M_PI) - 1.5 * log(y) - 0.5 / y;
            o->mult = 1.0;
            o->F = erfc(r);
            o->Q = erf(r);
        }
        if (beta < 0) reflect(o);
        return TS_OK;
    }
    case K_BAND: {
        /* S0 is smooth in alpha at fixed x0: interpolate across alpha = 1. */
        double x0 = e->param == TS_S0 ? z : z + e->zeta;
        ts_stable_dres n[3];
        ts_stable_ev node;
        ts_status st;
        double a0 = 1.0 - BAND, a2 = 1.0 + BAND;
        ts_stable_ev_init(&node, a0, beta, TS_S0);
        if ((st = general_eval(&node, x0, x0 - node.zeta, want, &n[0], err))) return st;
        ts_stable_ev_init(&node, 1.0, beta, TS_S0);
        if ((st = alpha1_eval(&node, x0, want, &n[1], err))) return st;
        ts_stable_ev_init(&node, a2, beta, TS_S0);
        if ((st = general_eval(&node, x0, x0 - node.zeta, want, &n[2], err))) return st;
        interp_dres(n, (alpha - 1.0) / BAND, want, o);
        return TS_OK;
    }
    default: {
        double x0 = e->param == TS_S0 ? z : z + e->zeta;
        double x1 = e->param == TS_S0 ? z - e->zeta : z;
        return general_eval(e, x0, x1, want, o, err);
    }
    }
}

/* ---- public API -------------------------------------------------------------------- */

static ts_status check_law(const ts_stable *law, ts_err *err)
{
    if (!law) return ts_err_set(err, TS_EINVAL, "stable law is NULL");
    if (!(law->alpha > 0.0 && law->alpha <= 2.0))
        return ts_err_set(err, TS_EINVAL, "alpha = %g is outside (0, 2]", law->alpha);
    if (!(law->beta >= -1.0 && law->beta <= 1.0))
        return ts_err_set(err, TS_EINVAL, "beta = %g is outside [-1, 1]", law->beta);
    if (!(law->scale > 0.0 && isfinite(law->scale)))
        return ts_err_set(err, TS_EINVAL, "scale = %g must be positive and finite", law->scale);
    if (!isfinite(law->loc))
        return ts_err_set(err, TS_EINVAL, "loc = %g must be finite", law->loc);
    if (law->param != TS_S0 && law->param != TS_S1)
        return ts_err_set(err, TS_EINVAL, "parameterisation %d is neither S0 nor S1",
                          (int)law->param);
    return TS_OK;
}

double ts_stable_standardise(const ts_stable *law, double x)
{
    double off = law->loc;
    if (law->alpha == 1.0 && law->param == TS_S1)
        off += M_2_PI * law->beta * law->scale * log(law->scale);
    return (x - off) / law->scale;
}

/* One point of fn from the prepared law. */
static ts_status eval_point(ts_stable_ev *e, const ts_stable *law, ts_stable_fn fn, double x, double *out,
                            ts_err *err)
{
    if (fn == TS_STABLE_QUANTILE || fn == TS_STABLE_ISF)
        return ts_stable_quantile_ev(e, law, fn == TS_STABLE_ISF, x, out, err);
    if (isnan(x)) return ts_err_set(err, TS_EINVAL, "x is NaN");
    int want = fn == TS_STABLE_PDF || fn == TS_STABLE_LOGPDF ? TS_EV_PDF : TS_EV_CDF;
    ts_stable_dres r;
    ts_status st = ts_stable_ev_std(e, ts_stable_standardise(law, x), want, &r, err);
    if (st) return st;
    double lsc = log(law->scale);
    switch (fn) {
    case TS_STABLE_PDF: *out = exp(r.lscale - lsc) * r.mult; break;
    case TS_STABLE_LOGPDF: *out = r.lscale + log(r.mult) - lsc; break;
    case TS_STABLE_CDF: *out = fmin(fmax(r.F, 0.0), 1.0); break;
    default: *out = fmin(fmax(r.Q, 0.0), 1.0); break;
    }
    return TS_OK;
}

/* The failures of a vector: how many, and the first one's index and message. */
typedef struct {
    ts_status first;
    size_t n, at;
    ts_err err;
} fail_log;

static void note(fail_log *f, size_t i, ts_status st, const ts_err *e, double *out, ts_status *status)
{
    if (status) status[i] = st;
    if (!st) return;
    out[i] = NAN;
    if (!f->n++) {
        f->first = st;
        f->at = i;
        f->err = *e;
    }
}

/* Every point is evaluated; a failed one gets NaN (and its status). The
 * first failure is returned, its message naming the index and how many
 * failed. */
static ts_status eval_many(const ts_stable *law, ts_stable_fn fn, size_t n, const double *x, double *out,
                           ts_status *status, ts_err *err)
{
    ts_status st = check_law(law, err);
    if (st) {
        for (size_t i = 0; i < n && out; i++) {
            out[i] = NAN;
            if (status) status[i] = st;
        }
        return st;
    }
    if (n && (!x || !out)) return ts_err_set(err, TS_EINVAL, "x or out is NULL");
    ts_stable_ev e;
    ts_stable_ev_init(&e, law->alpha, law->beta, law->param);
    fail_log fl = { TS_OK, 0, 0, { TS_OK, "" } };
    for (size_t i = 0; i < n; i++) {
        ts_err e1;
        ts_err_clear(&e1);
        st = eval_point(&e, law, fn, x[i], &out[i], &e1);
        note(&fl, i, st, &e1, out, status);
    }
    if (!fl.n) return TS_OK;
    if (n == 1) return ts_err_set(err, fl.first, "%s", fl.err.msg);
    const char *nm = fn == TS_STABLE_QUANTILE || fn == TS_STABLE_ISF ? "p" : "x";
    if (fl.n > 1)
        return ts_err_set(err, fl.first, "%s[%zu] = %.17g: %s (%zu of %zu points failed)", nm, fl.at, x[fl.at],
                          fl.err.msg, fl.n, n);
    return ts_err_set(err, fl.first, "%s[%zu] = %.17g: %s", nm, fl.at, x[fl.at], fl.err.msg);
}

ts_status ts_stable_eval_vec(const ts_stable *law, ts_stable_fn fn, size_t n, const double *x, double *out,
                             ts_status *status, ts_err *err)
{
    if ((unsigned)fn > TS_STABLE_ISF) return ts_err_set(err, TS_EINVAL, "unknown function %d", (int)fn);
    return eval_many(law, fn, n, x, out, status, err);
}

ts_status ts_stable_pdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_PDF, 1, &x, out, NULL, err);
}
ts_status ts_stable_logpdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_LOGPDF, 1, &x, out, NULL, err);
}
ts_status ts_stable_cdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_CDF, 1, &x, out, NULL, err);
}
ts_status ts_stable_sf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_SF, 1, &x, out, NULL, err);
}
ts_status ts_stable_pdf_vec(const ts_stable *law, size_t n, const double *x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_PDF, n, x, out, NULL, err);
}
ts_status ts_stable_logpdf_vec(const ts_stable *law, size_t n, const double *x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_LOGPDF, n, x, out, NULL, err);
}
ts_status ts_stable_cdf_vec(const ts_stable *law, size_t n, const double *x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_CDF, n, x, out, NULL, err);
}
ts_status ts_stable_sf_vec(const ts_stable *law, size_t n, const double *x, double *out, ts_err *err)
{
    return eval_many(law, TS_STABLE_SF, n, x, out, NULL, err);
}

/* Points of many laws: runs of equal (alpha, beta) share one prepared law. */
ts_status ts_stable_eval_laws(ts_stable_fn fn, ts_stable_param param, size_t n, const double *x,
                              const double *alpha, const double *beta, const double *scale, const double *loc,
                              double *out, ts_status *status, ts_err *err)
{
    if ((unsigned)fn > TS_STABLE_ISF) return ts_err_set(err, TS_EINVAL, "unknown function %d", (int)fn);
    if (n && (!x || !alpha || !beta || !scale || !loc || !out))
        return ts_err_set(err, TS_EINVAL, "an array is NULL");
    fail_log fl = { TS_OK, 0, 0, { TS_OK, "" } };
    ts_stable_ev e;
    int have = 0;
    for (size_t k = 0; k < n; k++) {
        ts_stable law;
        ts_err e1;
        ts_err_clear(&e1);
        ts_status st = ts_stable_init(&law, alpha[k], beta[k], scale[k], loc[k], param, &e1);
        if (!st) {
            if (!have || e.alpha != law.alpha || e.beta != law.beta) {
                ts_stable_ev_init(&e, law.alpha, law.beta, param);
                have = 1;
            }
            st = eval_point(&e, &law, fn, x[k], &out[k], &e1);
        }
        note(&fl, k, st, &e1, out, status);
    }
    if (fl.n)
        return ts_err_set(err, fl.first, "point %zu: %s (%zu of %zu points failed)", fl.at, fl.err.msg, fl.n, n);
    return TS_OK;
}
