/* test_vmath.c: the SIMD-friendly log/exp/sincos against glibc's libm, which
 * is itself within 1 ulp. Tolerance: 2 ulp of the libm value (the kernels'
 * analysis gives < 1 ulp of the true value; 2 leaves room for libm's own),
 * 1 ulp for the log, whose analysis bounds it below 1 ulp of the true value
 * while glibc's log is within 0.52: two doubles that close differ by at most
 * one ulp. Its table is checked entry by entry against long double.
 * (Scalar == SIMD bits needs the optimised build: tests/simd/simd_bits.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "tailsweep/ts_vmath.h"

static double ulps(double got, double want)
{
    if (got == want) return 0;
    if (isnan(got) || isnan(want) || isinf(got) || isinf(want)) return INFINITY;
    double u = nextafter(fabs(want), INFINITY) - fabs(want);
    if (want == 0 || fabs(want) < DBL_MIN) u = 0x1p-1074;
    return fabs(got - want) / u;
}

/* deterministic pseudo-uniforms in [0,1): a plain LCG is enough to spread points */
static double lcg01(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) * 0x1p-53;
}

static double worst_log_error(double lo, double hi, int n, uint64_t seed, int logscale)
{
    uint64_t s = seed;
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double t = lo + (hi - lo) * lcg01(&s);
        double x = logscale ? exp(t) : t;
        double e = ulps(ts_vlog(x), log(x));
        if (e > worst) worst = e;
    }
    return worst;
}

static void test_log_accuracy(void **state)
{
    (void)state;
    double w[] = {
        worst_log_error(-700.0, 700.0, 1000000, 1, 1),     /* e^-700 .. e^700 */
        worst_log_error(1.0 - 5e-4, 1.0 + 5e-4, 100000, 2, 0),   /* log small */
        /* 1 +- 0.03: the invc = 1 subinterval [1 - 2^-9, 1 + 2^-8) and the
         * ones next to it, where |log x| and |r| are of one size */
        worst_log_error(0.97, 1.03, 300000, 3, 0),
        worst_log_error(0x1p-53, 1.0, 300000, 4, 0),       /* the samplers' uniforms */
        worst_log_error(0.6, 3.0, 300000, 5, 0),           /* every subinterval, k = 0, 1 */
    };
    double worst = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) worst = w[i] > worst ? w[i] : worst;
    print_message("ts_vlog worst error %.3f ulp\n", worst);
    assert_true(worst <= 1.0);
    /* the ends of every subinterval: 2^45 consecutive doubles per index */
    double edge_worst = 0;
    for (uint64_t i = 0; i <= TS_VLOG_N; i++)
        for (int d = -2; d <= 2; d++) {
            double x = ts_as_f64(TS_VLOG_OFF + (i << (52 - TS_VLOG_BITS)) + (uint64_t)(int64_t)d);
            double e = ulps(ts_vlog(x), log(x));
            edge_worst = e > edge_worst ? e : edge_worst;
        }
    assert_true(edge_worst <= 1.0);
}

/* Every table entry: logc within 2^-6 ulp of -log(invc) (long double's logl
 * is within 2^-63 relative, 2^-11 ulp of a double, so that leaves it room;
 * the generator guarantees 2^-8 by mpmath), logc a multiple of 2^-42 so that
 * k ln2_hi + logc is exact for every exponent k, and |z invc - 1| < 2^-8
 * over the entry's subinterval, the range the log1p polynomial was
 * truncated for. */
static void test_log_table(void **state)
{
    (void)state;
    double worst = 0, worst_r = 0;
    for (uint64_t i = 0; i < TS_VLOG_N; i++) {
        double invc = ts_vlog_invc[i], logc = ts_vlog_logc[i];
        long double exact = -logl((long double)invc);
        if (logc != 0.0) {
            double u = nextafter(fabs(logc), INFINITY) - fabs(logc);
            double e = (double)fabsl((long double)logc - exact) / u;
            worst = e > worst ? e : worst;
        } else {
            assert_true(invc == 1.0);
        }
        assert_true(logc * 0x1p42 == nearbyint(logc * 0x1p42) && fabs(logc) < 0.5);
        for (int k = -1075; k <= 1024; k += 1)   /* the exact-sum claim itself */
            assert_true(fma(k, TS_LN2_HI, logc) - k * TS_LN2_HI == logc);
        long double lo = ts_as_f64(TS_VLOG_OFF + (i << (52 - TS_VLOG_BITS)));
        long double top = ts_as_f64(TS_VLOG_OFF + ((i + 1) << (52 - TS_VLOG_BITS)) - 1);
        double r1 = (double)fabsl(lo * invc - 1.0L), r2 = (double)fabsl(top * invc - 1.0L);
        worst_r = r1 > worst_r ? r1 : worst_r;
        worst_r = r2 > worst_r ? r2 : worst_r;
    }
    print_message("log table: logc within %.4f ulp, |r| < %a\n", worst, worst_r);
    assert_true(worst <= 0x1p-6);
    assert_true(worst_r < 0x1p-8);
    /* 1.0 lies inside its subinterval, whose entry is exactly (1, 0) */
    uint64_t one = (ts_as_u64(1.0) - TS_VLOG_OFF) >> (52 - TS_VLOG_BITS);
    assert_true(ts_vlog_invc[one] == 1.0 && ts_vlog_logc[one] == 0.0);
    assert_true(ts_as_u64(1.0) - TS_VLOG_OFF - (one << (52 - TS_VLOG_BITS)) > 0);
}

