/* ts_gni_measure.c: the implicit-effect gradient noise of one step and the
 * forward-pass perturbation (ts_gni.h, MATH.md section 5):
 *     grad E_L = grad L~(B; w, e) - grad E_e[L~(B; w, e)],
 * the second term the mean of M' fresh draws, computed as passes of mc
 * stacked copies (the M-sample objective with M = mc) whose gradients are
 * averaged in double, weighted by their copies. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_gni.h"

static int noisy(const ts_noise_config *nz)
{
    return nz->type != TS_NOISE_NONE && nz->sigma2 > 0;
}

/* h~ = h + sigma z (additive) or h (1 + sigma z) (multiplicative), z the
 * standard normals of the site; h when the site takes no noise. */
static void injected(const float *h, const float *z, const ts_noise_config *nz, size_t n, double *out)
{
    double s = sqrt(nz->sigma2);
    for (size_t j = 0; j < n; j++) {
        double v = h[j];
        if (z && noisy(nz)) v = nz->type == TS_NOISE_ADD ? v + s * z[j] : v * (1 + s * z[j]);
        out[j] = v;
    }
}

ts_status ts_gni_measure(const ts_net *net, ts_net_work *ws, size_t max_rows, const ts_batch *b,
                         const ts_noise_config *nz, size_t M_prime, ts_rng *r, double *noise,
                         double *act_noise, size_t act_rows, ts_err *err)
{
    size_t B = b->n, np = net->n_params, L = net->n_layers, H = net->n_sites - 1;
    if (B == 0 || B > max_rows || M_prime == 0 || act_rows > B)
        return ts_err_set(err, TS_EINVAL, "gradient noise: batch %zu, M' %zu, %zu activation rows for a "
                          "workspace of %zu rows", B, M_prime, act_rows, max_rows);
    float *g1 = malloc(np * sizeof *g1), *gc = malloc(np * sizeof *gc);
    double *gbar = calloc(np, sizeof *gbar);
    ts_status st = g1 && gc && gbar ? TS_OK : ts_err_set(err, TS_ENOMEM, "gradient noise: out of memory");
    double loss;
    /* grad L~(B; w, e), one draw */
    if (!st && noisy(nz)) st = ts_net_noise_draw(net, ws, nz, B, 1, r, err);
    if (!st) st = ts_net_loss_grad(net, ws, b, 1, nz, g1, &loss, err);
    if (!st && act_noise) {
        double *o = act_noise;
        for (size_t i = 1; i <= H; i++) {
            size_t w = net->site_size[i];
            const float *z = noisy(nz) ? ts_net_noise_site(ws, i) : NULL;
            injected(ts_net_activation(ws, i), z, nz, act_rows * w, o);
            o += act_rows * w;
        }
    }
    /* the mean gradient over M' fresh draws; without noise every draw gives g1 */
    if (!st && noisy(nz)) {
        size_t mc = max_rows / B;
        if (mc > M_prime) mc = M_prime;
        for (size_t done = 0; done < M_prime && !st; done += mc) {
            size_t m = M_prime - done < mc ? M_prime - done : mc;
            st = ts_net_noise_draw(net, ws, nz, B, m, r, err);
            if (!st) st = ts_net_loss_grad(net, ws, b, m, nz, gc, &loss, err);
            double wgt = (double)m / (double)M_prime;
            for (size_t j = 0; j < np && !st; j++) gbar[j] += wgt * gc[j];
        }
    } else if (!st) {
        for (size_t j = 0; j < np; j++) gbar[j] = g1[j];
    }
    if (!st) {
        double *o = noise;
        for (size_t l = 0; l < L; l++) {
            size_t nw = net->rows[l] * net->cols[l], off = net->off_w[l];
            for (size_t j = 0; j < nw; j++) o[j] = (double)g1[off + j] - gbar[off + j];
            o += nw;
        }
    }
    /* the clean activations of the same rows */
    if (!st && act_noise && H > 0) {
        ts_batch sub = { act_rows, b->x, b->y, b->label };
        ts_noise_config clean = { TS_NOISE_NONE, 0, 0 };
        st = ts_net_loss_grad(net, ws, &sub, 1, &clean, NULL, &loss, err);
        double *o = act_noise;
        for (size_t i = 1; i <= H && !st; i++) {
            size_t n = act_rows * net->site_size[i];
            const float *h = ts_net_activation(ws, i);
            for (size_t j = 0; j < n; j++) o[j] -= h[j];
            o += n;
        }
    }
    free(g1);
    free(gc);
    free(gbar);
    return st;
}
