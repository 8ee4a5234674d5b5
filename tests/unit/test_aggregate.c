/* test_aggregate.c: the statistics against closed forms (quantiles of small
 * samples by hand, NumPy's 'linear' rule, medians, sd with missing values,
 * Student-t factors from tables), the reduction over chosen axes, the store
 * reader (missing file, not HDF5, newer format version), and
 * ts_aggregate_store on the store fixture (tests/unit/store_fixture.h),
 * whose values follow a rule, so expected means are recomputed here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_fixture.h"
#include "tailsweep/ts_aggregate.h"
#include "tailsweep/ts_store_view.h"

/* cmocka 1.1 has no floating-point assert */
#define assert_double_equal(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

static void test_quantile_linear(void **state)
{
    (void)state;
    /* NumPy: np.quantile([1, 2, 3, 4], p) = 1 + 3p */
    const double x[4] = { 1, 2, 3, 4 };
    const double p[6] = { 0, 0.1, 0.25, 0.5, 0.9, 1 };
    for (int i = 0; i < 6; i++) assert_double_equal(ts_agg_quantile_sorted(x, 4, p[i]), 1 + 3 * p[i], 1e-15);
    /* one value: every quantile is it */
    const double one = 7.5;
    assert_true(ts_agg_quantile_sorted(&one, 1, 0.3) == 7.5);
    /* uneven spacing: np.quantile([0, 1, 10], 0.75) = 1 + 0.5 * 9 = 5.5 */
    const double y[3] = { 0, 1, 10 };
    assert_double_equal(ts_agg_quantile_sorted(y, 3, 0.75), 5.5, 1e-15);
}

static void test_sample_missing(void **state)
{
    (void)state;
    double buf[6] = { NAN, 3, 1, NAN, 2, 6 };
    const double q[2] = { 0.5, 0.25 };
    double qo[2];
    ts_agg_stats s;
    ts_agg_sample(buf, 6, q, 2, &s, qo);
    assert_int_equal(s.count, 4);
    assert_true(s.mean == 3.0);
    /* deviations 0, -2, -1, 3: sum of squares 14, ddof 1 */
    assert_double_equal(s.sd, sqrt(14.0 / 3), 1e-15);
    assert_double_equal(s.se, sqrt(14.0 / 3) / 2, 1e-15);
    assert_true(s.median == 2.5);          /* (2 + 3) / 2 */
    assert_double_equal(qo[0], 2.5, 1e-15);
    assert_double_equal(qo[1], 1.75, 1e-15);  /* h = 0.75 between 1 and 2 */

    double single[3] = { NAN, 4, NAN };
    ts_agg_sample(single, 3, q, 2, &s, qo);
    assert_int_equal(s.count, 1);
    assert_true(s.mean == 4 && s.median == 4 && qo[0] == 4);
    assert_true(isnan(s.sd) && isnan(s.se));

    double none[2] = { NAN, NAN };
    ts_agg_sample(none, 2, q, 2, &s, qo);
    assert_int_equal(s.count, 0);
    assert_true(isnan(s.mean) && isnan(s.median) && isnan(qo[0]) && isnan(qo[1]));
}

static void test_t_factor(void **state)
{
    (void)state;
    /* closed forms: one degree of freedom, t_p = tan(pi (p - 1/2)); two,
     * t_p = (2p - 1) / sqrt(2 p (1 - p)) */
    const double pi = 3.14159265358979323846;
    assert_double_equal(ts_agg_t_factor(2, 0.95), tan(pi * 0.475), 1e-13 * 12.7);
    assert_double_equal(ts_agg_t_factor(3, 0.90), 0.9 / sqrt(2 * 0.95 * 0.05), 1e-13 * 3);
    /* ten: the table value 2.228138851986 (12 digits) */
    assert_double_equal(ts_agg_t_factor(11, 0.95), 2.228138851986, 1e-11);
    assert_true(isnan(ts_agg_t_factor(1, 0.95)));
    assert_true(isnan(ts_agg_t_factor(5, 1.0)));
}

