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

/* Rows per chunk of a pass. A pass runs forward, loss and backward on one
 * chunk of stacked rows before the next, so a chunk's activations are still
 * in L2 when its backward reads them (at M = 16 the whole stack is 16 MB a
 * layer and would otherwise stream from memory in every elementwise pass).
 * 256 rows keep each GEMM near full speed (measured: 64 rows lose ~15%). It is
 * a constant, never derived from the workspace size, so results do not
 * depend on max_rows: chunking fixes the float summation order of dW. */
#define TS_MLP_CHUNK 256

struct ts_mlp_work {
    size_t max_rows;
    /* the shape this workspace was built for, to catch a mismatched net */
    size_t n_layers, rows[TS_MLP_MAX_HIDDEN + 1], cols[TS_MLP_MAX_HIDDEN + 1];
    size_t max_width;          /* largest of n_in, widths, n_out            */

    /* State of the last pass, all R = M B rows:
     *   in0    the stacked noisy input, R x n_in (when the input takes noise);
     *   act[l] hidden layer l's post-activation before injection (l = 1..n_hidden),
     *   inj[l] the same after injection (the next layer's input);
     *   out    the output layer, R x n_out (logits or predictions). */
    float *in0;
    float *act[TS_MLP_MAX_HIDDEN + 1];
    float *inj[TS_MLP_MAX_HIDDEN + 1];
    float *out;
    /* When the input takes no noise, weight layer 0 sees the same x in all M
     * copies: its output is computed once for the B rows (shared0, B x
     * rows[0]) and copied, and its gradient dZ is summed over the copies
     * (dzsum0) so dW_0 is one GEMM over B rows instead of M B. */
    float *shared0, *dzsum0;

    /* Backward: two R x max_width buffers, swapped layer by layer. */
    float *d0, *d1;
    double *colsum;            /* bias-gradient accumulators, one per unit of every layer */
    size_t colsum_off[TS_MLP_MAX_HIDDEN + 1];

    /* Noise: one standard-normal block per site, R x width(site). */
    float *noise[TS_MLP_MAX_SITES];
    int noise_on[TS_MLP_MAX_SITES]; /* filled by the last ts_mlp_noise_draw */
    size_t noise_rows;              /* R of the last ts_mlp_noise_draw       */
};

/* Once per process, at the first workspace allocation: one BLAS thread. */
void ts_mlp_blas_setup(void);
/* C = alpha op(A) op(B) + beta C, row-major, through oneDNN (ts_mlp_blas.c). */
void ts_mlp_sgemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, float alpha, const float *a,
                  size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc);

/* Whether a pass applies noise: a real type and a positive variance. */
int ts_mlp_noise_active(const ts_noise_config *nz);

/* Checks that ws was built for net and that B M rows fit; names the field. */
ts_status ts_mlp_work_check(const ts_mlp *net, const ts_mlp_work *ws, size_t B, size_t M,
                            ts_err *err);

/* One pass over the R = M B stacked rows of batch b (checked by the caller,
 * noise drawn when nz is active; nz may be NULL for a clean pass): forward,
 * loss and, if grad is non-NULL, backward, chunk by chunk. d out is scaled by
 * dscale (1/R for the mean). Returns the loss summed over the rows; correct
 * (may be NULL) receives the number of rows whose arg-max is the label. */
double ts_mlp_pass(const ts_mlp *net, ts_mlp_work *ws, const ts_batch *b, size_t M,
                   const ts_noise_config *nz, float *grad, float dscale, size_t *correct);

/* Loss summed over n rows of out, the first being stacked row r0 (row r has
 * example r mod B's target), in double. If dout is non-NULL it receives
 * d(sum)/d out scaled by dscale, n x n_out. correct (may be NULL) is
 * increased by the rows whose arg-max output is the label (XENT only). */
double ts_mlp_loss_rows(const ts_mlp *net, const float *out, const ts_batch *b, size_t r0, size_t n,
                        float *dout, float dscale, size_t *correct);

/* Checks a batch's pointers and labels against the net (names the field). */
ts_status ts_mlp_batch_check(const ts_mlp *net, const ts_batch *b, ts_err *err);

