/* ts_stable_series.c: the stable law's tail series and its series around
 * x1 = 0 (see ts_stable_series.h), with per-law coefficients.
 *
 * Tail series (Zolotarev 1986, sec. 2.4; Bergstrom 1952), x1 -> +inf,
 * alpha != 1, gamma = sqrt(1 + zeta^2), M = Mplus:
 *   f(x1)     = (1/pi) sum_k gamma^k Gamma(k alpha + 1) / k! sin(k M) x1^(-k alpha - 1),
 *   1 - F(x1) = (1/pi) sum_k gamma^k Gamma(k alpha) / k! sin(k M) x1^(-k alpha),
 * whose first term is alpha c_alpha (1 + beta) x1^(-alpha - 1). It
 * converges for alpha < 1 and is asymptotic for alpha > 1. Used when its
 * terms fall below 1e-17 of the first within 80 terms while still
 * decreasing (for alpha > 1 also r = gamma x1^-alpha < 1/2), and the sums
 * cancel by at most two digits (TAIL_CANCEL): then it is good to ~1e-14.
 *
 * Series around x1 = 0 (alpha > 1): expanding e^(-i u x1) under
 * f = (1/pi) Re int_0^inf e^(-i u x1) exp(-gamma e^(i eta) u^alpha) du,
 * eta = atan(zeta), term by term (the contour rotation is valid since
 * |eta| < pi/2):
 *   f(x1) = (1/(pi alpha)) sum_k x1^k / k! Gamma((k + 1)/alpha) gamma^(-(k+1)/alpha)
 *           cos(pi k / 2 + eta (k + 1) / alpha),
 * F(x1) = F(0) + its term-by-term integral, F(0) = (pi/2 - theta0)/pi. It
 * converges everywhere for alpha > 1 (the coefficients fall like
 * k^(-k (1 - 1/alpha))) but cancels as |x1| grows: used when the sum of the
 * terms' moduli is at most ZERO_CANCEL = 100 times the result (so at most ~2 digits
 * lost) after the terms have fallen below 1e-17 of it. */
#include "ts_stable_series.h"

/* The series around zeta is used where the sum of its terms' moduli is at
 * most this many times the result: ~2 digits of cancellation, so ~3e-14. */
#define ZERO_CANCEL 100.0
/* and the tail series where its sums are at least 1/TAIL_CANCEL of the sums
 * of their terms' moduli */
#define TAIL_CANCEL 100.0

#include <complex.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <string.h>

/* ---- tail series ------------------------------------------------------------ */

static void tail_fill(ts_tail_series *t, int upto)
{
    if (upto > TS_TAIL_TERMS) upto = TS_TAIL_TERMS;
    double a = t->alpha;
    for (int k = t->nk; k < upto; k++) {
        int n = k + 1;                    /* term number */
        double lk = lgamma(n + 1.0);
        double bp = lgamma(n * a + 1.0) - t->lead_p - lk;
        double bq = lgamma(n * a) - t->lead_q - lk;
        /* sin(n M) / sin M, from the smaller of M and pi - M:
         * sin(n (pi - Mc)) = (-1)^(n+1) sin(n Mc) */
        double sk = t->Mplus <= M_PI_2 ? sin(n * t->Mplus) / t->sM
                                       : (n % 2 ? 1.0 : -1.0) * sin(n * t->Mc) / t->sM;
        t->cp[k] = exp(bp) * sk;
        t->cq[k] = exp(bq) * sk;
        t->env[k] = exp(fmax(bp, bq)) * n;   /* |sin(n M) / sin M| <= n */
    }
    if (upto > t->nk) t->nk = upto;
}

void ts_tail_series_init(ts_tail_series *t, double alpha, double Mplus, double Mc, double log_cos_atheta0)
{
    memset(t, 0, sizeof *t);
    t->alpha = alpha;
    t->Mplus = Mplus;
    t->Mc = Mc;
    t->sM = Mplus <= M_PI_2 ? sin(Mplus) : sin(Mc);
    t->log_gam = -log_cos_atheta0;
    t->lead_p = lgamma(alpha + 1.0);
    t->lead_q = lgamma(alpha);
    t->lr_max = -INFINITY;
    if (!(t->sM > 1e-200)) return;         /* light side: no power tail */
    /* r = gamma x1^-alpha: the series can reach 1e-17 only if some term
     * env_k r^(k-1) does, i.e. log r <= max_k (log 1e-17 - log env_k)/(k - 1);
     * the last coefficient's bound is a cheap, slightly pessimistic proxy */
    double n = TS_TAIL_TERMS;
    double lenv = fmax(lgamma(n * alpha + 1.0) - t->lead_p, lgamma(n * alpha) - t->lead_q) - lgamma(n + 1.0)
                  + log(n);
    t->lr_max = (log(1e-17) - lenv) / (n - 1.0);
    /* alpha > 1: asymptotic, and only where it turns late (r < 1/2);
     * alpha < 1 converges everywhere, and the cancellation test guards it */
    if (alpha > 1.0) t->lr_max = fmin(-0.7, t->lr_max);
}

