/* ts_stable_quad.c: Zolotarev's integral (Nolan 1997) by Gauss-Kronrod
 * panels placed around the integrand's peak (see ts_stable_quad.h).
 *
 * The integrals. Standardised law, x1 = x0 - zeta > 0 (the caller reflects
 * the other side), alpha != 1:
 *   theta0 = atan(beta tan(pi alpha / 2)) / alpha, theta in (-theta0, pi/2),
 *   V(theta) = cos(alpha theta0)^(1/(alpha-1))
 *              (cos theta / sin(alpha (theta0 + theta)))^(alpha/(alpha-1))
 *              cos(alpha theta0 + (alpha - 1) theta) / cos theta,
 *   g = x1^(alpha/(alpha-1)) V = e^y,   y = T1 + H(theta),
 *   f = alpha / (pi |alpha - 1| x1) int g e^-g dtheta,
 * and the distribution function from int e^-g and int (1 - e^-g).
 * alpha = 1, beta > 0: theta in (-pi/2, pi/2),
 *   V = (2/pi) (pi/2 + beta theta) / cos theta exp((pi/2 + beta theta) tan theta / beta),
 *   T1 = -pi x / (2 beta) (+ log(2/pi)), f = int g e^-g dtheta / (2 beta).
 * y is monotone in theta, so g e^-g has one peak, at y = 0.
 *
 * The variable. theta = end_lo + u, u = L / (1 + e^-sigma), w = L - u =
 * L / (1 + e^sigma): sigma is log(u / w), over the whole real line, and both
 * distances u, w come out to full relative precision however close theta is
 * to an end (that is where the peak sits in the far tails and next to
 * zeta). Every factor of V is the sine of an angle built from u, w and
 * constants computed without cancellation (ts_qlaw_init), as in Nolan's
 * recommendations. Near the ends y is linear in sigma (V is a power of the
 * distance there), and the Jacobian dtheta/dsigma = u w / L decays like
 * e^-|sigma|, so the integrand is a smooth bump in sigma.
 *
 * The panels. For each point: (1) the peak: T1 + H = 0 bracketed on the
 * law's skeleton (H at 33 fixed sigma, shared by all points of the law) and
 * found by safeguarded Newton (dH/dtheta is in closed form), then moved to
 * the maximum of the log-integrand lambda = y - e^y + log(u w / L); where y
 * has no root (the flat end of a totally skewed law) the skeleton's largest
 * lambda is the start. (2) Panel ends: stepping away from the peak on each
 * side, each next end is where a local model of lambda (y linear in sigma,
 * the Gumbel shape y - e^y exact) has dropped to the next level (-1.2, -8,
 * -40 on the side where y grows and the integrand falls super-exponentially;
 * -1.2, -4, -10, -22, -40 on the side where it falls like e^y), checked by
 * one evaluation (a step that overshot is halved). (3) A 15-point
 * Gauss-Kronrod rule on every panel, the integrand evaluated 15 points at a
 * time in SIMD lanes (ts_vmath); panels whose |K15 - G7| exceeds 1e-9 of
 * the total (K15 is then good to ~1e-15) are halved, worst first. Typically
 * 9 panels and 160 evaluations a point, against ~400 for GSL's QAGS on the
 * same pieces; accuracy ~1e-15 relative (docs/stable-fitting.md).
 * Beyond the outermost ends the pdf's integrand is below e^-40 of its peak;
 * there one of e^-g, 1 - e^-g is 1 to within that, and the remaining length
 * of the interval (u or w, exact) is added to its integral. */
#include "ts_stable_quad.h"

/* The integrand loops are written branch-free for SIMD lanes; GCC if-converts
 * their selects only without trapping-math (which changes no result here:
 * the default floating-point environment, no traps enabled). */
#pragma GCC optimize("no-trapping-math")

#include <math.h>
#include <string.h>

#include "tailsweep/ts_vmath.h"

/* Gauss-Kronrod 15/7 (QUADPACK's qk15): abscissae xgk[0..7] on [0, 1]
 * (odd indices are the 7-point Gauss nodes), weights. The rules' exactness
 * (degree 22 and 13) is checked in tests/unit/test_stable_quad.c. */
