/* ts_stable_mle.c: maximum-likelihood fit of an alpha-stable law (see
 * ts_stable_fit.h), on the fast density of ts_stable_fast.h.
 *
 * The likelihood is maximised in Nolan's S0, where the law is a location-
 * scale family smooth in (alpha, beta) through alpha = 1; S1's location is
 * computed at the end. Nelder-Mead (GSL nmsimplex2) works on unbounded
 * coordinates mapped onto the bounds,
 *   alpha = A_LO + (2 - A_LO) / (1 + exp(-a)),  beta = tanh(b),
 *   scale = s0 exp(c),  loc = m0 + s0 m,
 * with (m0, s0) the start's location and scale, so every coordinate is O(1)
 * and the simplex's size is a sensible stopping rule. Each evaluation
 * builds one density table (~0.2 ms for alpha >= 1.2) and sums n
 * interpolations (~15 ns each), so a 4-D simplex (a few hundred evaluations)
 * is cheaper than profiling (scale, loc) out, at every n.
 *
 * Below alpha = A_FAST (0.6) the FFT table is either impossible (alpha <
 * 0.5: the peak is too sharp for a uniform grid) or dearer than the
 * accurate density (a 0.5 table takes ~30 ms, 1000 accurate log-densities
 * ~8 ms), so the likelihood there is summed from ts_stable_eval_vec
 * (Nolan's integral and series, ~1e-13): the fit reaches down to
 * alpha = 0.05 (TS_FIT_MLE_ALPHA_MIN; so alpha = 0.1 is well inside), at
 * 1-10 us per point and evaluation.
 * The two densities differ by ~1e-9 in log f, far below anything the simplex
 * or the sampling error can see.
 *
 * Below alpha 0.5 the density is a spike at x = zeta whose height grows
 * like Gamma(1 + 1/alpha) (10^6 at alpha = 0.1): the location is then pinned
 * to ~1e-8 scale, and it is kept as S1's location (the spike's own) in
 * units of the spike's width, started at the data's half-sample mode (see
 * unpack and loc_unit).
 *
 * Standard errors: the observed information, minus the Hessian of the
 * log-likelihood in (alpha, beta, scale, loc) by central differences with
 * steps of ~0.3 standard errors (estimated from n), inverted by Cholesky;
 * the other parameterisation's location by the delta method through
 * loc1 = loc0 - beta scale tan(pi alpha / 2). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_dist.h"
#include "tailsweep/ts_stable_fast.h"
#include "tailsweep/ts_stable_fit.h"
#include "ts_fit_sample.h"

#define A_LO TS_FIT_MLE_ALPHA_MIN
#define A_FAST 0.6       /* the FFT table at and above this alpha              */
#define A_CLAMP 30.0     /* |a| <= 30: alpha stays 1.4e-13 below 2          */
#define B_CLAMP 15.0     /* |b| <= 15: |beta| <= 1 - 1.9e-13, never exactly 1 */
#define NM_TOL 1e-6      /* simplex size in the unbounded coordinates        */
#define NM_MAXIT 4000
#define NM_RESTARTS 3
#define A_EXIT (-6.0)    /* a below this: alpha < A_LO + 0.004, the fit is at its bound */

typedef struct {
    const double *x;
    double *buf;         /* n log-densities (the accurate path)              */
    size_t n;
    double m0, s0;
    double rho;          /* loc's unit: scale times the peak's width (< 1 below alpha 0.5) */
    int s1;              /* the location coordinate is S1's (small alpha; see unpack) */
    ts_status st;        /* first failure inside the objective */
    ts_err err;
    int evals;
} mle_ctx;

static double logistic(double a) { return 1.0 / (1.0 + exp(-a)); }

/* The location's natural unit, relative to the scale: the width of the
 * density's peak, ~1/Gamma(1 + 1/alpha) (the peak height is ~Gamma(1 +
 * 1/alpha)/pi). It is 1 for alpha >= 0.5 but 5e-7 at alpha = 0.1, whose
 * likelihood moves by ~5 when the location moves by 1e-6 scale: the simplex
 * and the Hessian's steps work in this unit. */
static double loc_unit(double alpha)
{
    return fmin(1.0, 2.0 / tgamma(1.0 + 1.0 / fmax(alpha, A_LO)));
}

/* S0 location from S1's: loc0 = loc1 + beta scale tan(pi alpha / 2), tan as
 * -cot(pi (alpha - 1)/2) for full precision near alpha = 1 (alpha != 1). */
