/* ts_cnn_pass.c: forward, loss and backward of the CNN over the M B stacked
 * images, chunk by chunk, and the checked entry points built on it.
 *
 * Site s feeds weight layer s: site 0 (the input) the first convolution,
 * site l the next block or, after the last block, the first dense layer.
 *
 * Forward, block l: z = conv(h~_l) (oneDNN, no bias); the 2 x 2 max-pool of
 * z goes straight into the site's activation buffer; one fused pass adds
 * the bias, applies the activation and writes the injected copy
 * (ts_mlp_bias_act, with the pooled image as (images x rows x columns)
 * rows of C channels). Dense layers as in the MLP (ts_mlp_pass.c).
 * Backward, block l, from the gradient d of its injected output: one fused
 * pass d <- d * noise factor * act', with the channel sums (the bias
 * gradient) in the same pass (ts_mlp_back_act); the pooling's backward
 * routes d to the maxima; oneDNN's weight and data gradients of the
 * convolution follow. Weight gradients of a chunk are added to grad (the
 * first chunk writes it); bias gradients are summed in double.
 *
 * Scaling: d out is dscale (1/R) times the per-row loss gradient, so every
 * gradient is the mean over the R stacked rows: the mean over the M copies
 * of each copy's batch-mean gradient. */
#include <math.h>
#include <string.h>

#include "ts_cnn_internal.h"
#include "ts_mlp_internal.h"

/* Rows [r0 + k, r0 + k + run) are consecutive examples from ex on: a run
 * ends where a copy of the batch ends. */
static size_t run_len(size_t r0, size_t k, size_t n, size_t B, size_t *ex)
{
    *ex = (r0 + k) % B;
    return B - *ex < n - k ? B - *ex : n - k;
}

const float *ts_cnn_site_in(const ts_cnn_chunk *c, size_t l)
{
    if (l == 0) return c->x0;
    return c->noisy ? c->ws->inj[l] : c->ws->act[l] + c->r0 * c->net->site_size[l];
}

static const float *site_noise(const ts_cnn_chunk *c, size_t site)
{
    return c->noisy ? c->ws->noise[site] + c->r0 * c->net->site_size[site] : NULL;
}

static void chunk_input(ts_cnn_chunk *c)
{
    const ts_cnn *net = c->net;
    ts_cnn_work *ws = c->ws;
    const size_t in = net->site_size[0], B = c->b->n;
    const int inject = c->noisy && ws->noise_on[0];
    size_t ex0 = c->r0 % B;
    if (!inject && ex0 + c->n <= B) {   /* one stretch of the batch: use it in place */
        c->x0 = c->b->x + ex0 * in;
        return;
    }
    for (size_t k = 0, ex, run; k < c->n; k += run) {
        run = run_len(c->r0, k, c->n, B, &ex);
        if (inject)
            ts_mlp_inject(c->type, c->s, c->b->x + ex * in, ws->noise[0] + (c->r0 + k) * in, ws->in0 + k * in, run * in);
        else
            memcpy(ws->in0 + k * in, c->b->x + ex * in, run * in * sizeof(float));
    }
    c->x0 = ws->in0;
}