static const double XGK[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144838258730, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0 };
static const double WGK[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714 };
static const double WG[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327 };

#define SIG_MAX 690.0      /* |sigma| <= 690: distances down to ~1e-300 L   */
#define PANEL_TOL 1e-9     /* |K15 - G7| <= PANEL_TOL x total, per panel    */
#define MAX_PANELS 320
#define LAMBDA_END (-40.0) /* the integrand is cut below e^-40 of its peak  */
#define NEAR1 0.8          /* |alpha - 1| below this, C - A from its product form (there
                              alpha/(alpha - 1) amplifies log(C/A)'s rounding >= 2x) */

/* ---- the law's constants ------------------------------------------------- */

/* |cot(pi alpha / 2)| from the argument that keeps full precision. */
static double cot_half_pi_alpha_abs(double alpha)
{
    if (alpha < 0.5) return 1.0 / tan(M_PI_2 * alpha);
    if (alpha < 1.0) return tan(M_PI_2 * (1.0 - alpha));
    if (alpha <= 1.5) return tan(M_PI_2 * (alpha - 1.0));
    return 1.0 / tan(M_PI_2 * (2.0 - alpha));
}

void ts_qlaw_init(ts_qlaw *c, double alpha, double beta)
{
    memset(c, 0, sizeof *c);
    double r = cot_half_pi_alpha_abs(alpha);
    double ab = fabs(beta);
    double habs = M_PI_2 * fabs(1.0 - alpha);        /* atan(r) */
    double h = alpha < 1.0 ? habs : -habs;
    c->alpha = alpha;
    c->beta = beta;
    c->am1 = alpha - 1.0;
    c->ratio = alpha / (alpha - 1.0);
    c->zeta = alpha == 0.5 && ab == 1.0 ? -beta : (alpha < 1.0 ? -beta / r : beta / r);
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
        c->Mplus_c = M_PI - c->Mplus;
    } else {
        c->Mplus = M_PI - c->e + h;
        c->Mminus = alpha < 1.0 ? D : c->e + habs;
        /* pi - Mplus = e - h: D for alpha < 1, e + |h| for alpha > 1; the
         * thin side of a nearly totally skewed law has it ~ 1 - |beta| */
        c->Mplus_c = c->Mminus;
    }
    c->log_sin_e = log(sin(c->e));
    c->s = c->theta0 >= 0 ? 1 : -1;
    c->dir = alpha < 1.0 ? 1 : -1;
    c->logL = log(c->L);
}

void ts_qlaw_init_a1(ts_qlaw *c, double beta)
{
    memset(c, 0, sizeof *c);
    c->a1 = 1;
    c->alpha = 1.0;
    c->beta = beta;
    c->L = M_PI;
    c->logL = log(M_PI);
    c->dir = 1;                  /* V grows with theta (tan theta -> +inf) */
}

/* T1 for x1 > 0. When zeta << -1 (near alpha = 1, the bulk), alpha log x1 and
 * log cos(alpha theta0) are both ~ log|zeta| and cancel to O(alpha - 1):
 * x1 = |zeta| (1 + x0/|zeta|) and cos = (1 + zeta^-2)^(-1/2) / |zeta| keep
 * the difference exact before the division (not next to zeta, where x0 =
 * x1 + zeta has lost x1's digits and the direct form has nothing to fear). */
double ts_qlaw_T1(const ts_qlaw *c, double x0, double x1)
{
    if (c->zeta <= -1.0 && x1 > -0.5 * c->zeta) {
        double az = -c->zeta;
        return log(az) + (c->alpha * log1p(x0 / az) - 0.5 * log1p(1.0 / (az * az))) / c->am1;
    }
    return (c->alpha * log(x1) + c->log_sin_e) / c->am1;
}

double ts_qlaw_T1_a1(const ts_qlaw *c, double x)
{
    return -M_PI * x / (2.0 * c->beta) + log(M_2_PI);
}

/* ---- the integrand ---------------------------------------------------------- */

/* log1p for |x| <= 1/2 from the vector log: log(1 + x) corrected for the
 * rounding of 1 + x (Goldberg's trick, ~1 ulp). */
static inline double vlog1p(double x)
{
    double t = 1.0 + x;
    return ts_vlog_normal(t) + (x - (t - 1.0)) / t;
}

