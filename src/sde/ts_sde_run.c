/* ts_sde_run.c: many chains of one SDE task, eight to a SIMD vector.
 *
 * Loop order: coordinate, then chunks of CHUNK steps, then chain groups.
 * The step-size schedule of a chunk (steps, noise scales, weights and the
 * clock) is computed once and shared by all groups (a pow per step would
 * otherwise cost as much as the step), and each group draws its chunk of
 * noise in one vectorised block. The inner kernel is specialised per
 * (potential, scheme, drift) by always_inline + constant arguments, so the
 * switch costs nothing per step. What is observed along the way (basin
 * statistics, test functions) is in ts_sde_observe.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_sde.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_vmath.h"
#include "ts_sde_internal.h"
#include "ts_sde_observe.h"

#define CHUNK 256

/* What one coordinate's kernel needs, fixed over the run. */
typedef struct {
    const ts_sde_config *c;
    const ts_potential *pot;
    const ts_frac_drift *frac;
    double bound;
    observer *obs;
    int watch2;   /* basin statistics of exactly two basins: in the step loop */
} kernel_env;

/* Per chunk: step size, noise scale and shift, binning weight, and the
 * clock before each step (time since burn-in: step k's state covers
 * [clk_k, clk_k + eta_k)); the double well's implicit constants. */
typedef struct {
    double eta[CHUNK], scale[CHUNK], shift[CHUNK], wt[CHUNK], clk[CHUNK];
    double cc[CHUNK], inv_c[CHUNK], eta_c[CHUNK];
} chunk_schedule;

static void schedule(const ts_sde_config *c, const ts_potential *pot, double theta, uint64_t k0, size_t n,
                     double *clock, chunk_schedule *s)
{
    const int alpha1_drift = c->alpha == 1 && c->noise == TS_NOISE_LEVY;
    const int weighted = c->gamma != 0 && c->average == TS_AVG_WEIGHTED;
    for (size_t t = 0; t < n; t++) {
        double k = (double)(k0 + t);
        double eta = c->gamma == 0 ? c->eta0 : c->eta0 / pow(1 + k / c->k0, c->gamma);
        s->eta[t] = eta;
        s->clk[t] = *clock;
        if (k0 + t >= c->burnin) *clock += eta;
        if (c->gamma == 0 && t > 0) {   /* a constant step: the same constants */
            s->scale[t] = s->scale[0], s->shift[t] = s->shift[0], s->wt[t] = s->wt[0];
            s->cc[t] = s->cc[0], s->inv_c[t] = s->inv_c[0], s->eta_c[t] = s->eta_c[0];
            continue;
        }
        s->scale[t] = c->eps * (c->alpha == 2 ? sqrt(eta) : c->alpha == 1 ? eta : pow(eta, 1 / c->alpha));
        /* L_eta ~ S1(eta, theta, 0) = eta X + (2/pi) theta eta log eta at alpha = 1 */
        s->shift[t] = alpha1_drift ? c->eps * (2 / M_PI) * theta * eta * log(eta) : 0;
        /* nu_N's weights, relative to eta0 so that a constant step bins exactly 1 */
        s->wt[t] = weighted ? eta / c->eta0 : 1.0;
        s->cc[t] = 1 - eta * pot->a;
        s->inv_c[t] = 1 / s->cc[t];
        s->eta_c[t] = eta * s->inv_c[t];
    }
}

/* The fractional drift of eight lanes at once; the same operations in the
 * same order as ts_frac_drift_eval, so the bits agree with the scalar path. */
TS_INLINE void frac_drift8(int kind, const kernel_env *e, const double *w, double *b)
{
    const ts_frac_drift *d = e->frac;
    double fw[L], acc[L];
    for (int j = 0; j < L; j++) {
        fw[j] = ts_pot_f(kind, e->pot, w[j]);
        acc[j] = 0;
    }
    for (int k = -(int)d->K; k <= (int)d->K; k++) {
        const double gk = d->g[d->K + k], kh = k * d->h;
#pragma omp simd
        for (int j = 0; j < L; j++) {
            double x = w[j] - kh;
            double ex = d->eps_pow * (fw[j] - ts_pot_f(kind, e->pot, x));
            acc[j] += gk * ts_pot_grad(kind, e->pot, x) * ts_vexp(ex < 600.0 ? ex : 600.0);
        }
    }
    for (int j = 0; j < L; j++) b[j] = -d->pref * acc[j];
}

