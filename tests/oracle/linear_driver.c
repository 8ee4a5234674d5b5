/* linear_driver.c: the linear kind's data, min-norm solution, clipped
 * gradient and a short run, written as text for tests/oracle/linear_numpy.py.
 *
 *   linear_driver OUTDIR MODEL N D K SPECTRUM CLIP SEED [DECAY]
 *
 * MODEL ls|dln, SPECTRUM iso|cond|power (kappa 100, decay DECAY, default 1). Writes
 * X, y, Xt, yt, wstar, lambda, wmn (pinv(X) y), theta (a random point),
 * rows (the batch: the first min(n, 7) rows), grad (the clipped mean
 * gradient there), beta (after 300 GD steps, eta 0.02) and final
 * (train loss, test loss, ||beta - w*||, ||beta||_1 at that beta). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_linear.h"
#include "tailsweep/ts_rng.h"

static int put(const char *dir, const char *name, const double *x, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    for (size_t i = 0; i < n; i++) fprintf(f, "%.17g\n", x[i]);
    return fclose(f) != 0;
}

static int choice(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 9 && argc != 10) {
        fprintf(stderr, "usage: linear_driver OUTDIR MODEL N D K SPECTRUM CLIP SEED [DECAY]\n");
        return 2;
    }
    const char *dir = argv[1];
    int model = choice(ts_linear_model_names, argv[2]), spec = choice(ts_linear_spectrum_names, argv[6]);
    if (model < 0 || spec < 0) return 2;
    ts_linear_data_config dc = { .n = strtoul(argv[3], NULL, 10), .n_test = 300, .d = strtoul(argv[4], NULL, 10),
                                 .k = strtoul(argv[5], NULL, 10), .spectrum = (ts_linear_spectrum)spec,
                                 .kappa = 100, .decay = argc == 10 ? atof(argv[9]) : 1, .teacher_scale = 1.5, .label_noise = 0.2 };
    double clip = atof(argv[7]);
    uint64_t seed = strtoull(argv[8], NULL, 10);
    ts_err err = { 0 };
    ts_linear_data *D;
    if (ts_linear_data_alloc(&dc, seed, 0, 0, &D, &err)) {
        fprintf(stderr, "linear_driver: %s\n", err.msg);
        return 1;
    }
    size_t n = dc.n, d = dc.d, P = ts_linear_n_params((ts_linear_model)model, d), rows = n < 7 ? n : 7;
    double *wmn = malloc(d * sizeof *wmn), *theta = malloc(P * sizeof *theta), *beta = malloc(d * sizeof *beta),
           *grad = malloc(P * sizeof *grad), *r = malloc(n * sizeof *r), *gb = malloc(d * sizeof *gb);
    int rc = ts_linear_min_norm(D, wmn, &err) != TS_OK;
    ts_rng rng;
    ts_rng_init(&rng, seed, 0, 0, TS_PURPOSE_TEST, NULL);
    ts_rng_normal_block(&rng, P, theta);
    ts_linear_beta((ts_linear_model)model, d, theta, beta);
    ts_linear_grad((ts_linear_model)model, D->X, D->y, rows, d, theta, beta, clip, r, gb, grad);
    ts_linear_opt_config oc = { .model = (ts_linear_model)model, .a0 = 0.3, .opt = TS_LINEAR_GD, .B = 1,
                                .eta = 0.02, .k0 = 1, .steps = 300, .log_every = 300, .burnin = 0, .thin = 1,
                                .bound = 1e8 };
    ts_linear_trace tr;
    if (!rc) rc = ts_linear_run(D, &oc, seed, 0, 0, NULL, NULL, &tr, &err) != TS_OK;
    if (rc) {
        fprintf(stderr, "linear_driver: %s\n", err.msg);
    } else {
        double fin[4] = { tr.train_loss[1], tr.test_loss[1], tr.beta_err[1], tr.beta_l1[1] };
        double rowsd = (double)rows;
        rc = put(dir, "X", D->X, n * d) || put(dir, "y", D->y, n) || put(dir, "Xt", D->Xt, dc.n_test * d)
          || put(dir, "yt", D->yt, dc.n_test) || put(dir, "wstar", D->w_star, d) || put(dir, "lambda", D->lambda, d)
          || put(dir, "wmn", wmn, d) || put(dir, "theta", theta, P) || put(dir, "rows", &rowsd, 1)
          || put(dir, "grad", grad, P) || put(dir, "beta", tr.beta, d) || put(dir, "final", fin, 4);
        ts_linear_trace_free(&tr);
    }
    ts_linear_data_free(D);
    free(wmn), free(theta), free(beta), free(grad), free(r), free(gb);
    return rc;
}
