/* bench_stable.c: ns per alpha-stable draw on one core, tailsweep's block API
 * against a loop over GSL's gsl_ran_levy_skew, for one (alpha, beta) in S1.
 *
 *   build/release/bench/bench_stable ALPHA BETA [N] [ROUNDS]
 *
 * The two sides alternate within each round, so both see the same machine
 * load. Times are the thread's CPU time, not wall time: on a machine shared
 * with other jobs, wall time also counts the intervals this process sat
 * descheduled, which land on one side or the other at random. Printed, one
 * line each: the medians over rounds, and the median of the rounds' own
 * GSL/tailsweep ratios (each compares two neighbouring timings):
 *   tailsweep NS_PER_SAMPLE
 *   gsl NS_PER_SAMPLE
 *   ratio GSL_OVER_TAILSWEEP
 * bench/stable_sampler.py drives this binary beside scipy. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"

#include "bench_common.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s ALPHA BETA [N] [ROUNDS]\n", argv[0]);
        return 2;
    }
    double alpha = atof(argv[1]), beta = atof(argv[2]);
    size_t n = argc > 3 ? (size_t)atol(argv[3]) : 1000000;
    int rounds = argc > 4 ? atoi(argv[4]) : 7;
    if (rounds < 1 || rounds > 101 || n < 1) return 2;

    ts_err err;
    ts_stable law;
    ts_rng rng;
    if (ts_stable_init(&law, alpha, beta, 1.0, 0.0, TS_S1, &err) ||
        ts_rng_init(&rng, 42, 0, 0, TS_PURPOSE_TEST, &err)) {
        fprintf(stderr, "bench_stable: %s\n", err.msg);
        return 2;
    }
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc(n * sizeof *x);
    if (!x) return 1;
    double ts_ns[101], gsl_ns[101], ratio[101], sink = 0;
    for (size_t i = 0; i < n; i++) x[i] = 0.0;   /* fault the pages in before timing */
    for (int r = 0; r < rounds; r++) {
        double t0 = cpu_now();
        ts_stable_fill(&law, &rng, n, x);
        double t1 = cpu_now();
        sink += x[n / 2];
        for (size_t i = 0; i < n; i++) x[i] = gsl_ran_levy_skew(g, 1.0, alpha, beta);
        double t2 = cpu_now();
        sink += x[n / 2];
        ts_ns[r] = (t1 - t0) * 1e9 / (double)n;
        gsl_ns[r] = (t2 - t1) * 1e9 / (double)n;
        ratio[r] = gsl_ns[r] / ts_ns[r];
    }
    qsort(ts_ns, rounds, sizeof(double), bench_cmp_double);
    qsort(gsl_ns, rounds, sizeof(double), bench_cmp_double);
    qsort(ratio, rounds, sizeof(double), bench_cmp_double);
    double ts_med = 0.5 * (ts_ns[(rounds - 1) / 2] + ts_ns[rounds / 2]);
    double gsl_med = 0.5 * (gsl_ns[(rounds - 1) / 2] + gsl_ns[rounds / 2]);
    double ratio_med = 0.5 * (ratio[(rounds - 1) / 2] + ratio[rounds / 2]);
    printf("tailsweep %.3f\ngsl %.3f\nratio %.3f\n", ts_med, gsl_med, ratio_med);
    fprintf(stderr, "(checksum %g)\n", sink);
    free(x);
    gsl_rng_free(g);
    return 0;
}
