/* ts_cnn_reg.c: the explicit regulariser R(B; w) of Camuto et al. (2020) and
 * the exact gradient of L + R (docs/gni.md, "The explicit regulariser").
 *
 *   R = (sigma2 / 2) (1/B) sum_i sum_sites sum_u w_u J_u^T H J_u,
 *
 * J_u = d out / d h_u (one entry per output k) at the clean forward pass,
 * for every unit u of every injected site (the input when on_input, every
 * hidden activation); w_u = 1 (additive noise) or h_u^2 (multiplicative:
 * the perturbation of h is h sigma z); H the Hessian of the per-example loss
 * in the output: I for MSE, diag(p) - p p^T for softmax cross-entropy, so
 * J^T H J = sum_k p_k J_k^2 - (sum_k p_k J_k)^2 there. This is the
 * second-order term of E_e[L~] - L that Camuto et al.'s code trains on
 * (their calc_tikhonov_reg), not an estimate of it.
 *
 * The Jacobian: K backward passes of the clean network, pass k seeded with
 * d out = e_k, hold g^k_s = d out_k / d h_s at every site (phase 1). The
 * gradient of R (phase 2) is the adjoint of those K linear passes, run
 * upward from the lowest site for each k: with gb the adjoint of g at the
 * layer's input site and g' = g^k of its output site,
 *   dense   g = W^T (g' act'(y)):  dW += (g' act'(y)) gb^T (as rows),
 *           gb' = d R/d g' + (gb W^T) act'(y),  ybar += (gb W^T) g' act''(y);
 *   conv    g = C^T P^T (g' act'(y)):  dW += conv weight gradient of
 *           (src gb, diff P^T (g' act'(y))), gb' = d R/d g' + P C(gb) act'(y),
 *           ybar += P C(gb) g' act''(y)   (C the convolution, P the pooling
 *           selection, P^T its backward);
 *   output  g = W_out^T e_k:  dW_out[k] += sum_i gb_i,
 * y a site's pre-activation. R also depends on the forward pass through p
 * (cross-entropy) and h (multiplicative w_u): those adjoints, with ybar,
 * enter one ordinary backward pass of the clean network together with the
 * loss gradient (phase 3, ts_cnn_backward's extra adjoints).
 * Cost: K + 1 backward passes, K adjoint passes (a convolution forward and
 * weight gradient each), one forward. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ts_cnn_internal.h"
#include "ts_mlp_internal.h"

/* Outputs the regulariser handles (one Jacobian pass each). */
#define TS_CNN_MAX_OUT 1024

typedef struct {
    const ts_cnn *net;
    ts_cnn_work *ws;
    const ts_noise_config *nz;
    size_t K, lo;              /* outputs; the lowest injected site (0 or 1) */
    size_t tot, off[TS_CNN_MAX_SITES];   /* site values per image, and each site's offset */
    double c;                  /* sigma2 / (2 B) */
    int mult, xent;
    /* chunk buffers (the reg arena): g^k per site, the p-weighted mean over
     * k per site, the extra adjoints, scratch */
    float *g, *mean, *ybar, *hbar, *gb0, *gb1, *t1, *t2, *t3;
    double *p, *pbar;          /* n x K */
    float *gr;                 /* the adjoint passes' weight gradients, all chunks */
} reg_t;

static float *g_at(const reg_t *r, size_t k, size_t s)
{
    return r->g + (k * r->tot + r->off[s]) * TS_CNN_CHUNK;
}

static float *site_buf(const reg_t *r, float *base, size_t s)
{
    return base + r->off[s] * TS_CNN_CHUNK;
}

