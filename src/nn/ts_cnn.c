/* ts_cnn.c: the convolutional network's shape, parameters, initialisation,
 * config checks and SGD update (ts_cnn.h). The passes live in
 * ts_cnn_pass.c, the oneDNN primitives in ts_cnn_prims.c. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ts_cnn_internal.h"
#include "ts_mlp_internal.h"

/* oneDNN takes int64 dims, the dense GEMMs int: keep every block and every
 * image far below INT_MAX. */
#define TS_CNN_DIM_MAX ((size_t)1 << 24)

ts_status ts_cnn_parse_channels(const char *text, const char *key, ts_cnn_config *cfg, ts_err *err)
{
    if (!text || !*text) return ts_err_set(err, TS_EINVAL, "key '%s': empty; give channel counts such as \"32,64\"", key);
    size_t n = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ') p++;
        if (!isdigit((unsigned char)*p))
            return ts_err_set(err, TS_EINVAL, "key '%s': \"%s\" is not a list of channel counts such as \"32,64\"",
                              key, text);
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (v < 1 || v > 4096)
            return ts_err_set(err, TS_EINVAL, "key '%s': channel count %lu must be in [1, 4096]", key, v);
        if (n == TS_CNN_MAX_CONV)
            return ts_err_set(err, TS_EINVAL, "key '%s': more than %d convolution blocks", key, TS_CNN_MAX_CONV);
        cfg->channels[n++] = (size_t)v;
        p = end;
        while (*p == ' ') p++;
        if (*p == '\0') break;
        if (*p != ',')
            return ts_err_set(err, TS_EINVAL, "key '%s': \"%s\" is not a list of channel counts such as \"32,64\"",
                              key, text);
        p++;
    }
    cfg->n_conv = n;
    return TS_OK;
}

static ts_status check_config(const ts_cnn_config *c, ts_err *err)
{
    if (!c) return ts_err_set(err, TS_EINVAL, "cnn config: NULL");
    if (c->in_h < 1 || c->in_w < 1 || c->in_c < 1 || c->in_h * c->in_w * c->in_c > TS_CNN_DIM_MAX)
        return ts_err_set(err, TS_EINVAL, "cnn config: input shape (%zu, %zu, %zu) must be positive and at most "
                          "%zu values", c->in_h, c->in_w, c->in_c, TS_CNN_DIM_MAX);
    if (c->n_conv > TS_CNN_MAX_CONV)
        return ts_err_set(err, TS_EINVAL, "cnn config: n_conv = %zu must be in [0, %d]", c->n_conv, TS_CNN_MAX_CONV);
    if (c->kernel < 1 || c->kernel > 15)
        return ts_err_set(err, TS_EINVAL, "cnn config: kernel = %zu must be in [1, 15]", c->kernel);
    size_t h = c->in_h, w = c->in_w, ch = c->in_c;
    for (size_t l = 0; l < c->n_conv; l++) {
        if (c->channels[l] < 1 || c->channels[l] > 4096)
            return ts_err_set(err, TS_EINVAL, "cnn config: channels[%zu] = %zu must be in [1, 4096]", l, c->channels[l]);
        if (h < 2 || w < 2)
            return ts_err_set(err, TS_EINVAL, "cnn config: block %zu gets a %zu x %zu image: 2 x 2 pooling needs at "
                              "least 2 x 2 (fewer blocks, or a larger input)", l + 1, h, w);
        if (h * w * c->channels[l] > TS_CNN_DIM_MAX || ch * c->kernel * c->kernel > TS_CNN_DIM_MAX)
            return ts_err_set(err, TS_EINVAL, "cnn config: block %zu is too large", l + 1);
        h /= 2;
        w /= 2;
        ch = c->channels[l];
    }
    if (c->n_dense > TS_MLP_MAX_HIDDEN)
        return ts_err_set(err, TS_EINVAL, "cnn config: n_dense = %zu exceeds the maximum %d", c->n_dense,
                          TS_MLP_MAX_HIDDEN);
    for (size_t i = 0; i < c->n_dense; i++)
        if (c->width[i] < 1 || c->width[i] > TS_CNN_DIM_MAX)
            return ts_err_set(err, TS_EINVAL, "cnn config: width[%zu] = %zu must be in [1, %zu]", i, c->width[i],
                              TS_CNN_DIM_MAX);
    if (c->n_out < 1 || c->n_out > TS_CNN_DIM_MAX)
        return ts_err_set(err, TS_EINVAL, "cnn config: n_out = %zu must be in [1, %zu]", c->n_out, TS_CNN_DIM_MAX);
    if ((unsigned)c->act > TS_ACT_TANH)
        return ts_err_set(err, TS_EINVAL, "cnn config: act = %d is not an activation (relu 0, elu 1, tanh 2)", (int)c->act);
    if ((unsigned)c->loss > TS_LOSS_XENT)
        return ts_err_set(err, TS_EINVAL, "cnn config: loss = %d is not a loss (mse 0, xent 1)", (int)c->loss);
    if ((unsigned)c->init > TS_INIT_GLOROT)
        return ts_err_set(err, TS_EINVAL, "cnn config: init = %d is not an initialisation (he 0, glorot 1)", (int)c->init);
    if (c->loss == TS_LOSS_XENT && c->n_out < 2)
        return ts_err_set(err, TS_EINVAL, "cnn config: n_out = %zu: cross-entropy needs at least 2 classes", c->n_out);
    return TS_OK;
}

