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

static inline float dact_f(ts_activation act, float a)
{
    if (act == TS_ACT_RELU) return a > 0.0f ? 1.0f : 0.0f;
    if (act == TS_ACT_ELU) return a > 0.0f ? 1.0f : a + 1.0f;
    return 1.0f - a * a;
}

static inline void bias_act_body(ts_activation act, float *z, const float *bias, size_t rows,
                                 size_t width)
{
    for (size_t r = 0; r < rows; r++) {
        float *zr = z + r * width;
#pragma omp simd
        for (size_t j = 0; j < width; j++) zr[j] = act_f(act, zr[j] + bias[j]);
    }
}

void ts_mlp_bias_act(ts_activation act, float *z, const float *bias, size_t rows, size_t width)
{
    switch (act) {
    case TS_ACT_RELU: bias_act_body(TS_ACT_RELU, z, bias, rows, width); break;
    case TS_ACT_ELU: bias_act_body(TS_ACT_ELU, z, bias, rows, width); break;
    default: bias_act_body(TS_ACT_TANH, z, bias, rows, width); break;
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
 * pass computed it, so forward and backward see the same float. */
static inline void back_body(ts_activation act, ts_noise_type type, float s, const float *e,
                             const float *a, float *d, size_t n)
{
    if (type == TS_NOISE_MULT) {
#pragma omp simd
        for (size_t i = 0; i < n; i++) d[i] = (d[i] * (1.0f + s * e[i])) * dact_f(act, a[i]);
    } else {
#pragma omp simd
        for (size_t i = 0; i < n; i++) d[i] = d[i] * dact_f(act, a[i]);
    }
}

void ts_mlp_back_act(ts_activation act, ts_noise_type type, float s, const float *e, const float *a,
                     float *d, size_t n)
{
    /* additive noise and no noise have the identity as the injection's Jacobian */
    ts_noise_type t = (type == TS_NOISE_MULT && e) ? TS_NOISE_MULT : TS_NOISE_NONE;
    switch (act) {
    case TS_ACT_RELU: back_body(TS_ACT_RELU, t, s, e, a, d, n); break;
    case TS_ACT_ELU: back_body(TS_ACT_ELU, t, s, e, a, d, n); break;
    default: back_body(TS_ACT_TANH, t, s, e, a, d, n); break;
    }
}

/* Row by row, vectorised across the columns: no horizontal reduction, and
 * double accumulators keep the sum of up to ~10^5 rows well inside float's
 * precision before the one final rounding. */
void ts_mlp_colsum(const float *d, size_t rows, size_t width, double *acc, float *out)
{
    for (size_t j = 0; j < width; j++) acc[j] = 0.0;
    for (size_t r = 0; r < rows; r++) {
        const float *dr = d + r * width;
#pragma omp simd
        for (size_t j = 0; j < width; j++) acc[j] += (double)dr[j];
    }
    for (size_t j = 0; j < width; j++) out[j] = (float)acc[j];
}