/* The arena, allocated once per workspace. */
static ts_status arena(reg_t *r, ts_err *err)
{
    const ts_cnn *net = r->net;
    ts_cnn_work *ws = r->ws;
    const size_t CH = TS_CNN_CHUNK;
    size_t nf = CH * r->tot * (r->K + 3) + 5 * CH * ws->dmax + net->n_params;
    size_t nd = 2 * CH * r->K;
    if (ws->reg_nf < nf || ws->reg_nd < nd) {
        free(ws->reg_f);
        free(ws->reg_d);
        ws->reg_f = malloc(nf * sizeof(float));
        ws->reg_d = malloc(nd * sizeof(double));
        if (!ws->reg_f || !ws->reg_d) {
            free(ws->reg_f);
            free(ws->reg_d);
            ws->reg_f = NULL;
            ws->reg_d = NULL;
            ws->reg_nf = ws->reg_nd = 0;
            return ts_err_set(err, TS_ENOMEM, "cnn explicit regulariser: out of memory for %zu Jacobian values",
                              nf);
        }
        ws->reg_nf = nf;
        ws->reg_nd = nd;
    }
    float *f = ws->reg_f;
    r->g = f;
    f += CH * r->tot * r->K;
    r->mean = f;
    f += CH * r->tot;
    r->ybar = f;
    f += CH * r->tot;
    r->hbar = f;
    f += CH * r->tot;
    float **bufs[] = { &r->gb0, &r->gb1, &r->t1, &r->t2, &r->t3 };
    for (size_t i = 0; i < 5; i++) {
        *bufs[i] = f;
        f += CH * ws->dmax;
    }
    r->gr = f;
    r->p = ws->reg_d;
    r->pbar = ws->reg_d + CH * r->K;
    return TS_OK;
}

/* The clean value at site s of the chunk: the input, or the activation. */
static const float *h_at(const ts_cnn_chunk *c, size_t s)
{
    return s == 0 ? c->x0 : c->ws->act[s] + c->r0 * c->net->site_size[s];
}

/* d <- g * act'(a), n values. */
static void times_dact(ts_activation act, const float *a, const float *g, float *d, size_t n)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++) d[i] = g[i] * ts_nn_dact(act, a[i]);
}

/* The max-pooling selection P: out (n x Ho x Wo x C) gets the value of v
 * (n x H x W x C) where the 2 x 2 window of z has its first maximum in
 * row-major order, the element oneDNN's pooling routes the gradient to
 * (the torch oracle's tie checks hold it to that). */
static void pool_gather(const ts_cnn *net, size_t l, size_t n, const float *z, const float *v, float *out)
{
    const size_t H = net->site_h[l], W = net->site_w[l], C = net->cfg.channels[l];
    const size_t Ho = net->site_h[l + 1], Wo = net->site_w[l + 1];
    for (size_t i = 0; i < n; i++)
        for (size_t y = 0; y < Ho; y++)
            for (size_t x = 0; x < Wo; x++) {
                size_t o00 = ((i * H + 2 * y) * W + 2 * x) * C, o01 = o00 + C, o10 = o00 + W * C, o11 = o10 + C;
                float *o = out + ((i * Ho + y) * Wo + x) * C;
#pragma omp simd
                for (size_t ch = 0; ch < C; ch++) {
                    float m = z[o00 + ch], s = v[o00 + ch];
                    s = z[o01 + ch] > m ? v[o01 + ch] : s;
                    m = z[o01 + ch] > m ? z[o01 + ch] : m;
                    s = z[o10 + ch] > m ? v[o10 + ch] : s;
                    m = z[o10 + ch] > m ? z[o10 + ch] : m;
                    s = z[o11 + ch] > m ? v[o11 + ch] : s;
                    o[ch] = s;
                }
            }
}

/* Its transpose P^T: out (n x H x W x C) is v (n x Ho x Wo x C) at each
 * window's first maximum and 0 elsewhere (rows and columns beyond the last
 * window too). The same routing as oneDNN's pooling backward, written
 * beside the gather so the two are exact transposes (the torch oracle's
 * tied configurations check both against torch's double backward); here
 * because oneDNN's AVX2 pooling
 * backward runs ~10x slower than this loop on AMD Zen, and the
 * regulariser's gradient calls it 2 K times a chunk. */
