/* test_stable_eval.c: the pieces behind the accurate stable density: the
 * Gauss-Kronrod rule's constants, the light side's saddlepoint
 * coefficients, the switch from the integral to that expansion, and the
 * vector API's per-point status.
 *
 * White box: ts_stable_quad.c is included to reach its (static) rule;
 * its public functions then come from this object, not the library's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "../../src/stable/ts_stable_quad.c"
#include "../../src/stable/ts_stable_light.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"

/* QUADPACK's 15-point Kronrod rule is exact for polynomials to degree 22,
 * its 7-point Gauss rule to degree 13: on [-1, 1], int x^k = 2/(k+1) for
 * even k, 0 for odd. A wrong digit in a transcribed node or weight breaks
 * exactness at ~1e-16 of some moment. */
static void test_gauss_kronrod_rule(void **state)
{
    (void)state;
    for (int k = 0; k <= 24; k++) {
        double exact = k % 2 ? 0.0 : 2.0 / (k + 1);
        double rk = WGK[7] * (k == 0 ? 1.0 : 0.0), rg = WG[3] * (k == 0 ? 1.0 : 0.0);
        for (int j = 0; j < 7; j++) {
            double x = XGK[j], s = pow(x, k) + pow(-x, k);
            rk += WGK[j] * s;
            if (j & 1) rg += WG[j / 2] * s;
        }
        if (k <= 22 && !(fabs(rk - exact) < 4e-16)) fail_msg("K15, x^%d: %.17g vs %.17g", k, rk, exact);
        if (k <= 13 && !(fabs(rg - exact) < 4e-16)) fail_msg("G7, x^%d: %.17g vs %.17g", k, rg, exact);
        if (k == 24 && fabs(rk - exact) < 1e-12) fail_msg("K15 exact at degree 24: the test cannot fail");
    }
}

/* The saddlepoint corrections computed from the series of the cumulants
 * against Daniels' (1954) closed forms for the first two, with
 * P_k = (alpha - 2)(alpha - 3)...(alpha - k + 1). */
static void test_light_coefficients(void **state)
{
    (void)state;
    const double al[] = { 0.3, 0.7, 1.0, 1.3, 1.8 };
    for (int i = 0; i < 5; i++) {
        double a = al[i];
        ts_light l;
        ts_light_init(&l, a);
        double P3 = a - 2, P4 = P3 * (a - 3), P5 = P4 * (a - 4), P6 = P5 * (a - 5);
        double c1 = P4 / 8 - 5 * P3 * P3 / 24;
        double c2 = -P6 / 48 + 35 * P4 * P4 / 384 + 7 * P3 * P5 / 48 - 35 * P3 * P3 * P4 / 64
                    + 385 * P3 * P3 * P3 * P3 / 1152;
        if (!(fabs(l.c[1] - c1) <= 1e-14 * fmax(1, fabs(c1)))) fail_msg("alpha %g: c1 %.17g vs %.17g", a, l.c[1], c1);
        if (!(fabs(l.c[2] - c2) <= 1e-13 * fmax(1, fabs(c2)))) fail_msg("alpha %g: c2 %.17g vs %.17g", a, l.c[2], c2);
    }
}

/* Where the light side of a |beta| = 1 law leaves the integral for the
 * expansion (log f < -700 with A > 1000, where f underflows), the two agree
 * to 1e-13 of log f (compared directly, the integral through the white
 * box), and the public log-density carries on smoothly across (third
 * differences on a fine grid at the ~1e-11 |log f| of a cubic's); the
 * density is 0 beyond, and the light side's probability too. */