/* ts_vlog_fast: within 2 ulp of the true value (long double logl, ~2^-11 ulp
 * of a double, so measured to that precision; the analysis in ts_vmath.h
 * bounds it by 1.92) and of glibc, on the domains of test_log_accuracy. */
static void test_log_fast(void **state)
{
    (void)state;
    uint64_t s = 21;
    double worst_true = 0, worst_glibc = 0;
    for (int i = 0; i < 1500000; i++) {
        double t = lcg01(&s), x;
        switch (i % 5) {
        case 0: x = exp((t - 0.5) * 1400.0); break;
        case 1: x = 0.97 + 0.06 * t; break;
        case 2: x = t > 0x1p-53 ? t : 0x1p-53; break;
        case 3: x = 0.6 + 2.4 * t; break;
        default: x = 1.0 + (t - 0.5) * 1e-3; break;
        }
        double y = ts_vlog_fast(x);
        long double exact = logl((long double)x);
        double u = nextafter(fabs((double)exact), INFINITY) - fabs((double)exact);
        double et = (double)fabsl((long double)y - exact) / u, eg = ulps(y, log(x));
        worst_true = et > worst_true ? et : worst_true;
        worst_glibc = eg > worst_glibc ? eg : worst_glibc;
    }
    print_message("ts_vlog_fast worst error %.3f ulp (true), %.3f ulp (glibc)\n",
                  worst_true, worst_glibc);
    assert_true(worst_true <= 2.0 && worst_glibc <= 2.0);
    assert_true(ts_vlog_fast(1.0) == 0.0 && ulps(ts_vlog_fast(DBL_MAX), log(DBL_MAX)) <= 2.0);
    assert_true(ulps(ts_vlog_fast(DBL_MIN), log(DBL_MIN)) <= 2.0);
}

static void test_log_special(void **state)
{
    (void)state;
    assert_true(isinf(ts_vlog(0.0)) && ts_vlog(0.0) < 0);
    assert_true(isinf(ts_vlog(INFINITY)) && ts_vlog(INFINITY) > 0);
    assert_true(isnan(ts_vlog(-1.0)));
    assert_true(isnan(ts_vlog(NAN)));
    assert_true(ts_vlog(1.0) == 0.0);
    double sub[] = { 5e-324, 1e-310, 2.2e-308 };
    for (int i = 0; i < 3; i++) assert_true(ulps(ts_vlog(sub[i]), log(sub[i])) <= 2.0);
    assert_true(ts_vlog(DBL_MAX) == log(DBL_MAX) && ts_vlog(DBL_MIN) == log(DBL_MIN));
    assert_true(ts_vlog(2.0) == log(2.0) && ts_vlog(0.5) == log(0.5));
    assert_true(ts_vlog(M_E) == 1.0 && ts_vlog(nextafter(1.0, 0.0)) == log(nextafter(1.0, 0.0)));
    assert_true(ts_vlog(nextafter(1.0, 2.0)) == log(nextafter(1.0, 2.0)));
    /* the hot-path variant agrees bit for bit on normal inputs */
    assert_true(ts_vlog_normal(0.3) == ts_vlog(0.3));
}

