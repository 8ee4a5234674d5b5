/* test_stable_mle.c: the maximum-likelihood fit (ts_fit_mle) on simulated
 * data of known law (tailsweep's own sampler, fixed seeds), its standard
 * errors, the S1 conversion, and bad input.
 *
 * Tolerances. The MLE's asymptotic standard deviation for alpha at
 * n = 10^4 is 0.010-0.015 over the laws used here (its own observed-
 * information SEs; Nolan 2001 tabulates the same), so the target bound
 * RMSE <= 0.03 is ~2-3 sigma of the estimator and the 12-fit RMSE below
 * would exceed it only if the fitter were biased or noisy; each single
 * estimate is held to 0.06 (~4-5 sigma). Under ASan the 12 fits at
 * n = 10^4 take ~5 s, the 16 at n = 1000 ~4 s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fast.h"
#include "tailsweep/ts_stable_fit.h"

#include "stable_draws.h"

/* The accuracy target: RMSE(alpha) <= 0.03 at n = 10^4. Three laws across the range
 * (both skews, alpha near 1 and near 2), four replicates each, S0 data
 * with scale 2 and loc 1 (the estimates must carry them). */
static void test_mle_rmse_alpha(void **state)
{
    (void)state;
    const double laws[][2] = { { 1.2, -0.5 }, { 1.5, 0.5 }, { 1.8, 0.0 } };
    const size_t n = 10000;
    double sq = 0;
    int nfit = 0;
    for (int l = 0; l < 3; l++)
        for (int rep = 0; rep < 4; rep++) {
            double a = laws[l][0], b = laws[l][1];
            double *x = stable_draws(a, b, 2.0, 1.0, TS_S0, n, 500 + 10 * (uint64_t)l + (uint64_t)rep);
            ts_stable_fit f;
            ts_err err = { 0 };
            assert_int_equal(ts_fit_mle(x, n, TS_S0, 0, &f, NULL, &err), TS_OK);
            free(x);
            double e = f.alpha - a;
            sq += e * e;
            nfit++;
            /* beta: SD 0.02-0.03 at these alphas; scale ~0.5%; loc (S0) ~0.01 scale */
            if (fabs(e) > 0.06 || fabs(f.beta - b) > 0.12 || fabs(f.scale / 2 - 1) > 0.04 || fabs(f.loc - 1) > 0.1)
                fail_msg("alpha %g beta %g rep %d: got alpha %.4f beta %.4f scale %.4f loc %.4f", a, b, rep, f.alpha,
                         f.beta, f.scale, f.loc);
            assert_int_equal(f.param, TS_S0);
            assert_true(f.iterations > 0);
        }
    double rmse = sqrt(sq / nfit);
    if (rmse > 0.03) fail_msg("alpha RMSE %.4f over %d fits at n = 10^4 exceeds 0.03", rmse, nfit);
}

/* The standard errors describe the spread across replicates: 16 fits at
 * n = 1000 of S1(1.5, 0.5, 1, 0). The sample SD of 16 estimates has a
 * relative standard error of ~18%, so the ratio SD / mean(SE) is held to
 * [0.6, 1.6] (~2.5-3 sigma); each estimate within 4.5 of its own SEs. */
static void test_mle_standard_errors(void **state)
{
    (void)state;
    enum { R = 16 };
    const size_t n = 1000;
    const double truth[4] = { 1.5, 0.5, 1.0, 0.0 };
    double est[R][4], se[R][4];
    for (int r = 0; r < R; r++) {
        double *x = stable_draws(1.5, 0.5, 1.0, 0.0, TS_S1, n, 900 + (uint64_t)r);
        ts_stable_fit f;
        ts_err err = { 0 };
        assert_int_equal(ts_fit_mle(x, n, TS_S1, 1, &f, se[r], &err), TS_OK);
        free(x);
        est[r][0] = f.alpha;
        est[r][1] = f.beta;
        est[r][2] = f.scale;
        est[r][3] = f.loc;
        for (int k = 0; k < 4; k++) {
            if (!(se[r][k] > 0 && se[r][k] < 1)) fail_msg("rep %d: se[%d] = %g", r, k, se[r][k]);
            if (fabs(est[r][k] - truth[k]) > 4.5 * se[r][k])
                fail_msg("rep %d parameter %d: %.4f is %.1f SEs (%.4f) from %g", r, k, est[r][k],
                         fabs(est[r][k] - truth[k]) / se[r][k], se[r][k], truth[k]);
        }
    }
    for (int k = 0; k < 4; k++) {
        double m = 0, v = 0, ms = 0;
        for (int r = 0; r < R; r++) {
            m += est[r][k] / R;
            ms += se[r][k] / R;
        }
        for (int r = 0; r < R; r++) v += (est[r][k] - m) * (est[r][k] - m) / (R - 1);
        double ratio = sqrt(v) / ms;
        if (ratio < 0.6 || ratio > 1.6)
            fail_msg("parameter %d: spread %.4f vs mean SE %.4f (ratio %.2f)", k, sqrt(v), ms, ratio);
    }
}