/* expm1 for x <= 0: Taylor series to x^16 for |x| < 1/2, else e^x - 1. */
static inline double vexpm1_neg(double x)
{
    double p = 1.0 / 20922789888000.0;     /* 1/16! */
    static const double inv[15] = { 1.0 / 1307674368000.0, 1.0 / 87178291200.0, 1.0 / 6227020800.0,
                                    1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                    1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0,
                                    1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0 };
    for (int k = 0; k < 15; k++) p = fma(p, x, inv[k]);
    double series = p * x;
    return x > -0.5 ? series : ts_vexp(x) - 1.0;
}

/* y = T1 + H and lj = log(u w / L) at n values of sigma (alpha != 1).
 * Branch-free so that the loop runs in SIMD lanes; near1 is a constant of
 * each instance (always_inline), so the loop carries no test for it. */
static inline __attribute__((always_inline)) void eval_gen_k(const ts_qlaw *c, double T1, int n, const double *sg,
                                                             double *y, double *lj, const int near1)
{
    const double alpha = c->alpha, L = c->L, am1 = c->am1, Mp = c->Mplus, Mm = c->Mminus;
    const double c0 = c->c0, ratio = c->ratio, sgn = c->s, logL = c->logL;
    const int mp_small = Mp <= M_PI_2, s_neg = sgn < 0;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        double as = fabs(sg[i]), E = ts_vexp(-as), opE = 1.0 + E;
        double sm = L * E / opE, bg = L / opE;
        double s_i = sg[i];
        double u = s_i <= 0.0 ? sm : bg, w = s_i <= 0.0 ? bg : sm;
        double au = alpha * u;
        /* the A angle: alpha u, or pi - alpha u from the other end */
        double angA = (s_i > 0.0 && au > M_PI_2) ? Mp + alpha * w : au;
        double angC = w <= M_PI_2 ? w : c0 + u;
        double b1 = mp_small ? Mp + am1 * w : Mm - am1 * w;
        double barg = s_i <= 0.0 ? c0 - sgn * am1 * u : b1;
        double A, cA, C, cC, B, cB;
        ts_vsincos(angA, &A, &cA);
        ts_vsincos(angC, &C, &cC);
        ts_vsincos(barg, &B, &cB);
        double lCA = ts_vlog_normal(C / A);
        if (near1) {
            /* C - A = sin(P) - sin(Q), P = pi/2 + theta, Q = alpha (theta0 + theta):
             *   = 2 cos((P + Q)/2) sin((P - Q)/2) = -2 sin((alpha u - w)/2) sin(bB/2),
             * since (P + Q)/2 = pi/2 + (alpha u - w)/2 (u + w = pi/2 + theta0) and
             * (P - Q)/2 = bB/2, bB = pi/2 - alpha theta0 - (alpha - 1) theta.
             * Both factors come from precise angles, so the difference keeps
             * full precision wherever C ~ A (then ratio log(C/A) would carry
             * the rounding of C/A times alpha/(alpha - 1)). */
            double d = C - A;
            double s2, c2, s3, c3;
            ts_vsincos(0.5 * barg, &s2, &c2);
            ts_vsincos(0.5 * (alpha * u - w), &s3, &c3);
            double flip = s_i <= 0.0 ? (s_neg ? 1.0 : 0.0) : (mp_small ? 0.0 : 1.0);
            double dn = -2.0 * s3 * (flip != 0.0 ? c2 : s2);
            double l1 = vlog1p(dn / A);
            lCA = fabs(d) < 0.5 * A ? l1 : lCA;
        }
        y[i] = T1 + ratio * lCA + ts_vlog_normal(B / C);
        lj[i] = logL - as - 2.0 * ts_vlog_normal(opE);
    }
}

static void eval_gen(const ts_qlaw *c, double T1, int n, const double *sg, double *y, double *lj)
{
    if (fabs(c->am1) < NEAR1) eval_gen_k(c, T1, n, sg, y, lj, 1);
    else eval_gen_k(c, T1, n, sg, y, lj, 0);
}

