/* bench_kde.c: time tailsweep's density pipeline on one core: linear binning
 * of the samples, a bandwidth rule, and the FFT KDE, from raw samples to the
 * density on the grid (bins allocated and freed inside the timed region).
 *
 *   build/release/bench/bench_kde LO HI G RULE ROUNDS < samples     (RULE: silverman | isj)
 *
 * Prints "key value" lines: the median over ROUNDS of the whole pipeline and
 * of each stage (seconds), the bandwidth, the counts, then G lines "x density".
 * bench/bench_kde.py compiles and drives it beside scikit-learn. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tailsweep/ts_density.h"
#include "tailsweep/ts_vec_reader.h"

#include "bench_common.h"

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return 0.5 * (v[(n - 1) / 2] + v[n / 2]);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s LO HI G RULE ROUNDS < samples\n", argv[0]);
        return 2;
    }
    ts_err err;
    ts_grid1d g;
    ts_bw_rule rule;
    int rounds = atoi(argv[5]);
    if (ts_grid1d_init(&g, strtod(argv[1], NULL), strtod(argv[2], NULL),
                       strtoul(argv[3], NULL, 10), &err) ||
        ts_bw_rule_parse(argv[4], &rule, &err) || rule == TS_BW_FIXED) {
        fprintf(stderr, "bench_kde: %s\n", rule == TS_BW_FIXED ? "RULE must be a rule" : err.msg);
        return 2;
    }
    if (rounds < 1 || rounds > 1001) return 2;
    size_t n;
    double *x;
    if (ts_vec_read("/dev/stdin", &x, &n, &err)) {
        fprintf(stderr, "bench_kde: %s\n", err.msg);
        return 2;
    }
    double *f = malloc(g.n * sizeof *f);
    double *t_all = malloc(4 * (size_t)rounds * sizeof *t_all);
    if (!f || !t_all) return 1;
    double *t_bin = t_all + rounds, *t_bw = t_bin + rounds, *t_kde = t_bw + rounds;
    double bw = 0, total = 0, below = 0, above = 0;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now();
        ts_bins *b = ts_bins_alloc(&g, &err);
        if (!b) break;
        ts_bins_add_n(b, x, NULL, n);
        double t1 = bench_now();
        ts_status st = rule == TS_BW_ISJ ? ts_bw_isj(b, &bw, &err) : ts_bw_silverman(b, &bw, &err);
        double t2 = bench_now();
        if (st || ts_kde_binned(b, bw, f, &err)) {
            fprintf(stderr, "bench_kde: %s\n", err.msg);
            return 1;
        }
        total = b->total;
        below = b->below;
        above = b->above;
        ts_bins_free(b);
        double t3 = bench_now();
        t_all[r] = t3 - t0;
        t_bin[r] = t1 - t0;
        t_bw[r] = t2 - t1;
        t_kde[r] = t3 - t2;
    }
    printf("time %.9g\nbin %.9g\nbw_time %.9g\nkde %.9g\n", median(t_all, rounds),
           median(t_bin, rounds), median(t_bw, rounds), median(t_kde, rounds));
    printf("bw %.17g\ntotal %.17g\nbelow %.17g\nabove %.17g\n", bw, total, below, above);
    for (size_t i = 0; i < g.n; i++) printf("%.17g %.17g\n", ts_grid1d_x(&g, i), f[i]);
    free(x);
    free(f);
    free(t_all);
    return 0;
}
