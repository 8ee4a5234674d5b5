/* mlp_driver.c: one GNI loss and gradient from ts_mlp.h, for the torch oracle
 * (tests/oracle/mlp_torch.py).
 *
 *   mlp_driver ACT LOSS NOISE SIGMA2 ON_INPUT M B SEED N_IN N_OUT [WIDTH...]
 *
 * ACT relu|elu|tanh, LOSS mse|xent, NOISE none|add|mult. Builds the net (He
 * init from stream SEED, biases from the same stream scaled down so they are
 * non-zero), B examples (x ~ U(-1, 1), targets or labels), draws the noise
 * for M copies, and prints one "name count values..." line each for: shape,
 * params (layout of ts_mlp.h), x, y or label, site0 .. siteS (empty when the
 * site takes no noise), sigma (the float sigma used), loss, grad, and reg
 * (the explicit regulariser; MSE only). Floats printed with 9 significant
 * digits, which round-trip float32 exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_common.h"
#include "tailsweep/ts_mlp.h"

int main(int argc, char **argv)
{
    static const char *const acts[] = { "relu", "elu", "tanh" }, *const losses[] = { "mse", "xent" },
                             *const noises[] = { "none", "add", "mult" };
    if (argc < 11) {
        fprintf(stderr, "usage: mlp_driver ACT LOSS NOISE SIGMA2 ON_INPUT M B SEED N_IN N_OUT [WIDTH...]\n");
        return 2;
    }
    ts_mlp_config cfg = { 0 };
    ts_noise_config nz = { 0 };
    int act = pick(argv[1], acts, 3), loss = pick(argv[2], losses, 2), noise = pick(argv[3], noises, 3);
    if (act < 0 || loss < 0 || noise < 0) {
        fprintf(stderr, "mlp_driver: unknown activation, loss or noise type\n");
        return 2;
    }
    cfg.act = (ts_activation)act;
    cfg.loss = (ts_loss)loss;
    cfg.init = TS_INIT_HE;
    nz.type = (ts_noise_type)noise;
    nz.sigma2 = atof(argv[4]);
    nz.on_input = atoi(argv[5]);
    size_t M = strtoul(argv[6], NULL, 10), B = strtoul(argv[7], NULL, 10);
    uint64_t seed = strtoull(argv[8], NULL, 10);
    cfg.n_in = strtoul(argv[9], NULL, 10);
    cfg.n_out = strtoul(argv[10], NULL, 10);
    cfg.n_hidden = (size_t)(argc - 11);
    if (cfg.n_hidden > TS_MLP_MAX_HIDDEN) {
        fprintf(stderr, "mlp_driver: too many hidden layers\n");
        return 2;
    }
    for (size_t i = 0; i < cfg.n_hidden; i++) cfg.width[i] = strtoul(argv[11 + i], NULL, 10);

    ts_err err = { 0 };
    ts_mlp *net = NULL;
    ts_mlp_work *ws = NULL;
    if (ts_mlp_alloc(&cfg, &net, &err) || ts_noise_config_check(&nz, &err) ||
        ts_mlp_work_alloc(net, B * M, &ws, &err)) {
        fprintf(stderr, "mlp_driver: %s\n", err.msg);
        ts_mlp_free(net);
        return 2;
    }
    ts_rng r;
    ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_INIT, &err);
    ts_mlp_init(net, &r);
    double u[4096];
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t n = net->rows[l] < 4096 ? net->rows[l] : 4096;
        ts_rng_uniform_block(&r, n, u);
        for (size_t o = 0; o < n; o++) net->w[net->off_b[l] + o] = (float)(0.4 * (u[o] - 0.5));
    }
    float *x = malloc(B * cfg.n_in * sizeof *x), *y = malloc(B * cfg.n_out * sizeof *y);
    int32_t *label = malloc(B * sizeof *label);
    ts_rng rd;
    ts_rng_init(&rd, seed, 0, 0, TS_PURPOSE_DATA, &err);
    for (size_t i = 0; i < B * cfg.n_in; i++) x[i] = (float)(2 * ts_rng_uniform(&rd) - 1);
    for (size_t i = 0; i < B * cfg.n_out; i++) y[i] = (float)(2 * ts_rng_uniform(&rd) - 1);
    for (size_t i = 0; i < B; i++) label[i] = (int32_t)(ts_rng_uniform(&rd) * (double)cfg.n_out);
    ts_rng rn;
    ts_rng_init(&rn, seed, 0, 0, TS_PURPOSE_NOISE, &err);
    float *g = malloc(net->n_params * sizeof *g);
    ts_batch b = { .n = B, .x = x, .y = y, .label = label };
    double L = 0, reg = 0;
    int rc = 0;
    if (ts_mlp_noise_draw(net, ws, &nz, B, M, &rn, &err) ||
        ts_mlp_loss_grad(net, ws, &b, M, &nz, g, &L, &err)) {
        fprintf(stderr, "mlp_driver: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    printf("shape %zu %zu %zu %zu %zu", 4 + cfg.n_hidden, cfg.n_in, cfg.n_out, B, M);
    for (size_t i = 0; i < cfg.n_hidden; i++) printf(" %zu", cfg.width[i]);
    printf("\n");
    put_f("params", net->w, net->n_params);
    put_f("x", x, B * cfg.n_in);
    if (cfg.loss == TS_LOSS_MSE) {
        put_f("y", y, B * cfg.n_out);
    } else {
        printf("label %zu", B);
        for (size_t i = 0; i < B; i++) printf(" %d", (int)label[i]);
        printf("\n");
    }
    for (size_t s = 0; s < ts_mlp_n_sites(net); s++) {
        char name[32];
        snprintf(name, sizeof name, "site%zu", s);
        const float *e = ts_mlp_noise_site(ws, s);
        put_f(name, e, e ? B * M * ts_mlp_site_width(net, s) : 0);
    }
    float sigma = (float)sqrt(nz.sigma2);
    put_f("sigma", &sigma, 1);
    printf("loss 1 %.17g\n", L);
    put_f("grad", g, net->n_params);
    if (cfg.loss == TS_LOSS_MSE) {
        if (ts_mlp_explicit_reg(net, ws, &b, &nz, &reg, &err)) {
            fprintf(stderr, "mlp_driver: %s\n", err.msg);
            rc = 1;
            goto done;
        }
        printf("reg 1 %.17g\n", reg);
    }
done:
    free(x);
    free(y);
    free(label);
    free(g);
    ts_mlp_work_free(ws);
    ts_mlp_free(net);
    return rc;
}
