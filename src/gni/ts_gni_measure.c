/* ts_gni_measure.c: the gradient noise of one step and the forward-pass
 * perturbation (ts_gni.h, docs/math.md section 4.3). Every source is a gradient
 * minus a mean gradient:
 *     implicit  grad L~(B; w, e) - grad E_e L~(B; w, e)
 *     batch     grad E_e L~(B; w, e) - grad E_e L~(D; w, e)
 *     total     grad L~(B; w, e) - grad E_e L~(D; w, e)     (paper eq. 4.2)
 * E_e is the mean over M' fresh draws, computed as passes of mc stacked
 * copies (the M-sample objective with M = mc) over row chunks of the data,
 * whose gradients are averaged in double, weighted by copies and rows.
 * Without injections E_e is one clean pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ts_gni_internal.h"


/* h~ = h + sigma z (additive) or h (1 + sigma z) (multiplicative), z the
 * standard normals of the site; h when the site takes no noise. */
static void injected(const float *h, const float *z, const ts_noise_config *nz, size_t n, double *out)
{
    double s = sqrt(nz->sigma2);
    for (size_t j = 0; j < n; j++) {
        double v = h[j];
        if (z && ts_gni_noisy(nz)) v = nz->type == TS_NOISE_ADD ? v + s * z[j] : v * (1 + s * z[j]);
        out[j] = v;
    }
}

/* g = the mean over `draws` fresh draws of grad L~(data; w, e) (one clean
 * pass without injections), data in chunks of at most max_rows rows; gc is
 * scratch for one pass's float gradient. */
static ts_status mean_grad(const ts_net *net, ts_net_work *ws, size_t max_rows, const ts_batch *data,
                           const ts_noise_config *nz, size_t draws, ts_rng *r, float *gc, double *g, ts_err *err)
{
    size_t n = data->n, np = net->n_params, chunk = n < max_rows ? n : max_rows;
    double loss;
    ts_status st = TS_OK;
    if (!ts_gni_noisy(nz)) draws = 1;
    memset(g, 0, np * sizeof *g);
    for (size_t a = 0; a < n && !st; a += chunk) {
        size_t cb = n - a < chunk ? n - a : chunk, mc = max_rows / cb;
        if (mc > draws) mc = draws;
        ts_batch part = ts_gni_rows(net, data, a, cb);
        for (size_t done = 0; done < draws && !st; done += mc) {
            size_t m = draws - done < mc ? draws - done : mc;
            if (ts_gni_noisy(nz)) st = ts_net_noise_draw(net, ws, nz, cb, m, r, err);
            if (!st) st = ts_net_loss_grad(net, ws, &part, m, nz, gc, &loss, err);
            double wgt = ((double)m / (double)draws) * ((double)cb / (double)n);
            for (size_t j = 0; j < np && !st; j++) g[j] += wgt * gc[j];
        }
    }
    return st;
}

/* The forward-pass perturbation of the first act_rows rows: the noisy
 * activations of the pass just run (one draw on B), then minus the clean
 * ones of a clean pass over the same rows. */
static ts_status act_perturbation(const ts_net *net, ts_net_work *ws, const ts_batch *b, const ts_noise_config *nz,
                                  double *act_noise, size_t act_rows, ts_err *err)
{
    size_t H = net->n_sites - 1;   /* hidden injection sites */
    double *o = act_noise, loss;
    for (size_t i = 1; i <= H; i++) {
        size_t w = net->site_size[i];
        const float *z = ts_gni_noisy(nz) ? ts_net_noise_site(ws, i) : NULL;
        injected(ts_net_activation(ws, i), z, nz, act_rows * w, o);
        o += act_rows * w;
    }
    if (H == 0) return TS_OK;
    ts_batch sub = ts_gni_rows(net, b, 0, act_rows);
    ts_noise_config clean = { TS_NOISE_NONE, 0, 0 };
    ts_status st = ts_net_loss_grad(net, ws, &sub, 1, &clean, NULL, &loss, err);
    o = act_noise;
    for (size_t i = 1; i <= H && !st; i++) {
        size_t n = act_rows * net->site_size[i];
        const float *h = ts_net_activation(ws, i);
        for (size_t j = 0; j < n; j++) o[j] -= h[j];
        o += n;
    }
    return st;
}

