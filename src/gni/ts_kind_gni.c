/* ts_kind_gni.c: the GNI experiment as a sweep kind: its parameters, its
 * result arrays, and one task = one ts_gni_run. The same table drives
 * `tailsweep train` flags and job-file keys. The parameters come in groups
 * (data, network, injections, optimiser, gradient noise, mimic), each
 * mapped onto ts_gni_config by one function of to_config. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_gni.h"
#include "tailsweep/ts_kind.h"

static const char *const act_names[] = { "relu", "elu", "tanh", NULL };
static const char *const loss_names[] = { "auto", "mse", "xent", NULL };
static const char *const init_names[] = { "he", "glorot", NULL };
static const char *const noise_names[] = { "none", "additive", "multiplicative", NULL };
static const char *const mimic_names[] = { "none", "stable", "gaussian", "shuffled", NULL };
static const char *const arch_names[] = { "mlp", "cnn", NULL };
static const char *const objective_names[] = { "loss", "explicit_reg", NULL };
static const char *const mimic_mean_names[] = { "fresh", "training", NULL };
#define INF HUGE_VAL
#define BIG 1e12   /* step counts: exact in a double */

static const ts_param_spec gni_params[] = {
    { "data", TS_PARAM_CHOICE, 0, 0, 0, "toy", ts_data_set_names, "", "toy (paper figure 2's signal, regression) or an image set of 10 classes: fashion_mnist, mnist, cifar10, svhn", TS_PARAM_FIXED },
    { "data_dir", TS_PARAM_STRING, 0, 0, 0, "", NULL, "", "folder of the image set's files; empty: its default (fashion_mnist: " TS_FASHION_MNIST_DIR "; mnist, cifar10, svhn have none)", 0 },
    { "shared_init", TS_PARAM_INT, 0, 1, 0, "0", NULL, "", "1: initial weights and data subset from (seed, replicate) only, the same at every grid point (paired comparisons); 0: per grid point", 0 },
    { "n_train", TS_PARAM_INT, 0, 1e8, 0, "1000", NULL, "", "training examples (a random subset); 0: all (image sets)", 0 },
    { "n_test", TS_PARAM_INT, 0, 1e8, 0, "1000", NULL, "", "test examples (the first ones); 0: all (image sets)", 0 },
    { "n_eval", TS_PARAM_INT, 0, 1e8, 0, "2000", NULL, "", "train loss on the first n_eval training examples; 0: all", 0 },
    { "standardise", TS_PARAM_INT, 0, 1, 0, "0", NULL, "", "1: standardise features by the training set", 0 },
    { "arch", TS_PARAM_CHOICE, 0, 0, 0, "mlp", arch_names, "", "mlp, or cnn: convolution blocks (conv -> 2x2 max-pool -> act) before the depth dense layers, on the data's image shape", TS_PARAM_FIXED },
    { "conv", TS_PARAM_STRING, 0, 0, 0, "32,64", NULL, "", "arch cnn: output channels of each convolution block, e.g. \"32,64\"", TS_PARAM_FIXED },
    { "kernel", TS_PARAM_INT, 1, 15, 0, "3", NULL, "", "arch cnn: convolution kernel size (same padding)", 0 },
    { "depth", TS_PARAM_INT, 0, TS_MLP_MAX_HIDDEN, 0, "4", NULL, "", "hidden dense layers (arch cnn: after the convolution blocks; mlp needs >= 1); to sweep it, set max_depth", 0 },
    { "max_depth", TS_PARAM_INT, 0, TS_MLP_MAX_HIDDEN, 0, "0", NULL, "", "the store's layer dimension: max_depth + 1 weight layers (arch cnn: after its convolution blocks), the output last, NaN rows past depth (depth can then be swept up to it); 0: depth itself", TS_PARAM_FIXED },
    { "width", TS_PARAM_INT, 1, 1 << 16, 0, "256", NULL, "", "units per hidden layer", 0 },
    { "act", TS_PARAM_CHOICE, 0, 0, 0, "elu", act_names, "", "hidden activation", 0 },
    { "loss", TS_PARAM_CHOICE, 0, 0, 0, "auto", loss_names, "", "auto: mse for toy, xent (softmax cross-entropy) for fashion_mnist", 0 },
    { "init", TS_PARAM_CHOICE, 0, 0, 0, "he", init_names, "", "weight initialisation", 0 },
    { "noise", TS_PARAM_CHOICE, 0, 0, 0, "additive", noise_names, "", "injection: additive h + e, e ~ N(0, sigma2); multiplicative h e, e ~ N(1, sigma2)", 0 },
    { "sigma2", TS_PARAM_REAL, 0, INF, 0, "0.1", NULL, "variance", "VARIANCE (not standard deviation) of the injected noise", 0 },
    { "on_input", TS_PARAM_INT, 0, 1, 0, "1", NULL, "", "1: inject into the input too (hidden layers always, the output never)", 0 },
    { "M", TS_PARAM_INT, 1, 1 << 16, 0, "1", NULL, "", "noise draws in the objective (1/M) sum_m L~(B; w, e_m)", 0 },
    { "M_prime", TS_PARAM_INT, 2, 1 << 16, 0, "128", NULL, "", "fresh draws for the mean gradient E_e of the implicit-effect noise", 0 },
    { "lr", TS_PARAM_REAL, 0, INF, 1, "0.005", NULL, "", "SGD learning rate lr0 (the default trains the default 4 x 256 toy network full batch; 0.01 diverges there)", 0 },
    { "lr_gamma", TS_PARAM_REAL, 0, 10, 0, "0", NULL, "", "schedule lr_k = lr0 / (1 + k/lr_k0)^lr_gamma; 0: constant", 0 },
    { "lr_k0", TS_PARAM_REAL, 0, INF, 1, "1000", NULL, "steps", "schedule time scale", 0 },
    { "batch", TS_PARAM_INT, 0, 1e8, 0, "0", NULL, "", "minibatch size; 0: full batch", 0 },
    { "optimizer", TS_PARAM_CHOICE, 0, 0, 0, "sgd", ts_gni_optimizer_names, "", "sgd; noisy_sgd: plus grad_noise_std N(0, I); dp_sgd: per-example gradients clipped to clip_norm, plus N(0, (noise_multiplier clip_norm)^2 I), over B", 0 },
    { "grad_noise_std", TS_PARAM_REAL, 0, INF, 0, "0", NULL, "", "noisy_sgd: standard deviation of the Gaussian added to each gradient coordinate", 0 },
    { "clip_norm", TS_PARAM_REAL, 0, INF, 1, "1", NULL, "", "dp_sgd: each example's gradient is clipped to this L2 norm", 0 },
    { "noise_multiplier", TS_PARAM_REAL, 0, INF, 0, "1", NULL, "", "dp_sgd: the summed clipped gradients get N(0, (noise_multiplier clip_norm)^2) per coordinate", 0 },
    { "steps", TS_PARAM_INT, 1, BIG, 0, "1000", NULL, "steps", "SGD steps", TS_PARAM_FIXED },
    { "log_every", TS_PARAM_INT, 1, BIG, 0, "50", NULL, "steps", "clean train and test loss every this many steps (and at the end)", TS_PARAM_FIXED },
    { "gradnoise_every", TS_PARAM_INT, 0, BIG, 0, "0", NULL, "steps", "gradient-noise statistics every this many steps (a multiple of log_every); 0: log_every", TS_PARAM_FIXED },
    { "gradnoise_source", TS_PARAM_CHOICE, 0, 0, 0, "implicit", ts_gni_source_names, "", "noise measured: implicit grad L~(B;e) - grad E_e L~(B); batch grad E_e L~(B) - grad E_e L~(D) (minibatch noise; missing for the full batch); total grad L~(B;e) - grad E_e L~(D) (paper eq. 4.2)", 0 },
    { "raw_layer", TS_PARAM_INT, 0, TS_MLP_MAX_HIDDEN, 0, "0", NULL, "", "weight layer (0 = first; the output last: depth, or n_conv + depth for arch cnn) whose per-weight noise values raw_steps records", TS_PARAM_FIXED },
    { "raw_steps", TS_PARAM_STRING, 0, 0, 0, "", NULL, "steps", "measured steps at which the raw_layer's noise values are recorded (gradnoise_raw), e.g. \"0,1000\"; empty: none", TS_PARAM_FIXED },
    { "raw_max", TS_PARAM_INT, 1, 1e8, 0, "10000", NULL, "", "raw values a step: evenly spaced over the layer's weights when it has more; NaN-padded when it has fewer", TS_PARAM_FIXED },
    { "fit", TS_PARAM_CHOICE, 0, 0, 0, "mcculloch", ts_gradnoise_fit_names, "", "alpha-stable fit of the gradient noise: mcculloch (quantiles, fast) or mle", 0 },
    { "mle_max", TS_PARAM_INT, 20, 1e7, 0, "1000", NULL, "", "fit mle: values per fit (a fixed evenly spaced subsample)", 0 },
    { "mle_route", TS_PARAM_CHOICE, 0, 0, 0, "table", ts_fit_route_names, "", "fit mle, after each layer's first fit: table (Newton on cached density tables around the previous estimate), warm (simplex from it) or cold (every fit from scratch); accuracy in docs/gni.md", 0 },
    { "mimic", TS_PARAM_CHOICE, 0, 0, 0, "none", mimic_names, "", "paper figure 4: add draws of the law fitted to the M = 1 implicit-effect noise (stable or gaussian) to full-batch gradients; shuffled (a control): that noise's own values permuted across each layer's weights", 0 },
    { "mimic_truncate", TS_PARAM_INT, 0, 1, 0, "1", NULL, "", "mimic stable: 1 clips each draw to [min, max] of the noise measured in its layer at that step; 0: untruncated (can diverge, docs/gni.md)", 0 },
    { "mimic_mean", TS_PARAM_CHOICE, 0, 0, 0, "fresh", mimic_mean_names, "", "mimic: the mean gradient subtracted from one draw's: fresh (M_prime new draws) or training (the step's own M-sample gradient: one extra pass, as M_prime = M)", 0 },
    { "objective", TS_PARAM_CHOICE, 0, 0, 0, "loss", objective_names, "", "loss: the M-sample noisy loss; explicit_reg: L + R(B; w) of Camuto et al. 2020 for the noise config, without noise (paper figure 7)", 0 },
};
enum { N_GNI_PARAMS = sizeof gni_params / sizeof gni_params[0] };

