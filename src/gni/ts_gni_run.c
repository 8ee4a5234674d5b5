/* ts_gni_run.c: one GNI training run (ts_gni.h): SGD (or Noisy-SGD, DP-SGD)
 * on the M-sample objective, logging clean losses, measuring the gradient
 * noise of the chosen source and recording raw values of one layer, and,
 * in mimic runs, replacing the implicit effect by draws from the law
 * fitted to it at every step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable.h"
#include "ts_gni_internal.h"

/* The M' draws of a measurement are stacked up to this many rows per pass:
 * larger passes do not run faster, only take more memory. */
enum { ROW_CAP = 8192, ACT_ROWS = 1024 };
#define WS_BYTES ((size_t)512 << 20)

typedef struct {
    const ts_gni_config *c;
    ts_net *net;
    ts_net_work *ws;
    size_t max_rows, B, n_logs, n_weights, act_rows, act_total;
    ts_dataset *train, *test;
    float *bx, *by, *grad, *g1;
    int32_t *bl;
    size_t *perm, pos;
    double *u, *noise, *act, *draws, *z;
    ts_gradnoise_stats *gs;        /* per weight layer, the last measurement */
    ts_fit_ctx **fit;              /* per weight layer, fit mle: the fits carried across steps */
    size_t raw_n, raw_off, raw_nw; /* raw values a step; the raw layer's first value in noise, its size */
    ts_rng r_batch, r_train, r_meas, r_mimic, r_opt;
} run_state;


static void state_free(run_state *s)
{
    for (size_t l = 0; s->fit && l < s->net->n_layers; l++) ts_fit_ctx_free(s->fit[l]);
    free(s->fit);
    ts_net_free(s->net);
    ts_net_work_free(s->ws);
    ts_dataset_free(s->train);
    ts_dataset_free(s->test);
    free(s->bx);
    free(s->by);
    free(s->bl);
    free(s->grad);
    free(s->g1);
    free(s->perm);
    free(s->u);
    free(s->noise);
    free(s->act);
    free(s->draws);
    free(s->z);
    free(s->gs);
}

