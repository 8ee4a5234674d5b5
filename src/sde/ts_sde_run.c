/* ts_sde_run.c: many chains of one SDE task, eight to a SIMD vector.
 *
 * Loop order: coordinate, then chunks of CHUNK steps, then chain groups.
 * The step-size schedule of a chunk is computed once and shared by all
 * groups (a pow per step would otherwise cost as much as the step), and each
 * group draws its chunk of noise in one vectorised block. The inner kernel is
 * specialised per (potential, scheme, drift) by always_inline + constant
 * arguments, so the switch costs nothing per step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_sde.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vmath.h"

#define L TS_RNG_LANES
#define CHUNK 256

/* Solve eta w^3 + c w = r (c = 1 - eta a > 0) for n lanes at once.
 * g(w) = eta w^3 + c w - |r| is increasing and convex for w > 0, so Newton
 * started above the root decreases monotonically onto it. The start
 * min(|r| / c, (|r| / eta)^(1/3)) bounds the root from above within a factor
 * 1.5 (t^3 + t = 1 at the crossover gives t = 0.68); a cube root computed a
 * little low only makes the first step overshoot to above the root. A lane
 * stops as soon as its own step is below 4 ulp, so its result depends on its
 * input alone, never on the other lanes: typical steps (eta w^2 ~ 1e-3) take
 * three iterations, a heavy-tailed jump up to ~8. tests/unit/test_sde.c
 * checks the residual over 330 orders of magnitude of r. */
static inline __attribute__((always_inline)) void implicit_lanes(const double *r, double eta, double a,
                                                                 double *out, int n)
{
    const double c = 1 - eta * a;
    double w[L], ar[L], live[L];
    int far = 0;
#pragma omp simd
    for (int j = 0; j < n; j++) {
        ar[j] = fabs(r[j]);
        w[j] = ar[j] / c;
        live[j] = 1;
    }
    /* The cube root (a log and an exp) only matters when the cubic term
     * dominates, eta w^2 > 1: after a heavy-tailed jump, rarely. Each lane
     * still decides for itself, so no lane's result depends on another's. */
    for (int j = 0; j < n; j++) far |= eta * w[j] * w[j] > 1;
    if (far) {
#pragma omp simd
        for (int j = 0; j < n; j++) {
            double w2 = ts_vexp(ts_vlog(ar[j] / eta) * (1.0 / 3.0));
            w[j] = eta * w[j] * w[j] > 1 && w2 < w[j] ? w2 : w[j];
        }
    }
    for (int it = 0; it < 12; it++) {
        double any = 0;
#pragma omp simd
        for (int j = 0; j < n; j++) {
            double w2s = w[j] * w[j];
            double d = (fma(eta * w2s, w[j], c * w[j]) - ar[j]) / fma(3 * eta, w2s, c);
            w[j] = live[j] != 0 ? w[j] - d : w[j];
            live[j] = live[j] != 0 && fabs(d) > 0x1p-50 * fabs(w[j]) ? 1.0 : 0.0;
        }
        for (int j = 0; j < n; j++) any += live[j];
        if (any == 0) break;
    }
    for (int j = 0; j < n; j++) out[j] = copysign(w[j], r[j]);
}

double ts_sde_implicit_cubic(double r, double eta, double a)
{
    double w;
    implicit_lanes(&r, eta, a, &w, 1);
    return w;
}

/* What one coordinate's kernel needs, fixed over the run. */
typedef struct {
    const ts_sde_config *c;
    const ts_potential *pot;
    const ts_frac_drift *frac;
    double bound;
} kernel_env;

/* Per chunk: step size, noise scale and noise shift of each step. */
typedef struct {
    double eta[CHUNK], scale[CHUNK], shift[CHUNK];
} chunk_schedule;

