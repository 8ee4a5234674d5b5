/* ts_gni_config.c: cross-field checks of a GNI run, its
 * logged and measured steps, and the raw-sample steps (ts_gni.h). Messages
 * name the `gni` kind's parameter keys. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_gni.h"

const char *const ts_gni_source_names[] = { "implicit", "batch", "total", NULL };

ts_net_config ts_gni_net_config(const ts_gni_config *c)
{
    ts_net_config n = { .arch = c->arch, .mlp = c->net, .in_h = c->in_h, .in_w = c->in_w, .in_c = c->in_c,
                        .n_conv = c->arch == TS_ARCH_CNN ? c->n_conv : 0, .kernel = c->kernel };
    memcpy(n.channels, c->channels, sizeof n.channels);
    return n;
}

size_t ts_gni_n_hidden(const ts_gni_config *c)
{
    return c->net.n_hidden + (c->arch == TS_ARCH_CNN ? c->n_conv : 0);
}

size_t ts_gni_n_layers(const ts_gni_config *c)
{
    return ts_gni_n_hidden(c) + 1;
}

/* The checks of the data: folder use, sizes against the standard split. */
static ts_status check_data(ts_gni_config *c, ts_err *err)
{
    const ts_data_set_info *in = ts_data_set_get_info(c->data);
    const char *name = ts_data_set_names[c->data];
    int toy = c->data == TS_DATA_TOY;
    c->net.n_in = in->shape[0] * in->shape[1] * in->shape[2];
    c->net.n_out = toy ? 1 : in->n_classes;
    /* the image shape (H, W, C) of the data, which a CNN takes as its input;
     * the toy signal is 1 x 1 x 1 */
    c->in_h = in->shape[0];
    c->in_w = in->shape[1];
    c->in_c = in->shape[2];
    if (c->arch == TS_ARCH_CNN && toy)
        return ts_err_set(err, TS_EINVAL, "key 'arch': cnn needs images; data 'toy' is a 1-D signal (use mlp)");
    if (toy && c->data_dir && c->data_dir[0])
        return ts_err_set(err, TS_EINVAL, "key 'data_dir': data 'toy' is generated and reads no folder ('%s')",
                          c->data_dir);
    if (c->net.loss == TS_LOSS_XENT && toy)
        return ts_err_set(err, TS_EINVAL, "key 'loss': xent needs class labels; data 'toy' is a regression (use mse)");
    if (c->net.loss == TS_LOSS_MSE && !toy)
        return ts_err_set(err, TS_EINVAL, "key 'loss': mse needs regression targets; data '%s' has class labels "
                          "(use xent)", name);
    if (toy && (c->n_train == 0 || c->n_test == 0))
        return ts_err_set(err, TS_EINVAL, "key '%s': the toy data need n >= 1 (0 means 'all' only for image sets)",
                          c->n_train == 0 ? "n_train" : "n_test");
    if (!toy && c->n_train > in->n_train)
        return ts_err_set(err, TS_EINVAL, "key 'n_train': %zu is more than %s's %zu training images", c->n_train, name,
                          in->n_train);
    if (!toy && c->n_test > in->n_test)
        return ts_err_set(err, TS_EINVAL, "key 'n_test': %zu is more than %s's %zu test images", c->n_test, name,
                          in->n_test);
    size_t n = c->n_train ? c->n_train : in->n_train;
    if (c->batch > n)
        return ts_err_set(err, TS_EINVAL, "key 'batch': %zu is more than the %zu training examples (n_train)",
                          c->batch, n);
    return TS_OK;
}

static ts_status check_optimizer(const ts_gni_config *c, ts_err *err)
{
    if (c->opt == TS_GNI_OPT_NOISY_SGD && !(c->grad_noise_std >= 0 && c->grad_noise_std < HUGE_VAL))
        return ts_err_set(err, TS_EINVAL, "key 'grad_noise_std': must be a finite value >= 0");
    if (c->opt == TS_GNI_OPT_DP_SGD && !(c->clip_norm > 0 && c->clip_norm < HUGE_VAL))
        return ts_err_set(err, TS_EINVAL, "key 'clip_norm': must be > 0 (DP-SGD clips each example's gradient to it)");
    if (c->opt == TS_GNI_OPT_DP_SGD && !(c->noise_multiplier >= 0 && c->noise_multiplier < HUGE_VAL))
        return ts_err_set(err, TS_EINVAL, "key 'noise_multiplier': must be a finite value >= 0");
    if (c->opt != TS_GNI_OPT_SGD && c->mimic != TS_GNI_MIMIC_NONE)
        return ts_err_set(err, TS_EINVAL, "key 'optimizer': mimic runs add their own noise to plain SGD; use "
                          "optimizer sgd with mimic");
    return TS_OK;
}

