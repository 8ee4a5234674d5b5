/* ts_mlp_backward.c: the backward pass and ts_mlp_loss_grad.
 *
 * Scaling: the objective is (1/M) sum_m L~(B; w, e_m) with L~ the mean of the
 * per-example loss over the B examples, i.e. the mean over all R = M B
 * stacked rows. So d out is scaled by 1/R once, at the output, and every
 * GEMM below then sums over rows: the weight gradient of the stacked pass is
 * the mean over the M copies of each copy's gradient, in one GEMM per layer.
 *
 * Per weight layer l, from the output down, with dZ the gradient of its
 * pre-activation (R x rows) and H its input (R x cols):
 *   dW_l = dZ^T H (one sgemm), db_l = column sums of dZ,
 *   dH = dZ W_l (one sgemm), then dZ of the layer below = dH * (1 + s e)
 *   (multiplicative noise; additive: identity) * act'(a), in one pass. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "ts_mlp_internal.h"

void ts_mlp_backward(const ts_mlp *net, ts_mlp_work *ws, float *grad)
{
    const size_t B = ws->pass_B, M = ws->pass_M, R = B * M;
    float *dz = ws->d0, *dh = ws->d1;
    for (size_t l = net->n_layers; l-- > 0;) {
        const size_t rows = net->rows[l], cols = net->cols[l];
        size_t Rl = R;
        if (l == 0 && ws->in_shared) {
            /* every copy saw the same input x: sum dZ over the copies first,
             * then one GEMM over the B rows (sum_m dZ_m^T x = (sum_m dZ_m)^T x) */
            for (size_t m = 1; m < M; m++) {
                const float *src = dz + m * B * rows;
#pragma omp simd
                for (size_t k = 0; k < B * rows; k++) dz[k] = dz[k] + src[k];
            }
            Rl = B;
        }
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)rows, (int)cols, (int)Rl, 1.0f, dz,
                    (int)rows, ws->hin[l], (int)cols, 0.0f, grad + net->off_w[l], (int)cols);
        ts_mlp_colsum(dz, Rl, rows, ws->colsum, grad + net->off_b[l]);
        if (l == 0) break;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)R, (int)cols, (int)rows, 1.0f, dz,
                    (int)rows, net->w + net->off_w[l], (int)cols, 0.0f, dh, (int)cols);
        const float *e = ws->pass_noisy ? ws->noise[l] : NULL;
        ts_mlp_back_act(net->cfg.act, ws->pass_type, ws->pass_s, e, ws->act[l], dh, R * cols);
        float *t = dz;
        dz = dh;
        dh = t;
    }
}

ts_status ts_mlp_batch_check(const ts_mlp *net, const ts_batch *b, ts_err *err)
{
    if (!b) return ts_err_set(err, TS_EINVAL, "mlp: batch is NULL");
    if (b->n < 1) return ts_err_set(err, TS_EINVAL, "mlp: batch has n = 0 examples");
    if (!b->x) return ts_err_set(err, TS_EINVAL, "mlp: batch x is NULL");
    if (net->cfg.loss == TS_LOSS_MSE) {
        if (!b->y) return ts_err_set(err, TS_EINVAL, "mlp: batch y is NULL (MSE needs regression targets)");
    } else {
        if (!b->label) return ts_err_set(err, TS_EINVAL, "mlp: batch label is NULL (cross-entropy needs labels)");
        for (size_t i = 0; i < b->n; i++)
            if (b->label[i] < 0 || (size_t)b->label[i] >= net->cfg.n_out)
                return ts_err_set(err, TS_EINVAL, "mlp: batch label[%zu] = %d is outside [0, %zu)", i,
                                  (int)b->label[i], net->cfg.n_out);
    }
    return TS_OK;
}

ts_status ts_mlp_loss_grad(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b, size_t M,
                           const ts_noise_config *nz, float *grad, double *loss, ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_mlp_loss_grad: net is NULL");
    if ((st = ts_noise_config_check(nz, err))) return st;
    if ((st = ts_mlp_batch_check(net, b, err))) return st;
    if ((st = ts_mlp_work_check(net, ws, b->n, M, err))) return st;
    const size_t B = b->n;
    /* Without noise the M copies are identical and their mean is one copy:
     * running one keeps a noise-free gradient bit-identical for every M (so
     * the implicit-effect noise at sigma2 = 0 is exactly 0) and costs 1/M. */
    const size_t M_asked = M;
    if (!ts_mlp_noise_active(nz)) M = 1;
    const size_t R = B * M;
    if (ts_mlp_noise_active(nz)) {
        for (size_t s = 0; s < ts_mlp_n_sites(net); s++) {
            if (s == 0 && !nz->on_input) continue;
            if (!ws->noise_on[s] || ws->noise_rows < R)
                return ts_err_set(err, TS_EINVAL,
                                  "ts_mlp_loss_grad: no noise drawn at site %zu for %zu rows (B M = %zu x %zu): "
                                  "call ts_mlp_noise_draw with this noise config first", s, R, B, M);
        }
    }
    ts_mlp_forward(net, ws, b->x, B, M, nz);
    double sum = ts_mlp_loss_rows(net, ws->out, b, R, grad ? ws->d0 : NULL, 1.0f / (float)R, NULL);
    double L = sum / (double)R;
    if (loss) *loss = L;
    if (!isfinite(L))
        return ts_err_set(err, TS_ENUMERIC, "ts_mlp_loss_grad: the loss is not finite (%g): training diverged", L);
    if (grad) ts_mlp_backward(net, ws, grad);
    /* ts_mlp_activation promises all M B rows: copy the one pass's */
    for (size_t l = 1; M != M_asked && l < net->n_layers; l++)
        for (size_t m = 1; m < M_asked; m++)
            memcpy(ws->act[l] + m * B * net->rows[l - 1], ws->act[l], B * net->rows[l - 1] * sizeof(float));
    return TS_OK;
}
