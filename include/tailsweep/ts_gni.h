/* ts_gni.h: one training run with Gaussian noise injections (docs/math.md
 * section 4, paper sections 3-4): the M-sample objective trained by SGD,
 * Noisy-SGD or DP-SGD (Sander, Sylvestre and Durmus 2024), loss curves, the gradient noise
 * (implicit-effect, minibatch or total: paper eq. 4.2) and its statistics
 * per weight layer, raw per-weight noise values of one layer (paper figure
 * 2), the forward-pass noise per hidden layer, the explicit regulariser,
 * and the mimic experiment (paper figure 4). The `gni` sweep kind
 * (ts_kind_gni.c) maps its parameters onto ts_gni_config and calls
 * ts_gni_run; tests call ts_gni_run directly.
 *
 * Streams, all keyed by the job seed; "id" is 0 when shared_init is set
 * (every grid point of a replicate starts from the same weights and data:
 * paired comparisons across sigma2, M, batch, ...) and the task otherwise:
 *   data      (seed, id, replicate, DATA): the toy signal, the training
 *             subset of an image set;
 *   weights   (seed, id, replicate, INIT);
 *   batches   (seed, task, replicate, BATCH): a fresh permutation per epoch;
 *   noise     (seed, task, replicate, NOISE): substream 0 the training
 *             injections, 1 the draws of the measurements (M = 1 and M'
 *             draws, the Monte Carlo explicit effect), 2 the mimic draws,
 *             3 the optimiser's Gaussian noise (Noisy-SGD, DP-SGD).
 *             Measuring never shifts the training noise, so a run's loss
 *             curve does not depend on how often it is measured. */
#ifndef TS_GNI_H
#define TS_GNI_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_data.h"
#include "tailsweep/ts_error.h"
#include "tailsweep/ts_fit_ctx.h"
#include "tailsweep/ts_poll.h"
#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_net.h"

/* The data are ts_data.h's named sets (the kind's `data` values). */
typedef ts_data_set ts_gni_data;
#define TS_GNI_DATA_TOY TS_DATA_TOY
#define TS_GNI_DATA_FASHION TS_DATA_FASHION_MNIST
/* mimic: what is added to each weight's gradient every step: a draw of the
 * stable or Gaussian law fitted to the layer's M = 1 implicit-effect noise,
 * or (shuffled, a control) that noise's own values permuted at random
 * across the layer's weights: the exact marginal law with the correlations
 * between weights removed, the best any law drawn independently per weight
 * can do. */
typedef enum {
    TS_GNI_MIMIC_NONE = 0,
    TS_GNI_MIMIC_STABLE = 1,
    TS_GNI_MIMIC_GAUSSIAN = 2,
    TS_GNI_MIMIC_SHUFFLED = 3
} ts_gni_mimic;
/* The mean gradient a mimic run subtracts to get the M = 1 noise: M' fresh
 * draws (the measurement of the statistics), or the step's own M-sample
 * gradient (one pass of B rows instead of M' + 1). */
typedef enum { TS_GNI_MIMIC_MEAN_FRESH = 0, TS_GNI_MIMIC_MEAN_TRAINING = 1 } ts_gni_mimic_mean;
/* What SGD minimises: the M-sample noisy loss, or L + R(B; w) without noise
 * (R the explicit regulariser of the noise config, ts_cnn.h; paper figure 7). */
typedef enum { TS_GNI_OBJ_LOSS = 0, TS_GNI_OBJ_EXPLICIT_REG = 1 } ts_gni_objective;
/* gradnoise_source: which gradient noise the statistics describe (docs/math.md
 * section 4.3), each "a gradient minus its mean":
 *   implicit  grad L~(B; w, e) - grad E_e L~(B; w, e)          (one draw e)
 *   batch     grad E_e L~(B; w, e) - grad E_e L~(D; w, e)      (minibatch noise; clean
 *             gradients without injections)
 *   total     grad L~(B; w, e) - grad E_e L~(D; w, e)          (paper eq. 4.2, -U_k)
 * E_e over M' fresh draws (exact, one pass, without injections); D the
 * whole training set. total = implicit + batch; with the full batch, batch
 * noise is 0 by definition and is reported missing. */
typedef enum { TS_GNI_SOURCE_IMPLICIT = 0, TS_GNI_SOURCE_BATCH = 1, TS_GNI_SOURCE_TOTAL = 2 } ts_gni_source;
extern const char *const ts_gni_source_names[];      /* "implicit", "batch", "total", NULL */
/* optimizer: the gradient an SGD step takes (ts_gni_opt_grad). */
typedef enum { TS_GNI_OPT_SGD = 0, TS_GNI_OPT_NOISY_SGD = 1, TS_GNI_OPT_DP_SGD = 2 } ts_gni_optimizer;
extern const char *const ts_gni_optimizer_names[];   /* "sgd", "noisy_sgd", "dp_sgd", NULL */