static void test_reduce_axes(void **state)
{
    (void)state;
    /* x[i][j][k] = 100 i + 10 j + k over 2 x 3 x 4; reduce j (the middle) */
    double x[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 4; k++) x[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
    x[(1 * 3 + 2) * 4 + 3] = NAN;   /* one missing value */
    const size_t shape[3] = { 2, 3, 4 };
    const int mid[3] = { 0, 1, 0 };
    ts_agg_result r;
    assert_int_equal(ts_agg_reduce(x, 3, shape, mid, NULL, 0, &r, NULL), TS_OK);
    assert_int_equal(r.n_cells, 8);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 4; k++) {
            size_t c = (size_t)(i * 4 + k);
            if (i == 1 && k == 3) {
                assert_int_equal(r.count[c], 2);
                assert_true(r.mean[c] == 100 + 5 + 3);   /* (103 + 113) / 2 */
            } else {
                assert_int_equal(r.count[c], 3);
                assert_true(r.mean[c] == 100 * i + 10 + k);
                assert_double_equal(r.sd[c], 10, 1e-12);
            }
        }
    ts_agg_result_free(&r);
    /* reduce the first and last: one cell per j */
    const int ends[3] = { 1, 0, 1 };
    const double q[1] = { 0.5 };
    assert_int_equal(ts_agg_reduce(x, 3, shape, ends, q, 1, &r, NULL), TS_OK);
    assert_int_equal(r.n_cells, 3);
    assert_int_equal(r.count[0], 8);
    assert_int_equal(r.count[2], 7);
    assert_true(r.mean[0] == (0 + 1 + 2 + 3 + 100 + 101 + 102 + 103) / 8.0);
    assert_true(r.median[1] == (13 + 110) / 2.0 && r.quantile[1] == r.median[1]);
    ts_agg_result_free(&r);
    const double bad[1] = { 1.5 };
    ts_err e = { 0 };
    assert_int_equal(ts_agg_reduce(x, 3, shape, ends, bad, 1, &r, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "1.5"));
}

/* The fixture store in a fresh folder. */
static void write_fixture(char *dir, char *path, size_t n)
{
    snprintf(dir, 64, "/tmp/test_aggregate.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, n, "%s/store.h5", dir);
    ts_job *job = fx_job();
    ts_result_layout *l = ts_result_layout_alloc();
    fx_meta *meta = NULL;
    double *res[TS_MAX_RESULTS] = { NULL };
    ts_err e = { 0 };
    assert_int_equal(fx_layout(&job->fixed, l, &e), TS_OK);
    assert_int_equal(fx_data(l, FX_TASKS, &meta, res), 0);
    assert_int_equal(fx_write(path, job, l, meta, res, 1700000000.0, &e), TS_OK);
    fx_data_free(l, meta, res);
    ts_result_layout_free(l);
    fx_job_free(job);
}

static void remove_dir(const char *dir, const char *path)
{
    char lock[256];
    snprintf(lock, sizeof lock, "%s.lock", path);
    unlink(lock);
    unlink(path);
    rmdir(dir);
}

static void test_view_errors(void **state)
{
    (void)state;
    ts_store_view *v = NULL;
    ts_err e = { 0 };
    assert_int_equal(ts_store_view_open("/nonexistent/store.h5", &v, &e), TS_EIO);
    assert_non_null(strstr(e.msg, "/nonexistent/store.h5"));
    char dir[64], path[128];
    write_fixture(dir, path, sizeof path);
    /* not HDF5 */
    char text[160];
    snprintf(text, sizeof text, "%s/text.h5", dir);
    FILE *f = fopen(text, "w");
    assert_non_null(f);
    fputs("kind: sde\n", f);
    fclose(f);
    assert_int_equal(ts_store_view_open(text, &v, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "not an HDF5 file"));
    unlink(text);
    /* the fixture opens, with its axes as task dimensions */
    assert_int_equal(ts_store_view_open(path, &v, &e), TS_OK);
    assert_int_equal(v->format, TS_STORE_FORMAT);
    assert_int_equal(v->n_task_dims, 4);
    assert_int_equal(v->n_tasks, FX_TASKS);
    assert_string_equal(v->dims[v->task_dim[1]].name, "scheme");
    assert_int_equal(v->dims[v->task_dim[1]].type, TS_COORD_STRING);
    assert_string_equal(v->dims[v->task_dim[1]].labels[0], "tamed");
    assert_int_equal(v->dsets[ts_store_view_dset(v, "density")].role, TS_DSET_RESULT);
    assert_int_equal(v->dsets[ts_store_view_dset(v, "eta")].role, TS_DSET_COORD);
    assert_int_equal(v->dsets[ts_store_view_dset(v, "wall_time")].role, TS_DSET_TASK);
    ts_store_view_free(v);
    /* a newer format version is refused, naming both versions */
    hid_t h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h >= 0);
    int32_t newer = TS_STORE_FORMAT + 98;
    hid_t a = H5Aopen_by_name(h, "/", "format_version", H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Awrite(a, H5T_NATIVE_INT32, &newer) >= 0);
    H5Aclose(a);
    H5Fclose(h);
    assert_int_equal(ts_store_view_open(path, &v, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "newer format"));
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    ts_agg_summary s;
    assert_int_equal(ts_aggregate_store(path, &o, &s, &e), TS_EINVAL);
    remove_dir(dir, path);
}