ts_status ts_cnn_forward(ts_cnn_chunk *c, ts_err *err)
{
    const ts_cnn *net = c->net;
    ts_cnn_work *ws = c->ws;
    const size_t nc = net->cfg.n_conv, L = net->n_layers, n = c->n;
    const ts_activation act = net->cfg.act;
    chunk_input(c);
    ts_status st = TS_OK;
    for (size_t l = 0; l < nc && !st; l++) {
        ts_cnn_block_prims *bp = &c->p->blk[l];
        const size_t site = l + 1, sz = net->site_size[site];
        float *a = ws->act[site] + c->r0 * sz;
        ts_cnn_bind(bp->src, ts_cnn_site_in(c, l));
        ts_cnn_bind(bp->z, ws->z[l]);
        ts_cnn_bind(bp->pooled, a);
        dnnl_exec_arg_t cf[] = { { DNNL_ARG_SRC, bp->src }, { DNNL_ARG_WEIGHTS, bp->w_for_fwd }, { DNNL_ARG_DST, bp->z } };
        dnnl_exec_arg_t pf[] = { { DNNL_ARG_SRC, bp->z }, { DNNL_ARG_DST, bp->pooled }, { DNNL_ARG_WORKSPACE, bp->pool_ws } };
        st = ts_cnn_exec(bp->conv_fwd, 3, cf, "convolution", err);
        if (!st) st = ts_cnn_exec(bp->pool_fwd, bp->pool_ws ? 3 : 2, pf, "max-pooling", err);
        if (!st)
            ts_mlp_bias_act(act, a, net->w + net->off_b[l], n * net->site_h[site] * net->site_w[site],
                            net->site_c[site], c->type, c->s, site_noise(c, site), c->noisy ? ws->inj[site] : NULL);
    }
    for (size_t l = nc; l < L && !st; l++) {
        const size_t rows = net->rows[l], cols = net->cols[l];
        const int hidden = l + 1 < L;
        float *z = hidden ? ws->act[l + 1] + c->r0 * rows : ws->out;
        ts_mlp_sgemm(0, 1, n, rows, cols, 1.0f, ts_cnn_site_in(c, l), cols, net->w + net->off_w[l], cols, 0.0f, z, rows);
        if (hidden)
            ts_mlp_bias_act(act, z, net->w + net->off_b[l], n, rows, c->type, c->s, site_noise(c, l + 1),
                            c->noisy ? ws->inj[l + 1] : NULL);
        else
            ts_mlp_bias(z, net->w + net->off_b[l], n, rows);
    }
    return st;
}

/* Back through site l >= 1: d (the gradient of the site's injected
 * output, n x site_size) becomes that of its pre-activation, d * noise
 * factor * act', with the bias gradient of the layer below summed in the
 * same pass; the regulariser's extra adjoints, if any, join here. */
static void back_site(const ts_cnn_chunk *c, size_t l, float *d)
{
    const ts_cnn *net = c->net;
    ts_cnn_work *ws = c->ws;
    const size_t px = c->n * net->site_h[l] * net->site_w[l], ch = net->site_c[l], nv = px * ch;
    double *acc = ws->colsum + ws->colsum_off[l - 1];
    if (c->hbar && c->hbar[l]) {
        const float *hb = c->hbar[l];
#pragma omp simd
        for (size_t i = 0; i < nv; i++) d[i] = d[i] + hb[i];
    }
    ts_mlp_back_act(net->cfg.act, c->type, c->s, site_noise(c, l), ws->act[l] + c->r0 * net->site_size[l], d, px,
                    ch, acc);
    if (c->ybar && c->ybar[l]) {
        const float *yb = c->ybar[l];
#pragma omp simd
        for (size_t i = 0; i < nv; i++) d[i] = d[i] + yb[i];
        ts_mlp_colsum_add(yb, px, ch, acc);
    }
}

/* Adds (or, first chunk, writes) n weight-gradient values. */
static void accumulate(float *g, const float *v, size_t n, int first)
{
    if (first) {
        memcpy(g, v, n * sizeof *g);
        return;
    }
#pragma omp simd
    for (size_t i = 0; i < n; i++) g[i] = g[i] + v[i];
}