/* Kind parameters -> a run configuration, group by group. */
static void data_config(const ts_params *p, ts_gni_config *c)
{
    c->data = (ts_gni_data)ts_params_choice(p, "data");
    c->data_dir = ts_params_str(p, "data_dir");
    c->shared_init = (int)ts_params_get(p, "shared_init");
    c->n_train = (size_t)ts_params_get(p, "n_train");
    c->n_test = (size_t)ts_params_get(p, "n_test");
    c->n_eval = (size_t)ts_params_get(p, "n_eval");
    c->standardise = (int)ts_params_get(p, "standardise");
}

/* The convolution blocks (key conv, e.g. "32,64"). */
static ts_status conv_config(const char *conv, ts_gni_config *c, ts_err *err)
{
    ts_cnn_config cc = { 0 };
    ts_status st = ts_cnn_parse_channels(conv, "conv", &cc, err);
    if (st) return st;
    c->n_conv = cc.n_conv;
    memcpy(c->channels, cc.channels, sizeof c->channels);
    return TS_OK;
}

static ts_status net_config(const ts_params *p, ts_gni_config *c, ts_err *err)
{
    c->arch = (ts_arch)ts_params_choice(p, "arch");
    c->kernel = (size_t)ts_params_get(p, "kernel");
    c->objective = (ts_gni_objective)ts_params_choice(p, "objective");
    c->net.n_hidden = (size_t)ts_params_get(p, "depth");
    for (size_t i = 0; i < TS_MLP_MAX_HIDDEN; i++) c->net.width[i] = (size_t)ts_params_get(p, "width");
    c->net.act = (ts_activation)ts_params_choice(p, "act");
    int loss = ts_params_choice(p, "loss");
    c->net.loss = loss == 1 ? TS_LOSS_MSE : loss == 2 ? TS_LOSS_XENT
                : c->data == TS_DATA_TOY ? TS_LOSS_MSE : TS_LOSS_XENT;
    c->net.init = (ts_init)ts_params_choice(p, "init");
    c->noise.type = (ts_noise_type)ts_params_choice(p, "noise");
    c->noise.sigma2 = ts_params_get(p, "sigma2");
    c->noise.on_input = (int)ts_params_get(p, "on_input");
    c->M = (size_t)ts_params_get(p, "M");
    if (c->arch == TS_ARCH_MLP && c->net.n_hidden == 0)
        return ts_err_set(err, TS_EINVAL, "key 'depth': arch mlp needs at least 1 hidden layer");
    return c->arch == TS_ARCH_CNN ? conv_config(ts_params_str(p, "conv"), c, err) : TS_OK;
}