/* The same for alpha = 1 (beta > 0). */
static void eval_a1(const ts_qlaw *c, double T1, int n, const double *sg, double *y, double *lj)
{
    const double b = c->beta, L = c->L;
#pragma omp simd
    for (int i = 0; i < n; i++) {
        double as = fabs(sg[i]), E = ts_vexp(-as), opE = 1.0 + E;
        double v = L * E / opE;                       /* the smaller distance */
        int h0 = sg[i] <= 0.0;
        double sv, cv;
        ts_vsincos(v, &sv, &cv);
        double P = h0 ? M_PI_2 * (1.0 - b) + b * v : M_PI_2 * (1.0 + b) - b * v;
        double T = (h0 ? -cv : cv) / sv;              /* tan theta */
        y[i] = T1 + ts_vlog_normal(P / sv) + P * T / b;
        lj[i] = c->logL - as - 2.0 * ts_vlog_normal(opE);
    }
}

static void eval_n(const ts_qlaw *c, double T1, int n, const double *sg, double *y, double *lj)
{
    if (c->a1) eval_a1(c, T1, n, sg, y, lj);
    else eval_gen(c, T1, n, sg, y, lj);
}

/* One point with the derivative: y, dy/dsigma, lj, and u, w. */
typedef struct { double s, y, dy, lj, u, w; } qpt;

static void eval_d(const ts_qlaw *c, double T1, double sg, qpt *o)
{
    double as = fabs(sg), E = ts_vexp(-as), opE = 1.0 + E, L = c->L;
    double sm = L * E / opE, bg = L / opE;
    int h0 = sg <= 0.0;
    double u = h0 ? sm : bg, w = h0 ? bg : sm;
    double y, lj, dH;
    eval_n(c, T1, 1, &sg, &y, &lj);
    if (c->a1) {
        double v = h0 ? u : w, sv, cv, b = c->beta;
        ts_vsincos(v, &sv, &cv);
        double P = h0 ? M_PI_2 * (1.0 - b) + b * v : M_PI_2 * (1.0 + b) - b * v;
        double T = (h0 ? -cv : cv) / sv;
        /* dH/dtheta = beta/P + 2 tan theta + P / (beta cos^2 theta), times u w / L */
        o->dy = (b / P + 2.0 * T) * (u * w / L) + (P / b) * (u / sv) * (w / sv) / L;
    } else {
        double alpha = c->alpha, am1 = c->am1, au = alpha * u;
        int useA0 = h0 || au <= M_PI_2;
        double angA = useA0 ? au : c->Mplus + alpha * w;
        double angC = w <= M_PI_2 ? w : c->c0 + u;
        double barg = h0 ? c->c0 - c->s * am1 * u
                         : (c->Mplus <= M_PI_2 ? c->Mplus + am1 * w : c->Mminus - am1 * w);
        int flip = h0 ? c->s < 0 : c->Mplus > M_PI_2;
        double A, cA, C, cC, B, cB;
        ts_vsincos(angA, &A, &cA);
        ts_vsincos(angC, &C, &cC);
        ts_vsincos(barg, &B, &cB);
        double cphi = useA0 ? cA : -cA, cbB = flip ? -cB : cB;
        /* dH/dtheta = -B / ((alpha-1) C A) - (alpha+1) cot(phi) - (alpha-1) tan(psi),
         * the first term formed as (u/A)(w/C), bounded at both ends */
        dH = -(B / am1) * (u / A) * (w / C) / L - ((alpha + 1.0) * cphi / A + am1 * cbB / B) * (u * w / L);
        o->dy = dH;
        (void)cC;
    }
    o->s = sg;
    o->y = y;
    o->lj = lj;
    o->u = u;
    o->w = w;
}

/* ---- the skeleton ----------------------------------------------------------- */

static void skeleton(ts_qlaw *c)
{
    double lj[TS_QSK];
    const double a = 4.1, span = 60.0;
    for (int k = 0; k < TS_QSK; k++) {
        double t = (k - (TS_QSK - 1) / 2) / (double)((TS_QSK - 1) / 2);
        c->sk_s[k] = span * sinh(a * t) / sinh(a);
    }
    c->sk_s[(TS_QSK - 1) / 2] = 0.0;
    eval_n(c, 0.0, TS_QSK, c->sk_s, c->sk_H, lj);
    c->have_skel = 1;
}

