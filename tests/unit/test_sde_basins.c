/* test_sde_basins.c: a user's polynomial potential, its basins, Gibbs
 * expectations by quadrature, the small-noise law of exits, test-function
 * parsing, and the run's basin statistics and step-size-weighted averages
 * against an independent scalar replay of the same chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_sde.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"

static void poly(ts_potential *p, const char *text)
{
    ts_err err = { 0 };
    if (ts_potential_parse_poly(p, text, "poly", &err)) fail_msg("%s: %s", text, err.msg);
}

static void basins(const ts_potential *p, ts_basins *b)
{
    ts_err err = { 0 };
    if (ts_potential_basins(p, b, &err)) fail_msg("basins: %s", err.msg);
}

/* Critical points of known polynomials: exact to 1e-12. */
static void test_poly_basins(void **state)
{
    (void)state;
    ts_potential p;
    ts_basins b;
    /* the quartic as a polynomial: minima -1, 1, barrier 0 */
    poly(&p, "0, 0, -0.5, 0, 0.25");
    basins(&p, &b);
    assert_int_equal(b.n, 2);
    assert_true(fabs(b.min[0] + 1) < 1e-12 && fabs(b.min[1] - 1) < 1e-12 && fabs(b.hi[0]) < 1e-12);
    assert_true(isinf(b.lo[0]) && isinf(b.hi[1]) && b.lo[1] == b.hi[0]);
    /* f' = w^5 - 5 w^3 + 4 w = w (w^2 - 1)(w^2 - 4): minima -2, 0, 2, maxima -1, 1 */
    poly(&p, "0 0 2 0 -1.25 0 0.1666666666666666667");
    basins(&p, &b);
    assert_int_equal(b.n, 3);
    const double mins[3] = { -2, 0, 2 }, maxs[2] = { -1, 1 };
    for (int i = 0; i < 3; i++) assert_true(fabs(b.min[i] - mins[i]) < 1e-12);
    for (int i = 0; i < 2; i++) assert_true(fabs(b.hi[i] - maxs[i]) < 1e-12 && b.lo[i + 1] == b.hi[i]);
    /* f = w^4: f' = 4 w^3 has a triple root, which the companion matrix
     * returns as a complex cluster; it is still the one minimum */
    poly(&p, "0,0,0,0,1");
    basins(&p, &b);
    assert_int_equal(b.n, 1);
    assert_true(fabs(b.min[0]) < 1e-12);
    /* f = w^4/4 - w^3/3: f' = w^2 (w - 1): 0 is an inflection, 1 the minimum */
    poly(&p, "0, 0, 0, -0.3333333333333333, 0.25");
    basins(&p, &b);
    assert_int_equal(b.n, 1);
    assert_true(fabs(b.min[0] - 1) < 1e-12);
    /* the wide-basin job's sextic: f' = (w + 1) w (w - 2) ((w - 1.5)^2 + 0.09) / 4 */
    poly(&p, "0, 0, -0.585, 0.305, 0.20875, -0.2, 0.0416666666666667");
    basins(&p, &b);
    assert_int_equal(b.n, 2);
    assert_true(fabs(b.min[0] + 1) < 1e-9 && fabs(b.min[1] - 2) < 1e-9 && fabs(b.hi[0]) < 1e-12);
    /* inf f'' of w^4/4 - w^2/2 is -1 (at 0) */
    poly(&p, "0, 0, -0.5, 0, 0.25");
    assert_true(fabs(ts_potential_min_hess(&p) + 1) < 1e-12);
    /* a quadratic: f'' = 2 c2 */
    poly(&p, "1, 2, 3");
    assert_true(ts_potential_min_hess(&p) == 6);
}

static void bad_poly(const char *text, const char *word)
{
    ts_potential p;
    ts_err err = { 0 };
    assert_int_equal(ts_potential_parse_poly(&p, text, "poly", &err), TS_EINVAL);
    if (!strstr(err.msg, word)) fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, word);
}

