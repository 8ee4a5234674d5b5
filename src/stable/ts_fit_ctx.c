/* ts_fit_ctx.c: stable MLE fits carried across a sequence of samples
 * (ts_fit_ctx.h): the warm-started simplex and the cached-table Newton
 * route, on the public fast density (ts_stable_fast.h) and, for the first
 * fit and every fallback, ts_fit_mle itself.
 *
 * Coordinates: (alpha, beta, scale, loc) in S0, where the law is a smooth
 * location-scale family in (alpha, beta) through alpha = 1. Both fast
 * routes work in units of steps h = (0.04, 0.1, 0.05 scale, 0.05 scale),
 * below the asymptotic standard errors at n = 1000 (~0.06 in alpha, ~0.1
 * in beta), so the table route's quadratic model puts the maximum within
 * ~0.002 of the cold fit's in alpha (measured: docs/gni.md); a grid twice
 * as fine built twice the tables for no gain in accuracy. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_fit_ctx.h"
#include "tailsweep/ts_stable_fast.h"

const char *const ts_fit_route_names[] = { "cold", "warm", "table", NULL };

#define H_ALPHA 0.04
#define H_BETA 0.1
#define H_SCALE 0.05       /* relative to the scale */
#define N_TABLES 64        /* cached (alpha, beta) nodes */
#define MAX_NEWTON 25
#define TRUST 4.0          /* a Newton step moves at most this many h per coordinate */
/* grid: alpha_i = 2 - i H_ALPHA (i = 0: the Gaussian), beta_j = j H_BETA */
#define I_MAX ((int)((2.0 - TS_STABLE_FAST_ALPHA_MIN) / H_ALPHA + 1e-9))
#define J_MAX ((int)(1.0 / H_BETA + 1e-9))

typedef struct {
    int i, j;
    ts_stable_fast *d;
    unsigned long long used;
} node;

struct ts_fit_ctx {
    ts_fit_route route;
    size_t subsample;
    double *sub;             /* the subsample buffer */
    int have;                /* a previous estimate */
    double th[4];            /* alpha, beta, scale, loc (S0) */
    node tab[N_TABLES];
    unsigned long long clock;
    ts_fit_ctx_counts counts;
};

ts_status ts_fit_ctx_alloc(ts_fit_route route, size_t subsample, ts_fit_ctx **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "fit context: out is NULL");
    *out = NULL;
    if ((unsigned)route > TS_FIT_ROUTE_TABLE)
        return ts_err_set(err, TS_EINVAL, "fit context: route %d is not cold (0), warm (1) or table (2)", (int)route);
    ts_fit_ctx *c = calloc(1, sizeof *c);
    if (!c) return ts_err_set(err, TS_ENOMEM, "fit context: out of memory");
    c->route = route;
    c->subsample = subsample;
    if (subsample && !(c->sub = malloc(subsample * sizeof *c->sub))) {
        free(c);
        return ts_err_set(err, TS_ENOMEM, "fit context: out of memory for a subsample of %zu", subsample);
    }
    *out = c;
    return TS_OK;
}

void ts_fit_ctx_free(ts_fit_ctx *c)
{
    if (!c) return;
    for (size_t k = 0; k < N_TABLES; k++) ts_stable_fast_free(c->tab[k].d);
    free(c->sub);
    free(c);
}

void ts_fit_ctx_reset(ts_fit_ctx *c) { c->have = 0; }

void ts_fit_ctx_get_counts(const ts_fit_ctx *c, ts_fit_ctx_counts *out) { *out = c->counts; }

void ts_fit_ctx_get_estimate(const ts_fit_ctx *c, int *have, double th[4])
{
    *have = c->have;
    memcpy(th, c->th, sizeof c->th);
}

void ts_fit_ctx_set_estimate(ts_fit_ctx *c, int have, const double th[4])
{
    c->have = have != 0;
    memcpy(c->th, th, sizeof c->th);
}

/* --- the table route -------------------------------------------------- */

static double node_alpha(int i) { return 2.0 - (double)i * H_ALPHA; }
static double node_beta(int j) { return (double)j * H_BETA; }

/* The table of node (i, j), built on first use; NULL if it cannot be. */
static const ts_stable_fast *table_at(ts_fit_ctx *c, int i, int j)
{
    node *slot = &c->tab[0];
    for (size_t k = 0; k < N_TABLES; k++) {
        node *e = &c->tab[k];
        if (e->d && e->i == i && e->j == j) {
            e->used = ++c->clock;
            return e->d;
        }
        if (!e->d || (slot->d && e->used < slot->used)) slot = e;
    }
    ts_stable_fast_free(slot->d);
    ts_err e = { 0 };
    slot->d = ts_stable_fast_alloc(node_alpha(i), node_beta(j), TS_S0, &e);
    slot->i = i;
    slot->j = j;
    slot->used = ++c->clock;
    if (slot->d) c->counts.tables_built++;
    return slot->d;
}

