/* test_store.c: the HDF5 store, read back with the HDF5 C API: shapes, values
 * at known (axes, replicate) positions, NaN for tasks not done, per-task
 * metadata, dimension scales, CF attributes, record filtering, invalid
 * layouts, refusing to replace a file, errors; writing in place (any order,
 * any batch) and the checksum that finds a torn or damaged record; what a
 * file is; the transaction that adds /aggregate, killed at every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store_fixture.h"
#include "tailsweep/ts_store_txn.h"
#include "tailsweep/ts_version.h"

#define T_CREATED 1700000000.0   /* 2023-11-14T22:13:20Z */

typedef struct {
    char dir[64], path[128];
    ts_job *job;
    ts_result_layout *l;
    fx_meta *meta;
    double *res[TS_MAX_RESULTS];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_store.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/store.h5", f->dir);
    f->job = fx_job();
    f->l = ts_result_layout_alloc();
    if (!f->job || !f->l || fx_layout(&f->job->fixed, f->l, NULL) != TS_OK) return -1;
    if (fx_data(f->l, FX_TASKS, &f->meta, f->res) != 0) return -1;
    *state = f;
    return 0;
}

/* Names left in the directory, "" when empty; for the no-temp-file checks. */
static void dir_listing(const char *dir, char *out, size_t n)
{
    out[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) return;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? " " : "", e->d_name);
    closedir(d);
}

static int teardown(void **state)
{
    fx *f = *state;
    DIR *d = opendir(f->dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) unlink(p);
    }
    if (d) closedir(d);
    rmdir(f->dir);
    fx_data_free(f->l, f->meta, f->res);
    ts_result_layout_free(f->l);
    fx_job_free(f->job);
    free(f);
    return 0;
}

static ts_status write_store(fx *f, ts_err *e)
{
    ts_err_clear(e);
    return fx_write(f->path, f->job, f->l, f->meta, f->res, T_CREATED, e);
}

static hid_t open_store(const fx *f)
{
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    return file;
}

/* Rank of a dataset (its shape in dims), or -1 when it does not exist. */
static int shape_of(hid_t file, const char *name, hsize_t *dims)
{
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0) return -1;
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    int rank = H5Sget_simple_extent_dims(s, dims, NULL);
    H5Sclose(s);
    H5Dclose(d);
    return rank;
}

static void assert_shape(hid_t file, const char *name, int rank, const hsize_t *want)
{
    hsize_t dims[H5S_MAX_RANK];
    assert_int_equal(shape_of(file, name, dims), rank);
    for (int k = 0; k < rank; k++) assert_int_equal(dims[k], want[k]);
}

static void read_all(hid_t file, const char *name, hid_t mtype, void *buf)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_true(H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(d);
}

static double *read_doubles(hid_t file, const char *name, size_t n)
{
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    read_all(file, name, H5T_NATIVE_DOUBLE, v);
    return v;
}

/* One element, through a hyperslab: what a reader indexing by position gets. */
static double read_at(hid_t file, const char *name, const hsize_t *at)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), fs = H5Dget_space(d);
    hsize_t one = 1, count[H5S_MAX_RANK];
    int rank = H5Sget_simple_extent_ndims(fs);
    for (int k = 0; k < rank; k++) count[k] = 1;
    hid_t ms = H5Screate_simple(1, &one, NULL);
    double v = 0;
    assert_true(H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, count, NULL) >= 0);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v) >= 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    return v;
}

/* A string attribute, which the store writes as variable-length UTF-8. */
static char *attr_str(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    char *v = NULL;
    assert_true(H5Aread(a, t, &v) >= 0);
    char *copy = strdup(v);
    H5free_memory(v);
    H5Tclose(t);
    H5Aclose(a);
    return copy;
}

static void assert_attr_str(hid_t obj, const char *name, const char *want)
{
    char *v = attr_str(obj, name);
    assert_string_equal(v, want);
    free(v);
}

/* A string attribute of either kind (fixed or variable length). */
static void assert_dset_attr_str_any(hid_t file, const char *dset, const char *name, const char *want)
{
    hid_t d = H5Dopen2(file, dset, H5P_DEFAULT), a = H5Aopen(d, name, H5P_DEFAULT), t = H5Aget_type(a);
    assert_true(a >= 0);
    char buf[512] = "", *vp = NULL;
    if (H5Tis_variable_str(t) > 0) {
        assert_true(H5Aread(a, t, &vp) >= 0);
        snprintf(buf, sizeof buf, "%s", vp);
        H5free_memory(vp);
    } else {
        assert_true(H5Tget_size(t) < sizeof buf);
        assert_true(H5Aread(a, t, buf) >= 0);
    }
    assert_string_equal(buf, want);
    H5Tclose(t);
    H5Aclose(a);
    H5Dclose(d);
}

static void assert_dset_attr_str(hid_t file, const char *dset, const char *name, const char *want)
{
    hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_attr_str(d, name, want);
    H5Dclose(d);
}

/* Row-major task number of (alpha, scheme, zip, replicate) in the fixture grid. */
static size_t task_of(size_t a, size_t s, size_t z, size_t r) { return ((a * 2 + s) * 2 + z) * 3 + r; }

