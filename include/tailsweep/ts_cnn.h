/* ts_cnn.h: a float32 convolutional network trained with Gaussian noise
 * injections (docs/math.md section 4; paper figure 7's CONV networks), on
 * oneDNN's convolution and pooling primitives.
 *
 * Layers: the input image (H, W, C), then n_conv convolution blocks, each
 *     z = conv_k(h~)            (kernel k x k, stride 1, "same" padding:
 *                                k - 1 zeros split left (k - 1)/2, right the rest)
 *     h = act(maxpool_2x2(z) + b)   (2 x 2 windows, stride 2, odd edges dropped)
 * then n_dense dense hidden layers h = act(W h~ + b) on the flattened last
 * block, and a linear output layer. Noise goes where the MLP puts it
 * (ts_mlp.h): on the input (optional) and on every hidden activation (each
 * block's pooled output and each dense layer), never on the output:
 *     additive h~ = h + e, e ~ N(0, sigma2); multiplicative h~ = h e, e ~ N(1, sigma2).
 * The bias is added after pooling: max(z + b) = max(z) + b for a per-channel
 * b, so the network is the usual conv(+bias) -> pool -> act, with one pass
 * fewer.
 *
 * Layout: images are (H, W, C) row-major, channels last, as the data sets
 * keep them; a site's block is one row of H W C floats per stacked image,
 * and the dense layers see that row (flattened HWC). The M-sample objective
 * stacks the M noisy copies of the batch into R = M B images (row m B + i =
 * copy m of example i), as the MLP does.
 *
 * Parameters: one contiguous float array, weight layer after weight layer
 * (0 .. n_conv - 1 the convolutions, then the dense layers, the output
 * last): W_l, rows[l] x cols[l] row-major, at w + off_w[l], then b_l (rows[l])
 * at w + off_b[l]. A convolution's W_l is (out channels) x (in channels,
 * kernel row, kernel column), i.e. OIHW as torch stores it.
 *
 * Speed: activations stay channels-last (oneDNN's nhwc); weights are
 * reordered to the kernels' own layouts once per pass; a pass runs forward
 * and backward on chunks of TS_CNN_CHUNK images, so memory does not grow
 * with M B beyond one activation copy per site. One thread per rank. */
#ifndef TS_CNN_H
#define TS_CNN_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_mlp.h"
#include "tailsweep/ts_rng.h"

#define TS_CNN_MAX_CONV 8
#define TS_CNN_MAX_LAYERS (TS_CNN_MAX_CONV + TS_MLP_MAX_HIDDEN + 1)
#define TS_CNN_MAX_SITES (TS_CNN_MAX_CONV + TS_MLP_MAX_HIDDEN + 1)

typedef struct {
    size_t in_h, in_w, in_c;                /* input image (H, W, C)               */
    size_t n_conv;                          /* convolution blocks, 0..TS_CNN_MAX_CONV
                                               (0: an MLP on the flattened image) */
    size_t channels[TS_CNN_MAX_CONV];       /* output channels of each block       */
    size_t kernel;                          /* kernel size k >= 1                  */
    size_t n_dense;                         /* dense hidden layers, 0..TS_MLP_MAX_HIDDEN */
    size_t width[TS_MLP_MAX_HIDDEN];
    size_t n_out;                           /* XENT: classes                       */
    ts_activation act;
    ts_loss loss;
    ts_init init;                           /* fan_in = in channels k^2, fan_out = out channels k^2 */
} ts_cnn_config;

typedef struct {
    ts_cnn_config cfg;
    size_t n_layers;                        /* n_conv + n_dense + 1                */
    size_t n_params;
    size_t rows[TS_CNN_MAX_LAYERS], cols[TS_CNN_MAX_LAYERS];
    size_t off_w[TS_CNN_MAX_LAYERS], off_b[TS_CNN_MAX_LAYERS];
    /* Injection sites: 0 the input, 1..n_conv the blocks' pooled outputs,
     * then the dense hidden layers. site_h/w/c: the site's image shape
     * (dense sites: 1 x 1 x width). site_size = h w c. */
    size_t n_sites;
    size_t site_h[TS_CNN_MAX_SITES], site_w[TS_CNN_MAX_SITES], site_c[TS_CNN_MAX_SITES];
    size_t site_size[TS_CNN_MAX_SITES];
    float *w;
} ts_cnn;

