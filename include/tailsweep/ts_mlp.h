/* ts_mlp.h: a float32 multilayer perceptron trained with Gaussian noise
 * injections (docs/math.md section 4.1), on OpenBLAS.
 *
 * Layers: h_0 = x, h_i = act(W_i h~_{i-1} + b_i) for the hidden layers and a
 * linear output layer. Noise goes on the input (optional) and on every hidden
 * layer's activations, never on the output:
 *     additive        h~ = h + e,  e ~ N(0, sigma2)
 *     multiplicative  h~ = h * e,  e ~ N(1, sigma2)
 * sigma2 is a VARIANCE everywhere in tailsweep.
 *
 * The M-sample objective (1/M) sum_m L~(B; w, e_m) is one batched pass: the M
 * noisy copies of the batch are stacked into (M B) rows, so each layer is one
 * GEMM, not M. L~ is the mean over the batch of the per-example loss (MSE:
 * 0.5 ||out - y||^2 summed over outputs; cross-entropy: -log softmax(out)_y).
 *
 * Data flow for one step: ts_mlp_noise_draw fills the workspace's noise
 * buffers from a stream, then ts_mlp_loss_grad runs forward and backward with
 * those buffers. Keeping the two apart is what lets tests (and the
 * implicit-effect statistics) reuse or rearrange exactly the same draws. */
#ifndef TS_MLP_H
#define TS_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_rng.h"

#define TS_MLP_MAX_HIDDEN 16

typedef enum { TS_ACT_RELU = 0, TS_ACT_ELU = 1, TS_ACT_TANH = 2 } ts_activation;
typedef enum { TS_LOSS_MSE = 0, TS_LOSS_XENT = 1 } ts_loss;
typedef enum { TS_INIT_HE = 0, TS_INIT_GLOROT = 1 } ts_init;
typedef enum { TS_NOISE_NONE = 0, TS_NOISE_ADD = 1, TS_NOISE_MULT = 2 } ts_noise_type;

typedef struct {
    size_t n_in, n_out;              /* XENT: n_out = number of classes       */
    size_t n_hidden;                 /* hidden layers, 0..TS_MLP_MAX_HIDDEN    */
    size_t width[TS_MLP_MAX_HIDDEN]; /* each >= 1                             */
    ts_activation act;
    ts_loss loss;
    ts_init init;
} ts_mlp_config;

typedef struct {
    ts_noise_type type;
    double sigma2;                   /* variance of e, >= 0                    */
    int on_input;                    /* 1: the input x is injected too         */
} ts_noise_config;

/* Parameters live in one contiguous float array so a gradient is one vector
 * of the same layout: weight layer l (0 = first, n_hidden = output) has W_l,
 * rows[l] x cols[l] row-major (out x in), at w + off_w[l], then b_l (rows[l])
 * at w + off_b[l]. */
typedef struct {
    ts_mlp_config cfg;
    size_t n_layers;                 /* n_hidden + 1                            */
    size_t n_params;
    size_t rows[TS_MLP_MAX_HIDDEN + 1], cols[TS_MLP_MAX_HIDDEN + 1];
    size_t off_w[TS_MLP_MAX_HIDDEN + 1], off_b[TS_MLP_MAX_HIDDEN + 1];
    float *w;
} ts_mlp;

/* Checks the config (width 0, unknown activation, ... -> TS_EINVAL naming the
 * field) and allocates; weights are zero until ts_mlp_init. */
ts_status ts_mlp_alloc(const ts_mlp_config *cfg, ts_mlp **out, ts_err *err);
void ts_mlp_free(ts_mlp *net);
/* He (N(0, 2/fan_in)) or Glorot (N(0, 2/(fan_in + fan_out))) weights, zero
 * biases, from the stream r (callers pass the TS_PURPOSE_INIT stream). */
void ts_mlp_init(ts_mlp *net, ts_rng *r);
ts_status ts_noise_config_check(const ts_noise_config *nz, ts_err *err);

/* Buffers for batches of up to max_rows stacked rows (B M). The first call
 * in a process also sets OpenBLAS to one thread: ranks are the parallelism. */
typedef struct ts_mlp_work ts_mlp_work;
ts_status ts_mlp_work_alloc(const ts_mlp *net, size_t max_rows, ts_mlp_work **out, ts_err *err);
void ts_mlp_work_free(ts_mlp_work *ws);
/* The GEMM library in use, for logs and provenance: GEMM rounding, hence the
 * last bits of results, depends on it and on the kernels it picks for the CPU. */
const char *ts_mlp_blas_core(void);

/* A batch: n examples, x n x n_in; y n x n_out (MSE) or label (XENT). */
typedef struct {
    size_t n;
    const float *x;
    const float *y;
    const int32_t *label;
} ts_batch;

/* The injection sites: site 0 is the input (n_in wide), site i >= 1 the
 * output of hidden layer i (width[i-1] wide). Site 0 takes noise only when
 * nz->on_input. The noise of a step, for M copies of a batch of B, is for
 * each site s an (M B) x width(s) float block, row m B + i = copy m, example i.
 * ts_mlp_noise_draw fills these blocks from r, site by site, each block in
 * one ts_rng_normal_block_f call (standard normals; the scale sigma and the
 * shift 1 for multiplicative noise are applied in the forward pass). */
size_t ts_mlp_n_sites(const ts_mlp *net);
size_t ts_mlp_site_width(const ts_mlp *net, size_t site);
ts_status ts_mlp_noise_draw(const ts_mlp *net, ts_mlp_work *ws, const ts_noise_config *nz,
                            size_t B, size_t M, ts_rng *r, ts_err *err);
/* The block of a site, to read or overwrite (NULL if the site takes no noise). */
float *ts_mlp_noise_site(ts_mlp_work *ws, size_t site);

/* Loss and gradient of (1/M) sum_m L~(B; w, e_m) with the noise now in the
 * workspace (ignored when nz->type is NONE or sigma2 is 0). grad (n_params
 * floats) may be NULL for the loss alone. Fails with TS_EINVAL when B M
 * exceeds the workspace, or when noise is active but the last
 * ts_mlp_noise_draw did not fill the sites nz needs for at least B M rows,
 * and TS_ENUMERIC when the loss is not finite. Without active noise the M
 * copies are identical and the result is exactly the M = 1 one. */
ts_status ts_mlp_loss_grad(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b, size_t M,
                           const ts_noise_config *nz, float *grad, double *loss, ts_err *err);

/* After ts_mlp_loss_grad: the post-activation output of hidden layer i
 * (1-based, before its own injection) for all (M B) rows, width[i-1] wide.
 * Lets callers measure the forward-pass noise. */
const float *ts_mlp_activation(const ts_mlp_work *ws, size_t hidden_layer);

/* Clean (noise-free) loss and, for XENT, accuracy over a whole dataset of n
 * examples, in chunks of the workspace size. accuracy may be NULL; for MSE
 * (no classes) it is set to NAN. */
ts_status ts_mlp_evaluate(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *all,
                          double *loss, double *accuracy, ts_err *err);

/* The explicit regulariser of Camuto et al. 2020 for MSE, at the clean
 * forward pass: R = (sigma2 / 2) sum over injected sites of the batch mean of
 * ||d out / d h_site||_F^2. */
ts_status ts_mlp_explicit_reg(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b,
                              const ts_noise_config *nz, double *reg, ts_err *err);

/* w <- w - lr grad. */
void ts_mlp_sgd_step(ts_mlp *net, const float *grad, float lr);

#endif