static int is_stored(uint8_t s) { return s == TS_TASK_DONE || s == TS_TASK_DIVERGED; }

static void check_result(hid_t file, const char *name, size_t r, size_t ntasks, size_t size,
                         const fx_meta *meta)
{
    double *v = read_doubles(file, name, ntasks * size);
    for (size_t t = 0; t < ntasks; t++)
        for (size_t k = 0; k < size; k++) {
            if (is_stored(meta[t].status)) assert_true(v[t * size + k] == fx_value(r, t, k));
            else assert_true(isnan(v[t * size + k]));
        }
    free(v);
}

static void test_shapes_and_values(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    assert_shape(file, "tail", 4, (hsize_t[]){ 3, 2, 2, 3 });
    assert_shape(file, "density", 5, (hsize_t[]){ 3, 2, 2, 3, FX_NX });
    assert_shape(file, "moments", 6, (hsize_t[]){ 3, 2, 2, 3, 2, FX_NX });
    for (size_t i = 0; ts_schema_task_dsets[i]; i++) assert_shape(file, ts_schema_task_dsets[i], 4, (hsize_t[]){ 3, 2, 2, 3 });
    check_result(file, "tail", 0, FX_TASKS, 1, f->meta);
    check_result(file, "density", 1, FX_TASKS, FX_NX, f->meta);
    check_result(file, "moments", 2, FX_TASKS, 2 * FX_NX, f->meta);

    /* alpha 1.5, scheme tamed, eta 1e-4, replicate 2: task 17, done */
    size_t t = task_of(1, 0, 1, 2);
    assert_int_equal(t, 17);
    assert_true(read_at(file, "density", (hsize_t[]){ 1, 0, 1, 2, 3 }) == fx_value(1, 17, 3));
    assert_true(read_at(file, "moments", (hsize_t[]){ 1, 0, 1, 2, 1, 5 }) == fx_value(2, 17, 13));
    assert_true(read_at(file, "tail", (hsize_t[]){ 1, 0, 1, 2 }) == fx_value(0, 17, 0));
    /* replicate 1 of the first point failed, replicate 2 diverged (kept) */
    assert_true(isnan(read_at(file, "density", (hsize_t[]){ 0, 0, 0, 1, 0 })));
    assert_true(read_at(file, "density", (hsize_t[]){ 0, 0, 0, 2, 7 }) == fx_value(1, 2, 7));
    /* task 3 (eta 1e-4, replicate 0) never ran */
    assert_int_equal(task_of(0, 0, 1, 0), 3);
    assert_true(isnan(read_at(file, "tail", (hsize_t[]){ 0, 0, 1, 0 })));
    /* the last task, 35, never ran either; 32 did */
    assert_true(isnan(read_at(file, "moments", (hsize_t[]){ 2, 1, 1, 2, 1, 7 })));
    assert_true(read_at(file, "moments", (hsize_t[]){ 2, 1, 0, 2, 1, 7 }) == fx_value(2, 32, 15));
    H5Fclose(file);
}

static void test_coordinates(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    assert_shape(file, "alpha", 1, (hsize_t[]){ 3 });
    double *alpha = read_doubles(file, "alpha", 3);
    assert_memory_equal(alpha, fx_alpha, sizeof fx_alpha);
    free(alpha);

    /* CHOICE axis: the names, in axis order */
    hid_t d = H5Dopen2(file, "scheme", H5P_DEFAULT), t = H5Dget_type(d);
    assert_true(H5Tis_variable_str(t) > 0);
    char *names[2] = { NULL, NULL };
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
    assert_string_equal(names[0], "tamed");
    assert_string_equal(names[1], "euler");
    hid_t s = H5Dget_space(d);
    H5Dvlen_reclaim(t, s, H5P_DEFAULT, names);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);

    int64_t iv[3];
    read_all(file, "zip0", H5T_NATIVE_INT64, iv);
    assert_true(iv[0] == 0 && iv[1] == 1);
    read_all(file, "replicate", H5T_NATIVE_INT64, iv);
    assert_true(iv[0] == 0 && iv[1] == 1 && iv[2] == 2);
    read_all(file, "coord", H5T_NATIVE_INT64, iv);
    assert_true(iv[0] == 0 && iv[1] == 1);
    double *eta = read_doubles(file, "eta", 2);
    assert_memory_equal(eta, fx_eta, sizeof fx_eta);
    free(eta);
    /* an INT parameter is stored as integers */
    d = H5Dopen2(file, "steps", H5P_DEFAULT);
    t = H5Dget_type(d);
    assert_int_equal(H5Tget_class(t), H5T_INTEGER);
    H5Tclose(t);
    H5Dclose(d);
    read_all(file, "steps", H5T_NATIVE_INT64, iv);
    assert_true(iv[0] == 100 && iv[1] == 1000);
    double *x = read_doubles(file, "x", FX_NX);
    assert_memory_equal(x, f->l->r[1].coords[0], FX_NX * sizeof(double));
    free(x);
    H5Fclose(file);
}

