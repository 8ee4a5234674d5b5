/* ts_kind_linear.c: SGD on linear models as a sweep kind: its
 * parameters, its result arrays, and one task = data, one optimiser run,
 * the min-norm solution and the tail indices. The same table drives
 * `tailsweep linear` flags and job-file keys. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_linear.h"

#define INF HUGE_VAL
#define BIG 1e15   /* step counts: exact in a double */

static const ts_param_spec linear_params[] = {
    { "model", TS_PARAM_CHOICE, 0, 0, 0, "ls", ts_linear_model_names, "", "ls: least squares beta = w; dln: diagonal linear network beta = u*u - v*v", 0 },
    { "n", TS_PARAM_INT, 1, 1e7, 0, "100", NULL, "", "training examples", 0 },
    { "d", TS_PARAM_INT, 1, 1e6, 0, "200", NULL, "", "dimension (d > n: over-parameterised)", 0 },
    { "n_test", TS_PARAM_INT, 1, 1e7, 0, "1000", NULL, "", "test examples (noiseless labels)", 0 },
    { "k", TS_PARAM_INT, 0, 1e6, 0, "0", NULL, "", "teacher nonzeros (+-teacher_scale/sqrt(k)); 0: dense Gaussian teacher", 0 },
    { "spectrum", TS_PARAM_CHOICE, 0, 0, 0, "iso", ts_linear_spectrum_names, "", "covariance of x: iso I, cond (geometric 1 .. 1/kappa), power (j^-decay)", 0 },
    { "kappa", TS_PARAM_REAL, 1, INF, 0, "10", NULL, "", "condition number for spectrum cond", 0 },
    { "decay", TS_PARAM_REAL, 0, INF, 0, "1", NULL, "", "power-law exponent for spectrum power", 0 },
    { "teacher_scale", TS_PARAM_REAL, 0, INF, 0, "1", NULL, "", "||w*||_2 (in expectation for the dense teacher)", 0 },
    { "label_noise", TS_PARAM_REAL, 0, INF, 0, "0.1", NULL, "", "std of the Gaussian noise on the training labels", 0 },
    { "shared_data", TS_PARAM_INT, 0, 1, 0, "1", NULL, "", "1: data depend on the replicate only (the same X, y at every grid point); 0: on the point too", 0 },
    { "a0", TS_PARAM_REAL, 0, INF, 1, "0.1", NULL, "", "dln initialisation u0 = v0 = a0", 0 },
    { "optimizer", TS_PARAM_CHOICE, 0, 0, 0, "sgd", ts_linear_optimizer_names, "", "gd (full batch), sgd (with replacement), sgd_noreplace (reshuffled epochs)", 0 },
    { "B", TS_PARAM_INT, 1, 1e7, 0, "10", NULL, "", "batch size (sgd, sgd_noreplace), at most n", 0 },
    { "eta", TS_PARAM_REAL, 0, INF, 1, "0.01", NULL, "", "step size eta0", 0 },
    { "gamma", TS_PARAM_REAL, 0, 10, 0, "0", NULL, "", "schedule eta_k = eta0 / (1 + k/k0)^gamma; 0: constant", 0 },
    { "k0", TS_PARAM_REAL, 0, INF, 1, "1000", NULL, "steps", "schedule time scale", 0 },
    { "sigma", TS_PARAM_REAL, 0, INF, 0, "0", NULL, "", "Noisy-SGD: sigma N(0, I) added to the mini-batch gradient", 0 },
    { "shared_noise", TS_PARAM_INT, 0, 1, 0, "0", NULL, "", "1: the added noise xi_k depends on the replicate only (paired comparisons across grid points); 0: on the point too", 0 },
    { "clip", TS_PARAM_REAL, 0, INF, 0, "0", NULL, "", "DP-SGD: per-example gradient clipping norm; 0: none", 0 },
    { "steps", TS_PARAM_INT, 1, BIG, 0, "10000", NULL, "steps", "optimiser steps", TS_PARAM_FIXED },
    { "log_every", TS_PARAM_INT, 1, BIG, 0, "100", NULL, "steps", "curves are logged every log_every steps (and at the last)", TS_PARAM_FIXED },
    { "burnin", TS_PARAM_INT, 0, BIG, 0, "5000", NULL, "steps", "steps before the tail-index window", 0 },
    { "thin", TS_PARAM_INT, 1, BIG, 0, "1", NULL, "steps", "keep every thin-th iterate in the tail window", 0 },
    { "bound", TS_PARAM_REAL, 0, 1e30, 1, "1e8", NULL, "", "|parameter| beyond this counts as diverged", 0 },
};
enum { N_LINEAR_PARAMS = sizeof linear_params / sizeof linear_params[0] };