static void test_exp_accuracy(void **state)
{
    (void)state;
    uint64_t s = 2;
    double worst = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = (lcg01(&s) - 0.5) * 1416.0;      /* -708 .. 708: normal results */
        double e = ulps(ts_vexp(x), exp(x));
        if (e > worst) worst = e;
    }
    print_message("ts_vexp worst error %.3f ulp\n", worst);
    assert_true(worst <= 2.0);
    assert_true(isinf(ts_vexp(710.0)) && isinf(ts_vexp(1e300)));
    assert_true(ts_vexp(-746.0) == 0.0 && ts_vexp(-1e300) == 0.0);
    assert_true(fabs(ts_vexp(-740.0) - exp(-740.0)) <= 2 * 0x1p-1074);  /* subnormal */
    assert_true(isnan(ts_vexp(NAN)));
    assert_true(ts_vexp(0.0) == 1.0);
}

static void test_sincos_accuracy(void **state)
{
    (void)state;
    uint64_t st = 3;
    double worst_s = 0, worst_c = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = (lcg01(&st) - 0.5) * 20.0;       /* the sampler needs |x| < 5 */
        double s, c;
        ts_vsincos(x, &s, &c);
        double es = ulps(s, sin(x)), ec = ulps(c, cos(x));
        if (es > worst_s) worst_s = es;
        if (ec > worst_c) worst_c = ec;
    }
    print_message("ts_vsincos worst error sin %.3f cos %.3f ulp\n", worst_s, worst_c);
    assert_true(worst_s <= 2.0 && worst_c <= 2.0);
    /* near the zeros of cos the result must stay relatively accurate */
    double s, c;
    ts_vsincos(M_PI_2, &s, &c);
    assert_true(ulps(c, cos(M_PI_2)) <= 2.0);
    ts_vsincos(-M_PI_2 + 1e-9, &s, &c);
    assert_true(ulps(c, cos(-M_PI_2 + 1e-9)) <= 2.0);
}

/* sin(pi t), cos(pi t) in long double (glibc 2.36 has no sinpi). For
 * |t| > 1/4 through cos(pi t) = sin(pi (1/2 - |t|)), 1/2 - |t| exact: a
 * direct cosl(M_PIl t) would lose its relative accuracy near the zero at
 * 1/2, as M_PIl t itself rounds. */
static void sincospi_ref(double t, double *s, double *c)
{
    long double a = fabsl((long double)t);
    if (a <= 0.25L) {
        *s = (double)sinl(M_PIl * (long double)t);
        *c = (double)cosl(M_PIl * (long double)t);
    } else {
        *s = copysign((double)cosl(M_PIl * (0.5L - a)), t);
        *c = (double)sinl(M_PIl * (0.5L - a));
    }
}

/* sin(pi t), cos(pi t) for |t| <= 1/2 against long double (relative error
 * ~1e-19, far below a double's ulp). Same 2-ulp bound as ts_vsincos
 * (analysis: r = pi y rounds once, 0.5 ulp, plus the core's). Near t = +-1/2,
 * cos must stay relatively accurate: the point of reducing in t. */
static void test_sincospi_accuracy(void **state)
{
    (void)state;
    uint64_t st = 4;
    double worst_s = 0, worst_c = 0;
    for (int i = 0; i < 1000000; i++) {
        double t = lcg01(&st) - 0.5;
        if (i % 4 == 0) t = copysign(0.5 - ldexp(lcg01(&st), -(i % 40)), t);  /* near the poles */
        double s, c, rs, rc;
        ts_vsincospi(t, &s, &c);
        sincospi_ref(t, &rs, &rc);
        double es = ulps(s, rs), ec = ulps(c, rc);
        if (es > worst_s) worst_s = es;
        if (ec > worst_c) worst_c = ec;
    }
    print_message("ts_vsincospi worst error sin %.3f cos %.3f ulp\n", worst_s, worst_c);
    assert_true(worst_s <= 2.0 && worst_c <= 2.0);
    double s, c;
    ts_vsincospi(0.5, &s, &c);
    assert_true(s == 1.0 && c == 0.0);
    ts_vsincospi(-0.5, &s, &c);
    assert_true(s == -1.0 && c == 0.0);
    ts_vsincospi(0.0, &s, &c);
    assert_true(s == 0.0 && c == 1.0);
    ts_vsincospi(0.5 - 0x1p-53, &s, &c);       /* the largest uniform's angle */
    assert_true(ulps(c, (double)sinl(M_PIl * 0x1p-53L)) <= 1.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_accuracy),
        cmocka_unit_test(test_log_table),
        cmocka_unit_test(test_log_fast),
        cmocka_unit_test(test_log_special),
        cmocka_unit_test(test_exp_accuracy),
        cmocka_unit_test(test_sincos_accuracy),
        cmocka_unit_test(test_sincospi_accuracy),
    };
    return cmocka_run_group_tests_name("vmath", tests, NULL, NULL);
}
