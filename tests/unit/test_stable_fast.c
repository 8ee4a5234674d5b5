/* test_stable_fast.c: the fast stable density (ts_stable_fast.h) against
 * independent references.
 *
 * Stated bounds (ts_stable_fast.h), each tested here:
 *   - table and heavy tails: |error in log f| <= 1e-8 (FFT_TOL). The
 *     construction aims at 2e-9 (its interpolation-error target), so 1e-8
 *     leaves a 5x margin for the error estimate's own error;
 *   - heavy tails in the band near alpha = 1 (beta != 0): 1e-6 (BAND_TOL);
 *     measured ~1e-7 at worst, 1e-10 typically;
 *   - light side of |beta| = 1 laws beyond the table (saddlepoint with two
 *     corrections): 1e-4 (LIGHT_TOL); measured <= 5e-6 where log f > -20,
 *     less deeper, and exact (rounding) for the Levy law.
 * References: closed forms (Gauss alpha = 2, variance 2; Cauchy; Levy
 * alpha = 1/2, beta = 1; the density at x = 0 of docs/math.md section 1.2) and
 * values of Nolan's integral computed once with mpmath at 40 digits
 * (tests/oracle/scipy_stable_fast.py compares a wider grid with scipy). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fast.h"

#define FFT_TOL 1e-8
#define BAND_TOL 1e-6
#define LIGHT_TOL 1e-4

static ts_stable_fast *mk(double alpha, double beta, ts_stable_param p)
{
    ts_err err = { 0 };
    ts_stable_fast *d = ts_stable_fast_alloc(alpha, beta, p, &err);
    if (!d) fail_msg("alloc(%g, %g): %s", alpha, beta, err.msg);
    return d;
}

static void near(double got, double want, double tol, const char *what, double alpha, double beta, double x)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s alpha %g beta %g x %g: log f = %.17g, want %.17g (diff %.3g > %.3g)", what, alpha, beta, x,
                 got, want, got - want, tol);
}

static const double XS[] = { 0, 0.3, -0.7, 1.5, -2.5, 5, -9, 17, -33, 39.9, -40.2, 55, -120, 1e3, -4e4,
                             1e6, -1e9, 1e15, -1e100, 1e250 };
#define NXS (sizeof XS / sizeof XS[0])

/* alpha = 2: N(0, 2) in closed form; beta is irrelevant. */
static void test_gauss(void **state)
{
    (void)state;
    ts_stable_fast *d = mk(2.0, 0.7, TS_S1);
    for (size_t i = 0; i < NXS; i++) {
        double x = XS[i] > 1e100 || XS[i] < -1e100 ? 3.0 : XS[i];
        near(ts_stable_fast_logpdf(d, x), -x * x / 4 - 0.5 * log(4 * M_PI), 1e-14, "gauss", 2, 0.7, x);
    }
    ts_stable_fast_free(d);
}

/* alpha = 1, beta = 0: the Cauchy law, through the FFT table, the tail
 * series and their junction at |x| = 40, and far out. */
static void test_cauchy(void **state)
{
    (void)state;
    ts_stable_fast *d = mk(1.0, 0.0, TS_S0);
    for (size_t i = 0; i < NXS; i++) {
        double x = XS[i];
        double want = fabs(x) > 1e8 ? -log(M_PI) - 2 * log(fabs(x)) : -log(M_PI * (1 + x * x));
        near(ts_stable_fast_logpdf(d, x), want, FFT_TOL, "cauchy", 1, 0, x);
    }
    /* beta too small to matter (< 1e-11) at and next to alpha = 1: no band */
    const double tiny[][2] = { { 1.0, 1e-13 }, { 1.0 + 1e-14, -3e-12 } };
    for (int k = 0; k < 2; k++) {
        ts_stable_fast *t = mk(tiny[k][0], tiny[k][1], TS_S0);
        for (size_t i = 0; i < NXS; i++) {
            double x = XS[i];
            double want = fabs(x) > 1e8 ? -log(M_PI) - 2 * log(fabs(x)) : -log(M_PI * (1 + x * x));
            near(ts_stable_fast_logpdf(t, x), want, FFT_TOL, "near-cauchy", tiny[k][0], tiny[k][1], x);
        }
        ts_stable_fast_free(t);
    }
    /* the same law in S1 (no shift at alpha = 1, scale 1) */
    ts_stable_fast *d1 = mk(1.0, 0.0, TS_S1);
    near(ts_stable_fast_logpdf(d1, 2.0), -log(5 * M_PI), FFT_TOL, "cauchy S1", 1, 0, 2);
    ts_stable_fast_free(d1);
    ts_stable_fast_free(d);
}