static void test_poly_parse_errors(void **state)
{
    (void)state;
    bad_poly("0, 1, 0, 1", "even degree");
    bad_poly("0, 0, -1", "positive leading");
    bad_poly("", "no coefficients");
    bad_poly("0, 1e999, 1", "not a number");
    bad_poly("1, 2, three", "'three' is not a number");
    bad_poly("1,1,1,1,1,1,1,1,1,1,1,1,1,1", "more than 13");
    ts_potential p;
    assert_int_equal(ts_potential_parse_poly(&p, "0, 0, 1, 0, 0", "poly", NULL), TS_OK);  /* w^2 */
    assert_int_equal(p.deg, 2);
}

/* Gibbs expectations: the harmonic potential's variance eps^alpha / k, the
 * symmetric quartic's basins hold 1/2 each, three basins sum to 1. */
static double sq(double w, void *v)
{
    (void)v;
    return w * w;
}

static void test_gibbs_expectations(void **state)
{
    (void)state;
    ts_potential p;
    double v;
    ts_potential_harmonic(&p, 2.5, NULL);
    assert_int_equal(ts_potential_gibbs_expect(&p, 0.7, 1.5, sq, NULL, -INFINITY, INFINITY, &v, NULL), TS_OK);
    assert_true(fabs(v - pow(0.7, 1.5) / 2.5) < 1e-10 * v);
    /* half the mass right of the centre */
    assert_int_equal(ts_potential_gibbs_expect(&p, 0.7, 1.5, NULL, NULL, 0, INFINITY, &v, NULL), TS_OK);
    assert_true(fabs(v - 0.5) < 1e-11);
    ts_potential_double_well(&p, 1, 0, NULL);
    assert_int_equal(ts_potential_gibbs_expect(&p, 0.3, 1.2, NULL, NULL, -INFINITY, 0, &v, NULL), TS_OK);
    assert_true(fabs(v - 0.5) < 1e-11);
    poly(&p, "0 0 2 0 -1.25 0 0.1666666666666666667");
    ts_basins b;
    basins(&p, &b);
    double s = 0;
    for (size_t i = 0; i < b.n; i++) {
        assert_int_equal(ts_potential_gibbs_expect(&p, 0.8, 1.7, NULL, NULL, b.lo[i], b.hi[i], &v, NULL), TS_OK);
        s += v;
    }
    assert_true(fabs(s - 1) < 1e-11);
}

/* C_alpha is the tail constant of S1(alpha, theta, 1, 0):
 * P(L > x) x^alpha -> C_alpha (1 + theta) / 2, checked with the stable
 * survival function at x = 1e4 (the next term is O(x^-alpha) relative). */
static void test_law_constant(void **state)
{
    (void)state;
    assert_true(fabs(ts_sde_law_c_alpha(1) - 2 / M_PI) < 1e-15);
    assert_true(fabs(ts_sde_law_c_alpha(1 + 1e-7) - 2 / M_PI) < 1e-6);   /* continuous at 1 */
    assert_true(fabs(ts_sde_law_c_alpha(1.5) - 1 / sqrt(2 * M_PI)) < 1e-14);
    assert_true(ts_sde_law_c_alpha(2) == 0);
    const double as[] = { 1.3, 1.6, 1.9 }, th = 0.5, x = 1e4;
    for (int i = 0; i < 3; i++) {
        ts_stable law;
        double sf;
        assert_int_equal(ts_stable_init(&law, as[i], th, 1, 0, TS_S1, NULL), TS_OK);
        assert_int_equal(ts_stable_sf(&law, x, &sf, NULL), TS_OK);
        double want = ts_sde_law_c_alpha(as[i]) * (1 + th) / 2;
        assert_true(fabs(sf * pow(x, as[i]) / want - 1) < 2e-3);
    }
}