static void schedule(const ts_sde_config *c, double theta, uint64_t k0, size_t n, chunk_schedule *s)
{
    const int alpha1_drift = c->alpha == 1 && c->noise == TS_NOISE_LEVY;
    for (size_t t = 0; t < n; t++) {
        double k = (double)(k0 + t);
        double eta = c->gamma == 0 ? c->eta0 : c->eta0 / pow(1 + k / c->k0, c->gamma);
        s->eta[t] = eta;
        s->scale[t] = c->eps * (c->alpha == 2 ? sqrt(eta) : c->alpha == 1 ? eta : pow(eta, 1 / c->alpha));
        /* L_eta ~ S1(eta, theta, 0) = eta X + (2/pi) theta eta log eta at alpha = 1 */
        s->shift[t] = alpha1_drift ? c->eps * (2 / M_PI) * theta * eta * log(eta) : 0;
    }
}

static inline __attribute__((always_inline)) double pot_f(int kind, const ts_potential *p, double w)
{
    if (kind == TS_POT_HARMONIC) return 0.5 * p->k * w * w;
    double w2 = w * w;
    return 0.25 * w2 * w2 - 0.5 * p->a * w2 + p->c * w;
}

static inline __attribute__((always_inline)) double pot_grad(int kind, const ts_potential *p, double w)
{
    return kind == TS_POT_HARMONIC ? p->k * w : w * w * w - p->a * w + p->c;
}

/* The fractional drift of eight lanes at once; the same operations in the
 * same order as ts_frac_drift_eval, so the bits agree with the scalar path. */
static inline __attribute__((always_inline)) void frac_drift8(int kind, const kernel_env *e,
                                                               const double *w, double *b)
{
    const ts_frac_drift *d = e->frac;
    double fw[L], acc[L];
    for (int j = 0; j < L; j++) {
        fw[j] = pot_f(kind, e->pot, w[j]);
        acc[j] = 0;
    }
    for (int k = -(int)d->K; k <= (int)d->K; k++) {
        const double gk = d->g[d->K + k], kh = k * d->h;
#pragma omp simd
        for (int j = 0; j < L; j++) {
            double x = w[j] - kh;
            double ex = d->eps_pow * (fw[j] - pot_f(kind, e->pot, x));
            acc[j] += gk * pot_grad(kind, e->pot, x) * ts_vexp(ex < 600.0 ? ex : 600.0);
        }
    }
    for (int j = 0; j < L; j++) b[j] = -d->pref * acc[j];
}

/* Advance eight lanes by n steps. Lanes that leave [-bound, bound] or become
 * non-finite are marked dead at that step, parked at 0 and never binned. */
static inline __attribute__((always_inline)) void kernel(int kind, int scheme, int drift,
        const kernel_env *e, const chunk_schedule *s, const double *z, size_t n, uint64_t k0,
        double *x, unsigned char *alive, int64_t *died, ts_bins *bins)
{
    const ts_sde_config *c = e->c;
    const ts_potential *p = e->pot;
    const double bound = e->bound;
    for (size_t t = 0; t < n; t++) {
        const double eta = s->eta[t], sc = s->scale[t], sh = s->shift[t];
        const double *zt = z + t * L;
        double b[L], imp[L];
        unsigned char bad[L];
        int any_bad = 0;
        if (drift == TS_DRIFT_FRACTIONAL) frac_drift8(kind, e, x, b);
        if (scheme == TS_SCHEME_IMPLICIT && kind == TS_POT_DOUBLE_WELL) {
            /* the right-hand side w + noise - eta c, then the cubic, lane-wise */
            double rhs[L];
            for (int j = 0; j < L; j++) rhs[j] = x[j] + fma(sc, zt[j], sh) - eta * p->c;
            implicit_lanes(rhs, eta, p->a, imp, L);
        }
        /* no reduction clause: GCC 12 miscompiles some simd reductions on
         * AVX-512; a scalar OR over eight flags afterwards costs nothing */
#pragma omp simd
        for (int j = 0; j < L; j++) {
            double w = x[j], noise = fma(sc, zt[j], sh), wn;
            double bj = drift == TS_DRIFT_FRACTIONAL ? b[j] : -pot_grad(kind, p, w);
            if (scheme == TS_SCHEME_IMPLICIT) {
                double r = w + noise;
                wn = kind == TS_POT_HARMONIC ? r / (1 + eta * p->k) : imp[j];
            } else if (scheme == TS_SCHEME_TAMED) {
                wn = w + eta * bj / (1 + eta * fabs(bj)) + noise;
            } else {
                wn = w + eta * bj + noise;
            }
            int nb = !(fabs(wn) <= bound);
            bad[j] = (unsigned char)nb;
            x[j] = nb ? 0.0 : wn;
        }
        for (int j = 0; j < L; j++) any_bad |= bad[j];
        const uint64_t k = k0 + t;
        if (any_bad)
            for (int j = 0; j < L; j++)
                if (bad[j] && alive[j]) {
                    alive[j] = 0;
                    died[j] = (int64_t)k;
                }
        if (k >= c->burnin && (k - c->burnin) % c->thin == 0) ts_bins_add_n(bins, x, alive, L);
    }
}