/* The implicit step of eight lanes: w' + eta f'(w') = r. */
TS_INLINE void implicit8(int kind, const kernel_env *e, const chunk_schedule *s, size_t t,
                         const double *r, double *out)
{
    const ts_potential *p = e->pot;
    const double eta = s->eta[t];
    if (kind == TS_POT_HARMONIC) {
        for (int j = 0; j < L; j++) out[j] = r[j] / (1 + eta * p->k);
        return;
    }
    double ok[L];
    int all = 1;
    if (kind == TS_POT_DOUBLE_WELL) {
        const double cc = s->cc[t], ic = s->inv_c[t], ec = s->eta_c[t];
#pragma omp simd
        for (int j = 0; j < L; j++) {
            double sv;
            out[j] = ts_implicit_cubic_halley(r[j], eta, cc, ic, ec, &sv);
            ok[j] = sv <= TS_IMPLICIT_FAST_S ? 1.0 : 0.0;
        }
    } else {
        ts_implicit_poly_newton8(p, r, eta, out, ok);
    }
    for (int j = 0; j < L; j++) all &= ok[j] != 0;
    if (all) return;
    /* after a large jump: the iteration, for that lane alone */
    for (int j = 0; j < L; j++)
        if (ok[j] == 0)
            out[j] = kind == TS_POT_DOUBLE_WELL ? ts_sde_implicit_cubic(r[j], eta, p->a) : ts_sde_implicit_poly(p, r[j], eta);
}

/* One step of eight lanes: the scheme's update, the blow-up test (bit 0 of
 * flag) and, when watching two basins, the basin event test (bit 1; the
 * lane's new key in keyv). `watch` is a constant at every call, so each
 * instance is one straight vector loop. */
TS_INLINE void step_lanes(int kind, int scheme, int drift, int watch, const kernel_env *e,
                          const chunk_schedule *s, size_t t, const double *zt, const double *b,
                          const double *imp, group_state *gs, double *keyv, double *flag)
{
    const ts_potential *p = e->pot;
    const double eta = s->eta[t], sc = s->scale[t], sh = s->shift[t], bound = e->bound;
    const double bar0 = e->obs->basins.hi[0];
    double *x = gs->x;
    /* no reduction clause: GCC 12 miscompiles some simd reductions on
     * AVX-512; a scalar OR over eight flags afterwards costs nothing */
#pragma omp simd
    for (int j = 0; j < L; j++) {
        double w = x[j], noise = fma(sc, zt[j], sh), wn;
        double bj = drift == TS_DRIFT_FRACTIONAL ? b[j] : -ts_pot_grad(kind, p, w);
        if (scheme == TS_SCHEME_IMPLICIT) {
            wn = kind == TS_POT_HARMONIC ? (w + noise) / (1 + eta * p->k) : imp[j];
        } else if (scheme == TS_SCHEME_TAMED) {
            wn = w + eta * bj / (1 + eta * fabs(bj)) + noise;
        } else {
            wn = w + eta * bj + noise;
        }
        /* flags are doubles: a char among the doubles would stop the loop
         * from vectorising (GCC 12 sizes its vectors by the smallest type) */
        double fl = fabs(wn) <= bound ? 0.0 : 1.0;
        double xn = fl != 0 ? 0.0 : wn;
        x[j] = xn;
        if (watch) {
            double key = (xn >= bar0 ? 2.0 : 0.0) + (xn > gs->mcur[j] ? 1.0 : 0.0);
            keyv[j] = key;
            fl += key != gs->key[j] && gs->tracked[j] != 0 ? 2.0 : 0.0;
        }
        flag[j] = fl;
    }
}

/* Advance eight lanes by n steps. Lanes that leave [-bound, bound] or become
 * non-finite are marked dead at that step, parked at 0 and never binned. */