ts_status ts_gni_measure_source(const ts_net *net, ts_net_work *ws, size_t max_rows, ts_gni_source source,
                                const ts_batch *b, const ts_batch *all, const ts_noise_config *nz, size_t M_prime,
                                ts_rng *r, double *noise, double *act_noise, size_t act_rows, ts_err *err)
{
    size_t B = b->n, np = net->n_params, L = net->n_layers;
    if (B == 0 || B > max_rows || M_prime == 0 || act_rows > B)
        return ts_err_set(err, TS_EINVAL, "gradient noise: batch %zu, M' %zu, %zu activation rows for a "
                          "workspace of %zu rows", B, M_prime, act_rows, max_rows);
    if (source != TS_GNI_SOURCE_IMPLICIT && (!all || all->n == 0))
        return ts_err_set(err, TS_EINVAL, "gradient noise: the %s noise needs the whole training set",
                          ts_gni_source_names[source]);
    float *g1 = malloc(np * sizeof *g1), *gc = malloc(np * sizeof *gc);
    double *gbar = malloc(np * sizeof *gbar), *gb = malloc(np * sizeof *gb);
    ts_status st = g1 && gc && gbar && gb ? TS_OK : ts_err_set(err, TS_ENOMEM, "gradient noise: out of memory");
    double loss;
    /* grad L~(B; w, e), one draw (and the forward pass the perturbation reads) */
    int one_draw = (noise && source != TS_GNI_SOURCE_BATCH) || act_noise;
    if (!st && one_draw && ts_gni_noisy(nz)) st = ts_net_noise_draw(net, ws, nz, B, 1, r, err);
    if (!st && one_draw) st = ts_net_loss_grad(net, ws, b, 1, nz, g1, &loss, err);
    if (!st && act_noise) st = act_perturbation(net, ws, b, nz, act_noise, act_rows, err);
    /* the gradient and the mean it is measured against, in double */
    if (!st && !noise) {
        /* the activation perturbation alone */
    } else if (!st && source == TS_GNI_SOURCE_IMPLICIT) {
        /* without noise every draw gives g1: the noise is exactly 0 */
        if (ts_gni_noisy(nz)) st = mean_grad(net, ws, max_rows, b, nz, M_prime, r, gc, gbar, err);
        else for (size_t j = 0; j < np; j++) gbar[j] = g1[j];
        for (size_t j = 0; j < np; j++) gb[j] = g1[j];
    } else if (!st) {
        st = mean_grad(net, ws, max_rows, all, nz, M_prime, r, gc, gbar, err);
        if (!st && source == TS_GNI_SOURCE_BATCH) st = mean_grad(net, ws, max_rows, b, nz, M_prime, r, gc, gb, err);
        else for (size_t j = 0; j < np; j++) gb[j] = g1[j];
    }
    if (!st && noise) {
        double *o = noise;
        for (size_t l = 0; l < L; l++) {
            size_t nw = net->rows[l] * net->cols[l], off = net->off_w[l];
            for (size_t j = 0; j < nw; j++) o[j] = gb[off + j] - gbar[off + j];
            o += nw;
        }
    }
    free(g1);
    free(gc);
    free(gbar);
    free(gb);
    return st;
}

ts_status ts_gni_measure(const ts_net *net, ts_net_work *ws, size_t max_rows, const ts_batch *b,
                         const ts_noise_config *nz, size_t M_prime, ts_rng *r, double *noise,
                         double *act_noise, size_t act_rows, ts_err *err)
{
    return ts_gni_measure_source(net, ws, max_rows, TS_GNI_SOURCE_IMPLICIT, b, NULL, nz, M_prime, r, noise,
                                 act_noise, act_rows, err);
}