#define KERNEL_ARGS e, s, z, n, k0, x, alive, died, bins
static void kernel_dispatch(const kernel_env *e, const chunk_schedule *s, const double *z, size_t n,
                            uint64_t k0, double *x, unsigned char *alive, int64_t *died, ts_bins *bins)
{
    const int dw = e->pot->kind == TS_POT_DOUBLE_WELL;
    const int frac = e->c->drift == TS_DRIFT_FRACTIONAL;
    switch (e->c->scheme) {
    case TS_SCHEME_IMPLICIT:
        if (dw) kernel(TS_POT_DOUBLE_WELL, TS_SCHEME_IMPLICIT, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        else kernel(TS_POT_HARMONIC, TS_SCHEME_IMPLICIT, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        break;
    case TS_SCHEME_TAMED:
        if (dw && frac) kernel(TS_POT_DOUBLE_WELL, TS_SCHEME_TAMED, TS_DRIFT_FRACTIONAL, KERNEL_ARGS);
        else if (dw) kernel(TS_POT_DOUBLE_WELL, TS_SCHEME_TAMED, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        else if (frac) kernel(TS_POT_HARMONIC, TS_SCHEME_TAMED, TS_DRIFT_FRACTIONAL, KERNEL_ARGS);
        else kernel(TS_POT_HARMONIC, TS_SCHEME_TAMED, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        break;
    default:
        if (dw && frac) kernel(TS_POT_DOUBLE_WELL, TS_SCHEME_EULER, TS_DRIFT_FRACTIONAL, KERNEL_ARGS);
        else if (dw) kernel(TS_POT_DOUBLE_WELL, TS_SCHEME_EULER, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        else if (frac) kernel(TS_POT_HARMONIC, TS_SCHEME_EULER, TS_DRIFT_FRACTIONAL, KERNEL_ARGS);
        else kernel(TS_POT_HARMONIC, TS_SCHEME_EULER, TS_DRIFT_GRADIENT, KERNEL_ARGS);
        break;
    }
}

/* Per-group state of one coordinate. */
typedef struct {
    ts_rng rng;
    double x[L];
    unsigned char alive[L];
    int64_t died[L];
} group_state;

typedef struct {
    int (*fn)(void *);
    void *ctx;
} cancel_hook;

static ts_status run_coordinate(const ts_sde_config *c, size_t i, const ts_rng *parent,
                                const cancel_hook *cancel, ts_bins *bins, ts_sde_run_result *res,
                                ts_err *err)
{
    const uint64_t ngroups = (c->chains + L - 1) / L;
    ts_stable law;
    ts_frac_drift frac = { 0 };
    ts_status st = ts_stable_init(&law, c->alpha, c->theta[i], 1, 0, TS_S1, err);
    if (!st && c->drift == TS_DRIFT_FRACTIONAL)
        st = ts_frac_drift_init(&frac, c->alpha, c->theta[i], c->frac_sign, c->eps, c->frac_h, c->frac_K, err);
    if (st) return st;
    group_state *gs = malloc(ngroups * sizeof *gs);
    double *z = malloc(CHUNK * L * sizeof *z);
    chunk_schedule *sched = malloc(sizeof *sched);
    if (!gs || !z || !sched) {
        st = ts_err_set(err, TS_ENOMEM, "sde: out of memory for %llu chains", (unsigned long long)c->chains);
        goto done;
    }
    for (uint64_t q = 0; q < ngroups && !st; q++) {
        st = ts_rng_substream(&gs[q].rng, parent, q * c->dim + i, err);
        for (int j = 0; j < L; j++) {
            gs[q].x[j] = c->w0;
            /* lanes past the last chain run (it is cheaper than a masked
             * kernel) but are never binned or counted */
            gs[q].alive[j] = q * L + (uint64_t)j < c->chains;
            gs[q].died[j] = -1;
        }
    }
    kernel_env env = { c, &c->pot[i], &frac, c->bound };
    for (uint64_t k0 = 0; k0 < c->steps && !st; k0 += CHUNK) {
        size_t n = c->steps - k0 < CHUNK ? (size_t)(c->steps - k0) : CHUNK;
        schedule(c, c->theta[i], k0, n, sched);
        for (uint64_t q = 0; q < ngroups; q++) {
            ts_stable_fill(&law, &gs[q].rng, n * L, z);
            kernel_dispatch(&env, sched, z, n, k0, gs[q].x, gs[q].alive, gs[q].died, bins);
        }
        if (k0 + n == c->steps) res->final_eta = sched->eta[n - 1];
        if (cancel->fn && cancel->fn(cancel->ctx)) st = ts_err_set(err, TS_ECANCEL, "sde: cancelled");
    }
    for (uint64_t q = 0; q < ngroups && !st; q++)
        for (int j = 0; j < L; j++) {
            uint64_t chain = q * L + (uint64_t)j;
            if (chain >= c->chains || gs[q].died[j] < 0) continue;
            res->diverged++;
            /* a chain's first divergence over its coordinates */
            if (res->diverged_at[chain] < 0 || gs[q].died[j] < res->diverged_at[chain])
                res->diverged_at[chain] = gs[q].died[j];
        }
done:
    free(gs);
    free(z);
    free(sched);
    ts_frac_drift_free(&frac);
    return st;
}

ts_status ts_sde_run(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_sde_run_result *res, ts_err *err)
{
    return ts_sde_run_cancellable(c, seed, task, replicate, NULL, NULL, res, err);
}

ts_status ts_sde_run_cancellable(const ts_sde_config *c, uint64_t seed, uint64_t task,
                                 uint64_t replicate, int (*cancelled)(void *), void *ctx,
                                 ts_sde_run_result *res, ts_err *err)
{
    const cancel_hook cancel = { cancelled, ctx };
    memset(res, 0, sizeof *res);
    ts_status st = ts_sde_config_check(c, err);
    if (st) return st;
    ts_rng parent;
    st = ts_rng_init(&parent, seed, task, replicate, TS_PURPOSE_SDE_NOISE, err);
    if (st) return st;
    res->dim = c->dim;
    res->diverged_at = malloc(c->chains * sizeof *res->diverged_at);
    if (!res->diverged_at) return ts_err_set(err, TS_ENOMEM, "sde: out of memory");
    for (uint64_t j = 0; j < c->chains; j++) res->diverged_at[j] = -1;
    for (size_t i = 0; i < c->dim && !st; i++) {
        res->bins[i] = ts_bins_alloc(&c->grid, err);
        st = res->bins[i] ? run_coordinate(c, i, &parent, &cancel, res->bins[i], res, err) : TS_ENOMEM;
    }
    /* diverged counts chains, not (chain, coordinate) pairs */
    uint64_t chains_dead = 0;
    for (uint64_t j = 0; j < c->chains; j++) chains_dead += res->diverged_at[j] >= 0;
    res->diverged = chains_dead;
    if (st) ts_sde_run_result_free(res);
    return st;
}

void ts_sde_run_result_free(ts_sde_run_result *res)
{
    for (size_t i = 0; i < TS_SDE_MAX_DIM; i++) {
        ts_bins_free(res->bins[i]);
        res->bins[i] = NULL;
    }
    free(res->diverged_at);
    res->diverged_at = NULL;
}