/* Backward from d out (in ws->d0) to every weight. */
ts_status ts_cnn_backward(ts_cnn_chunk *c, float *grad, ts_err *err)
{
    const ts_cnn *net = c->net;
    ts_cnn_work *ws = c->ws;
    const size_t nc = net->cfg.n_conv, L = net->n_layers, n = c->n;
    const int first = c->r0 == 0;
    float *dz = ws->d0, *dh = ws->d1;
    ts_mlp_colsum_add(dz, n, net->cfg.n_out, ws->colsum + ws->colsum_off[L - 1]);
    /* dense layers and the output: dz is the gradient of the layer's pre-activation */
    for (size_t l = L; l-- > nc;) {
        const size_t rows = net->rows[l], cols = net->cols[l];
        ts_mlp_sgemm(1, 0, rows, cols, n, 1.0f, dz, rows, ts_cnn_site_in(c, l), cols, first ? 0.0f : 1.0f,
                     grad + net->off_w[l], cols);
        if (l == 0) return TS_OK;   /* no convolutions: nothing below the input */
        ts_mlp_sgemm(0, 0, n, cols, rows, 1.0f, dz, rows, net->w + net->off_w[l], cols, 0.0f, dh, cols);
        back_site(c, l, dh);
        float *t = dz;
        dz = dh;
        dh = t;
    }
    /* dz: the gradient of the last block's pooled pre-activation */
    ts_status st = TS_OK;
    for (size_t l = nc; l-- > 0 && !st;) {
        ts_cnn_block_prims *bp = &c->p->blk[l];
        ts_cnn_bind(bp->dpooled, dz);
        ts_cnn_bind(bp->dz, dh);
        ts_cnn_bind(bp->src, ts_cnn_site_in(c, l));
        ts_cnn_bind(bp->dw_user, ws->wtmp);
        dnnl_exec_arg_t pb[] = { { DNNL_ARG_DIFF_DST, bp->dpooled }, { DNNL_ARG_DIFF_SRC, bp->dz },
                                 { DNNL_ARG_WORKSPACE, bp->pool_ws } };
        dnnl_exec_arg_t cw[] = { { DNNL_ARG_SRC, bp->src }, { DNNL_ARG_DIFF_DST, bp->dz },
                                 { DNNL_ARG_DIFF_WEIGHTS, bp->dw_for_bwd } };
        st = ts_cnn_exec(bp->pool_bwd, bp->pool_ws ? 3 : 2, pb, "max-pooling gradient", err);
        if (!st) st = ts_cnn_exec(bp->conv_bwd_w, 3, cw, "convolution weight gradient", err);
        if (!st && bp->dw_to_user) {
            dnnl_exec_arg_t ro[] = { { DNNL_ARG_FROM, bp->dw_conv }, { DNNL_ARG_TO, bp->dw_user } };
            st = ts_cnn_exec(bp->dw_to_user, 2, ro, "weight-gradient reorder", err);
        }
        if (st) break;
        accumulate(grad + net->off_w[l], ws->wtmp, net->rows[l] * net->cols[l], first);
        if (l == 0) break;
        ts_cnn_bind(bp->dsrc, dz);
        dnnl_exec_arg_t cd[] = { { DNNL_ARG_DIFF_DST, bp->dz }, { DNNL_ARG_WEIGHTS, bp->w_for_bwd_data },
                                 { DNNL_ARG_DIFF_SRC, bp->dsrc } };
        st = ts_cnn_exec(bp->conv_bwd_data, 3, cd, "convolution data gradient", err);
        if (!st) back_site(c, l, dz);
    }
    return st;
}

ts_status ts_cnn_chunk_begin(ts_cnn_chunk *c, size_t r0, size_t n, ts_err *err)
{
    c->r0 = r0;
    c->n = n;
    ts_status st = ts_cnn_prims_get(c->net, c->ws, n, &c->p, err);
    if (!st) st = ts_cnn_prims_load_weights(c->net, c->ws, c->p, err);
    return st;
}

ts_status ts_cnn_pass(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, size_t M, const ts_noise_config *nz,
                      float *grad, float dscale, double *sum, size_t *correct, ts_err *err)
{
    const size_t R = b->n * M, L = net->n_layers;
    const int noisy = ts_mlp_noise_active(nz);
    ts_cnn_chunk c = {
        .net = net, .ws = ws, .b = b, .noisy = noisy,
        .type = noisy ? nz->type : TS_NOISE_NONE, .s = noisy ? (float)sqrt(nz->sigma2) : 0.0f,
    };
    ws->pass++;
    if (grad)
        for (size_t j = 0; j < ws->colsum_off[L - 1] + net->rows[L - 1]; j++) ws->colsum[j] = 0.0;
    double total = 0.0;
    size_t right = 0;
    ts_status st = TS_OK;
    for (size_t r0 = 0; r0 < R && !st; r0 += TS_CNN_CHUNK) {
        st = ts_cnn_chunk_begin(&c, r0, R - r0 < TS_CNN_CHUNK ? R - r0 : TS_CNN_CHUNK, err);
        if (!st) st = ts_cnn_forward(&c, err);
        if (st) break;
        total += ts_nn_loss_rows(net->cfg.loss, net->cfg.n_out, ws->out, b, r0, c.n, grad ? ws->d0 : NULL, dscale,
                                 &right);
        if (grad) st = ts_cnn_backward(&c, grad, err);
    }
    if (st) return st;
    if (grad)
        for (size_t l = 0; l < L; l++)
            for (size_t j = 0; j < net->rows[l]; j++) grad[net->off_b[l] + j] = (float)ws->colsum[ws->colsum_off[l] + j];
    *sum = total;
    if (correct) *correct = right;
    return TS_OK;
}

