/* ts_net.c: the gni kind's network, an MLP or a CNN (ts_net.h): one switch
 * per operation, and the MLP's explicit regulariser on the CNN engine. */
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_net.h"

struct ts_net_work {
    ts_mlp_work *mlp;
    ts_cnn_work *cnn;
    /* MLP only, for R: the same dense network on the CNN engine (no
     * convolution blocks), its weights copied in before each use */
    ts_cnn *dense;
    ts_cnn_work *dense_ws;
    size_t max_rows;
};

static ts_cnn_config dense_config(const ts_mlp_config *m)
{
    ts_cnn_config c = { .in_h = 1, .in_w = 1, .in_c = m->n_in, .n_conv = 0, .kernel = 1, .n_dense = m->n_hidden,
                        .n_out = m->n_out, .act = m->act, .loss = m->loss, .init = m->init };
    memcpy(c.width, m->width, sizeof c.width);
    return c;
}

/* ts_mlp and ts_cnn name their parameter layout alike. */
#define TAKE_LAYOUT(net, m)                                                                        \
    do {                                                                                           \
        (net)->w = (m)->w;                                                                         \
        (net)->n_params = (m)->n_params;                                                           \
        (net)->n_layers = (m)->n_layers;                                                           \
        (net)->rows = (m)->rows;                                                                   \
        (net)->cols = (m)->cols;                                                                   \
        (net)->off_w = (m)->off_w;                                                                 \
        (net)->off_b = (m)->off_b;                                                                 \
    } while (0)

ts_status ts_net_alloc(const ts_net_config *cfg, ts_net **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_net_alloc: out is NULL");
    *out = NULL;
    if (!cfg) return ts_err_set(err, TS_EINVAL, "ts_net_alloc: config is NULL");
    ts_net *net = calloc(1, sizeof *net);
    if (!net) return ts_err_set(err, TS_ENOMEM, "ts_net_alloc: out of memory");
    net->arch = cfg->arch;
    ts_status st;
    if (cfg->arch == TS_ARCH_MLP) {
        st = ts_mlp_alloc(&cfg->mlp, &net->mlp, err);
        if (!st) {
            const ts_mlp *m = net->mlp;
            TAKE_LAYOUT(net, m);
            net->n_sites = ts_mlp_n_sites(m);
            for (size_t s = 0; s < net->n_sites; s++) net->site_size[s] = ts_mlp_site_width(m, s);
        }
    } else if (cfg->arch == TS_ARCH_CNN) {
        ts_cnn_config c = dense_config(&cfg->mlp);
        c.in_h = cfg->in_h;
        c.in_w = cfg->in_w;
        c.in_c = cfg->in_c;
        c.n_conv = cfg->n_conv;
        memcpy(c.channels, cfg->channels, sizeof c.channels);
        c.kernel = cfg->kernel;
        st = cfg->n_conv == 0 ? ts_err_set(err, TS_EINVAL, "cnn config: no convolution blocks (use arch mlp)")
                              : ts_cnn_alloc(&c, &net->cnn, err);
        if (!st) {
            const ts_cnn *m = net->cnn;
            TAKE_LAYOUT(net, m);
            net->n_sites = m->n_sites;
            memcpy(net->site_size, m->site_size, sizeof net->site_size);
        }
    } else {
        st = ts_err_set(err, TS_EINVAL, "net config: arch = %d is not an architecture (mlp 0, cnn 1)", (int)cfg->arch);
    }
    if (st) {
        free(net);
        return st;
    }
    *out = net;
    return TS_OK;
}

void ts_net_free(ts_net *net)
{
    if (!net) return;
    ts_mlp_free(net->mlp);
    ts_cnn_free(net->cnn);
    free(net);
}

void ts_net_init(ts_net *net, ts_rng *r)
{
    if (net->mlp) ts_mlp_init(net->mlp, r);
    else ts_cnn_init(net->cnn, r);
}

void ts_net_sgd_step(ts_net *net, const float *grad, float lr)
{
    if (net->mlp) ts_mlp_sgd_step(net->mlp, grad, lr);
    else ts_cnn_sgd_step(net->cnn, grad, lr);
}

ts_status ts_net_work_alloc(const ts_net *net, size_t max_rows, ts_net_work **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_net_work_alloc: out is NULL");
    *out = NULL;
    if (!net) return ts_err_set(err, TS_EINVAL, "ts_net_work_alloc: net is NULL");
    ts_net_work *ws = calloc(1, sizeof *ws);
    if (!ws) return ts_err_set(err, TS_ENOMEM, "ts_net_work_alloc: out of memory");
    ws->max_rows = max_rows;
    ts_status st = net->mlp ? ts_mlp_work_alloc(net->mlp, max_rows, &ws->mlp, err)
                            : ts_cnn_work_alloc(net->cnn, max_rows, &ws->cnn, err);
    if (st) {
        free(ws);
        return st;
    }
    *out = ws;
    return TS_OK;
}