/* S1 and S0 fits of the same data: the same law, locations related by
 * loc1 = loc0 - beta scale tan(pi alpha / 2); and the MLE beats its start. */
static void test_mle_s1_and_start(void **state)
{
    (void)state;
    const size_t n = 3000;
    double *x = stable_draws(1.3, -0.7, 0.5, 2.0, TS_S1, n, 77);
    ts_stable_fit f0, f1, k;
    double se0[4], se1[4];
    assert_int_equal(ts_fit_mle(x, n, TS_S0, 1, &f0, se0, NULL), TS_OK);
    assert_int_equal(ts_fit_mle(x, n, TS_S1, 1, &f1, se1, NULL), TS_OK);
    assert_true(f0.alpha == f1.alpha && f0.beta == f1.beta && f0.scale == f1.scale);
    assert_true(fabs(f1.loc - (f0.loc - f0.beta * f0.scale * tan(M_PI * f0.alpha / 2))) < 1e-9);
    assert_true(fabs(f1.loc - 2.0) < 4 * se1[3] && se1[3] > 0);
    for (int i = 0; i < 3; i++) assert_true(se0[i] == se1[i]);
    /* the likelihood at the MLE is at least that at the Koutrouvelis start */
    assert_int_equal(ts_fit_koutrouvelis(x, n, TS_S0, &k, NULL), TS_OK);
    ts_stable_fast *dk = ts_stable_fast_alloc(k.alpha, k.beta, TS_S0, NULL);
    ts_stable_fast *dm = ts_stable_fast_alloc(f0.alpha, f0.beta, TS_S0, NULL);
    assert_non_null(dk);
    assert_non_null(dm);
    double lk = ts_stable_fast_loglik(dk, n, x, k.scale, k.loc);
    double lm = ts_stable_fast_loglik(dm, n, x, f0.scale, f0.loc);
    if (!(lm >= lk)) fail_msg("loglik at the MLE %.6f < at the start %.6f", lm, lk);
    /* and it is a maximum: small moves of each parameter do not raise it */
    const double hs[4] = { 2e-3, 4e-3, 1e-3, 1e-3 };
    for (int p = 0; p < 4; p++)
        for (int sg = -1; sg <= 1; sg += 2) {
            double th[4] = { f0.alpha, f0.beta, f0.scale, f0.loc };
            th[p] += sg * hs[p];
            ts_stable_fast *d = ts_stable_fast_alloc(th[0], th[1], TS_S0, NULL);
            assert_non_null(d);
            double l = ts_stable_fast_loglik(d, n, x, th[2], th[3]);
            ts_stable_fast_free(d);
            if (l > lm + 1e-6) fail_msg("parameter %d moved by %g: loglik %.8f > %.8f", p, sg * hs[p], l, lm);
        }
    ts_stable_fast_free(dk);
    ts_stable_fast_free(dm);
    free(x);
}

/* Gaussian data: alpha goes to its bound 2; the fit still succeeds. Beta
 * is not identified there, so its SE may be NaN; alpha's may be too (on
 * the bound), but scale's is finite. */
static void test_mle_gaussian(void **state)
{
    (void)state;
    const size_t n = 2000;
    double *x = stable_draws(2.0, 0.0, 1.5, -3.0, TS_S1, n, 31);
    ts_stable_fit f;
    double se[4];
    ts_err err = { 0 };
    assert_int_equal(ts_fit_mle(x, n, TS_S1, 1, &f, se, &err), TS_OK);
    assert_true(f.alpha > 1.95 && f.alpha <= 2.0);
    assert_true(fabs(f.scale / 1.5 - 1) < 0.06);
    assert_true(f.beta >= -1 && f.beta <= 1);
    free(x);
}