/* The law's rates for the quartic and the stationary law of its jump chain:
 * two basins give occupancy lambda_1 / (lambda_0 + lambda_1); three basins
 * satisfy pi Q = 0 with Q built here from the Levy measure directly. */
static void test_law_rates_and_occupancy(void **state)
{
    (void)state;
    ts_potential p;
    ts_basins b;
    ts_potential_double_well(&p, 1, 0, NULL);
    basins(&p, &b);
    double rate[TS_SDE_MAX_BASINS], occ[TS_SDE_MAX_BASINS];
    const double al = 1.4, th = 0.3, eps = 0.2, ca = ts_sde_law_c_alpha(al), ea = pow(eps, al);
    ts_sde_law(&b, al, th, eps, rate, occ);
    /* the left basin leaves by jumps right over distance 1, the right one by jumps left */
    assert_true(fabs(rate[0] - ea * ca * (1 + th) / 2) < 1e-15);
    assert_true(fabs(rate[1] - ea * ca * (1 - th) / 2) < 1e-15);
    assert_true(fabs(occ[0] - (1 - th) / 2) < 1e-14 && fabs(occ[1] - (1 + th) / 2) < 1e-14);
    ts_sde_law(&b, 2, th, eps, rate, occ);
    assert_true(rate[0] == 0 && isnan(occ[0]));
    /* three basins: minima -2, 0, 2, barriers -1, 1 */
    poly(&p, "0 0 2 0 -1.25 0 0.1666666666666666667");
    basins(&p, &b);
    ts_sde_law(&b, al, th, eps, rate, occ);
    /* Q from the Levy tails nu((x, inf)) = C (1+th)/2 x^-al, nu((-inf,-x)) = C (1-th)/2 x^-al */
    double m0 = b.min[0], m1 = b.min[1], m2 = b.min[2], c1 = b.hi[0], c2 = b.hi[1];
#define R(x) (ca * (1 + th) / 2 * pow((x), -al))
#define Lf(x) (ca * (1 - th) / 2 * pow((x), -al))
    double q[3][3] = {
        { 0, ea * (R(c1 - m0) - R(c2 - m0)), ea * R(c2 - m0) },
        { ea * Lf(m1 - c1), 0, ea * R(c2 - m1) },
        { ea * Lf(m2 - c1), ea * (Lf(m2 - c2) - Lf(m2 - c1)), 0 },
    };
#undef R
#undef Lf
    double s = 0;
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(rate[i] - (q[i][0] + q[i][1] + q[i][2])) < 1e-14);
        s += occ[i];
    }
    assert_true(fabs(s - 1) < 1e-13);
    for (int j = 0; j < 3; j++) {
        double in = 0;
        for (int i = 0; i < 3; i++) in += occ[i] * q[i][j];
        assert_true(fabs(in - occ[j] * rate[j]) < 1e-13 * rate[j]);
    }
}

