/* test_stable_scan.c: the density, log-density, cdf and survival function on
 * a dense grid of (alpha, beta, x), out to |x| = 1e8, in S0 and S1: every
 * point must succeed and be consistent: no quadrature failure anywhere.
 *
 * Grid: 28 values of alpha from 0.1 to 2, clustered where the integral is
 * delicate (within 1e-6 .. 1e-3 of alpha = 1, next to 2), 11 of beta
 * (+-1 and within 1e-9 and 1e-5 of it, next to 0, the middle), and x = 0
 * and +-10^k for k from -12 to 8 in steps of 1/4: 163 points, so ~100 000
 * points per function in all. Each is evaluated through the vector API
 * (every point evaluated, per-point status) and checked:
 *   status TS_OK; pdf >= 0 and finite; cdf, sf in [0, 1] with
 *   |cdf + sf - 1| <= 4 eps; log(pdf) = logpdf to 1e-12 where pdf > 0
 *   (logpdf finite or -inf); cdf non-decreasing along x to 1e-15.
 * Accuracy itself is the business of test_stable_dist.c and the oracles;
 * this test is about never failing and never returning nonsense. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"

static const double ALPHA[] = { 0.1, 0.2, 0.3, 0.45, 0.5, 0.55, 0.7, 0.9, 0.99, 0.999, 0.9999, 0.99995,
                                 1 - 1e-6, 1.0, 1 + 1e-6, 1.00005, 1.0001, 1.001, 1.01, 1.1, 1.3, 1.5,
                                 1.7, 1.9, 1.99, 1.999, 1.99999, 2.0 };
static const double BETA[] = { -1.0, -0.999999999, -0.9, -0.5, -1e-5, 0.0, 1e-5, 0.3, 0.9, 0.99999, 1.0 };
enum { NA = sizeof ALPHA / sizeof ALPHA[0], NB = sizeof BETA / sizeof BETA[0], NX = 163 };

static void grid(double *x)
{
    int n = 0;
    /* ascending: -1e8 .. -1e-12, 0, 1e-12 .. 1e8 */
    for (int k = 32; k >= -48; k--) x[n++] = -pow(10.0, k / 4.0);
    x[n++] = 0.0;
    for (int k = -48; k <= 32; k++) x[n++] = pow(10.0, k / 4.0);
    (void)n;
}

static void test_dense_grid(void **state)
{
    (void)state;
    double x[NX], f[NX], lf[NX], F[NX], Q[NX];
    ts_status st[4][NX];
    grid(x);
    long points = 0, failures = 0, bad = 0;
    for (int p = 0; p < 2; p++)
        for (int a = 0; a < NA; a++)
            for (int b = 0; b < NB; b++) {
                ts_stable law;
                ts_err err;
                assert_int_equal(ts_stable_init(&law, ALPHA[a], BETA[b], 1.0, 0.0, p ? TS_S1 : TS_S0, &err),
                                 TS_OK);
                ts_stable_eval_vec(&law, TS_STABLE_PDF, NX, x, f, st[0], NULL);
                ts_stable_eval_vec(&law, TS_STABLE_LOGPDF, NX, x, lf, st[1], NULL);
                ts_stable_eval_vec(&law, TS_STABLE_CDF, NX, x, F, st[2], NULL);
                ts_stable_eval_vec(&law, TS_STABLE_SF, NX, x, Q, st[3], NULL);
                for (int i = 0; i < NX; i++) {
                    points++;
                    for (int k = 0; k < 4; k++)
                        if (st[k][i]) {
                            if (failures++ < 20)
                                print_error("FAIL %s alpha %.17g beta %.17g x %.17g fn %d: status %d\n",
                                            p ? "S1" : "S0", ALPHA[a], BETA[b], x[i], k, st[k][i]);
                        }
                    int ok = f[i] >= 0.0 && isfinite(f[i]) && !isnan(lf[i]) && lf[i] != INFINITY
                             && F[i] >= 0.0 && F[i] <= 1.0 && Q[i] >= 0.0 && Q[i] <= 1.0
                             && fabs(F[i] + Q[i] - 1.0) <= 4 * DBL_EPSILON
                             && (!(f[i] > 0.0) || fabs(log(f[i]) - lf[i]) <= 1e-12 * fmax(1.0, fabs(lf[i])))
                             && (i == 0 || F[i] >= F[i - 1] - 1e-15);
                    if (!ok && bad++ < 20)
                        print_error("BAD %s alpha %.17g beta %.17g x %.17g: pdf %g logpdf %g cdf %g sf %g\n",
                                    p ? "S1" : "S0", ALPHA[a], BETA[b], x[i], f[i], lf[i], F[i], Q[i]);
                }
            }
    print_message("%ld points x 4 functions: %ld failures, %ld inconsistent\n", points, failures, bad);
    assert_int_equal(failures, 0);
    assert_int_equal(bad, 0);
    assert_true(points == 2L * NA * NB * NX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
