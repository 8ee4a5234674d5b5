/* ts_mlp.c: the network's shape, its parameters, initialisation, the config
 * checks and the SGD update. The passes live in ts_mlp_forward.c,
 * ts_mlp_backward.c and ts_mlp_eval.c. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "ts_mlp_internal.h"

/* BLAS takes int dimensions and leading dimensions: every matrix dimension
 * and every parameter block must stay below INT_MAX. */
#define TS_MLP_DIM_MAX ((size_t)1 << 24)

static ts_status check_config(const ts_mlp_config *c, ts_err *err)
{
    if (!c) return ts_err_set(err, TS_EINVAL, "mlp config: NULL");
    if (c->n_in < 1 || c->n_in > TS_MLP_DIM_MAX)
        return ts_err_set(err, TS_EINVAL, "mlp config: n_in = %zu must be in [1, %zu]", c->n_in,
                          TS_MLP_DIM_MAX);
    if (c->n_out < 1 || c->n_out > TS_MLP_DIM_MAX)
        return ts_err_set(err, TS_EINVAL, "mlp config: n_out = %zu must be in [1, %zu]", c->n_out,
                          TS_MLP_DIM_MAX);
    if (c->n_hidden > TS_MLP_MAX_HIDDEN)
        return ts_err_set(err, TS_EINVAL, "mlp config: n_hidden = %zu exceeds the maximum %d",
                          c->n_hidden, TS_MLP_MAX_HIDDEN);
    for (size_t i = 0; i < c->n_hidden; i++)
        if (c->width[i] < 1 || c->width[i] > TS_MLP_DIM_MAX)
            return ts_err_set(err, TS_EINVAL, "mlp config: width[%zu] = %zu must be in [1, %zu]", i,
                              c->width[i], TS_MLP_DIM_MAX);
    if ((unsigned)c->act > TS_ACT_TANH)
        return ts_err_set(err, TS_EINVAL, "mlp config: act = %d is not an activation (relu 0, elu 1, tanh 2)",
                          (int)c->act);
    if ((unsigned)c->loss > TS_LOSS_XENT)
        return ts_err_set(err, TS_EINVAL, "mlp config: loss = %d is not a loss (mse 0, xent 1)", (int)c->loss);
    if ((unsigned)c->init > TS_INIT_GLOROT)
        return ts_err_set(err, TS_EINVAL, "mlp config: init = %d is not an initialisation (he 0, glorot 1)",
                          (int)c->init);
    if (c->loss == TS_LOSS_XENT && c->n_out < 2)
        return ts_err_set(err, TS_EINVAL, "mlp config: n_out = %zu: cross-entropy needs at least 2 classes",
                          c->n_out);
    return TS_OK;
}

ts_status ts_noise_config_check(const ts_noise_config *nz, ts_err *err)
{
    if (!nz) return ts_err_set(err, TS_EINVAL, "noise config: NULL");
    if ((unsigned)nz->type > TS_NOISE_MULT)
        return ts_err_set(err, TS_EINVAL, "noise config: type = %d is not a noise type (none 0, add 1, mult 2)",
                          (int)nz->type);
    if (!(nz->sigma2 >= 0.0) || !isfinite(nz->sigma2))
        return ts_err_set(err, TS_EINVAL, "noise config: sigma2 = %g must be a finite variance >= 0",
                          nz->sigma2);
    if (nz->on_input != 0 && nz->on_input != 1)
        return ts_err_set(err, TS_EINVAL, "noise config: on_input = %d must be 0 or 1", nz->on_input);
    return TS_OK;
}

int ts_mlp_noise_active(const ts_noise_config *nz)
{
    return nz && nz->type != TS_NOISE_NONE && nz->sigma2 > 0.0;
}

ts_status ts_mlp_alloc(const ts_mlp_config *cfg, ts_mlp **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_mlp_alloc: out is NULL");
    *out = NULL;
    ts_status st = check_config(cfg, err);
    if (st) return st;
    ts_mlp *net = calloc(1, sizeof *net);
    if (!net) return ts_err_set(err, TS_ENOMEM, "ts_mlp_alloc: out of memory");
    net->cfg = *cfg;
    net->n_layers = cfg->n_hidden + 1;
    size_t off = 0, fan_in = cfg->n_in;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t r = l < cfg->n_hidden ? cfg->width[l] : cfg->n_out;
        net->rows[l] = r;
        net->cols[l] = fan_in;
        if (r * fan_in > (size_t)INT_MAX) {
            free(net);
            return ts_err_set(err, TS_EINVAL, "mlp config: layer %zu has %zu x %zu weights, more than BLAS's int",
                              l, r, fan_in);
        }
        net->off_w[l] = off;
        off += r * fan_in;
        net->off_b[l] = off;
        off += r;
        fan_in = r;
    }
    net->n_params = off;
    net->w = calloc(off, sizeof *net->w);
    if (!net->w) {
        free(net);
        return ts_err_set(err, TS_ENOMEM, "ts_mlp_alloc: out of memory for %zu parameters", off);
    }
    *out = net;
    return TS_OK;
}

void ts_mlp_free(ts_mlp *net)
{
    if (!net) return;
    free(net->w);
    free(net);
}

/* Weights drawn layer by layer in layout order, as doubles then scaled and
 * rounded once to float: the numbers depend on the stream and shape only. */
void ts_mlp_init(ts_mlp *net, ts_rng *r)
{
    enum { CHUNK = 4096 };   /* even: the draws do not depend on the chunking */
    double buf[CHUNK];
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t fan_in = net->cols[l], fan_out = net->rows[l];
        double var = net->cfg.init == TS_INIT_HE ? 2.0 / (double)fan_in
                                                 : 2.0 / (double)(fan_in + fan_out);
        double sd = sqrt(var);
        float *w = net->w + net->off_w[l];
        size_t n = fan_in * fan_out;
        for (size_t done = 0; done < n;) {
            size_t take = n - done < CHUNK ? n - done : CHUNK;
            ts_rng_normal_block(r, take, buf);
            for (size_t i = 0; i < take; i++) w[done + i] = (float)(sd * buf[i]);
            done += take;
        }
        float *b = net->w + net->off_b[l];
        for (size_t i = 0; i < fan_out; i++) b[i] = 0.0f;
    }
}

size_t ts_mlp_n_sites(const ts_mlp *net) { return net->cfg.n_hidden + 1; }

size_t ts_mlp_site_width(const ts_mlp *net, size_t site)
{
    if (site == 0) return net->cfg.n_in;
    if (site <= net->cfg.n_hidden) return net->cfg.width[site - 1];
    return 0;
}

void ts_mlp_sgd_step(ts_mlp *net, const float *grad, float lr)
{
    float *w = net->w;
    size_t n = net->n_params;
#pragma omp simd
    for (size_t i = 0; i < n; i++) w[i] = w[i] - lr * grad[i];
}
