/* ts_gni_opt.c: the gradient an SGD step of a GNI run takes (ts_gni.h):
 * plain SGD on the objective (the M-sample noisy loss, or L + R without
 * noise), Noisy-SGD, and DP-SGD with per-example clipping (Abadi et al.
 * 2016; the setting of Sander, Sylvestre and Durmus 2024).
 *
 * DP-SGD needs each example's gradient on its own: one pass per example
 * (its M noisy copies stacked), so its cost is B small passes where SGD
 * runs one of B M rows. The per-example sum is accumulated in double. */
#include <math.h>
#include <stdlib.h>

#include "ts_gni_internal.h"

const char *const ts_gni_optimizer_names[] = { "sgd", "noisy_sgd", "dp_sgd", NULL };

/* sum x_j^2 in double with 8 interleaved partial sums combined in a fixed
 * order: it vectorises (one serial sum is ~4 cycles a value, more than the
 * example's whole pass costs) and gives the same bits on every instruction
 * set, whatever its vector width. */
static double sum_squares(const float *x, size_t n)
{
    double acc[8] = { 0 }, s = 0;
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (size_t k = 0; k < 8; k++) acc[k] += (double)x[j + k] * x[j + k];
    for (size_t k = 0; k < 8; k++) s += acc[k];
    for (; j < n; j++) s += (double)x[j] * x[j];
    return s;
}

/* The objective's gradient on b: (1/M) sum_m L~(B; w, e_m) with fresh
 * injections from r_inject (one stacked pass), or L + R(B; w) without noise
 * (objective explicit_reg; *loss is then the clean L). */
static ts_status objective_grad(const ts_gni_config *c, const ts_net *net, ts_net_work *ws, const ts_batch *b,
                                ts_rng *r_inject, float *grad, double *loss, ts_err *err)
{
    if (c->objective == TS_GNI_OBJ_EXPLICIT_REG) return ts_net_reg_loss_grad(net, ws, b, &c->noise, grad, loss, NULL, err);
    ts_status st = ts_gni_noisy(&c->noise) ? ts_net_noise_draw(net, ws, &c->noise, b->n, c->M, r_inject, err) : TS_OK;
    return st ? st : ts_net_loss_grad(net, ws, b, c->M, &c->noise, grad, loss, err);
}

static ts_status dp_grad(const ts_gni_config *c, const ts_net *net, ts_net_work *ws, const ts_batch *b,
                         ts_rng *r_inject, const double *z, float *grad, double *loss, ts_err *err)
{
    size_t np = net->n_params, B = b->n;
    float *gi = malloc(np * sizeof *gi);
    double *sum = calloc(np, sizeof *sum), total = 0, li;
    ts_status st = gi && sum ? TS_OK : ts_err_set(err, TS_ENOMEM, "dp_sgd: out of memory");
    for (size_t i = 0; i < B && !st; i++) {
        ts_batch one = ts_gni_rows(net, b, i, 1);
        if ((st = objective_grad(c, net, ws, &one, r_inject, gi, &li, err))) break;
        double norm = sqrt(sum_squares(gi, np)), f = norm > c->clip_norm ? c->clip_norm / norm : 1;
#pragma omp simd
        for (size_t j = 0; j < np; j++) sum[j] += f * gi[j];
        total += li;
    }
    if (!st) {
        double sd = c->noise_multiplier * c->clip_norm;
        for (size_t j = 0; j < np; j++) grad[j] = (float)((sum[j] + sd * z[j]) / (double)B);
        *loss = total / (double)B;
    }
    free(gi);
    free(sum);
    return st;
}

ts_status ts_gni_opt_grad(const ts_gni_config *c, const ts_net *net, ts_net_work *ws, const ts_batch *b,
                          ts_rng *r_inject, const double *z, float *grad, double *loss, ts_err *err)
{
    if (c->opt != TS_GNI_OPT_SGD && !z)
        return ts_err_set(err, TS_EINVAL, "optimizer %s: no Gaussian draws given", ts_gni_optimizer_names[c->opt]);
    if (c->opt == TS_GNI_OPT_DP_SGD) return dp_grad(c, net, ws, b, r_inject, z, grad, loss, err);
    ts_status st = objective_grad(c, net, ws, b, r_inject, grad, loss, err);
    if (!st && c->opt == TS_GNI_OPT_NOISY_SGD)
        for (size_t j = 0; j < net->n_params; j++) grad[j] = (float)(grad[j] + c->grad_noise_std * z[j]);
    return st;
}
