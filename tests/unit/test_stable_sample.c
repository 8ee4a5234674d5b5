/* test_stable_sample.c: the alpha-stable sampler against closed forms, the
 * exact characteristic function, and GSL's independent implementation.
 *
 * Tolerances (all runs use fixed seeds, so outcomes are deterministic):
 *  - KS tests reject when sqrt(n_eff) D > 1.949, the 1e-3 level: a correct
 *    sampler would fail a given check on a fresh seed once in a thousand.
 *  - ECF checks allow 5 standard deviations of the empirical mean of
 *    cos(uX) and sin(uX), whose variances follow from the exact CF:
 *    Var cos = (1 + Re phi(2u))/2 - (Re phi(u))^2, Var sin = (1 - Re phi(2u))/2 - (Im phi(u))^2.
 *    640 such checks at 5 sigma: a correct sampler fails one with odds ~4e-4.
 *  - Negative controls show each test has the power to fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_helpers.h"
#include "tailsweep/ts_stable.h"

static void draw(double alpha, double beta, double scale, double loc, ts_stable_param p,
                 uint64_t seed, size_t n, double *out)
{
    ts_stable law;
    ts_rng r;
    ts_err err;
    assert_int_equal(ts_stable_init(&law, alpha, beta, scale, loc, p, &err), TS_OK);
    assert_int_equal(ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, &err), TS_OK);
    ts_stable_fill(&law, &r, n, out);
}

static void expect_invalid(double a, double b, double s, double l, const char *word)
{
    ts_stable law;
    ts_err err;
    ts_err_clear(&err);
    assert_int_equal(ts_stable_init(&law, a, b, s, l, TS_S1, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, word));
}

static void test_bad_parameters(void **state)
{
    (void)state;
    expect_invalid(0.0, 0, 1, 0, "alpha");
    expect_invalid(2.5, 0, 1, 0, "alpha");
    expect_invalid(-1.0, 0, 1, 0, "alpha");
    expect_invalid(NAN, 0, 1, 0, "alpha");
    expect_invalid(1.5, 1.5, 1, 0, "beta");
    expect_invalid(1.5, -1.01, 1, 0, "beta");
    expect_invalid(1.5, NAN, 1, 0, "beta");
    expect_invalid(1.5, 0, 0.0, 0, "scale");
    expect_invalid(1.5, 0, -1.0, 0, "scale");
    expect_invalid(1.5, 0, INFINITY, 0, "scale");
    expect_invalid(1.5, 0, 1, NAN, "loc");
    ts_stable_param p;
    ts_err err;
    assert_int_equal(ts_stable_param_parse("S2", &p, &err), TS_EINVAL);
    assert_int_equal(ts_stable_param_parse("s0", &p, &err), TS_OK);
    assert_int_equal(p, TS_S0);
    ts_stable law;   /* the ends of the ranges are valid */
    assert_int_equal(ts_stable_init(&law, 2.0, -1.0, 1e-300, -1e300, TS_S0, &err), TS_OK);
    assert_int_equal(ts_stable_init(&law, 1e-3, 1.0, 1e300, 0, TS_S1, &err), TS_OK);
}

/* The block API and the scalar API give identical bits, for every branch. */
static void test_block_equals_scalar(void **state)
{
    (void)state;
    static const double alphas[] = { 2.0, 1.0, 1.5, 0.5, 0.999, 1.001 };
    enum { N = 777 };
    double blk[N];
    for (size_t k = 0; k < sizeof alphas / sizeof alphas[0]; k++) {
        ts_stable law;
        ts_rng a, b;
        assert_int_equal(ts_stable_init(&law, alphas[k], -0.7, 1.3, 0.2, TS_S0, NULL), TS_OK);
        ts_rng_init(&a, 77, 3, 1, TS_PURPOSE_TEST, NULL);
        ts_rng_init(&b, 77, 3, 1, TS_PURPOSE_TEST, NULL);
        ts_rng_uniform(&a);                 /* start off a lane boundary */
        ts_rng_uniform(&b);
        ts_stable_fill(&law, &a, N, blk);
        for (size_t i = 0; i < N; i++) {
            double one = ts_stable_draw(&law, &b);
            assert_memory_equal(&blk[i], &one, sizeof one);
            assert_true(isfinite(one));
        }
    }
}