/* raw_steps: at most this many. */
#define TS_GNI_MAX_RAW 64

typedef struct {
    ts_gni_data data;
    const char *data_dir;    /* the set's folder; NULL or "": its default (ts_data.h) */
    int shared_init;         /* 1: weights and data from (seed, replicate) only    */
    size_t n_train;          /* training examples; 0: all (image sets only)        */
    size_t n_test;           /* test examples; 0: all (image sets only)            */
    size_t n_eval;           /* train loss on the first n_eval examples; 0: all    */
    int standardise;         /* 1: features standardised by the training set       */
    ts_mlp_config net;       /* the dense layers; n_in, n_out and loss follow from the data */
    ts_arch arch;            /* mlp, or cnn: convolution blocks before the dense layers */
    size_t n_conv, channels[TS_CNN_MAX_CONV], kernel;   /* cnn: the blocks (key conv), kernel size */
    size_t in_h, in_w, in_c; /* cnn: the image shape, from the data            */
    ts_gni_objective objective;
    ts_noise_config noise;   /* sigma2 is a variance                               */
    size_t M;                /* noise draws in the objective                       */
    size_t M_prime;          /* draws for the mean gradient E_e (implicit effect)  */
    size_t batch;            /* 0: full batch                                      */
    double lr, lr_gamma, lr_k0;   /* lr_k = lr / (1 + k / lr_k0)^lr_gamma         */
    uint64_t steps, log_every, gradnoise_every;   /* gradnoise_every: a multiple of log_every; 0: log_every */
    ts_gradnoise_fit fit;
    size_t mle_max;          /* MLE fits use at most this many values              */
    ts_fit_route mle_route;  /* MLE fits after a layer's first: cold, warm or table (ts_fit_ctx.h) */
    ts_gni_mimic mimic;
    int mimic_truncate;      /* 1: stable mimic draws clipped to the layer's measured noise range */
    ts_gni_mimic_mean mimic_mean;
    ts_gni_source source;    /* the gradient noise measured                        */
    size_t raw_layer;        /* weight layer whose raw noise values are recorded   */
    size_t n_raw;            /* steps at which they are (0: none)                  */
    uint64_t raw_steps[TS_GNI_MAX_RAW];   /* increasing, each a measured step       */
    size_t raw_max;          /* values a step: evenly spaced when the layer has more,
                                NaN-padded when it has fewer (a fixed width)       */
    ts_gni_optimizer opt;
    double grad_noise_std;   /* noisy_sgd: sd of the Gaussian added per coordinate */
    double clip_norm;        /* dp_sgd: per-example gradients clipped to this L2 norm */
    double noise_multiplier; /* dp_sgd: the Gaussian's sd is noise_multiplier clip_norm / B */
} ts_gni_config;

/* Defaults of every field: the gni kind's parameter table's (ts_kind_gni.c; the toy
 * data, an MLP, the conv blocks an arch cnn would use). */
void ts_gni_config_default(ts_gni_config *c);
/* Cross-field checks; messages name the kind's parameter keys. n_in, n_out
 * and loss are filled from the data before checking the network. */
ts_status ts_gni_config_check(ts_gni_config *c, ts_err *err);

/* The network a checked config describes (arch, blocks, dense layers). */
ts_net_config ts_gni_net_config(const ts_gni_config *c);
/* Weight layers and hidden injection sites of that network. */
size_t ts_gni_n_layers(const ts_gni_config *c);
size_t ts_gni_n_hidden(const ts_gni_config *c);

/* Logged steps: 0, log_every, 2 log_every, ..., and steps itself. */
size_t ts_gni_n_logs(const ts_gni_config *c);
uint64_t ts_gni_log_step(const ts_gni_config *c, size_t k);
/* Whether the gradient noise is measured at step (a logged step that is a
 * multiple of gradnoise_every). */
int ts_gni_measured_step(const ts_gni_config *c, uint64_t step);

/* raw_steps as text ("0, 500, 1000": increasing steps, each one whose noise
 * is measured) into c->raw_steps and c->n_raw; "" is none. Checked against
 * steps, log_every and gradnoise_every, so call it after setting those. */
ts_status ts_gni_parse_raw_steps(ts_gni_config *c, const char *text, ts_err *err);
/* Values a raw step records: min(raw_max, the raw layer's weights); the
 * rest of its raw_max are NaN. */
size_t ts_gni_raw_count(const ts_gni_config *c);

/* Output arrays, caller-owned. Per log k: curves[k]; per weight layer l
 * (0 = first, n_hidden = output) and log k: gn_*[l * n_logs + k]; per
 * hidden layer i (0-based) and log k: act_*[i * n_logs + k]. Accuracy
 * arrays may be NULL (regression). Values never computed (logs between
 * gradient-noise measurements, logs after a divergence, statistics the
 * data do not define) are NaN, the missing value; the valid arrays hold the
 * TS_GN_VALID_* bits (0 where nothing was measured). */
