/* test_fit_ctx.c: stable MLE fits carried across a sequence of samples
 * (ts_fit_ctx.h) against the cold MLE on the same data: a slowly drifting
 * law, as one layer's gradient noise from step to step in the mimic, and a
 * few dozen near-Gaussian values, where the likelihood is flat and its
 * maximum sits on alpha = 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "tailsweep/ts_fit_ctx.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_fast.h"

static double loglik(const ts_stable_fit *f, const double *x, size_t n)
{
    ts_err e = { 0 };
    ts_stable_fast *d = ts_stable_fast_alloc(f->alpha, f->beta, TS_S0, &e);
    assert_non_null(d);
    double v = ts_stable_fast_loglik(d, n, x, f->scale, f->loc);
    ts_stable_fast_free(d);
    return v;
}

/* S0 samples of 1000 from a law drifting from alpha 1.5 to 1.64 (beta 0.3,
 * scale 1e-3: gradient-noise sized) over 8 steps. The asymptotic standard
 * errors at n = 1000 are ~0.06 in alpha and ~0.1 in beta; the table route
 * must land within 0.01 and 0.02 of the cold fit (its quadratic model on a
 * 0.04 x 0.1 grid is measured at ~0.002), with no cold fit at all, and
 * build fewer tables than the cold fits evaluate likelihoods; the warm
 * simplex within 0.02 and 0.04. */
static void test_drifting_law(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, 3, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_fit_ctx *table, *warm;
    assert_int_equal(ts_fit_ctx_alloc(TS_FIT_ROUTE_TABLE, 0, &table, &err), TS_OK);
    assert_int_equal(ts_fit_ctx_alloc(TS_FIT_ROUTE_WARM, 0, &warm, &err), TS_OK);
    enum { N = 1000, STEPS = 8 };
    static double x[N];
    int cold_iters = 0;
    for (int s = 0; s < STEPS; s++) {
        ts_stable law;
        assert_int_equal(ts_stable_init(&law, 1.5 + 0.02 * s, 0.3, 1e-3, 2e-4, TS_S0, &err), TS_OK);
        ts_stable_fill(&law, &r, N, x);
        ts_stable_fit cold, t, w;
        assert_int_equal(ts_fit_mle(x, N, TS_S0, 0, &cold, NULL, &err), TS_OK);
        cold_iters += cold.iterations;
        assert_int_equal(ts_fit_ctx_fit(table, x, N, &t, &err), TS_OK);
        assert_int_equal(ts_fit_ctx_fit(warm, x, N, &w, &err), TS_OK);
        if (fabs(t.alpha - cold.alpha) > 0.01 || fabs(t.beta - cold.beta) > 0.02 ||
            fabs(log(t.scale / cold.scale)) > 0.01 || fabs(t.loc - cold.loc) > 0.01 * cold.scale)
            fail_msg("step %d: table (%g, %g, %g, %g) vs cold (%g, %g, %g, %g)", s, t.alpha, t.beta, t.scale, t.loc,
                     cold.alpha, cold.beta, cold.scale, cold.loc);
        if (s > 0 && (fabs(w.alpha - cold.alpha) > 0.02 || fabs(w.beta - cold.beta) > 0.04))
            fail_msg("step %d: warm (%g, %g) vs cold (%g, %g)", s, w.alpha, w.beta, cold.alpha, cold.beta);
        /* never a worse likelihood than the cold fit's by more than a
         * hundredth of a nat over the sample */
        assert_true(loglik(&cold, x, N) - loglik(&t, x, N) < 0.01);
    }
    ts_fit_ctx_counts k;
    ts_fit_ctx_get_counts(table, &k);
    assert_int_equal(k.fits, STEPS);
    assert_int_equal(k.cold_fits, 0);
    assert_true(k.tables_built > 0 && k.tables_built < (size_t)cold_iters);
    ts_fit_ctx_get_counts(warm, &k);
    assert_int_equal(k.cold_fits, 1);   /* the first */
    ts_fit_ctx_free(table);
    ts_fit_ctx_free(warm);
}

/* 48 Gaussian values, refitted as they change: the likelihood is flat in
 * beta and largest at alpha = 2; the table route holds alpha on its bound
 * and loses at most a fraction of a nat against the cold fit. */
static void test_few_gaussian_values(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, 5, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_fit_ctx *table;
    assert_int_equal(ts_fit_ctx_alloc(TS_FIT_ROUTE_TABLE, 0, &table, &err), TS_OK);
    double x[48];
    for (int s = 0; s < 5; s++) {
        ts_rng_normal_block(&r, 48, x);
        for (int i = 0; i < 48; i++) x[i] = 0.01 * (1 + 0.2 * s) * x[i];
        ts_stable_fit cold, t;
        ts_status st = ts_fit_mle(x, 48, TS_S0, 0, &cold, NULL, &err);
        assert_true(st == TS_OK || st == TS_ERANGE);
        assert_int_equal(ts_fit_ctx_fit(table, x, 48, &t, &err), TS_OK);
        assert_true(t.alpha >= TS_STABLE_FAST_ALPHA_MIN && t.alpha <= 2.0 && fabs(t.beta) <= 1.0 && t.scale > 0);
        double dl = loglik(&cold, x, 48) - loglik(&t, x, 48);
        if (!(dl < 1.0)) fail_msg("step %d: the table fit loses %g nats against the cold fit", s, dl);
    }
    ts_fit_ctx_free(table);
}

static void test_bad_input(void **state)
{
    (void)state;
    ts_err err = { 0 };
    ts_fit_ctx *c;
    assert_int_equal(ts_fit_ctx_alloc((ts_fit_route)7, 0, &c, &err), TS_EINVAL);
    assert_int_equal(ts_fit_ctx_alloc(TS_FIT_ROUTE_TABLE, 100, &c, &err), TS_OK);
    double x[200];
    for (int i = 0; i < 200; i++) x[i] = 1.0;
    ts_stable_fit f;
    assert_int_equal(ts_fit_ctx_fit(c, x, 200, &f, &err), TS_EINVAL);   /* constant: no law */
    assert_int_equal(ts_fit_ctx_fit(c, x, 5, &f, &err), TS_EINVAL);     /* too few */
    ts_fit_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drifting_law),
        cmocka_unit_test(test_few_gaussian_values),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("fit_ctx", tests, NULL, NULL);
}