/* Parses a list of channel counts such as "32,64" (1..TS_CNN_MAX_CONV
 * positive integers, commas, optional spaces) into cfg->channels and
 * cfg->n_conv; the message names `key`. */
ts_status ts_cnn_parse_channels(const char *text, const char *key, ts_cnn_config *cfg, ts_err *err);

/* Checks the config (shapes that pool down to nothing, kernel 0, ... ->
 * TS_EINVAL naming the field) and allocates; weights are zero until
 * ts_cnn_init. */
ts_status ts_cnn_alloc(const ts_cnn_config *cfg, ts_cnn **out, ts_err *err);
void ts_cnn_free(ts_cnn *net);
/* He or Glorot weights layer by layer (the MLP's rule and stream use, with
 * a convolution's receptive-field fans), zero biases. */
void ts_cnn_init(ts_cnn *net, ts_rng *r);
/* w <- w - lr grad. */
void ts_cnn_sgd_step(ts_cnn *net, const float *grad, float lr);

/* Buffers for passes of up to max_rows stacked images. */
typedef struct ts_cnn_work ts_cnn_work;
ts_status ts_cnn_work_alloc(const ts_cnn *net, size_t max_rows, ts_cnn_work **out, ts_err *err);
void ts_cnn_work_free(ts_cnn_work *ws);
/* Bytes a workspace holds per stacked image (noise and activations), for
 * callers that size max_rows to a memory budget. */
size_t ts_cnn_row_bytes(const ts_cnn *net);

/* Noise of a step (as ts_mlp_noise_draw): for each site s, an (M B) x
 * site_size[s] block of standard normals, site after site, one
 * ts_rng_normal_block_f call each; site 0 only when nz->on_input. */
ts_status ts_cnn_noise_draw(const ts_cnn *net, ts_cnn_work *ws, const ts_noise_config *nz, size_t B,
                            size_t M, ts_rng *r, ts_err *err);
float *ts_cnn_noise_site(ts_cnn_work *ws, size_t site);

/* Loss and gradient of (1/M) sum_m L~(B; w, e_m) with the noise in the
 * workspace (ts_mlp_loss_grad's contract: grad may be NULL; TS_EINVAL for
 * B M beyond the workspace or noise not drawn; TS_ENUMERIC for a loss that
 * is not finite; without active noise one copy is run). */
ts_status ts_cnn_loss_grad(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, size_t M,
                           const ts_noise_config *nz, float *grad, double *loss, ts_err *err);

/* After ts_cnn_loss_grad: the post-activation of site s >= 1 (before its
 * own injection) for all M B rows, site_size[s] wide. */
const float *ts_cnn_activation(const ts_cnn_work *ws, size_t site);

/* Clean loss and (XENT) accuracy over a dataset, in chunks (ts_mlp_evaluate). */
ts_status ts_cnn_evaluate(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *all, double *loss,
                          double *accuracy, ts_err *err);

/* The explicit regulariser of Camuto et al. 2020 at the clean forward pass
 * (docs/gni.md):
 *     R = (sigma2 / 2) (1/B) sum_i sum over injected sites and their units u
 *         of w_u J_u^T H J_u,
 * J_u = d out / d h_u, w_u = 1 (additive) or h_u^2 (multiplicative), H the
 * per-example loss's Hessian in the output (MSE: I; cross-entropy:
 * diag(p) - p p^T). With noise off R = 0. */
ts_status ts_cnn_explicit_reg(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, const ts_noise_config *nz,
                              double *reg, ts_err *err);
/* The objective L(B; w) + R(B; w) without noise (training on the explicit
 * regulariser): its exact gradient into grad (NULL: values only), the clean
 * loss L into *loss and R into *reg (either may be NULL). B must fit the
 * workspace (M = 1). TS_ENUMERIC when L or R is not finite. */
ts_status ts_cnn_reg_loss_grad(const ts_cnn *net, ts_cnn_work *ws, const ts_batch *b, const ts_noise_config *nz,
                               float *grad, double *loss, double *reg, ts_err *err);

#endif