static void assert_scales(hid_t file, const char *name, const char *const *dims, int rank)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    assert_true(d >= 0);
    assert_int_equal(H5DSis_scale(d), 0);
    for (int k = 0; k < rank; k++) {
        hid_t s = H5Dopen2(file, dims[k], H5P_DEFAULT);
        assert_true(s >= 0);
        assert_true(H5DSis_scale(s) > 0);
        assert_true(H5DSis_attached(d, s, (unsigned)k) > 0);
        assert_int_equal(H5DSget_num_scales(d, (unsigned)k), 1);
        char label[64] = "";
        assert_true(H5DSget_label(d, (unsigned)k, label, sizeof label) > 0);
        assert_string_equal(label, dims[k]);
        char sname[64] = "";
        assert_true(H5DSget_scale_name(s, sname, sizeof sname) > 0);
        assert_string_equal(sname, dims[k]);
        H5Dclose(s);
    }
    H5Dclose(d);
}

static void test_dimension_scales(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    const char *task[] = { "alpha", "scheme", "zip0", "replicate" };
    const char *per_task[] = { "status", "attempt", "rank", "wall_time", "end_time", "host", "message", "checksum", "tail" };
    for (size_t i = 0; i < 9; i++) assert_scales(file, per_task[i], task, 4);
    assert_scales(file, "density", (const char *[]){ "alpha", "scheme", "zip0", "replicate", "x" }, 5);
    assert_scales(file, "moments",
                  (const char *[]){ "alpha", "scheme", "zip0", "replicate", "coord", "x" }, 6);
    assert_scales(file, "eta", (const char *[]){ "zip0" }, 1);
    assert_scales(file, "steps", (const char *[]){ "zip0" }, 1);
    H5Fclose(file);
}

/* A fixed-length UTF-8 string dataset, every entry NUL-terminated. */
static void read_strings(hid_t file, const char *name, char (*v)[TS_STORE_MSG_LEN + 1])
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), t = H5Dget_type(d);
    assert_true(H5Tis_variable_str(t) == 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    size_t sz = H5Tget_size(t);
    assert_true(sz <= TS_STORE_MSG_LEN);
    char *raw = calloc(FX_TASKS * 80, sz);
    assert_true(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    for (hssize_t k = 0; k < n; k++) {
        memcpy(v[k], raw + (size_t)k * sz, sz);
        v[k][sz] = '\0';
    }
    H5Sclose(sp);
    free(raw);
    H5Tclose(t);
    H5Dclose(d);
    assert_dset_attr_str_any(file, name, "_Encoding", "utf-8");
}

static void test_task_metadata(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    int8_t status[FX_TASKS];
    uint32_t attempt[FX_TASKS];
    int32_t rank[FX_TASKS];
    double wall[FX_TASKS];
    read_all(file, "status", H5T_NATIVE_INT8, status);
    read_all(file, "attempt", H5T_NATIVE_UINT32, attempt);
    read_all(file, "rank", H5T_NATIVE_INT32, rank);
    read_all(file, "wall_time", H5T_NATIVE_DOUBLE, wall);
    double end[FX_TASKS];
    read_all(file, "end_time", H5T_NATIVE_DOUBLE, end);
    for (size_t t = 0; t < FX_TASKS; t++) {
        assert_int_equal(status[t], fx_status(t));
        assert_int_equal(attempt[t], f->meta[t].attempt);
        assert_int_equal(rank[t], f->meta[t].rank);
        /* a task that never ran has no wall or end time: NaN, not 0 */
        if (status[t] == TS_TASK_TODO) assert_true(isnan(wall[t]) && isnan(end[t]));
        else assert_true(wall[t] == f->meta[t].wall && end[t] == T_CREATED + (double)t);
    }
    assert_int_equal(status[1], TS_TASK_FAILED);
    assert_int_equal(status[2], TS_TASK_DIVERGED);
    assert_int_equal(status[3], TS_TASK_TODO);

    const char *which[] = { "host", "message" };
    for (int w = 0; w < 2; w++) {
        char (*v)[TS_STORE_MSG_LEN + 1] = calloc(FX_TASKS, sizeof *v);
        read_strings(file, which[w], v);
        for (size_t k = 0; k < FX_TASKS; k++)
            assert_string_equal(v[k], w ? f->meta[k].msg : f->meta[k].host);
        if (w) {
            assert_string_equal(v[1], fx_fail_msg);
            assert_string_equal(v[2], "blow-up at step 42");
            assert_string_equal(v[0], "");
        }
        free(v);
    }
    H5Fclose(file);
}

static void test_attributes(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    assert_attr_str(root, "kind", "fixture");
    assert_attr_str(root, "job_file", "jobs/fixture.yaml");
    assert_attr_str(root, "job_text", fx_text);
    assert_attr_str(root, "tailsweep_version", TS_VERSION);
    assert_attr_str(root, "created", "2023-11-14T22:13:20Z");
    assert_attr_str(root, "Conventions", "CF-1.8");
    char *canon = NULL, *stored = attr_str(root, "job");
    assert_int_equal(ts_job_canonical(f->job, 1, &canon, NULL), TS_OK);
    assert_string_equal(stored, canon);
    free(canon);
    free(stored);
    int32_t fmt = 0;
    hid_t fa = H5Aopen(root, "format_version", H5P_DEFAULT);
    assert_true(H5Aread(fa, H5T_NATIVE_INT32, &fmt) >= 0);
    assert_int_equal(fmt, TS_STORE_FORMAT);
    H5Aclose(fa);
    uint64_t u = 0;
    hid_t a = H5Aopen(root, "seed", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_UINT64, &u) >= 0);
    assert_true(u == 7);
    H5Aclose(a);
    a = H5Aopen(root, "replicates", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_UINT64, &u) >= 0);
    assert_true(u == 3);
    H5Aclose(a);
    H5Gclose(root);

    assert_dset_attr_str(file, "density", "units", "1/m");
    assert_dset_attr_str(file, "density", "long_name", "stationary density");
    assert_dset_attr_str(file, "density", "coordinates", "eta steps");
    assert_dset_attr_str(file, "tail", "units", "1");     /* dimensionless, as CF says */
    assert_dset_attr_str(file, "moments", "coordinates", "eta steps");
    assert_dset_attr_str(file, "status", "flag_meanings", "todo done failed diverged");
    assert_dset_attr_str(file, "wall_time", "units", "s");
    assert_dset_attr_str(file, "alpha", "long_name", "stability index of the noise");
    assert_dset_attr_str(file, "alpha", "units", "1");
    assert_dset_attr_str(file, "eta", "units", "s");
    const char *results[] = { "tail", "density", "moments" };
    for (int i = 0; i < 3; i++) {
        hid_t d = H5Dopen2(file, results[i], H5P_DEFAULT);
        double fv = 0;
        a = H5Aopen(d, "_FillValue", H5P_DEFAULT);
        assert_true(a >= 0);
        hid_t t = H5Aget_type(a);
        assert_true(H5Tequal(t, H5T_IEEE_F64LE) > 0);
        H5Tclose(t);
        assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &fv) >= 0);
        assert_true(isnan(fv));
        H5Aclose(a);
        /* the dataset's own fill value agrees, for readers that use it */
        hid_t dcpl = H5Dget_create_plist(d);
        fv = 0;
        assert_true(H5Pget_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fv) >= 0);
        assert_true(isnan(fv));
        /* contiguous and allocated: what writing in place relies on */
        assert_true(H5Pget_nfilters(dcpl) == 0);
        assert_int_equal(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
        assert_true(H5Dget_offset(d) != HADDR_UNDEF);
        H5Pclose(dcpl);
        H5Dclose(d);
    }
    hid_t d = H5Dopen2(file, "status", H5P_DEFAULT);
    a = H5Aopen(d, "flag_values", H5P_DEFAULT);
    int8_t flags[4] = { -1, -1, -1, -1 };
    assert_true(H5Aread(a, H5T_NATIVE_INT8, flags) >= 0);
    assert_true(flags[0] == 0 && flags[1] == 1 && flags[2] == 2 && flags[3] == 3);
    H5Aclose(a);
    H5Dclose(d);
    H5Fclose(file);
}