static void to_data_config(const ts_params *p, ts_linear_data_config *c)
{
    *c = (ts_linear_data_config){
        .n = (size_t)ts_params_get(p, "n"),
        .n_test = (size_t)ts_params_get(p, "n_test"),
        .d = (size_t)ts_params_get(p, "d"),
        .k = (size_t)ts_params_get(p, "k"),
        .spectrum = (ts_linear_spectrum)ts_params_choice(p, "spectrum"),
        .kappa = ts_params_get(p, "kappa"),
        .decay = ts_params_get(p, "decay"),
        .teacher_scale = ts_params_get(p, "teacher_scale"),
        .label_noise = ts_params_get(p, "label_noise"),
    };
}

static void to_opt_config(const ts_params *p, ts_linear_opt_config *c)
{
    *c = (ts_linear_opt_config){
        .model = (ts_linear_model)ts_params_choice(p, "model"),
        .a0 = ts_params_get(p, "a0"),
        .opt = (ts_linear_optimizer)ts_params_choice(p, "optimizer"),
        .B = (size_t)ts_params_get(p, "B"),
        .eta = ts_params_get(p, "eta"),
        .gamma = ts_params_get(p, "gamma"),
        .k0 = ts_params_get(p, "k0"),
        .sigma = ts_params_get(p, "sigma"),
        .clip = ts_params_get(p, "clip"),
        .shared_noise = ts_params_get(p, "shared_noise") != 0,
        .steps = (uint64_t)ts_params_get(p, "steps"),
        .log_every = (uint64_t)ts_params_get(p, "log_every"),
        .burnin = (uint64_t)ts_params_get(p, "burnin"),
        .thin = (uint64_t)ts_params_get(p, "thin"),
        .bound = ts_params_get(p, "bound"),
    };
}

static ts_status linear_validate(const ts_params *p, ts_err *err)
{
    ts_linear_data_config dc;
    ts_linear_opt_config oc;
    to_data_config(p, &dc);
    to_opt_config(p, &oc);
    ts_status st = ts_linear_data_config_check(&dc, err);
    return st ? st : ts_linear_opt_config_check(&oc, dc.n, dc.d, err);
}

/* A curve over the logged steps (len > 0) or a scalar (len = 0). */
static void add(ts_result_layout *l, const char *name, const char *unit, const char *doc, size_t len)
{
    ts_result_layout_add(l, name, unit, doc, len ? 1 : 0, len, "step", 0, NULL);
}

/* Result order; run() fills them by these indices. */
enum { R_TRAIN, R_TEST, R_ERR, R_L1, R_FTRAIN, R_FTEST, R_FERR, R_FL1, R_DMN, R_TBS, R_THILL, R_HILLK,
       R_CLIP, R_DIV, R_DIVAT, R_COUNT };