/* ---- kernels -------------------------------------------------------------------- */

static inline double lam_pdf(double y, double lj) { return (y > 700.0 ? -1e300 : y - ts_vexp(y)) + lj; }

/* log(1 - e^-t), t = e^y */
static inline double log1m_exp_neg(double y)
{
    double t = ts_vexp(y);
    double series = y - 0.5 * t + t * t / 24.0;          /* log((1 - e^-t)/t) ~ -t/2 + t^2/24 */
    return t < 1e-5 ? series : ts_vlog(-vexpm1_neg(-t));
}

/* ---- locating the peak ---------------------------------------------------------- */

/* The start of the layout: the maximum of lambda (approximately). Returns 0,
 * or 1 if it lies beyond |sigma| = SIG_MAX. */
static int find_peak(ts_qlaw *c, double T1, qpt *pk, int *evals)
{
    const int dir = c->dir, N = TS_QSK;
    const double *S = c->sk_s, *H = c->sk_H;
    int k = 0;
    while (k < N && dir * (T1 + H[k]) < 0.0) k++;
    double slo = (H[1] - H[0]) / (S[1] - S[0]), shi = (H[N - 1] - H[N - 2]) / (S[N - 1] - S[N - 2]);
    int flat = (k == 0 && fabs(slo) < 1e-3) || (k == N && fabs(shi) < 1e-3);
    int have = 0;
    qpt p = { 0 };
    if (!flat) {
        double s, lo, hi;
        if (k == 0) { s = S[0] - (T1 + H[0]) / slo; lo = -SIG_MAX; hi = S[0]; }
        else if (k == N) { s = S[N - 1] - (T1 + H[N - 1]) / shi; lo = S[N - 1]; hi = SIG_MAX; }
        else {
            double y0 = T1 + H[k - 1], y1 = T1 + H[k];
            s = S[k - 1] + (S[k] - S[k - 1]) * y0 / (y0 - y1);
            lo = S[k - 1];
            hi = S[k];
        }
        if (!(s > lo && s < hi)) s = 0.5 * (lo + hi);
        for (int it = 0; it < 100; it++) {
            eval_d(c, T1, s, &p);
            (*evals)++;
            if (fabs(p.y) < 0.1) { have = 1; break; }
            if (dir * p.y > 0.0) hi = s; else lo = s;
            double sn = s - p.y / p.dy;
            if (!(sn > lo && sn < hi)) sn = 0.5 * (lo + hi);
            if (!(hi - lo > 1e-12 * (1.0 + fabs(s)))) break;
            s = sn;
        }
        /* a root in a flat stretch is no peak: look for lambda's maximum */
        if (have && fabs(p.dy) < 1.0) have = 0;
    }
    if (!have) {
        /* the skeleton's largest lambda, its parabolic vertex */
        double lk[TS_QSK];
        int km = 0;
        for (int q = 0; q < N; q++) {
            double lj = c->logL - fabs(S[q]) - 2.0 * log1p(exp(-fabs(S[q])));
            lk[q] = lam_pdf(T1 + H[q], lj);
            if (lk[q] > lk[km]) km = q;
        }
        double s = S[km];
        if (km > 0 && km < N - 1) {
            double x0 = S[km - 1], x1 = S[km], x2 = S[km + 1], f0 = lk[km - 1], f1 = lk[km], f2 = lk[km + 1];
            double num = (x1 - x0) * (x1 - x0) * (f1 - f2) - (x1 - x2) * (x1 - x2) * (f1 - f0);
            double den = (x1 - x0) * (f1 - f2) - (x1 - x2) * (f1 - f0);
            double v = den != 0.0 ? x1 - 0.5 * num / den : x1;
            if (v > x0 && v < x2) s = v;
        } else if (km == 0 || km == N - 1) {
            /* beyond the skeleton: y is linear there; lambda' = y'(1 - e^y) -+ 1 = 0 */
            double sl = km == 0 ? slo : shi, y_edge = T1 + H[km], sg = km == 0 ? 1.0 : -1.0;
            if (fabs(sl) > 1e-12) {
                double ey = 1.0 + sg / sl;               /* e^y at the maximum */
                if (ey > 0.0) s = S[km] + (log(ey) - y_edge) / sl;
            }
            if (!(fabs(s) < SIG_MAX)) return 1;
        }
        eval_d(c, T1, s, &p);
        (*evals)++;
    }
    /* one Newton step towards lambda's maximum (model curvature), kept if it
     * raises lambda */
    double et = exp(p.y);
    double lp = p.dy * (1.0 - et) + (p.w - p.u) / c->L;
    double c2 = -et * p.dy * p.dy - 2.0 * p.u * p.w / (c->L * c->L);
    double s2 = p.s - lp / c2;
    if (isfinite(s2) && fabs(s2 - p.s) > 1e-3 / (fabs(p.dy) + 1.0)) {
        if (fabs(s2 - p.s) > 10.0) s2 = p.s + (s2 > p.s ? 10.0 : -10.0);
        if (fabs(s2) < SIG_MAX) {
            qpt q2;
            eval_d(c, T1, s2, &q2);
            (*evals)++;
            if (lam_pdf(q2.y, q2.lj) > lam_pdf(p.y, p.lj)) p = q2;
        }
    }
    if (!(fabs(p.s) < SIG_MAX - 10.0) || !isfinite(p.y)) return 1;
    *pk = p;
    return 0;
}

