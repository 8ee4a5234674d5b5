/* ts_cnn_work.c: the CNN's workspace (every buffer a pass needs, allocated
 * once) and its noise blocks. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ts_cnn_internal.h"

static float *fbuf(size_t n, int *fail)
{
    float *p = malloc((n ? n : 1) * sizeof(float));
    if (!p) *fail = 1;
    return p;
}

size_t ts_cnn_row_bytes(const ts_cnn *net)
{
    size_t per = 0;
    for (size_t s = 0; s < net->n_sites; s++) per += net->site_size[s] * (s > 0 ? 2 : 1);   /* noise + activation */
    return per * sizeof(float);
}

ts_status ts_cnn_work_alloc(const ts_cnn *net, size_t max_rows, ts_cnn_work **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_cnn_work_alloc: out is NULL");
    *out = NULL;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_cnn_work_alloc: net is NULL");
    size_t widest = 0;
    for (size_t s = 0; s < net->n_sites; s++) widest = net->site_size[s] > widest ? net->site_size[s] : widest;
    if (max_rows < 1 || max_rows > (size_t)INT_MAX / widest)
        return ts_err_set(err, TS_EINVAL, "ts_cnn_work_alloc: max_rows = %zu must be in [1, %zu] for sites %zu wide",
                          max_rows, (size_t)INT_MAX / widest, widest);
    ts_status st = ts_cnn_engine(NULL, NULL, err);
    if (st) return st;
    ts_cnn_work *ws = calloc(1, sizeof *ws);
    if (!ws) return ts_err_set(err, TS_ENOMEM, "ts_cnn_work_alloc: out of memory");
    ws->max_rows = max_rows;
    ws->n_layers = net->n_layers;
    memcpy(ws->rows, net->rows, sizeof ws->rows);
    memcpy(ws->cols, net->cols, sizeof ws->cols);
    const size_t ch = max_rows < TS_CNN_CHUNK ? max_rows : TS_CNN_CHUNK, nc = net->cfg.n_conv;
    size_t dmax = net->cfg.n_out, wmax = 1;
    int fail = 0;
    for (size_t s = 0; s < net->n_sites; s++) {
        ws->noise[s] = fbuf(max_rows * net->site_size[s], &fail);
        if (s > 0) {
            ws->act[s] = fbuf(max_rows * net->site_size[s], &fail);
            ws->inj[s] = fbuf(ch * net->site_size[s], &fail);
        }
        dmax = net->site_size[s] > dmax ? net->site_size[s] : dmax;
    }
    for (size_t l = 0; l < nc; l++) {
        size_t zs = ts_cnn_conv_size(net, l), nw = net->rows[l] * net->cols[l];
        ws->z[l] = fbuf(ch * zs, &fail);
        dmax = zs > dmax ? zs : dmax;
        wmax = nw > wmax ? nw : wmax;
    }
    ws->dmax = dmax;
    ws->in0 = fbuf(ch * net->site_size[0], &fail);
    ws->out = fbuf(ch * net->cfg.n_out, &fail);
    ws->d0 = fbuf(ch * dmax, &fail);
    ws->d1 = fbuf(ch * dmax, &fail);
    ws->wtmp = fbuf(wmax, &fail);
    size_t units = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        ws->colsum_off[l] = units;
        units += net->rows[l];
    }
    ws->colsum = malloc(units * sizeof(double));
    if (fail || !ws->colsum) {
        ts_cnn_work_free(ws);
        return ts_err_set(err, TS_ENOMEM, "ts_cnn_work_alloc: out of memory for %zu rows", max_rows);
    }
    *out = ws;
    return TS_OK;
}

void ts_cnn_work_free(ts_cnn_work *ws)
{
    if (!ws) return;
    for (size_t i = 0; i < TS_CNN_PRIM_CACHE; i++) ts_cnn_prims_free(&ws->prims[i]);
    for (size_t s = 0; s < TS_CNN_MAX_SITES; s++) {
        free(ws->act[s]);
        free(ws->noise[s]);
        free(ws->inj[s]);
    }
    for (size_t l = 0; l < TS_CNN_MAX_CONV; l++) free(ws->z[l]);
    free(ws->in0);
    free(ws->out);
    free(ws->d0);
    free(ws->d1);
    free(ws->wtmp);
    free(ws->colsum);
    free(ws->reg_f);
    free(ws->reg_d);
    free(ws);
}

ts_status ts_cnn_work_check(const ts_cnn *net, const ts_cnn_work *ws, size_t B, size_t M, ts_err *err)
{
    if (!net || !ws) return ts_err_set(err, TS_EINVAL, "cnn: net or workspace is NULL");
    if (ws->n_layers != net->n_layers || memcmp(ws->rows, net->rows, sizeof ws->rows) != 0 ||
        memcmp(ws->cols, net->cols, sizeof ws->cols) != 0)
        return ts_err_set(err, TS_EINVAL, "cnn: the workspace was allocated for a different network shape");
    if (B < 1) return ts_err_set(err, TS_EINVAL, "cnn: batch size B = 0");
    if (M < 1) return ts_err_set(err, TS_EINVAL, "cnn: M = 0 noise copies (M must be >= 1)");
    if (M > ws->max_rows / B)
        return ts_err_set(err, TS_EINVAL, "cnn: B M = %zu x %zu images exceed the workspace's %zu", B, M, ws->max_rows);
    return TS_OK;
}

ts_status ts_cnn_noise_draw(const ts_cnn *net, ts_cnn_work *ws, const ts_noise_config *nz, size_t B, size_t M,
                            ts_rng *r, ts_err *err)
{
    ts_status st = ts_noise_config_check(nz, err);
    if (st) return st;
    if ((st = ts_cnn_work_check(net, ws, B, M, err))) return st;
    if (!r) return ts_err_set(err, TS_EINVAL, "ts_cnn_noise_draw: stream is NULL");
    size_t R = B * M;
    /* sites in order; the stream's use depends on the type and shape only */
    for (size_t s = 0; s < net->n_sites; s++) {
        int on = nz->type != TS_NOISE_NONE && (s > 0 || nz->on_input);
        ws->noise_on[s] = on;
        if (on) ts_rng_normal_block_f(r, R * net->site_size[s], ws->noise[s]);
    }
    ws->noise_rows = nz->type != TS_NOISE_NONE ? R : 0;
    return TS_OK;
}

float *ts_cnn_noise_site(ts_cnn_work *ws, size_t site)
{
    if (!ws || site >= TS_CNN_MAX_SITES || !ws->noise_on[site]) return NULL;
    return ws->noise[site];
}

const float *ts_cnn_activation(const ts_cnn_work *ws, size_t site)
{
    if (!ws || site < 1 || site >= TS_CNN_MAX_SITES) return NULL;
    return ws->act[site];
}
