/* bench_cnn.c: milliseconds per GNI SGD step of the issue-15 convolutional
 * network, for bench/cnn_torch.py (which runs PyTorch beside it and prints
 * the ratio).
 *
 *   bench_cnn B M STEPS REPS
 *
 * Model: 28 x 28 x 1 input (Fashion-MNIST's shape), convolution blocks of 32
 * and 64 channels with 3 x 3 kernels (each: conv, 2 x 2 max-pool, ELU), a
 * dense layer of 256 ELU, 10 classes, softmax cross-entropy, He init;
 * additive noise with sigma2 = 0.1 on the input and every hidden
 * activation. A step is what training does: draw the noise, forward and
 * backward over the M B stacked images, SGD update (lr 1e-3). Inputs are
 * U(0, 1) pixels, labels uniform. After one warm-up rep, each rep times
 * STEPS steps; prints the medians over REPS of ms per step, of ms per step
 * spent drawing the noise (repeated on their own), and of CPU ms per step,
 * one "key value" a line. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_common.h"
#include "tailsweep/ts_cnn.h"

static int die(const char *what, const ts_err *err)
{
    fprintf(stderr, "bench_cnn: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_cnn B M STEPS REPS\n");
        return 2;
    }
    size_t B = strtoul(argv[1], NULL, 10), M = strtoul(argv[2], NULL, 10);
    int steps = atoi(argv[3]), reps = atoi(argv[4]);
    if (B < 1 || M < 1 || steps < 1 || reps < 1 || reps > 1000) {
        fprintf(stderr, "bench_cnn: B, M, STEPS >= 1 and REPS in [1, 1000]\n");
        return 2;
    }
    ts_err err = { 0 };
    ts_cnn_config cfg = { .in_h = 28, .in_w = 28, .in_c = 1, .n_conv = 2, .channels = { 32, 64 }, .kernel = 3,
                          .n_dense = 1, .width = { 256 }, .n_out = 10,
                          .act = TS_ACT_ELU, .loss = TS_LOSS_XENT, .init = TS_INIT_HE };
    ts_noise_config nz = { TS_NOISE_ADD, 0.1, 1 };
    ts_cnn *net;
    ts_cnn_work *ws;
    if (ts_cnn_alloc(&cfg, &net, &err)) return die("alloc", &err);
    if (ts_cnn_work_alloc(net, B * M, &ws, &err)) return die("workspace", &err);
    ts_rng ri, rn, rd;
    ts_rng_init(&ri, 1, 0, 0, TS_PURPOSE_INIT, &err);
    ts_rng_init(&rn, 1, 0, 0, TS_PURPOSE_NOISE, &err);
    ts_rng_init(&rd, 1, 0, 0, TS_PURPOSE_DATA, &err);
    ts_cnn_init(net, &ri);
    const size_t d = net->site_size[0];
    float *x = malloc(B * d * sizeof *x), *g = malloc(net->n_params * sizeof *g);
    int32_t *label = malloc(B * sizeof *label);
    for (size_t i = 0; i < B * d; i++) x[i] = (float)ts_rng_uniform(&rd);
    for (size_t i = 0; i < B; i++) label[i] = (int32_t)(10 * ts_rng_uniform(&rd));
    ts_batch b = { .n = B, .x = x, .label = label };
    double *t_step = malloc((size_t)reps * sizeof *t_step), *t_noise = malloc((size_t)reps * sizeof *t_noise);
    double *t_cpu = malloc((size_t)reps * sizeof *t_cpu);
    for (int rep = -1; rep < reps; rep++) {
        double c0 = bench_cpu_now();
        double t0 = bench_now();
        for (int s = 0; s < steps; s++) {
            if (ts_cnn_noise_draw(net, ws, &nz, B, M, &rn, &err)) return die("noise", &err);
            if (ts_cnn_loss_grad(net, ws, &b, M, &nz, g, NULL, &err)) return die("step", &err);
            ts_cnn_sgd_step(net, g, 1e-3f);
        }
        double t1 = bench_now();
        double c1 = bench_cpu_now();
        for (int s = 0; s < steps; s++)
            if (ts_cnn_noise_draw(net, ws, &nz, B, M, &rn, &err)) return die("noise", &err);
        double t2 = bench_now();
        if (rep >= 0) {
            t_step[rep] = 1e3 * (t1 - t0) / steps;
            t_noise[rep] = 1e3 * (t2 - t1) / steps;
            t_cpu[rep] = 1e3 * (c1 - c0) / steps;
        }
    }
    bench_print_medians(t_step, t_noise, t_cpu, reps);
    free(t_cpu);
    free(t_step);
    free(t_noise);
    free(x);
    free(g);
    free(label);
    ts_cnn_work_free(ws);
    ts_cnn_free(net);
    return 0;
}
