/* ts_store_view.c: reading a store back (ts_store_view.h): root attributes,
 * dimension scales and their coordinates, datasets and the scales attached
 * to them, and the task counts of /status. */
#include "tailsweep/ts_store_view.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_store.h"

#define MAX_OBJECTS 2048   /* per group: the root and /aggregate */

static const char *const task_names[] = { "status", "attempt", "rank", "wall_time", "host", "message", NULL };

static int is_task_name(const char *n)
{
    for (int i = 0; task_names[i]; i++)
        if (strcmp(task_names[i], n) == 0) return 1;
    return 0;
}

/* A string attribute (variable-length or fixed), "" when absent. */
static int attr_string(hid_t obj, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    if (H5Aexists(obj, name) <= 0) return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return -1;
    hid_t t = H5Aget_type(a);
    int rc = -1;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING) {
        if (H5Tis_variable_str(t) > 0) {
            hid_t m = H5Tcopy(H5T_C_S1);
            H5Tset_size(m, H5T_VARIABLE);
            H5Tset_cset(m, H5Tget_cset(t));
            char *s = NULL;
            if (H5Aread(a, m, &s) >= 0) {
                snprintf(out, n, "%s", s ? s : "");
                rc = 0;
            }
            if (s) H5free_memory(s);
            H5Tclose(m);
        } else {
            size_t sz = H5Tget_size(t);
            char *buf = calloc(sz + 1, 1);
            if (buf && H5Aread(a, t, buf) >= 0) {
                snprintf(out, n, "%s", buf);
                rc = 0;
            }
            free(buf);
        }
    }
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* The same, into a malloc'd string of any length (the job text). */
static char *attr_string_dup(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0) return strdup("");
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    char *out = NULL;
    if (t >= 0 && H5Tget_class(t) == H5T_STRING && H5Tis_variable_str(t) > 0) {
        hid_t m = H5Tcopy(H5T_C_S1);
        H5Tset_size(m, H5T_VARIABLE);
        H5Tset_cset(m, H5Tget_cset(t));
        char *s = NULL;
        if (H5Aread(a, m, &s) >= 0) out = strdup(s ? s : "");
        if (s) H5free_memory(s);
        H5Tclose(m);
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    return out ? out : strdup("");
}

/* A numeric scalar attribute as a double; returns 1 when present and read. */
static int attr_number(hid_t obj, const char *name, double *v)
{
    if (H5Aexists(obj, name) <= 0) return 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0) return 0;
    int ok = H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
    H5Aclose(a);
    return ok;
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
    attr_string(d, "description", o->description, sizeof o->description);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    if (in_aggregate) o->role = TS_DSET_AGGREGATE;
    else if (is_task_name(base)) o->role = TS_DSET_TASK;
    else o->role = TS_DSET_COORD;
    if (!in_aggregate && o->role == TS_DSET_COORD && o->is_float && o->rank >= v->n_task_dims) {
        int match = v->n_task_dims > 0;
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
        hid_t d = H5Lexists(g, "status", H5P_DEFAULT) > 0 ? H5Dopen2(g, "status", H5P_DEFAULT) : -1;
        if (d < 0) {
            st = ts_err_set(err, TS_EINVAL, "%s: not a tailsweep store (no /status dataset)", v->path);
        } else {
            st = read_dset_info(v, d, "status", 0, err);
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

static ts_status open_file(const char *path, hid_t *f, ts_err *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, R_OK) != 0)
        return ts_err_set(err, TS_EIO, "%s: cannot read the store: %s", path, strerror(errno));
    if (H5Fis_hdf5(path) <= 0)
        return ts_err_set(err, TS_EINVAL, "%s: not an HDF5 file, so not a tailsweep store", path);
    *f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (*f < 0) return ts_err_set(err, TS_EIO, "%s: cannot open as HDF5", path);
    return TS_OK;
}

