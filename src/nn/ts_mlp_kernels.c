/* ts_mlp_kernels.c: the elementwise passes between the GEMMs, each one pass
 * over a layer's block so the memory traffic stays at one read and one write.
 *
 * Every loop is written once as a static inline body and instantiated per
 * (activation, noise type) from a switch, so each instance is branch-free
 * and vectorises under `omp simd` (no reduction clauses: GCC 12 miscompiles
 * some on AVX-512). The activation derivative is taken from the output a:
 *   relu  a > 0;   elu  a > 0 ? 1 : a + 1  (a = e^z - 1, so e^z = a + 1);
 *   tanh  1 - a^2,
 * so the pre-activations need not be kept. */
#include <stddef.h>

#include "ts_mlp_internal.h"

static inline float act_f(ts_activation act, float z)
{
    if (act == TS_ACT_RELU) return z > 0.0f ? z : 0.0f;
    if (act == TS_ACT_ELU) return z > 0.0f ? z : ts_mlp_expm1_neg(z);
    /* tanh |z| = -t / (2 + t) with t = expm1(-2|z|) in (-1, 0]: no cancellation */
    float az = z < 0.0f ? -z : z;
    float t = ts_mlp_expm1_neg(-2.0f * az);
    float th = -t / (2.0f + t);
    return z < 0.0f ? -th : th;
}

/* One row-major pass: z <- act(z + bias) and, with noise, the injected
 * copy. type is a literal at each call site below, so each instance is
 * branch-free. */
static inline void bias_act_body(ts_activation act, ts_noise_type type, float *z, const float *bias,
                                 size_t rows, size_t width, float s, const float *e, float *inj)
{
    for (size_t r = 0; r < rows; r++) {
        float *zr = z + r * width;
        if (type == TS_NOISE_NONE) {
#pragma omp simd
            for (size_t j = 0; j < width; j++) zr[j] = act_f(act, zr[j] + bias[j]);
            continue;
        }
        const float *er = e + r * width;
        float *ir = inj + r * width;
#pragma omp simd
        for (size_t j = 0; j < width; j++) {
            float a = act_f(act, zr[j] + bias[j]);
            zr[j] = a;
            ir[j] = type == TS_NOISE_ADD ? a + s * er[j] : a * (1.0f + s * er[j]);
        }
    }
}

#define BIAS_ACT_NOISE(ACT)                                                                        \
    do {                                                                                           \
        if (t == TS_NOISE_ADD) bias_act_body(ACT, TS_NOISE_ADD, z, bias, rows, width, s, e, inj);  \
        else if (t == TS_NOISE_MULT) bias_act_body(ACT, TS_NOISE_MULT, z, bias, rows, width, s, e, inj); \
        else bias_act_body(ACT, TS_NOISE_NONE, z, bias, rows, width, s, e, inj);                   \
    } while (0)

void ts_mlp_bias_act(ts_activation act, float *z, const float *bias, size_t rows, size_t width,
                     ts_noise_type type, float s, const float *e, float *inj)
{
    ts_noise_type t = e ? type : TS_NOISE_NONE;
    switch (act) {
    case TS_ACT_RELU: BIAS_ACT_NOISE(TS_ACT_RELU); break;
    case TS_ACT_ELU: BIAS_ACT_NOISE(TS_ACT_ELU); break;
    default: BIAS_ACT_NOISE(TS_ACT_TANH); break;
    }
}

void ts_mlp_bias(float *z, const float *bias, size_t rows, size_t width)
{
    for (size_t r = 0; r < rows; r++) {
        float *zr = z + r * width;
#pragma omp simd
        for (size_t j = 0; j < width; j++) zr[j] = zr[j] + bias[j];
    }
}

void ts_mlp_inject(ts_noise_type type, float s, const float *h, const float *e, float *out, size_t n)
{
    if (type == TS_NOISE_ADD) {
#pragma omp simd
        for (size_t i = 0; i < n; i++) out[i] = h[i] + s * e[i];
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; i++) out[i] = h[i] * (1.0f + s * e[i]);
    }
}

/* The multiplicative factor (1 + s e) is recomputed exactly as the forward
 * pass computed it, so forward and backward see the same float. The bias
 * gradient of the layer below is summed in the same pass, row by row into
 * double accumulators across the columns (no horizontal reduction). */
static inline void back_body(ts_activation act, ts_noise_type type, float s, const float *e,
                             const float *a, float *d, size_t rows, size_t width, double *acc)
{
    for (size_t r = 0; r < rows; r++) {
        float *dr = d + r * width;
        const float *ar = a + r * width;
        const float *er = type == TS_NOISE_MULT ? e + r * width : NULL;
        if (type == TS_NOISE_MULT) {
#pragma omp simd
            for (size_t j = 0; j < width; j++) dr[j] = (dr[j] * (1.0f + s * er[j])) * ts_nn_dact(act, ar[j]);
        } else {
#pragma omp simd
            for (size_t j = 0; j < width; j++) dr[j] = dr[j] * ts_nn_dact(act, ar[j]);
        }
        if (acc) {
#pragma omp simd
            for (size_t j = 0; j < width; j++) acc[j] += (double)dr[j];
        }
    }
}

void ts_mlp_back_act(ts_activation act, ts_noise_type type, float s, const float *e, const float *a,
                     float *d, size_t rows, size_t width, double *acc)
{
    /* additive noise and no noise have the identity as the injection's Jacobian */
    ts_noise_type t = (type == TS_NOISE_MULT && e) ? TS_NOISE_MULT : TS_NOISE_NONE;
    switch (act) {
    case TS_ACT_RELU: back_body(TS_ACT_RELU, t, s, e, a, d, rows, width, acc); break;
    case TS_ACT_ELU: back_body(TS_ACT_ELU, t, s, e, a, d, rows, width, acc); break;
    default: back_body(TS_ACT_TANH, t, s, e, a, d, rows, width, acc); break;
    }
}

void ts_mlp_colsum_add(const float *d, size_t rows, size_t width, double *acc)
{
    for (size_t r = 0; r < rows; r++) {
        const float *dr = d + r * width;
#pragma omp simd
        for (size_t j = 0; j < width; j++) acc[j] += (double)dr[j];
    }
}