typedef struct {
    double *train_loss, *test_loss, *train_acc, *test_acc;
    double *gn_mean, *gn_skew, *gn_kurt, *gn_tail, *gn_alpha, *gn_beta, *gn_scale, *gn_valid;
    double *gn_raw;          /* n_raw x raw_max values, or NULL                   */
    double *act_skew, *act_kurt, *act_valid;
    double final_train_loss, final_test_loss, final_train_acc, final_test_acc;
    double explicit_reg;     /* R's closed form (ts_net_explicit_reg), train eval set */
    double explicit_reg_mc;  /* E_e[L~] - L(clean) over M' draws, train eval set  */
    int64_t diverged_at;     /* step whose loss was not finite, -1 if none        */
} ts_gni_out;

/* One run. Returns TS_OK (out->diverged_at says whether it blew up),
 * TS_ECANCEL when poll(ctx, done) returned non-zero (polled every step),
 * or an error (bad data file, out of memory). */
ts_status ts_gni_run(const ts_gni_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_poll_fn poll, void *ctx, ts_gni_out *out, ts_err *err);
/* The same with checkpoints (ts_ckpt.h; ck may be NULL): with ck->state
 * set the run goes on from that state; a poll answering TS_POLL_SAVE hands
 * the run's whole state to ck. A resumed run ends bit-identical to an
 * uninterrupted one. */
ts_status ts_gni_run_ckpt(const ts_gni_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                          ts_poll_fn poll, void *ctx, ts_ckpt *ck, ts_gni_out *out, ts_err *err);

/* The measurement at the heart of the statistics, exposed for tests: the
 * implicit-effect gradient noise grad L~(B; w, e) (M = 1) minus the mean
 * gradient over M' fresh draws, at the same weights and batch, per weight
 * layer over its flattened W_l (biases excluded), into noise (sum over l of
 * rows[l] cols[l] doubles, layer after layer). act_noise (may be NULL):
 * per hidden layer, the first act_rows rows of the perturbation
 * h~_i(noisy) - h_i(clean) (the activation plus its own injection, minus the
 * clean activation), act_rows x width[i] doubles each, layer after layer.
 * With sigma2 = 0 or no noise the mean gradient is the M = 1 gradient itself
 * and the noise is exactly 0. ws must hold max(B, mc B) rows, mc the copies
 * per pass of the M' draws (chunked: mc = max(1, max_rows / B)). "Hidden
 * layer" means hidden injection site (a CNN's blocks, then its dense layers). */
ts_status ts_gni_measure(const ts_net *net, ts_net_work *ws, size_t max_rows, const ts_batch *b,
                         const ts_noise_config *nz, size_t M_prime, ts_rng *r, double *noise,
                         double *act_noise, size_t act_rows, ts_err *err);

/* The same for any source (ts_gni_source): `all` is the whole training set
 * D (not used by the implicit noise, may be NULL there). noise may be NULL
 * for the activation perturbation alone. The mean gradients
 * over D run in row chunks of the workspace, each with its M' draws; the
 * batch noise does not need the one-draw pass and runs it only for
 * act_noise. Without injections the batch noise is the clean
 * grad L(B) - grad L(D), and the total noise equals it. */
ts_status ts_gni_measure_source(const ts_net *net, ts_net_work *ws, size_t max_rows, ts_gni_source source,
                                const ts_batch *b, const ts_batch *all, const ts_noise_config *nz, size_t M_prime,
                                ts_rng *r, double *noise, double *act_noise, size_t act_rows, ts_err *err);

/* The optimiser's step direction: into grad (n_params floats) the gradient
 * SGD steps along, and into *loss the batch's training loss.
 *   sgd        grad of the objective: (1/M) sum_m L~(B; w, e_m), the
 *              injections drawn from r_inject (one stacked pass), or, with
 *              objective explicit_reg, L + R(B; w) without noise (*loss the
 *              clean L);
 *   noisy_sgd  the same plus grad_noise_std z;
 *   dp_sgd     (1/B) (sum_i clip(g_i) + noise_multiplier clip_norm z), g_i the
 *              gradient of example i's objective (its own M draws from
 *              r_inject), clip(g) = g min(1, clip_norm / ||g||_2) over
 *              all parameters (Abadi et al. 2016);
 * z: n_params standard normals (NULL for sgd). Non-finite loss: TS_ENUMERIC. */
ts_status ts_gni_opt_grad(const ts_gni_config *c, const ts_net *net, ts_net_work *ws, const ts_batch *b,
                          ts_rng *r_inject, const double *z, float *grad, double *loss, ts_err *err);

#endif
