/* gni_opt_driver.c: steps of the gni kind's optimisers (ts_gni_opt_grad,
 * ts_net_sgd_step), for tests/oracle/gni_opt_torch.py.
 *
 *   gni_opt_driver OPT ACT LOSS B STEPS LR STD CLIP MULT SEED N_IN N_OUT [WIDTH...]
 *
 * OPT sgd|noisy_sgd|dp_sgd, ACT relu|elu|tanh, LOSS mse|xent; STD the
 * Noisy-SGD sd, CLIP and MULT DP-SGD's clip norm and noise multiplier. No
 * injections. Builds the net (He weights, small non-zero biases, from
 * stream SEED), one batch of B examples (x ~ U(-1, 1) scaled by 2, targets
 * or labels), and runs STEPS steps on it, each with its own Gaussian draws
 * z. Prints "name count values..." lines: params (before), x, y or label,
 * then per step k: z<k>, grad<k> (the step's direction), loss<k>; and
 * final (the parameters after the last step). 9 significant digits
 * round-trip float32; z is printed with 17. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_gni.h"

static void put_f(const char *name, const float *v, size_t n)
{
    printf("%s %zu", name, n);
    for (size_t i = 0; i < n; i++) printf(" %.9g", (double)v[i]);
    printf("\n");
}

static int pick(const char *s, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

int main(int argc, char **argv)
{
    static const char *const acts[] = { "relu", "elu", "tanh", NULL }, *const losses[] = { "mse", "xent", NULL };
    if (argc < 13) {
        fprintf(stderr, "usage: gni_opt_driver OPT ACT LOSS B STEPS LR STD CLIP MULT SEED N_IN N_OUT [WIDTH...]\n");
        return 2;
    }
    ts_gni_config c;
    ts_gni_config_default(&c);
    int opt = pick(argv[1], ts_gni_optimizer_names), act = pick(argv[2], acts), loss = pick(argv[3], losses);
    size_t B = strtoul(argv[4], NULL, 10), steps = strtoul(argv[5], NULL, 10);
    if (opt < 0 || act < 0 || loss < 0 || B == 0) {
        fprintf(stderr, "gni_opt_driver: bad arguments\n");
        return 2;
    }
    c.opt = (ts_gni_optimizer)opt;
    float lr = strtof(argv[6], NULL);
    c.grad_noise_std = strtod(argv[7], NULL);
    c.clip_norm = strtod(argv[8], NULL);
    c.noise_multiplier = strtod(argv[9], NULL);
    c.noise = (ts_noise_config){ TS_NOISE_NONE, 0, 0 };
    c.M = 1;
    c.net.act = (ts_activation)act;
    c.net.loss = (ts_loss)loss;
    c.net.init = TS_INIT_HE;
    c.net.n_in = strtoul(argv[11], NULL, 10);
    c.net.n_out = strtoul(argv[12], NULL, 10);
    c.net.n_hidden = (size_t)(argc - 13);
    for (int i = 13; i < argc; i++) c.net.width[i - 13] = strtoul(argv[i], NULL, 10);
    ts_net_config nc = { .arch = TS_ARCH_MLP, .mlp = c.net };
    ts_net *net;
    ts_net_work *ws;
    ts_rng r, rz;
    ts_err err = { 0 };
    uint64_t seed = strtoull(argv[10], NULL, 10);
    if (ts_net_alloc(&nc, &net, &err) || ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, &err) ||
        ts_rng_init(&rz, seed, 1, 0, TS_PURPOSE_TEST, &err) || ts_net_work_alloc(net, B, &ws, &err)) {
        fprintf(stderr, "gni_opt_driver: %s\n", err.msg);
        return 1;
    }
    ts_net_init(net, &r);
    for (size_t l = 0; l < net->n_layers; l++)
        for (size_t j = 0; j < net->rows[l]; j++) net->w[net->off_b[l] + j] = (float)(0.1 * (ts_rng_uniform(&r) - 0.5));
    size_t n_in = c.net.n_in, n_out = c.net.n_out, np = net->n_params;
    float *x = malloc(B * n_in * sizeof *x), *y = malloc(B * n_out * sizeof *y), *g = malloc(np * sizeof *g);
    int32_t *lab = malloc(B * sizeof *lab);
    double *z = malloc(np * sizeof *z);
    for (size_t i = 0; i < B * n_in; i++) x[i] = (float)(4 * ts_rng_uniform(&r) - 2);
    for (size_t i = 0; i < B * n_out; i++) y[i] = (float)(2 * ts_rng_uniform(&r) - 1);
    for (size_t i = 0; i < B; i++) lab[i] = (int32_t)(ts_rng_uniform(&r) * (double)n_out);
    ts_batch b = { B, x, loss == TS_LOSS_MSE ? y : NULL, loss == TS_LOSS_XENT ? lab : NULL };
    put_f("params", net->w, np);
    put_f("x", x, B * n_in);
    if (loss == TS_LOSS_MSE) put_f("y", y, B * n_out);
    else {
        printf("label %zu", B);
        for (size_t i = 0; i < B; i++) printf(" %d", (int)lab[i]);
        printf("\n");
    }
    for (size_t k = 0; k < steps; k++) {
        double L;
        ts_rng_normal_block(&rz, np, z);
        if (ts_gni_opt_grad(&c, net, ws, &b, &r, c.opt == TS_GNI_OPT_SGD ? NULL : z, g, &L, &err)) {
            fprintf(stderr, "gni_opt_driver: %s\n", err.msg);
            return 1;
        }
        printf("z%zu %zu", k, np);
        for (size_t j = 0; j < np; j++) printf(" %.17g", z[j]);
        printf("\n");
        char name[32];
        snprintf(name, sizeof name, "grad%zu", k);
        put_f(name, g, np);
        printf("loss%zu 1 %.17g\n", k, L);
        ts_net_sgd_step(net, g, lr);
    }
    put_f("final", net->w, np);
    free(x);
    free(y);
    free(g);
    free(lab);
    free(z);
    ts_net_work_free(ws);
    ts_net_free(net);
    return 0;
}
