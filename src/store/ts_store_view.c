/* ts_store_view.c: reading a store back (ts_store_view.h): root attributes,
 * dimension scales and their coordinates, datasets and the scales attached
 * to them, the task counts of /status, and slabs of values. The one reader
 * of the format: aggregation, export, info, status and plot's checks all
 * read through it. */
#include "tailsweep/ts_store_view.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_hash.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_store.h"
#include "ts_store_internal.h"

#define MAX_OBJECTS 2048   /* per group: the root and /aggregate */
#define BLOCK (1u << 20)   /* elements per block when a whole dataset is streamed */

static int is_task_name(const char *n)
{
    for (int i = 0; ts_schema_task_dsets[i]; i++)
        if (strcmp(ts_schema_task_dsets[i], n) == 0) return 1;
    return 0;
}

/* A string attribute (variable-length or fixed) into a fixed buffer, ""
 * when absent. */
static void attr_string(hid_t obj, const char *name, char *out, size_t n)
{
    char *s = st_attr_read_str(obj, name);
    snprintf(out, n, "%s", s ? s : "");
    free(s);
}

static char *attr_string_dup(hid_t obj, const char *name)
{
    char *s = st_attr_read_str(obj, name);
    return s ? s : strdup("");
}

typedef struct {
    char names[MAX_OBJECTS][TS_VIEW_NAME];
    size_t n;
    int has_aggregate;
} name_list;

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    name_list *l = data;
    H5O_info_t oi;
    if (H5Oget_info_by_name2(g, name, &oi, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return 0;
    if (oi.type == H5O_TYPE_GROUP && strcmp(name, "aggregate") == 0) l->has_aggregate = 1;
    if (oi.type != H5O_TYPE_DATASET || l->n >= MAX_OBJECTS) return 0;
    snprintf(l->names[l->n++], TS_VIEW_NAME, "%s", name);
    return 0;
}

/* The values of a 1-D dataset as coordinates: numbers, labels, or the index. */
static ts_status read_values(const char *file, hid_t d, const char *path, ts_view_dim *dim, ts_err *err)
{
    memset(dim, 0, sizeof *dim);
    snprintf(dim->path, sizeof dim->path, "%s", path);
    const char *slash = strrchr(path, '/');
    snprintf(dim->name, sizeof dim->name, "%s", slash ? slash + 1 : path);
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
    hsize_t len = 0;
    int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &len, NULL) == 1;
    if (sp >= 0) H5Sclose(sp);
    if (!ok) {
        if (t >= 0) H5Tclose(t);
        return ts_err_set(err, TS_EINVAL, "%s: coordinate '%s' is not one-dimensional", file, path);
    }
    dim->len = (size_t)len;
    H5T_class_t cls = H5Tget_class(t);
    ts_status st = TS_OK;
    dim->values = malloc((len ? len : 1) * sizeof(double));
    if (!dim->values) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", file);
    if (!st && cls == H5T_STRING) {
        dim->type = TS_COORD_STRING;
        dim->labels = calloc(len ? len : 1, sizeof(char *));
        hid_t m = H5Tcopy(H5T_C_S1);
        H5Tset_size(m, H5T_VARIABLE);
        H5Tset_cset(m, H5T_CSET_UTF8);
        if (!dim->labels || H5Tis_variable_str(t) <= 0 || H5Dread(d, m, H5S_ALL, H5S_ALL, H5P_DEFAULT, dim->labels) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot read the labels of '%s'", file, path);
        H5Tclose(m);
        for (size_t i = 0; i < len; i++) dim->values[i] = (double)i;
    } else if (!st && (cls == H5T_FLOAT || cls == H5T_INTEGER)) {
        dim->type = cls == H5T_FLOAT ? TS_COORD_REAL : TS_COORD_INT;
        if (len && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, dim->values) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot read the values of '%s'", file, path);
    } else if (!st) {
        dim->type = TS_COORD_INDEX;
        for (size_t i = 0; i < len; i++) dim->values[i] = (double)i;
    }
    H5Tclose(t);
    return st;
}

void ts_view_dim_clear(ts_view_dim *dim)
{
    free(dim->values);
    if (dim->labels) {
        for (size_t k = 0; k < dim->len; k++)
            if (dim->labels[k]) H5free_memory(dim->labels[k]);
        free(dim->labels);
    }
    memset(dim, 0, sizeof *dim);
}

static ts_status read_scale(ts_store_view *v, hid_t d, const char *path, ts_err *err)
{
    /* counted even on error, so free releases what was read */
    return read_values(v->path, d, path, &v->dims[v->n_dims++], err);
}

typedef struct {
    const ts_store_view *v;
    ts_view_dset *d;
} attach_ctx;

static herr_t scale_found(hid_t did, unsigned k, hid_t scale, void *data)
{
    (void)did;
    attach_ctx *c = data;
    char name[TS_VIEW_NAME + 2];
    if (H5Iget_name(scale, name, sizeof name) <= 0) return 1;
    c->d->dim[k] = ts_store_view_dim(c->v, name[0] == '/' ? name + 1 : name);
    return 1;   /* the first scale of a dimension names it */
}

static ts_status read_dset_info(ts_store_view *v, hid_t d, const char *path, int in_aggregate,
                                ts_err *err)
{
    ts_view_dset *o = &v->dsets[v->n_dsets];
    memset(o, 0, sizeof *o);
    snprintf(o->path, sizeof o->path, "%s", path);
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d);
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    hsize_t shape[H5S_MAX_RANK];
    if (rank < 0 || rank > TS_VIEW_MAX_RANK || H5Sget_simple_extent_dims(sp, shape, NULL) < 0) {
        if (sp >= 0) H5Sclose(sp);
        if (t >= 0) H5Tclose(t);
        return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' has %d dimensions (at most %d are read)",
                          v->path, path, rank, TS_VIEW_MAX_RANK);
    }
    H5Sclose(sp);
    o->rank = (size_t)rank;
    for (int k = 0; k < rank; k++) {
        o->shape[k] = (size_t)shape[k];
        o->dim[k] = -1;
        attach_ctx c = { v, o };
        int idx = 0;
        if (H5DSget_num_scales(d, (unsigned)k) > 0) H5DSiterate_scales(d, (unsigned)k, &idx, scale_found, &c);
    }
    o->is_float = H5Tget_class(t) == H5T_FLOAT;
    o->is_string = H5Tget_class(t) == H5T_STRING;
    H5Tclose(t);
    attr_string(d, "units", o->units, sizeof o->units);
    attr_string(d, "long_name", o->description, sizeof o->description);
    if (!o->description[0]) attr_string(d, "description", o->description, sizeof o->description);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (in_aggregate) o->role = TS_DSET_AGGREGATE;
    else if (is_task_name(base)) o->role = TS_DSET_TASK;
    else o->role = TS_DSET_COORD;
    if (!in_aggregate && o->role == TS_DSET_COORD && o->is_float && o->rank >= v->n_task_dims) {
        /* over the task dimensions first; a store of one task has none */
        int match = 1;
        for (size_t k = 0; k < v->n_task_dims && match; k++) match = o->dim[k] == v->task_dim[k];
        if (match) o->role = TS_DSET_RESULT;
    }
    v->n_dsets++;
    return TS_OK;
}