static void pool_scatter(const ts_cnn *net, size_t l, size_t n, const float *z, const float *v, float *out)
{
    const size_t H = net->site_h[l], W = net->site_w[l], C = net->cfg.channels[l];
    const size_t Ho = net->site_h[l + 1], Wo = net->site_w[l + 1];
    memset(out, 0, n * H * W * C * sizeof *out);
    for (size_t i = 0; i < n; i++)
        for (size_t y = 0; y < Ho; y++)
            for (size_t x = 0; x < Wo; x++) {
                size_t o00 = ((i * H + 2 * y) * W + 2 * x) * C, o01 = o00 + C, o10 = o00 + W * C, o11 = o10 + C;
                const float *vi = v + ((i * Ho + y) * Wo + x) * C;
#pragma omp simd
                for (size_t ch = 0; ch < C; ch++) {
                    float m = z[o00 + ch];
                    int at = 0;
                    at = z[o01 + ch] > m ? 1 : at;
                    m = z[o01 + ch] > m ? z[o01 + ch] : m;
                    at = z[o10 + ch] > m ? 2 : at;
                    m = z[o10 + ch] > m ? z[o10 + ch] : m;
                    at = z[o11 + ch] > m ? 3 : at;
                    out[o00 + ch] = at == 0 ? vi[ch] : 0.0f;
                    out[o01 + ch] = at == 1 ? vi[ch] : 0.0f;
                    out[o10 + ch] = at == 2 ? vi[ch] : 0.0f;
                    out[o11 + ch] = at == 3 ? vi[ch] : 0.0f;
                }
            }
}

/* Phase 1: the forward's softmax, then g^k at every site from the lowest
 * injected one up, for k = 0 .. K-1. */
static ts_status jacobians(reg_t *r, ts_cnn_chunk *c, ts_err *err)
{
    const ts_cnn *net = r->net;
    ts_cnn_work *ws = r->ws;
    const size_t n = c->n, K = r->K, L = net->n_layers, nc = net->cfg.n_conv;
    const ts_activation act = net->cfg.act;
    for (size_t i = 0; i < n; i++) {
        const float *o = ws->out + i * K;
        double mx = o[0], se = 0.0;
        for (size_t k = 1; k < K; k++) mx = o[k] > mx ? o[k] : mx;
        for (size_t k = 0; k < K; k++) se += exp((double)o[k] - mx);
        for (size_t k = 0; k < K; k++) r->p[i * K + k] = exp((double)o[k] - mx) / se;
    }
    ts_status st = TS_OK;
    for (size_t k = 0; k < K && !st; k++) {
        /* the output layer: g at site L-1 is row k of W_out, for every image */
        const size_t last = L - 1, wl = net->cols[last];
        float *g = g_at(r, k, last);
        for (size_t i = 0; i < n; i++) memcpy(g + i * wl, net->w + net->off_w[last] + k * wl, wl * sizeof(float));
        for (size_t l = last; l-- > 0 && l + 1 > r->lo;) {
            /* from site l + 1 down to site l through weight layer l */
            const float *gu = g_at(r, k, l + 1), *a = ws->act[l + 1] + c->r0 * net->site_size[l + 1];
            float *d = r->t1, *gl = g_at(r, k, l);
            times_dact(act, a, gu, d, n * net->site_size[l + 1]);
            if (l >= nc) {
                ts_mlp_sgemm(0, 0, n, net->cols[l], net->rows[l], 1.0f, d, net->rows[l], net->w + net->off_w[l],
                             net->cols[l], 0.0f, gl, net->cols[l]);
                continue;
            }
            ts_cnn_block_prims *bp = &c->p->blk[l];
            pool_scatter(net, l, n, ws->z[l], d, r->t2);
            ts_cnn_bind(bp->dz, r->t2);
            ts_cnn_bind(bp->dsrc, gl);
            dnnl_exec_arg_t cd[] = { { DNNL_ARG_DIFF_DST, bp->dz }, { DNNL_ARG_WEIGHTS, bp->w_for_bwd_data },
                                     { DNNL_ARG_DIFF_SRC, bp->dsrc } };
            st = ts_cnn_exec(bp->conv_bwd_data, 3, cd, "convolution data gradient", err);
            if (st) break;
        }
    }
    return st;
}

/* R of the chunk, the p-weighted means over k (cross-entropy) and the
 * adjoints of p and of h (multiplicative). Sums in double. */