static void test_record_filter(void **state)
{
    fx *f = *state;
    ts_err e;
    f->job->n_record = 1;
    snprintf(f->job->record[0], sizeof f->job->record[0], "density");
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    assert_true(H5Lexists(file, "density", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(file, "x", H5P_DEFAULT) > 0);
    assert_true(H5Lexists(file, "tail", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(file, "moments", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(file, "coord", H5P_DEFAULT) == 0);   /* only moments used it */
    assert_true(H5Lexists(file, "status", H5P_DEFAULT) > 0);
    check_result(file, "density", 1, FX_TASKS, FX_NX, f->meta);
    H5Fclose(file);
    unlink(f->path);

    /* a name the layout lacks: refused, nothing written */
    snprintf(f->job->record[0], sizeof f->job->record[0], "nonesuch");
    assert_int_equal(write_store(f, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "'nonesuch'"));
    assert_int_equal(ts_store_check(f->job, f->l, NULL), TS_EINVAL);
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "");
}

static void expect_invalid(fx *f, const char *needle)
{
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_EINVAL);
    if (!strstr(e.msg, needle)) fail_msg("message '%s' lacks '%s'", e.msg, needle);
    ts_err_clear(&e);
    assert_int_equal(ts_store_check(f->job, f->l, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, needle));
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "");
}

static void test_invalid_layouts(void **state)
{
    fx *f = *state;
    assert_int_equal(ts_store_check(f->job, f->l, NULL), TS_OK);
    /* one dimension name, two lengths */
    f->l->r[2].dims[1] = 4;
    expect_invalid(f, "dimension 'x' has length 8 in result 'density' but 4 in result 'moments'");
    f->l->r[2].dims[1] = FX_NX;
    /* one dimension name, two sets of coordinates */
    f->l->r[2].coords[1] = calloc(FX_NX, sizeof(double));
    expect_invalid(f, "dimension 'x' has different coordinates");
    /* the same coordinates twice are fine */
    memcpy(f->l->r[2].coords[1], f->l->r[1].coords[0], FX_NX * sizeof(double));
    assert_int_equal(ts_store_check(f->job, f->l, NULL), TS_OK);
    /* a result named like a per-task dataset, a dimension named like an axis */
    snprintf(f->l->r[0].name, sizeof f->l->r[0].name, "status");
    expect_invalid(f, "'status'");
    snprintf(f->l->r[0].name, sizeof f->l->r[0].name, "tail");
    snprintf(f->l->r[2].dim_names[0], sizeof f->l->r[2].dim_names[0], "alpha");
    expect_invalid(f, "'alpha'");
    snprintf(f->l->r[2].dim_names[0], sizeof f->l->r[2].dim_names[0], "x");
    f->l->r[2].dims[0] = FX_NX;
    expect_invalid(f, "uses dimension 'x' twice");
    f->l->r[2].dims[0] = 2;
    snprintf(f->l->r[2].dim_names[0], sizeof f->l->r[2].dim_names[0], "coord");
    snprintf(f->l->r[0].name, sizeof f->l->r[0].name, "a/b");
    expect_invalid(f, "'a/b'");
    snprintf(f->l->r[0].name, sizeof f->l->r[0].name, "tail");
    assert_int_equal(ts_store_check(f->job, f->l, NULL), TS_OK);
}

