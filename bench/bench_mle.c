/* bench_mle.c: the fast stable density and the maximum-likelihood fit
 * timed; driven by bench/mle_vs_scipy.py, which runs scipy on
 * the same inputs.
 *
 *   build/release/bench/bench_mle density ALPHA BETA   build time of one density table, and
 *                                        log-density evaluations per second
 *                                        (one core, points spread over the
 *                                        body and tails like stable data)
 *   build/release/bench/bench_mle fit FILE [ROUNDS]    ts_fit_mle (S1, with standard errors)
 *                                        of the values in FILE, one a line;
 *                                        median time over ROUNDS (default 5)
 *   build/release/bench/bench_mle accuracy [REPS]      bias and RMSE of the MLE on the grid
 *   build/release/bench/bench_mle accuracy-small [REPS]  the same for alpha 0.1, 0.3, 0.5 (n = 1000)
 *                                        of docs/stable-fitting.md (markdown)
 *   build/release/bench/bench_mle loglik FILE A B S L  the log-likelihood of the values in
 *                                        FILE under S1(A, B, S, L), fast density
 * Output is "key value" lines (density, fit) or a markdown table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_common.h"
#include "tailsweep/ts_stable_fast.h"
#include "tailsweep/ts_stable_fit.h"

static int density(double alpha, double beta)
{
    ts_err err = { 0 };
    /* build time: median of 21 builds */
    double tb[21];
    for (int r = 0; r < 21; r++) {
        double t0 = bench_now();
        ts_stable_fast *d = ts_stable_fast_alloc(alpha, beta, TS_S1, &err);
        tb[r] = bench_now() - t0;
        if (!d) {
            fprintf(stderr, "bench_mle: %s\n", err.msg);
            return 1;
        }
        ts_stable_fast_free(d);
    }
    qsort(tb, 21, sizeof tb[0], bench_cmp_double);
    /* evaluation: 2^20 standardised draws of the law itself (so the share
     * of tail points is the real one), median of 7 passes */
    size_t n = (size_t)1 << 20;
    double *x = malloc(n * sizeof *x);
    if (!x) return 1;
    ts_stable law;
    ts_rng r;
    ts_stable_init(&law, alpha, beta, 1, 0, TS_S1, NULL);
    ts_rng_init(&r, 7, 0, 0, TS_PURPOSE_TEST, NULL);
    ts_stable_fill(&law, &r, n, x);
    ts_stable_fast *d = ts_stable_fast_alloc(alpha, beta, TS_S1, &err);
    if (!d) {
        free(x);
        return 1;
    }
    double te[7], sink = 0;
    for (int k = 0; k < 7; k++) {
        double t0 = bench_now();
        sink += ts_stable_fast_loglik(d, n, x, 1.0, 0.0);
        te[k] = (bench_now() - t0) / (double)n;
    }
    qsort(te, 7, sizeof te[0], bench_cmp_double);
    ts_stable_fast_info in;
    ts_stable_fast_get_info(d, &in);
    printf("build_us %.1f\nfft_n %zu\neval_ns %.2f\nevals_per_s %.3g\nchecksum %.6g\n", 1e6 * tb[10], in.fft_n,
           1e9 * te[3], 1.0 / te[3], sink / 7);
    ts_stable_fast_free(d);
    free(x);
    return 0;
}

static double *read_values(const char *path, size_t *n_out);

static int fit(const char *path, int rounds)
{
    size_t n;
    double *x = read_values(path, &n);
    if (!x) return 1;
    ts_stable_fit f = { 0 };
    double se[4], t[64];
    if (rounds < 1) rounds = 1;
    if (rounds > 64) rounds = 64;
    for (int r = 0; r < rounds; r++) {
        ts_err err = { 0 };
        double t0 = bench_now();
        ts_status st = ts_fit_mle(x, n, TS_S1, 1, &f, se, &err);
        t[r] = bench_now() - t0;
        if (st) {
            fprintf(stderr, "bench_mle: %s\n", err.msg);
            free(x);
            return 1;
        }
    }
    qsort(t, (size_t)rounds, sizeof t[0], bench_cmp_double);
    printf("n %zu\nseconds %.4f\nalpha %.6f\nbeta %.6f\nscale %.6f\nloc %.6f\n", n, t[rounds / 2], f.alpha, f.beta,
           f.scale, f.loc);
    printf("se_alpha %.6f\nse_beta %.6f\nse_scale %.6f\nse_loc %.6f\niterations %d\n", se[0], se[1], se[2], se[3],
           f.iterations);
    free(x);
    return 0;
}