/* Scales first (datasets refer to them), then /status (its dimensions are
 * the task dimensions every result starts with), then every dataset;
 * `prefix` is "" for the root and "aggregate/" for that group. */
/* Read the members of group g listed in l: the dimension scales (scales = 1)
 * or the datasets that are not scales (scales = 0). */
static ts_status read_members(ts_store_view *v, hid_t g, const name_list *l, const char *prefix, int scales,
                              int in_aggregate, ts_err *err)
{
    ts_status st = TS_OK;
    for (size_t i = 0; i < l->n && !st; i++) {
        hid_t d = H5Dopen2(g, l->names[i], H5P_DEFAULT);
        if (d < 0) return ts_err_set(err, TS_EIO, "%s: cannot open dataset %s%s", v->path, prefix, l->names[i]);
        char path[TS_VIEW_NAME + 16];
        snprintf(path, sizeof path, "%s%s", prefix, l->names[i]);
        int is_scale = H5DSis_scale(d) > 0;
        if (scales && is_scale) st = read_scale(v, d, path, err);
        if (!scales && !is_scale) st = read_dset_info(v, d, path, in_aggregate, err);
        H5Dclose(d);
    }
    return st;
}

static ts_status read_group(ts_store_view *v, hid_t file, const char *group, const char *prefix,
                            int in_aggregate, name_list *l, ts_err *err)
{
    l->n = 0;
    hid_t g = H5Gopen2(file, group, H5P_DEFAULT);
    if (g < 0) return ts_err_set(err, TS_EIO, "%s: cannot open group %s", v->path, group);
    H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, collect, l);
    ts_status st = TS_OK;
    if (l->n >= MAX_OBJECTS)
        st = ts_err_set(err, TS_EINVAL, "%s: more than %d datasets in %s", v->path, MAX_OBJECTS - 1, group);
    if (!st) st = read_members(v, g, l, prefix, 1, in_aggregate, err);   /* scales first: datasets refer to them */
    if (!st && !in_aggregate) {
        hid_t d = H5Lexists(g, TS_DS_STATUS, H5P_DEFAULT) > 0 ? H5Dopen2(g, TS_DS_STATUS, H5P_DEFAULT) : -1;
        if (d < 0) {
            st = ts_err_set(err, TS_EINVAL, "%s: not a tailsweep store (no /status dataset)", v->path);
        } else {
            st = read_dset_info(v, d, TS_DS_STATUS, 0, err);
            if (!st) {
                const ts_view_dset *s = &v->dsets[--v->n_dsets];   /* listed again below */
                v->n_task_dims = s->rank;
                v->n_tasks = 1;
                for (size_t k = 0; k < s->rank; k++) {
                    v->task_dim[k] = s->dim[k];
                    v->n_tasks *= s->shape[k];
                }
            }
            H5Dclose(d);
        }
    }
    if (!st) st = read_members(v, g, l, prefix, 0, in_aggregate, err);
    H5Gclose(g);
    return st;
}