static void test_invalid_arguments(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(ts_store_create(f->path, f->job, f->l, 0, NAN, &e), TS_EINVAL);
    assert_int_equal(ts_store_create("", f->job, f->l, 0, T_CREATED, &e), TS_EINVAL);
    assert_int_equal(ts_store_create(f->path, NULL, f->l, 0, T_CREATED, &e), TS_EINVAL);
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "");
    /* a task that does not exist, a status that is not one: refused, named */
    assert_int_equal(write_store(f, &e), TS_OK);
    ts_store *s = NULL;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_OK);
    ts_task_record r = { .task = FX_TASKS, .status = TS_TASK_DONE };
    assert_int_equal(ts_store_put(s, &r, 1, NULL, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "task 36"));
    r.task = 5;
    r.status = 9;
    assert_int_equal(ts_store_put(s, &r, 1, NULL, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "status 9"));
    assert_int_equal(ts_store_reset(s, FX_TASKS, &e), TS_EINVAL);
    ts_store_close(s);
}

/* A file that is there already is never replaced without force. */
static void test_create_refuses_existing(void **state)
{
    fx *f = *state;
    ts_err e;
    FILE *junk = fopen(f->path, "w");
    assert_non_null(junk);
    fputs("not an HDF5 file\n", junk);
    fclose(junk);
    assert_int_equal(ts_store_create(f->path, f->job, f->l, 0, T_CREATED, &e), TS_EIO);
    assert_non_null(strstr(e.msg, "exists"));
    assert_non_null(strstr(e.msg, "--force"));
    ts_file_info fi;
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_NOT_HDF5);
    ts_file_info_clear(&fi);
    assert_int_equal(ts_store_create(f->path, f->job, f->l, 1, T_CREATED, &e), TS_OK);
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_STORE);
    assert_int_equal(fi.tasks, FX_TASKS);
    assert_true(fi.seed == 7);
    ts_file_info_clear(&fi);
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "store.h5");
}

static void test_missing_directory(void **state)
{
    fx *f = *state;
    ts_err e;
    char path[192];
    snprintf(path, sizeof path, "%s/no/such/dir/store.h5", f->dir);
    ts_err_clear(&e);
    assert_int_equal(ts_store_create(path, f->job, f->l, 0, T_CREATED, &e), TS_EIO);
    assert_int_equal(e.code, TS_EIO);
    if (!strstr(e.msg, path)) fail_msg("message '%s' does not name %s", e.msg, path);
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "");
}

/* Fixed-size strings filled to the end, and bytes that are not UTF-8: stored
 * bounded and cleaned, so h5py can decode them. */
static void test_dirty_strings(void **state)
{
    fx *f = *state;
    ts_err e;
    memset(f->meta[0].host, 'h', sizeof f->meta[0].host);
    snprintf(f->meta[1].msg, sizeof f->meta[1].msg, "bad \xff\xfe seq \xc3");
    snprintf(f->meta[2].msg, sizeof f->meta[2].msg, "overlong \xc0\xaf surrogate \xed\xa0\x80 ok \xc3\xbc");
    assert_int_equal(write_store(f, &e), TS_OK);
    hid_t file = open_store(f);
    char (*v)[TS_STORE_MSG_LEN + 1] = calloc(FX_TASKS, sizeof *v);
    read_strings(file, "host", v);
    /* a full field keeps its last byte for the terminator */
    assert_int_equal(strlen(v[0]), sizeof f->meta[0].host - 1);
    assert_true(strspn(v[0], "h") == sizeof f->meta[0].host - 1);
    read_strings(file, "message", v);
    assert_string_equal(v[1], "bad ?? seq ?");
    assert_string_equal(v[2], "overlong ?? surrogate ??? ok \xc3\xbc");
    free(v);
    H5Fclose(file);
}

/* No axes: the grid is one point, results are [replicate, trailing...], and
 * no `coordinates` attribute names zip members that do not exist. */