static ts_status state_init(run_state *s, const ts_gni_config *c, uint64_t seed, uint64_t task, uint64_t rep,
                            ts_err *err)
{
    memset(s, 0, sizeof *s);
    s->c = c;
    ts_rng base;
    ts_net_config nc = ts_gni_net_config(c);
    uint64_t id = c->shared_init ? 0 : task;   /* weights and data: shared by the grid points, or not */
    ts_status st = ts_gni_data_load(c, seed, id, rep, &s->train, &s->test, err);
    if (!st) st = ts_net_alloc(&nc, &s->net, err);
    if (!st) st = ts_rng_init(&base, seed, id, rep, TS_PURPOSE_INIT, err);
    if (st) return st;
    ts_net_init(s->net, &base);
    const ts_net *net = s->net;
    size_t n = s->train->n;
    s->B = c->batch ? c->batch : n;
    /* rows per measurement pass: ROW_CAP, or fewer where rows are large
     * (a CNN's images): the workspace stays within WS_BYTES */
    size_t cap = WS_BYTES / ts_net_row_bytes(net);
    cap = cap < ROW_CAP ? cap : ROW_CAP;
    size_t meas = c->M_prime * s->B < cap ? c->M_prime * s->B : cap;
    s->max_rows = c->M * s->B > meas ? c->M * s->B : meas;
    if (s->max_rows < s->B) s->max_rows = s->B;
    s->n_logs = ts_gni_n_logs(c);
    for (size_t l = 0; l < net->n_layers; l++) {
        if (l == c->raw_layer) s->raw_off = s->n_weights;
        s->n_weights += net->rows[l] * net->cols[l];
    }
    s->raw_nw = net->rows[c->raw_layer] * net->cols[c->raw_layer];
    s->raw_n = ts_gni_raw_count(c);
    s->act_rows = s->B < ACT_ROWS ? s->B : ACT_ROWS;
    for (size_t i = 1; i < net->n_sites; i++) s->act_total += s->act_rows * net->site_size[i];
    st = ts_net_work_alloc(net, s->max_rows, &s->ws, err);
    if (st) return st;
    s->grad = malloc(net->n_params * sizeof *s->grad);
    s->noise = malloc(s->n_weights * sizeof *s->noise);
    s->draws = malloc(s->n_weights * sizeof *s->draws);
    s->act = malloc((s->act_total ? s->act_total : 1) * sizeof *s->act);
    s->gs = calloc(net->n_layers, sizeof *s->gs);
    s->g1 = malloc(net->n_params * sizeof *s->g1);
    if (c->opt != TS_GNI_OPT_SGD) s->z = malloc(net->n_params * sizeof *s->z);
    int ok = s->grad && s->g1 && s->noise && s->draws && s->act && s->gs && (c->opt == TS_GNI_OPT_SGD || s->z);
    if (ok && c->fit == TS_GN_FIT_MLE) {
        ok = (s->fit = calloc(net->n_layers, sizeof *s->fit)) != NULL;
        for (size_t l = 0; ok && l < net->n_layers; l++)
            if ((st = ts_fit_ctx_alloc(c->mle_route, c->mle_max, &s->fit[l], err))) return st;
    }
    if (s->B < n) {   /* minibatches: gather buffers and the epoch permutation */
        s->bx = malloc(s->B * s->train->d * sizeof *s->bx);
        if (s->train->d_out) s->by = malloc(s->B * s->train->d_out * sizeof *s->by);
        else s->bl = malloc(s->B * sizeof *s->bl);
        s->perm = malloc(n * sizeof *s->perm);
        s->u = malloc(n * sizeof *s->u);
        ok = ok && s->bx && (s->by || s->bl) && s->perm && s->u;
        s->pos = n;   /* shuffle before the first batch */
        for (size_t i = 0; i < n; i++) s->perm[i] = i;
    }
    if (!ok) return ts_err_set(err, TS_ENOMEM, "gni: out of memory for a network of %zu parameters, batch %zu",
                               net->n_params, s->B);
    st = ts_rng_init(&s->r_batch, seed, task, rep, TS_PURPOSE_BATCH, err);
    if (!st) st = ts_rng_init(&base, seed, task, rep, TS_PURPOSE_NOISE, err);
    if (!st) st = ts_rng_substream(&s->r_train, &base, 0, err);
    if (!st) st = ts_rng_substream(&s->r_meas, &base, 1, err);
    if (!st) st = ts_rng_substream(&s->r_mimic, &base, 2, err);
    if (!st) st = ts_rng_substream(&s->r_opt, &base, 3, err);
    return st;
}

static ts_batch whole(const ts_dataset *d, size_t n)
{
    return (ts_batch){ n, d->x, d->y, d->label };
}

/* Minibatches without replacement within an epoch: a fresh Fisher-Yates
 * permutation whenever fewer than B examples remain (the remainder is
 * dropped, so every batch has B examples). Full batch: the dataset itself. */
static ts_batch next_batch(run_state *s)
{
    const ts_dataset *d = s->train;
    size_t n = d->n;
    if (s->B == n) return whole(d, n);
    if (s->pos + s->B > n) {
        ts_rng_uniform_block(&s->r_batch, n, s->u);
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)(s->u[i] * (double)(i + 1));
            if (j > i) j = i;
            size_t t = s->perm[i];
            s->perm[i] = s->perm[j];
            s->perm[j] = t;
        }
        s->pos = 0;
    }
    for (size_t i = 0; i < s->B; i++) {
        size_t k = s->perm[s->pos + i];
        memcpy(s->bx + i * d->d, d->x + k * d->d, d->d * sizeof(float));
        if (d->d_out) memcpy(s->by + i * d->d_out, d->y + k * d->d_out, d->d_out * sizeof(float));
        else s->bl[i] = d->label[k];
    }
    s->pos += s->B;
    return (ts_batch){ s->B, s->bx, s->by, s->bl };
}