int ts_store_view_dim(const ts_store_view *v, const char *path)
{
    for (size_t i = 0; i < v->n_dims; i++)
        if (strcmp(v->dims[i].path, path) == 0) return (int)i;
    return -1;
}

int ts_store_view_dset(const ts_store_view *v, const char *path)
{
    for (size_t i = 0; i < v->n_dsets; i++)
        if (strcmp(v->dsets[i].path, path) == 0) return (int)i;
    return -1;
}

size_t ts_view_dset_size(const ts_view_dset *d)
{
    size_t n = 1;
    for (size_t k = 0; k < d->rank; k++) n *= d->shape[k];
    return n;
}

static ts_status count_status(uint64_t t0, size_t n, const int8_t *status, void *ctx, ts_err *err)
{
    (void)t0;
    (void)err;
    ts_store_view *v = ctx;
    for (size_t i = 0; i < n; i++) v->n_status[status[i] >= 0 && status[i] < 4 ? status[i] : 0]++;
    return TS_OK;
}

ts_status ts_store_view_open(const char *path, ts_store_view **out, ts_err *err)
{
    *out = NULL;
    if (!path || !path[0]) return ts_err_set(err, TS_EINVAL, "store: no file name given");
    ts_file_info fi;
    ts_file_identify(path, &fi);
    ts_file_kind kind = fi.kind;
    char why[256];
    snprintf(why, sizeof why, "%s", fi.why);
    ts_file_info_clear(&fi);
    if (kind != TS_FILE_STORE && kind != TS_FILE_STACKED)
        return ts_err_set(err, kind == TS_FILE_ABSENT || kind == TS_FILE_UNREADABLE ? TS_EIO : TS_EINVAL,
                          "%s: %s%s%s", path, ts_file_kind_phrase(kind), why[0] ? ": " : "", why);
    hid_t fapl = st_fapl();
    hid_t f = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
    if (fapl >= 0) H5Pclose(fapl);
    if (f < 0) return ts_err_set(err, TS_EIO, "%s: cannot open as HDF5", path);
    ts_store_view *v = calloc(1, sizeof *v);
    name_list *l = malloc(sizeof *l);
    if (v) {
        v->file = f;
        v->cur_dset = -1;
        v->dims = calloc(2 * MAX_OBJECTS, sizeof *v->dims);
        v->dsets = calloc(2 * MAX_OBJECTS, sizeof *v->dsets);
    }
    if (!v || !l || !v->dims || !v->dsets) {
        if (!v) H5Fclose(f);
        free(l);
        ts_store_view_free(v);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    snprintf(v->path, sizeof v->path, "%s", path);
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    double num = 1;
    attr_string(root, TS_ATTR_KIND, v->kind, sizeof v->kind);
    attr_string(root, TS_ATTR_VERSION, v->version, sizeof v->version);
    attr_string(root, TS_ATTR_CREATED, v->created, sizeof v->created);
    attr_string(root, TS_ATTR_JOB_FILE, v->job_file, sizeof v->job_file);
    v->job_text = attr_string_dup(root, TS_ATTR_JOB_TEXT);
    v->job = attr_string_dup(root, TS_ATTR_JOB);
    v->format = st_attr_read_num(root, TS_ATTR_FORMAT, &num) ? (int)num : 1;
    v->stacked = H5Aexists(root, TS_ATTR_STACKED) > 0;
    if (H5Aexists(root, TS_ATTR_SEED) > 0) {
        hid_t a = H5Aopen(root, TS_ATTR_SEED, H5P_DEFAULT);
        if (a >= 0) {
            H5Aread(a, H5T_NATIVE_UINT64, &v->seed);
            H5Aclose(a);
        }
    }
    if (st_attr_read_num(root, TS_ATTR_REPLICATES, &num)) v->replicates = (uint64_t)num;
    H5Gclose(root);
    l->has_aggregate = 0;
    ts_status st = read_group(v, f, "/", "", 0, l, err);
    if (!st && l->has_aggregate) {
        v->has_aggregate = 1;
        hid_t g = H5Gopen2(f, "/" TS_GROUP_AGGREGATE, H5P_DEFAULT);
        if (g >= 0) {
            attr_string(g, TS_ATTR_AGG_OVER, v->agg_over, sizeof v->agg_over);
            attr_string(g, TS_ATTR_CREATED, v->agg_created, sizeof v->agg_created);
            char hex[32] = "";
            attr_string(g, TS_ATTR_AGG_SOURCE, hex, sizeof hex);
            v->agg_source_state = strtoull(hex, NULL, 16);
            H5Gclose(g);
        }
        st = read_group(v, f, "/" TS_GROUP_AGGREGATE, TS_GROUP_AGGREGATE "/", 1, l, err);
    }
    free(l);
    if (!st) st = ts_store_view_each_status(v, count_status, v, err);
    if (st) {
        ts_store_view_free(v);
        return st;
    }
    *out = v;
    return TS_OK;
}

void ts_store_view_free(ts_store_view *v)
{
    if (!v) return;
    for (size_t i = 0; v->dims && i < v->n_dims; i++) ts_view_dim_clear(&v->dims[i]);
    if (v->cur_dset >= 0) H5Dclose(v->cur_dset);
    if (v->file >= 0) H5Fclose(v->file);
    free(v->dims);
    free(v->dsets);
    free(v->job_text);
    free(v->job);
    free(v);
}

/* The dataset at path, open: the last one read stays open, since readers
 * go through a dataset slab after slab. */
static hid_t open_dset(ts_store_view *v, const char *path, ts_err *err)
{
    if (v->cur_dset >= 0 && strcmp(v->cur_path, path) == 0) return v->cur_dset;
    if (v->cur_dset >= 0) H5Dclose(v->cur_dset);
    v->cur_dset = -1;
    char hp[TS_VIEW_NAME + 2];
    snprintf(hp, sizeof hp, "/%s", path);
    hid_t d = H5Lexists(v->file, hp, H5P_DEFAULT) > 0 ? H5Dopen2(v->file, hp, H5P_DEFAULT) : -1;
    if (d < 0) {
        ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
        return -1;
    }
    v->cur_dset = d;
    snprintf(v->cur_path, sizeof v->cur_path, "%s", path);
    return d;
}

ts_status ts_store_view_read_slab(ts_store_view *v, const char *path, const size_t *start, const size_t *count,
                                  ts_read_type as, void *out, ts_err *err)
{
    int i = ts_store_view_dset(v, path);
    if (i < 0) return ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    const ts_view_dset *d = &v->dsets[i];
    if (d->is_string) return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' holds strings, not numbers", v->path, path);
    hid_t ds = open_dset(v, path, err);
    if (ds < 0) return TS_EINVAL;
    hsize_t st0[TS_VIEW_MAX_RANK], cnt[TS_VIEW_MAX_RANK];
    size_t n = 1;
    for (size_t k = 0; k < d->rank; k++) {
        if (start[k] + count[k] > d->shape[k])
            return ts_err_set(err, TS_EINVAL, "%s: slab of '%s' outside its shape", v->path, path);
        st0[k] = start[k];
        cnt[k] = count[k];
        n *= count[k];
    }
    if (n == 0) return TS_OK;
    hid_t mtype = as == TS_READ_INT8 ? H5T_NATIVE_INT8 : as == TS_READ_UINT32 ? H5T_NATIVE_UINT32 : H5T_NATIVE_DOUBLE;
    hid_t fs = H5Dget_space(ds);
    hid_t ms = d->rank ? H5Screate_simple((int)d->rank, cnt, NULL) : H5Screate(H5S_SCALAR);
    herr_t rc = fs < 0 || ms < 0 ? -1 : 0;
    if (!rc && d->rank) rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, st0, NULL, cnt, NULL);
    if (!rc) rc = H5Dread(ds, mtype, ms, fs, H5P_DEFAULT, out);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    return rc < 0 ? ts_err_set(err, TS_EIO, "%s: cannot read dataset '%s'", v->path, path) : TS_OK;
}

