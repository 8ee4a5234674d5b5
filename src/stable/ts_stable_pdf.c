/* ts_stable_pdf.c: density, log-density, cdf and survival function of an
 * alpha-stable law (see ts_stable_dist.h for the method and accuracy).
 *
 * Notation (Nolan 1997, MATH.md section 1), standardised law (scale 1, loc 0):
 *   zeta = -beta tan(pi alpha / 2), x0 the S0 argument, x1 = x0 - zeta the S1
 *   one. For x1 > 0 (else reflect: x -> -x, beta -> -beta) and alpha != 1:
 *     theta0 = atan(beta tan(pi alpha / 2)) / alpha, theta in (-theta0, pi/2),
 *     V(theta) = cos(alpha theta0)^(1/(alpha-1))
 *                (cos theta / sin(alpha (theta0 + theta)))^(alpha/(alpha-1))
 *                cos(alpha theta0 + (alpha - 1) theta) / cos theta,
 *     g = x1^(alpha/(alpha-1)) V,
 *     f(x) = alpha / (pi |alpha - 1| x1) int g exp(-g) dtheta,
 *     F(x) = (pi/2 - theta0)/pi + (1/pi) int exp(-g)        (alpha < 1),
 *     F(x) = 1 - (1/pi) int exp(-g)                          (alpha > 1).
 *   alpha = 1, beta > 0 (theta in (-pi/2, pi/2)):
 *     V = (2/pi) (pi/2 + beta theta)/cos theta exp((pi/2 + beta theta) tan theta / beta),
 *     g = exp(-pi x / (2 beta)) V, f = int g exp(-g) / (2 beta), F = (1/pi) int exp(-g).
 * g is monotone in theta, so g e^-g has a single peak, at g = 1.
 *
 * Precision. Everything is done with h = log g. Each evaluation point is held
 * as its distance to the nearer end of the theta interval (u from -theta0, or
 * w to pi/2), and every factor of V is rewritten (by cos y = sin(pi/2 - y))
 * as the sine of a small angle built from constants computed without
 * cancellation (c0, Mplus, Mminus below), so that V keeps full relative
 * precision however close the point is to an end. Each half of the interval
 * is integrated in s = log(distance to its end), which turns the integrand's
 * power-law behaviour at the ends, and a peak squeezed against an end (the
 * far tails, x near zeta), into smooth bumps of width O(1) in s.
 * For the cdf, exp(-g) is integrated where g > 1 and 1 - exp(-g) where g < 1;
 * the interval lengths then give both F and 1 - F without cancellation. */
#include "tailsweep/ts_stable_dist.h"

#include <complex.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdio.h>

/* Near (alpha, beta) = (1, 0) the integrand becomes a spike of width
 * ~max(|alpha - 1|, |beta|) in theta (the Cauchy limit), and the 1e-16
 * resolution of theta limits the integral to ~1e-16 / width relative. Within
 * BAND of that corner the log-values are interpolated quadratically through
 * nodes BAND away (alpha = 1 +- BAND, or beta = +-BAND at alpha = 1) and the
 * closed form at the corner: node error ~1e-12, interpolation error
 * ~BAND^3 |third derivative|, negligible there (both tails heavy, the law
 * near Cauchy). Elsewhere near alpha = 1 the integral itself is accurate:
 * the constants are built without 1/(alpha - 1) cancellation (see zg_init,
 * zg_T1, zg_h). */
#define BAND 1e-4
/* Quadrature: relative tolerance per piece, and how many subintervals. */
#define EPSREL 1e-12
#define LIMIT 200
/* Smallest distance to an end of the theta interval that is looked at
 * (log 1e-300); the integrand is negligible closer than that. */
#define LOG_VMIN (-690.0)

enum { W_PDF = 1, W_CDF = 2 };

/* One standardised evaluation: pdf = exp(lscale) * mult (mult may be 0),
 * logpdf = lscale + log(mult), F = cdf, Q = 1 - F (both computed directly). */
typedef struct {
    double lscale, mult, F, Q;
} dres;

typedef struct {
    gsl_integration_workspace *ws;
    ts_err *err;
    double floor;     /* lower bound on an integral's size, for absolute tolerances */
} dctx;

/* ---- constants of a law with alpha != 1 ------------------------------------ */

typedef struct {
    double alpha, beta, am1, ratio;  /* ratio = alpha / (alpha - 1)                 */
    double zeta;                     /* Nolan's zeta for this beta                   */
    double e;                        /* pi/2 - |alpha theta0|                        */
    double theta0, c0;               /* c0 = pi/2 - |theta0|                         */
    double L, P0;                    /* pi/2 + theta0 (interval length), pi/2 - theta0 */
    double Mplus, Mminus;            /* pi/2 -+ (alpha theta0 - pi (1 - alpha)/2)    */
    double log_sin_e;                /* log cos(alpha theta0) = -log sqrt(1 + zeta^2) */
    int s;                           /* sign of theta0 (+1 for 0)                    */
    int dir_u;                       /* +1 if g grows with theta (alpha < 1)         */
} zg;

/* r = |cot(pi alpha / 2)| = 1/|tan(pi alpha / 2)|, from the argument that
 * keeps full precision (1 - alpha, alpha - 1, 2 - alpha are exact in those
 * ranges), so that nothing below loses accuracy near alpha = 1 or 2. */