typedef struct {
    ts_fit_ctx *c;
    const double *x;
    size_t n;
    int ic, jc;              /* stencil centre node */
    double s, m, hs, hm;     /* scale and loc centre, their steps */
    int bad;
} model;

/* Log-likelihood at offsets (da, db in nodes, da > 0 towards larger alpha;
 * ds, dm in steps) from the centre. */
static double ll(model *q, int da, int db, int ds, int dm)
{
    const ts_stable_fast *d = table_at(q->c, q->ic - da, q->jc + db);
    if (!d) {
        q->bad = 1;
        return NAN;
    }
    q->c->counts.loglik_evals++;
    double v = ts_stable_fast_loglik(d, q->n, q->x, q->s + ds * q->hs, q->m + dm * q->hm);
    if (!isfinite(v)) q->bad = 1;
    return v;
}

static void offset(int k, int sign, int o[4])
{
    o[0] = o[1] = o[2] = o[3] = 0;
    o[k] = sign;
}

/* Gradient and Hessian of the log-likelihood in step units at the centre,
 * by central differences (33 evaluations, 9 tables). */
static void derivatives(model *q, double g[4], double H[4][4])
{
    double f0 = ll(q, 0, 0, 0, 0), fp[4], fm[4];
    int o[4];
    for (int k = 0; k < 4; k++) {
        offset(k, 1, o);
        fp[k] = ll(q, o[0], o[1], o[2], o[3]);
        offset(k, -1, o);
        fm[k] = ll(q, o[0], o[1], o[2], o[3]);
        g[k] = 0.5 * (fp[k] - fm[k]);
        H[k][k] = fp[k] - 2.0 * f0 + fm[k];
    }
    for (int k = 0; k < 4; k++)
        for (int l = k + 1; l < 4; l++) {
            double v[4];
            for (int s = 0; s < 4; s++) {
                int p[4] = { 0, 0, 0, 0 };
                p[k] = (s & 1) ? -1 : 1;
                p[l] = (s & 2) ? -1 : 1;
                v[s] = ll(q, p[0], p[1], p[2], p[3]);
            }
            H[k][l] = H[l][k] = 0.25 * (v[0] - v[1] - v[2] + v[3]);
        }
}

/* Newton step u = -H^-1 g over the free coordinates (free[k]); 0 if the
 * model is not concave there. */
