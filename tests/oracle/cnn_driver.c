/* cnn_driver.c: one GNI loss and gradient of the convolutional network
 * (ts_cnn.h), for the torch oracle (tests/oracle/cnn_torch.py).
 *
 *   cnn_driver ACT LOSS NOISE SIGMA2 ON_INPUT M B SEED H W C KERNEL CONV N_OUT ZEROS [WIDTH...]
 *
 * ACT relu|elu|tanh, LOSS mse|xent, NOISE none|add|mult, CONV channel
 * counts ("4,6"; "-" for none: a dense network on the flattened image). Builds the net (He init from stream SEED, biases from
 * the same stream, scaled down so they are non-zero), B images
 * (x ~ U(-1, 1); with ZEROS = 1 the top half of every image is 0, so
 * the first convolution's output has exactly tied 2 x 2 windows there),
 * draws the noise for M copies, and prints one "name count values..." line
 * each for: shape, params (ts_cnn.h's layout), x, y or label, site0 ..
 * siteS (empty when the site takes no noise), sigma, loss, grad; then, at
 * the same weights and without noise, the explicit regulariser objective:
 * rloss (the clean loss), reg (R) and rgrad (the gradient of L + R). Floats with
 * 9 significant digits, which round-trip float32. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_common.h"
#include "tailsweep/ts_cnn.h"

int main(int argc, char **argv)
{
    static const char *const acts[] = { "relu", "elu", "tanh" }, *const losses[] = { "mse", "xent" },
                             *const noises[] = { "none", "add", "mult" };
    if (argc < 16) {
        fprintf(stderr, "usage: cnn_driver ACT LOSS NOISE SIGMA2 ON_INPUT M B SEED H W C KERNEL CONV N_OUT ZEROS "
                        "[WIDTH...]\n");
        return 2;
    }
    ts_cnn_config cfg = { 0 };
    ts_noise_config nz = { 0 };
    ts_err err = { 0 };
    int act = pick(argv[1], acts, 3), loss = pick(argv[2], losses, 2), noise = pick(argv[3], noises, 3);
    if (act < 0 || loss < 0 || noise < 0) {
        fprintf(stderr, "cnn_driver: unknown activation, loss or noise type\n");
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
    cfg.in_h = strtoul(argv[9], NULL, 10);
    cfg.in_w = strtoul(argv[10], NULL, 10);
    cfg.in_c = strtoul(argv[11], NULL, 10);
    cfg.kernel = strtoul(argv[12], NULL, 10);
    if (strcmp(argv[13], "-") != 0 && ts_cnn_parse_channels(argv[13], "conv", &cfg, &err)) {
        fprintf(stderr, "cnn_driver: %s\n", err.msg);
        return 2;
    }
    cfg.n_out = strtoul(argv[14], NULL, 10);
    int zeros = atoi(argv[15]);
    cfg.n_dense = (size_t)(argc - 16);
    if (cfg.n_dense > TS_MLP_MAX_HIDDEN) {
        fprintf(stderr, "cnn_driver: too many dense layers\n");
        return 2;
    }
    for (size_t i = 0; i < cfg.n_dense; i++) cfg.width[i] = strtoul(argv[16 + i], NULL, 10);

    ts_cnn *net = NULL;
    ts_cnn_work *ws = NULL;
    if (ts_cnn_alloc(&cfg, &net, &err) || ts_noise_config_check(&nz, &err) || ts_cnn_work_alloc(net, B * M, &ws, &err)) {
        fprintf(stderr, "cnn_driver: %s\n", err.msg);
        ts_cnn_free(net);
        return 2;
    }
    ts_rng r;
    ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_INIT, &err);
    ts_cnn_init(net, &r);
    double u[4096];
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t n = net->rows[l] < 4096 ? net->rows[l] : 4096;
        ts_rng_uniform_block(&r, n, u);
        for (size_t o = 0; o < n; o++) net->w[net->off_b[l] + o] = (float)(0.4 * (u[o] - 0.5));
    }
    const size_t d = net->site_size[0], K = cfg.n_out;
    float *x = malloc(B * d * sizeof *x), *y = malloc(B * K * sizeof *y);
    int32_t *label = malloc(B * sizeof *label);
    ts_rng rd;
    ts_rng_init(&rd, seed, 0, 0, TS_PURPOSE_DATA, &err);
    for (size_t i = 0; i < B * d; i++) {
        size_t row = (i % d) / (cfg.in_w * cfg.in_c);   /* HWC: the image row of value i */
        double v = 2 * ts_rng_uniform(&rd) - 1;
        x[i] = zeros && row < cfg.in_h / 2 ? 0.0f : (float)v;
    }
    for (size_t i = 0; i < B * K; i++) y[i] = (float)(2 * ts_rng_uniform(&rd) - 1);
    for (size_t i = 0; i < B; i++) label[i] = (int32_t)(ts_rng_uniform(&rd) * (double)K);
    ts_rng rn;
    ts_rng_init(&rn, seed, 0, 0, TS_PURPOSE_NOISE, &err);
    float *g = malloc(net->n_params * sizeof *g);
    ts_batch b = { .n = B, .x = x, .y = y, .label = label };
    double L = 0;
    int rc = 0;
    if (ts_cnn_noise_draw(net, ws, &nz, B, M, &rn, &err) || ts_cnn_loss_grad(net, ws, &b, M, &nz, g, &L, &err)) {
        fprintf(stderr, "cnn_driver: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    printf("shape %zu %zu %zu %zu %zu\n", net->n_params, B, M, net->n_sites, net->n_layers);
    put_f("params", net->w, net->n_params);
    put_f("x", x, B * d);
    if (cfg.loss == TS_LOSS_MSE) {
        put_f("y", y, B * K);
    } else {
        printf("label %zu", B);
        for (size_t i = 0; i < B; i++) printf(" %d", (int)label[i]);
        printf("\n");
    }
    for (size_t s = 0; s < net->n_sites; s++) {
        char name[32];
        snprintf(name, sizeof name, "site%zu", s);
        const float *e = ts_cnn_noise_site(ws, s);
        put_f(name, e, e ? B * M * net->site_size[s] : 0);
    }
    float sigma = (float)sqrt(nz.sigma2);
    put_f("sigma", &sigma, 1);
    printf("loss 1 %.17g\n", L);
    put_f("grad", g, net->n_params);
    double rl = 0, reg = 0;
    if (ts_cnn_reg_loss_grad(net, ws, &b, &nz, g, &rl, &reg, &err)) {
        fprintf(stderr, "cnn_driver: %s\n", err.msg);
        rc = 1;
        goto done;
    }
    printf("rloss 1 %.17g\nreg 1 %.17g\n", rl, reg);
    put_f("rgrad", g, net->n_params);
done:
    free(x);
    free(y);
    free(label);
    free(g);
    ts_cnn_work_free(ws);
    ts_cnn_free(net);
    return rc;
}