/* The two above for any network of the GNI kind (the CNN shares them):
 * the loss type and the number of outputs are all they need. */
double ts_nn_loss_rows(ts_loss loss, size_t K, const float *out, const ts_batch *b, size_t r0, size_t n,
                       float *dout, float dscale, size_t *correct);
ts_status ts_nn_batch_check(ts_loss loss, size_t n_out, const ts_batch *b, ts_err *err);

/* Fused elementwise kernels (ts_mlp_kernels.c). n is one row-major block of
 * rows x width elements; bias has width entries, broadcast over rows. */
/* z <- act(z + bias), in place; then, if e is non-NULL, inj <- the injected
 * z (h + s e or h (1 + s e)), in the same pass. */
void ts_mlp_bias_act(ts_activation act, float *z, const float *bias, size_t rows, size_t width,
                     ts_noise_type type, float s, const float *e, float *inj);
/* out <- z + bias (the linear output layer). */
void ts_mlp_bias(float *z, const float *bias, size_t rows, size_t width);
/* h~ = h + s e (additive) or h (1 + s e) (multiplicative), over n elements. */
void ts_mlp_inject(ts_noise_type type, float s, const float *h, const float *e, float *out, size_t n);
/* Backward through injection then activation: d <- d * noise factor * act'(a),
 * in place, rows x width; e may be NULL (no noise). a is the post-activation.
 * If acc is non-NULL the column sums of the new d are added to it (the bias
 * gradient of the layer below), in the same pass. */
void ts_mlp_back_act(ts_activation act, ts_noise_type type, float s, const float *e, const float *a,
                     float *d, size_t rows, size_t width, double *acc);
/* acc += column sums of d (rows x width), in double. */
void ts_mlp_colsum_add(const float *d, size_t rows, size_t width, double *acc);

/* The activation's first and second derivatives from its output a (the
 * pre-activation is not kept): relu 1[a > 0] and 0; elu (alpha 1) 1 and 0
 * above 0, a + 1 (= e^z) for both below; tanh 1 - a^2 and -2 a (1 - a^2). */
static inline float ts_nn_dact(ts_activation act, float a)
{
    if (act == TS_ACT_RELU) return a > 0.0f ? 1.0f : 0.0f;
    if (act == TS_ACT_ELU) return a > 0.0f ? 1.0f : a + 1.0f;
    return 1.0f - a * a;
}

static inline float ts_nn_ddact(ts_activation act, float a)
{
    if (act == TS_ACT_RELU) return 0.0f;
    if (act == TS_ACT_ELU) return a > 0.0f ? 0.0f : a + 1.0f;
    return -2.0f * a * (1.0f - a * a);
}

/* expm1(x) in float for x <= 0 (ELU, and tanh through expm1(-2|z|)),
 * branch-free so loops calling it vectorise. x = k ln2 + r with |r| <= ln2/2,
 * expm1(x) = 2^k expm1(r) + (2^k - 1): 2^k - 1 is exact in float for
 * k >= -24 and the two terms have opposite signs only mildly (|2^k expm1(r)|
 * <= 0.41 2^k), so no cancellation; for k = 0 the result is expm1(r) itself,
 * relatively accurate as x -> 0 (where exp(x) - 1 would lose every bit).
 * expm1(r) is Taylor to r^9: truncation <= 0.347^9/10! = 2e-11 relative.
 * x below -87 is clamped (2^k stays a normal float; expm1 = -1 there anyway).
 * Callers pass x <= 0 (positive x gives expm1(0) = 0).
 * test_mlp.c measures the error against double expm1. */
static inline float ts_mlp_expm1_neg(float x)
{
    /* Vectorised selects evaluate this for every lane, positive and NaN
     * inputs included: clamping x to [-87, 0] and a NaN's k to 0 keeps the
     * float -> int conversion below in range (the result is then unused, or
     * NaN for a NaN input, as it should be). */
    float xc = x < -87.0f ? -87.0f : (x > 0.0f ? 0.0f : x);
    float kf = (xc * 1.44269502f + 0x1.8p23f) - 0x1.8p23f;  /* round(x / ln2) */
    kf = kf >= -126.0f ? kf : 0.0f;
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