static void test_light_switch(void **state)
{
    (void)state;
    const double al[] = { 1.5, 1.2, 0.6 };
    for (int i = 0; i < 3; i++) {
        double a = al[i], b = 1.0;   /* light: the left tail (alpha > 1), the edge (alpha < 1) */
        ts_stable law;
        ts_err err;
        assert_int_equal(ts_stable_init(&law, a, b, 1.0, 0.0, TS_S1, &err), TS_OK);
        /* find x where log f crosses -700: left tail (alpha > 1) or the
         * support's edge (alpha < 1), by bisection */
        double lo = a > 1 ? -1e4 : 1e-12, hi = a > 1 ? -1.0 : 1.0, v;
        for (int it = 0; it < 200; it++) {
            double m = a > 1 ? 0.5 * (lo + hi) : sqrt(lo * hi);
            assert_int_equal(ts_stable_logpdf(&law, m, &v, &err), TS_OK);
            if (v < -700) lo = m; else hi = m;
        }
        double x0 = 0.5 * (lo + hi), h = fabs(x0) * 2e-4, y[9];
        for (int k = 0; k < 9; k++) assert_int_equal(ts_stable_logpdf(&law, x0 + (k - 4) * h, &y[k], &err), TS_OK);
        for (int k = 0; k + 3 < 9; k++) {
            double d3 = y[k + 3] - 3 * y[k + 2] + 3 * y[k + 1] - y[k];
            /* smooth: d3 ~ h^3 log f''' ~ 1e-11 |log f|; a jump would be ~ its size */
            if (!(fabs(d3) < 1e-9 * fabs(y[k]))) fail_msg("alpha %g: logpdf not smooth at x = %.17g: d3 %g (log f %g)",
                                                         a, x0 + (k - 4) * h, d3, y[k]);
        }
        /* the two methods at the same points past the switch: the integral
         * (white box) and the expansion agree to ~1e-14 of log f */
        ts_qlaw q;
        ts_light l;
        ts_qlaw_init(&q, a, a > 1 ? -1.0 : 1.0);   /* the light side's orientation: x1 > 0 */
        ts_light_init(&l, a);
        for (int k = 0; k < 3; k++) {
            double d1 = a > 1 ? -x0 * (1 + 0.5 * k) : x0 / (1 + 0.5 * k);   /* distance from the edge, S1 */
            double x1 = d1, xs0 = x1 + q.zeta, A;
            double le = ts_light_logpdf_d1(&l, d1, &A, NULL);
            ts_qres r;
            assert_int_equal(ts_qlaw_integrate(&q, ts_qlaw_T1(&q, xs0, x1), TS_Q_PDF, &r), 0);
            double li = log(a / (M_PI * fabs(a - 1.0))) - log(x1) + r.mP + log(r.P);
            if (!(fabs(li - le) < 1e-13 * fabs(le)))
                fail_msg("alpha %g d1 %g (A %g): integral %.17g, expansion %.17g", a, d1, A, li, le);
        }
        double x_far = a > 1 ? 2 * x0 : x0 / 2, f, F;
        assert_int_equal(ts_stable_pdf(&law, x_far, &f, &err), TS_OK);
        assert_int_equal(ts_stable_cdf(&law, x_far, &F, &err), TS_OK);
        assert_true(f == 0.0 && F == 0.0);
    }
}

/* The vector API evaluates every point: a bad point gets NaN and its own
 * status, the rest are exact scalar values, and the message names the
 * first failure and the count. */
