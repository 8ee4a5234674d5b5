/* fit_accuracy.c: the fitting accuracy study: bias and RMSE of
 * each estimator over 20 replicates of simulated S1(alpha, beta, 1, 0) data,
 * alpha in {1.1, 1.3, 1.5, 1.7, 1.9}, beta in {-0.8, 0, 0.8}, n in {1000,
 * 10000}. Prints a markdown table (docs/stable-fitting.md).
 *   build/release/bench/fit_accuracy */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tailsweep/ts_stable_fit.h"

enum { REPS = 20 };

int main(void)
{
    const double alphas[] = { 1.1, 1.3, 1.5, 1.7, 1.9 }, betas[] = { -0.8, 0, 0.8 };
    const size_t ns[] = { 1000, 10000 };
    printf("| method | n | alpha | beta | alpha bias | alpha RMSE | beta bias | beta RMSE | scale rel. RMSE |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int in = 0; in < 2; in++)
        for (int ia = 0; ia < 5; ia++)
            for (int ib = 0; ib < 3; ib++) {
              for (int m = 0; m < 2; m++) {
                double a = alphas[ia], b = betas[ib], ba = 0, ra = 0, bb = 0, rb = 0, rs = 0;
                size_t n = ns[in];
                double *x = malloc(n * sizeof *x);
                if (!x) return 1;
                for (int rep = 0; rep < REPS; rep++) {
                    ts_stable law;
                    ts_rng r;
                    ts_stable_fit f;
                    ts_err e;
                    ts_stable_init(&law, a, b, 1, 0, TS_S1, NULL);
                    ts_rng_init(&r, 1000 + (uint64_t)rep, (uint64_t)(ia * 3 + ib), (uint64_t)in, TS_PURPOSE_TEST, NULL);
                    ts_stable_fill(&law, &r, n, x);
                    ts_status st = m == 0 ? ts_fit_koutrouvelis(x, n, TS_S1, &f, &e)
                                          : ts_fit_mcculloch(x, n, TS_S1, &f, &e);
                    if (st) {
                        fprintf(stderr, "fit_accuracy: %s\n", e.msg);
                        return 1;
                    }
                    ba += f.alpha - a;
                    ra += (f.alpha - a) * (f.alpha - a);
                    bb += f.beta - b;
                    rb += (f.beta - b) * (f.beta - b);
                    rs += (f.scale - 1) * (f.scale - 1);
                }
                free(x);
                printf("| %s | %zu | %g | %g | %+.4f | %.4f | %+.4f | %.4f | %.4f |\n",
                       m == 0 ? "koutrouvelis" : "mcculloch", n, a, b,
                       ba / REPS, sqrt(ra / REPS), bb / REPS, sqrt(rb / REPS), sqrt(rs / REPS));
              }
            }
    return 0;
}