TS_INLINE void kernel(int kind, int scheme, int drift, const kernel_env *e, const chunk_schedule *s,
                      const double *z, size_t n, uint64_t k0, group_state *gs, uint64_t q, ts_bins *bins)
{
    const ts_sde_config *c = e->c;
    const ts_potential *p = e->pot;
    double *x = gs->x;
    unsigned char *alive = gs->alive;
    for (size_t t = 0; t < n; t++) {
        const double eta = s->eta[t], sc = s->scale[t], sh = s->shift[t];
        const double *zt = z + t * L;
        double b[L], imp[L], bad[L];
        int any_bad = 0;
        if (drift == TS_DRIFT_FRACTIONAL) frac_drift8(kind, e, x, b);
        if (scheme == TS_SCHEME_IMPLICIT && kind != TS_POT_HARMONIC) {
            /* the right-hand side w + noise (- eta c, the double well's tilt) */
            double rhs[L];
            const double tilt = kind == TS_POT_DOUBLE_WELL ? eta * p->c : 0.0;
            for (int j = 0; j < L; j++) rhs[j] = x[j] + fma(sc, zt[j], sh) - tilt;
            implicit8(kind, e, s, t, rhs, imp);
        }
        /* Two basins (one barrier) are watched inside the step's own loop,
         * where x is in registers: bit 1 of the lane's flag is a basin
         * event (ts_sde_observe.h); more barriers take obs_basins. */
        const uint64_t k = k0 + t;
        const int watch = e->watch2 && k > c->burnin;
        double keyv[L];
        if (watch) step_lanes(kind, scheme, drift, 1, e, s, t, zt, b, imp, gs, keyv, bad);
        else step_lanes(kind, scheme, drift, 0, e, s, t, zt, b, imp, gs, keyv, bad);
        for (int j = 0; j < L; j++) any_bad |= bad[j] != 0;
        if (any_bad) {
            for (int j = 0; j < L; j++)
                if ((bad[j] == 1 || bad[j] == 3) && alive[j]) {
                    alive[j] = 0;
                    gs->died[j] = (double)k;
                    if (gs->tracked[j] != 0) obs_close(e->obs, gs, q, j, s->clk[t]);
                }
            if (watch)
                for (int j = 0; j < L; j++)
                    if (bad[j] >= 2 && gs->tracked[j] != 0) obs_event(e->obs, gs, q, j, keyv[j], s->clk[t]);
        }
        if (k < c->burnin) continue;
        if (e->obs->basin_stats && !watch) obs_basins(e->obs, gs, q, k == c->burnin, s->clk[t]);
        if ((k - c->burnin) % c->thin == 0) {
            if (s->wt[t] == 1.0) ts_bins_add_n(bins, x, alive, L);
            else ts_bins_add_nw(bins, x, alive, L, s->wt[t]);
            if (e->obs->accumulate) obs_tests(e->obs, gs, q, eta);
        }
    }
}

#define KERNEL_ARGS e, s, z, n, k0, gs, q, bins
static void kernel_dispatch(const kernel_env *e, const chunk_schedule *s, const double *z, size_t n,
                            uint64_t k0, group_state *gs, uint64_t q, ts_bins *bins)
{
    const int frac = e->c->drift == TS_DRIFT_FRACTIONAL;
    const ts_potential_kind kind = e->pot->kind;
#define BY_KIND(SCHEME, DRIFT)                                                             \
    do {                                                                                   \
        if (kind == TS_POT_DOUBLE_WELL) kernel(TS_POT_DOUBLE_WELL, SCHEME, DRIFT, KERNEL_ARGS); \
        else if (kind == TS_POT_HARMONIC) kernel(TS_POT_HARMONIC, SCHEME, DRIFT, KERNEL_ARGS); \
        else kernel(TS_POT_POLY, SCHEME, DRIFT, KERNEL_ARGS);                              \
    } while (0)
    switch (e->c->scheme) {
    case TS_SCHEME_IMPLICIT:
        BY_KIND(TS_SCHEME_IMPLICIT, TS_DRIFT_GRADIENT);
        break;
    case TS_SCHEME_TAMED:
        if (frac) BY_KIND(TS_SCHEME_TAMED, TS_DRIFT_FRACTIONAL);
        else BY_KIND(TS_SCHEME_TAMED, TS_DRIFT_GRADIENT);
        break;
    default:
        if (frac) BY_KIND(TS_SCHEME_EULER, TS_DRIFT_FRACTIONAL);
        else BY_KIND(TS_SCHEME_EULER, TS_DRIFT_GRADIENT);
        break;
    }
#undef BY_KIND
}

typedef struct {
    ts_poll_fn fn;
    void *ctx;
    ts_ckpt *ck;
} cancel_hook;

