/* test_vmath.c: the SIMD-friendly log/exp/sincos against glibc's libm, which
 * is itself within 1 ulp. Tolerance: 2 ulp of the libm value (the kernels'
 * analysis gives < 1 ulp of the true value; 2 leaves room for libm's own). */
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

static void test_log_accuracy(void **state)
{
    (void)state;
    uint64_t s = 1;
    double worst = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = exp((lcg01(&s) - 0.5) * 1400.0);  /* e^-700 .. e^700 */
        double e = ulps(ts_vlog(x), log(x));
        if (e > worst) worst = e;
    }
    for (int i = 0; i < 100000; i++) {               /* near 1, where log is small */
        double x = 1.0 + (lcg01(&s) - 0.5) * 1e-3;
        double e = ulps(ts_vlog(x), log(x));
        if (e > worst) worst = e;
    }
    print_message("ts_vlog worst error %.3f ulp\n", worst);
    assert_true(worst <= 2.0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_accuracy),
        cmocka_unit_test(test_log_special),
        cmocka_unit_test(test_exp_accuracy),
        cmocka_unit_test(test_sincos_accuracy),
    };
    return cmocka_run_group_tests_name("vmath", tests, NULL, NULL);
}