/* Missing values (not measured, undefined, after a blow-up) are NaN. */
static void fill_na(double *a, size_t n)
{
    if (a)
        for (size_t i = 0; i < n; i++) a[i] = NAN;
}

/* The output arrays, in a fixed order, with their lengths (NULL: absent):
 * what out_init fills and a checkpoint carries. */
static size_t out_arrays(const run_state *s, ts_gni_out *o, double **a, size_t *n)
{
    size_t K = s->n_logs, L = s->net->n_layers, H = s->net->n_sites - 1, m = 0;
    double *k1[] = { o->train_loss, o->test_loss, o->train_acc, o->test_acc };
    double *lk[] = { o->gn_mean, o->gn_skew, o->gn_kurt, o->gn_tail, o->gn_alpha, o->gn_beta, o->gn_scale, o->gn_valid };
    double *hk[] = { o->act_skew, o->act_kurt, o->act_valid };
    for (size_t i = 0; i < 4; i++) a[m] = k1[i], n[m++] = K;
    for (size_t i = 0; i < 8; i++) a[m] = lk[i], n[m++] = L * K;
    for (size_t i = 0; i < 3; i++) a[m] = hk[i], n[m++] = H * K;
    a[m] = o->gn_raw, n[m++] = s->c->n_raw * s->c->raw_max;
    return m;
}

static void out_init(const run_state *s, ts_gni_out *o)
{
    double *a[16];
    size_t n[16], m = out_arrays(s, o, a, n);
    for (size_t i = 0; i < m; i++) {
        if (a[i] && (a[i] == o->gn_valid || a[i] == o->act_valid))
            memset(a[i], 0, n[i] * sizeof *a[i]);   /* validity bits: 0, nothing measured yet */
        else
            fill_na(a[i], n[i]);
    }
    o->final_train_loss = o->final_test_loss = o->final_train_acc = o->final_test_acc = NAN;
    o->explicit_reg = o->explicit_reg_mc = NAN;
    o->diverged_at = -1;
}

static size_t n_eval(const run_state *s)
{
    size_t n = s->train->n;
    return s->c->n_eval && s->c->n_eval < n ? s->c->n_eval : n;
}

/* Clean losses (and accuracies) at log k. */
static ts_status evaluate(run_state *s, size_t k, ts_gni_out *o, ts_err *err)
{
    ts_batch tr = whole(s->train, n_eval(s)), te = whole(s->test, s->test->n);
    int cls = s->train->d_out == 0;
    double l1, l2, a1 = 0, a2 = 0;
    ts_status st = ts_net_evaluate(s->net, s->ws, &tr, &l1, cls ? &a1 : NULL, err);
    if (!st) st = ts_net_evaluate(s->net, s->ws, &te, &l2, cls ? &a2 : NULL, err);
    if (st) return st;   /* nothing half-written: a blow-up leaves NaN */
    o->train_loss[k] = l1;
    o->test_loss[k] = l2;
    if (cls && o->train_acc) o->train_acc[k] = a1;
    if (cls && o->test_acc) o->test_acc[k] = a2;
    return TS_OK;
}

/* The raw layer's values of this step's noise, at raw step `step` (if it
 * is one): evenly spaced when the layer has more than raw_max weights. */
static void record_raw(const run_state *s, uint64_t step, ts_gni_out *o)
{
    const ts_gni_config *c = s->c;
    for (size_t r = 0; o->gn_raw && r < c->n_raw; r++) {
        if (c->raw_steps[r] != step) continue;
        const double *v = s->noise + s->raw_off;
        double *dst = o->gn_raw + r * c->raw_max;
        for (size_t j = 0; j < s->raw_n; j++) dst[j] = v[(size_t)((double)j * (double)s->raw_nw / (double)s->raw_n)];
    }
}