static void optimizer_config(const ts_params *p, ts_gni_config *c)
{
    c->lr = ts_params_get(p, "lr");
    c->lr_gamma = ts_params_get(p, "lr_gamma");
    c->lr_k0 = ts_params_get(p, "lr_k0");
    c->batch = (size_t)ts_params_get(p, "batch");
    c->steps = (uint64_t)ts_params_get(p, "steps");
    c->log_every = (uint64_t)ts_params_get(p, "log_every");
    c->opt = (ts_gni_optimizer)ts_params_choice(p, "optimizer");
    c->grad_noise_std = ts_params_get(p, "grad_noise_std");
    c->clip_norm = ts_params_get(p, "clip_norm");
    c->noise_multiplier = ts_params_get(p, "noise_multiplier");
}

static void gradnoise_config(const ts_params *p, ts_gni_config *c)
{
    c->M_prime = (size_t)ts_params_get(p, "M_prime");
    c->gradnoise_every = (uint64_t)ts_params_get(p, "gradnoise_every");
    c->source = (ts_gni_source)ts_params_choice(p, "gradnoise_source");
    c->raw_layer = (size_t)ts_params_get(p, "raw_layer");
    c->raw_max = (size_t)ts_params_get(p, "raw_max");
    c->fit = (ts_gradnoise_fit)ts_params_choice(p, "fit");
    c->mle_max = (size_t)ts_params_get(p, "mle_max");
    c->mle_route = (ts_fit_route)ts_params_choice(p, "mle_route");
    c->mimic = (ts_gni_mimic)ts_params_choice(p, "mimic");
    c->mimic_truncate = (int)ts_params_get(p, "mimic_truncate");
    c->mimic_mean = (ts_gni_mimic_mean)ts_params_choice(p, "mimic_mean");
}

