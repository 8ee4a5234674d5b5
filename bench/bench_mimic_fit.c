/* bench_mimic_fit.c: the stable MLE of the mimic experiment (paper figure 4)
 * by every route of ts_fit_ctx.h, on the real gradient noise of a mimic run,
 * against the cold MLE, for bench/mimic_cost.py and docs/gni.md.
 *
 *   bench_mimic_fit STEPS [N_TRAIN M M_PRIME SUBSAMPLE]
 *
 * The run (the gni kind's defaults otherwise): the toy signal, 2 hidden ELU
 * layers of 48, additive noise sigma2 = 0.1 on the input and hidden layers,
 * the M-sample objective with M = 16 on the full batch of N_TRAIN = 1000
 * points, lr 0.01. Every step measures each weight layer's M = 1
 * implicit-effect gradient noise (ts_gni_measure, M' = 16 fresh draws),
 * fits it with the cold MLE (ts_fit_mle on at most 1000 values, as mle_max)
 * and with each route carried across steps (its own context: warm, table,
 * table on a fixed subsample of SUBSAMPLE = 250), then adds to each layer's
 * gradient a draw of the cold fit's law, unclipped (the paper's mimic), and
 * steps. Prints the ms per step of training and of the measurement, and per
 * route: ms per fit (all; after each layer's first, which is cold), the fits'
 * ms per step, how many fits were cold (first or fallback), the density
 * tables the route built, the
 * log-likelihood the route's fit loses against the cold fit on the same
 * values (nats over the sample, mean and largest; negative: the route found
 * a higher likelihood), and on the middle layer (2304 weights, fitted on
 * 1000, where the law is well determined) the mean and largest |difference|
 * in alpha, beta and log scale; one line per route, "key=value" fields. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "tailsweep/ts_data.h"
#include "tailsweep/ts_fit_ctx.h"
#include "tailsweep/ts_gni.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_fast.h"

enum { N_ROUTES = 4, MLE_MAX = 1000, MAX_LAYERS = 8 };

typedef struct {
    const char *name;
    ts_fit_route route;
    size_t subsample;
    double secs, secs_first;       /* all fits; each layer's first (cold) fit */
    double da_sum, da_max, db_sum, db_max, ds_sum, ds_max, dl_sum, dl_max;
    size_t n, n_mid;
} route_acc;

static int die(const char *what, const ts_err *err)
{
    fprintf(stderr, "bench_mimic_fit: %s: %s\n", what, err->msg);
    return 1;
}

/* log-likelihood of the sample under a fitted law (S0), in nats */
static double loglik(const ts_stable_fit *f, const double *x, size_t n)
{
    ts_err e = { 0 };
    ts_stable_fast *d = ts_stable_fast_alloc(f->alpha, f->beta, TS_S0, &e);
    if (!d) return NAN;
    double v = ts_stable_fast_loglik(d, n, x, f->scale, f->loc);
    ts_stable_fast_free(d);
    return v;
}

/* The route's fit against the cold one on the same values: the
 * log-likelihood it loses (nats over the sample: the invariant measure, as
 * beta means nothing once alpha is ~2), and, on the well-determined middle
 * layer, the parameters themselves. */