static void test_no_axes(void **state)
{
    fx *f = *state;
    ts_err e;
    for (size_t a = 0; a < f->job->n_axes; a++)
        for (size_t m = 0; m < f->job->axes[a].n_members; m++) free(f->job->axes[a].values[m]);
    f->job->n_axes = 0;
    assert_int_equal(write_store(f, &e), TS_OK);    /* the first 3 tasks' data */
    hid_t file = open_store(f);
    assert_shape(file, "tail", 1, (hsize_t[]){ 3 });
    assert_shape(file, "moments", 3, (hsize_t[]){ 3, 2, FX_NX });
    check_result(file, "moments", 2, 3, 2 * FX_NX, f->meta);
    hid_t d = H5Dopen2(file, "density", H5P_DEFAULT);
    assert_true(H5Aexists(d, "coordinates") == 0);
    H5Dclose(d);
    assert_scales(file, "density", (const char *[]){ "replicate", "x" }, 2);
    H5Fclose(file);
}

/* Blocks larger than one write (a task's block alone exceeds it) and a task
 * count that leaves a partial last block: every element lands where it should. */
static void test_block_boundaries(void **state)
{
    fx *f = *state;
    ts_err e;
    for (size_t a = 0; a < f->job->n_axes; a++)
        for (size_t m = 0; m < f->job->axes[a].n_members; m++) free(f->job->axes[a].values[m]);
    f->job->n_axes = 0;
    ts_result_layout l;
    memset(&l, 0, sizeof l);
    l.n = 2;
    snprintf(l.r[0].name, sizeof l.r[0].name, "s");
    snprintf(l.r[1].name, sizeof l.r[1].name, "img");
    l.r[1].rank = 2;
    l.r[1].dims[0] = 301;
    l.r[1].dims[1] = 299;
    snprintf(l.r[1].dim_names[0], sizeof l.r[1].dim_names[0], "row");
    snprintf(l.r[1].dim_names[1], sizeof l.r[1].dim_names[1], "col");
    /* many tasks of a scalar (img not recorded, so its values are not needed) */
    size_t n = 70001;
    f->job->replicates = n;
    f->job->n_record = 1;
    snprintf(f->job->record[0], sizeof f->job->record[0], "s");
    fx_meta *meta;
    double *res[2] = { NULL, NULL };
    ts_result_layout small = l;
    small.n = 1;
    assert_int_equal(fx_data(&small, n, &meta, res), 0);
    assert_int_equal(fx_write(f->path, f->job, &small, meta, res, T_CREATED, &e), TS_OK);
    hid_t file = open_store(f);
    check_result(file, "s", 0, n, 1, meta);
    assert_true(H5Lexists(file, "img", H5P_DEFAULT) == 0);
    H5Fclose(file);
    fx_data_free(&small, meta, res);

    f->job->replicates = 5;
    f->job->n_record = 0;
    assert_int_equal(fx_data(&l, 5, &meta, res), 0);
    assert_int_equal(fx_write(f->path, f->job, &l, meta, res, T_CREATED, &e), TS_OK);
    file = open_store(f);
    assert_shape(file, "img", 3, (hsize_t[]){ 5, 301, 299 });
    check_result(file, "img", 1, 5, 301 * 299, meta);
    H5Fclose(file);
    fx_data_free(&l, meta, res);
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 11;
}

typedef struct {
    uint64_t n, intact, todo, damaged[8], n_damaged;
    uint8_t status[FX_TASKS];
} seen;

static void see(const ts_store_task_state *t, void *ctx)
{
    seen *v = ctx;
    v->n++;
    v->todo += t->status == TS_TASK_TODO;
    if (t->intact) v->intact++;
    else if (v->n_damaged < 8) v->damaged[v->n_damaged++] = t->task;
    if (t->task < FX_TASKS) v->status[t->task] = t->status;
}

/* Tasks arrive in any order and in batches of any size: each lands at its
 * own place, and verify finds every record intact. */
static void test_put_any_order_and_verify(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(ts_store_create(f->path, f->job, f->l, 0, T_CREATED, &e), TS_OK);
    ts_store *s = NULL;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_OK);
    assert_int_equal(ts_store_tasks(s), FX_TASKS);
    size_t per = 1 + FX_NX + 2 * FX_NX;
    double *block = malloc(FX_TASKS * per * sizeof *block);
    ts_task_record recs[FX_TASKS];
    size_t order[FX_TASKS], m = 0;
    for (size_t t = 0; t < FX_TASKS; t++) order[t] = t;
    uint64_t seed = 3;
    for (size_t t = FX_TASKS; t-- > 1;) {
        size_t j = (size_t)(lcg(&seed) % (t + 1)), x = order[t];
        order[t] = order[j];
        order[j] = x;
    }
    for (size_t k = 0; k < FX_TASKS; k++) {
        size_t t = order[k];
        if (fx_status(t) == TS_TASK_TODO) continue;
        double *b = block + t * per;
        for (size_t q = 0; q < per; q++) b[q] = q < 1 ? fx_value(0, t, 0) : q < 1 + FX_NX ? fx_value(1, t, q - 1)
                                                                              : fx_value(2, t, q - 1 - FX_NX);
        recs[m++] = (ts_task_record){ .task = t, .status = fx_status(t), .attempt = 1, .rank = 1, .wall = 1,
                                      .end_time = T_CREATED, .results = b };
    }
    uint64_t crc[FX_TASKS];
    for (size_t a = 0, batch = 1; a < m; a += batch, batch = batch * 2 + 1)
        assert_int_equal(ts_store_put(s, recs + a, a + batch > m ? m - a : batch, crc + a, &e), TS_OK);
    seen v = { 0 };
    assert_int_equal(ts_store_verify(s, see, &v, &e), TS_OK);
    assert_int_equal(v.n, FX_TASKS);
    assert_int_equal(v.intact, FX_TASKS);
    for (size_t t = 0; t < FX_TASKS; t++) assert_int_equal(v.status[t], fx_status(t));
    ts_store_close(s);
    hid_t file = open_store(f);
    check_result(file, "tail", 0, FX_TASKS, 1, f->meta);
    check_result(file, "density", 1, FX_TASKS, FX_NX, f->meta);
    check_result(file, "moments", 2, FX_TASKS, 2 * FX_NX, f->meta);
    uint64_t stored[FX_TASKS];
    read_all(file, "checksum", H5T_NATIVE_UINT64, stored);
    for (size_t k = 0; k < m; k++) assert_true(stored[recs[k].task] == crc[k]);
    H5Fclose(file);
    free(block);
}