void ts_net_work_free(ts_net_work *ws)
{
    if (!ws) return;
    ts_mlp_work_free(ws->mlp);
    ts_cnn_work_free(ws->cnn);
    ts_cnn_work_free(ws->dense_ws);
    ts_cnn_free(ws->dense);
    free(ws);
}

size_t ts_net_row_bytes(const ts_net *net)
{
    if (net->cnn) return ts_cnn_row_bytes(net->cnn);
    /* the MLP keeps per row: the input twice, three copies of every hidden
     * layer, the output, and five buffers as wide as the widest layer */
    size_t per = 2 * net->site_size[0] + net->rows[net->n_layers - 1], wmax = net->site_size[0];
    for (size_t s = 1; s < net->n_sites; s++) {
        per += 3 * net->site_size[s];
        wmax = net->site_size[s] > wmax ? net->site_size[s] : wmax;
    }
    return (per + 5 * wmax) * sizeof(float);
}

ts_status ts_net_noise_draw(const ts_net *net, ts_net_work *ws, const ts_noise_config *nz, size_t B, size_t M,
                            ts_rng *r, ts_err *err)
{
    return net->mlp ? ts_mlp_noise_draw(net->mlp, ws->mlp, nz, B, M, r, err)
                    : ts_cnn_noise_draw(net->cnn, ws->cnn, nz, B, M, r, err);
}

float *ts_net_noise_site(ts_net_work *ws, size_t site)
{
    return ws->mlp ? ts_mlp_noise_site(ws->mlp, site) : ts_cnn_noise_site(ws->cnn, site);
}

ts_status ts_net_loss_grad(const ts_net *net, ts_net_work *ws, const ts_batch *b, size_t M, const ts_noise_config *nz,
                           float *grad, double *loss, ts_err *err)
{
    return net->mlp ? ts_mlp_loss_grad(net->mlp, ws->mlp, b, M, nz, grad, loss, err)
                    : ts_cnn_loss_grad(net->cnn, ws->cnn, b, M, nz, grad, loss, err);
}

const float *ts_net_activation(const ts_net_work *ws, size_t site)
{
    return ws->mlp ? ts_mlp_activation(ws->mlp, site) : ts_cnn_activation(ws->cnn, site);
}

ts_status ts_net_evaluate(const ts_net *net, ts_net_work *ws, const ts_batch *all, double *loss, double *accuracy,
                          ts_err *err)
{
    return net->mlp ? ts_mlp_evaluate(net->mlp, ws->mlp, all, loss, accuracy, err)
                    : ts_cnn_evaluate(net->cnn, ws->cnn, all, loss, accuracy, err);
}

/* The CNN engine's view of an MLP: allocated once, weights copied in. */
static ts_status dense_view(const ts_net *net, ts_net_work *ws, const ts_cnn **cnn, ts_cnn_work **cws, ts_err *err)
{
    if (net->cnn) {
        *cnn = net->cnn;
        *cws = ws->cnn;
        return TS_OK;
    }
    if (!ws->dense) {
        ts_cnn_config c = dense_config(&net->mlp->cfg);
        ts_status st = ts_cnn_alloc(&c, &ws->dense, err);
        if (!st) st = ts_cnn_work_alloc(ws->dense, ws->max_rows, &ws->dense_ws, err);
        if (st) {
            ts_cnn_free(ws->dense);
            ws->dense = NULL;
            return st;
        }
    }
    memcpy(ws->dense->w, net->w, net->n_params * sizeof(float));
    *cnn = ws->dense;
    *cws = ws->dense_ws;
    return TS_OK;
}

ts_status ts_net_explicit_reg(const ts_net *net, ts_net_work *ws, const ts_batch *b, const ts_noise_config *nz,
                              double *reg, ts_err *err)
{
    const ts_cnn *cnn;
    ts_cnn_work *cws;
    ts_status st = dense_view(net, ws, &cnn, &cws, err);
    return st ? st : ts_cnn_explicit_reg(cnn, cws, b, nz, reg, err);
}

ts_status ts_net_reg_loss_grad(const ts_net *net, ts_net_work *ws, const ts_batch *b, const ts_noise_config *nz,
                               float *grad, double *loss, double *reg, ts_err *err)
{
    const ts_cnn *cnn;
    ts_cnn_work *cws;
    ts_status st = dense_view(net, ws, &cnn, &cws, err);
    return st ? st : ts_cnn_reg_loss_grad(cnn, cws, b, nz, grad, loss, reg, err);
}