/* Measure the gradient noise of the configured source on batch b, fit each
 * layer (s->gs) and, when k >= 0, record the statistics (and raw values) at
 * log k, step `step`. Batch noise with the full batch is 0 by definition:
 * it is not measured and its statistics stay missing (the activation
 * perturbation still is). */
static ts_status measure(run_state *s, const ts_batch *b, long k, uint64_t step, ts_gni_out *o, ts_err *err)
{
    const ts_net *net = s->net;
    const ts_gni_config *c = s->c;
    int want_act = k >= 0 && o->act_skew;
    int want_noise = !(c->source == TS_GNI_SOURCE_BATCH && s->B == s->train->n);
    if (!want_noise && !want_act) return TS_OK;
    ts_batch all = whole(s->train, s->train->n);
    ts_status st = ts_gni_measure_source(net, s->ws, s->max_rows, c->source, b, &all, &c->noise, c->M_prime,
                                         &s->r_meas, want_noise ? s->noise : NULL, want_act ? s->act : NULL,
                                         s->act_rows, err);
    if (!st && k >= 0 && want_noise) record_raw(s, step, o);
    size_t K = s->n_logs, off = 0;
    for (size_t l = 0; l < net->n_layers && !st && want_noise; l++) {
        size_t nw = net->rows[l] * net->cols[l];
        ts_gradnoise_stats *g = &s->gs[l];
        st = ts_gradnoise_stats_compute_ctx(s->noise + off, nw, c->fit, c->mle_max, s->fit ? s->fit[l] : NULL, g, err);
        off += nw;
        if (st || k < 0) continue;
        size_t i = l * K + (size_t)k;
        o->gn_mean[i] = g->mean;
        o->gn_skew[i] = g->skew;
        o->gn_kurt[i] = g->kurt;
        o->gn_tail[i] = g->tail_index;
        o->gn_alpha[i] = g->alpha;
        o->gn_beta[i] = g->beta;
        o->gn_scale[i] = g->scale;
        o->gn_valid[i] = g->valid;
    }
    off = 0;
    for (size_t h = 0; h + 1 < net->n_sites && want_act && !st; h++) {
        size_t n = s->act_rows * net->site_size[h + 1], i = h * K + (size_t)k;
        double mean;
        o->act_valid[i] = ts_gradnoise_moments(s->act + off, n, &mean, &o->act_skew[i], &o->act_kurt[i]);
        off += n;
    }
    return st;
}

/* Mimic (paper figure 4): add to each weight gradient a draw from the law
 * fitted to this step's M = 1 implicit-effect noise of its layer; a layer
 * whose fit is not defined (e.g. all-zero noise) gets nothing. The
 * shuffled control adds the layer's noise values themselves, permuted.
 *
 * Truncation (mimic_truncate, default on): the measured noise is
 * sub-exponential (theorem 3.1) and every step's sample of it has a finite
 * range, but a stable fit with alpha ~1.1 has infinite variance: among
 * millions of draws over a run its largest are ~10^6 times the scale and
 * blow the training up (docs/gni.md). Clipping each draw to [min, max] of
 * the noise measured in that layer at that step keeps the fitted law's
 * body, skew and tail shape up to the largest value the real noise
 * reached, and never adds a kick larger than the implicit effect itself
 * produced. */