static double site_sums(reg_t *r, const ts_cnn_chunk *c, int want_grad)
{
    const ts_cnn *net = r->net;
    const size_t n = c->n, K = r->K;
    double R = 0.0;
    if (want_grad) memset(r->pbar, 0, n * K * sizeof(double));
    for (size_t s = r->lo; s < net->n_sites; s++) {
        const size_t sz = net->site_size[s];
        const float *h = h_at(c, s), *gk[TS_CNN_MAX_OUT];
        for (size_t k = 0; k < K; k++) gk[k] = g_at(r, k, s);
        float *mean = site_buf(r, r->mean, s), *hb = site_buf(r, r->hbar, s);
        for (size_t i = 0; i < n; i++) {
            const double *p = r->p + i * K;
            double *pb = r->pbar + i * K;
            for (size_t u = 0; u < sz; u++) {
                const size_t at = i * sz + u;
                double m = 0.0, q = 0.0;
                for (size_t k = 0; k < K; k++) {
                    double v = gk[k][at];
                    q += (r->xent ? p[k] : 1.0) * v * v;
                    m += r->xent ? p[k] * v : 0.0;
                }
                q -= m * m;
                double hw = r->mult ? (double)h[at] * (double)h[at] : 1.0;
                R += r->c * hw * q;
                mean[at] = (float)m;
                if (!want_grad) continue;
                if (r->mult) hb[at] = (float)(2.0 * r->c * (double)h[at] * q);
                if (r->xent)
                    for (size_t k = 0; k < K; k++) {
                        double v = gk[k][at];
                        pb[k] += r->c * hw * (v * v - 2.0 * v * m);
                    }
            }
        }
    }
    return R;
}

/* d R / d g^k at site s, directly (not through lower sites): c w 2 v (MSE),
 * c w 2 p_k (v - m) (cross-entropy). Added to out when add, else written. */
static void direct(const reg_t *r, const ts_cnn_chunk *c, size_t k, size_t s, float *out)
{
    const size_t n = c->n, sz = r->net->site_size[s], K = r->K;
    const float *g = g_at(r, k, s), *mean = site_buf(r, r->mean, s), *h = h_at(c, s);
    for (size_t i = 0; i < n; i++) {
        const float f = (float)(2.0 * r->c * (r->xent ? r->p[i * K + k] : 1.0));
        const float *gi = g + i * sz, *mi = mean + i * sz, *hi = h + i * sz;
        float *oi = out + i * sz;
        if (r->mult) {
#pragma omp simd
            for (size_t u = 0; u < sz; u++) oi[u] = f * (hi[u] * hi[u]) * (gi[u] - mi[u]);
        } else {
#pragma omp simd
            for (size_t u = 0; u < sz; u++) oi[u] = f * (gi[u] - mi[u]);
        }
    }
}