/* alpha = 1/2, beta = 1: Levy, f(x) = (2 pi)^-1/2 x^-3/2 exp(-1/(2x)) in S1,
 * support x > 0. Covers the light side (the saddlepoint is exact for this
 * law), the table, the convergent series, and -inf outside the support.
 * The mirror image beta = -1 too. */
static void test_levy(void **state)
{
    (void)state;
    const double xs[] = { 1e-3, 0.01, 0.03, 0.08, 0.2, 0.5, 1, 3, 10, 39, 41, 200, 1e4, 1e9, 1e200 };
    ts_stable_fast *d = mk(0.5, 1.0, TS_S1), *m = mk(0.5, -1.0, TS_S1), *d0 = mk(0.5, 1.0, TS_S0);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i], want = -0.5 * log(2 * M_PI) - 1.5 * log(x) - 0.5 / x;
        near(ts_stable_fast_logpdf(d, x), want, FFT_TOL, "levy", 0.5, 1, x);
        near(ts_stable_fast_logpdf(m, -x), want, FFT_TOL, "levy mirrored", 0.5, -1, -x);
        /* S0 = S1 shifted by beta tan(pi/4) = 1 */
        near(ts_stable_fast_logpdf(d0, x - 1), want, FFT_TOL, "levy S0", 0.5, 1, x - 1);
    }
    const double out[] = { 0.0, -1e-9, -0.5, -30, -1e10 };
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        assert_true(ts_stable_fast_logpdf(d, out[i]) == -INFINITY);
        assert_true(ts_stable_fast_pdf(m, -out[i]) == 0.0);
    }
    ts_stable_fast_free(d);
    ts_stable_fast_free(m);
    ts_stable_fast_free(d0);
}

/* f(0) of S1(alpha, beta, 1, 0), alpha != 1 (docs/math.md section 1.2):
 * Gamma(1 + 1/alpha) cos(t0) / (pi (1 + zeta^2)^(1/(2 alpha))). In S1 the
 * point x = 0 sits at -beta tan(pi alpha / 2) of the S0 table, so this also
 * checks the parameterisation shift. */
static void test_density_at_zero(void **state)
{
    (void)state;
    const double alphas[] = { 0.6, 0.8, 0.95, 1.2, 1.5, 1.8, 1.97 }, betas[] = { -1, -0.6, 0, 0.3, 0.9, 1 };
    for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; i++)
        for (size_t j = 0; j < sizeof betas / sizeof betas[0]; j++) {
            double a = alphas[i], b = betas[j];
            if (a < 1 && fabs(b) == 1) continue;   /* 0 is the support's edge there */
            double t = tan(M_PI * a / 2), zeta = -b * t, t0 = atan(b * t) / a;
            double want = log(tgamma(1 + 1 / a) * cos(t0) / (M_PI * pow(1 + zeta * zeta, 1 / (2 * a))));
            ts_stable_fast *d = mk(a, b, TS_S1);
            near(ts_stable_fast_logpdf(d, 0.0), want, FFT_TOL, "f(0)", a, b, 0);
            ts_stable_fast_free(d);
        }
}

/* Values of Nolan's integral (mpmath, 40 digits; at alpha = 1 the mean of
 * alpha = 1 -+ 1e-15, the S0 density being smooth in alpha), S0. They cover
 * the band near alpha = 1 (tails interpolated in alpha) and the light side. */
static void test_mpmath_values(void **state)
{
    (void)state;
    static const struct { double a, b, x, lf, tol; } R[] = {
        { 1.0, 0.5, -3.0, -4.0956055442593488158, FFT_TOL },
        { 1.0, 0.5, 2.0, -2.5105457534324767505, FFT_TOL },
        { 1.0, 0.5, 250.0, -11.770491161279233634, BAND_TOL },
        { 1.0, 0.5, -1e4, -20.259085361073659978, BAND_TOL },
        { 1.003, 1.0, 300.0, -11.854762247559630948, BAND_TOL },
        { 1.003, 1.0, 5e5, -26.734385827180419108, BAND_TOL },
        { 0.98, -0.7, -1000.0, -14.294749865901798519, BAND_TOL },
        { 0.98, -0.7, 20.0, -8.3845734384706426401, FFT_TOL },
        { 1.5, 1.0, -5.0, -16.426838112829147428, LIGHT_TOL },
        { 1.5, 1.0, -7.0, -38.209885713906458649, LIGHT_TOL },
        { 0.7, 1.0, -1.3, -3.4391713766821961271, FFT_TOL },
    };
    for (size_t i = 0; i < sizeof R / sizeof R[0]; i++) {
        ts_stable_fast *d = mk(R[i].a, R[i].b, TS_S0);
        near(ts_stable_fast_logpdf(d, R[i].x), R[i].lf, R[i].tol, "mpmath", R[i].a, R[i].b, R[i].x);
        ts_stable_fast_free(d);
    }
}