static ts_status mimic_add(run_state *s, ts_err *err)
{
    const ts_net *net = s->net;
    /* off: the layer's first value in s->noise (layers in order, weights only) */
    for (size_t l = 0, off = 0; l < net->n_layers; off += net->rows[l] * net->cols[l], l++) {
        const ts_gradnoise_stats *g = &s->gs[l];
        size_t nw = net->rows[l] * net->cols[l];
        if (s->c->mimic == TS_GNI_MIMIC_STABLE) {
            if (!(g->valid & TS_GN_VALID_FIT)) continue;
            ts_stable law;
            ts_status st = ts_stable_init(&law, g->alpha, g->beta, g->scale, g->loc, TS_S0, err);
            if (st) return st;
            ts_stable_fill(&law, &s->r_mimic, nw, s->draws);
            if (s->c->mimic_truncate) {
                const double *nz = s->noise + off;
                double lo = nz[0], hi = nz[0];
                for (size_t j = 1; j < nw; j++) {
                    lo = nz[j] < lo ? nz[j] : lo;
                    hi = nz[j] > hi ? nz[j] : hi;
                }
                for (size_t j = 0; j < nw; j++) s->draws[j] = s->draws[j] < lo ? lo : s->draws[j] > hi ? hi : s->draws[j];
            }
        } else if (s->c->mimic == TS_GNI_MIMIC_SHUFFLED) {
            /* Fisher-Yates over the layer's own noise values */
            memcpy(s->draws, s->noise + off, nw * sizeof *s->draws);
            for (size_t j = nw - 1; j > 0; j--) {
                size_t i = (size_t)(ts_rng_uniform(&s->r_mimic) * (double)(j + 1));
                double t = s->draws[j];
                s->draws[j] = s->draws[i];
                s->draws[i] = t;
            }
        } else {
            if (!(g->valid & TS_GN_VALID_MOMENTS)) continue;
            ts_rng_normal_block(&s->r_mimic, nw, s->draws);
            for (size_t j = 0; j < nw; j++) s->draws[j] = fma(g->sd, s->draws[j], g->mean);
        }
        float *gw = s->grad + net->off_w[l];
        for (size_t j = 0; j < nw; j++) gw[j] = (float)(gw[j] + s->draws[j]);
    }
    return TS_OK;
}

/* Explicit effect at the end: R (the closed form of Camuto et al. 2020,
 * ts_net_explicit_reg) and E_e[L~] - L(clean) over M' draws, both on the
 * training evaluation set. */
static ts_status explicit_effect(run_state *s, ts_gni_out *o, ts_err *err)
{
    const ts_gni_config *c = s->c;
    size_t ne = n_eval(s);
    o->explicit_reg = o->explicit_reg_mc = 0;
    if (!ts_gni_noisy(&c->noise)) return TS_OK;
    ts_batch all = whole(s->train, ne);
    double clean, noisy_mean = 0, reg = 0, v;
    ts_status st = ts_net_evaluate(s->net, s->ws, &all, &clean, NULL, err);
    size_t chunk = ne < s->max_rows ? ne : s->max_rows;
    for (size_t a = 0; a < ne && !st; a += chunk) {
        size_t cb = ne - a < chunk ? ne - a : chunk, mc = s->max_rows / cb;
        const ts_dataset *d = s->train;
        ts_batch b = { cb, d->x + a * d->d, d->y ? d->y + a * d->d_out : NULL, d->label ? d->label + a : NULL };
        st = ts_net_explicit_reg(s->net, s->ws, &b, &c->noise, &v, err);
        reg += v * (double)cb / (double)ne;
        if (mc > c->M_prime) mc = c->M_prime;
        for (size_t done = 0; done < c->M_prime && !st; done += mc) {
            size_t m = c->M_prime - done < mc ? c->M_prime - done : mc;
            st = ts_net_noise_draw(s->net, s->ws, &c->noise, cb, m, &s->r_meas, err);
            if (!st) st = ts_net_loss_grad(s->net, s->ws, &b, m, &c->noise, NULL, &v, err);
            noisy_mean += v * ((double)m / (double)c->M_prime) * ((double)cb / (double)ne);
        }
    }
    if (st) return st;
    o->explicit_reg_mc = noisy_mean - clean;
    o->explicit_reg = reg;
    return TS_OK;
}

