/* bench_sde_schemes.c: chain-steps per second on one core of tailsweep's
 * implicit scheme beside its explicit Euler (the target: implicit at
 * least 80% of Euler), and of both with the basin statistics (exits,
 * occupancy, exit times) switched off, which prices the counting (target:
 * at most 10%). Every variant runs in every round, in turn, so they share
 * the machine's load; medians over the rounds are printed.
 *
 *   build/release/bench/bench_sde_schemes ALPHA CHAINS STEPS [ROUNDS] [POTENTIAL]
 *
 * The quartic (POTENTIAL "quartic", default; "poly" runs the same quartic
 * as a user's polynomial through the general code), theta 0, eps 1,
 * eta 1e-3, binning every step onto 512 points of [-3, 3], no test
 * functions. Output: "NAME CHAIN_STEPS_PER_SECOND" per variant (medians),
 * then the implicit/Euler ratio and the counting's share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_sde.h"

#include "bench_common.h"

enum { EULER, IMPLICIT, EULER_BARE, IMPLICIT_BARE, NV };
static const char *const names[NV] = { "euler", "implicit", "euler_no_basin_stats", "implicit_no_basin_stats" };

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s ALPHA CHAINS STEPS [ROUNDS] [quartic|poly]\n", argv[0]);
        return 2;
    }
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = atof(argv[1]);
    c.chains = (uint64_t)atol(argv[2]);
    c.steps = (uint64_t)atol(argv[3]);
    c.burnin = 0;
    int rounds = argc > 4 ? atoi(argv[4]) : 5;
    if (rounds < 1 || rounds > 51) return 2;
    if (argc > 5 && strcmp(argv[5], "poly") == 0) {
        const double q[5] = { 0, 0, -0.5, 0, 0.25 };
        ts_potential_poly(&c.pot[0], q, 5, NULL);
    }
    double rate[NV][51], sink = 0, work = (double)c.chains * (double)c.steps;
    for (int r = 0; r < rounds; r++)
        for (int v = 0; v < NV; v++) {
            c.scheme = v == IMPLICIT || v == IMPLICIT_BARE ? TS_SCHEME_IMPLICIT : TS_SCHEME_EULER;
            c.basin_stats = v == EULER || v == IMPLICIT;
            ts_sde_run_result res;
            ts_err err;
            double t0 = bench_now();
            if (ts_sde_run(&c, 1, (uint64_t)r, 0, &res, &err)) {
                fprintf(stderr, "bench_sde_schemes: %s\n", err.msg);
                return 1;
            }
            rate[v][r] = work / (bench_now() - t0);
            sink += res.bins[0]->total + (double)res.diverged;
            ts_sde_run_result_free(&res);
        }
    double med[NV];
    for (int v = 0; v < NV; v++) {
        qsort(rate[v], (size_t)rounds, sizeof rate[v][0], bench_cmp_double);
        med[v] = rate[v][rounds / 2];
        printf("%s %.6g\n", names[v], med[v]);
    }
    printf("implicit/euler %.3f (with basin statistics), %.3f (without)\n", med[IMPLICIT] / med[EULER],
           med[IMPLICIT_BARE] / med[EULER_BARE]);
    printf("basin statistics cost %.1f%% (euler), %.1f%% (implicit) of the chain-step rate\n",
           100 * (1 - med[EULER] / med[EULER_BARE]), 100 * (1 - med[IMPLICIT] / med[IMPLICIT_BARE]));
    fprintf(stderr, "(sink %g)\n", sink);
    return 0;
}