static ts_status linear_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    uint64_t steps = (uint64_t)ts_params_get(p, "steps"), every = (uint64_t)ts_params_get(p, "log_every");
    if (every > steps)
        return ts_err_set(err, TS_EINVAL, "log_every = %llu must be in [1, steps = %llu]",
                          (unsigned long long)every, (unsigned long long)steps);
    size_t nl = ts_linear_n_log(steps, every);
    add(l, "train_loss", "", "||X beta - y||^2/(2n) on the training set; NaN after a divergence", nl);
    add(l, "test_loss", "", "||Xt (beta - w*)||^2/(2 n_test): noiseless test labels, the excess risk; NaN after a divergence", nl);
    add(l, "beta_err", "", "||beta - w*||_2; NaN after a divergence", nl);
    add(l, "beta_l1", "", "||beta||_1; NaN after a divergence", nl);
    add(l, "final_train_loss", "", "train loss of the last (finite) iterate", 0);
    add(l, "final_test_loss", "", "test loss of the last (finite) iterate", 0);
    add(l, "final_beta_err", "", "||beta - w*||_2 of the last (finite) iterate", 0);
    add(l, "final_beta_l1", "", "||beta||_1 of the last (finite) iterate", 0);
    add(l, "dist_min_norm", "", "||beta - pinv(X) y||_2: to the min-norm interpolator (d > n) or the LS solution (d <= n)", 0);
    add(l, "tail_index_blocksum", "", "block-sum tail index of the window's centred, pooled, shuffled iterates (<= 2); NaN: not estimable", 0);
    add(l, "tail_index_hill", "", "Hill tail index of the window's centred, pooled iterates; NaN: not estimable", 0);
    add(l, "hill_k", "", "order statistics Hill used; 0 when not estimable", 0);
    add(l, "clipped_frac", "", "share of per-example gradients clipped", 0);
    add(l, "diverged", "", "1 if the blow-up detector fired", 0);
    add(l, "diverged_at", "steps", "step at which the iterate left the bound; NaN if never", 0);
    for (size_t i = 0; i < 4; i++) {      /* the curves carry their step numbers */
        l->r[i].coords[0] = malloc(nl * sizeof(double));
        if (!l->r[i].coords[0]) {
            return ts_err_set(err, TS_ENOMEM, "linear: out of memory");
        }
        for (size_t j = 0; j < nl; j++) l->r[i].coords[0][j] = (double)ts_linear_log_step(steps, every, j);
    }
    return TS_OK;
}

static ts_status final_values(const ts_linear_data *D, const double *beta, double *wmn, double *const *out,
                              ts_err *err)
{
    size_t d = D->d, rmax = D->n > D->n_test ? D->n : D->n_test;
    double *r = malloc(rmax * sizeof *r), *diff = malloc(d * sizeof *diff);
    if (r && diff) {
        out[R_FTRAIN][0] = ts_linear_loss(D->X, D->y, D->n, d, beta, r);
        out[R_FTEST][0] = ts_linear_loss(D->Xt, D->yt, D->n_test, d, beta, r);
        for (size_t j = 0; j < d; j++) diff[j] = beta[j] - D->w_star[j];
        out[R_FERR][0] = cblas_dnrm2((int)d, diff, 1);
        out[R_FL1][0] = cblas_dasum((int)d, beta, 1);
        for (size_t j = 0; j < d; j++) wmn[j] = beta[j] - wmn[j];
        out[R_DMN][0] = cblas_dnrm2((int)d, wmn, 1);
    }
    int ok = r && diff;
    free(r);
    free(diff);
    return ok ? TS_OK : ts_err_set(err, TS_ENOMEM, "linear: out of memory for the final losses");
}