/* Mimic with mimic_mean training: the M = 1 implicit-effect noise as the
 * gradient of one fresh draw minus this step's own M-sample gradient (in
 * s->grad), each layer fitted into s->gs. The M-sample gradient is the mean
 * over M draws, so the noise's spread is that of the M' = M measurement,
 * sqrt(1 + 1/M) times the exact one, at the cost of one pass of B rows
 * instead of M + 1 (docs/gni.md). */
static ts_status measure_from_training(run_state *s, const ts_batch *b, ts_err *err)
{
    const ts_net *net = s->net;
    double loss;
    ts_status st = ts_net_noise_draw(net, s->ws, &s->c->noise, b->n, 1, &s->r_meas, err);
    if (!st) st = ts_net_loss_grad(net, s->ws, b, 1, &s->c->noise, s->g1, &loss, err);
    for (size_t l = 0, off = 0; l < net->n_layers && !st; l++) {
        size_t nw = net->rows[l] * net->cols[l], w = net->off_w[l];
        for (size_t j = 0; j < nw; j++) s->noise[off + j] = (double)s->g1[w + j] - (double)s->grad[w + j];
        if (s->c->mimic != TS_GNI_MIMIC_SHUFFLED)   /* the control needs the values, not a fit */
            st = ts_gradnoise_stats_compute_ctx(s->noise + off, nw, s->c->fit, s->c->mle_max, s->fit ? s->fit[l] : NULL,
                                            &s->gs[l], err);
        off += nw;
    }
    return st;
}

/* One step of the optimiser on the objective: the M-sample noisy loss, or L + R. */
static ts_status train_step(run_state *s, const ts_batch *b, uint64_t step, ts_err *err)
{
    const ts_gni_config *c = s->c;
    double loss;
    if (s->z) ts_rng_normal_block(&s->r_opt, s->net->n_params, s->z);
    ts_status st = ts_gni_opt_grad(c, s->net, s->ws, b, &s->r_train, s->z, s->grad, &loss, err);
    if (!st && c->mimic != TS_GNI_MIMIC_NONE && c->mimic_mean == TS_GNI_MIMIC_MEAN_TRAINING)
        st = measure_from_training(s, b, err);
    if (!st && c->mimic != TS_GNI_MIMIC_NONE) st = mimic_add(s, err);
    if (st) return st;
    double lr = c->lr_gamma > 0 ? c->lr / pow(1 + (double)step / c->lr_k0, c->lr_gamma) : c->lr;
    ts_net_sgd_step(s->net, s->grad, (float)lr);
    return TS_OK;
}

/* ---- checkpoints: the whole state at a step's poll -------------------------
 * "gni/1", taken after the step's batch was drawn and its log and noise
 * measured, before its optimiser step: the sizes it was made for, the step
 * and the logs done, the weights, the five streams, the epoch's
 * permutation and position and the batch itself, the last measurement
 * (which mimic draws from), with fit mle the estimate each layer's next fit
 * starts from (its cached density tables only save time), and every output
 * logged so far. */
#define STATE_TAG "gni/1"

static void batch_parts(const run_state *s, void **p, size_t *n)
{
    const ts_dataset *d = s->train;
    int mini = s->B < d->n;
    p[0] = mini ? s->perm : NULL, n[0] = mini ? d->n * sizeof *s->perm : 0;
    p[1] = mini ? s->bx : NULL, n[1] = mini ? s->B * d->d * sizeof *s->bx : 0;
    p[2] = mini ? s->by : NULL, n[2] = mini && s->by ? s->B * d->d_out * sizeof *s->by : 0;
    p[3] = mini ? s->bl : NULL, n[3] = mini && s->bl ? s->B * sizeof *s->bl : 0;
}