/* Simpson's rule in y = sinh(t) over t in [-44, 44], plus the leading tail
 * terms beyond: the density integrates to 1 within 1e-8, for laws across
 * the whole range (both closed-form-free and band cases). */
static void test_integrates_to_one(void **state)
{
    (void)state;
    const double laws[][2] = { { 0.55, 0.4 }, { 0.8, -1 }, { 1.0, 0.7 }, { 1.1, 0 }, { 1.5, 0.5 }, { 1.9, -0.9 },
                               { 1.999, 1 } };
    for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++) {
        double a = laws[k][0], b = laws[k][1];
        ts_stable_fast *d = mk(a, b, TS_S0);
        const double T = 44.0, dt = 2e-4;
        long nstep = (long)(2 * T / dt);
        double s = 0.0;
        for (long i = 0; i <= nstep; i++) {
            double t = -T + (double)i * dt, y = sinh(t);
            double w = i == 0 || i == nstep ? 1 : i % 2 ? 4 : 2;
            s += w * ts_stable_fast_pdf(d, y) * cosh(t);
        }
        s *= dt / 3;
        /* tails beyond |y| = sinh(44) ~ 6.4e18: alpha c_alpha (1 +- b) R^-alpha / alpha */
        double R = sinh(T), c = tgamma(a) * sin(M_PI * a / 2) / M_PI;
        s += c * (2.0) * pow(R, -a);
        if (fabs(s - 1) > 1e-8) fail_msg("alpha %g beta %g: integral %.12f", a, b, s);
        ts_stable_fast_free(d);
    }
}

/* S0 is continuous in alpha: crossing alpha = 1 (with beta != 0, the band)
 * and the band's edge changes log f smoothly. */
static void test_continuity_in_alpha(void **state)
{
    (void)state;
    const double xs[] = { -300, -2, 0, 1, 7, 170, 1e5 };
    const double as[] = { 0.999999, 1.0, 1.000001 };
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double v[3];
        for (int k = 0; k < 3; k++) {
            ts_stable_fast *d = mk(as[k], 0.8, TS_S0);
            v[k] = ts_stable_fast_logpdf(d, xs[i]);
            ts_stable_fast_free(d);
        }
        /* d log f / d alpha is O(log |x|): 1e-6 changes it by ~1e-5 at most */
        if (fabs(v[0] - v[1]) > 2e-5 || fabs(v[2] - v[1]) > 2e-5 || fabs(v[0] + v[2] - 2 * v[1]) > 1e-8)
            fail_msg("x %g: log f at alpha 1 -+ 1e-6: %.12g %.12g %.12g", xs[i], v[0], v[1], v[2]);
    }
    /* the band starts where |beta tan(pi alpha/2)| = 13.3; beta = 0.5: alpha ~ 1.024 */
    double edge = 1 + M_2_PI * atan(0.5 * 12.0 / 160.0);
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        ts_stable_fast *lo = mk(edge - 1e-9, 0.5, TS_S0), *hi = mk(edge + 1e-9, 0.5, TS_S0);
        double dv = ts_stable_fast_logpdf(lo, xs[i]) - ts_stable_fast_logpdf(hi, xs[i]);
        if (fabs(dv) > 2 * BAND_TOL) fail_msg("band edge x %g: jump %.3g", xs[i], dv);
        ts_stable_fast_free(lo);
        ts_stable_fast_free(hi);
    }
}