static uint64_t dset_offset(const char *path, const char *name)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(file, name, H5P_DEFAULT);
    haddr_t off = H5Dget_offset(d);
    H5Dclose(d);
    H5Fclose(file);
    assert_true(off != HADDR_UNDEF);
    return (uint64_t)off;
}

static void flip_byte(const char *path, uint64_t at)
{
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    unsigned char b;
    assert_int_equal(pread(fd, &b, 1, (off_t)at), 1);
    b ^= 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, (off_t)at), 1);
    close(fd);
}

/* Bytes flipped in a task's values, status or message: its checksum no
 * longer matches, and only its. reset puts it back to todo with NaN. */
static void test_verify_finds_damage(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    /* task 17's density value 3; task 21's message; task 4's status byte */
    flip_byte(f->path, dset_offset(f->path, "density") + (17 * FX_NX + 3) * 8 + 6);
    flip_byte(f->path, dset_offset(f->path, "message") + 21 * TS_STORE_MSG_LEN + 2);
    /* status 1 (done) becomes 2 (failed): a plausible value, still caught */
    flip_byte(f->path, dset_offset(f->path, "status") + 4);
    {
        int fd = open(f->path, O_RDWR);
        unsigned char two = 2;
        assert_int_equal(pwrite(fd, &two, 1, (off_t)dset_offset(f->path, "status") + 4), 1);
        close(fd);
    }
    ts_store *s = NULL;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_OK);
    seen v = { 0 };
    assert_int_equal(ts_store_verify(s, see, &v, &e), TS_OK);
    assert_int_equal(v.n_damaged, 3);
    assert_int_equal(v.damaged[0], 4);
    assert_int_equal(v.damaged[1], 17);
    assert_int_equal(v.damaged[2], 21);
    assert_int_equal(ts_store_reset(s, 17, &e), TS_OK);
    memset(&v, 0, sizeof v);
    assert_int_equal(ts_store_verify(s, see, &v, &e), TS_OK);
    assert_int_equal(v.n_damaged, 2);
    assert_int_equal(v.status[17], TS_TASK_TODO);
    ts_store_close(s);
    hid_t file = open_store(f);
    assert_true(isnan(read_at(file, "density", (hsize_t[]){ 1, 0, 1, 2, 3 })));
    assert_true(isnan(read_at(file, "tail", (hsize_t[]){ 1, 0, 1, 2 })));
    H5Fclose(file);
}

/* A store belongs to one job: another seed, or another value, is refused
 * with the settings that differ. A comment or 1.0e-3 for 0.001 is not. */
static void test_open_refuses_other_job(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    ts_store *s = NULL;
    f->job->seed = 8;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_EINVAL);
    assert_null(s);
    assert_non_null(strstr(e.msg, "different job"));
    assert_non_null(strstr(e.msg, "seed: 7 vs 8"));
    f->job->seed = 7;
    f->job->axes[0].values[0][2] = 1.95;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "axes.alpha: [1.1, 1.5, 1.9] vs [1.1, 1.5, 1.95]"));
    f->job->axes[0].values[0][2] = 1.9;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_OK);
    ts_store_close(s);
}

