/* ts_linear_opt.c: GD, SGD (with or without replacement), per-example
 * clipping and Noisy-SGD on the linear models; logging of the curves,
 * the tail window of iterates, and blow-up detection.
 *
 *   theta_{k+1} = theta_k - eta_k ( (1/B) sum_{i in B_k} clip(grad f_i(theta_k)) + sigma xi_k )
 *
 * (docs/math.md section 5.2), eta_k = eta / (1 + k/k0)^gamma. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_linear.h"
#include "tailsweep/ts_rng.h"

/* The tail window is held in memory: at most this many doubles (64 MB). */
#define TS_LINEAR_MAX_WINDOW (1u << 23)
/* Fewer pooled values than this make both tail estimators meaningless
 * (Hill uses the top 0.2-2%, at least 10 values). */
#define TS_LINEAR_MIN_WINDOW 1000
/* Steps between polls of the cancel hook: well under a millisecond of work
 * for the problem sizes the checks above allow per step. */
#define POLL_EVERY 256

size_t ts_linear_n_log(uint64_t steps, uint64_t log_every)
{
    return (size_t)(steps / log_every + 1 + (steps % log_every != 0));
}

uint64_t ts_linear_log_step(uint64_t steps, uint64_t log_every, size_t i)
{
    uint64_t s = (uint64_t)i * log_every;
    return s > steps ? steps : s;
}

size_t ts_linear_n_window(uint64_t steps, uint64_t burnin, uint64_t thin)
{
    return burnin >= steps ? 0 : (size_t)((steps - burnin) / thin);
}

ts_status ts_linear_opt_config_check(const ts_linear_opt_config *c, size_t n, size_t d, ts_err *err)
{
    if (c->model == TS_LINEAR_DLN && !(c->a0 > 0 && isfinite(c->a0)))
        return ts_err_set(err, TS_EINVAL, "a0 = %g: the network's initialisation scale must be > 0", c->a0);
    if (c->opt != TS_LINEAR_GD && (c->B < 1 || c->B > n))
        return ts_err_set(err, TS_EINVAL, "B = %zu: the batch size must be in [1, n = %zu]", c->B, n);
    if (!(c->eta > 0 && isfinite(c->eta))) return ts_err_set(err, TS_EINVAL, "eta = %g must be > 0", c->eta);
    if (!(c->gamma >= 0 && isfinite(c->gamma))) return ts_err_set(err, TS_EINVAL, "gamma = %g must be >= 0", c->gamma);
    if (!(c->k0 > 0 && isfinite(c->k0))) return ts_err_set(err, TS_EINVAL, "k0 = %g must be > 0", c->k0);
    if (!(c->sigma >= 0 && isfinite(c->sigma)))
        return ts_err_set(err, TS_EINVAL, "sigma = %g: the noise scale must be finite and >= 0", c->sigma);
    if (!(c->clip >= 0 && isfinite(c->clip)))
        return ts_err_set(err, TS_EINVAL, "clip = %g must be >= 0 (0: no clipping)", c->clip);
    if (!(c->bound > 0 && c->bound <= 1e30))
        return ts_err_set(err, TS_EINVAL, "bound = %g must be in (0, 1e30] (beyond, losses overflow)", c->bound);
    if (c->steps < 1) return ts_err_set(err, TS_EINVAL, "steps = %llu must be >= 1", (unsigned long long)c->steps);
    if (c->log_every < 1 || c->log_every > c->steps)
        return ts_err_set(err, TS_EINVAL, "log_every = %llu must be in [1, steps = %llu]",
                          (unsigned long long)c->log_every, (unsigned long long)c->steps);
    if (c->thin < 1) return ts_err_set(err, TS_EINVAL, "thin = %llu must be >= 1", (unsigned long long)c->thin);
    if (c->burnin >= c->steps)
        return ts_err_set(err, TS_EINVAL, "burnin = %llu must be < steps = %llu (the tail window follows it)",
                          (unsigned long long)c->burnin, (unsigned long long)c->steps);
    double pooled = (double)ts_linear_n_window(c->steps, c->burnin, c->thin) * (double)d;
    if (pooled < TS_LINEAR_MIN_WINDOW)
        return ts_err_set(err, TS_EINVAL, "the tail window (steps - burnin) / thin x d = %.0f iterate values: "
                          "need at least %d (lower burnin or thin)", pooled, TS_LINEAR_MIN_WINDOW);
    if (pooled > TS_LINEAR_MAX_WINDOW)
        return ts_err_set(err, TS_EINVAL, "the tail window (steps - burnin) / thin x d = %.0f iterate values "
                          "exceeds %u (raise thin or burnin)", pooled, TS_LINEAR_MAX_WINDOW);
    return TS_OK;
}

