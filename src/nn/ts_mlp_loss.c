/* ts_mlp_loss.c: the per-example losses and their gradient at the output.
 *   MSE   0.5 ||out - y||^2 summed over the outputs;
 *   XENT  -log softmax(out)_label, through a max-shifted log-sum-exp in double
 *         so large logits neither overflow nor lose the small probabilities.
 * Row r of the stacked output is example r mod B of the batch. */
#include <math.h>

#include "ts_mlp_internal.h"

double ts_mlp_loss_rows(const ts_mlp *net, const float *out, const ts_batch *b, size_t r0, size_t n,
                        float *dout, float dscale, size_t *correct)
{
    return ts_nn_loss_rows(net->cfg.loss, net->cfg.n_out, out, b, r0, n, dout, dscale, correct);
}

double ts_nn_loss_rows(ts_loss loss, size_t K, const float *out, const ts_batch *b, size_t r0, size_t n,
                       float *dout, float dscale, size_t *correct)
{
    const size_t B = b->n;
    double sum = 0.0;
    size_t right = 0;
    for (size_t r = 0; r < n; r++) {
        const size_t i = (r0 + r) % B;
        const float *o = out + r * K;
        if (loss == TS_LOSS_MSE) {
            const float *y = b->y + i * K;
            for (size_t k = 0; k < K; k++) {
                float d = o[k] - y[k];
                sum += 0.5 * (double)d * (double)d;
                if (dout) dout[r * K + k] = d * dscale;
            }
            continue;
        }
        const size_t lab = (size_t)b->label[i];
        size_t arg = 0;
        for (size_t k = 1; k < K; k++)
            if (o[k] > o[arg]) arg = k;
        right += arg == lab;
        double mx = o[arg], se = 0.0;
        for (size_t k = 0; k < K; k++) se += exp((double)o[k] - mx);
        double lse = mx + log(se);
        sum += lse - (double)o[lab];
        if (dout)
            for (size_t k = 0; k < K; k++)
                dout[r * K + k] = (float)((exp((double)o[k] - lse) - (k == lab ? 1.0 : 0.0)) * dscale);
    }
    if (correct) *correct += right;
    return sum;
}
