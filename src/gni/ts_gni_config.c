/* ts_gni_config.c: defaults and cross-field checks of a GNI run, and its
 * logged steps (ts_gni.h). Messages name the `gni` kind's parameter keys. */
#include <string.h>

#include "tailsweep/ts_gni.h"

enum { FASHION_TRAIN = 60000, FASHION_TEST = 10000, FASHION_D = 784, FASHION_CLASSES = 10 };

void ts_gni_config_default(ts_gni_config *c)
{
    memset(c, 0, sizeof *c);
    c->data = TS_GNI_DATA_TOY;
    c->n_train = 1000;
    c->n_test = 1000;
    c->n_eval = 2000;
    c->net.n_hidden = 4;
    for (size_t i = 0; i < TS_MLP_MAX_HIDDEN; i++) c->net.width[i] = 256;
    c->net.act = TS_ACT_ELU;
    c->net.loss = TS_LOSS_MSE;
    c->net.init = TS_INIT_HE;
    c->noise.type = TS_NOISE_ADD;
    c->noise.sigma2 = 0.1;
    c->noise.on_input = 1;
    c->M = 1;
    c->M_prime = 128;
    c->lr = 0.01;
    c->lr_k0 = 1000;
    c->steps = 1000;
    c->log_every = 50;
    c->fit = TS_GN_FIT_MCCULLOCH;
    c->mle_max = 1000;
    c->mimic_truncate = 1;
    c->arch = TS_ARCH_MLP;
    c->n_conv = 2;
    c->channels[0] = 32;
    c->channels[1] = 64;
    c->kernel = 3;
    c->objective = TS_GNI_OBJ_LOSS;
    c->mle_route = TS_FIT_ROUTE_TABLE;
}

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

ts_status ts_gni_config_check(ts_gni_config *c, ts_err *err)
{
    int toy = c->data == TS_GNI_DATA_TOY;
    c->net.n_in = toy ? 1 : FASHION_D;
    c->net.n_out = toy ? 1 : FASHION_CLASSES;
    /* the image shape (H, W, C) of the data; the toy signal is 1 x 1 x 1 */
    c->in_h = toy ? 1 : 28;
    c->in_w = toy ? 1 : 28;
    c->in_c = 1;
    if (c->arch == TS_ARCH_CNN && toy)
        return ts_err_set(err, TS_EINVAL, "key 'arch': cnn needs images; data 'toy' is a 1-D signal (use mlp)");
    if (c->net.loss == TS_LOSS_XENT && toy)
        return ts_err_set(err, TS_EINVAL, "key 'loss': xent needs class labels; data 'toy' is a regression (use mse)");
    if (c->net.loss == TS_LOSS_MSE && !toy)
        return ts_err_set(err, TS_EINVAL, "key 'loss': mse needs regression targets; data 'fashion_mnist' has "
                          "class labels (use xent)");
    if (toy && (c->n_train == 0 || c->n_test == 0))
        return ts_err_set(err, TS_EINVAL, "key '%s': the toy data need n >= 1 (0 means 'all' only for "
                          "fashion_mnist)", c->n_train == 0 ? "n_train" : "n_test");
    if (!toy && c->n_train > FASHION_TRAIN)
        return ts_err_set(err, TS_EINVAL, "key 'n_train': %zu is more than Fashion-MNIST's %d training images",
                          c->n_train, FASHION_TRAIN);
    if (!toy && c->n_test > FASHION_TEST)
        return ts_err_set(err, TS_EINVAL, "key 'n_test': %zu is more than Fashion-MNIST's %d test images",
                          c->n_test, FASHION_TEST);
    size_t n = c->n_train ? c->n_train : FASHION_TRAIN;
    if (c->batch > n)
        return ts_err_set(err, TS_EINVAL, "key 'batch': %zu is more than the %zu training examples (n_train)",
                          c->batch, n);
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
    ts_status st = ts_noise_config_check(&c->noise, err);
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