void ts_linear_trace_free(ts_linear_trace *t)
{
    free(t->train_loss);
    free(t->test_loss);
    free(t->beta_err);
    free(t->beta_l1);
    free(t->beta);
    free(t->window);
    memset(t, 0, sizeof *t);
}

typedef struct {
    double *theta, *next, *beta, *grad, *noise, *r, *gb, *Xb, *yb, *u, *diff;
    size_t *perm;
} work;

static void work_free(work *w)
{
    free(w->theta);
    free(w->next);
    free(w->beta);
    free(w->grad);
    free(w->noise);
    free(w->r);
    free(w->gb);
    free(w->Xb);
    free(w->yb);
    free(w->u);
    free(w->diff);
    free(w->perm);
}

static int work_alloc(work *w, const ts_linear_data *D, const ts_linear_opt_config *c, size_t P)
{
    size_t d = D->d, B = c->opt == TS_LINEAR_GD ? 1 : c->B;
    size_t rmax = D->n > D->n_test ? D->n : D->n_test;
    memset(w, 0, sizeof *w);
    w->theta = malloc(P * sizeof(double));
    w->next = malloc(P * sizeof(double));
    w->grad = malloc(P * sizeof(double));
    w->noise = malloc(P * sizeof(double));
    w->beta = malloc(d * sizeof(double));
    w->gb = malloc(d * sizeof(double));
    w->diff = malloc(d * sizeof(double));
    w->r = malloc(rmax * sizeof(double));
    w->Xb = malloc(B * d * sizeof(double));
    w->yb = malloc(B * sizeof(double));
    w->u = malloc(B * sizeof(double));
    w->perm = malloc(D->n * sizeof(size_t));
    return w->theta && w->next && w->grad && w->noise && w->beta && w->gb && w->diff && w->r && w->Xb
        && w->yb && w->u && w->perm;
}

static int trace_alloc(ts_linear_trace *t, const ts_linear_opt_config *c, size_t d)
{
    memset(t, 0, sizeof *t);
    t->n_log = ts_linear_n_log(c->steps, c->log_every);
    t->n_window = ts_linear_n_window(c->steps, c->burnin, c->thin);
    t->d = d;
    t->diverged_at = -1;
    t->train_loss = malloc(t->n_log * sizeof(double));
    t->test_loss = malloc(t->n_log * sizeof(double));
    t->beta_err = malloc(t->n_log * sizeof(double));
    t->beta_l1 = malloc(t->n_log * sizeof(double));
    t->beta = malloc(d * sizeof(double));
    t->window = malloc((t->n_window ? t->n_window : 1) * d * sizeof(double));
    return t->train_loss && t->test_loss && t->beta_err && t->beta_l1 && t->beta && t->window;
}

static void log_point(const ts_linear_data *D, work *w, ts_linear_trace *t, size_t i)
{
    size_t d = D->d;
    t->train_loss[i] = ts_linear_loss(D->X, D->y, D->n, d, w->beta, w->r);
    t->test_loss[i] = ts_linear_loss(D->Xt, D->yt, D->n_test, d, w->beta, w->r);
    memcpy(w->diff, w->beta, d * sizeof(double));
    cblas_daxpy((int)d, -1.0, D->w_star, 1, w->diff, 1);
    t->beta_err[i] = cblas_dnrm2((int)d, w->diff, 1);
    t->beta_l1[i] = cblas_dasum((int)d, w->beta, 1);
}