ts_status ts_store_view_read(ts_store_view *v, const char *path, double **out, ts_err *err)
{
    *out = NULL;
    int i = ts_store_view_dset(v, path);
    if (i < 0) return ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    const ts_view_dset *d = &v->dsets[i];
    size_t n = ts_view_dset_size(d), start[TS_VIEW_MAX_RANK] = { 0 };
    double *buf = malloc((n ? n : 1) * sizeof *buf);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "%s: out of memory reading '%s'", v->path, path);
    ts_status st = ts_store_view_read_slab(v, path, start, d->shape, TS_READ_DOUBLE, buf, err);
    if (st) free(buf);
    else *out = buf;
    return st;
}

/* Stream a per-task dataset in blocks of whole task runs: f(t0, n, values). */
static ts_status stream_tasks(ts_store_view *v, const char *path, ts_read_type as, size_t esize,
                              ts_status (*f)(uint64_t t0, size_t n, const void *x, void *ctx, ts_err *err),
                              void *ctx, ts_err *err)
{
    int i = ts_store_view_dset(v, path);
    if (i < 0) return ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    const ts_view_dset *d = &v->dsets[i];
    hsize_t shape[TS_VIEW_MAX_RANK], hs[TS_VIEW_MAX_RANK], hc[TS_VIEW_MAX_RANK];
    for (size_t k = 0; k < d->rank; k++) shape[k] = d->shape[k];
    st_blocks it;
    st_blocks_init(&it, shape, (int)d->rank, BLOCK);
    void *buf = malloc(BLOCK * esize);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", v->path);
    ts_status st = TS_OK;
    uint64_t e0;
    size_t n;
    while (!st && st_blocks_next(&it, hs, hc, &e0, &n)) {
        size_t s0[TS_VIEW_MAX_RANK], c0[TS_VIEW_MAX_RANK];
        for (size_t k = 0; k < d->rank; k++) {
            s0[k] = (size_t)hs[k];
            c0[k] = (size_t)hc[k];
        }
        st = ts_store_view_read_slab(v, path, s0, c0, as, buf, err);
        if (!st) st = f(e0, n, buf, ctx, err);
    }
    free(buf);
    return st;
}