/* Phase 2 for output k: the adjoint of backward pass k, upward. */
static ts_status adjoint(reg_t *r, ts_cnn_chunk *c, size_t k, ts_err *err)
{
    const ts_cnn *net = r->net;
    ts_cnn_work *ws = r->ws;
    const size_t n = c->n, L = net->n_layers, nc = net->cfg.n_conv;
    const ts_activation act = net->cfg.act;
    float *gb = r->gb0, *gn = r->gb1;
    direct(r, c, k, r->lo, gb);
    ts_status st = TS_OK;
    for (size_t l = r->lo; l + 1 < L && !st; l++) {
        const size_t so = l + 1, sz = net->site_size[so], nv = n * sz;
        const float *gu = g_at(r, k, so), *a = ws->act[so] + c->r0 * sz;
        float *e = r->t2;   /* the adjoint of d = g' act'(y), as the layer gives it */
        if (l >= nc) {
            /* d = g' act'(y) (t3), dW += d^T gb, e = gb W^T */
            times_dact(act, a, gu, r->t3, nv);
            ts_mlp_sgemm(1, 0, net->rows[l], net->cols[l], n, 1.0f, r->t3, net->rows[l], gb, net->cols[l], 1.0f,
                         r->gr + net->off_w[l], net->cols[l]);
            ts_mlp_sgemm(0, 1, n, net->rows[l], net->cols[l], 1.0f, gb, net->cols[l], net->w + net->off_w[l],
                         net->cols[l], 0.0f, e, net->rows[l]);
        } else {
            ts_cnn_block_prims *bp = &c->p->blk[l];
            /* e = P C(gb): the convolution of gb, gathered at the maxima */
            ts_cnn_bind(bp->src, gb);
            ts_cnn_bind(bp->z, r->t1);
            dnnl_exec_arg_t cf[] = { { DNNL_ARG_SRC, bp->src }, { DNNL_ARG_WEIGHTS, bp->w_for_fwd },
                                     { DNNL_ARG_DST, bp->z } };
            st = ts_cnn_exec(bp->conv_fwd, 3, cf, "convolution", err);
            if (st) break;
            pool_gather(net, l, n, ws->z[l], r->t1, e);
            /* dW += weight gradient of (src gb, diff P^T (g' act'(y))) */
            times_dact(act, a, gu, r->t3, nv);
            pool_scatter(net, l, n, ws->z[l], r->t3, r->t1);
            ts_cnn_bind(bp->dz, r->t1);
            ts_cnn_bind(bp->dw_user, ws->wtmp);
            dnnl_exec_arg_t cw[] = { { DNNL_ARG_SRC, bp->src }, { DNNL_ARG_DIFF_DST, bp->dz },
                                     { DNNL_ARG_DIFF_WEIGHTS, bp->dw_for_bwd } };
            st = ts_cnn_exec(bp->conv_bwd_w, 3, cw, "convolution weight gradient", err);
            if (!st && bp->dw_to_user) {
                dnnl_exec_arg_t ro[] = { { DNNL_ARG_FROM, bp->dw_conv }, { DNNL_ARG_TO, bp->dw_user } };
                st = ts_cnn_exec(bp->dw_to_user, 2, ro, "weight-gradient reorder", err);
            }
            if (st) break;
            float *gw = r->gr + net->off_w[l];
            const size_t nw = net->rows[l] * net->cols[l];
#pragma omp simd
            for (size_t i = 0; i < nw; i++) gw[i] = gw[i] + ws->wtmp[i];
        }
        /* gn = d R / d g' + e act'(y);  ybar += e g' act''(y) */
        direct(r, c, k, so, gn);
        float *yb = site_buf(r, r->ybar, so);
#pragma omp simd
        for (size_t i = 0; i < nv; i++) {
            gn[i] = gn[i] + e[i] * ts_nn_dact(act, a[i]);
            yb[i] = yb[i] + (e[i] * gu[i]) * ts_nn_ddact(act, a[i]);
        }
        float *t = gb;
        gb = gn;
        gn = t;
    }
    if (st) return st;
    /* the output layer: g at site L-1 is row k of W_out */
    const size_t wl = net->cols[L - 1];
    float *row = r->gr + net->off_w[L - 1] + k * wl;
    for (size_t u = 0; u < wl; u++) {
        double acc = 0.0;
        for (size_t i = 0; i < n; i++) acc += (double)gb[i * wl + u];
        row[u] = (float)(row[u] + acc);
    }
    return TS_OK;
}