/* ---- the panels ------------------------------------------------------------------ */

/* The first step D (sign d) at which the model lambda(s + D) - lambda(s),
 * with y linear in sigma and log J linear, has fallen to `drop` (< 0). */
static double model_step(const qpt *a, double dj, double drop, int d)
{
    double y = a->y, dy = a->dy, k0 = y - exp(fmin(y, 700.0));
#define MODEL(D) ({ double yy_ = fmin(y + dy * (D), 700.0); yy_ - exp(yy_) + dj * (D) - k0; })
    double lo = 0.0, hi = 1e-3 / (fabs(dy) + 1.0);
    int ok = 0;
    for (int it = 0; it < 64; it++) {
        if (MODEL(d * hi) <= drop) { ok = 1; break; }
        lo = hi;
        hi *= 2.0;
        if (hi > 2.0 * SIG_MAX) break;
    }
    if (!ok) return d * fmin(hi, 2.0 * SIG_MAX);
    for (int it = 0; it < 40 && hi - lo > 0.02 * hi; it++) {
        double m = 0.5 * (lo + hi);
        if (MODEL(d * m) <= drop) hi = m; else lo = m;
    }
#undef MODEL
    return d * hi;
}

/* Panel ends on one side of the peak, outwards, into ends[] (the peak
 * first). Returns the count, or -1 when the integrand is still large at
 * |sigma| = SIG_MAX (the peak squeezed against an end).
 * Past the levels, a side also needs the rest of it to be negligible: y is
 * monotone, so beyond a point b the kernel e^(y - e^y) stays below its
 * value at b (y >= 0 growing, or y <= 0 falling), and the rest of the
 * integral is below that value times the remaining length (u or w). Where y
 * flattens (|beta| near 1: y tends to a constant at one end, so lambda
 * rises again with the Jacobian), panels continue, doubling in sigma, until
 * that bound is below e^-40 of the peak. */
static int layout(const ts_qlaw *c, double T1, const qpt *pk, int d, const double *lv, int nl,
                  double *ends, int maxn, int *evals)
{
    double L = c->L, l0 = lam_pdf(pk->y, pk->lj), la = 0.0;
    qpt a = *pk;
    int n = 0, i = 0;
    ends[n++] = pk->s;
    while (i < nl && n < maxn) {
        double target = lv[i];
        double step = model_step(&a, (a.w - a.u) / L, target - la, d);
        qpt b;
        double lb = la;
        for (int tr = 0; tr < 40; tr++) {
            double sb = a.s + step;
            if (fabs(sb) > SIG_MAX) sb = d * SIG_MAX;
            eval_d(c, T1, sb, &b);
            (*evals)++;
            lb = lam_pdf(b.y, b.lj) - l0;
            if (!(la - lb > 1.6 * (la - target) + 0.5)) break;
            step *= 0.5;
        }
        ends[n++] = b.s;
        a = b;
        la = lb;
        while (i < nl && la <= 0.8 * lv[i]) i++;
        if (fabs(b.s) >= SIG_MAX) return la < LAMBDA_END + 10.0 ? n : -1;
    }
    /* the rest of this side: kernel bound times the remaining length */
    while (n < maxn && fabs(a.s) < SIG_MAX) {
        double rest = d > 0 ? a.w : a.u;
        double kb = a.y > 700.0 ? -INFINITY : a.y - exp(a.y);
        if (kb + log(rest) - (l0 - pk->lj + c->logL) <= LAMBDA_END) break;
        /* next end: through sigma = 0 first, then doubling outwards */
        double sb = (a.s * d < 0.0 && fabs(a.s) > 1.0) ? 0.0 : a.s + d * fmax(4.0, fabs(a.s));
        if (fabs(sb) > SIG_MAX) sb = d * SIG_MAX;
        eval_d(c, T1, sb, &a);
        (*evals)++;
        ends[n++] = a.s;
    }
    return n;
}

