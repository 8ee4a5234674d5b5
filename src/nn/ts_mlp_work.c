/* ts_mlp_work.c: the workspace (every buffer a step needs, allocated once so
 * steps never allocate) and the noise blocks in it. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ts_mlp_internal.h"

static float *fbuf(size_t rows, size_t width, int *fail)
{
    float *p = malloc(rows * width * sizeof(float));
    if (!p) *fail = 1;
    return p;
}

ts_status ts_mlp_work_alloc(const ts_mlp *net, size_t max_rows, ts_mlp_work **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_mlp_work_alloc: out is NULL");
    *out = NULL;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_mlp_work_alloc: net is NULL");
    size_t wmax = net->cfg.n_in > net->cfg.n_out ? net->cfg.n_in : net->cfg.n_out;
    for (size_t i = 0; i < net->cfg.n_hidden; i++)
        if (net->cfg.width[i] > wmax) wmax = net->cfg.width[i];
    if (max_rows < 1 || max_rows > (size_t)INT_MAX / wmax)
        return ts_err_set(err, TS_EINVAL,
                          "ts_mlp_work_alloc: max_rows = %zu must be in [1, %zu] for layers %zu wide",
                          max_rows, (size_t)INT_MAX / wmax, wmax);
    ts_mlp_work *ws = calloc(1, sizeof *ws);
    if (!ws) return ts_err_set(err, TS_ENOMEM, "ts_mlp_work_alloc: out of memory");
    ws->max_rows = max_rows;
    ws->max_width = wmax;
    ws->n_layers = net->n_layers;
    memcpy(ws->rows, net->rows, sizeof ws->rows);
    memcpy(ws->cols, net->cols, sizeof ws->cols);
    int fail = 0;
    ws->in0 = fbuf(max_rows, net->cfg.n_in, &fail);
    ws->noise[0] = fbuf(max_rows, net->cfg.n_in, &fail);
    for (size_t l = 1; l <= net->cfg.n_hidden; l++) {
        size_t w = net->cfg.width[l - 1];
        ws->act[l] = fbuf(max_rows, w, &fail);
        ws->inj[l] = fbuf(max_rows, w, &fail);
        ws->noise[l] = fbuf(max_rows, w, &fail);
    }
    ws->out = fbuf(max_rows, net->cfg.n_out, &fail);
    ws->shared0 = fbuf(max_rows, net->rows[0], &fail);
    ws->dzsum0 = fbuf(max_rows, net->rows[0], &fail);
    ws->d0 = fbuf(max_rows, wmax, &fail);
    ws->d1 = fbuf(max_rows, wmax, &fail);
    /* one accumulator per unit of every layer (bias gradients), and at least
     * max_width for the explicit regulariser's column sums */
    size_t units = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        ws->colsum_off[l] = units;
        units += net->rows[l];
    }
    ws->colsum = malloc((units > wmax ? units : wmax) * sizeof(double));
    if (fail || !ws->colsum) {
        ts_mlp_work_free(ws);
        return ts_err_set(err, TS_ENOMEM, "ts_mlp_work_alloc: out of memory for %zu rows", max_rows);
    }
    /* one BLAS thread per rank, and the right kernels (ts_mlp_blas.c) */
    ts_mlp_blas_setup();
    *out = ws;
    return TS_OK;
}

void ts_mlp_work_free(ts_mlp_work *ws)
{
    if (!ws) return;
    free(ws->in0);
    for (size_t l = 0; l < TS_MLP_MAX_SITES; l++) {
        free(ws->act[l]);
        free(ws->inj[l]);
        free(ws->noise[l]);
    }
    free(ws->out);
    free(ws->shared0);
    free(ws->dzsum0);
    free(ws->d0);
    free(ws->d1);
    free(ws->colsum);
    free(ws);
}

ts_status ts_mlp_work_check(const ts_mlp *net, const ts_mlp_work *ws, size_t B, size_t M, ts_err *err)
{
    if (!net || !ws) return ts_err_set(err, TS_EINVAL, "mlp: net or workspace is NULL");
    if (ws->n_layers != net->n_layers || memcmp(ws->rows, net->rows, sizeof ws->rows) != 0 ||
        memcmp(ws->cols, net->cols, sizeof ws->cols) != 0)
        return ts_err_set(err, TS_EINVAL, "mlp: the workspace was allocated for a different network shape");
    if (B < 1) return ts_err_set(err, TS_EINVAL, "mlp: batch size B = 0");
    if (M < 1) return ts_err_set(err, TS_EINVAL, "mlp: M = 0 noise copies (M must be >= 1)");
    if (M > ws->max_rows / B)
        return ts_err_set(err, TS_EINVAL, "mlp: B M = %zu x %zu rows exceed the workspace's %zu", B, M,
                          ws->max_rows);
    return TS_OK;
}

ts_status ts_mlp_noise_draw(const ts_mlp *net, ts_mlp_work *ws, const ts_noise_config *nz, size_t B,
                            size_t M, ts_rng *r, ts_err *err)
{
    ts_status st = ts_noise_config_check(nz, err);
    if (st) return st;
    if ((st = ts_mlp_work_check(net, ws, B, M, err))) return st;
    if (!r) return ts_err_set(err, TS_EINVAL, "ts_mlp_noise_draw: stream is NULL");
    size_t R = B * M;
    /* Sites draw in order; the stream's consumption depends on the type and
     * shape only, not on sigma2, so a sigma2 = 0 run draws what others do. */
    for (size_t s = 0; s < ts_mlp_n_sites(net); s++) {
        int on = nz->type != TS_NOISE_NONE && (s > 0 || nz->on_input);
        ws->noise_on[s] = on;
        if (on) ts_rng_normal_block_f(r, R * ts_mlp_site_width(net, s), ws->noise[s]);
    }
    ws->noise_rows = nz->type != TS_NOISE_NONE ? R : 0;
    return TS_OK;
}

float *ts_mlp_noise_site(ts_mlp_work *ws, size_t site)
{
    if (!ws || site >= ws->n_layers || !ws->noise_on[site]) return NULL;
    return ws->noise[site];
}

const float *ts_mlp_activation(const ts_mlp_work *ws, size_t hidden_layer)
{
    if (!ws || hidden_layer < 1 || hidden_layer >= ws->n_layers) return NULL;
    return ws->act[hidden_layer];
}