static void test_per_point_status(void **state)
{
    (void)state;
    ts_stable law;
    ts_err err;
    assert_int_equal(ts_stable_init(&law, 1.3, -0.4, 2.0, 1.0, TS_S1, &err), TS_OK);
    double x[5] = { -3.0, NAN, 0.5, NAN, 1e8 }, out[5];
    ts_status st[5];
    ts_err_clear(&err);
    assert_int_equal(ts_stable_eval_vec(&law, TS_STABLE_PDF, 5, x, out, st, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "x[1]"));
    assert_non_null(strstr(err.msg, "2 of 5"));
    for (int i = 0; i < 5; i++) {
        if (isnan(x[i])) {
            assert_int_equal(st[i], TS_EINVAL);
            assert_true(isnan(out[i]));
        } else {
            double one;
            assert_int_equal(st[i], TS_OK);
            assert_int_equal(ts_stable_pdf(&law, x[i], &one, NULL), TS_OK);
            assert_memory_equal(&one, &out[i], sizeof one);
        }
    }
    /* quantiles: p outside (0, 1) per point */
    double p[3] = { 0.3, 1.5, 1e-9 }, q[3];
    assert_int_equal(ts_stable_eval_vec(&law, TS_STABLE_QUANTILE, 3, p, q, st, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "p[1]"));
    assert_true(st[0] == TS_OK && st[1] == TS_EINVAL && st[2] == TS_OK && isnan(q[1]) && isfinite(q[2]));
    /* the upper quantile keeps tiny p: sf(isf(p)) = p */
    double pu[3] = { 1e-300, 1e-40, 0.2 }, xu[3], back[3];
    assert_int_equal(ts_stable_eval_vec(&law, TS_STABLE_ISF, 3, pu, xu, NULL, &err), TS_OK);
    assert_int_equal(ts_stable_eval_vec(&law, TS_STABLE_SF, 3, xu, back, NULL, &err), TS_OK);
    for (int i = 0; i < 3; i++)
        if (!(fabs(back[i] / pu[i] - 1) < 1e-11)) fail_msg("isf(%g) = %g, sf of it %g", pu[i], xu[i], back[i]);
    /* points of many laws: the same bits as one law at a time, any order */
    double al[4] = { 1.3, 0.7, 1.3, 1.9 }, be[4] = { -0.4, 0.5, -0.4, 0.0 }, sc[4] = { 2, 1, 0.5, 1 };
    double lc[4] = { 1, 0, -1, 3 }, xx[4] = { 0.1, 2.0, -1.0, 4.0 }, o4[4];
    assert_int_equal(ts_stable_eval_laws(TS_STABLE_CDF, TS_S1, 4, xx, al, be, sc, lc, o4, st, &err), TS_OK);
    for (int i = 0; i < 4; i++) {
        ts_stable l1;
        double one;
        assert_int_equal(ts_stable_init(&l1, al[i], be[i], sc[i], lc[i], TS_S1, &err), TS_OK);
        assert_int_equal(ts_stable_cdf(&l1, xx[i], &one, NULL), TS_OK);
        assert_memory_equal(&one, &o4[i], sizeof one);
    }
    /* a bad law is one bad point */
    al[1] = 2.5;
    assert_int_equal(ts_stable_eval_laws(TS_STABLE_CDF, TS_S1, 4, xx, al, be, sc, lc, o4, st, &err), TS_EINVAL);
    assert_true(st[1] == TS_EINVAL && isnan(o4[1]) && st[0] == TS_OK && st[3] == TS_OK);
    assert_non_null(strstr(err.msg, "alpha"));
}

/* A point the earlier code failed on: S0(1.5, -1) at x = 6309.57, the light
 * side, where the density is ~exp(-1.9e10): 0, with that log-density. */
static void test_far_light_side_point(void **state)
{
    (void)state;
    ts_stable law;
    ts_err err;
    double f, lf;
    assert_int_equal(ts_stable_init(&law, 1.5, -1.0, 1.0, 0.0, TS_S0, &err), TS_OK);
    assert_int_equal(ts_stable_pdf(&law, 6309.5734448019366, &f, &err), TS_OK);
    assert_int_equal(ts_stable_logpdf(&law, 6309.5734448019366, &lf, &err), TS_OK);
    assert_true(f == 0.0);
    /* leading order: log f ~ -(alpha - 1)/alpha (x1 cos(pi alpha/2) / alpha)^(alpha/(alpha-1)) ... ~ -x^3 / 13.5 */
    double x1 = 6309.5734448019366 + 1.0;   /* S1: x0 - zeta, zeta = -beta tan(3 pi / 4) = -1 */
    assert_true(fabs(lf / (-pow(x1, 3) / 13.5) - 1) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauss_kronrod_rule),
        cmocka_unit_test(test_light_coefficients),
        cmocka_unit_test(test_light_switch),
        cmocka_unit_test(test_per_point_status),
        cmocka_unit_test(test_far_light_side_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
