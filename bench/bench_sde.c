/* bench_sde.c: SDE chain-steps per second on one core: tailsweep's engine
 * (chains in SIMD lanes, block noise, streaming binning) against the obvious
 * implementation, a scalar C loop over chains calling GSL's
 * gsl_ran_levy_skew each step and binning the state onto the same grid.
 *
 *   build/release/bench/bench_sde ALPHA THETA CHAINS STEPS [ROUNDS]
 *
 * Quartic potential, euler, eta 1e-3, eps 1, grid 512 on [-3, 3], the
 * paper's figure-6 setting. Both sides alternate within each round (same
 * machine load); the medians are printed as
 *   tailsweep CHAIN_STEPS_PER_SECOND
 *   gsl CHAIN_STEPS_PER_SECOND */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tailsweep/ts_sde.h"

#include "bench_common.h"

/* The obvious loop: what a researcher writes first. Diverged chains are
 * restarted at 0 so the loop never runs on NaN (which would be faster). */
static double gsl_chains(double alpha, double theta, size_t chains, size_t steps, gsl_rng *g, double *hist)
{
    const double eta = 1e-3, sc = pow(eta, 1 / alpha), lo = -3, dx = 6.0 / 511;
    double sink = 0;
    for (size_t c = 0; c < chains; c++) {
        double w = 0;
        for (size_t k = 0; k < steps; k++) {
            w = w - eta * (w * w * w - w) + sc * gsl_ran_levy_skew(g, 1, alpha, theta);
            if (!(fabs(w) < 1e6)) w = 0;
            double f = (w - lo) / dx;
            if (f >= 0 && f < 511) {
                size_t i = (size_t)f;
                hist[i] += 1 - (f - i);
                hist[i + 1] += f - i;
            }
        }
        sink += w;
    }
    return sink;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s ALPHA THETA CHAINS STEPS [ROUNDS]\n", argv[0]);
        return 2;
    }
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = atof(argv[1]);
    c.theta[0] = atof(argv[2]);
    c.chains = (uint64_t)atol(argv[3]);
    c.steps = (uint64_t)atol(argv[4]);
    c.burnin = 0;
    int rounds = argc > 5 ? atoi(argv[5]) : 5;
    if (rounds < 1 || rounds > 51) return 2;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    double *hist = calloc(512, sizeof *hist), ts[51], gs[51], sink = 0;
    double work = (double)c.chains * (double)c.steps;
    for (int r = 0; r < rounds; r++) {
        ts_sde_run_result res;
        ts_err err;
        double t0 = bench_now();
        if (ts_sde_run(&c, 1, (uint64_t)r, 0, &res, &err)) {
            fprintf(stderr, "bench_sde: %s\n", err.msg);
            return 1;
        }
        double t1 = bench_now();
        sink += res.bins[0]->total;
        ts_sde_run_result_free(&res);
        double t2 = bench_now();
        sink += gsl_chains(c.alpha, c.theta[0], c.chains, c.steps, g, hist);
        double t3 = bench_now();
        ts[r] = work / (t1 - t0);
        gs[r] = work / (t3 - t2);
    }
    qsort(ts, rounds, sizeof ts[0], bench_cmp_double);
    qsort(gs, rounds, sizeof gs[0], bench_cmp_double);
    printf("tailsweep %.6g\ngsl %.6g\n", ts[rounds / 2], gs[rounds / 2]);
    fprintf(stderr, "(sink %g)\n", sink + hist[256]);
    free(hist);
    gsl_rng_free(g);
    return 0;
}