static void acc_add(route_acc *r, const ts_stable_fit *f, const ts_stable_fit *ref, const double *x, size_t n,
                    int mid)
{
    double dl = loglik(ref, x, n) - loglik(f, x, n);
    r->dl_sum += dl;
    r->dl_max = fmax(r->dl_max, dl);
    r->n++;
    if (!mid) return;
    double da = fabs(f->alpha - ref->alpha), db = fabs(f->beta - ref->beta), ds = fabs(log(f->scale / ref->scale));
    r->da_sum += da;
    r->db_sum += db;
    r->ds_sum += ds;
    r->da_max = fmax(r->da_max, da);
    r->db_max = fmax(r->db_max, db);
    r->ds_max = fmax(r->ds_max, ds);
    r->n_mid++;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 6) {
        fprintf(stderr, "usage: bench_mimic_fit STEPS [N_TRAIN M M_PRIME SUBSAMPLE]\n");
        return 2;
    }
    int steps = atoi(argv[1]);
    size_t n_train = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000, M = argc > 2 ? strtoul(argv[3], NULL, 10) : 16;
    size_t Mp = argc > 2 ? strtoul(argv[4], NULL, 10) : 16, subs = argc > 2 ? strtoul(argv[5], NULL, 10) : 250;
    if (steps < 2 || n_train < 1 || M < 1 || Mp < 2 || subs < 20) {
        fprintf(stderr, "bench_mimic_fit: STEPS >= 2, N_TRAIN, M >= 1, M_PRIME >= 2, SUBSAMPLE >= 20\n");
        return 2;
    }
    ts_err err = { 0 };
    ts_dataset *d = NULL;
    if (ts_data_toy(n_train, 2021, 0, 0, 0, &d, &err)) return die("data", &err);
    ts_net_config nc = { .arch = TS_ARCH_MLP,
                         .mlp = { .n_in = 1, .n_out = 1, .n_hidden = 2, .width = { 48, 48 }, .act = TS_ACT_ELU,
                                  .loss = TS_LOSS_MSE, .init = TS_INIT_HE } };
    ts_noise_config nz = { TS_NOISE_ADD, 0.1, 1 };
    ts_net *net;
    ts_net_work *ws;
    size_t max_rows = (M > Mp ? M : Mp) * n_train;
    if (ts_net_alloc(&nc, &net, &err) || ts_net_work_alloc(net, max_rows, &ws, &err)) return die("network", &err);
    ts_rng ri, rt, rm, rd;
    ts_rng_init(&ri, 2021, 0, 0, TS_PURPOSE_INIT, &err);
    ts_rng_init(&rt, 2021, 0, 0, TS_PURPOSE_NOISE, &err);
    ts_rng_init(&rm, 2021, 1, 0, TS_PURPOSE_NOISE, &err);
    ts_rng_init(&rd, 2021, 2, 0, TS_PURPOSE_NOISE, &err);
    ts_net_init(net, &ri);
    const size_t L = net->n_layers;
    size_t nw = 0;
    for (size_t l = 0; l < L; l++) nw += net->rows[l] * net->cols[l];
    double *noise = malloc(nw * sizeof *noise), *draw = malloc(nw * sizeof *draw);
    double *sub = malloc(MLE_MAX * sizeof *sub);
    float *g = malloc(net->n_params * sizeof *g);
    ts_batch b = { d->n, d->x, d->y, NULL };
    route_acc R[N_ROUTES] = { { .name = "cold", .route = TS_FIT_ROUTE_COLD },
                              { .name = "warm", .route = TS_FIT_ROUTE_WARM },
                              { .name = "table", .route = TS_FIT_ROUTE_TABLE },
                              { .name = "table_sub", .route = TS_FIT_ROUTE_TABLE, .subsample = subs } };
    ts_fit_ctx *ctx[N_ROUTES][MAX_LAYERS] = { { 0 } };
    for (int k = 1; k < N_ROUTES; k++)
        for (size_t l = 0; l < L; l++)
            if (ts_fit_ctx_alloc(R[k].route, R[k].subsample ? R[k].subsample : MLE_MAX, &ctx[k][l], &err))
                return die("context", &err);
    double t_train = 0, t_meas = 0;
    for (int s = 0; s < steps; s++) {
        double t0 = bench_now();
        if (ts_gni_measure(net, ws, max_rows, &b, &nz, Mp, &rm, noise, NULL, 0, &err)) return die("measure", &err);
        t_meas += bench_now() - t0;
        size_t off = 0;
        for (size_t l = 0; l < L; l++) {
            size_t n = net->rows[l] * net->cols[l], m = n < MLE_MAX ? n : MLE_MAX;
            for (size_t i = 0; i < m; i++) sub[i] = noise[off + (size_t)((double)i * (double)n / (double)m)];
            ts_stable_fit ref, f;
            double c0 = bench_now();
            ts_status st = ts_fit_mle(sub, m, TS_S0, 0, &ref, NULL, &err);
            double dt = bench_now() - c0;
            R[0].secs += dt;
            if (s == 0) R[0].secs_first += dt;
            int ok = !st || st == TS_ERANGE;
            for (int k = 1; k < N_ROUTES && ok; k++) {
                c0 = bench_now();
                ts_status sk = ts_fit_ctx_fit(ctx[k][l], noise + off, n, &f, &err);
                dt = bench_now() - c0;
                R[k].secs += dt;
                if (s == 0) R[k].secs_first += dt;
                if (!sk || sk == TS_ERANGE) acc_add(&R[k], &f, &ref, sub, m, n > MLE_MAX);
            }
            /* the mimic: a draw of the cold fit's law for every weight, unclipped */
            if (ok) {
                ts_stable law;
                if (ts_stable_init(&law, ref.alpha, ref.beta, ref.scale, ref.loc, TS_S0, &err)) return die("law", &err);
                ts_stable_fill(&law, &rd, n, draw + off);
            } else {
                memset(draw + off, 0, n * sizeof *draw);
            }
            off += n;
        }
        t0 = bench_now();
        if (ts_net_noise_draw(net, ws, &nz, b.n, M, &rt, &err) || ts_net_loss_grad(net, ws, &b, M, &nz, g, NULL, &err))
            return die("step", &err);
        off = 0;
        for (size_t l = 0; l < L; l++)
            for (size_t i = 0; i < net->rows[l] * net->cols[l]; i++, off++)
                g[net->off_w[l] + i] = (float)(g[net->off_w[l] + i] + draw[off]);
        ts_net_sgd_step(net, g, 0.01f);
        t_train += bench_now() - t0;
    }
    printf("steps=%d train_ms_per_step=%.4g measure_ms_per_step=%.4g\n", steps, 1e3 * t_train / steps,
           1e3 * t_meas / steps);
    const double later = (double)(steps - 1);
    for (int k = 0; k < N_ROUTES; k++) {
        size_t cold = (size_t)steps * L, tables = 0;
        if (k > 0) {
            ts_fit_ctx_counts cnt;
            cold = 0;
            for (size_t l = 0; l < L; l++) {
                ts_fit_ctx_get_counts(ctx[k][l], &cnt);
                cold += cnt.cold_fits;
                tables += cnt.tables_built;
            }
        }
        double n = R[k].n ? (double)R[k].n : 1, nm = R[k].n_mid ? (double)R[k].n_mid : 1;
        printf("route=%s subsample=%zu ms_per_fit=%.4g ms_per_later_fit=%.4g ms_fits_per_step=%.4g cold_fits=%zu tables=%zu "
               "dloglik_mean=%.3g dloglik_max=%.3g mid_alpha_mean=%.3g mid_alpha_max=%.3g mid_beta_mean=%.3g "
               "mid_beta_max=%.3g mid_logscale_mean=%.3g mid_logscale_max=%.3g\n",
               R[k].name, R[k].subsample ? R[k].subsample : (size_t)MLE_MAX, 1e3 * R[k].secs / ((double)steps * L),
               1e3 * (R[k].secs - R[k].secs_first) / (later * L), 1e3 * (R[k].secs - R[k].secs_first) / later, cold, tables,
               R[k].dl_sum / n, R[k].dl_max, R[k].da_sum / nm, R[k].da_max, R[k].db_sum / nm, R[k].db_max,
               R[k].ds_sum / nm, R[k].ds_max);
    }
    for (int k = 1; k < N_ROUTES; k++)
        for (size_t l = 0; l < L; l++) ts_fit_ctx_free(ctx[k][l]);
    free(noise);
    free(draw);
    free(sub);
    free(g);
    ts_net_work_free(ws);
    ts_net_free(net);
    ts_dataset_free(d);
    return 0;
}