static double cot_half_pi_alpha_abs(double alpha)
{
    if (alpha < 0.5) return 1.0 / tan(M_PI_2 * alpha);
    if (alpha < 1.0) return tan(M_PI_2 * (1.0 - alpha));
    if (alpha <= 1.5) return tan(M_PI_2 * (alpha - 1.0));
    return 1.0 / tan(M_PI_2 * (2.0 - alpha));
}

static double zeta_of(double alpha, double beta)
{
    if (alpha == 0.5 && fabs(beta) == 1.0) return -beta;   /* tan(pi/4) = 1 exactly */
    double r = cot_half_pi_alpha_abs(alpha);
    return alpha < 1.0 ? -beta / r : beta / r;
}

static void zg_init(zg *c, double alpha, double beta)
{
    double r = cot_half_pi_alpha_abs(alpha);
    double ab = fabs(beta);
    double habs = M_PI_2 * fabs(1.0 - alpha);        /* |pi (1 - alpha) / 2| = atan(r) */
    double h = alpha < 1.0 ? habs : -habs;
    c->alpha = alpha;
    c->beta = beta;
    c->am1 = alpha - 1.0;
    c->ratio = alpha / (alpha - 1.0);
    c->zeta = zeta_of(alpha, beta);
    c->e = atan2(r, ab);
    double at0_abs = atan2(ab, r);
    int sa = (beta > 0) - (beta < 0);
    if (alpha > 1.0) sa = -sa;
    c->theta0 = sa * at0_abs / alpha;
    /* D = e - atan(r) = atan(r / |beta|) - atan(r) without cancellation; it
     * vanishes for |beta| = 1 (the totally skewed laws). */
    double D = r > 1e150 ? atan2(1.0 - ab, r) : atan2(r * (1.0 - ab), ab + r * r);
    c->c0 = alpha < 1.0 ? D / alpha : (c->e + habs) / alpha;
    c->P0 = c->theta0 >= 0 ? c->c0 : M_PI_2 - c->theta0;
    c->L = c->theta0 <= 0 ? c->c0 : M_PI_2 + c->theta0;
    if (sa >= 0) {
        c->Mplus = alpha < 1.0 ? c->e + habs : D;
        c->Mminus = M_PI - c->e - h;
    } else {
        c->Mplus = M_PI - c->e + h;
        c->Mminus = alpha < 1.0 ? D : c->e + habs;
    }
    c->log_sin_e = log(sin(c->e));
    c->s = c->theta0 >= 0 ? 1 : -1;
    c->dir_u = alpha < 1.0 ? 1 : -1;
}

/* h = log g at distance v from the start of half `half` (0: v = u =
 * theta + theta0; 1: v = w = pi/2 - theta). T1 holds the x-dependent part
 * (alpha log x1 + log cos(alpha theta0)) / (alpha - 1). */
static double zg_h(const zg *c, double T1, int half, double v)
{
    double u, w, A, C, barg;
    if (half == 0) { u = v; w = c->L - v; } else { w = v; u = c->L - v; }
    /* A = sin(alpha (theta0 + theta)) = sin(alpha u) = sin(pi - alpha u) */
    double au = c->alpha * u;
    A = (half == 0 || au <= M_PI_2) ? sin(au) : sin(c->Mplus + c->alpha * w);
    /* C = cos theta = sin w = sin(pi - w) = sin(c0 + u) (the last when theta < 0) */
    C = w <= M_PI_2 ? sin(w) : sin(c->c0 + u);
    /* B = cos(alpha theta0 + (alpha - 1) theta) = sin(bB), bB = pi/2 - alpha theta0
     * - (alpha - 1) theta, computed as barg = bB or pi - bB (whichever is built
     * from a small constant without cancellation). */
    int flip;
    if (half == 0) { barg = c->c0 - c->s * c->am1 * u; flip = c->s < 0; }
    else if (c->Mplus <= M_PI_2) { barg = c->Mplus + c->am1 * w; flip = 0; }
    else { barg = c->Mminus - c->am1 * w; flip = 1; }
    double B = sin(barg);
    /* log(C/A) is multiplied by alpha/(alpha - 1). Near alpha = 1 in the bulk
     * (theta0 -> pi/2) C/A -> 1 for every theta, so the rounding of C and A
     * would be amplified 1/(alpha - 1) times without being a mere shift of
     * theta. There C - A = sin(pi/2 + theta) - sin(alpha theta0 + alpha theta)
     *   = 2 cos((pi/2 + alpha theta0 + (alpha + 1) theta)/2) sin(bB/2)
     * keeps the small difference to full relative precision. */
    double lCA;
    double d = C - A;
    if (fabs(d) < 0.5 * A) {
        double theta = half == 0 ? u - c->theta0 : M_PI_2 - w;
        double sh = flip ? cos(0.5 * barg) : sin(0.5 * barg);    /* sin(bB/2) */
        d = 2.0 * cos(0.5 * (M_PI_2 + c->alpha * c->theta0 + (c->alpha + 1.0) * theta)) * sh;
        lCA = log1p(d / A);
    } else {
        lCA = log(C / A);
    }
    return T1 + c->ratio * lCA + log(B / C);
}

/* T1 for x1 > 0. When zeta << -1 (near alpha = 1, the bulk), alpha log x1 and
 * log cos(alpha theta0) are both ~ log|zeta| and cancel to O(alpha - 1):
 * x1 = |zeta| (1 + x0/|zeta|) and cos = (1 + zeta^-2)^(-1/2) / |zeta| keep
 * the difference exact before the division. */