static void save_state(ts_ckpt *ck, run_state *s, uint64_t step, size_t k, ts_gni_out *o)
{
    ts_ckpt_buf *b = ts_ckpt_begin(ck);
    const ts_net *net = s->net;
    ts_ckpt_put_tag(b, STATE_TAG);
    ts_ckpt_put_u64(b, net->n_params);
    ts_ckpt_put_u64(b, s->n_logs);
    ts_ckpt_put_u64(b, s->train->n);
    ts_ckpt_put_u64(b, s->B);
    ts_ckpt_put_u64(b, s->c->steps);
    ts_ckpt_put_u64(b, step);
    ts_ckpt_put_u64(b, k);
    ts_ckpt_put_u64(b, s->pos);
    ts_ckpt_put(b, net->w, net->n_params * sizeof *net->w);
    const ts_rng *r[] = { &s->r_batch, &s->r_train, &s->r_meas, &s->r_mimic, &s->r_opt };
    for (size_t i = 0; i < 5; i++) ts_ckpt_put(b, r[i], sizeof *r[i]);
    void *bp[4];
    size_t bn[4];
    batch_parts(s, bp, bn);
    for (size_t i = 0; i < 4; i++) ts_ckpt_put(b, bp[i], bn[i]);
    ts_ckpt_put(b, s->gs, net->n_layers * sizeof *s->gs);
    ts_ckpt_put(b, s->noise, s->n_weights * sizeof *s->noise);
    for (size_t l = 0; s->fit && l < net->n_layers; l++) {   /* fit mle: the estimate the next fit starts from */
        int have;
        double th[4];
        ts_fit_ctx_get_estimate(s->fit[l], &have, th);
        ts_ckpt_put_u64(b, (uint64_t)have);
        ts_ckpt_put(b, th, sizeof th);
    }
    double *a[16];
    size_t n[16], m = out_arrays(s, o, a, n);
    for (size_t i = 0; i < m; i++)
        if (a[i]) ts_ckpt_put(b, a[i], n[i] * sizeof *a[i]);
    ts_ckpt_commit(ck, (double)step / (double)s->c->steps);
}

static ts_status restore_state(ts_ckpt *ck, run_state *s, uint64_t *step, size_t *k, ts_gni_out *o, ts_err *err)
{
    const ts_net *net = s->net;
    ts_ckpt_in in;
    ts_status st = ts_ckpt_open(ck, STATE_TAG, &in, err);
    if (!st) st = ts_ckpt_expect(ck, &in, net->n_params, "parameters", err);
    if (!st) st = ts_ckpt_expect(ck, &in, s->n_logs, "logged steps", err);
    if (!st) st = ts_ckpt_expect(ck, &in, s->train->n, "n_train", err);
    if (!st) st = ts_ckpt_expect(ck, &in, s->B, "batch", err);
    if (!st) st = ts_ckpt_expect(ck, &in, s->c->steps, "steps", err);
    if (st) return st;
    *step = ts_ckpt_get_u64(&in);
    *k = (size_t)ts_ckpt_get_u64(&in);
    s->pos = (size_t)ts_ckpt_get_u64(&in);
    if (in.over || *step >= s->c->steps || *k > s->n_logs || s->pos > s->train->n)
        return ts_ckpt_reject(ck, err, "the state is at step %llu, log %zu: not a point this task passes",
                              (unsigned long long)*step, *k);
    ts_ckpt_get(&in, net->w, net->n_params * sizeof *net->w);
    ts_rng *r[] = { &s->r_batch, &s->r_train, &s->r_meas, &s->r_mimic, &s->r_opt };
    for (size_t i = 0; i < 5; i++) ts_ckpt_get(&in, r[i], sizeof *r[i]);
    void *bp[4];
    size_t bn[4];
    batch_parts(s, bp, bn);
    for (size_t i = 0; i < 4; i++)
        if (bp[i]) ts_ckpt_get(&in, bp[i], bn[i]);
    ts_ckpt_get(&in, s->gs, net->n_layers * sizeof *s->gs);
    ts_ckpt_get(&in, s->noise, s->n_weights * sizeof *s->noise);
    for (size_t l = 0; s->fit && l < net->n_layers; l++) {
        int have = ts_ckpt_get_u64(&in) != 0;
        double th[4];
        ts_ckpt_get(&in, th, sizeof th);
        ts_fit_ctx_set_estimate(s->fit[l], have, th);
    }
    double *a[16];
    size_t n[16], m = out_arrays(s, o, a, n);
    for (size_t i = 0; i < m; i++)
        if (a[i]) ts_ckpt_get(&in, a[i], n[i] * sizeof *a[i]);
    return ts_ckpt_close(ck, &in, err);
}