static ts_status linear_run_task(const ts_task *t, const ts_result_layout *l, double *const *out,
                                 ts_task_status *status, ts_err *err)
{
    (void)l;
    /* Ranks are the parallelism: OpenBLAS threads would only fight over the
     * cores (and these matrices are too small to gain from them). */
    openblas_set_num_threads(1);
    const ts_params *p = &t->params;
    ts_linear_data_config dc;
    ts_linear_opt_config oc;
    to_data_config(p, &dc);
    to_opt_config(p, &oc);
    uint64_t data_task = ts_params_get(p, "shared_data") != 0 ? 0 : t->point;
    ts_linear_data *D = NULL;
    ts_linear_trace tr;
    memset(&tr, 0, sizeof tr);
    double *wmn = malloc(dc.d * sizeof *wmn);
    if (!wmn) return ts_err_set(err, TS_ENOMEM, "linear: out of memory (d = %zu)", dc.d);
    ts_status st = ts_linear_data_alloc(&dc, t->seed, data_task, t->replicate, &D, err);
    if (!st) st = ts_linear_min_norm(D, wmn, err);
    if (!st) st = ts_linear_run_ckpt(D, &oc, t->seed, t->point, t->replicate, t->poll, t->poll_ctx, t->ckpt, &tr, err);
    if (!st) {
        memcpy(out[R_TRAIN], tr.train_loss, tr.n_log * sizeof(double));
        memcpy(out[R_TEST], tr.test_loss, tr.n_log * sizeof(double));
        memcpy(out[R_ERR], tr.beta_err, tr.n_log * sizeof(double));
        memcpy(out[R_L1], tr.beta_l1, tr.n_log * sizeof(double));
        st = final_values(D, tr.beta, wmn, out, err);
    }
    if (!st) {
        double abs_ = NAN, ahill = NAN;
        size_t k = 0;
        ts_err terr = { 0 };
        /* A window too short (diverged early) or degenerate (GD at rest) has
         * no tail index: a missing value (NaN), not an error. */
        if (ts_linear_tail_index(&tr, t->seed, t->point, t->replicate, &abs_, &ahill, &k, &terr)) {
            abs_ = ahill = NAN;
            k = 0;
        }
        out[R_TBS][0] = abs_;
        out[R_THILL][0] = ahill;
        out[R_HILLK][0] = (double)k;
        double seen = (double)(tr.diverged ? (uint64_t)tr.diverged_at : oc.steps)
                    * (double)(oc.opt == TS_LINEAR_GD ? dc.n : oc.B);
        out[R_CLIP][0] = (double)tr.clipped / seen;
        out[R_DIV][0] = tr.diverged;
        out[R_DIVAT][0] = tr.diverged ? (double)tr.diverged_at : NAN;   /* never: missing */
        *status = tr.diverged ? TS_TASK_DIVERGED : TS_TASK_DONE;
    }
    ts_linear_trace_free(&tr);
    ts_linear_data_free(D);
    free(wmn);
    return st;
}

/* Rough times measured with `tailsweep linear --print` on the machine in
 * docs/benchmarks.md: ~0.8 us a step of fixed overhead (stream draws, BLAS
 * calls on tiny operands), ~1 ns a multiply-add in the batch gradient (two
 * passes over the batch rows), the logged losses one pass over train and
 * test sets, ~1 us a window value for the two tail estimators (sorts), the
 * min-norm solve (LAPACK's SVD) ~0.4 ns x min(n,d)^2 max(n,d). */
static double linear_cost(const ts_params *p)
{
    double n = ts_params_get(p, "n"), d = ts_params_get(p, "d"), nt = ts_params_get(p, "n_test");
    double steps = ts_params_get(p, "steps"), every = ts_params_get(p, "log_every");
    double rows = ts_params_choice(p, "optimizer") == TS_LINEAR_GD ? n : ts_params_get(p, "B");
    double window = (steps - ts_params_get(p, "burnin")) / ts_params_get(p, "thin") * d;
    double lo = n < d ? n : d, hi = n < d ? d : n;
    return steps * (0.8e-6 + (3 * rows * d + 4 * d) * 1e-9) + (steps / every + 1) * (n + nt) * d * 1e-9
         + 1e-6 * window + 0.4e-9 * lo * lo * hi;
}

const ts_kind ts_kind_linear = {
    .name = "linear",
    .summary = "SGD, Noisy-SGD and DP-SGD on least squares and diagonal linear networks: implicit bias and heavy-tailed iterates",
    .params = linear_params,
    .n_params = N_LINEAR_PARAMS,
    .validate = linear_validate,
    .layout = linear_layout,
    .run = linear_run_task,
    .cost = linear_cost,
    .checkpoints = 1,
};