static int newton(const double g[4], double H[4][4], const int free_[4], double u[4])
{
    int idx[4], m = 0;
    for (int k = 0; k < 4; k++) {
        u[k] = 0.0;
        if (free_[k]) idx[m++] = k;
    }
    if (m == 0) return 1;
    gsl_matrix *A = gsl_matrix_alloc((size_t)m, (size_t)m);
    gsl_vector *b = gsl_vector_alloc((size_t)m);
    int ok = A && b;
    for (int r = 0; ok && r < m; r++) {
        gsl_vector_set(b, (size_t)r, g[idx[r]]);
        for (int s = 0; s < m; s++) gsl_matrix_set(A, (size_t)r, (size_t)s, -H[idx[r]][idx[s]]);
    }
    ok = ok && gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS && gsl_linalg_cholesky_svx(A, b) == GSL_SUCCESS;
    for (int r = 0; ok && r < m; r++) u[idx[r]] = gsl_vector_get(b, (size_t)r);
    if (A) gsl_matrix_free(A);
    if (b) gsl_vector_free(b);
    return ok;
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The step u (in h units from the stencil centre (ac, bc) for alpha and
 * beta) that maximises the quadratic model within the bounds alpha <= 2,
 * alpha >= lo, |beta| <= 1. A coordinate the model cannot determine (not
 * concave along it: beta when alpha is ~2, both for a few dozen values) is
 * held at its current value (a, b); one the maximiser would push past its
 * bound is held there. fixed[k]: 0 free, 1 held at its value, 2 at a bound.
 * Returns 0 if no such step exists. */
static int bounded_step(const double g[4], double H[4][4], double ac, double bc, double a, double b, double u[4],
                        int fixed[4])
{
    static const int holds[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };   /* (alpha, beta) held */
    const double lo = TS_STABLE_FAST_ALPHA_MIN + H_ALPHA;
    for (int h = 0; h < 4; h++) {
        int fr[4] = { !holds[h][0], !holds[h][1], 1, 1 };
        double at[2] = { (a - ac) / H_ALPHA, (b - bc) / H_BETA };
        for (int pass = 0; pass < 3; pass++) {
            if (!newton(g, H, fr, u)) break;
            for (int k = 0; k < 2; k++)
                if (!fr[k]) u[k] = at[k];
            /* with held coordinates the rest are conditional maximisers: the
             * Newton system over the free ones, shifted by the held offsets */
            if (!fr[0] || !fr[1]) {
                double g2[4];
                for (int r = 0; r < 4; r++) {
                    g2[r] = g[r];
                    for (int k = 0; k < 2; k++)
                        if (!fr[k]) g2[r] += H[r][k] * u[k];
                }
                double keep[2] = { u[0], u[1] };
                if (!newton(g2, H, fr, u)) break;
                for (int k = 0; k < 2; k++)
                    if (!fr[k]) u[k] = keep[k];
            }
            double an = ac + u[0] * H_ALPHA, bn = bc + u[1] * H_BETA;
            int moved = 0;
            if (fr[0] && (an > 2.0 || an < lo)) {
                fr[0] = 0;
                at[0] = ((an > 2.0 ? 2.0 : lo) - ac) / H_ALPHA;
                moved = 1;
            }
            if (fr[1] && fabs(bn) > 1.0) {
                fr[1] = 0;
                at[1] = (copysign(1.0, bn) - bc) / H_BETA;
                moved = 1;
            }
            if (moved) continue;
            for (int k = 0; k < 4; k++) fixed[k] = fr[k] ? 0 : 1;
            for (int k = 0; k < 2; k++)
                if (!fr[k] && !holds[h][k]) fixed[k] = 2;
            /* held at a value that is itself a bound: on the bound */
            if (fixed[0] == 1 && a > 2.0 - 1e-9) fixed[0] = 2;
            if (fixed[1] == 1 && fabs(b) > 1.0 - 1e-9) fixed[1] = 2;
            return 1;
        }
    }
    return 0;
}

/* Newton iterations from the previous estimate; 0 if the route gives up. */
static int table_fit(ts_fit_ctx *c, const double *x, size_t n, double th[4])
{
    double a = c->th[0], b = c->th[1];
    model q = { .c = c, .x = x, .n = n, .s = c->th[2], .m = c->th[3] };
    /* the shape from the previous fit, the scale and location from this
     * sample's quantiles (McCulloch, O(n)): a layer's noise changes its
     * scale from step to step far more than its shape */
    ts_stable_fit mc;
    ts_err e = { 0 };
    if (!ts_fit_mcculloch(x, n, TS_S0, &mc, &e) && mc.scale > 0 && isfinite(mc.loc)) {
        q.s = mc.scale;
        q.m = mc.loc;
    }
    for (int it = 0; it < MAX_NEWTON; it++) {
        /* the stencil's nodes stay inside alpha in [A_MIN, 2], beta in [-1, 1] */
        q.ic = clampi((int)lround((2.0 - a) / H_ALPHA), 1, I_MAX - 1);
        q.jc = clampi((int)lround(b / H_BETA), -J_MAX + 1, J_MAX - 1);
        q.hs = q.hm = H_SCALE * q.s;
        q.bad = 0;
        double g[4], H[4][4], u[4];
        int fixed[4];
        derivatives(&q, g, H);
        c->counts.newton_steps++;
        if (q.bad) return 0;
        /* in h units: alpha = alpha_c + u0 H_ALPHA, beta = beta_c + u1 H_BETA */
        const double ac = node_alpha(q.ic), bc = node_beta(q.jc);
        if (!bounded_step(g, H, ac, bc, a, b, u, fixed)) return 0;
        /* converged when the maximiser lies within half a step of the
         * stencil's centre in every coordinate not on a bound (one on its
         * bound counts when the stencil is the one next to the bound) */
        int inside = 1;
        for (int k = 0; k < 4; k++) {
            if (fixed[k] != 2) inside &= fabs(u[k]) <= 0.5;
            u[k] = fmax(-TRUST, fmin(TRUST, u[k]));
        }
        if (fixed[0] == 2) inside &= ac + u[0] * H_ALPHA > 1.9 ? q.ic == 1 : q.ic == I_MAX - 1;
        if (fixed[1] == 2) inside &= abs(q.jc) == J_MAX - 1;
        a = fmin(2.0, fmax(TS_STABLE_FAST_ALPHA_MIN + H_ALPHA, ac + u[0] * H_ALPHA));
        b = fmin(1.0, fmax(-1.0, bc + u[1] * H_BETA));
        double s_new = q.s + u[2] * q.hs;
        if (!(s_new > 0)) return 0;
        q.s = s_new;
        q.m += u[3] * q.hm;
        if (inside) {
            th[0] = a;
            th[1] = b;
            th[2] = q.s;
            th[3] = q.m;
            return 1;
        }
    }
    return 0;
}

/* --- the warm simplex ------------------------------------------------- */

typedef struct {
    ts_fit_ctx *c;
    const double *x;
    size_t n;
    double th0[4], h[4];
} warm_t;

static double warm_f(const gsl_vector *v, void *p)
{
    warm_t *w = p;
    double a = w->th0[0] + gsl_vector_get(v, 0) * w->h[0], b = w->th0[1] + gsl_vector_get(v, 1) * w->h[1];
    double s = w->th0[2] + gsl_vector_get(v, 2) * w->h[2], m = w->th0[3] + gsl_vector_get(v, 3) * w->h[3];
    if (!(a >= TS_STABLE_FAST_ALPHA_MIN && a <= 2.0 && fabs(b) <= 1.0 && s > 0)) return 1e300;
    ts_err e = { 0 };
    ts_stable_fast *d = ts_stable_fast_alloc(a, b, TS_S0, &e);
    if (!d) return 1e300;
    w->c->counts.tables_built++;
    w->c->counts.loglik_evals++;
    double f = -ts_stable_fast_loglik(d, w->n, w->x, s, m) / (double)w->n;
    ts_stable_fast_free(d);
    return isfinite(f) ? f : 1e300;
}

static int warm_fit(ts_fit_ctx *c, const double *x, size_t n, double th[4])
{
    warm_t w = { .c = c, .x = x, .n = n };
    memcpy(w.th0, c->th, sizeof w.th0);
    w.h[0] = H_ALPHA;
    w.h[1] = H_BETA;
    w.h[2] = w.h[3] = H_SCALE * c->th[2];
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 4);
    gsl_vector *v = gsl_vector_alloc(4), *step = gsl_vector_alloc(4);
    int ok = s && v && step;
    if (ok) {
        gsl_vector_set_zero(v);
        gsl_vector_set_all(step, 1.5);   /* ~0.5 standard errors at n = 1000 */
        gsl_multimin_function F = { warm_f, 4, &w };
        ok = gsl_multimin_fminimizer_set(s, &F, v, step) == GSL_SUCCESS;
        for (int it = 0; ok && it < 400; it++) {
            if (gsl_multimin_fminimizer_iterate(s)) break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 0.05) == GSL_SUCCESS) break;
        }
        ok = ok && s->fval < 1e299;
        for (int k = 0; ok && k < 4; k++) th[k] = w.th0[k] + gsl_vector_get(s->x, k) * w.h[k];
    }
    if (s) gsl_multimin_fminimizer_free(s);
    if (v) gsl_vector_free(v);
    if (step) gsl_vector_free(step);
    return ok;
}

