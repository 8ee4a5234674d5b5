/* test_rate.c: the progress rate and the time left (ts_rate.h): unknown
 * before anything is done, the recent pace rather than the average since
 * the start when the pace changes, lumpy work (a few long tasks finishing
 * together), and a history longer than the ring. Times are simulated, so
 * the checks are exact arithmetic, not timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>

#include "tailsweep/ts_rate.h"

/* Samples every 0.25 s from t0 to t1 of a steady pace from done0. */
static double steady(ts_rate *r, double t0, double t1, double done0, double pace)
{
    double done = done0;
    for (double t = t0; t <= t1 + 1e-9; t += 0.25) {
        done = done0 + pace * (t - t0);
        ts_rate_sample(r, t, done);
    }
    return done;
}

static void test_unknown_before_anything_is_done(void **state)
{
    (void)state;
    ts_rate r;
    ts_rate_init(&r, 100, 0, 30, 8);
    steady(&r, 100, 160, 0, 0);                    /* a minute, nothing finished */
    assert_true(isnan(ts_rate_per_second(&r, 160, 0)));
    assert_true(isnan(ts_rate_eta(&r, 160, 0, 40)));
    /* a resumed job: what was done before the start does not count */
    ts_rate_init(&r, 0, 25, 30, 8);
    assert_true(isnan(ts_rate_eta(&r, 5, 25, 15)));
    /* the first result makes it known */
    assert_true(ts_rate_eta(&r, 6, 26, 14) > 0);
    /* nothing left: done, whatever the rate */
    assert_true(ts_rate_eta(&r, 6, 25, 0) == 0);
}

/* The case: a sweep whose first tasks ran 10x faster than the rest
 * (ETA "22 s" at 31% that took 91 s). */
static void test_follows_the_recent_pace_not_the_average(void **state)
{
    (void)state;
    ts_rate r;
    ts_rate_init(&r, 0, 0, 30, 8);
    double done = steady(&r, 0, 60, 0, 10);        /* 600 tasks at 10/s */
    done = steady(&r, 60, 120, done, 1);           /* then 1/s */
    assert_true(fabs(done - 660) < 1e-9);
    double eta = ts_rate_eta(&r, 120, done, 100);  /* 100 left at 1/s: 100 s */
    double since_start = 100 / (done / 120);       /* what an average gives: 18 s */
    assert_true(eta > 95 && eta < 105);
    assert_true(since_start < 20);
    /* and back up: the estimate follows within a window */
    done = steady(&r, 120, 160, done, 5);
    eta = ts_rate_eta(&r, 160, done, 100);
    assert_true(eta > 19 && eta < 21);
}

/* Two workers finish a 20 s task each every 20 s: the rate (0.1 task/s)
 * must not swing between 0 and a burst from one sample to the next. */
static void test_lumpy_work_keeps_a_steady_estimate(void **state)
{
    (void)state;
    ts_rate r;
    ts_rate_init(&r, 0, 0, 30, 8);
    double lo = INFINITY, hi = 0;
    for (double t = 0; t <= 400; t += 0.5) {
        double done = 2 * floor(t / 20);
        ts_rate_sample(&r, t, done);
        if (t < 100) continue;
        double rate = ts_rate_per_second(&r, t, done);
        lo = fmin(lo, rate);
        hi = fmax(hi, rate);
    }
    print_message("rate between %g and %g\n", lo, hi);
    /* measured from just before a completion to now, the rate reads high
     * right after one (8 tasks in 61 s: 0.131) and right before the next
     * (8 in 80 s: 0.1); a plain 30 s window would swing down to 0.067 */
    assert_true(lo > 0.09 && hi < 0.14);
}

/* Hours of samples wrap the ring many times; the rate stays right, and a
 * long stall makes the ETA unknown rather than a stale number. */
static void test_long_runs_wrap_the_ring(void **state)
{
    (void)state;
    ts_rate r;
    ts_rate_init(&r, 0, 0, 30, 8);
    double done = steady(&r, 0, 3 * 3600, 0, 2);
    double rate = ts_rate_per_second(&r, 3 * 3600, done);
    assert_true(fabs(rate - 2) < 1e-6);
    for (double t = 3 * 3600; t <= 3 * 3600 + 600; t += 0.25) ts_rate_sample(&r, t, done);
    assert_true(isnan(ts_rate_eta(&r, 3 * 3600 + 600, done, 10)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_before_anything_is_done),
        cmocka_unit_test(test_follows_the_recent_pace_not_the_average),
        cmocka_unit_test(test_lumpy_work_keeps_a_steady_estimate),
        cmocka_unit_test(test_long_runs_wrap_the_ring),
    };
    return cmocka_run_group_tests_name("rate", tests, NULL, NULL);
}
