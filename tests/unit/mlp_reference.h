/* mlp_reference.h: an independent, deliberately naive forward pass of the MLP
 * in double (plain loops, libm's expm1/tanh), for the gradient checks of
 * test_mlp.c. It shares only the parameter layout (off_w, off_b) and the
 * noise blocks with the library, so agreement checks the library's GEMM
 * orientation, fused kernels, noise conventions and loss scaling. */
#ifndef TS_MLP_REFERENCE_H
#define TS_MLP_REFERENCE_H

#include <math.h>
#include <stdlib.h>

#include "tailsweep/ts_mlp.h"

/* A perturbation of one injected activation (for Jacobians): site, row and
 * coordinate; delta 0 means none. */
typedef struct {
    size_t site, row, j;
    double delta;
} ref_pert;

static double ref_act(ts_activation a, double z)
{
    if (a == TS_ACT_RELU) return z > 0 ? z : 0;
    if (a == TS_ACT_ELU) return z > 0 ? z : expm1(z);
    return tanh(z);
}

/* The objective (1/(M B)) sum over rows of the per-example loss, with
 * h~ = h + s e or h (1 + s e) at the injected sites (s is the float sigma
 * the library uses, so both compute the same function). If out_rows is
 * non-NULL it receives the R x n_out outputs; if act1 is non-NULL, hidden
 * layer 1's post-activations (R x width[0]). */
static double ref_objective(const ts_mlp *net, const double *p, const ts_noise_config *nz, double s,
                            const float *x, const float *y, const int32_t *label, size_t B, size_t M,
                            float *const *noise, const ref_pert *pert, double *out_rows, double *act1)
{
    const ts_mlp_config *c = &net->cfg;
    int noisy = nz && nz->type != TS_NOISE_NONE && nz->sigma2 > 0;
    size_t wmax = c->n_in > c->n_out ? c->n_in : c->n_out;
    for (size_t i = 0; i < c->n_hidden; i++)
        if (c->width[i] > wmax) wmax = c->width[i];
    double *h = malloc(wmax * sizeof *h), *z = malloc(wmax * sizeof *z);
    double total = 0;
    for (size_t r = 0; r < B * M; r++) {
        size_t ex = r % B, width = c->n_in;
        for (size_t j = 0; j < width; j++) h[j] = x[ex * c->n_in + j];
        for (size_t l = 0; l < net->n_layers; l++) {
            /* inject at site l (the input when l = 0) */
            if (noisy && (l > 0 || nz->on_input)) {
                const float *e = noise[l] + r * width;
                for (size_t j = 0; j < width; j++)
                    h[j] = nz->type == TS_NOISE_ADD ? h[j] + s * e[j] : h[j] * (1.0 + s * e[j]);
            }
            if (pert && pert->delta != 0 && pert->site == l && pert->row == r) h[pert->j] += pert->delta;
            size_t rows = net->rows[l];
            for (size_t o = 0; o < rows; o++) {
                double acc = p[net->off_b[l] + o];
                for (size_t j = 0; j < width; j++) acc += p[net->off_w[l] + o * width + j] * h[j];
                z[o] = acc;
            }
            width = rows;
            if (l + 1 < net->n_layers) {
                for (size_t o = 0; o < rows; o++) h[o] = ref_act(c->act, z[o]);
                if (l == 0 && act1)
                    for (size_t o = 0; o < rows; o++) act1[r * rows + o] = h[o];
            }
        }
        if (out_rows)
            for (size_t k = 0; k < c->n_out; k++) out_rows[r * c->n_out + k] = z[k];
        if (c->loss == TS_LOSS_MSE) {
            for (size_t k = 0; k < c->n_out; k++) {
                double d = z[k] - y[ex * c->n_out + k];
                total += 0.5 * d * d;
            }
        } else {
            double mx = z[0];
            for (size_t k = 1; k < c->n_out; k++) mx = z[k] > mx ? z[k] : mx;
            double se = 0;
            for (size_t k = 0; k < c->n_out; k++) se += exp(z[k] - mx);
            total += mx + log(se) - z[label[ex]];
        }
    }
    free(h);
    free(z);
    return total / (double)(B * M);
}

#endif