typedef struct { double mu, sigma; } loc_scale;

static double gauss_cdf(double x, const void *c)   /* N(mu, 2 sigma^2) */
{
    const loc_scale *p = c;
    return 0.5 * erfc(-(x - p->mu) / (2.0 * p->sigma));
}
static double cauchy_cdf(double x, const void *c)
{
    const loc_scale *p = c;
    return 0.5 + atan((x - p->mu) / p->sigma) / M_PI;
}
static double levy_cdf(double x, const void *c)
{
    const loc_scale *p = c;
    return x <= p->mu ? 0.0 : erfc(sqrt(p->sigma / (2.0 * (x - p->mu))));
}

enum { NKS = 200000 };

/* sqrt(n) D of NKS draws of (alpha, beta, scale, loc) against cdf at truth. */
static double ks_stat(double alpha, double beta, ts_stable_param param, double scale,
                      double loc, double (*cdf)(double, const void *), loc_scale truth,
                      uint64_t seed)
{
    double *x = malloc(NKS * sizeof *x);
    assert_non_null(x);
    draw(alpha, beta, scale, loc, param, seed, NKS, x);
    double d = ks_one_sample(x, NKS, cdf, &truth) * sqrt((double)NKS);
    free(x);
    return d;
}

static void test_closed_forms_ks(void **state)
{
    (void)state;
    double d;
    /* alpha = 2: N(mu, 2 sigma^2), variance 2 sigma^2 (not sigma^2) */
    d = ks_stat(2.0, 0.3, TS_S1, 1.5, 0.7, gauss_cdf, (loc_scale){ 0.7, 1.5 }, 11);
    print_message("KS gauss   sqrt(n) D = %.3f\n", d);
    assert_true(d < KS_CRIT_1E3);
    /* alpha = 1, beta = 0: Cauchy(mu, sigma), S1 and S0 coincide */
    d = ks_stat(1.0, 0.0, TS_S1, 2.0, -1.0, cauchy_cdf, (loc_scale){ -1.0, 2.0 }, 12);
    print_message("KS cauchy  sqrt(n) D = %.3f\n", d);
    assert_true(d < KS_CRIT_1E3);
    /* alpha = 1/2, beta = 1: Levy(mu, sigma) in S1; in S0 mu0 = mu1 + sigma tan(pi/4) */
    d = ks_stat(0.5, 1.0, TS_S1, 0.8, 0.3, levy_cdf, (loc_scale){ 0.3, 0.8 }, 13);
    print_message("KS levy S1 sqrt(n) D = %.3f\n", d);
    assert_true(d < KS_CRIT_1E3);
    d = ks_stat(0.5, 1.0, TS_S0, 0.8, 0.3 + 0.8, levy_cdf, (loc_scale){ 0.3, 0.8 }, 14);
    print_message("KS levy S0 sqrt(n) D = %.3f\n", d);
    assert_true(d < KS_CRIT_1E3);
    /* negative control: a 2% scale error must be rejected at this n */
    d = ks_stat(2.0, 0.0, TS_S1, 1.02, 0.0, gauss_cdf, (loc_scale){ 0.0, 1.0 }, 15);
    print_message("KS negative control sqrt(n) D = %.3f (must exceed %.3f)\n", d, KS_CRIT_1E3);
    assert_true(d > KS_CRIT_1E3);
}