static double zg_T1(const zg *c, double x0, double x1)
{
    /* (not next to zeta, where x0 = x1 + zeta has lost x1's digits and the
     * direct form has no cancellation to fear) */
    if (c->zeta <= -1.0 && x1 > -0.5 * c->zeta) {
        double az = -c->zeta;
        return log(az) + (c->alpha * log1p(x0 / az) - 0.5 * log1p(1.0 / (az * az))) / c->am1;
    }
    return (c->alpha * log(x1) + c->log_sin_e) / c->am1;
}

/* alpha = 1, beta > 0: h at distance v from the start of the half; T1 =
 * -pi x / (2 beta) + log(2/pi). */
static double a1_h(double beta, double T1, int half, double v)
{
    double P, C = sin(v), T;
    if (half == 0) { P = M_PI_2 * (1.0 - beta) + beta * v; T = -cos(v) / C; }
    else { P = M_PI_2 * (1.0 + beta) - beta * v; T = cos(v) / C; }
    return T1 + log(P / C) + P * T / beta;
}

/* ---- the integral ---------------------------------------------------------- */

enum { IK_PDF, IK_EXP, IK_EXPM1 };

typedef struct {
    const zg *g;      /* NULL: alpha = 1 */
    double beta1;     /* alpha = 1: beta > 0 */
    double T1;
    int half, kind;
    double m;         /* subtracted in the exponent (normalisation) */
} ip;

static double h_eval(const ip *p, double v)
{
    return p->g ? zg_h(p->g, p->T1, p->half, v) : a1_h(p->beta1, p->T1, p->half, v);
}

/* The integrand in s = log v (hence the factor v). */
static double integrand(double s, void *vp)
{
    const ip *p = vp;
    double v = exp(s);
    if (!(v > 0.0)) return 0.0;
    double h = h_eval(p, v), r;
    if (isnan(h)) return 0.0;     /* only 0/0 at an end, where the integrand vanishes */
    switch (p->kind) {
    case IK_PDF: r = h == INFINITY ? 0.0 : exp(h - exp(h) - p->m); break;
    case IK_EXP: r = exp(-exp(h) - p->m); break;
    default: r = -expm1(-exp(h)); break;
    }
    return r * v;
}

/* The function whose root is sought: h itself (the peak, g = 1), or, when
 * there is no peak, h - e^h - (m - 1) (where the integrand has fallen by e). */
typedef struct { const ip *p; int mode; double m; } rfa;

static double rf_fn(const rfa *a, double s)
{
    double h = h_eval(a->p, exp(s));
    if (a->mode == 0) return h;
    if (h == INFINITY) return -INFINITY;
    return h - exp(h) - a->m + 1.0;
}

/* fn is monotone on (LOG_VMIN, s_hi] with fn(s_hi) = f_hi. Look downwards
 * from s_hi for a sign change (steps doubling), then close in by the
 * Illinois method. Returns 1 with the root, or 0 (no sign change) with
 * fn(LOG_VMIN) in *f_end. Only a split point is wanted: |fn| < ftol will do. */
static int root_down(const rfa *a, double s_hi, double f_hi, double ftol, double *root,
                     double *f_end)
{
    if (f_hi == 0.0) { *root = s_hi; return 1; }
    int pos = f_hi > 0;
    double sa = s_hi, fa = f_hi, sb, fb, step = 0.5;
    for (;;) {
        sb = sa - step;
        if (sb < LOG_VMIN) sb = LOG_VMIN;
        fb = rf_fn(a, sb);
        if (fb == 0.0) { *root = sb; return 1; }
        if ((fb > 0) != pos && !isnan(fb)) break;
        if (sb == LOG_VMIN) { *f_end = fb; return 0; }
        sa = sb; fa = fb; step *= 2.0;
    }
    int side = 0;
    for (int it = 0; it < 200; it++) {
        double sc = 0.5 * (sa + sb);
        if (isfinite(fa) && isfinite(fb) && it % 6 != 5) {
            double t = sa - fa * (sb - sa) / (fb - fa);
            if (t > fmin(sa, sb) && t < fmax(sa, sb)) sc = t;
        }
        double fc = rf_fn(a, sc);
        if (fabs(fc) <= ftol || fabs(sa - sb) <= 1e-13 * (1.0 + fabs(sc))) { *root = sc; return 1; }
        if ((fc > 0) == (fa > 0)) {
            sa = sc; fa = fc;
            if (side == -1) fb *= 0.5;
            side = -1;
        } else {
            sb = sc; fb = fc;
            if (side == 1) fa *= 0.5;
            side = 1;
        }
    }
    *root = 0.5 * (sa + sb);
    return 1;
}