ts_status ts_gni_config_check(ts_gni_config *c, ts_err *err)
{
    if ((unsigned)c->data > TS_DATA_SVHN) return ts_err_set(err, TS_EINVAL, "key 'data': unknown data set %d", (int)c->data);
    ts_status st = check_data(c, err);
    if (st) return st;
    if (c->M == 0) return ts_err_set(err, TS_EINVAL, "key 'M': must be >= 1");
    if (c->M_prime < 2) return ts_err_set(err, TS_EINVAL, "key 'M_prime': must be >= 2");
    if (!(c->lr > 0)) return ts_err_set(err, TS_EINVAL, "key 'lr': must be > 0");
    if (c->steps == 0 || c->log_every == 0) return ts_err_set(err, TS_EINVAL, "key '%s': must be >= 1",
                                                              c->steps == 0 ? "steps" : "log_every");
    if (c->gradnoise_every % c->log_every)
        return ts_err_set(err, TS_EINVAL, "key 'gradnoise_every': %llu is not a multiple of log_every = %llu "
                          "(the statistics share the loss curves' step coordinate)",
                          (unsigned long long)c->gradnoise_every, (unsigned long long)c->log_every);
    if (c->mimic != TS_GNI_MIMIC_NONE && c->batch != 0)
        return ts_err_set(err, TS_EINVAL, "key 'batch': mimic runs train on full-batch gradients (paper figure "
                          "4): use batch 0");
    if (c->mimic != TS_GNI_MIMIC_NONE && (c->noise.type == TS_NOISE_NONE || c->noise.sigma2 == 0))
        return ts_err_set(err, TS_EINVAL, "key 'mimic': mimicking the implicit effect needs noise (sigma2 > 0)");
    if (c->objective == TS_GNI_OBJ_EXPLICIT_REG) {
        if (c->M != 1)
            return ts_err_set(err, TS_EINVAL, "key 'M': objective explicit_reg trains without noise draws (L + R): "
                              "use M 1");
        if (c->mimic != TS_GNI_MIMIC_NONE)
            return ts_err_set(err, TS_EINVAL, "key 'mimic': objective explicit_reg has no implicit effect to mimic");
    }
    if (c->mimic != TS_GNI_MIMIC_NONE && c->source != TS_GNI_SOURCE_IMPLICIT)
        return ts_err_set(err, TS_EINVAL, "key 'gradnoise_source': mimic runs fit the implicit-effect noise; use "
                          "gradnoise_source implicit");
    if (c->raw_layer > ts_gni_n_hidden(c))
        return ts_err_set(err, TS_EINVAL, "key 'raw_layer': %zu, but the network has weight layers 0..%zu "
                          "(depth %zu)", c->raw_layer, ts_gni_n_hidden(c), ts_gni_n_hidden(c));
    if (c->n_raw && c->raw_max == 0) return ts_err_set(err, TS_EINVAL, "key 'raw_max': must be >= 1");
    st = check_optimizer(c, err);
    if (!st) st = ts_noise_config_check(&c->noise, err);
    if (st) return st;
    ts_net_config nc = ts_gni_net_config(c);
    ts_net *net = NULL;
    st = ts_net_alloc(&nc, &net, err);
    if (!st) ts_net_free(net);
    return st;
}

size_t ts_gni_n_logs(const ts_gni_config *c)
{
    return (size_t)(c->steps / c->log_every) + 1 + (c->steps % c->log_every != 0);
}

uint64_t ts_gni_log_step(const ts_gni_config *c, size_t k)
{
    uint64_t s = (uint64_t)k * c->log_every;
    return s < c->steps ? s : c->steps;
}

int ts_gni_measured_step(const ts_gni_config *c, uint64_t step)
{
    uint64_t every = c->gradnoise_every ? c->gradnoise_every : c->log_every;
    int logged = step == c->steps || (step < c->steps && step % c->log_every == 0);
    return logged && step % every == 0;
}

ts_status ts_gni_parse_raw_steps(ts_gni_config *c, const char *text, ts_err *err)
{
    c->n_raw = 0;
    const char *p = text ? text : "";
    while (*p) {
        while (isspace((unsigned char)*p) || *p == ',') p++;
        if (!*p) break;
        if (!isdigit((unsigned char)*p))
            return ts_err_set(err, TS_EINVAL, "key 'raw_steps': expected steps separated by commas, got '%s'", text);
        char *end;
        errno = 0;
        unsigned long long s = strtoull(p, &end, 10);
        if (errno || (*end && *end != ',' && !isspace((unsigned char)*end)))
            return ts_err_set(err, TS_EINVAL, "key 'raw_steps': '%.*s' is not a step", (int)(end - p + 1), p);
        if (c->n_raw == TS_GNI_MAX_RAW)
            return ts_err_set(err, TS_EINVAL, "key 'raw_steps': at most %d steps", TS_GNI_MAX_RAW);
        if (c->n_raw && s <= c->raw_steps[c->n_raw - 1])
            return ts_err_set(err, TS_EINVAL, "key 'raw_steps': %llu after %llu; list increasing steps", s,
                              (unsigned long long)c->raw_steps[c->n_raw - 1]);
        if (s > c->steps || !ts_gni_measured_step(c, s))
            return ts_err_set(err, TS_EINVAL, "key 'raw_steps': the noise is not measured at step %llu (measured: "
                              "multiples of gradnoise_every, else of log_every, up to steps = %llu, and steps "
                              "itself when it is one)", s, (unsigned long long)c->steps);
        c->raw_steps[c->n_raw++] = s;
        p = end;
    }
    return TS_OK;
}

size_t ts_gni_raw_count(const ts_gni_config *c)
{
    size_t L = c->net.n_hidden, l = c->raw_layer;
    size_t rows = l == L ? c->net.n_out : c->net.width[l], cols = l == 0 ? c->net.n_in : c->net.width[l - 1];
    return rows * cols < c->raw_max ? rows * cols : c->raw_max;
}