ts_status ts_cnn_alloc(const ts_cnn_config *cfg, ts_cnn **out, ts_err *err)
{
    if (!out) return ts_err_set(err, TS_EINVAL, "ts_cnn_alloc: out is NULL");
    *out = NULL;
    ts_status st = check_config(cfg, err);
    if (st) return st;
    ts_cnn *net = calloc(1, sizeof *net);
    if (!net) return ts_err_set(err, TS_ENOMEM, "ts_cnn_alloc: out of memory");
    net->cfg = *cfg;
    const size_t nc = cfg->n_conv, k = cfg->kernel;
    net->n_layers = nc + cfg->n_dense + 1;
    net->n_sites = 1 + nc + cfg->n_dense;
    size_t h = cfg->in_h, w = cfg->in_w, ch = cfg->in_c;
    net->site_h[0] = h;
    net->site_w[0] = w;
    net->site_c[0] = ch;
    size_t off = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t r, c;
        if (l < nc) {
            r = cfg->channels[l];
            c = ch * k * k;
            h /= 2;
            w /= 2;
            ch = r;
        } else {
            r = l < nc + cfg->n_dense ? cfg->width[l - nc] : cfg->n_out;
            c = h * w * ch;
            h = w = 1;
            ch = r;
        }
        net->rows[l] = r;
        net->cols[l] = c;
        if (l + 1 < net->n_layers) {
            net->site_h[l + 1] = h;
            net->site_w[l + 1] = w;
            net->site_c[l + 1] = ch;
        }
        if (r * c > (size_t)INT_MAX) {
            free(net);
            return ts_err_set(err, TS_EINVAL, "cnn config: layer %zu has %zu x %zu weights, more than an int", l, r, c);
        }
        net->off_w[l] = off;
        off += r * c;
        net->off_b[l] = off;
        off += r;
    }
    for (size_t s = 0; s < net->n_sites; s++) net->site_size[s] = net->site_h[s] * net->site_w[s] * net->site_c[s];
    net->n_params = off;
    net->w = calloc(off, sizeof *net->w);
    if (!net->w) {
        free(net);
        return ts_err_set(err, TS_ENOMEM, "ts_cnn_alloc: out of memory for %zu parameters", off);
    }
    *out = net;
    return TS_OK;
}

void ts_cnn_free(ts_cnn *net)
{
    if (!net) return;
    free(net->w);
    free(net);
}

size_t ts_cnn_conv_size(const ts_cnn *net, size_t l)
{
    return net->site_h[l] * net->site_w[l] * net->cfg.channels[l];
}

/* As ts_mlp_init: weights drawn layer by layer as doubles, scaled and
 * rounded once, in chunks of an even length, so the numbers depend on the
 * stream and shape only. A convolution's fans are those of its receptive
 * field: fan_in = in channels k^2 (cols), fan_out = out channels k^2. */
void ts_cnn_init(ts_cnn *net, ts_rng *r)
{
    enum { CHUNK = 4096 };
    double buf[CHUNK];
    const size_t k2 = net->cfg.kernel * net->cfg.kernel;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t fan_in = net->cols[l], fan_out = net->rows[l] * (l < net->cfg.n_conv ? k2 : 1);
        double var = net->cfg.init == TS_INIT_HE ? 2.0 / (double)fan_in : 2.0 / (double)(fan_in + fan_out);
        double sd = sqrt(var);
        float *w = net->w + net->off_w[l];
        size_t n = net->rows[l] * net->cols[l];
        for (size_t done = 0; done < n;) {
            size_t take = n - done < CHUNK ? n - done : CHUNK;
            ts_rng_normal_block(r, take, buf);
            for (size_t i = 0; i < take; i++) w[done + i] = (float)(sd * buf[i]);
            done += take;
        }
        memset(net->w + net->off_b[l], 0, net->rows[l] * sizeof(float));
    }
}

void ts_cnn_sgd_step(ts_cnn *net, const float *grad, float lr)
{
    float *w = net->w;
    size_t n = net->n_params;
#pragma omp simd
    for (size_t i = 0; i < n; i++) w[i] = w[i] - lr * grad[i];
}

ts_status ts_cnn_batch_check(const ts_cnn *net, const ts_batch *b, ts_err *err)
{
    return ts_nn_batch_check(net->cfg.loss, net->cfg.n_out, b, err);
}