/* One piece: [a, b] in s (a = -inf: GSL's qagil maps it to a finite one). */
static ts_status piece(ip *p, double a, double b, double epsabs, double *res, dctx *c)
{
    *res = 0.0;
    if (!(b > a)) return TS_OK;
    gsl_function F = { integrand, p };
    double r = 0, e = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = isinf(a) ? gsl_integration_qagil(&F, b, epsabs, EPSREL, LIMIT, c->ws, &r, &e)
                      : gsl_integration_qags(&F, a, b, epsabs, EPSREL, LIMIT, c->ws, &r, &e);
    gsl_set_error_handler(old);
    /* Roundoff and subdivision warnings are harmless when the error
     * estimate itself is small (the estimate is pessimistic). Next to a
     * light tail's end the exponent e^h - m is ~|m| and carries rounding
     * noise ~1e-16 |m|: the result is conditioned that badly (d log f / dh
     * ~ |m|), so that much noise is accepted. */
    double acc = 1e-10 + 1e-14 * fabs(p->m);
    if (!isfinite(r) || (rc && !(e <= acc * fabs(r) + 10.0 * epsabs)))
        return ts_err_set(c->err, TS_ENUMERIC,
                          "stable distribution: quadrature failed (%s, estimate %g +- %g)",
                          gsl_strerror(rc), r, e);
    *res = r;
    return TS_OK;
}

/* Integrate over s in [lo, hi] from the end (hi if from_hi, else lo) next
 * to which the integrand has a feature of width ~d (its peak, or a drop):
 * pieces reaching d, 4d, 16d from that end, then the rest in one piece, so
 * that GSL's first Gauss-Kronrod rule on a piece never straddles a feature
 * much narrower than the piece. lo = -inf means "down to where the rest is
 * negligible": every integrand here is at most 1 times the Jacobian v = e^s,
 * so what lies below s_cut is below e^s_cut, cut at 1e-17 of the sum.
 * scale: what other pieces have summed (for the absolute tolerance). */
static ts_status sweep(ip *p, double lo, double hi, int from_hi, double d, double scale,
                       double *res, dctx *c)
{
    double sum = 0.0, reach = 0.0, step = d;
    ts_status st;
    *res = 0.0;
    for (int k = 0; k < 4; k++) {
        double a, b, r, tot = fmax(scale + sum, c->floor);
        if (from_hi) {
            double floor_ = lo;
            if (isinf(lo)) floor_ = tot > 0 ? fmax(LOG_VMIN, log(1e-17 * tot)) : LOG_VMIN;
            b = hi - reach;
            a = k == 3 ? floor_ : fmax(floor_, b - step);
            if (!(a < b)) break;
            reach = hi - a;
        } else {
            a = lo + reach;
            b = k == 3 ? hi : fmin(hi, a + step);
            if (!(a < b)) break;
            reach = b - lo;
        }
        if ((st = piece(p, a, b, 1e-15 * tot, &r, c))) return st;
        sum += r;
        step = 3.0 * reach;         /* next piece reaches 4x as far */
        /* Going down from the split (or from the midpoint, in the other
         * half) the integrand only falls, at least as fast as v = e^s: what
         * is left below a is at most its value at a, at most the piece's
         * mean r / (b - a). Stop once that is negligible. */
        if (from_hi && r <= 1e-17 * (b - a) * fmax(scale + sum, c->floor)) break;
    }
    *res = sum;
    return TS_OK;
}

typedef struct {
    double m, Ipdf;   /* int g e^-g dtheta = exp(m) Ipdf                      */
    double me, Ie;    /* int e^-g dtheta = exp(me) Ie                         */
    double Ie1;       /* int (1 - e^-g) dtheta                                */
} zout;

/* The Zolotarev integrals over an interval of length L, split at the peak.
 * dir_u: +1 if h increases with theta. */