static void test_aggregate_fixture(void **state)
{
    (void)state;
    char dir[64], path[128];
    write_fixture(dir, path, sizeof path);
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    ts_agg_summary s;
    ts_err e = { 0 };
    snprintf(o.over[o.n_over++], sizeof o.over[0], "nope");
    assert_int_equal(ts_aggregate_store(path, &o, &s, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "no axis 'nope'"));
    ts_agg_opts_default(&o);
    assert_int_equal(ts_aggregate_store(path, &o, &s, &e), TS_OK);
    assert_int_equal(s.n_results, 3);
    assert_int_equal(s.n_maps, 0);             /* not an sde store */
    ts_store_view *v = NULL;
    assert_int_equal(ts_store_view_open(path, &v, &e), TS_OK);
    assert_true(v->has_aggregate);
    double *mean = NULL, *cnt = NULL;
    assert_int_equal(ts_store_view_read(v, "aggregate/tail_mean", &mean, &e), TS_OK);
    assert_int_equal(ts_store_view_read(v, "aggregate/tail_count", &cnt, &e), TS_OK);
    /* point p holds tasks 3p .. 3p+2; tail = 100 t + 0.25 where done or diverged */
    for (size_t p = 0; p < FX_TASKS / 3; p++) {
        double sum = 0;
        int n = 0;
        for (size_t t = 3 * p; t < 3 * p + 3; t++) {
            uint8_t st = fx_status(t);
            if (st == TS_TASK_DONE || st == TS_TASK_DIVERGED) {
                sum += fx_value(0, t, 0);
                n++;
            }
        }
        assert_true(cnt[p] == n);
        if (n) assert_true(mean[p] == sum / n);
        else assert_true(isnan(mean[p]));
    }
    free(mean);
    free(cnt);
    int d = ts_store_view_dset(v, "aggregate/density_quantile");
    assert_true(d >= 0);
    assert_int_equal(v->dsets[d].rank, 5);   /* alpha, scheme, zip0, x, quantile */
    assert_string_equal(v->dims[v->dsets[d].dim[4]].name, "quantile");
    assert_string_equal(v->dims[v->dsets[d].dim[3]].path, "aggregate/x");
    assert_true(ts_store_view_dset(v, "aggregate/eta") >= 0);   /* zip member copied */
    ts_store_view_free(v);
    /* the CSV of one dataset: a header and one row per element */
    char csv[160];
    snprintf(csv, sizeof csv, "%s/out.csv", dir);
    FILE *f = fopen(csv, "w");
    assert_int_equal(ts_store_view_open(path, &v, &e), TS_OK);
    const char *names[1] = { "aggregate/tail_mean" };
    uint64_t rows = 0;
    assert_int_equal(ts_export_csv(v, names, 1, f, csv, &rows, &e), TS_OK);
    fclose(f);
    assert_int_equal(rows, FX_TASKS / 3);
    const char *missing[1] = { "nope" };
    f = fopen("/dev/null", "w");
    assert_int_equal(ts_export_csv(v, missing, 1, f, "/dev/null", &rows, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "no dataset 'nope'"));
    fclose(f);
    ts_store_view_free(v);
    f = fopen(csv, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "variable,alpha,scheme,zip0,value\n");
    assert_non_null(fgets(line, sizeof line, f));
    /* point 0: task 0 done (0.25), 1 failed, 2 diverged (200.25, kept) */
    assert_string_equal(line, "aggregate/tail_mean,1.1,tamed,0,100.25\n");
    fclose(f);
    unlink(csv);
    remove_dir(dir, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_linear), cmocka_unit_test(test_sample_missing),
        cmocka_unit_test(test_t_factor),        cmocka_unit_test(test_reduce_axes),
        cmocka_unit_test(test_view_errors),     cmocka_unit_test(test_aggregate_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