/* Every field from the parameters, before the cross-field checks. */
static ts_status fields(const ts_params *p, ts_gni_config *c, ts_err *err)
{
    memset(c, 0, sizeof *c);
    data_config(p, c);
    ts_status st = net_config(p, c, err);
    if (st) return st;
    optimizer_config(p, c);
    gradnoise_config(p, c);
    return TS_OK;
}

static ts_status to_config(const ts_params *p, ts_gni_config *c, ts_err *err)
{
    ts_status st = fields(p, c, err);
    if (!st) st = ts_gni_config_check(c, err);
    return st ? st : ts_gni_parse_raw_steps(c, ts_params_str(p, "raw_steps"), err);
}

/* The defaults are the table's: written once, above. */
void ts_gni_config_default(ts_gni_config *c)
{
    ts_params p;
    ts_status st = ts_params_defaults(&p, gni_params, N_GNI_PARAMS, NULL);
    if (!st) st = fields(&p, c, NULL);
    /* an MLP's configuration holds the table's blocks too, for arch cnn */
    if (!st) st = conv_config(ts_params_str(&p, "conv"), c, NULL);
    assert(st == TS_OK);   /* the table's own defaults parse: test_gni checks it */
    (void)st;
    c->data_dir = NULL;    /* the table's "" lived in p: NULL is the same default */
}

