/* ts_mlp_pass.c: forward, loss and backward over the M B stacked rows.
 *
 * Scaling: the objective is (1/M) sum_m L~(B; w, e_m) with L~ the mean of the
 * per-example loss over the B examples, i.e. the mean over all R = M B
 * stacked rows. So d out is scaled by 1/R once, at the output, and every
 * GEMM below sums over rows: the weight gradient of the stacked pass is the
 * mean over the M copies of each copy's gradient.
 *
 * Per weight layer l, forward: one sgemm Z = H W_l^T over the chunk's rows,
 * then one fused pass adding the bias, applying the activation and writing
 * the injected copy. Backward, from the output down, with dZ the gradient of
 * the layer's pre-activation (n x rows) and H its input (n x cols):
 *   dW_l += dZ^T H (one sgemm, accumulated over chunks), dH = dZ W_l (one
 *   sgemm), then dZ of the layer below = dH * (1 + s e) (multiplicative;
 *   additive: identity) * act'(a), with its column sums (the bias gradient
 *   of the layer below) in the same pass.
 * Chunks of TS_MLP_CHUNK rows run forward and backward back to back, so the
 * backward reads activations that are still in cache. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "ts_mlp_internal.h"

/* Input of weight layer l for stacked row r0 onwards (l >= 1, or l = 0 with
 * a noisy input). */
static const float *layer_in(const ts_mlp *net, const ts_mlp_work *ws, size_t l, size_t r0, int noisy)
{
    size_t cols = net->cols[l];
    if (l == 0) return ws->in0 + r0 * cols;
    return (noisy ? ws->inj[l] : ws->act[l]) + r0 * cols;
}

/* Stacked rows [r0 + k, r0 + k + run) hold consecutive examples ex, ex + 1,
 * ...: row r is example r mod B, so a run ends where a copy ends. */
static size_t run_len(size_t r0, size_t k, size_t n, size_t B, size_t *ex)
{
    *ex = (r0 + k) % B;
    return B - *ex < n - k ? B - *ex : n - k;
}

double ts_mlp_pass(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b, size_t M,
                   const ts_noise_config *nz, float *grad, float dscale, size_t *correct)
{
    const size_t B = b->n, R = B * M, L = net->n_layers, K = net->cfg.n_out, n_in = net->cfg.n_in;
    const int noisy = ts_mlp_noise_active(nz);
    const ts_noise_type type = noisy ? nz->type : TS_NOISE_NONE;
    const float s = noisy ? (float)sqrt(nz->sigma2) : 0.0f;
    const int shared = !(noisy && nz->on_input);
    const ts_activation act = net->cfg.act;
    const size_t rows0 = net->rows[0];

    if (shared) {   /* weight layer 0 once over the B examples, without noise */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)rows0, (int)n_in, 1.0f, b->x,
                    (int)n_in, net->w + net->off_w[0], (int)n_in, 0.0f, ws->shared0, (int)rows0);
        if (L > 1) ts_mlp_bias_act(act, ws->shared0, net->w + net->off_b[0], B, rows0, TS_NOISE_NONE, 0.0f, NULL, NULL);
        else ts_mlp_bias(ws->shared0, net->w + net->off_b[0], B, rows0);
    }
    if (grad) {
        size_t n_units = ws->colsum_off[L - 1] + K;
        for (size_t j = 0; j < n_units; j++) ws->colsum[j] = 0.0;
        if (shared) memset(ws->dzsum0, 0, B * rows0 * sizeof *ws->dzsum0);
    }

    double sum = 0.0;
    size_t right = 0;
    for (size_t r0 = 0; r0 < R; r0 += TS_MLP_CHUNK) {
        const size_t n = R - r0 < TS_MLP_CHUNK ? R - r0 : TS_MLP_CHUNK;
        /* forward */
        for (size_t l = 0; l < L; l++) {
            const size_t rows = net->rows[l], cols = net->cols[l];
            const int hidden = l + 1 < L;
            float *z = (hidden ? ws->act[l + 1] : ws->out) + r0 * rows;
            const float *e = hidden && noisy ? ws->noise[l + 1] + r0 * rows : NULL;
            float *inj = hidden && noisy ? ws->inj[l + 1] + r0 * rows : NULL;
            if (l == 0 && shared) {
                for (size_t k = 0, ex, run; k < n; k += run) {
                    run = run_len(r0, k, n, B, &ex);
                    memcpy(z + k * rows, ws->shared0 + ex * rows, run * rows * sizeof *z);
                }
                if (e) ts_mlp_inject(type, s, z, e, inj, n * rows);
                continue;
            }
            if (l == 0) {   /* the noisy input copies */
                for (size_t k = 0, ex, run; k < n; k += run) {
                    run = run_len(r0, k, n, B, &ex);
                    ts_mlp_inject(type, s, b->x + ex * n_in, ws->noise[0] + (r0 + k) * n_in,
                                  ws->in0 + (r0 + k) * n_in, run * n_in);
                }
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)rows, (int)cols, 1.0f,
                        layer_in(net, ws, l, r0, noisy), (int)cols, net->w + net->off_w[l], (int)cols, 0.0f, z,
                        (int)rows);
            if (hidden) ts_mlp_bias_act(act, z, net->w + net->off_b[l], n, rows, type, s, e, inj);
            else ts_mlp_bias(z, net->w + net->off_b[l], n, rows);
        }
        sum += ts_mlp_loss_rows(net, ws->out + r0 * K, b, r0, n, grad ? ws->d0 : NULL, dscale, &right);
        if (!grad) continue;

        /* backward */
        float *dz = ws->d0, *dh = ws->d1;
        ts_mlp_colsum_add(dz, n, K, ws->colsum + ws->colsum_off[L - 1]);
        for (size_t l = L; l-- > 0;) {
            const size_t rows = net->rows[l], cols = net->cols[l];
            if (l == 0 && shared) {   /* sum dZ over the copies of each example */
                for (size_t k = 0, ex, run; k < n; k += run) {
                    run = run_len(r0, k, n, B, &ex);
                    float *acc = ws->dzsum0 + ex * rows;
                    const float *src = dz + k * rows;
#pragma omp simd
                    for (size_t q = 0; q < run * rows; q++) acc[q] = acc[q] + src[q];
                }
                break;
            }
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows, (int)cols, (int)n, 1.0f, dz,
                        (int)rows, layer_in(net, ws, l, r0, noisy), (int)cols, r0 == 0 ? 0.0f : 1.0f,
                        grad + net->off_w[l], (int)cols);
            if (l == 0) break;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)cols, (int)rows, 1.0f, dz,
                        (int)rows, net->w + net->off_w[l], (int)cols, 0.0f, dh, (int)cols);
            ts_mlp_back_act(act, type, s, noisy ? ws->noise[l] + r0 * cols : NULL, ws->act[l] + r0 * cols, dh,
                            n, cols, ws->colsum + ws->colsum_off[l - 1]);
            float *t = dz;
            dz = dh;
            dh = t;
        }
    }
    if (grad) {
        if (shared)   /* sum_m dZ_m^T x = (sum_m dZ_m)^T x: one GEMM over B rows */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows0, (int)n_in, (int)B, 1.0f, ws->dzsum0,
                        (int)rows0, b->x, (int)n_in, 0.0f, grad + net->off_w[0], (int)n_in);
        for (size_t l = 0; l < L; l++)
            for (size_t j = 0; j < net->rows[l]; j++)
                grad[net->off_b[l] + j] = (float)ws->colsum[ws->colsum_off[l] + j];
    }
    if (correct) *correct = right;
    return sum;
}