static void test_test_function_parse(void **state)
{
    (void)state;
    ts_test_fn t[TS_SDE_MAX_TESTS];
    size_t n;
    ts_err err = { 0 };
    assert_int_equal(ts_test_fns_parse(" moment:3 ; basin : 1;poly:1, 0, -2 ;", t, &n, &err), TS_OK);
    assert_int_equal(n, 3);
    assert_true(t[0].kind == TS_TEST_MOMENT && t[0].index == 3);
    assert_true(t[1].kind == TS_TEST_BASIN && t[1].index == 1);
    assert_true(t[2].kind == TS_TEST_POLY && t[2].deg == 2 && t[2].coef[2] == -2);
    ts_basins b = { .n = 2, .min = { -1, 1 }, .lo = { -INFINITY, 0 }, .hi = { 0, INFINITY } };
    assert_true(ts_test_fn_eval(&t[0], &b, -2) == -8);
    assert_true(ts_test_fn_eval(&t[1], &b, 0) == 1 && ts_test_fn_eval(&t[1], &b, -1e-300) == 0);
    assert_true(ts_test_fn_eval(&t[2], &b, 3) == -17);
    assert_int_equal(ts_test_fns_parse("", t, &n, NULL), TS_OK);
    assert_int_equal(n, 0);
    const char *bad[] = { "moment:0", "moment", "basin:x", "sin:1", "poly:", "poly:1,q",
                          "moment:1;moment:1;moment:1;moment:1;moment:1;moment:1;moment:1;moment:1;moment:1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_int_equal(ts_test_fns_parse(bad[i], t, &n, NULL), TS_EINVAL);
}

/* ---- the run's statistics against a scalar replay ----------------------- */

typedef struct {
    double time[2], trans[2], et_sum[2], et_n[2], tw[3], tu[3], W, N;
} replay_out;

/* The same eight chains (group 0 of a one-coordinate task), stepped one at
 * a time with the arithmetic of the kernel (explicit Euler on the double
 * well), and observed by the definitions of docs/sde.md written out
 * directly: time in a basin is the sum of the step sizes of the states in
 * it; an exit from a basin is reaching another basin's minimum after this
 * one's; an exit time runs from a crossing of the minimum to the next
 * change of basin. */
static void replay(const ts_sde_config *c, uint64_t seed, replay_out *o)
{
    memset(o, 0, sizeof *o);
    ts_rng parent, rng;
    ts_stable law;
    assert_int_equal(ts_rng_init(&parent, seed, 0, 0, TS_PURPOSE_SDE_NOISE, NULL), TS_OK);
    assert_int_equal(ts_rng_substream(&rng, &parent, 0, NULL), TS_OK);
    assert_int_equal(ts_stable_init(&law, c->alpha, c->theta[0], 1, 0, TS_S1, NULL), TS_OK);
    ts_basins b;
    basins(&c->pot[0], &b);
    const ts_potential *p = &c->pot[0];
    double x[8], z[256 * 8], arm_t[8];
    int cur[8], last[8], armed[8], side[8];
    for (int j = 0; j < 8; j++) x[j] = c->w0;
    double clock = 0;
    for (uint64_t k0 = 0; k0 < c->steps; k0 += 256) {
        size_t n = c->steps - k0 < 256 ? (size_t)(c->steps - k0) : 256;
        ts_stable_fill(&law, &rng, n * 8, z);
        for (size_t t = 0; t < n; t++) {
            uint64_t k = k0 + t;
            double eta = c->gamma == 0 ? c->eta0 : c->eta0 / pow(1 + (double)k / c->k0, c->gamma);
            double sc = c->eps * pow(eta, 1 / c->alpha);
            for (int j = 0; j < 8; j++) {
                double w = x[j], bj = -(w * w * w - p->a * w + p->c);
                x[j] = w + eta * bj + fma(sc, z[t * 8 + j], 0.0);
                assert_true(fabs(x[j]) <= c->bound);
            }
            if (k < c->burnin) continue;
            double before = clock;
            clock += eta;
            for (int j = 0; j < 8; j++) {
                int bk = x[j] >= b.hi[0];
                o->time[bk] += eta;
                if (k == c->burnin) {
                    cur[j] = bk, last[j] = -1, armed[j] = 0, side[j] = x[j] > b.min[bk];
                } else if (bk != cur[j]) {
                    if (armed[j]) o->et_sum[cur[j]] += before - arm_t[j], o->et_n[cur[j]] += 1;
                    cur[j] = bk, armed[j] = 0, side[j] = x[j] > b.min[bk];
                } else if (!armed[j] && (x[j] > b.min[bk]) != side[j]) {
                    armed[j] = 1, arm_t[j] = before;
                    if (last[j] >= 0 && last[j] != bk) o->trans[last[j]] += 1;
                    last[j] = bk;
                }
                double g[3] = { x[j], bk == 1, 1 - 2 * x[j] * x[j] };
                for (int i = 0; i < 3; i++) o->tw[i] += eta * g[i], o->tu[i] += g[i];
                o->W += eta, o->N += 1;
            }
        }
    }
}

static void test_statistics_match_replay(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = 1.7;
    c.theta[0] = 0.4;
    c.eps = 0.5;
    c.eta0 = 2e-3;
    c.gamma = 0.5;   /* decreasing steps: the weights matter */
    c.k0 = 2000;
    c.steps = 30000;
    c.burnin = 700;
    c.chains = 8;
    c.w0 = -1;
    ts_err err = { 0 };
    assert_int_equal(ts_test_fns_parse("moment:1; basin:1; poly:1, 0, -2", c.tests, &c.n_tests, &err), TS_OK);
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(&c, 9, 0, 0, &r, &err), TS_OK);
    assert_int_equal(r.diverged, 0);
    replay_out o;
    replay(&c, 9, &o);
    const ts_basin_stats *s = &r.stats[0];
    assert_true(o.trans[0] + o.trans[1] > 20 && o.et_n[0] + o.et_n[1] > 20);   /* the check has teeth */
    for (int i = 0; i < 2; i++) {
        /* times: sums of the same step sizes in another order */
        assert_true(fabs(s->time[i] - o.time[i]) <= 1e-9 * o.time[i]);
        assert_true(s->exits[i] == o.trans[i]);
        assert_true(s->exit_time_n[i] == o.et_n[i]);
        assert_true(fabs(s->exit_time_sum[i] - o.et_sum[i]) <= 1e-9 * o.et_sum[i]);
    }
    for (int i = 0; i < 3; i++) {
        assert_true(fabs(r.tests[0].weighted[i] - o.tw[i] / o.W) <= 1e-9 * (1 + fabs(o.tw[i] / o.W)));
        assert_true(fabs(r.tests[0].unweighted[i] - o.tu[i] / o.N) <= 1e-9 * (1 + fabs(o.tu[i] / o.N)));
    }
    /* nu_N and the plain mean differ when the steps shrink */
    assert_true(fabs(r.tests[0].weighted[0] - r.tests[0].unweighted[0]) > 1e-6);
    /* weighted bins are scaled back to the count of samples */
    assert_true(r.bins[0]->total == o.N);
    ts_sde_run_result_free(&r);
}