/* ---- checkpoints: the whole state between two chunks ----------------------
 * "sde/1": the sizes it was made for (dim, chains, grid points, test
 * functions, steps), where the run is (coordinate, next step, the clock,
 * the last step size), the chains' first divergences, every finished
 * coordinate's bins and statistics, then the current coordinate's bins,
 * its groups (positions, streams, basin bookkeeping) and its observer's
 * sums. Restored, the chunks that follow are computed exactly as they
 * would have been. */
#define STATE_TAG "sde/1"

static void put_bins(ts_ckpt_buf *b, const ts_bins *bins)
{
    ts_ckpt_put(b, bins->w, bins->grid.n * sizeof *bins->w);
    ts_ckpt_put_f64(b, bins->below);
    ts_ckpt_put_f64(b, bins->above);
    ts_ckpt_put_f64(b, bins->total);
}

static void get_bins(ts_ckpt_in *in, ts_bins *bins)
{
    ts_ckpt_get(in, bins->w, bins->grid.n * sizeof *bins->w);
    bins->below = ts_ckpt_get_f64(in);
    bins->above = ts_ckpt_get_f64(in);
    bins->total = ts_ckpt_get_f64(in);
}

static void put_header(ts_ckpt_buf *b, const ts_sde_config *c)
{
    ts_ckpt_put_tag(b, STATE_TAG);
    ts_ckpt_put_u64(b, c->dim);
    ts_ckpt_put_u64(b, c->chains);
    ts_ckpt_put_u64(b, c->grid.n);
    ts_ckpt_put_u64(b, c->n_tests);
    ts_ckpt_put_u64(b, c->steps);
}

static ts_status get_header(ts_ckpt *ck, ts_ckpt_in *in, const ts_sde_config *c, ts_err *err)
{
    ts_status st = ts_ckpt_open(ck, STATE_TAG, in, err);
    if (!st) st = ts_ckpt_expect(ck, in, c->dim, "dim", err);
    if (!st) st = ts_ckpt_expect(ck, in, c->chains, "chains", err);
    if (!st) st = ts_ckpt_expect(ck, in, c->grid.n, "grid_n", err);
    if (!st) st = ts_ckpt_expect(ck, in, c->n_tests, "test functions", err);
    if (!st) st = ts_ckpt_expect(ck, in, c->steps, "steps", err);
    return st;
}

/* The current coordinate's memory a state holds: the groups (positions,
 * streams, basin bookkeeping) and the observer's sums. */
#define OBS_REGIONS 7
static void obs_regions(const ts_sde_config *c, group_state *gs, uint64_t ngroups, observer *obs, void **p,
                        size_t *n)
{
    const size_t nb = obs->basins.n;
    p[0] = gs, n[0] = ngroups * sizeof *gs;
    p[1] = obs->chain_time, n[1] = c->chains * nb * sizeof(double);
    p[2] = obs->chain_exits, n[2] = c->chains * nb * sizeof(double);
    p[3] = obs->et_sum, n[3] = sizeof obs->et_sum;
    p[4] = obs->et_sumsq, n[4] = sizeof obs->et_sumsq;
    p[5] = obs->et_n, n[5] = sizeof obs->et_n;
    p[6] = obs->tacc, n[6] = ngroups * (2 * obs->nt + 2) * L * sizeof(double);
}

static void save_state(ts_ckpt *ck, const ts_sde_config *c, size_t i, uint64_t next, double clock,
                       const ts_sde_run_result *res, const ts_bins *bins, group_state *gs,
                       uint64_t ngroups, observer *obs, double done)
{
    ts_ckpt_buf *b = ts_ckpt_begin(ck);
    const size_t nb = obs->basins.n;
    put_header(b, c);
    ts_ckpt_put_u64(b, i);
    ts_ckpt_put_u64(b, next);
    ts_ckpt_put_f64(b, clock);
    ts_ckpt_put_f64(b, res->final_eta);
    ts_ckpt_put(b, res->diverged_at, c->chains * sizeof *res->diverged_at);
    for (size_t j = 0; j < i; j++) {
        put_bins(b, res->bins[j]);
        ts_ckpt_put(b, &res->basins[j], sizeof res->basins[j]);
        ts_ckpt_put(b, &res->stats[j], sizeof res->stats[j]);
        ts_ckpt_put(b, &res->tests[j], sizeof res->tests[j]);
    }
    put_bins(b, bins);
    ts_ckpt_put_u64(b, nb);
    void *p[OBS_REGIONS];
    size_t n[OBS_REGIONS];
    obs_regions(c, gs, ngroups, obs, p, n);
    for (size_t r = 0; r < OBS_REGIONS; r++) ts_ckpt_put(b, p[r], n[r]);
    ts_ckpt_commit(ck, done);
}

