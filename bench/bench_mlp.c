/* bench_mlp.c: milliseconds per GNI SGD step of the benchmark model below,
 * for bench/mlp_torch.py (which runs PyTorch beside it and prints ratios).
 *
 *   bench_mlp B M STEPS REPS
 *
 * Model: 1-D input, 4 hidden layers of 256 ELU, 1-D output, MSE, He init;
 * additive noise with sigma2 = 0.1 on the input and every hidden layer. A
 * step is what training does: draw the noise, forward and backward over the
 * M B stacked rows, SGD update (lr 1e-3, small enough to stay finite). After
 * one warm-up rep, each rep times STEPS steps; prints the median over REPS
 * of ms per step, and separately the median ms per step spent drawing noise
 * (the draws alone, repeated on their own), and the median CPU time per step
 * (process CPU clock: on a shared machine it is what the step costs, where
 * the wall time also counts waiting for a core), one "key value" a line. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <time.h>

#include "bench_common.h"
#include "tailsweep/ts_mlp.h"

static int die(const char *what, const ts_err *err)
{
    fprintf(stderr, "bench_mlp: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_mlp B M STEPS REPS\n");
        return 2;
    }
    size_t B = strtoul(argv[1], NULL, 10), M = strtoul(argv[2], NULL, 10);
    int steps = atoi(argv[3]), reps = atoi(argv[4]);
    if (B < 1 || M < 1 || steps < 1 || reps < 1 || reps > 1000) {
        fprintf(stderr, "bench_mlp: B, M, STEPS >= 1 and REPS in [1, 1000]\n");
        return 2;
    }
    ts_err err = { 0 };
    ts_mlp_config cfg = { .n_in = 1, .n_out = 1, .n_hidden = 4, .width = { 256, 256, 256, 256 },
                          .act = TS_ACT_ELU, .loss = TS_LOSS_MSE, .init = TS_INIT_HE };
    ts_noise_config nz = { TS_NOISE_ADD, 0.1, 1 };
    ts_mlp *net;
    ts_mlp_work *ws;
    if (ts_mlp_alloc(&cfg, &net, &err)) return die("alloc", &err);
    if (ts_mlp_work_alloc(net, B * M, &ws, &err)) return die("workspace", &err);
    ts_rng ri, rn;
    ts_rng_init(&ri, 1, 0, 0, TS_PURPOSE_INIT, &err);
    ts_rng_init(&rn, 1, 0, 0, TS_PURPOSE_NOISE, &err);
    ts_mlp_init(net, &ri);
    float *x = malloc(B * sizeof *x), *y = malloc(B * sizeof *y);
    float *g = malloc(net->n_params * sizeof *g);
    for (size_t i = 0; i < B; i++) {
        x[i] = (float)((i + 0.5) / (double)B);
        y[i] = (float)sin(6.283185307179586 * x[i]);
    }
    ts_batch b = { .n = B, .x = x, .y = y };
    double *t_step = malloc((size_t)reps * sizeof *t_step), *t_noise = malloc((size_t)reps * sizeof *t_noise);
    double *t_cpu = malloc((size_t)reps * sizeof *t_cpu);
    for (int rep = -1; rep < reps; rep++) {
        double c0 = bench_cpu_now();
        double t0 = bench_now();
        for (int s = 0; s < steps; s++) {
            if (ts_mlp_noise_draw(net, ws, &nz, B, M, &rn, &err)) return die("noise", &err);
            if (ts_mlp_loss_grad(net, ws, &b, M, &nz, g, NULL, &err)) return die("step", &err);
            ts_mlp_sgd_step(net, g, 1e-3f);
        }
        double t1 = bench_now();
        double c1 = bench_cpu_now();
        for (int s = 0; s < steps; s++)
            if (ts_mlp_noise_draw(net, ws, &nz, B, M, &rn, &err)) return die("noise", &err);
        double t2 = bench_now();
        if (rep >= 0) {
            t_step[rep] = 1e3 * (t1 - t0) / steps;
            t_noise[rep] = 1e3 * (t2 - t1) / steps;
            t_cpu[rep] = 1e3 * (c1 - c0) / steps;
        }
    }
    printf("blas_core %s\n", ts_mlp_blas_core());
    bench_print_medians(t_step, t_noise, t_cpu, reps);
    free(t_cpu);
    free(t_step);
    free(t_noise);
    free(x);
    free(y);
    free(g);
    ts_mlp_work_free(ws);
    ts_mlp_free(net);
    return 0;
}