/* What a file is, before anything is done to it. */
static void test_identify(void **state)
{
    fx *f = *state;
    ts_err e;
    ts_file_info fi;
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_ABSENT);
    ts_file_identify(f->dir, &fi);
    assert_int_equal(fi.kind, TS_FILE_DIRECTORY);
    FILE *w = fopen(f->path, "w");
    fclose(w);
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_NOT_HDF5);
    assert_non_null(strstr(fi.why, "empty"));
    /* an HDF5 file of another kind, such as `tailsweep sample` writes */
    hid_t file = H5Fcreate(f->path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 4;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    H5Dclose(H5Dcreate2(file, "samples", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(sp);
    H5Fclose(file);
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_OTHER_HDF5);
    assert_non_null(strstr(fi.why, "sample"));
    ts_file_info_clear(&fi);
    /* a store whose format_version says 1: an older format, with what to do */
    assert_int_equal(write_store(f, &e), TS_OK);
    file = H5Fopen(f->path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t a = H5Aopen_by_name(file, "/", "format_version", H5P_DEFAULT, H5P_DEFAULT);
    int32_t one = 1;
    H5Awrite(a, H5T_NATIVE_INT32, &one);
    H5Aclose(a);
    H5Fclose(file);
    ts_file_identify(f->path, &fi);
    assert_int_equal(fi.kind, TS_FILE_STORE_OLD);
    ts_file_info_clear(&fi);
    assert_non_null(strstr(ts_file_kind_phrase(TS_FILE_STORE_OLD), "new store"));
    ts_store *s = NULL;
    assert_int_equal(ts_store_open(f->path, f->job, f->l, &s, &e), TS_EINVAL);
    assert_non_null(strstr(e.msg, "older format"));
}

/* ---- transactions ---- */

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    *n = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc(*n ? *n : 1);
    assert_int_equal(fread(b, 1, *n, fp), *n);
    fclose(fp);
    return b;
}

/* The change a transaction makes: a group with a large dataset (so data
 * goes past the old end) and an attribute on the root (an old object). */
static ts_status change(hid_t file)
{
    hid_t g = H5Gcreate2(file, "/aggregate_new", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 200000;
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t d = H5Dcreate2(g, "m", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *x = malloc(n * sizeof *x);
    for (hsize_t i = 0; i < n; i++) x[i] = (double)i;
    herr_t rc = H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x);
    free(x);
    H5Dclose(d);
    H5Sclose(sp);
    H5Gclose(g);
    if (rc >= 0) rc = H5Lmove(file, "/aggregate_new", file, "/aggregate", H5P_DEFAULT, H5P_DEFAULT);
    return rc < 0 ? TS_EIO : TS_OK;
}

static int readable_and_has(const char *path, const char *obj)
{
    hid_t fapl = (hid_t)ts_store_h5_fapl();
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (file < 0) return -1;
    int has = H5Lexists(file, obj, H5P_DEFAULT) > 0;
    /* every dataset of the store opens and reads */
    double v[FX_TASKS];
    hid_t d = H5Dopen2(file, "tail", H5P_DEFAULT);
    if (d < 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) has = -1;
    if (d >= 0) H5Dclose(d);
    H5Fclose(file);
    return has;
}

static void test_txn_commit_and_abort(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    size_t n0, n1;
    char *before = slurp(f->path, &n0);
    ts_store_txn *t = NULL;
    hid_t file = -1;
    assert_int_equal(ts_store_txn_begin(f->path, &t, &file, &e), TS_OK);
    assert_int_equal(change(file), TS_OK);
    ts_store_txn_abort(t);
    char *after = slurp(f->path, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(before, after, n0);
    free(after);
    char left[256];
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "store.h5");
    assert_int_equal(ts_store_txn_begin(f->path, &t, &file, &e), TS_OK);
    assert_int_equal(change(file), TS_OK);
    assert_int_equal(ts_store_txn_commit(t, &e), TS_OK);
    assert_int_equal(readable_and_has(f->path, "/aggregate/m"), 1);
    dir_listing(f->dir, left, sizeof left);
    assert_string_equal(left, "store.h5");
    free(before);
}

static const char *kill_step;
static void kill_at(const char *step)
{
    if (kill_step && strcmp(step, kill_step) == 0) raise(SIGKILL);
}

/* A process killed at each step of a commit: the store is readable before
 * recovery wherever the old part was not being rewritten, and after
 * recovery byte for byte what it was (or, past the last step, changed). */
static void test_txn_killed_at_every_step(void **state)
{
    fx *f = *state;
    ts_err e;
    assert_int_equal(write_store(f, &e), TS_OK);
    size_t n0, n1;
    char *before = slurp(f->path, &n0);
    static const char *const steps[] = { "begin", "closed", "synced", "undo-written", "applying", "applied", "done" };
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            ts_store_txn *t = NULL;
            hid_t file = -1;
            kill_step = steps[k];
            ts_store_txn_step_hook = kill_at;
            if (ts_store_txn_begin(f->path, &t, &file, &e) || change(file)) _exit(3);
            if (strcmp(steps[k], "begin") == 0) raise(SIGKILL);   /* killed while HDF5 writes */
            ts_store_txn_commit(t, &e);
            _exit(0);
        }
        int ws = 0;
        waitpid(pid, &ws, 0);
        assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
        int done = strcmp(steps[k], "done") == 0;
        /* before the held writes are applied, the old part of the file is untouched */
        if (k < 4) assert_true(readable_and_has(f->path, "/aggregate") == 0);
        int rolled = -1;
        assert_int_equal(ts_store_txn_recover(f->path, &rolled, &e), TS_OK);
        assert_int_equal(rolled, !done);
        if (done) {
            assert_int_equal(readable_and_has(f->path, "/aggregate/m"), 1);
            break;
        }
        char *after = slurp(f->path, &n1);
        if (n1 != n0 || memcmp(before, after, n0) != 0) fail_msg("step %s: the store changed", steps[k]);
        free(after);
        assert_int_equal(readable_and_has(f->path, "/aggregate"), 0);
    }
    free(before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shapes_and_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_coordinates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dimension_scales, setup, teardown),
        cmocka_unit_test_setup_teardown(test_task_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_layouts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_existing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dirty_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_axes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_any_order_and_verify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_finds_damage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses_other_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_commit_and_abort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_txn_killed_at_every_step, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