typedef struct {
    ts_status (*f)(uint64_t t0, size_t n, const int8_t *status, void *ctx, ts_err *err);
    void *ctx;
} status_fwd;

static ts_status fwd_status(uint64_t t0, size_t n, const void *x, void *ctx, ts_err *err)
{
    status_fwd *c = ctx;
    return c->f(t0, n, x, c->ctx, err);
}

ts_status ts_store_view_each_task(ts_store_view *v, const char *path, ts_read_type as,
                                  ts_status (*f)(uint64_t t0, size_t n, const void *values, void *ctx, ts_err *err),
                                  void *ctx, ts_err *err)
{
    size_t esize = as == TS_READ_INT8 ? 1 : as == TS_READ_UINT32 ? 4 : 8;
    return stream_tasks(v, path, as, esize, f, ctx, err);
}

ts_status ts_store_view_each_status(ts_store_view *v,
                                    ts_status (*f)(uint64_t t0, size_t n, const int8_t *status, void *ctx, ts_err *err),
                                    void *ctx, ts_err *err)
{
    status_fwd c = { f, ctx };
    return stream_tasks(v, TS_DS_STATUS, TS_READ_INT8, 1, fwd_status, &c, err);
}

/* The task box t0 .. t0 + n - 1 must stay within one row of the last task
 * dimension; callers walk rows. */
