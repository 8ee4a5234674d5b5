/* ts_mlp_internal.h: the workspace layout and the kernels the src/nn/ files
 * share. Not a public header: callers see ts_mlp_work as opaque.
 *
 * Rows: a pass over a batch of B with M noise copies works on R = M B stacked
 * rows, row m B + i = copy m of example i. Every buffer is row-major with R
 * rows, so each layer is one GEMM over all copies. */
#ifndef TS_MLP_INTERNAL_H
#define TS_MLP_INTERNAL_H

#include <stddef.h>

#include "tailsweep/ts_mlp.h"

#define TS_MLP_MAX_SITES (TS_MLP_MAX_HIDDEN + 1)

struct ts_mlp_work {
    size_t max_rows;
    /* the shape this workspace was built for, to catch a mismatched net */
    size_t n_layers, rows[TS_MLP_MAX_HIDDEN + 1], cols[TS_MLP_MAX_HIDDEN + 1];
    size_t max_width;          /* largest of n_in, widths, n_out            */

    /* Forward state of the last pass (R rows):
     *   in0    the stacked (and possibly noisy) input, R x n_in;
     *   act[l] hidden layer l's post-activation before injection (l = 1..n_hidden),
     *   inj[l] the same after injection (the next layer's input); when the
     *          layer takes no noise in a pass, the pass points hin[l] at act[l];
     *   out    the output layer, R x n_out (logits or predictions). */
    float *in0;
    float *act[TS_MLP_MAX_HIDDEN + 1];
    float *inj[TS_MLP_MAX_HIDDEN + 1];
    const float *hin[TS_MLP_MAX_HIDDEN + 1]; /* input of weight layer l, set per pass */
    float *out;
    size_t pass_B, pass_M;     /* the last forward pass: R = pass_M pass_B  */
    int in_shared;             /* 1: the input took no noise, so weight layer 0
                                * ran once on the B rows and its output was
                                * copied to the M copies (hin[0] has B rows) */
    int pass_noisy;            /* the last forward pass applied noise       */
    float pass_s;              /* its sigma = sqrt(sigma2), as a float      */
    ts_noise_type pass_type;

    /* Backward: two R x max_width buffers, swapped layer by layer. */
    float *d0, *d1;
    double *colsum;            /* max_width accumulators for bias gradients */

    /* Noise: one standard-normal block per site, R x width(site). */
    float *noise[TS_MLP_MAX_SITES];
    int noise_on[TS_MLP_MAX_SITES]; /* filled by the last ts_mlp_noise_draw */
    size_t noise_rows;              /* R of the last ts_mlp_noise_draw       */
};

/* Whether a pass applies noise: a real type and a positive variance. */
int ts_mlp_noise_active(const ts_noise_config *nz);

/* Checks that ws was built for net and that B M rows fit; names the field. */
ts_status ts_mlp_work_check(const ts_mlp *net, const ts_mlp_work *ws, size_t B, size_t M,
                            ts_err *err);

/* Forward pass over R = M B rows of the batch x (B x n_in): fills ws->in0,
 * act, inj, hin and out. Noise is applied when nz is non-NULL and active
 * (the caller has checked that the blocks are drawn). */
void ts_mlp_forward(const ts_mlp *net, ts_mlp_work *ws, const float *x, size_t B, size_t M,
                    const ts_noise_config *nz);

/* Backward pass from d out (in ws->d0, R x n_out) after ts_mlp_forward:
 * writes the full parameter gradient into grad. */
void ts_mlp_backward(const ts_mlp *net, ts_mlp_work *ws, float *grad);

/* Loss summed over the R = M B rows of ws->out (row m B + i has example i's
 * target), in double. If dout is non-NULL it receives d(sum)/d out scaled by
 * dscale, R x n_out. If correct is non-NULL it receives the number of rows
 * whose arg-max output is the label (XENT only). */
double ts_mlp_loss_rows(const ts_mlp *net, const float *out, const ts_batch *b, size_t R,
                        float *dout, float dscale, size_t *correct);

/* Checks a batch's pointers and labels against the net (names the field). */
ts_status ts_mlp_batch_check(const ts_mlp *net, const ts_batch *b, ts_err *err);

/* Fused elementwise kernels (ts_mlp_kernels.c). n is one row-major block of
 * rows x width elements; bias has width entries, broadcast over rows. */
/* z <- act(z + bias), in place. */
void ts_mlp_bias_act(ts_activation act, float *z, const float *bias, size_t rows, size_t width);
/* out <- z + bias (the linear output layer). */
void ts_mlp_bias(float *z, const float *bias, size_t rows, size_t width);
/* h~ = h + s e (additive) or h (1 + s e) (multiplicative), over n elements. */
void ts_mlp_inject(ts_noise_type type, float s, const float *h, const float *e, float *out, size_t n);
/* Backward through injection then activation: d <- d * noise factor * act'(a),
 * in place; e may be NULL (no noise). a is the post-activation. */
void ts_mlp_back_act(ts_activation act, ts_noise_type type, float s, const float *e, const float *a,
                     float *d, size_t n);
/* Bias gradient: column sums of d (rows x width) accumulated in double. */
void ts_mlp_colsum(const float *d, size_t rows, size_t width, double *acc, float *out);

/* expm1(x) in float for x <= 0 (ELU, and tanh through expm1(-2|z|)),
 * branch-free so loops calling it vectorise. x = k ln2 + r with |r| <= ln2/2,
 * expm1(x) = 2^k expm1(r) + (2^k - 1): 2^k - 1 is exact in float for
 * k >= -24 and the two terms have opposite signs only mildly (|2^k expm1(r)|
 * <= 0.41 2^k), so no cancellation; for k = 0 the result is expm1(r) itself,
 * relatively accurate as x -> 0 (where exp(x) - 1 would lose every bit).
 * expm1(r) is Taylor to r^9: truncation <= 0.347^9/10! = 2e-11 relative.
 * x below -87 is clamped (2^k stays a normal float; expm1 = -1 there anyway).
 * test_mlp.c measures the error against double expm1. */
static inline float ts_mlp_expm1_neg(float x)
{
    float xc = x < -87.0f ? -87.0f : x;
    float kf = (xc * 1.44269502f + 0x1.8p23f) - 0x1.8p23f;  /* round(x / ln2) */
    float r = xc - kf * 0x1.62e4p-1f;       /* ln2 hi, 17 bits: k hi is exact */
    r = r - kf * 0x1.7f7d1cp-20f;           /* ln2 - hi, rounded */
    float p = 1.0f / 362880.0f;
    p = p * r + 1.0f / 40320.0f;
    p = p * r + 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    float em = r + (r * r) * p;             /* expm1(r) */
    int k = (int)kf;
    union { unsigned u; float f; } two = { (unsigned)(k + 127) << 23 };
    return two.f * em + (two.f - 1.0f);
}

#endif