int ts_tail_series_eval(ts_tail_series *t, double x1, double *lscale, double *mult, double *Q)
{
    if (!(t->sM > 1e-200) || !(x1 > 0.0) || !isfinite(x1)) return 0;
    double lx = log(x1), lg = t->log_gam - t->alpha * lx;     /* log r */
    if (!(lg <= t->lr_max)) return 0;
    double r = exp(lg);
    double sp = 1.0, sq = 1.0, ap = 1.0, aq = 1.0, rk = 1.0, prev = INFINITY;
    int conv = 0;
    for (int k = 1; k < TS_TAIL_TERMS; k++) {
        if (k >= t->nk) tail_fill(t, k + 16);
        rk *= r;
        double tp = t->cp[k] * rk, tq = t->cq[k] * rk, bound = t->env[k] * rk;
        sp += tp; sq += tq; ap += fabs(tp); aq += fabs(tq);
        if (bound > prev) return 0;        /* the asymptotic series turns */
        prev = bound;
        if (bound < 1e-17) { conv = 1; break; }
    }
    if (!conv || !(ap <= TAIL_CANCEL * sp) || !(aq <= TAIL_CANCEL * sq)) return 0;
    double lw = log(t->sM) - log(M_PI);
    *lscale = lg - lx + t->lead_p + lw;
    *mult = sp;
    *Q = exp(lg + t->lead_q + lw) * sq;
    return 1;
}

/* ---- series around x1 = 0 -------------------------------------------------------- */

static double zero_lmag(const ts_zero_series *z, int k)
{
    double a = z->alpha, lgam = 0.5 * log1p(z->zeta * z->zeta);
    return lgamma((k + 1.0) / a) - lgamma(k + 1.0) - log(M_PI * a) - (k + 1.0) / a * lgam;
}

static void zero_fill(ts_zero_series *z, int upto)
{
    if (upto > TS_ZERO_TERMS) upto = TS_ZERO_TERMS;
    double eta = atan(z->zeta);
    for (int k = z->nk; k < upto; k++) {
        /* cos(pi k/2 + phi) by k mod 4, phi = eta (k + 1) / alpha */
        double phi = eta * (k + 1.0) / z->alpha, cs;
        switch (k & 3) {
        case 0: cs = cos(phi); break;
        case 1: cs = -sin(phi); break;
        case 2: cs = -cos(phi); break;
        default: cs = sin(phi); break;
        }
        z->b[k] = exp(zero_lmag(z, k)) * cs;
    }
    if (upto > z->nk) z->nk = upto;
}

void ts_zero_series_init(ts_zero_series *z, double alpha, double beta, double zeta, double theta0)
{
    memset(z, 0, sizeof *z);
    z->alpha = alpha;
    z->beta = beta;
    z->zeta = zeta;
    z->theta0 = theta0;
    z->F0 = (M_PI_2 - theta0) / M_PI;
    z->Q0 = (M_PI_2 + theta0) / M_PI;
    /* where the last term is ~1e-18: beyond that the series cannot converge
     * within its terms (and would cancel long before) */
    int k = TS_ZERO_TERMS - 1;
    z->radius = alpha > 1.0 ? exp((log(1e-18) - zero_lmag(z, k)) / k) : 0.0;
}

int ts_zero_series_eval(ts_zero_series *z, double x1, int want, double *f, double *F, double *Q)
{
    if (!(fabs(x1) < z->radius)) return 0;
    double sf = 0.0, af = 0.0, sc = 0.0, ac = 0.0, xk = 1.0;
    int small = 0, conv = 0;
    for (int k = 0; k < TS_ZERO_TERMS; k++) {
        if (k >= z->nk) zero_fill(z, k + 16);
        double t = z->b[k] * xk;
        sf += t; af += fabs(t);
        double tc = t * x1 / (k + 1.0);
        sc += tc; ac += fabs(tc);
        double mag = fabs(z->b[k]) * fabs(xk);
        /* two small terms in a row (a single cosine may vanish by accident) */
        int okf = !(want & 1) || mag < 1e-17 * fabs(sf);
        int okc = !(want & 2) || fabs(tc) <= 1e-17 * fmin(z->F0 + sc, z->Q0 - sc);
        if (k > 2 && okf && okc) {
            if (small) { conv = 1; break; }
            small = 1;
        } else {
            small = 0;
        }
        xk *= x1;
    }
    if (!conv) return 0;
    if ((want & 1) && !(af <= ZERO_CANCEL * sf)) return 0;
    double Fv = z->F0 + sc, Qv = z->Q0 - sc;
    if ((want & 2) && !(ac + 1e-300 <= ZERO_CANCEL * fmin(Fv, Qv))) return 0;
    *f = sf;
    *F = Fv;
    *Q = Qv;
    return 1;
}

/* ---- alpha = 1 ------------------------------------------------------------------- */

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
 * when used, with f = exp(*lscale) * (*mult) and 1 - F = *Q. */
enum { A1N = 26 };

int ts_alpha1_series(double beta, double x, double *lscale, double *mult, double *Q)
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
    /* psi^(m)(n) with n >= 1, m >= 0: always in GSL's domain, so no error
     * handler is involved (and none is switched: that is process-global) */
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
    if (!conv || !(creal(sf) > 0.5 * arf) || !(creal(sq) > 0.5 * arq)) return 0;
    *lscale = -log(M_PI) - 2.0 * Lx;
    *mult = creal(sf);
    *Q = creal(sq) * ix / M_PI;
    return 1;
}