static void task_box(const ts_view_dset *d, size_t n_task_dims, uint64_t t0, size_t n, size_t *start,
                     size_t *count)
{
    uint64_t rest = t0;
    for (size_t k = n_task_dims; k-- > 0;) {
        start[k] = (size_t)(rest % d->shape[k]);
        rest /= d->shape[k];
        count[k] = 1;
    }
    count[n_task_dims - 1] = n;
}

ts_status ts_store_view_task_strings(ts_store_view *v, const char *path, uint64_t t0, size_t n, char *out,
                                     size_t width, ts_err *err)
{
    int i = ts_store_view_dset(v, path);
    if (i < 0) return ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    const ts_view_dset *d = &v->dsets[i];
    if (!d->is_string || d->rank != v->n_task_dims)
        return ts_err_set(err, TS_EINVAL, "%s: '%s' is not a per-task string dataset", v->path, path);
    hid_t ds = open_dset(v, path, err);
    if (ds < 0) return TS_EINVAL;
    hid_t ft = H5Dget_type(ds);
    size_t sz = ft >= 0 ? H5Tget_size(ft) : 0;
    int var = ft >= 0 && H5Tis_variable_str(ft) > 0;
    if (ft >= 0) H5Tclose(ft);
    if (var || sz == 0) return ts_err_set(err, TS_EINVAL, "%s: '%s' is not a fixed-length string dataset", v->path, path);
    char *raw = malloc(sz * (n ? n : 1));
    if (!raw) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", v->path);
    ts_status st = TS_OK;
    if (v->n_task_dims == 0) {   /* a store of one task: a scalar */
        hid_t mt = H5Dget_type(ds);   /* the file's own type: no conversion, no charset clash */
        if (t0 != 0 || n != 1 || H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot read '%s'", v->path, path);
        H5Tclose(mt);
        n = 1;
    }
    size_t row = v->n_task_dims ? d->shape[v->n_task_dims - 1] : 1;
    for (size_t done = v->n_task_dims ? 0 : n; done < n && !st;) {
        uint64_t t = t0 + done;
        size_t in_row = row - (size_t)(t % row), m = n - done < in_row ? n - done : in_row;
        size_t start[TS_VIEW_MAX_RANK], count[TS_VIEW_MAX_RANK];
        task_box(d, v->n_task_dims, t, m, start, count);
        hsize_t s0[TS_VIEW_MAX_RANK], c0[TS_VIEW_MAX_RANK];
        for (size_t k = 0; k < d->rank; k++) {
            s0[k] = start[k];
            c0[k] = count[k];
        }
        hid_t mt = H5Dget_type(ds);
        hid_t fs = H5Dget_space(ds), ms = H5Screate_simple((int)d->rank, c0, NULL);
        herr_t rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, s0, NULL, c0, NULL);
        if (rc >= 0) rc = H5Dread(ds, mt, ms, fs, H5P_DEFAULT, raw + done * sz);
        H5Sclose(ms);
        H5Sclose(fs);
        H5Tclose(mt);
        if (rc < 0) st = ts_err_set(err, TS_EIO, "%s: cannot read '%s'", v->path, path);
        done += m;
    }
    for (size_t k = 0; !st && k < n; k++) {
        size_t len = strnlen(raw + k * sz, sz);
        if (len >= width) len = width - 1;
        memcpy(out + k * width, raw + k * sz, len);
        out[k * width + len] = '\0';
    }
    free(raw);
    return st;
}