/* The store's weight layers: a CNN's convolution blocks, then max_depth + 1,
 * or depth + 1 when max_depth is 0 (depth then fixed for the job: every
 * task's arrays have its shape). arch and conv are fixed for a job. */
static size_t layer_dim(const ts_params *p, const ts_gni_config *c)
{
    double m = ts_params_get(p, "max_depth");
    size_t conv = c->arch == TS_ARCH_CNN ? c->n_conv : 0;
    return conv + (size_t)(m > 0 ? m : ts_params_get(p, "depth")) + 1;
}

/* The configuration, and the data set's files in their folder: a missing
 * file is reported when the job is checked, not when its first task runs. */
static ts_status gni_validate(const ts_params *p, ts_err *err)
{
    ts_gni_config c;
    ts_status st = to_config(p, &c, err);
    double m = ts_params_get(p, "max_depth");
    if (!st && m > 0 && (double)c.net.n_hidden > m)
        return ts_err_set(err, TS_EINVAL, "key 'depth': %zu is more than max_depth = %g, the store's layers",
                          c.net.n_hidden, m);
    return st ? st : ts_data_set_check(c.data, c.data_dir, err);
}

/* Result order; run() fills them by these indices. The accuracy results
 * exist for classification only (data is TS_PARAM_FIXED), so they come
 * last among the arrays: R_TRAIN_ACC onwards are absent for the toy data.
 * gradnoise_raw, when raw_steps is set (also fixed), comes after them:
 * run() finds it by name. */
enum { R_TRAIN_LOSS, R_TEST_LOSS, R_GN_MEAN, R_GN_SKEW, R_GN_KURT, R_GN_TAIL, R_GN_ALPHA, R_GN_BETA,
       R_GN_SCALE, R_GN_VALID, R_ACT_SKEW, R_ACT_KURT, R_ACT_VALID, R_FINAL_TRAIN, R_FINAL_TEST,
       R_EXPLICIT, R_EXPLICIT_MC, R_DIVAT, R_VARIANCE, R_TRAIN_ACC, R_TEST_ACC, R_FINAL_TRAIN_ACC, R_FINAL_TEST_ACC,
       R_COUNT };

#define NA_NOTE " (NaN where not measured or undefined)"