static double tan_half_pi(double alpha) { return -1.0 / tan(M_PI_2 * (alpha - 1.0)); }

/* The parameters from the simplex's coordinates. The location coordinate is
 * S0's, except when the start has alpha < 0.5 (c->s1): there the density is
 * a spike at x1 = 0 (x = zeta in S0, the spike's height ~Gamma(1 + 1/alpha))
 * whose S0 position moves with beta by ~scale tan(pi alpha / 2) per unit,
 * thousands of spike widths; in S1's location the spike stays put as beta
 * moves, so the coordinates are nearly independent. th[3] is S0's either way. */
static void unpack(const mle_ctx *c, const double v[4], double th[4])
{
    double a = fmax(-A_CLAMP, fmin(A_CLAMP, v[0])), b = fmax(-B_CLAMP, fmin(B_CLAMP, v[1]));
    th[0] = A_LO + (2.0 - A_LO) * logistic(a);
    th[1] = tanh(b);
    th[2] = c->s0 * exp(v[2]);
    th[3] = c->m0 + c->s0 * c->rho * v[3];
    if (c->s1 && th[0] != 1.0) th[3] += th[1] * th[2] * tan_half_pi(th[0]);
}

/* The half-sample mode (Bickel and Fruhwirth 2006) of x: the centre of the
 * shortest interval holding half the points, halved again until 2 or 3
 * remain. Robust, and next to a spike far more precise than the median.
 * Sorts a copy; 0 and the median's fallback on allocation failure. */
static int half_sample_mode(const double *x, size_t n, double *mode)
{
    double *s = malloc(n * sizeof *s);
    if (!s) return 0;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, ts_fit_cmp);
    size_t lo = 0, m = n;
    while (m > 3) {
        size_t h = (m + 1) / 2, best = lo;
        double w = INFINITY;
        for (size_t i = lo; i + h <= lo + m; i++)
            if (s[i + h - 1] - s[i] < w) {
                w = s[i + h - 1] - s[i];
                best = i;
            }
        lo = best;
        m = h;
    }
    if (m == 3) *mode = s[lo + 1] - s[lo] < s[lo + 2] - s[lo + 1] ? 0.5 * (s[lo] + s[lo + 1])
                                                                   : 0.5 * (s[lo + 1] + s[lo + 2]);
    else *mode = m == 2 ? 0.5 * (s[lo] + s[lo + 1]) : s[lo];
    free(s);
    return 1;
}

/* The log-likelihood at S0 parameters (alpha, beta, scale, loc): the FFT
 * table at alpha >= A_FAST, else the accurate density. NaN (with c->st set
 * for out-of-memory) if it cannot be had. */
static double loglik(mle_ctx *c, double alpha, double beta, double scale, double loc)
{
    ts_err e = { 0 };
    if (alpha >= A_FAST) {
        ts_stable_fast *d = ts_stable_fast_alloc(alpha, beta, TS_S0, &e);
        if (!d) {
            /* out of memory stops the fit; a law whose table cannot be built
             * (not expected inside the bounds) is just a point to avoid */
            if (e.code == TS_ENOMEM && !c->st) {
                c->st = e.code;
                c->err = e;
            }
            return NAN;
        }
        double ll = ts_stable_fast_loglik(d, c->n, c->x, scale, loc);
        ts_stable_fast_free(d);
        return ll;
    }
    ts_stable law;
    if (ts_stable_init(&law, alpha, beta, scale, loc, TS_S0, &e)) return NAN;
    if (ts_stable_eval_vec(&law, TS_STABLE_LOGPDF, c->n, c->x, c->buf, NULL, &e)) return NAN;
    double ll = 0.0;
    for (size_t i = 0; i < c->n; i++) ll += c->buf[i];
    return ll;
}

/* -(1/n) log-likelihood at S0 parameters th; 1e300 if it cannot be had
 * (GSL's simplex aborts on non-finite values). */
static double negll(mle_ctx *c, const double th[4])
{
    c->evals++;
    double v = -loglik(c, th[0], th[1], th[2], th[3]) / (double)c->n;
    return isfinite(v) ? v : 1e300;
}

static double objective(const gsl_vector *v, void *p)
{
    mle_ctx *c = p;
    double th[4], w[4];
    for (int i = 0; i < 4; i++) w[i] = gsl_vector_get(v, i);
    unpack(c, w, th);
    return negll(c, th);
}