/* --- the entry point -------------------------------------------------- */

ts_status ts_fit_ctx_fit(ts_fit_ctx *c, const double *x, size_t n, ts_stable_fit *out, ts_err *err)
{
    if (!c || !out) return ts_err_set(err, TS_EINVAL, "fit context: NULL context or output");
    const double *v = x;
    if (c->subsample && n > c->subsample) {
        for (size_t i = 0; i < c->subsample; i++) c->sub[i] = x[(size_t)((double)i * (double)n / (double)c->subsample)];
        v = c->sub;
        n = c->subsample;
    }
    c->counts.fits++;
    double th[4];
    int done = 0;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (c->have && c->route != TS_FIT_ROUTE_COLD)
        done = c->route == TS_FIT_ROUTE_TABLE ? table_fit(c, v, n, th) : warm_fit(c, v, n, th);
    /* the table route's first fit, and its retry when the previous estimate
     * led nowhere, start from McCulloch's quantile estimate (O(n)): a cold
     * MLE of a few dozen near-Gaussian values can take thousands of simplex
     * steps (~0.5 s) */
    if (!done && c->route == TS_FIT_ROUTE_TABLE) {
        ts_stable_fit mc;
        ts_err e = { 0 };
        if (!ts_fit_mcculloch(v, n, TS_S0, &mc, &e) && mc.scale > 0 && isfinite(mc.loc) &&
            mc.alpha >= TS_STABLE_FAST_ALPHA_MIN + H_ALPHA) {
            c->th[0] = fmin(2.0, mc.alpha);
            c->th[1] = fmax(-1.0, fmin(1.0, mc.beta));
            c->th[2] = mc.scale;
            c->th[3] = mc.loc;
            c->have = 1;
            done = table_fit(c, v, n, th);
        }
    }
    gsl_set_error_handler(old);
    if (done) {
        memset(out, 0, sizeof *out);
        out->alpha = th[0];
        out->beta = th[1];
        out->scale = th[2];
        out->loc = th[3];
        out->param = TS_S0;
        memcpy(c->th, th, sizeof th);
        return TS_OK;
    }
    c->counts.cold_fits++;
    ts_status st = ts_fit_mle(v, n, TS_S0, 0, out, NULL, err);
    if (!st || (st == TS_ERANGE && isfinite(out->alpha))) {
        c->th[0] = out->alpha;
        c->th[1] = out->beta;
        c->th[2] = out->scale;
        c->th[3] = out->loc;
        c->have = !st;   /* an estimate on alpha's bound is no place to start from */
    }
    return st;
}
