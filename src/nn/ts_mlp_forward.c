/* ts_mlp_forward.c: the forward pass over the M B stacked rows.
 *
 * Per layer: one sgemm Z = H W^T over all rows, then one fused pass adding
 * the bias and applying the activation in place, then (if the layer takes
 * noise) one pass writing the injected copy. When the input takes no noise
 * all M copies of layer 1 are identical before their injection, so weight
 * layer 0 runs once on the B rows and its activations are copied: for wide
 * inputs (784 pixels) that GEMM is the largest of the pass. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "ts_mlp_internal.h"

void ts_mlp_forward(const ts_mlp *net, ts_mlp_work *ws, const float *x, size_t B, size_t M,
                    const ts_noise_config *nz)
{
    const size_t R = B * M, n_in = net->cfg.n_in, L = net->n_layers;
    const int noisy = ts_mlp_noise_active(nz);
    const float s = noisy ? (float)sqrt(nz->sigma2) : 0.0f;
    ws->pass_B = B;
    ws->pass_M = M;
    ws->pass_noisy = noisy;
    ws->pass_s = s;
    ws->pass_type = noisy ? nz->type : TS_NOISE_NONE;

    ws->in_shared = !(noisy && nz->on_input);
    if (!ws->in_shared) {
        for (size_t m = 0; m < M; m++)
            ts_mlp_inject(nz->type, s, x, ws->noise[0] + m * B * n_in, ws->in0 + m * B * n_in, B * n_in);
        ws->hin[0] = ws->in0;
    } else {
        ws->hin[0] = x;
    }

    for (size_t l = 0; l < L; l++) {
        const size_t rows = net->rows[l], cols = net->cols[l];
        const int hidden = l + 1 < L;
        float *z = hidden ? ws->act[l + 1] : ws->out;
        const size_t Rl = (l == 0 && ws->in_shared) ? B : R;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)Rl, (int)rows, (int)cols, 1.0f,
                    ws->hin[l], (int)cols, net->w + net->off_w[l], (int)cols, 0.0f, z, (int)rows);
        const float *bias = net->w + net->off_b[l];
        if (!hidden) {
            ts_mlp_bias(z, bias, Rl, rows);
            if (Rl < R)   /* a net without hidden layers and no input noise */
                for (size_t m = 1; m < M; m++) memcpy(z + m * B * rows, z, B * rows * sizeof *z);
            break;
        }
        ts_mlp_bias_act(net->cfg.act, z, bias, Rl, rows);
        if (Rl < R)
            for (size_t m = 1; m < M; m++) memcpy(z + m * B * rows, z, B * rows * sizeof *z);
        if (noisy) {
            ts_mlp_inject(nz->type, s, z, ws->noise[l + 1], ws->inj[l + 1], R * rows);
            ws->hin[l + 1] = ws->inj[l + 1];
        } else {
            ws->hin[l + 1] = z;
        }
    }
}