typedef struct { double a, b, r[3], e[3]; } panel;

/* GK15 on [a, b] of the kernels asked for (0: pdf; 1, 2: e^-g, 1 - e^-g),
 * scaled by e^-m[k]. */
static void gk15(const ts_qlaw *c, double T1, int what, const double m[3], double a, double b, panel *o)
{
    /* 16 lanes (the centre twice): four full AVX2 vectors, no remainder loop */
    double sg[16], y[16], lj[16];
    double ctr = 0.5 * (a + b), hw = 0.5 * (b - a);
    for (int j = 0; j < 7; j++) {
        sg[j] = ctr - hw * XGK[j];
        sg[14 - j] = ctr + hw * XGK[j];
    }
    sg[7] = sg[15] = ctr;
    eval_n(c, T1, 16, sg, y, lj);
    double f[3][16];
    const double m0 = m[0], m1 = m[1], m2 = m[2];
    if (what & TS_Q_PDF) {
#pragma omp simd
        for (int j = 0; j < 16; j++) {
            double yc = fmin(y[j], 700.0), t = ts_vexp(yc);
            double v = ts_vexp(yc - t + lj[j] - m0);
            f[0][j] = y[j] > 700.0 ? 0.0 : v;
        }
    }
    if (what & TS_Q_CDF) {
        if (m2 > -600.0) {
            /* 1 - e^-t times the Jacobian's scale, e^-t direct or by its series */
#pragma omp simd
            for (int j = 0; j < 16; j++) {
                double yc = fmin(y[j], 700.0), t = ts_vexp(yc), ej = ts_vexp(lj[j] - m2);
                f[1][j] = ts_vexp(-t + lj[j] - m1);
                double om = t < 0.5 ? -vexpm1_neg(-t) : 1.0 - ts_vexp(-t);
                f[2][j] = om * ej;
            }
        } else {
            /* 1 - e^-g is below e^-600 at the peak: stay in logs */
#pragma omp simd
            for (int j = 0; j < 16; j++) {
                double yc = fmin(y[j], 700.0), t = ts_vexp(yc);
                f[1][j] = ts_vexp(-t + lj[j] - m1);
                f[2][j] = ts_vexp(log1m_exp_neg(y[j]) + lj[j] - m2);
            }
        }
    }
    for (int k = 0; k < 3; k++) {
        if (k == 0 ? !(what & TS_Q_PDF) : !(what & TS_Q_CDF)) { o->r[k] = o->e[k] = 0.0; continue; }
        double rk = WGK[7] * f[k][7], rg = WG[3] * f[k][7];
        for (int j = 0; j < 7; j++) {
            double s2 = f[k][j] + f[k][14 - j];
            rk += WGK[j] * s2;
            if (j & 1) rg += WG[j / 2] * s2;
        }
        o->r[k] = rk * hw;
        o->e[k] = fabs(rk - rg) * hw;
    }
    o->a = a;
    o->b = b;
}