static ts_status gni_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    ts_gni_config c;
    ts_status st = to_config(p, &c, err);
    if (st) return st;
    size_t K = ts_gni_n_logs(&c), L = layer_dim(p, &c), H = L - 1;
    int cls = c.data != TS_GNI_DATA_TOY;
    ts_result_layout_add(l, "train_loss", "", "clean loss on the first n_eval training examples" NA_NOTE, 1, K, "step", 0, NULL);
    ts_result_layout_add(l, "test_loss", "", "clean loss on the test set" NA_NOTE, 1, K, "step", 0, NULL);
    ts_result_layout_add(l, "gradnoise_mean", "", "mean over the layer's weights of the gradient noise (of gradnoise_source)" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_skew", "", "skewness of the gradient noise" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_kurt", "", "excess kurtosis of the gradient noise" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_tail_index", "", "block-sum tail index of the differences of its halves (docs/math.md section 1.8)" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_alpha", "", "alpha of the alpha-stable fit" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_beta", "", "beta (the paper's theta) of the alpha-stable fit" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_scale", "", "scale of the alpha-stable fit" NA_NOTE, 2, L, "layer", K, "step");
    ts_result_layout_add(l, "gradnoise_valid", "", "bits: 1 skew and kurt, 2 tail index, 4 stable fit defined; 0 not measured", 2, L, "layer", K, "step");
    ts_result_layout_add(l, "actnoise_skew", "", "skewness of the activation perturbation h~(noisy) - h(clean)" NA_NOTE, 2, H, "hidden", K, "step");
    ts_result_layout_add(l, "actnoise_kurt", "", "excess kurtosis of the activation perturbation" NA_NOTE, 2, H, "hidden", K, "step");
    ts_result_layout_add(l, "actnoise_valid", "", "1: actnoise_skew and actnoise_kurt defined; 0 not measured or constant", 2, H, "hidden", K, "step");
    ts_result_layout_add(l, "final_train_loss", "", "train_loss at the last step" NA_NOTE, 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "final_test_loss", "", "test_loss at the last step" NA_NOTE, 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "explicit_reg", "", "explicit regulariser R of Camuto et al. 2020 at the end: (sigma2/2) mean sum_sites J^T H J (H = I for mse, diag(p) - pp^T for xent)" NA_NOTE, 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "explicit_reg_mc", "", "Monte Carlo explicit effect E_e[L~] - L(clean) over M_prime draws" NA_NOTE, 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "diverged_at", "steps", "step whose loss was not finite; NaN if the run never blew up", 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "noise_variance", "variance", "sigma2: the VARIANCE (not the standard deviation) of the injected Gaussian noise", 0, 0, NULL, 0, NULL);
    if (cls) {
        ts_result_layout_add(l, "train_accuracy", "", "accuracy on the first n_eval training examples" NA_NOTE, 1, K, "step", 0, NULL);
        ts_result_layout_add(l, "test_accuracy", "", "accuracy on the test set" NA_NOTE, 1, K, "step", 0, NULL);
        ts_result_layout_add(l, "final_train_accuracy", "", "train_accuracy at the last step" NA_NOTE, 0, 0, NULL, 0, NULL);
        ts_result_layout_add(l, "final_test_accuracy", "", "test_accuracy at the last step" NA_NOTE, 0, 0, NULL, 0, NULL);
    }
    if (c.n_raw) {
        ts_result_spec *r = ts_result_layout_add(l, "gradnoise_raw", "", "gradient noise of each weight of raw_layer at raw_steps; "
                                                 "column j: weight floor(j n / min(n, raw_max)) of the n; NaN-padded",
                                                 2, c.n_raw, "raw_step", c.raw_max, "raw_weight");
        if (!(r->coords[0] = malloc(c.n_raw * sizeof(double)))) {
            return ts_err_set(err, TS_ENOMEM, "gni: out of memory");
        }
        for (size_t k = 0; k < c.n_raw; k++) r->coords[0][k] = (double)c.raw_steps[k];
    }
    /* every array over steps carries the logged steps as its coordinate */
    for (size_t i = 0; i < l->n; i++) {
        ts_result_spec *r = &l->r[i];
        for (size_t d = 0; d < r->rank; d++) {
            if (strcmp(r->dim_names[d], "step") != 0) continue;
            if (!(r->coords[d] = malloc(K * sizeof(double)))) {
                return ts_err_set(err, TS_ENOMEM, "gni: out of memory");
            }
            for (size_t k = 0; k < K; k++) r->coords[d][k] = (double)ts_gni_log_step(&c, k);
        }
    }
    return TS_OK;
}

/* A network shallower than the store's layer dimension (max_depth): its
 * depth + 1 rows of K were written first; the output layer's row moves to
 * the last row, the rows between are missing (valid 0). */
static void pad_layers(double *a, size_t rows, size_t lmax, size_t K, int move_last, double fill)
{
    if (move_last) memcpy(a + (lmax - 1) * K, a + (rows - 1) * K, K * sizeof *a);
    for (size_t i = (rows - (size_t)move_last) * K; i < (lmax - (size_t)move_last) * K; i++) a[i] = fill;
}

static ts_status gni_run_task(const ts_task *t, const ts_result_layout *l, double *const *out,
                              ts_task_status *status, ts_err *err)
{
    ts_gni_config c;
    ts_status st = to_config(&t->params, &c, err);
    if (st) return st;
    size_t L = ts_gni_n_layers(&c), Lmax = l->r[R_GN_MEAN].dims[0], K = ts_gni_n_logs(&c);
    /* depth swept without max_depth: the arrays were laid out for another depth */
    if (L > Lmax || (ts_params_get(&t->params, "max_depth") == 0 && L != Lmax))
        return ts_err_set(err, TS_EINVAL, "key 'depth': %zu, but the store's layers were laid out for %zu weight "
                          "layers; to sweep depth set max_depth (the largest depth)", c.net.n_hidden, Lmax);
    int cls = ts_result_find(l, "train_accuracy") >= 0, raw = ts_result_find(l, "gradnoise_raw");
    ts_gni_out o = {
        .gn_raw = raw >= 0 ? out[raw] : NULL,
        .train_loss = out[R_TRAIN_LOSS], .test_loss = out[R_TEST_LOSS],
        .train_acc = cls ? out[R_TRAIN_ACC] : NULL, .test_acc = cls ? out[R_TEST_ACC] : NULL,
        .gn_mean = out[R_GN_MEAN], .gn_skew = out[R_GN_SKEW], .gn_kurt = out[R_GN_KURT],
        .gn_tail = out[R_GN_TAIL], .gn_alpha = out[R_GN_ALPHA], .gn_beta = out[R_GN_BETA],
        .gn_scale = out[R_GN_SCALE], .gn_valid = out[R_GN_VALID],
        .act_skew = out[R_ACT_SKEW], .act_kurt = out[R_ACT_KURT], .act_valid = out[R_ACT_VALID],
    };
    st = ts_gni_run_ckpt(&c, t->seed, t->point, t->replicate, t->poll, t->poll_ctx, t->ckpt, &o, err);
    if (st) return st;
    out[R_FINAL_TRAIN][0] = o.final_train_loss;
    out[R_FINAL_TEST][0] = o.final_test_loss;
    out[R_EXPLICIT][0] = o.explicit_reg;
    out[R_EXPLICIT_MC][0] = o.explicit_reg_mc;
    out[R_DIVAT][0] = o.diverged_at >= 0 ? (double)o.diverged_at : NAN;
    out[R_VARIANCE][0] = c.noise.sigma2;
    if (cls) {
        out[R_FINAL_TRAIN_ACC][0] = o.final_train_acc;
        out[R_FINAL_TEST_ACC][0] = o.final_test_acc;
    }
    if (L < Lmax) {
        const int gn[] = { R_GN_MEAN, R_GN_SKEW, R_GN_KURT, R_GN_TAIL, R_GN_ALPHA, R_GN_BETA, R_GN_SCALE, R_GN_VALID };
        for (size_t i = 0; i < sizeof gn / sizeof gn[0]; i++) pad_layers(out[gn[i]], L, Lmax, K, 1, gn[i] == R_GN_VALID ? 0 : NAN);
        const int act[] = { R_ACT_SKEW, R_ACT_KURT, R_ACT_VALID };
        for (size_t i = 0; i < sizeof act / sizeof act[0]; i++) pad_layers(out[act[i]], L - 1, Lmax - 1, K, 0, act[i] == R_ACT_VALID ? 0 : NAN);
    }
    *status = o.diverged_at >= 0 ? TS_TASK_DIVERGED : TS_TASK_DONE;
    return TS_OK;
}

/* ~6 flops per weight per stacked row for a forward and backward pass, at
 * ~10 GFLOP/s for one core of OpenBLAS sgemm on these shapes: training
 * (M B rows a step; DP-SGD's one-example passes run at ~1/4 of that
 * speed), the measurements ((M' + 2) B rows for the implicit noise, plus
 * M' n (clean: n) rows over the whole training set for batch and total
 * noise, every gradnoise step, or every step in mimic runs) and the
 * evaluations. */
static double gni_cost(const ts_params *p)
{
    ts_gni_config c;
    if (to_config(p, &c, NULL)) return 0;
    /* multiply-adds per example: a convolution's at every output pixel */
    ts_net_config nc = ts_gni_net_config(&c);
    ts_net *net;
    if (ts_net_alloc(&nc, &net, NULL)) return 0;
    double w = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        double px = net->cnn && l < net->cnn->cfg.n_conv ? (double)(net->cnn->site_h[l] * net->cnn->site_w[l]) : 1;
        w += px * (double)net->rows[l] * (double)net->cols[l];
    }
    ts_net_free(net);
    /* L + R: K Jacobian passes and their adjoints, ~K + 1 times a step */
    if (c.objective == TS_GNI_OBJ_EXPLICIT_REG) w *= (double)c.net.n_out + 1;
    const ts_data_set_info *set = ts_data_set_get_info(c.data);
    double n = c.n_train ? (double)c.n_train : (double)set->n_train, B = c.batch ? (double)c.batch : n;
    double steps = (double)c.steps, logs = (double)ts_gni_n_logs(&c);
    double gn = c.mimic ? steps : logs / (double)(c.gradnoise_every ? c.gradnoise_every / c.log_every : 1);
    double ne = c.n_eval && c.n_eval < n ? (double)c.n_eval : n, nt = c.n_test ? (double)c.n_test : (double)set->n_test;
    int inj = c.noise.type != TS_NOISE_NONE && c.noise.sigma2 > 0;
    double mp = inj ? (double)c.M_prime : 1;
    double per_meas = c.source == TS_GNI_SOURCE_IMPLICIT ? ((double)c.M_prime + 2) * B : mp * (B + n) + B;
    double train = steps * (double)c.M * B * (c.opt == TS_GNI_OPT_DP_SGD ? 4 : 1);
    double rows = train + gn * per_meas + logs * (ne + nt) / 3;
    return 6 * w * rows / 1e10;
}