/* Below the fast density's range (alpha < 0.6) the likelihood is summed
 * from the accurate density: alpha 0.35 and 0.1 are fitted like any other
 * law. Tolerances: 4 of the fit's own standard errors (the estimates are
 * asymptotically normal; a wrong density or a stalled simplex misses by
 * far more), and those errors against their sizes in the MLE accuracy
 * study (docs/stable-fitting.md): alpha's ~0.015 at 0.35, ~0.003 at 0.1. */
static void test_mle_small_alpha(void **state)
{
    (void)state;
    const size_t n = 400;
    const double al[2] = { 0.35, 0.1 }, be[2] = { 0.4, -0.3 };
    for (int i = 0; i < 2; i++) {
        double *x = stable_draws(al[i], be[i], 2.0, 1.0, TS_S1, n, 51 + i);
        ts_stable_fit f;
        double se[4];
        ts_err err = { 0 };
        ts_status st = ts_fit_mle(x, n, TS_S1, 1, &f, se, &err);
        if (st) fail_msg("alpha %g: %s", al[i], err.msg);
        if (!(fabs(f.alpha - al[i]) < 4 * se[0] && se[0] < 0.1 * al[i] && se[0] > 0.01 * al[i]))
            fail_msg("alpha %g: estimate %g, standard error %g", al[i], f.alpha, se[0]);
        if (!(fabs(f.beta - be[i]) < 4 * se[1] && se[1] < 0.2))
            fail_msg("alpha %g: beta %g, standard error %g", al[i], f.beta, se[1]);
        /* the spike sits at the S1 location: pinned to a tiny fraction of the scale */
        if (!(fabs(f.loc - 1.0) < 4 * se[3] + 1e-12 && se[3] < 0.05))
            fail_msg("alpha %g: loc %.10g, standard error %g", al[i], f.loc, se[3]);
        if (!(f.scale > 0 && isfinite(se[2]))) fail_msg("alpha %g: scale %g se %g", al[i], f.scale, se[2]);
        free(x);
    }
}

/* Data heavier-tailed than the fit's lower limit (alpha 0.05): TS_ERANGE,
 * with the bounded fit filled in and no standard errors. */
static void test_mle_below_range(void **state)
{
    (void)state;
    const size_t n = 300;
    double *x = stable_draws(0.02, 0.0, 1.0, 0.0, TS_S1, n, 41);
    ts_stable_fit f;
    double se[4];
    ts_err err = { 0 };
    assert_int_equal(ts_fit_mle(x, n, TS_S1, 1, &f, se, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "lower limit"));
    assert_true(f.alpha >= TS_FIT_MLE_ALPHA_MIN && f.alpha < TS_FIT_MLE_ALPHA_MIN + 0.01);
    assert_true(f.scale > 0 && isnan(se[0]));
    free(x);
}

static void test_mle_bad_input(void **state)
{
    (void)state;
    double c[100], small[5] = { 1, 2, 3, 4, 5 }, se[4];
    ts_stable_fit f;
    ts_err err = { 0 };
    for (int i = 0; i < 100; i++) c[i] = 4.0;
    assert_int_equal(ts_fit_mle(c, 100, TS_S1, 0, &f, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "constant"));
    assert_int_equal(ts_fit_mle(small, 5, TS_S1, 0, &f, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "at least"));
    assert_int_equal(ts_fit_mle(NULL, 0, TS_S1, 0, &f, NULL, &err), TS_EINVAL);
    c[17] = NAN;
    assert_int_equal(ts_fit_mle(c, 100, TS_S1, 1, &f, se, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "value 18"));
    assert_true(isnan(se[0]));
    c[17] = INFINITY;
    assert_int_equal(ts_fit_mle(c, 100, TS_S1, 0, &f, NULL, &err), TS_EINVAL);
    for (int i = 0; i < 100; i++) c[i] = i;
    assert_int_equal(ts_fit_mle(c, 100, TS_S1, 1, &f, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "se"));
    assert_int_equal(ts_fit_mle(c, 100, (ts_stable_param)9, 0, &f, NULL, &err), TS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mle_rmse_alpha),
        cmocka_unit_test(test_mle_standard_errors),
        cmocka_unit_test(test_mle_s1_and_start),
        cmocka_unit_test(test_mle_gaussian),
        cmocka_unit_test(test_mle_small_alpha),
        cmocka_unit_test(test_mle_below_range),
        cmocka_unit_test(test_mle_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