ts_status ts_cnn_reg_loss_grad(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, const ts_noise_config *nz,
                               float *grad, double *loss, double *reg, ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_cnn_reg_loss_grad: net is NULL");
    if ((st = ts_noise_config_check(nz, err))) return st;
    if ((st = ts_cnn_batch_check(net, b, err))) return st;
    if ((st = ts_cnn_work_check(net, ws, b->n, 1, err))) return st;
    const size_t B = b->n, L = net->n_layers;
    if (!ts_mlp_noise_active(nz)) {   /* R = 0: the clean loss and its gradient */
        double sum;
        ts_noise_config clean = { TS_NOISE_NONE, 0.0, 0 };
        if ((st = ts_cnn_pass(net, ws, b, 1, &clean, grad, 1.0f / (float)B, &sum, NULL, err))) return st;
        if (loss) *loss = sum / (double)B;
        if (reg) *reg = 0.0;
        if (!isfinite(sum))
            return ts_err_set(err, TS_ENUMERIC, "ts_cnn_reg_loss_grad: the loss is not finite (%g)", sum / (double)B);
        return TS_OK;
    }
    if (net->cfg.n_out > TS_CNN_MAX_OUT)
        return ts_err_set(err, TS_EINVAL, "ts_cnn_reg_loss_grad: %zu outputs; the regulariser takes at most %d (one "
                          "Jacobian pass each)", net->cfg.n_out, TS_CNN_MAX_OUT);
    reg_t r = { .net = net, .ws = ws, .nz = nz, .K = net->cfg.n_out, .lo = nz->on_input ? 0 : 1,
                .c = nz->sigma2 / (2.0 * (double)B), .mult = nz->type == TS_NOISE_MULT,
                .xent = net->cfg.loss == TS_LOSS_XENT };
    for (size_t s = 0; s < net->n_sites; s++) {
        r.off[s] = r.tot;
        r.tot += net->site_size[s];
    }
    if ((st = arena(&r, err))) return st;
    float *hbar[TS_CNN_MAX_SITES] = { 0 }, *ybar[TS_CNN_MAX_SITES] = { 0 };
    for (size_t s = 1; s < net->n_sites; s++) {
        ybar[s] = site_buf(&r, r.ybar, s);
        hbar[s] = r.mult ? site_buf(&r, r.hbar, s) : NULL;
    }
    ts_cnn_chunk c = { .net = net, .ws = ws, .b = b, .type = TS_NOISE_NONE };
    ws->pass++;
    if (grad) {
        memset(r.gr, 0, net->n_params * sizeof(float));
        for (size_t j = 0; j < ws->colsum_off[L - 1] + net->rows[L - 1]; j++) ws->colsum[j] = 0.0;
    }
    double Lsum = 0.0, Rsum = 0.0;
    for (size_t r0 = 0; r0 < B && !st; r0 += TS_CNN_CHUNK) {
        const size_t n = B - r0 < TS_CNN_CHUNK ? B - r0 : TS_CNN_CHUNK, K = r.K;
        st = ts_cnn_chunk_begin(&c, r0, n, err);
        if (!st) st = ts_cnn_forward(&c, err);
        if (!st) st = jacobians(&r, &c, err);
        if (st) break;
        Rsum += site_sums(&r, &c, grad != NULL);
        Lsum += ts_nn_loss_rows(net->cfg.loss, K, ws->out, b, r0, n, grad ? ws->d0 : NULL, 1.0f / (float)B, NULL);
        if (!grad) continue;
        memset(r.ybar, 0, TS_CNN_CHUNK * r.tot * sizeof(float));
        for (size_t k = 0; k < K && !st; k++) st = adjoint(&r, &c, k, err);
        if (st) break;
        if (r.xent)   /* d R / d out through the softmax: p_j (pbar_j - sum_k pbar_k p_k) */
            for (size_t i = 0; i < n; i++) {
                const double *p = r.p + i * K, *pb = r.pbar + i * K;
                double dot = 0.0;
                for (size_t k = 0; k < K; k++) dot += pb[k] * p[k];
                for (size_t k = 0; k < K; k++) ws->d0[i * K + k] = (float)(ws->d0[i * K + k] + p[k] * (pb[k] - dot));
            }
        c.hbar = hbar;
        c.ybar = ybar;
        st = ts_cnn_backward(&c, grad, err);
        c.hbar = c.ybar = NULL;
    }
    if (st) return st;
    double Lm = Lsum / (double)B;
    if (loss) *loss = Lm;
    if (reg) *reg = Rsum;
    if (!isfinite(Lm) || !isfinite(Rsum))
        return ts_err_set(err, TS_ENUMERIC, "ts_cnn_reg_loss_grad: the loss (%g) or the regulariser (%g) is not "
                          "finite: training diverged", Lm, Rsum);
    if (grad) {
        for (size_t j = 0; j < net->n_params; j++) grad[j] += r.gr[j];
        for (size_t l = 0; l < L; l++)
            for (size_t j = 0; j < net->rows[l]; j++) grad[net->off_b[l] + j] = (float)ws->colsum[ws->colsum_off[l] + j];
    }
    return TS_OK;
}

ts_status ts_cnn_explicit_reg(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, const ts_noise_config *nz,
                              double *reg, ts_err *err)
{
    if (!reg) return ts_err_set(err, TS_EINVAL, "ts_cnn_explicit_reg: reg is NULL");
    return ts_cnn_reg_loss_grad(net, ws, b, nz, NULL, NULL, reg, err);
}