ts_status ts_store_view_open(const char *path, ts_store_view **out, ts_err *err)
{
    *out = NULL;
    if (!path || !path[0]) return ts_err_set(err, TS_EINVAL, "store: no file name given");
    hid_t f = -1;
    ts_status st = open_file(path, &f, err);
    if (st) return st;
    ts_store_view *v = calloc(1, sizeof *v);
    name_list *l = malloc(sizeof *l);
    if (v) {
        v->dims = calloc(2 * MAX_OBJECTS, sizeof *v->dims);
        v->dsets = calloc(2 * MAX_OBJECTS, sizeof *v->dsets);
    }
    if (!v || !l || !v->dims || !v->dsets) {
        H5Fclose(f);
        free(l);
        ts_store_view_free(v);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    snprintf(v->path, sizeof v->path, "%s", path);
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    double num = 1;
    attr_string(root, "kind", v->kind, sizeof v->kind);
    attr_string(root, "tailsweep_version", v->version, sizeof v->version);
    attr_string(root, "created", v->created, sizeof v->created);
    attr_string(root, "updated", v->updated, sizeof v->updated);
    attr_string(root, "job_file", v->job_file, sizeof v->job_file);
    v->job_text = attr_string_dup(root, "job_text");
    v->format = attr_number(root, "format_version", &num) ? (int)num : 1;
    if (attr_number(root, "seed", &num)) v->seed = (uint64_t)num;
    if (attr_number(root, "replicates", &num)) v->replicates = (uint64_t)num;
    H5Gclose(root);
    l->has_aggregate = 0;
    if (!v->kind[0])
        st = ts_err_set(err, TS_EINVAL, "%s: not a tailsweep store (no root attribute 'kind')", path);
    else if (v->format > TS_STORE_FORMAT || v->format < 1)
        st = ts_err_set(err, TS_EINVAL,
                        "%s: store format version %d, but this tailsweep (%s) reads format %d at most: "
                        "use a newer tailsweep", path, v->format, v->version[0] ? v->version : "?", TS_STORE_FORMAT);
    if (!st) st = read_group(v, f, "/", "", 0, l, err);
    if (!st && l->has_aggregate) {
        v->has_aggregate = 1;
        hid_t g = H5Gopen2(f, "/aggregate", H5P_DEFAULT);
        if (g >= 0) {
            attr_string(g, "reduced_over", v->agg_over, sizeof v->agg_over);
            attr_string(g, "created", v->agg_created, sizeof v->agg_created);
            H5Gclose(g);
        }
        st = read_group(v, f, "/aggregate", "aggregate/", 1, l, err);
    }
    H5Fclose(f);
    free(l);
    if (!st) {
        int8_t *s = NULL;
        st = ts_store_view_status(v, &s, err);
        for (uint64_t t = 0; !st && t < v->n_tasks; t++) v->n_status[s[t] >= 0 && s[t] < 4 ? s[t] : 0]++;
        free(s);
    }
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
    free(v->dims);
    free(v->dsets);
    free(v->job_text);
    free(v);
}

static ts_status read_as(const ts_store_view *v, const char *path, hid_t mtype, size_t esize,
                         void **out, ts_err *err)
{
    *out = NULL;
    int i = ts_store_view_dset(v, path);
    if (i < 0) return ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    const ts_view_dset *d = &v->dsets[i];
    if (d->is_string) return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' holds strings, not numbers", v->path, path);
    size_t n = ts_view_dset_size(d);
    void *buf = malloc((n ? n : 1) * esize);
    if (!buf) return ts_err_set(err, TS_ENOMEM, "%s: out of memory reading '%s'", v->path, path);
    hid_t f = -1;
    ts_status st = open_file(v->path, &f, err);
    if (st) {
        free(buf);
        return st;
    }
    char hp[TS_VIEW_NAME + 2];
    snprintf(hp, sizeof hp, "/%s", path);
    hid_t ds = H5Dopen2(f, hp, H5P_DEFAULT);
    if (ds < 0 || (n && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
        st = ts_err_set(err, TS_EIO, "%s: cannot read dataset '%s'", v->path, path);
    if (ds >= 0) H5Dclose(ds);
    H5Fclose(f);
    if (st) free(buf);
    else *out = buf;
    return st;
}

ts_status ts_store_view_read(const ts_store_view *v, const char *path, double **out, ts_err *err)
{
    return read_as(v, path, H5T_NATIVE_DOUBLE, sizeof(double), (void **)out, err);
}

ts_status ts_store_view_status(const ts_store_view *v, int8_t **out, ts_err *err)
{
    return read_as(v, "status", H5T_NATIVE_INT8, 1, (void **)out, err);
}

ts_status ts_store_view_coord(const ts_store_view *v, const char *path, ts_view_dim *out, ts_err *err)
{
    memset(out, 0, sizeof *out);
    hid_t f = -1;
    ts_status st = open_file(v->path, &f, err);
    if (st) return st;
    char hp[TS_VIEW_NAME + 2];
    snprintf(hp, sizeof hp, "/%s", path);
    hid_t d = H5Lexists(f, hp, H5P_DEFAULT) > 0 ? H5Dopen2(f, hp, H5P_DEFAULT) : -1;
    if (d < 0) st = ts_err_set(err, TS_EINVAL, "%s: no dataset '%s'", v->path, path);
    else st = read_values(v->path, d, path, out, err);
    if (d >= 0) H5Dclose(d);
    H5Fclose(f);
    if (st) ts_view_dim_clear(out);
    return st;
}
