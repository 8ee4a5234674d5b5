/* test_number.c: the one strict number parser (ts_number.h) that job files,
 * parameters, the command line and data files share: whole texts only,
 * finite values only, integers as digits or exactly-integral numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <float.h>
#include <stdint.h>

#include "tailsweep/ts_number.h"

static void double_accepts_whole_finite_numbers(void **state)
{
    (void)state;
    double x = -1;
    assert_int_equal(ts_parse_double("1.5", &x), TS_NUM_OK);
    assert_true(x == 1.5);
    assert_int_equal(ts_parse_double("-3e-2", &x), TS_NUM_OK);
    assert_true(x == -0.03);
    assert_int_equal(ts_parse_double(".5", &x), TS_NUM_OK);
    assert_true(x == 0.5);
    /* underflow gives the nearest value, which the caller's range judges */
    assert_int_equal(ts_parse_double("1e-400", &x), TS_NUM_OK);
    assert_true(x == 0.0);
    assert_int_equal(ts_parse_double("4e-320", &x), TS_NUM_OK);
    assert_true(x > 0 && x < DBL_MIN);
}

static void double_refuses_partial_and_nonfinite_texts(void **state)
{
    (void)state;
    double x = 7;
    assert_int_equal(ts_parse_double("1.5abc", &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double(" 1", &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double("1 ", &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double("", &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double(NULL, &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double("abc", &x), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_double("nan", &x), TS_NUM_NONFINITE);
    assert_int_equal(ts_parse_double("-inf", &x), TS_NUM_NONFINITE);
    assert_int_equal(ts_parse_double("1e999", &x), TS_NUM_NONFINITE);
    assert_true(x == 7);   /* untouched on failure */
}

static void u64_accepts_digits_and_integral_numbers(void **state)
{
    (void)state;
    uint64_t n = 0;
    assert_int_equal(ts_parse_u64("18446744073709551615", &n), TS_NUM_OK);
    assert_true(n == UINT64_MAX);
    assert_int_equal(ts_parse_u64("1e6", &n), TS_NUM_OK);
    assert_true(n == 1000000);
    assert_int_equal(ts_parse_u64("2.5e3", &n), TS_NUM_OK);
    assert_true(n == 2500);
    assert_int_equal(ts_parse_u64("0", &n), TS_NUM_OK);
    assert_true(n == 0);
    assert_int_equal(ts_parse_u64("9007199254740992.0", &n), TS_NUM_OK);
    assert_true(n == 9007199254740992ull);
}

static void u64_refuses_what_is_not_a_count(void **state)
{
    (void)state;
    uint64_t n = 5;
    assert_int_equal(ts_parse_u64("-1", &n), TS_NUM_NEGATIVE);      /* strtoull: 2^64 - 1 */
    assert_int_equal(ts_parse_u64("1.5", &n), TS_NUM_FRACTION);
    assert_int_equal(ts_parse_u64("18446744073709551616", &n), TS_NUM_RANGE);
    assert_int_equal(ts_parse_u64("1e17", &n), TS_NUM_RANGE);       /* past 2^53: not exact */
    assert_int_equal(ts_parse_u64("12x", &n), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_u64(" 12", &n), TS_NUM_SYNTAX);
    assert_int_equal(ts_parse_u64("inf", &n), TS_NUM_NONFINITE);
    assert_true(n == 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(double_accepts_whole_finite_numbers),
        cmocka_unit_test(double_refuses_partial_and_nonfinite_texts),
        cmocka_unit_test(u64_accepts_digits_and_integral_numbers),
        cmocka_unit_test(u64_refuses_what_is_not_a_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