static double *read_values(const char *path, size_t *n_out)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        perror(path);
        return NULL;
    }
    size_t n = 0, cap = 1024;
    double *x = malloc(cap * sizeof *x), v;
    while (x && fscanf(fp, "%lf", &v) == 1) {
        if (n == cap) {
            double *y = realloc(x, 2 * cap * sizeof *x);
            if (!y) {
                free(x);
                x = NULL;
                break;
            }
            x = y;
            cap *= 2;
        }
        x[n++] = v;
    }
    fclose(fp);
    *n_out = n;
    return x;
}

static int loglik(const char *path, double a, double b, double s, double l)
{
    size_t n;
    double *x = read_values(path, &n);
    ts_err err = { 0 };
    ts_stable_fast *d = x ? ts_stable_fast_alloc(a, b, TS_S1, &err) : NULL;
    if (!d) {
        if (x) fprintf(stderr, "bench_mle: %s\n", err.msg);
        free(x);
        return 1;
    }
    printf("loglik %.6f\n", ts_stable_fast_loglik(d, n, x, s, l));
    ts_stable_fast_free(d);
    free(x);
    return 0;
}

/* The study of docs/stable-fitting.md, same laws, sizes and seeds as
 * bench/fit_accuracy.c (S1(alpha, beta, 1, 0), 20 replicates); with
 * small = 1 the alphas below the fast density's range, n = 1000. */
static int accuracy(int reps, int small)
{
    const double big_a[] = { 1.1, 1.3, 1.5, 1.7, 1.9 }, small_a[] = { 0.1, 0.3, 0.5 };
    const double big_b[] = { -0.8, 0, 0.8 }, small_b[] = { 0, 0.5 };
    const double *alphas = small ? small_a : big_a, *betas = small ? small_b : big_b;
    const int na = small ? 3 : 5, nb = small ? 2 : 3, nn = small ? 1 : 2;
    const size_t ns[] = { 1000, 10000 };
    printf("| method | n | alpha | beta | alpha bias | alpha RMSE | beta bias | beta RMSE | scale rel. RMSE "
           "| mean SE(alpha) | s per fit |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int in = 0; in < nn; in++)
        for (int ia = 0; ia < na; ia++)
            for (int ib = 0; ib < nb; ib++) {
                double a = alphas[ia], b = betas[ib], ba = 0, ra = 0, bb = 0, rb = 0, rs = 0, sea = 0, tt = 0;
                size_t n = ns[in];
                double *x = malloc(n * sizeof *x);
                if (!x) return 1;
                int nse = 0;
                for (int rep = 0; rep < reps; rep++) {
                    ts_stable law;
                    ts_rng r;
                    ts_stable_fit f;
                    ts_err e = { 0 };
                    double se[4];
                    ts_stable_init(&law, a, b, 1, 0, TS_S1, NULL);
                    ts_rng_init(&r, 1000 + (uint64_t)rep, (uint64_t)(ia * 3 + ib), (uint64_t)in, TS_PURPOSE_TEST, NULL);
                    ts_stable_fill(&law, &r, n, x);
                    double t0 = bench_now();
                    ts_status fs = ts_fit_mle(x, n, TS_S1, 1, &f, se, &e);
                    if (fs && !(small && fs == TS_ERANGE)) {
                        fprintf(stderr, "bench_mle: %s\n", e.msg);
                        return 1;
                    }
                    tt += bench_now() - t0;
                    ba += f.alpha - a;
                    ra += (f.alpha - a) * (f.alpha - a);
                    bb += f.beta - b;
                    rb += (f.beta - b) * (f.beta - b);
                    rs += (f.scale - 1) * (f.scale - 1);
                    if (isfinite(se[0])) {
                        sea += se[0];
                        nse++;
                    }
                }
                free(x);
                printf("| mle | %zu | %g | %g | %+.4f | %.4f | %+.4f | %.4f | %.4f | %.4f | %.2f |\n", n, a, b,
                       ba / reps, sqrt(ra / reps), bb / reps, sqrt(rb / reps), sqrt(rs / reps),
                       nse ? sea / nse : NAN, tt / reps);
                fflush(stdout);
            }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "density") == 0) return density(atof(argv[2]), atof(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "fit") == 0) return fit(argv[2], argc >= 4 ? atoi(argv[3]) : 5);
    if (argc >= 2 && strcmp(argv[1], "accuracy") == 0) return accuracy(argc >= 3 ? atoi(argv[2]) : 20, 0);
    if (argc >= 2 && strcmp(argv[1], "accuracy-small") == 0) return accuracy(argc >= 3 ? atoi(argv[2]) : 20, 1);
    if (argc >= 7 && strcmp(argv[1], "loglik") == 0)
        return loglik(argv[2], atof(argv[3]), atof(argv[4]), atof(argv[5]), atof(argv[6]));
    fprintf(stderr, "usage: bench_mle density ALPHA BETA | fit FILE [ROUNDS] | accuracy [REPS] | accuracy-small [REPS] | "
            "loglik FILE ALPHA BETA SCALE LOC\n");
    return 2;
}
