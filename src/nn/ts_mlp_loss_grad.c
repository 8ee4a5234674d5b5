/* ts_mlp_loss_grad.c: the checked entry point of a training step (the pass
 * itself is ts_mlp_pass.c) and the batch checks. */
#include <math.h>
#include <string.h>

#include "ts_mlp_internal.h"

ts_status ts_nn_batch_check(ts_loss loss, size_t n_out, const ts_batch *b, ts_err *err)
{
    if (!b) return ts_err_set(err, TS_EINVAL, "network: batch is NULL");
    if (b->n < 1) return ts_err_set(err, TS_EINVAL, "network: batch has n = 0 examples");
    if (!b->x) return ts_err_set(err, TS_EINVAL, "network: batch x is NULL");
    if (loss == TS_LOSS_MSE) {
        if (!b->y) return ts_err_set(err, TS_EINVAL, "network: batch y is NULL (MSE needs regression targets)");
    } else {
        if (!b->label) return ts_err_set(err, TS_EINVAL, "network: batch label is NULL (cross-entropy needs labels)");
        for (size_t i = 0; i < b->n; i++)
            if (b->label[i] < 0 || (size_t)b->label[i] >= n_out)
                return ts_err_set(err, TS_EINVAL, "network: batch label[%zu] = %d is outside [0, %zu)", i,
                                  (int)b->label[i], n_out);
    }
    return TS_OK;
}

ts_status ts_mlp_batch_check(const ts_mlp *net, const ts_batch *b, ts_err *err)
{
    return ts_nn_batch_check(net->cfg.loss, net->cfg.n_out, b, err);
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
    /* d out = (out - y) / R (MSE) or (p - onehot) / R (XENT): the mean over
     * all M B rows, so the gradient is the mean over the copies */
    double sum = ts_mlp_pass(net, ws, b, M, nz, grad, 1.0f / (float)R, NULL);
    double L = sum / (double)R;
    if (loss) *loss = L;
    if (!isfinite(L))
        return ts_err_set(err, TS_ENUMERIC, "ts_mlp_loss_grad: the loss is not finite (%g): training diverged", L);
    /* ts_mlp_activation promises all M B rows: copy the one pass's */
    for (size_t l = 1; M != M_asked && l < net->n_layers; l++)
        for (size_t m = 1; m < M_asked; m++)
            memcpy(ws->act[l] + m * B * net->rows[l - 1], ws->act[l], B * net->rows[l - 1] * sizeof(float));
    return TS_OK;
}