/* One Nelder-Mead run from v with initial steps step; v gets the best point. */
static int simplex(mle_ctx *c, double v[4], const double step[4], double *fbest)
{
    const gsl_multimin_fminimizer_type *T = gsl_multimin_fminimizer_nmsimplex2;
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(T, 4);
    gsl_vector *x = gsl_vector_alloc(4), *ss = gsl_vector_alloc(4);
    if (!s || !x || !ss) {
        if (s) gsl_multimin_fminimizer_free(s);
        if (x) gsl_vector_free(x);
        if (ss) gsl_vector_free(ss);
        return -1;
    }
    gsl_multimin_function F = { objective, 4, c };
    for (int i = 0; i < 4; i++) {
        gsl_vector_set(x, i, v[i]);
        gsl_vector_set(ss, i, step[i]);
    }
    int it = 0, rc = gsl_multimin_fminimizer_set(s, &F, x, ss);
    while (!rc && it < NM_MAXIT && !c->st) {
        it++;
        if (gsl_multimin_fminimizer_iterate(s)) break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), NM_TOL) == GSL_SUCCESS) break;
        /* heading for alpha = A_LO: the logistic map only reaches it at
         * a = -inf, where the simplex would crawl for thousands of costly
         * steps; stop and say so */
        if (gsl_vector_get(s->x, 0) < A_EXIT) break;
    }
    for (int i = 0; i < 4; i++) v[i] = gsl_vector_get(s->x, i);
    *fbest = s->fval;
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    return it;
}

/* Log-likelihood on a 3^4 stencil around th, one density table per
 * (alpha, beta) node, built when first needed (above A_FAST; below, each
 * value is a pass of the accurate density). */
typedef struct {
    mle_ctx *c;
    double th[4], h[4];
    int fast;                       /* every alpha node >= A_FAST */
    ts_stable_fast *tab[3][3];
    double val[3][3][3][3];
    int have[3][3][3][3];
} hess_ctx;

static ts_status stencil(hess_ctx *H, int i, int j, int k, int l, double *out, ts_err *err)
{
    if (!H->have[i][j][k][l]) {
        double a = H->th[0] + (i - 1) * H->h[0], b = H->th[1] + (j - 1) * H->h[1];
        double s = H->th[2] + (k - 1) * H->h[2], m = H->th[3] + (l - 1) * H->h[3];
        if (H->c->s1 && a != 1.0) m += b * s * tan_half_pi(a);   /* th[3] is S1's: to S0 */
        if (H->fast) {
            if (!H->tab[i][j]) {
                H->tab[i][j] = ts_stable_fast_alloc(a, b, TS_S0, err);
                if (!H->tab[i][j]) return err ? err->code : TS_ENOMEM;
            }
            H->val[i][j][k][l] = ts_stable_fast_loglik(H->tab[i][j], H->c->n, H->c->x, s, m);
        } else {
            H->val[i][j][k][l] = loglik(H->c, a, b, s, m);
        }
        H->have[i][j][k][l] = 1;
    }
    *out = H->val[i][j][k][l];
    return TS_OK;
}

/* Observed-information standard errors of (alpha, beta, scale, loc0) at th,
 * and the covariance (for S1's location). NaN where they cannot be had
 * (estimate on a bound, information not positive definite). */
/* Observed-information standard errors at th from the stencil with steps
 * h (clipped inside the bounds); NaN where they cannot be had. */
