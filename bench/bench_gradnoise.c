/* bench_gradnoise.c: time the GNI kind's per-layer noise statistics on one
 * core: mean, skewness, excess kurtosis, block-sum tail index and the
 * McCulloch alpha-stable fit of one vector (ts_gradnoise_stats_compute).
 *
 *   build/release/bench/bench_gradnoise ROUNDS FILE
 *
 * Prints "key value" lines: n, the median time over ROUNDS (seconds; the
 * first call is a warm-up, not timed), and the
 * statistics. bench/gradnoise_scipy.py runs it beside scipy. */
#include <stdio.h>
#include <stdlib.h>

#include "tailsweep/ts_gradnoise.h"
#include "tailsweep/ts_vec_reader.h"

#include "bench_common.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s ROUNDS FILE\n", argv[0]);
        return 2;
    }
    int rounds = atoi(argv[1]);
    double *x;
    size_t n;
    ts_err err = { 0 };
    if (rounds < 1 || rounds > 1001 || ts_vec_read(argv[2], &x, &n, &err)) {
        fprintf(stderr, "bench_gradnoise: %s\n", rounds < 1 ? "ROUNDS must be 1..1001" : err.msg);
        return 2;
    }
    ts_gradnoise_stats s;
    if (ts_gradnoise_stats_compute(x, n, TS_GN_FIT_MCCULLOCH, 0, &s, &err)) {   /* warm-up: caches, page faults */
        fprintf(stderr, "bench_gradnoise: %s\n", err.msg);
        return 1;
    }
    double *t = malloc((size_t)rounds * sizeof *t);
    if (!t) return 1;
    for (int r = 0; r < rounds; r++) {
        double t0 = bench_now();
        ts_gradnoise_stats_compute(x, n, TS_GN_FIT_MCCULLOCH, 0, &s, &err);
        t[r] = bench_now() - t0;
    }
    qsort(t, (size_t)rounds, sizeof *t, bench_cmp_double);
    printf("n %zu\nseconds %.6g\nskew %.6g\nkurt %.6g\ntail %.6g\nalpha %.6g\nbeta %.6g\nscale %.6g\n", n,
           0.5 * (t[(rounds - 1) / 2] + t[rounds / 2]), s.skew, s.kurt, s.tail_index, s.alpha, s.beta, s.scale);
    free(t);
    free(x);
    return 0;
}