static ts_status zolo(ip *base, double L, int dir_u, int want, zout *o, dctx *c)
{
    ts_status st;
    double s_hi = log(0.5 * L);
    ip p = *base;
    p.half = 0;
    double h_mid = h_eval(&p, 0.5 * L);
    /* h runs from -dir_u inf (u -> 0) to +dir_u inf (w -> 0): the half whose
     * far end has the sign opposite to h_mid holds the root. */
    int H = dir_u * h_mid > 0 ? 0 : 1;
    int dir_v = H == 0 ? dir_u : -dir_u;   /* sign of dh/dv in half H */
    p.half = H;
    rfa ra = { &p, 0, 0.0 };
    double s_split, h_end = 0;
    int root = root_down(&ra, s_hi, h_mid, 0.05, &s_split, &h_end);
    double m;
    rfa rb = { &p, 1, 0.0 };
    if (root) {
        m = -1.0;
    } else {
        /* No peak: g > 1 throughout (a light tail, or next to the edge of
         * the support), the integrand largest at the end v -> 0 of half H.
         * Split where it has fallen by a factor e. */
        if (h_end > 700.0) {
            /* g > e^700 everywhere: the density and this tail's probability
             * are below exp(-e^700), zero in double precision (log too). */
            *o = (zout){ .m = -INFINITY, .Ipdf = 0.0, .me = -INFINITY, .Ie = 0.0, .Ie1 = L };
            return TS_OK;
        }
        m = h_end - exp(h_end);
        rb.m = m;
        double dummy;
        if (!root_down(&rb, s_hi, rf_fn(&rb, s_hi), 0.05, &s_split, &dummy)) s_split = s_hi;
    }
    /* Width of the feature at the split, from the slope there: the peak
     * e^(h - e^h) spans a few units of h. Far out in the tails, or near
     * alpha = 1, h is steep and the peak narrow. */
    const rfa *rr = root ? &ra : &rb;
    double eps = 1e-6 * (1.0 + fabs(s_split));
    double slope = fabs(rf_fn(rr, s_split + eps) - rf_fn(rr, s_split - eps)) / (2.0 * eps);
    double d = slope > 2.0 ? 2.0 / slope : 1.0;
    /* the other half meets half H at s_hi, where the peak's flank may be */
    double dq = fmin(fmax(s_hi - s_split, d), 1.0);
    ip q = p;
    q.half = 1 - H;
    *o = (zout){ .m = m };
    /* The integrands reach ~1 (times the Jacobian v) at the split, over a
     * width ~d: the integral is at least ~0.1 v d, which bounds the absolute
     * tolerance of pieces far from the peak. */
    c->floor = 0.1 * exp(s_split) * fmin(d, 1.0);
    if (want & W_PDF) {
        double i1, i2, i3;
        p.kind = q.kind = IK_PDF;
        p.m = q.m = m;
        if ((st = sweep(&p, s_split, s_hi, 0, d, 0.0, &i2, c))) return st;
        if ((st = sweep(&p, -INFINITY, s_split, 1, d, i2, &i1, c))) return st;
        if ((st = sweep(&q, -INFINITY, s_hi, 1, dq, i1 + i2, &i3, c))) return st;
        o->Ipdf = i1 + i2 + i3;
    }
    if (want & W_CDF) {
        double i1, i2, i3;
        if (root) {
            /* [0, v_split] of half H has h of sign -dir_v; the rest, the other. */
            int near_small = dir_v > 0;   /* g < 1 on the near side */
            double v_split = exp(s_split);
            p.kind = near_small ? IK_EXPM1 : IK_EXP;
            q.kind = near_small ? IK_EXP : IK_EXPM1;
            p.m = q.m = 0.0;
            if ((st = sweep(&p, -INFINITY, s_split, 1, d, 0.0, &i1, c))) return st;
            p.kind = q.kind;
            if ((st = sweep(&p, s_split, s_hi, 0, d, 0.0, &i2, c))) return st;
            if ((st = sweep(&q, -INFINITY, s_hi, 1, dq, i2, &i3, c))) return st;
            double near = i1, far = i2 + i3, len_near = v_split, len_far = L - v_split;
            double big = near_small ? far : near, small = near_small ? near : far;
            double len_big = near_small ? len_far : len_near;
            double len_small = near_small ? len_near : len_far;
            o->me = 0.0;
            o->Ie = big + (len_small - small);
            o->Ie1 = small + (len_big - big);
        } else {
            p.kind = q.kind = IK_EXP;
            p.m = q.m = -exp(h_end);
            if ((st = sweep(&p, s_split, s_hi, 0, d, 0.0, &i2, c))) return st;
            if ((st = sweep(&p, -INFINITY, s_split, 1, d, i2, &i1, c))) return st;
            if ((st = sweep(&q, -INFINITY, s_hi, 1, dq, i1 + i2, &i3, c))) return st;
            o->me = p.m;
            o->Ie = i1 + i2 + i3;
            o->Ie1 = L - exp(o->me) * o->Ie;
        }
    }
    return TS_OK;
}

/* ---- alpha != 1 ------------------------------------------------------------- */

/* Far tail, x1 -> +inf (Zolotarev's series; Bergstrom for alpha < 1, where
 * it converges everywhere; asymptotic for alpha > 1):
 *   f(x) = (1/pi) sum_k gamma^k Gamma(k alpha + 1)/k! sin(k Mplus) x^(-k alpha - 1),
 *   1 - F = (1/pi) sum_k gamma^k Gamma(k alpha)/k! sin(k Mplus) x^(-k alpha),
 * gamma = sqrt(1 + zeta^2); the first term is alpha c_alpha (1 + beta) x^(-alpha-1).
 * Used only when the terms fall below 1e-17 of the first one while still
 * decreasing, and the sum does not cancel. Returns 1 when used. */
static int tail_series(const zg *g, double x1, dres *o)
{
    double sM = sin(g->Mplus);
    if (!(sM > 1e-200)) return 0;          /* light tail (alpha > 1, beta = -1) */
    double a = g->alpha, lx = log(x1);
    double lg = -g->log_sin_e - a * lx;    /* log(gamma x1^-alpha) */
    if (!(lg < -0.7)) return 0;
    double lg1p = lgamma(a + 1.0), lg1q = lgamma(a);
    double sp = 1.0, sq = 1.0, ap = 1.0, aq = 1.0, prev = INFINITY;
    int conv = 0;
    for (int k = 2; k <= 80; k++) {
        double lk = lgamma(k + 1.0);
        double bp = (k - 1) * lg + lgamma(k * a + 1.0) - lg1p - lk;   /* log |term p| / |sin ratio| */
        double bq = (k - 1) * lg + lgamma(k * a) - lg1q - lk;
        double sk = sin(k * g->Mplus) / sM;                          /* |sk| <= k */
        double tp = exp(bp) * sk, tq = exp(bq) * sk;
        sp += tp; sq += tq; ap += fabs(tp); aq += fabs(tq);
        double bound = exp(fmax(bp, bq)) * k;
        if (bound > prev) return 0;           /* asymptotic series diverging */
        prev = bound;
        if (bound < 1e-17) { conv = 1; break; }
    }
    if (!conv || sp < 0.5 * ap || sq < 0.5 * aq) return 0;
    o->lscale = lg - lx + lg1p + log(sM) - log(M_PI);
    o->mult = sp;
    o->Q = exp(lg + lg1q + log(sM) - log(M_PI)) * sq;
    o->F = 1.0 - o->Q;
    return 1;
}

