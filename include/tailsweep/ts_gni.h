/* ts_gni.h: one training run with Gaussian noise injections (MATH.md
 * section 5, paper sections 3-4): the M-sample objective trained by SGD,
 * loss curves, the implicit-effect gradient noise and its statistics per
 * weight layer, the forward-pass noise per hidden layer, the explicit
 * regulariser, and the mimic experiment (paper figure 4). The `gni` sweep
 * kind (ts_kind_gni.c) maps its parameters onto ts_gni_config and calls
 * ts_gni_run; tests call ts_gni_run directly.
 *
 * Streams, all keyed by the job seed:
 *   data      (seed, 0, replicate, DATA): the toy signal and the Fashion-MNIST
 *             subset depend on the replicate only, so every grid point of a
 *             replicate sees the same data (paired comparisons across
 *             sigma2, M, ...);
 *   weights   (seed, task, replicate, INIT);
 *   batches   (seed, task, replicate, BATCH): a fresh permutation per epoch;
 *   noise     (seed, task, replicate, NOISE): substream 0 the training
 *             injections, 1 the draws of the measurements (M = 1 and M'
 *             draws, the Monte Carlo explicit effect), 2 the mimic draws.
 *             Measuring never shifts the training noise, so a run's loss
 *             curve does not depend on how often it is measured. */
#ifndef TS_GNI_H
#define TS_GNI_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_mlp.h"

typedef enum { TS_GNI_DATA_TOY = 0, TS_GNI_DATA_FASHION = 1 } ts_gni_data;
typedef enum { TS_GNI_MIMIC_NONE = 0, TS_GNI_MIMIC_STABLE = 1, TS_GNI_MIMIC_GAUSSIAN = 2 } ts_gni_mimic;

typedef struct {
    ts_gni_data data;
    size_t n_train;          /* training examples; 0: all (Fashion-MNIST only)     */
    size_t n_test;           /* test examples; 0: all (Fashion-MNIST only)         */
    size_t n_eval;           /* train loss on the first n_eval examples; 0: all    */
    int standardise;         /* 1: features standardised by the training set       */
    ts_mlp_config net;       /* n_in, n_out and loss follow from the data          */
    ts_noise_config noise;   /* sigma2 is a variance                               */
    size_t M;                /* noise draws in the objective                       */
    size_t M_prime;          /* draws for the mean gradient E_e (implicit effect)  */
    size_t batch;            /* 0: full batch                                      */
    double lr, lr_gamma, lr_k0;   /* lr_k = lr / (1 + k / lr_k0)^lr_gamma         */
    uint64_t steps, log_every, gradnoise_every;   /* gradnoise_every: a multiple of log_every; 0: log_every */
    ts_gradnoise_fit fit;
    size_t mle_max;          /* MLE fits use at most this many values              */
    ts_gni_mimic mimic;
    int mimic_truncate;      /* 1: stable mimic draws clipped to the layer's measured noise range */
} ts_gni_config;

/* Defaults of every field (the kind's defaults) for the toy data. */
void ts_gni_config_default(ts_gni_config *c);
/* Cross-field checks; messages name the kind's parameter keys. n_in, n_out
 * and loss are filled from the data before checking the network. */
ts_status ts_gni_config_check(ts_gni_config *c, ts_err *err);

/* Logged steps: 0, log_every, 2 log_every, ..., and steps itself. */
size_t ts_gni_n_logs(const ts_gni_config *c);
uint64_t ts_gni_log_step(const ts_gni_config *c, size_t k);

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
    double *act_skew, *act_kurt, *act_valid;
    double final_train_loss, final_test_loss, final_train_acc, final_test_acc;
    double explicit_reg;     /* MSE: ts_mlp_explicit_reg; cross-entropy: = explicit_reg_mc */
    double explicit_reg_mc;  /* E_e[L~] - L(clean) over M' draws, train eval set  */
    int64_t diverged_at;     /* step whose loss was not finite, -1 if none        */
} ts_gni_out;

/* One run. Returns TS_OK (out->diverged_at says whether it blew up),
 * TS_ECANCEL when cancelled(ctx) returned non-zero (polled every step),
 * or an error (bad data file, out of memory). */
ts_status ts_gni_run(const ts_gni_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     int (*cancelled)(void *), void *ctx, ts_gni_out *out, ts_err *err);

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
 * per pass of the M' draws (chunked: mc = max(1, max_rows / B)). */
ts_status ts_gni_measure(const ts_mlp *net, ts_mlp_work *ws, size_t max_rows, const ts_batch *b,
                         const ts_noise_config *nz, size_t M_prime, ts_rng *r, double *noise,
                         double *act_noise, size_t act_rows, ts_err *err);

#endif
