/* test_fit_select.c: the selection route of the quantile-based fitters
 * (src/stable/ts_fit_select.c) gives exactly, bit for bit, what the sorted
 * route gave: quantiles, medians, order statistics, the Hill estimate and
 * the McCulloch fit. Exact equality is the right tolerance: selection
 * returns the same array elements a sort would, and the arithmetic on them
 * is unchanged. The data cover heavy tails, ties, constant runs, sorted
 * and reversed inputs and every small n (fixed seeds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_stable_fit.h"
#include "../../src/stable/ts_fit_sample.h"

#include "stable_draws.h"

static double *sorted_copy(const double *x, size_t n)
{
    double *s = malloc((n ? n : 1) * sizeof *s);
    assert_non_null(s);
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, ts_fit_cmp);
    return s;
}

/* data sets of kind 0..5 of size n: stable, normal-ish, few distinct values
 * (ties), constant, ascending, descending */
static double *data(int kind, size_t n, uint64_t seed)
{
    double *x = stable_draws(1.3, 0.5, 1, 0, TS_S1, n ? n : 1, seed);
    for (size_t i = 0; i < n; i++) {
        if (kind == 1) x[i] = atan(x[i]);
        if (kind == 2) x[i] = floor(fabs(x[i]) * 2) > 5 ? 5 : floor(fabs(x[i]) * 2);
        if (kind == 3) x[i] = 7;
        if (kind == 4) x[i] = (double)i;
        if (kind == 5) x[i] = -(double)i;
    }
    return x;
}

static void check_quantiles(const double *x, size_t n)
{
    static const double p[7] = { 0, 0.05, 0.25, 0.28, 0.5, 0.95, 1 };
    double q[7], med;
    assert_int_equal(ts_fit_quantiles(x, n, p, 7, q, NULL), TS_OK);
    assert_int_equal(ts_fit_median(x, n, &med, NULL), TS_OK);
    double *s = sorted_copy(x, n);
    for (int j = 0; j < 7; j++)
        if (memcmp(&q[j], &(double){ ts_fit_quantile(s, n, p[j]) }, sizeof(double)))
            fail_msg("n %zu p %g: selection %.17g, sort %.17g", n, p[j], q[j], ts_fit_quantile(s, n, p[j]));
    double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    assert_memory_equal(&med, &m, sizeof m);
    free(s);
}

static void test_quantiles_match_sort(void **state)
{
    (void)state;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t n = 1; n <= 70; n++) {
            double *x = data(kind, n, 10 + n);
            check_quantiles(x, n);
            free(x);
        }
        for (size_t n = 999; n <= 100000; n *= 10) {
            double *x = data(kind, n, 7 + n);
            check_quantiles(x, n);
            free(x);
        }
    }
}

/* every k of small arrays, and the partition property around it */
static void test_select_every_k(void **state)
{
    (void)state;
    for (int kind = 0; kind < 6; kind++)
        for (size_t n = 1; n <= 40; n++) {
            double *x = data(kind, n, 100 + n), *s = sorted_copy(x, n), *a = malloc(n * sizeof *a);
            assert_non_null(a);
            for (size_t k = 0; k < n; k++) {
                memcpy(a, x, n * sizeof *a);
                ts_fit_select(a, n, k);
                assert_true(a[k] == s[k]);
                for (size_t i = 0; i < n; i++) assert_true(i < k ? a[i] <= a[k] : i > k ? a[i] >= a[k] : 1);
            }
            free(a); free(s); free(x);
        }
}

static void test_bad_probabilities(void **state)
{
    (void)state;
    double x[3] = { 1, 2, 3 }, q[2];
    ts_err err = { 0 };
    assert_int_equal(ts_fit_quantiles(x, 3, (const double[]){ 0.5, 0.25 }, 2, q, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "ascending"));
    assert_int_equal(ts_fit_quantiles(x, 0, (const double[]){ 0.5 }, 1, q, &err), TS_EINVAL);
}

/* The Hill estimator as it was with a full sort (the reference route). */
static double hill_sorted(const double *x, size_t n, size_t *k_out)
{
    double *s = sorted_copy(x, n);
    double med = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    for (size_t i = 0; i < n; i++) s[i] = fabs(x[i] - med);
    qsort(s, n, sizeof *s, ts_fit_cmp);
    double *lg = malloc(n * sizeof *lg), *est = malloc(n * sizeof *est);
    assert_non_null(lg);
    assert_non_null(est);
    size_t pos = 0;
    for (size_t i = n; i-- > 0;)
        if (s[i] > 0) lg[pos++] = log(s[i]);
    size_t kmin = pos / 500 > 10 ? pos / 500 : 10, kmax = pos / 50;
    double sum = 0;
    for (size_t k = 1; k <= kmax + kmax / 8 + 1 && k < pos; k++) {
        sum += lg[k - 1];
        est[k] = (double)k / (sum - (double)k * lg[k]);
    }
    double best = HUGE_VAL;
    size_t kbest = kmin;
    for (size_t k = kmin; k <= kmax; k++) {
        size_t h = k / 8 > 2 ? k / 8 : 2, a = k - h, b = k + h < pos - 1 ? k + h : pos - 1;
        double m = 0, v = 0;
        for (size_t j = a; j <= b; j++) m += est[j];
        m /= (double)(b - a + 1);
        for (size_t j = a; j <= b; j++) v += (est[j] - m) * (est[j] - m);
        v /= (double)(b - a + 1) * m * m;
        if (v < best) { best = v; kbest = k; }
    }
    double r = est[kbest];
    *k_out = kbest;
    free(s); free(lg); free(est);
    return r;
}

static void test_hill_matches_sort(void **state)
{
    (void)state;
    const size_t sizes[] = { 1000, 4321, 65536 };
    for (int kind = 0; kind < 3; kind++)
        for (int i = 0; i < 3; i++) {
            double *x = data(kind, sizes[i], 50 + i);
            if (kind == 2)   /* ties, but enough distinct tail values for Hill */
                for (size_t j = 0; j < sizes[i]; j += 2) x[j] += (double)j / (double)sizes[i];
            double a, ref;
            size_t k, kref;
            ts_err err = { 0 };
            if (ts_tail_index_hill(x, sizes[i], &a, &k, &err)) fail_msg("kind %d n %zu: %s", kind, sizes[i], err.msg);
            ref = hill_sorted(x, sizes[i], &kref);
            assert_memory_equal(&a, &ref, sizeof a);
            assert_int_equal(k, kref);
            free(x);
        }
}

/* McCulloch's fit depends on the data only through their quantiles: the
 * same bits from shuffled, sorted and reversed inputs. */
static void test_mcculloch_order_free(void **state)
{
    (void)state;
    size_t n = 20001;
    double *x = data(0, n, 3), *s = sorted_copy(x, n), *r = malloc(n * sizeof *r);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) r[i] = s[n - 1 - i];
    ts_stable_fit f0, f1, f2;
    assert_int_equal(ts_fit_mcculloch(x, n, TS_S0, &f0, NULL), TS_OK);
    assert_int_equal(ts_fit_mcculloch(s, n, TS_S0, &f1, NULL), TS_OK);
    assert_int_equal(ts_fit_mcculloch(r, n, TS_S0, &f2, NULL), TS_OK);
    assert_memory_equal(&f0, &f1, sizeof f0);
    assert_memory_equal(&f0, &f2, sizeof f0);
    free(x); free(s); free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_match_sort),
        cmocka_unit_test(test_select_every_k),
        cmocka_unit_test(test_bad_probabilities),
        cmocka_unit_test(test_hill_matches_sort),
        cmocka_unit_test(test_mcculloch_order_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