/* x1 = x0 - zeta > 0 for the given beta (the caller reflects). */
static ts_status general_pos(double alpha, double beta, double x0, double x1, int want,
                             dres *o, dctx *c)
{
    zg g;
    zg_init(&g, alpha, beta);
    if (g.L <= 0.0) {               /* alpha < 1, |beta| = 1, beyond the support */
        *o = (dres){ -INFINITY, 0.0, 1.0, 0.0 };
        return TS_OK;
    }
    if (x1 < 1e-280) {
        /* x = zeta: f = Gamma(1 + 1/alpha) cos(theta0) / (pi (1 + zeta^2)^(1/(2 alpha))),
         * F = (pi/2 - theta0)/pi. Within 1e-280 of zeta this is exact to
         * double precision for every law whose density is finite there. */
        o->lscale = lgamma(1.0 + 1.0 / alpha) + log(sin(g.c0)) - log(M_PI) + g.log_sin_e / alpha;
        o->mult = 1.0;
        o->F = g.P0 / M_PI;
        o->Q = g.L / M_PI;
        return TS_OK;
    }
    if (tail_series(&g, x1, o)) return TS_OK;
    ip base = { .g = &g, .T1 = zg_T1(&g, x0, x1) };
    zout z;
    ts_status st = zolo(&base, g.L, g.dir_u, want, &z, c);
    if (st) return st;
    o->lscale = log(alpha / (M_PI * fabs(g.am1))) - log(x1) + z.m;
    o->mult = z.Ipdf;
    double Ie = exp(z.me) * z.Ie;
    if (alpha < 1.0) {
        o->F = (g.P0 + Ie) / M_PI;
        o->Q = z.Ie1 / M_PI;
    } else {
        o->F = (g.P0 + z.Ie1) / M_PI;
        o->Q = Ie / M_PI;
    }
    return TS_OK;
}

static void reflect(dres *o)
{
    double t = o->F;
    o->F = o->Q;
    o->Q = t;
}

static ts_status general_eval(double alpha, double beta, double x0, double x1, int want,
                              dres *o, dctx *c)
{
    ts_status st;
    if (x1 < 0.0) {
        st = general_pos(alpha, -beta, -x0, -x1, want, o, c);
        reflect(o);
    } else {
        st = general_pos(alpha, beta, x0, x1, want, o, c);
    }
    return st;
}

/* ---- alpha = 1 ---------------------------------------------------------------- */

static void cauchy(double z, dres *o)
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

/* alpha = 1, x -> +inf, any beta: expanding exp(-u (1 + i b log u)), b = 2 beta/pi,
 * in powers of u in f(x) = (1/pi) Re int_0^inf exp(-iux - u (1 + i b log u)) du
 * and integrating term by term (Watson's lemma, the logs as s-derivatives of
 * u^(n+s)) gives the asymptotic series
 *   f(x) = (1/pi) Re sum_n (-1)^n (-i)^(n+1) x^-(n+1) sum_k C(n,k) (i b)^k R_k(n+1),
 *   1 - F(x) = (1/pi) Re sum_n (-1)^n/n (-i)^(n+1) x^-n sum_k C(n,k) (i b)^k R_k(n),
 * R_k(z) = d^k/ds^k exp(G(s)) / exp(G(0)), G(s) = lgamma(z + s) - (z + s)(log x + i pi/2):
 * R_0 = 1, R_k = sum_j C(k-1, j) G^(j+1) R_(k-1-j), G' = psi(z) - log x - i pi/2,
 * G^(m+1) = psi^(m)(z). Its first term is (1 + beta)/(pi x^2). The integral,
 * whose constants grow like x/beta there, loses precision far out; this is
 * used wherever it converges to double precision (x above ~50). Returns 1
 * when used. */
enum { A1N = 26 };