static ts_status hessian_se(mle_ctx *c, const double th[4], const double h0[4], double se[4], double cov[4][4],
                            ts_err *err)
{
    for (int i = 0; i < 4; i++) {
        se[i] = NAN;
        for (int j = 0; j < 4; j++) cov[i][j] = NAN;
    }
    double rn = 1.0 / sqrt((double)c->n);
    hess_ctx *H = calloc(1, sizeof *H);
    if (!H) return ts_err_set(err, TS_ENOMEM, "mle: out of memory for the Hessian");
    H->c = c;
    memcpy(H->th, th, sizeof H->th);
    memcpy(H->h, h0, sizeof H->h);
    /* inside the bounds (strictly: the table needs beta in [-1, 1]) */
    int ok = 1;
    if (th[0] + H->h[0] > 2.0) H->h[0] = 0.5 * (2.0 - th[0]);
    if (th[0] - H->h[0] < A_LO) H->h[0] = 0.5 * (th[0] - A_LO);
    if (fabs(th[1]) + H->h[1] > 1.0) H->h[1] = 0.5 * (1.0 - fabs(th[1]));
    if (H->h[0] < 1e-4 * rn * fmin(1.0, th[0]) || H->h[1] < 1e-4 * rn) ok = 0;   /* on a bound */
    H->fast = th[0] - H->h[0] >= A_FAST;      /* one density for the whole stencil */
    ts_status st = TS_OK;
    double g[4][4];
    if (ok) {
        double f0;
        st = stencil(H, 1, 1, 1, 1, &f0, err);
        for (int p = 0; p < 4 && !st; p++) {
            for (int q = p; q < 4 && !st; q++) {
                int ix[4] = { 1, 1, 1, 1 };
                double fpp, fpm, fmp, fmm;
                if (p == q) {
                    ix[p] = 2;
                    st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fpp, err);
                    ix[p] = 0;
                    if (!st) st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fmm, err);
                    g[p][p] = (fpp - 2.0 * f0 + fmm) / (H->h[p] * H->h[p]);
                    continue;
                }
                ix[p] = 2; ix[q] = 2;
                st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fpp, err);
                ix[q] = 0;
                if (!st) st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fpm, err);
                ix[p] = 0; ix[q] = 2;
                if (!st) st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fmp, err);
                ix[q] = 0;
                if (!st) st = stencil(H, ix[0], ix[1], ix[2], ix[3], &fmm, err);
                g[p][q] = g[q][p] = (fpp - fpm - fmp + fmm) / (4.0 * H->h[p] * H->h[q]);
            }
        }
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) ts_stable_fast_free(H->tab[i][j]);
    free(H);
    if (st || !ok) return st;
    /* covariance = (-g)^-1 by Cholesky; not positive definite: NaN */
    gsl_matrix *I = gsl_matrix_alloc(4, 4);
    if (!I) return ts_err_set(err, TS_ENOMEM, "mle: out of memory for the Hessian");
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) gsl_matrix_set(I, i, j, -g[i][j]);
    int bad = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) bad |= !isfinite(g[i][j]);
    if (!bad && gsl_linalg_cholesky_decomp1(I) == GSL_SUCCESS && gsl_linalg_cholesky_invert(I) == GSL_SUCCESS) {
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) cov[i][j] = gsl_matrix_get(I, i, j);
            se[i] = cov[i][i] > 0 ? sqrt(cov[i][i]) : NAN;
        }
    }
    gsl_matrix_free(I);
    return TS_OK;
}

/* Observed-information standard errors of (alpha, beta, scale, loc) at th,
 * and the covariance (for the other location). The stencil's steps are
 * ~0.3 asymptotic standard errors (at alpha >= 1; from n): the truncation
 * O(h^2) stays well below the sampling error, and the density's ~1e-9
 * error (times n, over h^2) is negligible against n times the information.
 * For alpha < 1 they are larger than that in alpha, but not shrunk: there
 * the likelihood is rough on small scales (a few points next to the spike
 * dominate it), and the wider stencil's curvature is the one that matches
 * the spread of the estimates (alpha 0.5: mean standard error 0.0154, root
 * mean square error 0.0140 over 60 replicates of n = 1000). */
static ts_status std_errors(mle_ctx *c, const double th[4], double se[4], double cov[4][4], ts_err *err)
{
    double rn = 1.0 / sqrt((double)c->n);
    double h[4] = { 0.5 * rn, 0.8 * rn, 0.3 * th[2] * rn, 0.5 * th[2] * loc_unit(th[0]) * rn };
    return hessian_se(c, th, h, se, cov, err);
}