int ts_qlaw_integrate(ts_qlaw *c, double T1, int what, ts_qres *out)
{
    memset(out, 0, sizeof *out);
    if (!c->have_skel) skeleton(c);
    int evals = 0;
    qpt pk;
    if (find_peak(c, T1, &pk, &evals)) { out->evals = evals; return 1; }
    static const double lv_super[] = { -1.2, -8.0, LAMBDA_END };
    static const double lv_exp[] = { -1.2, -4.0, -10.0, -22.0, LAMBDA_END };
    enum { MAXE = 48 };
    double e1[MAXE], e2[MAXE], ends[2 * MAXE];
    int n1 = layout(c, T1, &pk, c->dir, lv_super, 3, e1, MAXE, &evals);
    int n2 = layout(c, T1, &pk, -c->dir, lv_exp, 5, e2, MAXE, &evals);
    if (n1 < 0 || n2 < 0) { out->evals = evals; return 1; }
    /* ends in increasing sigma */
    int n = 0;
    const double *lo = c->dir > 0 ? e2 : e1, *hi = c->dir > 0 ? e1 : e2;
    int nlo = c->dir > 0 ? n2 : n1, nhi = c->dir > 0 ? n1 : n2;
    for (int i = nlo - 1; i >= 1; i--) ends[n++] = lo[i];
    for (int i = 0; i < nhi; i++) ends[n++] = hi[i];
    /* scales: each kernel's log at the peak */
    double m[3];
    m[0] = lam_pdf(pk.y, pk.lj);
    m[1] = -exp(fmin(pk.y, 700.0)) + pk.lj;
    m[2] = log1m_exp_neg(pk.y) + pk.lj;
    /* the lengths beyond the outermost ends, to the kernel that is 1 there */
    double len[3] = { 0.0, 0.0, 0.0 };
    if (what & TS_Q_CDF) {
        qpt a, b;
        eval_d(c, T1, ends[0], &a);
        eval_d(c, T1, ends[n - 1], &b);
        evals += 2;
        len[a.y < 0.0 ? 1 : 2] += a.u;
        len[b.y < 0.0 ? 1 : 2] += b.w;
    }
    static __thread panel P[MAX_PANELS];
    int np = 0;
    for (int i = 0; i + 1 < n; i++)
        if (ends[i + 1] > ends[i]) {
            gk15(c, T1, what, m, ends[i], ends[i + 1], &P[np++]);
            evals += 15;
        }
    /* global adaptivity: halve the worst panel until every panel meets its
     * share of the tolerance */
    int status = 0;
    for (;;) {
        double tot[3] = { 0.0, 0.0, 0.0 };
        for (int i = 0; i < np; i++)
            for (int k = 0; k < 3; k++) tot[k] += P[i].r[k];
        for (int k = 1; k < 3; k++) {
            /* the lengths beyond count towards the total (in scaled units) */
            double ls = len[k] > 0.0 ? exp(fmin(log(len[k]) - m[k], 690.0)) : 0.0;
            tot[k] += ls;
        }
        int worst = -1;
        double wr = 1.0;
        for (int i = 0; i < np; i++)
            for (int k = 0; k < 3; k++) {
                double t = PANEL_TOL * tot[k];
                if (P[i].e[k] > t * wr && P[i].e[k] > 0.0) {
                    wr = t > 0.0 ? P[i].e[k] / t : INFINITY;
                    worst = i;
                }
            }
        if (worst < 0) break;
        if (np >= MAX_PANELS) { status = 2; break; }
        double a = P[worst].a, b = P[worst].b, mid = 0.5 * (a + b);
        if (!(mid > a && mid < b)) { status = 2; break; }
        gk15(c, T1, what, m, a, mid, &P[worst]);
        gk15(c, T1, what, m, mid, b, &P[np++]);
        evals += 30;
    }
    double sum[3] = { 0.0, 0.0, 0.0 };
    for (int i = 0; i < np; i++)
        for (int k = 0; k < 3; k++) sum[k] += P[i].r[k];
    out->mP = m[0];
    out->P = sum[0];
    out->E = exp(m[1]) * sum[1] + len[1];
    out->E1 = exp(m[2]) * sum[2] + len[2];
    /* E + E1 = L exactly (so cdf + sf = 1 to rounding): the larger, at
     * least L/2, is taken as L less the smaller, which loses nothing */
    if (out->E >= out->E1) out->E = c->L - out->E1;
    else out->E1 = c->L - out->E;
    out->evals = evals;
    return status;
}