static int alpha1_series(double beta, double x, dres *o)
{
    if (!(x > 40.0)) return 0;
    double Lx = log(x), b = M_2_PI * beta, ix = 1.0 / x;
    double tq[A1N + 1], tf[A1N + 1];     /* psi^(m)(n), psi^(m)(n + 1) */
    double binom[A1N + 1][A1N + 1];
    for (int i = 0; i <= A1N; i++) {
        binom[i][0] = binom[i][i] = 1.0;
        for (int j = 1; j < i; j++) binom[i][j] = binom[i - 1][j - 1] + binom[i - 1][j];
    }
    double complex sf = 0, sq = 0, ib = I * b;
    double arf = 0, arq = 0, prev = INFINITY, xpow = 1.0, mfact = 1.0;
    int conv = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    for (int n = 1; n <= A1N; n++) {
        /* tables at z = n (Q) and z = n + 1 (f), m = 0 .. n - 1 */
        int m_new = n - 1;
        if (n > 1)
            for (int m = 0; m < m_new; m++) tq[m] = tf[m];
        tq[m_new] = m_new == 0 ? gsl_sf_psi((double)n) : gsl_sf_psi_n(m_new, (double)n);
        mfact = 1.0;
        for (int m = 0; m <= m_new; m++) {
            if (m > 0) mfact *= m;
            double sgn = m % 2 ? -1.0 : 1.0;
            tf[m] = tq[m] + sgn * mfact / pow((double)n, m + 1);
        }
        double complex Rf[A1N + 1], Rq[A1N + 1], Sf = 0, Sq = 0, ibk = 1;
        Rf[0] = Rq[0] = 1;
        for (int k = 1; k <= n; k++) {
            double complex af = 0, aq = 0;
            for (int j = 0; j < k; j++) {
                double complex gf = j == 0 ? tf[0] - Lx - I * M_PI_2 : tf[j];
                double complex gq = j == 0 ? tq[0] - Lx - I * M_PI_2 : tq[j];
                af += binom[k - 1][j] * gf * Rf[k - 1 - j];
                aq += binom[k - 1][j] * gq * Rq[k - 1 - j];
            }
            Rf[k] = af;
            Rq[k] = aq;
        }
        for (int k = 0; k <= n; k++, ibk *= ib) {
            Sf += binom[n][k] * ibk * Rf[k];
            Sq += binom[n][k] * ibk * Rq[k];
        }
        /* (-1)^n (-i)^(n+1) */
        double complex ph = (n % 2 ? -1.0 : 1.0) * cpow(-I, n + 1);
        double complex tfn = ph * Sf * xpow, tqn = ph * Sq * xpow / n;
        sf += tfn;
        sq += tqn;
        arf += fabs(creal(tfn));
        arq += fabs(creal(tqn));
        double mag = fmax(cabs(tfn), cabs(tqn));
        if (n > 2 && mag > prev) break;        /* the asymptotic series turns */
        prev = mag;
        if (n > 1 && mag < 1e-17 * fmin(fabs(creal(sf)), fabs(creal(sq)))) { conv = 1; break; }
        xpow *= ix;
    }
    gsl_set_error_handler(old);
    if (!conv || !(creal(sf) > 0.5 * arf) || !(creal(sq) > 0.5 * arq)) return 0;
    o->lscale = -log(M_PI) - 2.0 * Lx;
    o->mult = creal(sf);
    o->Q = creal(sq) * ix / M_PI;
    o->F = 1.0 - o->Q;
    return 1;
}

static ts_status alpha1_pos(double beta, double x, int want, dres *o, dctx *c)
{
    if (x > 0 ? alpha1_series(beta, x, o) : alpha1_series(-beta, -x, o)) {
        if (x < 0) reflect(o);
        return TS_OK;
    }
    if (fabs(x) > 1e16) {
        /* Reached when the series did not converge, i.e. on the short side
         * of beta = +-1 (weight 1 -+ beta = 0), where the density is below
         * exp(-e^(1e16)): 0. Kept general: f ~ (1 + beta)/(pi x^2). The
         * integral's exp(-pi x/(2 beta)) would leave the double range. */
        double a = fabs(x), wt = x > 0 ? 1.0 + beta : 1.0 - beta;
        o->lscale = wt > 0 ? log(wt / M_PI) - 2.0 * log(a) : -INFINITY;
        o->mult = wt > 0 ? 1.0 : 0.0;
        double tail = wt / (M_PI * a);
        o->F = x > 0 ? 1.0 - tail : tail;
        o->Q = x > 0 ? tail : 1.0 - tail;
        return TS_OK;
    }
    ip base = { .g = NULL, .beta1 = beta, .T1 = -M_PI * x / (2.0 * beta) + log(M_2_PI) };
    zout z;
    ts_status st = zolo(&base, M_PI, 1, want, &z, c);
    if (st) return st;
    o->lscale = -log(2.0 * beta) + z.m;
    o->mult = z.Ipdf;
    o->F = exp(z.me) * z.Ie / M_PI;
    o->Q = z.Ie1 / M_PI;
    return TS_OK;
}

/* Quadratic interpolation of log-values through t = -1, 0, 1, at t in (-1, 1). */
static double interp3(const double y[3], double t)
{
    return y[0] * 0.5 * t * (t - 1.0) + y[1] * (1.0 - t * t) + y[2] * 0.5 * t * (t + 1.0);
}