/* With a constant step every state weighs the same: the basin-1 indicator's
 * average over all steps is the basin's occupancy (up to the rounding of
 * sums of step sizes), and nu_N equals the plain mean. */
static void test_indicator_is_occupancy(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = 1.5;
    c.eps = 0.6;
    c.steps = 20000;
    c.chains = 20;
    c.scheme = TS_SCHEME_IMPLICIT;
    assert_int_equal(ts_test_fns_parse("basin:1", c.tests, &c.n_tests, NULL), TS_OK);
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(&c, 3, 1, 0, &r, NULL), TS_OK);
    const ts_basin_stats *s = &r.stats[0];
    double occ = s->time[1] / s->total_time;
    assert_true(occ > 0.2 && occ < 0.8);
    assert_true(fabs(r.tests[0].unweighted[0] - occ) < 1e-10);
    assert_true(fabs(r.tests[0].weighted[0] - r.tests[0].unweighted[0]) < 1e-12);
    assert_true(fabs(s->total_time - 20.0 * (double)(c.steps - c.burnin) * c.eta0) < 1e-8);
    ts_sde_run_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poly_basins),
        cmocka_unit_test(test_poly_parse_errors),
        cmocka_unit_test(test_gibbs_expectations),
        cmocka_unit_test(test_law_constant),
        cmocka_unit_test(test_law_rates_and_occupancy),
        cmocka_unit_test(test_test_function_parse),
        cmocka_unit_test(test_statistics_match_replay),
        cmocka_unit_test(test_indicator_is_occupancy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