/* S1 and S0 differ by the shift beta tan(pi alpha / 2) only. */
static void test_s1_shift(void **state)
{
    (void)state;
    ts_stable_fast *d0 = mk(1.3, -0.6, TS_S0), *d1 = mk(1.3, -0.6, TS_S1);
    double sh = -0.6 * tan(M_PI * 1.3 / 2);
    for (size_t i = 0; i < NXS; i++)
        near(ts_stable_fast_logpdf(d1, XS[i] + sh), ts_stable_fast_logpdf(d0, XS[i]), 1e-9 * (1 + fabs(XS[i])),
             "S1 shift", 1.3, -0.6, XS[i]);
    ts_stable_fast_free(d0);
    ts_stable_fast_free(d1);
}

/* The vector and likelihood forms apply scale and location. */
static void test_vec_and_loglik(void **state)
{
    (void)state;
    ts_stable_fast *d = mk(1.7, 0.2, TS_S0);
    double x[5] = { -3, 0.1, 2, 40, 1e4 }, out[5], s = 0;
    ts_stable_fast_logpdf_vec(d, 5, x, 2.5, -1.0, out);
    for (int i = 0; i < 5; i++) {
        double want = ts_stable_fast_logpdf(d, (x[i] + 1.0) / 2.5) - log(2.5);
        assert_true(fabs(out[i] - want) < 1e-14);
        s += want;
    }
    assert_true(fabs(ts_stable_fast_loglik(d, 5, x, 2.5, -1.0) - s) < 1e-12);
    ts_stable_fast_logpdf_vec(d, 5, x, 2.5, -1.0, x);   /* out may alias x */
    assert_memory_equal(x, out, sizeof out);
    ts_stable_fast_free(d);
}

/* What the builder reports: its own error estimates within the bound. */
static void test_info(void **state)
{
    (void)state;
    const double laws[][2] = { { 0.5, 0 }, { 0.9, 1 }, { 1.0, 0.3 }, { 1.5, 0.5 }, { 1.99, -0.5 } };
    for (size_t k = 0; k < sizeof laws / sizeof laws[0]; k++) {
        ts_stable_fast *d = mk(laws[k][0], laws[k][1], TS_S0);
        ts_stable_fast_info in;
        ts_stable_fast_get_info(d, &in);
        assert_true(in.interp_err_est < 2.5e-9);
        assert_true(in.tail_err_est < 1e-12);
        assert_true(in.y_lo < -1 && in.y_hi > 1 && in.fft_n >= 256);
        assert_int_equal(in.band, laws[k][0] == 1.0);
        ts_stable_fast_free(d);
    }
}

static void test_bad_input(void **state)
{
    (void)state;
    ts_err err = { 0 };
    assert_null(ts_stable_fast_alloc(0.0, 0, TS_S0, &err));
    assert_int_equal(err.code, TS_EINVAL);
    assert_non_null(strstr(err.msg, "alpha"));
    assert_null(ts_stable_fast_alloc(2.1, 0, TS_S0, &err));
    assert_null(ts_stable_fast_alloc(NAN, 0, TS_S0, &err));
    assert_null(ts_stable_fast_alloc(1.5, 1.01, TS_S0, &err));
    assert_non_null(strstr(err.msg, "beta"));
    assert_null(ts_stable_fast_alloc(1.5, NAN, TS_S0, &err));
    assert_null(ts_stable_fast_alloc(1.5, 0, (ts_stable_param)7, &err));
    assert_int_equal(err.code, TS_EINVAL);
    assert_null(ts_stable_fast_alloc(0.3, 0, TS_S0, &err));
    assert_int_equal(err.code, TS_ERANGE);
    assert_null(ts_stable_fast_alloc(0.3, 0, TS_S0, NULL));
    ts_stable_fast_free(NULL);
    ts_stable_fast *d = mk(1.5, 0, TS_S0);
    assert_true(isnan(ts_stable_fast_logpdf(d, NAN)));
    assert_true(ts_stable_fast_logpdf(d, INFINITY) == -INFINITY);
    assert_true(ts_stable_fast_logpdf(d, -INFINITY) == -INFINITY);
    assert_true(ts_stable_fast_pdf(d, INFINITY) == 0.0);
    ts_stable_fast_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gauss),
        cmocka_unit_test(test_cauchy),
        cmocka_unit_test(test_levy),
        cmocka_unit_test(test_density_at_zero),
        cmocka_unit_test(test_mpmath_values),
        cmocka_unit_test(test_integrates_to_one),
        cmocka_unit_test(test_continuity_in_alpha),
        cmocka_unit_test(test_s1_shift),
        cmocka_unit_test(test_vec_and_loglik),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