typedef struct {
    uint64_t h;
    size_t esize;
} state_ctx;

static ts_status state_block(uint64_t t0, size_t n, const void *x, void *ctx, ts_err *err)
{
    (void)t0;
    (void)err;
    state_ctx *c = ctx;
    c->h = ts_hash64(x, n * c->esize, c->h);
    return TS_OK;
}

ts_status ts_store_view_state(ts_store_view *v, uint64_t *state, ts_err *err)
{
    /* statuses, then checksums: a task rerun with new values changes its checksum */
    state_ctx c = { 0, 1 };
    ts_status st = stream_tasks(v, TS_DS_STATUS, TS_READ_INT8, 1, state_block, &c, err);
    c.esize = 4;
    if (!st && ts_store_view_dset(v, TS_DS_CHECKSUM) >= 0)
        st = stream_tasks(v, TS_DS_CHECKSUM, TS_READ_UINT32, 4, state_block, &c, err);
    *state = c.h;
    return st;
}

ts_status ts_store_view_coord(ts_store_view *v, const char *path, ts_view_dim *out, ts_err *err)
{
    memset(out, 0, sizeof *out);
    char hp[TS_VIEW_NAME + 2];
    snprintf(hp, sizeof hp, "/%s", path);
    hid_t d = H5Lexists(v->file, hp, H5P_DEFAULT) > 0 ? H5Dopen2(v->file, hp, H5P_DEFAULT) : -1;
    ts_status st;
    if (d < 0) st = ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    else st = read_values(v->path, d, path, out, err);
    if (d >= 0) H5Dclose(d);
    if (st) ts_view_dim_clear(out);
    return st;
}

int ts_store_view_attr_num(const ts_store_view *v, const char *name, double *out)
{
    hid_t root = H5Gopen2(v->file, "/", H5P_DEFAULT);
    if (root < 0) return 0;
    int ok = st_attr_read_num(root, name, out);
    H5Gclose(root);
    return ok;
}