/* The current coordinate's part of a state, after run_coordinate's fresh
 * start; the state must end there. */
static ts_status restore_coordinate(ts_ckpt *ck, ts_ckpt_in *in, const ts_sde_config *c, ts_bins *bins,
                                    group_state *gs, uint64_t ngroups, observer *obs, ts_err *err)
{
    const size_t nb = obs->basins.n;
    get_bins(in, bins);
    ts_status st = ts_ckpt_expect(ck, in, nb, "basins", err);
    if (st) return st;
    void *p[OBS_REGIONS];
    size_t n[OBS_REGIONS];
    obs_regions(c, gs, ngroups, obs, p, n);
    for (size_t r = 0; r < OBS_REGIONS; r++) ts_ckpt_get(in, p[r], n[r]);
    return ts_ckpt_close(ck, in, err);
}

/* Where a restored run starts: coordinate i at step `next`, with its clock. */
typedef struct {
    ts_ckpt_in in;
    size_t i;
    uint64_t next;
    double clock;
} resume_at;

static ts_status run_coordinate(const ts_sde_config *c, size_t i, const ts_rng *parent,
                                const cancel_hook *cancel, resume_at *from, ts_bins *bins,
                                ts_sde_run_result *res, ts_err *err)
{
    const uint64_t ngroups = (c->chains + L - 1) / L;
    ts_stable law;
    ts_frac_drift frac = { 0 };
    observer obs;
    ts_status st = ts_stable_init(&law, c->alpha, c->theta[i], 1, 0, TS_S1, err);
    if (!st && c->drift == TS_DRIFT_FRACTIONAL)
        st = ts_frac_drift_init(&frac, c->alpha, c->theta[i], c->frac_sign, c->eps, c->frac_h, c->frac_K,
                                c->frac_weights, err);
    if (!st) st = obs_init(&obs, c, i, ngroups, err);
    if (st) {
        ts_frac_drift_free(&frac);
        return st;
    }
    /* zeroed: the padding of a group's state is saved in checkpoints too */
    group_state *gs = calloc(ngroups, sizeof *gs);
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
            gs[q].died[j] = NAN;
            gs[q].tracked[j] = 0;
        }
    }
    kernel_env env = { c, &c->pot[i], &frac, c->bound, &obs, obs.basin_stats && obs.nbar == 1 };
    double clock = 0;
    uint64_t start = 0;
    if (!st && from) {
        st = restore_coordinate(cancel->ck, &from->in, c, bins, gs, ngroups, &obs, err);
        start = from->next;
        clock = from->clock;
    }
    for (uint64_t k0 = start; k0 < c->steps && !st; k0 += CHUNK) {
        size_t n = c->steps - k0 < CHUNK ? (size_t)(c->steps - k0) : CHUNK;
        schedule(c, &c->pot[i], c->theta[i], k0, n, &clock, sched);
        for (uint64_t q = 0; q < ngroups; q++) {
            ts_stable_fill(&law, &gs[q].rng, n * L, z);
            kernel_dispatch(&env, sched, z, n, k0, &gs[q], q, bins);
        }
        if (k0 + n == c->steps) res->final_eta = sched->eta[n - 1];
        /* coordinates run one after the other, each over every step */
        double done = ((double)i + (double)(k0 + n) / (double)c->steps) / (double)c->dim;
        int ans = cancel->fn ? cancel->fn(cancel->ctx, done) : 0;
        if ((ans & TS_POLL_SAVE) && cancel->ck)
            save_state(cancel->ck, c, i, k0 + n, clock, res, bins, gs, ngroups, &obs, done);
        if (ts_poll_stops(ans)) st = ts_err_set(err, TS_ECANCEL, "sde: cancelled");
    }
    if (!st) {
        obs_finish(&obs, gs, ngroups, clock, bins, &res->stats[i], &res->tests[i]);
        res->basins[i] = obs.basins;
    }
    for (uint64_t q = 0; q < ngroups && !st; q++)
        for (int j = 0; j < L; j++) {
            uint64_t chain = q * L + (uint64_t)j;
            if (chain >= c->chains || isnan(gs[q].died[j])) continue;
            /* a chain's first divergence over its coordinates */
            if (!(res->diverged_at[chain] <= gs[q].died[j])) res->diverged_at[chain] = gs[q].died[j];
        }