/* Largest |ECF - CF| in units of its standard deviation, over u. */
static double ecf_zmax(const ts_stable *truth, const double *x, size_t n)
{
    static const double us[] = { 0.2, 0.5, 1.0, 2.0 };
    double zmax = 0;
    for (size_t k = 0; k < sizeof us / sizeof us[0]; k++) {
        double u = us[k], c = 0, s = 0;
        for (size_t i = 0; i < n; i++) { c += cos(u * x[i]); s += sin(u * x[i]); }
        c /= n; s /= n;
        double re, im, re2, im2;
        ts_stable_cf(truth, u, &re, &im);
        ts_stable_cf(truth, 2 * u, &re2, &im2);
        double sd_c = sqrt(fmax((1 + re2) / 2 - re * re, 1e-12) / n);
        double sd_s = sqrt(fmax((1 - re2) / 2 - im * im, 1e-12) / n);
        double z = fmax(fabs(c - re) / sd_c, fabs(s - im) / sd_s);
        if (z > zmax) zmax = z;
    }
    return zmax;
}

static void test_characteristic_function_grid(void **state)
{
    (void)state;
    static const double alphas[] = { 0.5, 0.8, 1.0, 1.2, 1.5, 1.8, 1.95, 2.0 };
    static const double betas[] = { -1.0, -0.5, 0.0, 0.5, 1.0 };
    enum { N = 50000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    double worst = 0;
    uint64_t seed = 100;
    for (int p = 0; p < 2; p++)
        for (size_t a = 0; a < 8; a++)
            for (size_t b = 0; b < 5; b++) {
                ts_stable law;
                ts_stable_param param = p ? TS_S1 : TS_S0;
                ts_stable_init(&law, alphas[a], betas[b], 1.3, -0.4, param, NULL);
                draw(alphas[a], betas[b], 1.3, -0.4, param, seed++, N, x);
                double z = ecf_zmax(&law, x, N);
                if (z > worst) worst = z;
                if (z >= 5.0)
                    print_message("ECF mismatch alpha %g beta %g %s: %.2f sd\n", alphas[a],
                                  betas[b], ts_stable_param_name(param), z);
                assert_true(z < 5.0);
            }
    print_message("ECF grid: 80 laws x 4 u, worst deviation %.2f sd\n", worst);
    /* negative controls: the wrong sign of beta, and S0 read as S1, are caught */
    ts_stable flipped, other;
    ts_stable_init(&flipped, 1.5, -0.5, 1.3, -0.4, TS_S1, NULL);
    draw(1.5, 0.5, 1.3, -0.4, TS_S1, 999, N, x);
    assert_true(ecf_zmax(&flipped, x, N) > 5.0);
    ts_stable_init(&other, 1.8, 1.0, 1.3, -0.4, TS_S1, NULL);  /* S0 and S1 differ by 0.42 */
    draw(1.8, 1.0, 1.3, -0.4, TS_S0, 998, N, x);
    assert_true(ecf_zmax(&other, x, N) > 5.0);
    free(x);
}

/* Two-sample KS against GSL's gsl_ran_levy_skew, which samples S1(alpha, beta, c, 0). */
static void test_against_gsl(void **state)
{
    (void)state;
    static const double cases[][3] = { { 1.5, 0.5, 1.0 }, { 1.1, -0.9, 1.0 }, { 0.7, 0.3, 1.0 },
                                       { 1.0, 0.5, 1.0 }, { 1.0, -0.8, 2.5 }, { 1.9, -1.0, 0.7 } };
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    assert_true(x && y);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 31337);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double a = cases[k][0], b = cases[k][1], c = cases[k][2];
        draw(a, b, c, 0.0, TS_S1, 500 + k, N, x);
        for (size_t i = 0; i < N; i++) y[i] = gsl_ran_levy_skew(g, c, a, b);
        double d = ks_two_sample(x, N, y, N) * sqrt(N / 2.0);
        print_message("GSL alpha %.2f beta %+.2f c %.2f: sqrt(n/2) D = %.3f\n", a, b, c, d);
        assert_true(d < KS_CRIT_1E3);
    }
    gsl_rng_free(g);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_block_equals_scalar),
        cmocka_unit_test(test_closed_forms_ks),
        cmocka_unit_test(test_characteristic_function_grid),
        cmocka_unit_test(test_against_gsl),
    };
    return cmocka_run_group_tests_name("stable_sample", tests, NULL, NULL);
}