ts_status ts_cnn_loss_grad(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, size_t M,
                           const ts_noise_config *nz, float *grad, double *loss, ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_cnn_loss_grad: net is NULL");
    if ((st = ts_noise_config_check(nz, err))) return st;
    if ((st = ts_cnn_batch_check(net, b, err))) return st;
    if ((st = ts_cnn_work_check(net, ws, b->n, M, err))) return st;
    const size_t B = b->n, M_asked = M;
    /* without noise the M copies are identical: one copy, bit-identical for every M */
    if (!ts_mlp_noise_active(nz)) M = 1;
    const size_t R = B * M;
    if (ts_mlp_noise_active(nz))
        for (size_t s = 0; s < net->n_sites; s++) {
            if (s == 0 && !nz->on_input) continue;
            if (!ws->noise_on[s] || ws->noise_rows < R)
                return ts_err_set(err, TS_EINVAL,
                                  "ts_cnn_loss_grad: no noise drawn at site %zu for %zu images (B M = %zu x %zu): "
                                  "call ts_cnn_noise_draw with this noise config first", s, R, B, M);
        }
    double sum;
    if ((st = ts_cnn_pass(net, ws, b, M, nz, grad, 1.0f / (float)R, &sum, NULL, err))) return st;
    double L = sum / (double)R;
    if (loss) *loss = L;
    if (!isfinite(L))
        return ts_err_set(err, TS_ENUMERIC, "ts_cnn_loss_grad: the loss is not finite (%g): training diverged", L);
    for (size_t s = 1; M != M_asked && s < net->n_sites; s++)
        for (size_t m = 1; m < M_asked; m++)
            memcpy(ws->act[s] + m * B * net->site_size[s], ws->act[s], B * net->site_size[s] * sizeof(float));
    return TS_OK;
}

ts_status ts_cnn_evaluate(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *all, double *loss, double *accuracy,
                          ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_cnn_evaluate: net is NULL");
    if ((st = ts_cnn_batch_check(net, all, err))) return st;
    if ((st = ts_cnn_work_check(net, ws, 1, 1, err))) return st;
    const size_t K = net->cfg.n_out, d = net->site_size[0];
    double sum = 0.0;
    size_t right = 0;
    for (size_t at = 0; at < all->n && !st; at += ws->max_rows) {
        size_t n = all->n - at < ws->max_rows ? all->n - at : ws->max_rows, c = 0;
        ts_batch chunk = {
            .n = n, .x = all->x + at * d,
            .y = all->y ? all->y + at * K : NULL,
            .label = all->label ? all->label + at : NULL,
        };
        double s = 0.0;
        st = ts_cnn_pass(net, ws, &chunk, 1, NULL, NULL, 0.0f, &s, &c, err);
        sum += s;
        right += c;
    }
    if (st) return st;
    double L = sum / (double)all->n;
    if (loss) *loss = L;
    if (accuracy) *accuracy = net->cfg.loss == TS_LOSS_XENT ? (double)right / (double)all->n : NAN;
    if (!isfinite(L))
        return ts_err_set(err, TS_ENUMERIC, "ts_cnn_evaluate: the loss is not finite (%g): training diverged", L);
    return TS_OK;
}