done:
    free(gs);
    free(z);
    free(sched);
    obs_free(&obs);
    ts_frac_drift_free(&frac);
    return st;
}

ts_status ts_sde_run(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_sde_run_result *res, ts_err *err)
{
    return ts_sde_run_cancellable(c, seed, task, replicate, NULL, NULL, res, err);
}

ts_status ts_sde_run_cancellable(const ts_sde_config *c, uint64_t seed, uint64_t task,
                                 uint64_t replicate, ts_poll_fn poll, void *ctx,
                                 ts_sde_run_result *res, ts_err *err)
{
    return ts_sde_run_ckpt(c, seed, task, replicate, poll, ctx, NULL, res, err);
}

/* The finished coordinates of a state, into res; *from says where to go on. */
static ts_status restore_run(ts_ckpt *ck, const ts_sde_config *c, ts_sde_run_result *res, resume_at *from,
                             ts_err *err)
{
    ts_status st = get_header(ck, &from->in, c, err);
    if (st) return st;
    from->i = (size_t)ts_ckpt_get_u64(&from->in);
    from->next = ts_ckpt_get_u64(&from->in);
    from->clock = ts_ckpt_get_f64(&from->in);
    res->final_eta = ts_ckpt_get_f64(&from->in);
    if (from->in.over || from->i >= c->dim || from->next > c->steps || (from->next % CHUNK && from->next != c->steps))
        return ts_ckpt_reject(ck, err, "the state is at coordinate %zu, step %llu: not a point this task passes",
                              from->i, (unsigned long long)from->next);
    ts_ckpt_get(&from->in, res->diverged_at, c->chains * sizeof *res->diverged_at);
    for (size_t j = 0; j < from->i; j++) {
        if (!(res->bins[j] = ts_bins_alloc(&c->grid, err))) return TS_ENOMEM;
        get_bins(&from->in, res->bins[j]);
        ts_ckpt_get(&from->in, &res->basins[j], sizeof res->basins[j]);
        ts_ckpt_get(&from->in, &res->stats[j], sizeof res->stats[j]);
        ts_ckpt_get(&from->in, &res->tests[j], sizeof res->tests[j]);
    }
    return TS_OK;
}

ts_status ts_sde_run_ckpt(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                          ts_poll_fn poll, void *ctx, ts_ckpt *ck, ts_sde_run_result *res, ts_err *err)
{
    const cancel_hook cancel = { poll, ctx, ck };
    memset(res, 0, sizeof *res);
    ts_status st = ts_sde_config_check(c, err);
    if (st) return st;
    ts_rng parent;
    st = ts_rng_init(&parent, seed, task, replicate, TS_PURPOSE_SDE_NOISE, err);
    if (st) return st;
    res->dim = c->dim;
    res->diverged_at = malloc(c->chains * sizeof *res->diverged_at);
    if (!res->diverged_at) return ts_err_set(err, TS_ENOMEM, "sde: out of memory");
    for (uint64_t j = 0; j < c->chains; j++) res->diverged_at[j] = NAN;
    resume_at from = { .i = 0 };
    const int resuming = ck && ck->state;
    if (resuming) st = restore_run(ck, c, res, &from, err);
    for (size_t i = from.i; i < c->dim && !st; i++) {
        res->bins[i] = ts_bins_alloc(&c->grid, err);
        resume_at *at = resuming && i == from.i ? &from : NULL;
        st = res->bins[i] ? run_coordinate(c, i, &parent, &cancel, at, res->bins[i], res, err) : TS_ENOMEM;
    }
    /* diverged counts chains, not (chain, coordinate) pairs */
    uint64_t chains_dead = 0;
    for (uint64_t j = 0; j < c->chains; j++) chains_dead += !isnan(res->diverged_at[j]);
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
