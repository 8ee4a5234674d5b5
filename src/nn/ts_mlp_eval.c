/* ts_mlp_eval.c: clean (noise-free) evaluation over a dataset, and the
 * explicit regulariser of Camuto et al. 2020 at the clean forward pass. */
#include <cblas.h>
#include <math.h>

#include "ts_mlp_internal.h"

ts_status ts_mlp_evaluate(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *all, double *loss,
                          double *accuracy, ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_mlp_evaluate: net is NULL");
    if ((st = ts_mlp_batch_check(net, all, err))) return st;
    if ((st = ts_mlp_work_check(net, ws, 1, 1, err))) return st;
    const size_t K = net->cfg.n_out, d = net->cfg.n_in;
    double sum = 0.0;
    size_t right = 0;
    for (size_t at = 0; at < all->n; at += ws->max_rows) {
        size_t n = all->n - at < ws->max_rows ? all->n - at : ws->max_rows;
        ts_batch chunk = {
            .n = n, .x = all->x + at * d,
            .y = all->y ? all->y + at * K : NULL,
            .label = all->label ? all->label + at : NULL,
        };
        size_t c = 0;
        sum += ts_mlp_pass(net, ws, &chunk, 1, NULL, NULL, 0.0f, &c);
        right += c;
    }
    double L = sum / (double)all->n;
    if (loss) *loss = L;
    /* accuracy is a classification measure: NAN (documented) for MSE */
    if (accuracy)
        *accuracy = net->cfg.loss == TS_LOSS_XENT ? (double)right / (double)all->n : NAN;
    if (!isfinite(L))
        return ts_err_set(err, TS_ENUMERIC, "ts_mlp_evaluate: the loss is not finite (%g): training diverged", L);
    return TS_OK;
}

/* Sum of squares of a rows x width block, times h^2 elementwise when h is
 * given (multiplicative noise perturbs h by h s z, so its Jacobian column is
 * scaled by h). Double accumulators across the columns, as in colsum. */
static double sumsq(const float *dh, const float *h, size_t rows, size_t width, double *acc)
{
    for (size_t j = 0; j < width; j++) acc[j] = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const float *g = dh + r * width;
        if (h) {
            const float *hr = h + r * width;
#pragma omp simd
            for (size_t j = 0; j < width; j++) {
                double v = (double)g[j] * (double)hr[j];
                acc[j] += v * v;
            }
        } else {
#pragma omp simd
            for (size_t j = 0; j < width; j++) acc[j] += (double)g[j] * (double)g[j];
        }
    }
    double s = 0.0;
    for (size_t j = 0; j < width; j++) s += acc[j];
    return s;
}

/* One backward pass per output unit k, seeded with d out_k / d out = e_k on
 * every row: at each site the pass holds the row of d out_k / d h_site, and
 * the Frobenius norm sums their squares over k. */
ts_status ts_mlp_explicit_reg(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b,
                              const ts_noise_config *nz, double *reg, ts_err *err)
{
    ts_status st;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_mlp_explicit_reg: net is NULL");
    if (!reg) return ts_err_set(err, TS_EINVAL, "ts_mlp_explicit_reg: reg is NULL");
    if ((st = ts_noise_config_check(nz, err))) return st;
    if ((st = ts_mlp_batch_check(net, b, err))) return st;
    if ((st = ts_mlp_work_check(net, ws, b->n, 1, err))) return st;
    *reg = 0.0;
    if (!ts_mlp_noise_active(nz)) return TS_OK;
    const size_t B = b->n, K = net->cfg.n_out, L = net->n_layers;
    const int mult = nz->type == TS_NOISE_MULT;
    ts_mlp_pass(net, ws, b, 1, NULL, NULL, 0.0f, NULL);   /* the clean activations */
    double total = 0.0;
    for (size_t k = 0; k < K; k++) {
        float *dz = ws->d0, *dh = ws->d1;
        for (size_t r = 0; r < B; r++)
            for (size_t j = 0; j < K; j++) dz[r * K + j] = j == k ? 1.0f : 0.0f;
        for (size_t l = L; l-- > 0;) {
            if (l == 0 && !nz->on_input) break;
            const size_t rows = net->rows[l], cols = net->cols[l];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)cols, (int)rows, 1.0f, dz,
                        (int)rows, net->w + net->off_w[l], (int)cols, 0.0f, dh, (int)cols);
            const float *h = l == 0 ? b->x : ws->act[l];
            total += sumsq(dh, mult ? h : NULL, B, cols, ws->colsum);
            if (l == 0) break;
            ts_mlp_back_act(net->cfg.act, TS_NOISE_NONE, 0.0f, NULL, ws->act[l], dh, B, cols, NULL);
            float *t = dz;
            dz = dh;
            dh = t;
        }
    }
    *reg = 0.5 * nz->sigma2 * total / (double)B;
    if (!isfinite(*reg))
        return ts_err_set(err, TS_ENUMERIC, "ts_mlp_explicit_reg: the regulariser is not finite (%g)", *reg);
    return TS_OK;
}