static const char *const gradnoise_needs[] = { "gradnoise_alpha", "gradnoise_beta", NULL };
static const char *const gradnoise_pdf_needs[] = { "gradnoise_raw", NULL };
static const char *const fig7_needs[] = { "test_loss", "final_test_loss", NULL };
static const char *const fig4_needs[] = { "train_loss", NULL };
static const ts_figure gni_figures[] = {
    { "gradnoise", "distributions of the fitted gradient-noise alpha and beta\n"
                   "(gradnoise_alpha, gradnoise_beta) per value of --by", gradnoise_needs, 1, NULL, 0 },
    { "gradnoise_pdf", "the paper's figure 2: the pdf of the positive raw gradient-noise\n"
                       "values (gradnoise_raw; a job with raw_steps) against fitted half-normal\n"
                       "and half-Cauchy laws, a panel per raw step (seeds pooled, each over its\n"
                       "median |value|)", gradnoise_pdf_needs, 0, NULL, 0 },
    { "fig7", "the paper's figure 7: test loss and accuracy over steps per training\n"
              "method (baseline, noise, explicit reg: a grid over objective and noise,\n"
              "e.g. jobs/fig7.yaml), and the final test loss paired within seeds",
      fig7_needs, 0, NULL, 0 },
    { "fig4", "the paper's figure 4: training-loss curves of M = 1, M = 16 and the\n"
              "mimics (a grid over M and mimic, e.g. jobs/fig4.yaml), and each seed's\n"
              "distance to M = 1, the stable mimic's against the Gaussian one's",
      fig4_needs, 0, "step", 0 },
    { 0 } };

const ts_kind ts_kind_gni = {
    .name = "gni",
    .summary = "MLP or CNN training with Gaussian noise injections (or their explicit regulariser): loss curves, implicit-effect gradient-noise statistics",
    .params = gni_params,
    .n_params = N_GNI_PARAMS,
    .validate = gni_validate,
    .layout = gni_layout,
    .run = gni_run_task,
    .cost = gni_cost,
    .figures = gni_figures,
    .checkpoints = 1,
};