/* The batch a restored state was at. */
static ts_batch current_batch(const run_state *s)
{
    if (s->B == s->train->n) return whole(s->train, s->train->n);
    return (ts_batch){ s->B, s->bx, s->by, s->bl };
}

ts_status ts_gni_run(const ts_gni_config *cfg, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_poll_fn poll, void *ctx, ts_gni_out *o, ts_err *err)
{
    return ts_gni_run_ckpt(cfg, seed, task, replicate, poll, ctx, NULL, o, err);
}

ts_status ts_gni_run_ckpt(const ts_gni_config *cfg, uint64_t seed, uint64_t task, uint64_t replicate,
                          ts_poll_fn poll, void *ctx, ts_ckpt *ck, ts_gni_out *o, ts_err *err)
{
    ts_gni_config checked = *cfg, *c = &checked;   /* the check fills n_in, n_out from the data */
    ts_status st = ts_gni_config_check(c, err);
    if (st) return st;
    run_state s;
    st = state_init(&s, c, seed, task, replicate, err);
    if (st) {
        state_free(&s);
        return st;
    }
    out_init(&s, o);
    size_t k = 0;
    uint64_t step0 = 0;
    int resumed = ck && ck->state;
    if (resumed) st = restore_state(ck, &s, &step0, &k, o, err);
    for (uint64_t step = step0; !st; step++) {
        /* a restored state goes on after its step's poll */
        ts_batch b = resumed ? current_batch(&s) : next_batch(&s);
        int logged = !resumed && k < s.n_logs && step == ts_gni_log_step(c, k);
        int gn_due = logged && ts_gni_measured_step(c, step);
        if (logged) st = evaluate(&s, k, o, err);
        int mimic_fresh = c->mimic != TS_GNI_MIMIC_NONE && c->mimic_mean == TS_GNI_MIMIC_MEAN_FRESH;
        if (!st && !resumed && (gn_due || (mimic_fresh && step < c->steps)))
            st = measure(&s, &b, gn_due ? (long)k : -1, step, o, err);
        if (logged) k++;
        int ans = !st && !resumed && step < c->steps && poll ? poll(ctx, (double)step / (double)c->steps) : 0;
        if ((ans & TS_POLL_SAVE) && ck) save_state(ck, &s, step, k, o);
        if (ts_poll_stops(ans)) st = ts_err_set(err, TS_ECANCEL, "gni: cancelled at step %llu", (unsigned long long)step);
        resumed = 0;
        if (!st && step < c->steps) st = train_step(&s, &b, step, err);
        if (st == TS_ENUMERIC) o->diverged_at = (int64_t)step;
        if (st || step == c->steps) break;
    }
    if (st == TS_ENUMERIC) {
        /* a blow-up is a result, not a failure: the values logged before it
         * stay, everything after it is missing (NaN) */
        ts_err_clear(err);
        st = TS_OK;
    } else if (!st) {
        size_t last = s.n_logs - 1;
        o->final_train_loss = o->train_loss[last];
        o->final_test_loss = o->test_loss[last];
        if (o->train_acc) o->final_train_acc = o->train_acc[last];
        if (o->test_acc) o->final_test_acc = o->test_acc[last];
        st = explicit_effect(&s, o, err);
        if (st == TS_ENUMERIC) {
            o->diverged_at = (int64_t)c->steps;
            o->explicit_reg = o->explicit_reg_mc = NAN;
            ts_err_clear(err);
            st = TS_OK;
        }
    }
    state_free(&s);
    return st;
}