/* Fisher-Yates with uniforms from the batch stream: j = i + floor(u (n - i)). */
static void shuffle(ts_rng *r, size_t *perm, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        size_t j = i + (size_t)(ts_rng_uniform(r) * (double)(n - i));
        if (j >= n) j = n - 1;
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

static void gather(const ts_linear_data *D, const size_t *idx, size_t B, double *Xb, double *yb)
{
    for (size_t b = 0; b < B; b++) {
        memcpy(Xb + b * D->d, D->X + idx[b] * D->d, D->d * sizeof(double));
        yb[b] = D->y[idx[b]];
    }
}

/* The rows of this step's batch: all of X for GD, else gathered into Xb. */
static void next_batch(const ts_linear_data *D, const ts_linear_opt_config *c, ts_rng *rb, work *w,
                       size_t *pos, const double **Xr, const double **yr, size_t *rows)
{
    size_t n = D->n, B = c->B;
    if (c->opt == TS_LINEAR_GD) {
        *Xr = D->X, *yr = D->y, *rows = n;
        return;
    }
    if (c->opt == TS_LINEAR_SGD) {
        ts_rng_uniform_block(rb, B, w->u);
        size_t *idx = w->perm;    /* scratch: the perm is unused with replacement */
        for (size_t b = 0; b < B; b++) {
            idx[b] = (size_t)(w->u[b] * (double)n);
            if (idx[b] >= n) idx[b] = n - 1;
        }
        gather(D, idx, B, w->Xb, w->yb);
    } else {
        if (*pos + B > n) {       /* a new epoch; an incomplete tail is dropped */
            shuffle(rb, w->perm, n);
            *pos = 0;
        }
        gather(D, w->perm + *pos, B, w->Xb, w->yb);
        *pos += B;
    }
    *Xr = w->Xb, *yr = w->yb, *rows = B;
}

/* ---- checkpoints: the whole state before a step ---------------------------
 * "linear/1": the sizes it was made for (n, d, parameters, logs, window),
 * the next step, both streams, the epoch's permutation and position, the
 * iterate, the logs and window rows so far and the clip count. */
#define STATE_TAG "linear/1"

typedef struct {
    uint64_t k;
    size_t pos, next_log;
} run_at;

static void save_state(ts_ckpt *ck, const ts_linear_data *D, const ts_linear_opt_config *c, size_t P,
                       const run_at *at, const ts_rng *rb, const ts_rng *rn, const work *w,
                       const ts_linear_trace *t)
{
    ts_ckpt_buf *b = ts_ckpt_begin(ck);
    ts_ckpt_put_tag(b, STATE_TAG);
    ts_ckpt_put_u64(b, D->n);
    ts_ckpt_put_u64(b, P);
    ts_ckpt_put_u64(b, t->n_log);
    ts_ckpt_put_u64(b, t->n_window * t->d);
    ts_ckpt_put_u64(b, c->steps);
    ts_ckpt_put_u64(b, at->k);
    ts_ckpt_put_u64(b, at->pos);
    ts_ckpt_put_u64(b, at->next_log);
    ts_ckpt_put_u64(b, t->window_filled);
    ts_ckpt_put_u64(b, t->clipped);
    ts_ckpt_put(b, rb, sizeof *rb);
    ts_ckpt_put(b, rn, sizeof *rn);
    ts_ckpt_put(b, w->perm, D->n * sizeof *w->perm);
    ts_ckpt_put(b, w->theta, P * sizeof *w->theta);
    ts_ckpt_put(b, t->train_loss, at->next_log * sizeof(double));
    ts_ckpt_put(b, t->test_loss, at->next_log * sizeof(double));
    ts_ckpt_put(b, t->beta_err, at->next_log * sizeof(double));
    ts_ckpt_put(b, t->beta_l1, at->next_log * sizeof(double));
    ts_ckpt_put(b, t->window, t->window_filled * t->d * sizeof(double));
    ts_ckpt_commit(ck, (double)at->k / (double)c->steps);
}

static ts_status restore_state(ts_ckpt *ck, const ts_linear_data *D, const ts_linear_opt_config *c, size_t P,
                               run_at *at, ts_rng *rb, ts_rng *rn, work *w, ts_linear_trace *t, ts_err *err)
{
    ts_ckpt_in in;
    ts_status st = ts_ckpt_open(ck, STATE_TAG, &in, err);
    if (!st) st = ts_ckpt_expect(ck, &in, D->n, "n", err);
    if (!st) st = ts_ckpt_expect(ck, &in, P, "parameters", err);
    if (!st) st = ts_ckpt_expect(ck, &in, t->n_log, "logged steps", err);
    if (!st) st = ts_ckpt_expect(ck, &in, t->n_window * t->d, "window values", err);
    if (!st) st = ts_ckpt_expect(ck, &in, c->steps, "steps", err);
    if (st) return st;
    at->k = ts_ckpt_get_u64(&in);
    at->pos = (size_t)ts_ckpt_get_u64(&in);
    at->next_log = (size_t)ts_ckpt_get_u64(&in);
    t->window_filled = (size_t)ts_ckpt_get_u64(&in);
    t->clipped = ts_ckpt_get_u64(&in);
    if (in.over || at->k > c->steps || at->pos > D->n || at->next_log > t->n_log || t->window_filled > t->n_window)
        return ts_ckpt_reject(ck, err, "the state is at step %llu, log %zu, window row %zu: not a point this task "
                              "passes", (unsigned long long)at->k, at->next_log, t->window_filled);
    ts_ckpt_get(&in, rb, sizeof *rb);
    ts_ckpt_get(&in, rn, sizeof *rn);
    ts_ckpt_get(&in, w->perm, D->n * sizeof *w->perm);
    ts_ckpt_get(&in, w->theta, P * sizeof *w->theta);
    ts_ckpt_get(&in, t->train_loss, at->next_log * sizeof(double));
    ts_ckpt_get(&in, t->test_loss, at->next_log * sizeof(double));
    ts_ckpt_get(&in, t->beta_err, at->next_log * sizeof(double));
    ts_ckpt_get(&in, t->beta_l1, at->next_log * sizeof(double));
    ts_ckpt_get(&in, t->window, t->window_filled * t->d * sizeof(double));
    st = ts_ckpt_close(ck, &in, err);
    if (!st) ts_linear_beta(c->model, D->d, w->theta, w->beta);
    return st;
}

ts_status ts_linear_run(const ts_linear_data *D, const ts_linear_opt_config *c, uint64_t seed,
                        uint64_t task, uint64_t replicate, ts_poll_fn poll, void *poll_ctx,
                        ts_linear_trace *out, ts_err *err)
{
    return ts_linear_run_ckpt(D, c, seed, task, replicate, poll, poll_ctx, NULL, out, err);
}

ts_status ts_linear_run_ckpt(const ts_linear_data *D, const ts_linear_opt_config *c, uint64_t seed,
                             uint64_t task, uint64_t replicate, ts_poll_fn poll, void *poll_ctx, ts_ckpt *ck,
                             ts_linear_trace *out, ts_err *err)
{
    ts_status st = ts_linear_opt_config_check(c, D->n, D->d, err);
    if (st) return st;
    size_t d = D->d, P = ts_linear_n_params(c->model, d);
    ts_rng rb, rn;
    st = ts_rng_init(&rb, seed, task, replicate, TS_PURPOSE_BATCH, err);
    if (!st) st = ts_rng_init(&rn, seed, c->shared_noise ? 0 : task, replicate, TS_PURPOSE_NOISE, err);
    if (st) return st;
    work w;
    if (!work_alloc(&w, D, c, P) || !trace_alloc(out, c, d)) {
        work_free(&w);
        ts_linear_trace_free(out);
        return ts_err_set(err, TS_ENOMEM, "linear: out of memory (d = %zu, n = %zu, B = %zu, steps = %llu)",
                          d, D->n, c->B, (unsigned long long)c->steps);
    }
    for (size_t i = 0; i < D->n; i++) w.perm[i] = i;
    size_t pos = D->n;            /* forces a shuffle before the first batch */
    ts_linear_init(c->model, d, c->a0, w.theta);
    ts_linear_beta(c->model, d, w.theta, w.beta);
    log_point(D, &w, out, 0);
    size_t next_log = 1;
    uint64_t k0 = 0;
    if (ck && ck->state) {
        run_at at;
        st = restore_state(ck, D, c, P, &at, &rb, &rn, &w, out, err);
        if (st) {
            work_free(&w);
            ts_linear_trace_free(out);
            return st;
        }
        k0 = at.k, pos = at.pos, next_log = at.next_log;
    }
    for (uint64_t k = k0; k < c->steps; k++) {
        int ans = poll && k % POLL_EVERY == 0 ? poll(poll_ctx, (double)k / (double)c->steps) : 0;
        if ((ans & TS_POLL_SAVE) && ck) {
            const run_at at = { k, pos, next_log };
            save_state(ck, D, c, P, &at, &rb, &rn, &w, out);
        }
        if (ts_poll_stops(ans)) {
            st = ts_err_set(err, TS_ECANCEL, "linear: cancelled at step %llu", (unsigned long long)k);
            break;
        }
        double eta = c->gamma == 0 ? c->eta : c->eta / pow(1 + (double)k / c->k0, c->gamma);
        const double *Xr, *yr;
        size_t rows;
        next_batch(D, c, &rb, &w, &pos, &Xr, &yr, &rows);
        out->clipped += ts_linear_grad(c->model, Xr, yr, rows, d, w.theta, w.beta, c->clip, w.r, w.gb, w.grad);
        if (c->sigma > 0) {
            ts_rng_normal_block(&rn, P, w.noise);
            cblas_daxpy((int)P, c->sigma, w.noise, 1, w.grad, 1);
        }
        int bad = 0;
        for (size_t j = 0; j < P; j++) {
            w.next[j] = w.theta[j] - eta * w.grad[j];
            bad |= !(fabs(w.next[j]) <= c->bound);    /* also catches NaN */
        }
        uint64_t step = k + 1;
        if (bad) {                /* keep the last finite iterate; mark the rest */
            out->diverged = 1;
            out->diverged_at = (int64_t)step;
            break;
        }
        memcpy(w.theta, w.next, P * sizeof(double));
        ts_linear_beta(c->model, d, w.theta, w.beta);
        if (next_log < out->n_log && step == ts_linear_log_step(c->steps, c->log_every, next_log))
            log_point(D, &w, out, next_log++);
        if (step > c->burnin && (step - c->burnin) % c->thin == 0)
            memcpy(out->window + (out->window_filled++) * d, w.beta, d * sizeof(double));
    }
    for (size_t i = next_log; i < out->n_log; i++)
        out->train_loss[i] = out->test_loss[i] = out->beta_err[i] = out->beta_l1[i] = NAN;   /* not measured */
    memcpy(out->beta, w.beta, d * sizeof(double));
    work_free(&w);
    if (st) ts_linear_trace_free(out);
    return st;
}