ts_status ts_fit_mle(const double *x, size_t n, ts_stable_param param, int want_se, ts_stable_fit *out,
                     double se[4], ts_err *err)
{
    memset(out, 0, sizeof *out);
    if (se)
        for (int i = 0; i < 4; i++) se[i] = NAN;
    if (param != TS_S0 && param != TS_S1)
        return ts_err_set(err, TS_EINVAL, "mle: parameterisation %d is neither S0 nor S1", (int)param);
    if (want_se && !se) return ts_err_set(err, TS_EINVAL, "mle: standard errors asked for but se is NULL");
    /* the start; it also rejects empty, short, non-finite and constant data */
    ts_stable_fit k;
    ts_status st = ts_fit_koutrouvelis(x, n, TS_S0, &k, err);
    if (st) return st;
    mle_ctx c = { .x = x, .n = n, .m0 = k.loc, .s0 = k.scale, .rho = loc_unit(k.alpha) };
    if (c.rho < 1.0) {
        /* A spike this sharp pins the location far below the regression's
         * precision: the location is S1's (see unpack), started at the
         * spike, the data's half-sample mode. */
        double mode;
        c.s1 = 1;
        c.m0 = half_sample_mode(x, n, &mode) ? mode : k.loc - k.beta * k.scale * tan_half_pi(k.alpha);
    }
    c.buf = malloc(n * sizeof *c.buf);
    if (!c.buf) return ts_err_set(err, TS_ENOMEM, "mle: out of memory for %zu log-densities", n);
    double a0 = fmin(1.98, fmax(A_LO + (c.s1 ? 0.01 : 0.05), k.alpha)), b0 = fmin(0.95, fmax(-0.95, k.beta));
    double v[4] = { log((a0 - A_LO) / (2.0 - a0)), atanh(b0), 0.0, 0.0 };
    double step[4] = { 0.3, 0.3, 0.1, 0.1 }, f = INFINITY, fprev;
    int iters = 0;
    /* GSL's error handler (process-global) is off while we run: a failed
     * allocation inside GSL must come back as a status, not an abort */
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    /* restart from the best point until a run gains nothing: Nelder-Mead
     * can stall on a degenerate simplex, and a fresh one costs little */
    for (int r = 0; r <= NM_RESTARTS; r++) {
        fprev = f;
        int it = simplex(&c, v, step, &f);
        if (it < 0) {
            gsl_set_error_handler(old);
            free(c.buf);
            return ts_err_set(err, TS_ENOMEM, "mle: out of memory for the simplex");
        }
        iters += it;
        if (c.st || v[0] < A_EXIT || (r > 0 && fprev - f < 1e-10)) break;
        for (int i = 0; i < 4; i++) step[i] *= 0.3;
    }
    gsl_set_error_handler(old);
    if (c.st) {
        free(c.buf);
        if (err) *err = c.err;
        return c.st;
    }
    if (!(f < 1e299)) {
        free(c.buf);
        return ts_err_set(err, TS_ENUMERIC, "mle: the likelihood could not be evaluated near the start "
                          "(alpha %g, beta %g)", k.alpha, k.beta);
    }
    double th[4];
    unpack(&c, v, th);
    out->alpha = th[0];
    out->beta = th[1];
    out->scale = th[2];
    out->loc = th[3];
    out->param = param;
    out->iterations = iters;
    double cov[4][4] = { { 0 } };
    int at_bound = v[0] < A_EXIT;
    want_se = want_se && !at_bound;   /* no information on a bound: se stays NaN */
    /* the information is taken in the simplex's own location coordinate
     * (S0's, or S1's when c.s1), then carried to the one asked for */
    double a = th[0], b = th[1], s = th[2], d = a - 1.0;
    double t = fabs(d) < 1e-12 ? 0.0 : tan_half_pi(a);
    double loc1 = fabs(d) < 1e-12 ? th[3] - b * M_2_PI * s * log(s) : th[3] - b * s * t;
    if (want_se) {
        double thn[4] = { th[0], th[1], th[2], c.s1 ? loc1 : th[3] };
        old = gsl_set_error_handler_off();
        st = std_errors(&c, thn, se, cov, err);
        gsl_set_error_handler(old);
        if (st) {
            free(c.buf);
            return st;
        }
    }
    if (param == TS_S1) out->loc = loc1;
    if ((param == TS_S1) != c.s1 && want_se) {
        /* S1 from S0: loc1 = loc0 - beta scale tan(pi alpha / 2); S0 from S1
         * the other way round. At alpha = 1 the (2/pi) beta scale log(scale)
         * form, whose alpha derivative is left out (not defined there). */
        double J[4], sg = c.s1 ? 1.0 : -1.0;
        if (fabs(d) < 1e-12) {
            J[0] = 0.0;
            J[1] = sg * M_2_PI * s * log(s);
            J[2] = sg * b * M_2_PI * (log(s) + 1.0);
        } else {
            J[0] = sg * b * s * M_PI_2 * (1.0 + t * t);
            J[1] = sg * s * t;
            J[2] = sg * b * t;
        }
        J[3] = 1.0;
        double v1 = 0.0;
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) v1 += J[i] * cov[i][j] * J[j];
        se[3] = v1 >= 0 ? sqrt(v1) : NAN;
    }
    free(c.buf);
    if (at_bound)
        return ts_err_set(err, TS_ERANGE, "mle: the likelihood is largest at alpha = %g, the lower limit of "
                          "the fit (%g); the data are heavier-tailed than the fit supports",
                          out->alpha, A_LO);
    return TS_OK;
}