static void interp_dres(const dres n[3], double t, int want, dres *o)
{
    double lp[3], lf[3], lq[3];
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        lp[i] = n[i].lscale + log(n[i].mult);
        lf[i] = log(n[i].F);
        lq[i] = log(n[i].Q);
        if (want & W_PDF) ok = ok && isfinite(lp[i]);
        if (want & W_CDF) ok = ok && isfinite(lf[i]) && isfinite(lq[i]);
    }
    if (ok) {
        o->lscale = interp3(lp, t);
        o->mult = 1.0;
        o->F = exp(interp3(lf, t));
        o->Q = exp(interp3(lq, t));
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

static ts_status alpha1_eval(double beta, double x, int want, dres *o, dctx *c)
{
    if (beta == 0.0) {
        cauchy(x, o);
        return TS_OK;
    }
    if (fabs(beta) < BAND) {
        dres n[3] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
        ts_status st;
        if ((st = alpha1_eval(-BAND, x, want, &n[0], c))) return st;
        cauchy(x, &n[1]);
        if ((st = alpha1_eval(BAND, x, want, &n[2], c))) return st;
        interp_dres(n, beta / BAND, want, o);
        return TS_OK;
    }
    ts_status st;
    if (beta < 0) {
        st = alpha1_pos(-beta, -x, want, o, c);
        reflect(o);
    } else {
        st = alpha1_pos(beta, x, want, o, c);
    }
    return st;
}

/* ---- dispatch ------------------------------------------------------------------- */

/* The standardised law (scale 1, loc 0) at z, in the law's own parameterisation. */
static ts_status std_eval(double alpha, double beta, ts_stable_param param, double z, int want,
                          dres *o, dctx *c)
{
    *o = (dres){ -INFINITY, 0.0, 0.0, 0.0 };
    if (isinf(z)) {
        *o = (dres){ -INFINITY, 0.0, z > 0 ? 1.0 : 0.0, z > 0 ? 0.0 : 1.0 };
        return TS_OK;
    }
    if (alpha == 2.0) {               /* N(0, 2) */
        o->lscale = -0.25 * z * z - log(2.0 * sqrt(M_PI));
        o->mult = 1.0;
        o->F = 0.5 * erfc(-0.5 * z);
        o->Q = 0.5 * erfc(0.5 * z);
        return TS_OK;
    }
    if (alpha == 1.0) return alpha1_eval(beta, z, want, o, c);
    if (alpha == 0.5 && fabs(beta) == 1.0) {
        /* Levy in S1: f = (2 pi)^(-1/2) x^(-3/2) exp(-1/(2x)), F = erfc(1/sqrt(2x)), x > 0;
         * beta = -1 is its mirror image. S0 moves it by zeta = -beta. */
        double x1 = param == TS_S0 ? z + beta : z;
        double y = beta * x1;
        if (y <= 0.0) {
            *o = (dres){ -INFINITY, 0.0, 0.0, 1.0 };
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
    double zeta = zeta_of(alpha, beta);
    double x0 = param == TS_S0 ? z : z + zeta;
    if (fabs(alpha - 1.0) < BAND && fabs(beta) < BAND) {
        /* S0 is smooth in alpha at fixed x0: interpolate across alpha = 1. */
        dres n[3] = { { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
        ts_status st;
        double a0 = 1.0 - BAND, a2 = 1.0 + BAND;
        if ((st = general_eval(a0, beta, x0, x0 - zeta_of(a0, beta), want, &n[0], c))) return st;
        if ((st = alpha1_eval(beta, x0, want, &n[1], c))) return st;
        if ((st = general_eval(a2, beta, x0, x0 - zeta_of(a2, beta), want, &n[2], c))) return st;
        interp_dres(n, (alpha - 1.0) / BAND, want, o);
        return TS_OK;
    }
    double x1 = param == TS_S0 ? z - zeta : z;
    return general_eval(alpha, beta, x0, x1, want, o, c);
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

/* Standardised argument: alpha = 1 in S1 also carries (2/pi) beta scale log scale. */
static double standardise(const ts_stable *law, double x)
{
    double off = law->loc;
    if (law->alpha == 1.0 && law->param == TS_S1)
        off += M_2_PI * law->beta * law->scale * log(law->scale);
    return (x - off) / law->scale;
}

enum { OUT_PDF, OUT_LOGPDF, OUT_CDF, OUT_SF };

static ts_status eval_many(const ts_stable *law, size_t n, const double *x, double *out,
                           int what, ts_err *err)
{
    ts_status st = check_law(law, err);
    if (st) return st;
    if (n && (!x || !out)) return ts_err_set(err, TS_EINVAL, "x or out is NULL");
    dctx c = { gsl_integration_workspace_alloc(LIMIT), err, 0.0 };
    if (!c.ws) return ts_err_set(err, TS_ENOMEM, "out of memory (quadrature workspace)");
    int want = what == OUT_PDF || what == OUT_LOGPDF ? W_PDF : W_CDF;
    double lsc = log(law->scale);
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i])) {
            st = n == 1 ? ts_err_set(err, TS_EINVAL, "x is NaN")
                        : ts_err_set(err, TS_EINVAL, "x[%zu] is NaN", i);
            break;
        }
        dres r;
        if ((st = std_eval(law->alpha, law->beta, law->param, standardise(law, x[i]), want, &r,
                           &c))) {
            if (n > 1) {
                char m[TS_ERR_MSG_MAX];
                snprintf(m, sizeof m, "%s", err ? err->msg : "");
                ts_err_set(err, st, "x[%zu] = %.17g: %s", i, x[i], m);
            }
            break;
        }
        switch (what) {
        case OUT_PDF: out[i] = exp(r.lscale - lsc) * r.mult; break;
        case OUT_LOGPDF: out[i] = r.lscale + log(r.mult) - lsc; break;
        case OUT_CDF: out[i] = fmin(fmax(r.F, 0.0), 1.0); break;
        default: out[i] = fmin(fmax(r.Q, 0.0), 1.0); break;
        }
    }
    gsl_integration_workspace_free(c.ws);
    return st;
}

ts_status ts_stable_pdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, 1, &x, out, OUT_PDF, err);
}
ts_status ts_stable_logpdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, 1, &x, out, OUT_LOGPDF, err);
}
ts_status ts_stable_cdf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, 1, &x, out, OUT_CDF, err);
}
ts_status ts_stable_sf(const ts_stable *law, double x, double *out, ts_err *err)
{
    return eval_many(law, 1, &x, out, OUT_SF, err);
}
ts_status ts_stable_pdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                            ts_err *err)
{
    return eval_many(law, n, x, out, OUT_PDF, err);
}
ts_status ts_stable_logpdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                               ts_err *err)
{
    return eval_many(law, n, x, out, OUT_LOGPDF, err);
}
ts_status ts_stable_cdf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                            ts_err *err)
{
    return eval_many(law, n, x, out, OUT_CDF, err);
}
ts_status ts_stable_sf_vec(const ts_stable *law, size_t n, const double *x, double *out,
                           ts_err *err)
{
    return eval_many(law, n, x, out, OUT_SF, err);
}
