/* ts_agg_write.c: `tailsweep aggregate`: reduce every result of a store over
 * the seed axis (and any others asked for) and write /aggregate into the
 * store, by the store's own safe route: copy to a temporary file, replace
 * /aggregate there, fsync, rename over the store (ts_aggregate.h). */
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tailsweep/ts_sweep.h"
#include "tailsweep/ts_version.h"
#include "ts_agg_internal.h"

#define QUANTILE_DIM (-2)

void ts_agg_opts_default(ts_agg_opts *o)
{
    memset(o, 0, sizeof *o);
    o->n_q = 4;
    o->q[0] = 0.05;
    o->q[1] = 0.25;
    o->q[2] = 0.75;
    o->q[3] = 0.95;
    o->level = 0.95;
}

typedef struct {
    const ts_store_view *v;
    const char *path;
    hid_t file, group, str;
    hid_t scale[2 * 2048];        /* by view dim index: its copy in /aggregate, or -1 */
    hid_t qscale;
    int reduce[2 * 2048];         /* by view dim index                              */
    char (*written)[TS_VIEW_NAME];/* the datasets created so far                     */
    size_t n_written;
    ts_err *err;
} wctx;

#define MAX_WRITTEN 8192

static ts_status h5fail(const wctx *c, const char *what, const char *name)
{
    return ts_err_set(c->err, TS_EIO, "%s: %s '%s'", c->path, what, name);
}


/* Create `name` in /aggregate, noting it as written. */
static hid_t make_dset(wctx *c, const char *name, hid_t ftype, hid_t sp)
{
    if (c->n_written < MAX_WRITTEN) snprintf(c->written[c->n_written++], TS_VIEW_NAME, "%s", name);
    return H5Dcreate2(c->group, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

/* Fixed-length strings: a variable-length one lives in the file's global
 * heap, whose space HDF5 never reclaims when /aggregate is replaced, so the
 * store would grow on every run. h5py and xarray read both kinds as str. */
static ts_status attr_str(const wctx *c, hid_t obj, const char *name, const char *value)
{
    size_t n = strlen(value);
    hid_t t = H5Tcopy(H5T_C_S1);
    herr_t rc = t >= 0 && H5Tset_size(t, n ? n : 1) >= 0 && H5Tset_cset(t, H5T_CSET_UTF8) >= 0 &&
                H5Tset_strpad(t, H5T_STR_NULLPAD) >= 0 ? 0 : -1;
    hid_t sp = H5Screate(H5S_SCALAR), a = -1;
    if (!rc) a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    rc = a >= 0 ? H5Awrite(a, t, n ? value : " ") : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    if (t >= 0) H5Tclose(t);
    return rc < 0 ? h5fail(c, "cannot write attribute", name) : TS_OK;
}

static ts_status attr_doubles(const wctx *c, hid_t obj, const char *name, const double *x, size_t n)
{
    hsize_t dim = n;
    hid_t sp = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, H5T_NATIVE_DOUBLE, x) : -1;
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc < 0 ? h5fail(c, "cannot write attribute", name) : TS_OK;
}

/* A 1-D coordinate dataset in /aggregate with the values of `d`. */
static ts_status write_coord(wctx *c, const char *name, const ts_view_dim *d, int as_scale, hid_t *out)
{
    hsize_t len = d->len;
    hid_t sp = H5Screate_simple(1, &len, NULL), ds = -1;
    herr_t rc = -1;
    if (d->type == TS_COORD_STRING) {
        ds = make_dset(c, name, c->str, sp);
        if (ds >= 0) rc = len ? H5Dwrite(ds, c->str, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->labels) : 0;
    } else if (d->type == TS_COORD_REAL) {
        ds = make_dset(c, name, H5T_IEEE_F64LE, sp);
        if (ds >= 0) rc = len ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d->values) : 0;
    } else {
        long long *iv = malloc((len ? len : 1) * sizeof *iv);
        for (hsize_t i = 0; iv && i < len; i++) iv[i] = (long long)d->values[i];
        ds = iv ? make_dset(c, name, H5T_STD_I64LE, sp) : -1;
        if (ds >= 0) rc = len ? H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv) : 0;
        free(iv);
    }
    H5Sclose(sp);
    if (rc >= 0 && as_scale) rc = H5DSset_scale(ds, name);
    if (rc < 0) {
        if (ds >= 0) H5Dclose(ds);
        return h5fail(c, "cannot write coordinate", name);
    }
    if (out) *out = ds;
    else H5Dclose(ds);
    return TS_OK;
}

static ts_status scale_for(wctx *c, int dim, hid_t *out)
{
    if (c->scale[dim] < 0) {
        const ts_view_dim *d = &c->v->dims[dim];
        ts_status st = write_coord(c, d->name, d, 1, &c->scale[dim]);
        if (st) return st;
    }
    *out = c->scale[dim];
    return TS_OK;
}

/* Zip members (1-D datasets over a zip dimension, named in a result's
 * `coordinates` attribute) of the kept dims, copied next to their scale so
 * xarray shows them; returns them space-separated in `coords`. */
static ts_status copy_members(wctx *c, const int *dims, size_t rank, char *coords, size_t n)
{
    coords[0] = '\0';
    const ts_store_view *v = c->v;
    for (size_t i = 0; i < v->n_dsets; i++) {
        const ts_view_dset *m = &v->dsets[i];
        if (m->role != TS_DSET_COORD || m->rank != 1 || m->dim[0] < 0) continue;
        int kept = 0;
        for (size_t k = 0; k < rank; k++) kept |= dims[k] == m->dim[0];
        if (!kept) continue;
        size_t used = strlen(coords);
        snprintf(coords + used, n - used, "%s%s", used ? " " : "", m->path);
        int done = 0;
        for (size_t w = 0; w < c->n_written && !done; w++) done = strcmp(c->written[w], m->path) == 0;
        if (done) continue;
        ts_view_dim val;
        ts_status st = ts_store_view_coord(v, m->path, &val, c->err);
        hid_t ds = -1, sc = -1;
        if (!st) st = write_coord(c, m->path, &val, 0, &ds);
        if (!st) st = scale_for(c, m->dim[0], &sc);
        if (!st && H5DSattach_scale(ds, sc, 0) < 0) st = h5fail(c, "cannot attach the scale of", m->path);
        if (ds >= 0) H5Dclose(ds);
        ts_view_dim_clear(&val);
        if (st) return st;
    }
    return TS_OK;
}

typedef struct {
    const char *name, *units, *desc, *source, *statistic;
    size_t rank;
    const int *dims;              /* view dim indices, or QUANTILE_DIM */
    const size_t *shape;
    int is_count;
    const void *data;
} out_spec;

static ts_status write_out(wctx *c, const out_spec *s)
{
    hsize_t shape[TS_VIEW_MAX_RANK + 1];
    for (size_t k = 0; k < s->rank; k++) shape[k] = s->shape[k];
    hid_t sp = s->rank ? H5Screate_simple((int)s->rank, shape, NULL) : H5Screate(H5S_SCALAR);
    hid_t ds = make_dset(c, s->name, s->is_count ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp);
    herr_t rc = ds >= 0 ? 0 : -1;
    size_t n = 1;
    for (size_t k = 0; k < s->rank; k++) n *= s->shape[k];
    if (!rc && n) {
        if (s->is_count) {
            long long *iv = malloc(n * sizeof *iv);
            const uint64_t *cnt = s->data;
            for (size_t i = 0; iv && i < n; i++) iv[i] = (long long)cnt[i];
            rc = iv ? H5Dwrite(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, iv) : -1;
            free(iv);
        } else {
            rc = H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, s->data);
        }
    }
    H5Sclose(sp);
    if (rc < 0) {
        if (ds >= 0) H5Dclose(ds);
        return h5fail(c, "cannot write dataset", s->name);
    }
    ts_status st = TS_OK;
    for (size_t k = 0; k < s->rank && !st; k++) {
        hid_t sc = c->qscale;
        if (s->dims[k] != QUANTILE_DIM) st = scale_for(c, s->dims[k], &sc);
        if (!st && H5DSattach_scale(ds, sc, (unsigned)k) < 0) st = h5fail(c, "cannot attach a scale to", s->name);
    }
    char coords[1024];
    if (!st) st = copy_members(c, s->dims, s->rank, coords, sizeof coords);
    if (!st && coords[0]) st = attr_str(c, ds, "coordinates", coords);
    if (!st && s->units && s->units[0]) st = attr_str(c, ds, "units", s->units);
    if (!st) st = attr_str(c, ds, "description", s->desc);
    if (!st && s->source) st = attr_str(c, ds, "source", s->source);
    if (!st) st = attr_str(c, ds, "statistic", s->statistic);
    if (!st && !s->is_count) {
        double nan = NAN;
        hid_t asp = H5Screate(H5S_SCALAR);
        hid_t a = H5Acreate2(ds, "_FillValue", H5T_IEEE_F64LE, asp, H5P_DEFAULT, H5P_DEFAULT);
        if (a < 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, &nan) < 0) st = h5fail(c, "cannot write _FillValue of", s->name);
        if (a >= 0) H5Aclose(a);
        H5Sclose(asp);
    }
    H5Dclose(ds);
    return st;
}

/* The over-list as text, for descriptions: "replicate, alpha". */
static void over_text(const wctx *c, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->v->n_dims; i++) {
        if (!c->reduce[i]) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", used ? " " : "", c->v->dims[i].name);
    }
}

/* Reduce one array and write its statistics (maps: mean, CI, count, sd). */
static ts_status write_reduced(wctx *c, const char *name, const char *units, const char *desc,
                               size_t rank, const size_t *shape, const int *dims, const double *x,
                               const ts_agg_opts *o, int is_map, ts_agg_summary *sum)
{
    int red[TS_VIEW_MAX_RANK];
    int kdims[TS_VIEW_MAX_RANK + 1];
    size_t kshape[TS_VIEW_MAX_RANK + 1], kr = 0;
    for (size_t k = 0; k < rank; k++) {
        red[k] = dims[k] >= 0 && c->reduce[dims[k]];
        if (!red[k]) {
            if (dims[k] < 0)
                return ts_err_set(c->err, TS_EINVAL, "%s: dimension %zu of '%s' has no scale", c->path, k, name);
            kdims[kr] = dims[k];
            kshape[kr++] = shape[k];
        }
    }
    ts_agg_result r;
    ts_status st = ts_agg_reduce(x, rank, shape, red, o->q, o->n_q, &r, c->err);
    if (st) return st;
    if (sum && sum->n_results == 0 && !is_map) {
        sum->cells = r.n_cells;
        for (size_t i = 0; i < r.n_cells; i++) sum->empty_cells += r.count[i] == 0;
    }
    char over[256], d[512], nm[128];
    over_text(c, over, sizeof over);
    const char *stats[5] = { "count", "mean", "sd", "se", "median" };
    const void *data[5] = { r.count, r.mean, r.sd, r.se, r.median };
    for (int s = 0; s < 5 && !st; s++) {
        if (is_map && s >= 3) break;
        if (is_map) snprintf(nm, sizeof nm, s == 1 ? "map_%s" : "map_%s_%s", name, stats[s]);
        else snprintf(nm, sizeof nm, "%s_%s", name, stats[s]);
        snprintf(d, sizeof d, "%s over %s of: %s", stats[s], over, desc);
        out_spec os = { nm, s == 0 ? "" : units, d, name, stats[s], kr, kdims, kshape, s == 0, data[s] };
        st = write_out(c, &os);
    }
    if (!st && !is_map && o->n_q) {
        snprintf(nm, sizeof nm, "%s_quantile", name);
        snprintf(d, sizeof d, "quantiles (NumPy 'linear') over %s of: %s", over, desc);
        kdims[kr] = QUANTILE_DIM;
        kshape[kr] = o->n_q;
        out_spec os = { nm, units, d, name, "quantile", kr + 1, kdims, kshape, 0, r.quantile };
        st = write_out(c, &os);
    }
    if (!st && is_map) {
        /* mean -/+ t_{(1+level)/2, n-1} se: seeds are few, so Student's t, not 1.96 */
        double *lo = malloc((r.n_cells ? r.n_cells : 1) * sizeof *lo), *hi = malloc((r.n_cells ? r.n_cells : 1) * sizeof *hi);
        if (!lo || !hi) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
        for (size_t i = 0; !st && i < r.n_cells; i++) {
            double h = ts_agg_t_factor(r.count[i], o->level) * r.se[i];
            lo[i] = r.mean[i] - h;
            hi[i] = r.mean[i] + h;
        }
        for (int s = 0; s < 2 && !st; s++) {
            snprintf(nm, sizeof nm, "map_%s_ci_%s", name, s ? "hi" : "lo");
            snprintf(d, sizeof d, "%s end of the %g%% Student-t confidence interval of the mean over %s of: %s",
                     s ? "upper" : "lower", 100 * o->level, over, desc);
            out_spec os = { nm, units, d, name, s ? "ci_hi" : "ci_lo", kr, kdims, kshape, 0, s ? hi : lo };
            st = write_out(c, &os);
        }
        free(lo);
        free(hi);
    }
    ts_agg_result_free(&r);
    return st;
}

/* Per kept task cell: tasks by status, so a partial sweep shows how partial. */
static ts_status write_task_counts(wctx *c)
{
    const ts_store_view *v = c->v;
    int8_t *s = NULL;
    ts_status st = ts_store_view_status(v, &s, c->err);
    if (st) return st;
    size_t shape[TS_VIEW_MAX_RANK];
    for (size_t k = 0; k < v->n_task_dims; k++) shape[k] = (size_t)v->dims[v->task_dim[k]].len;
    double *x = malloc((v->n_tasks ? v->n_tasks : 1) * sizeof *x);
    static const char *const names[4] = { "tasks_todo", "tasks_done", "tasks_failed", "tasks_diverged" };
    if (!x) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    for (int k = 0; k < 4 && !st; k++) {
        /* count = non-NaN entries: mark the tasks with this status */
        for (uint64_t t = 0; t < v->n_tasks; t++) x[t] = s[t] == k ? 1.0 : NAN;
        int red[TS_VIEW_MAX_RANK], kd[TS_VIEW_MAX_RANK];
        size_t ks[TS_VIEW_MAX_RANK], kr = 0;
        for (size_t d = 0; d < v->n_task_dims; d++) {
            red[d] = c->reduce[v->task_dim[d]];
            if (!red[d]) {
                kd[kr] = v->task_dim[d];
                ks[kr++] = shape[d];
            }
        }
        ts_agg_result r;
        st = ts_agg_reduce(x, v->n_task_dims, shape, red, NULL, 0, &r, c->err);
        char desc[160];
        snprintf(desc, sizeof desc, "tasks %s, per cell of the aggregate", names[k] + 6);
        out_spec os = { names[k], "", desc, "status", "count", kr, kd, ks, 1, r.count };
        if (!st) st = write_out(c, &os);
        ts_agg_result_free(&r);
    }
    free(x);
    free(s);
    return st;
}

static ts_status write_all(wctx *c, const ts_agg_opts *o, ts_agg_summary *sum)
{
    const ts_store_view *v = c->v;
    hsize_t nq = o->n_q;
    hid_t sp = H5Screate_simple(1, &nq, NULL);
    c->qscale = make_dset(c, "quantile", H5T_IEEE_F64LE, sp);
    H5Sclose(sp);
    if (c->qscale < 0 || (nq && H5Dwrite(c->qscale, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->q) < 0) ||
        H5DSset_scale(c->qscale, "quantile") < 0)
        return h5fail(c, "cannot write", "aggregate/quantile");
    ts_status st = TS_OK;
    for (size_t i = 0; i < v->n_dsets && !st; i++) {
        const ts_view_dset *d = &v->dsets[i];
        if (d->role != TS_DSET_RESULT) continue;
        double *x = NULL;
        st = ts_store_view_read(v, d->path, &x, c->err);
        if (!st) st = write_reduced(c, d->path, d->units, d->description, d->rank, d->shape, d->dim, x, o, 0, sum);
        if (!st) sum->n_results++;
        free(x);
    }
    if (!st) st = write_task_counts(c);
    if (!st && strcmp(v->kind, "sde") == 0) {
        ts_agg_input in[TS_AGG_MAX_MAPS];
        size_t n = 0;
        st = ts_agg_sde_inputs(v, in, &n, sum->note, sizeof sum->note, c->err);
        for (size_t i = 0; i < n && !st; i++) {
            st = write_reduced(c, in[i].name, in[i].units, in[i].desc, in[i].rank, in[i].shape, in[i].dim,
                               in[i].x, o, 1, NULL);
            if (!st) sum->n_maps++;
        }
        ts_agg_input_free(in, n);
    }
    char over[256], now[32];
    over_text(c, over, sizeof over);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!st) st = attr_str(c, c->group, "reduced_over", over);
    if (!st) st = attr_doubles(c, c->group, "quantiles", o->q, o->n_q);
    if (!st) st = attr_str(c, c->group, "quantile_method", "linear (NumPy default; Hyndman-Fan 7)");
    if (!st) st = attr_str(c, c->group, "sd", "sample standard deviation (ddof 1); se = sd / sqrt(count)");
    if (!st) st = attr_doubles(c, c->group, "ci_level", &o->level, 0);
    if (!st) st = attr_str(c, c->group, "store_updated", v->updated);
    if (!st) st = attr_str(c, c->group, "created", now);
    if (!st) st = attr_str(c, c->group, "tailsweep_version", TS_VERSION);
    return st;
}

static ts_status copy_file(const char *from, const char *to, ts_err *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return ts_err_set(err, TS_EIO, "%s: cannot read: %s", from, strerror(errno));
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (out < 0) {
        int e = errno;
        close(in);
        return ts_err_set(err, TS_EIO, "%s: cannot create %s: %s", from, to, strerror(e));
    }
    enum { BUF = 1 << 16 };
    char *buf = malloc(BUF);
    ssize_t r;
    ts_status st = buf ? TS_OK : ts_err_set(err, TS_ENOMEM, "%s: out of memory", from);
    while (!st && (r = read(in, buf, BUF)) != 0) {
        if (r < 0) {
            if (errno == EINTR) continue;
            st = ts_err_set(err, TS_EIO, "%s: read error: %s", from, strerror(errno));
            break;
        }
        for (ssize_t w = 0; w < r && !st;) {
            ssize_t k = write(out, buf + w, (size_t)(r - w));
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) st = ts_err_set(err, TS_EIO, "%s: cannot write %s: %s", from, to, strerror(errno));
            else w += k;
        }
    }
    free(buf);
    close(in);
    if (close(out) != 0 && !st) st = ts_err_set(err, TS_EIO, "%s: cannot write %s: %s", from, to, strerror(errno));
    return st;
}

static ts_status sync_path(const char *p, int dir, const char *store, ts_err *err)
{
    int fd = open(p, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0 || (fsync(fd) != 0 && !(dir && errno == EINVAL))) {
        int e = errno;
        if (fd >= 0) close(fd);
        return ts_err_set(err, TS_EIO, "%s: cannot sync %s: %s", store, p, strerror(e));
    }
    close(fd);
    return TS_OK;
}

/* The seed axis (replicate) always, plus the axes asked for. */
static ts_status resolve_over(wctx *c, const ts_agg_opts *o)
{
    const ts_store_view *v = c->v;
    for (size_t i = 0; i < v->n_dims; i++) c->reduce[i] = 0;
    for (size_t j = 0; j <= o->n_over; j++) {
        const char *name = j == 0 ? "replicate" : o->over[j - 1];
        int found = 0;
        for (size_t i = 0; i < v->n_dims; i++)
            if (strchr(v->dims[i].path, '/') == NULL && strcmp(v->dims[i].name, name) == 0) {
                c->reduce[i] = 1;
                found = 1;
            }
        if (!found) {
            char list[512] = "";
            for (size_t i = 0; i < v->n_dims; i++) {
                if (strchr(v->dims[i].path, '/')) continue;
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", v->dims[i].name);
            }
            return ts_err_set(c->err, TS_EINVAL, "%s: no axis '%s' to reduce over (the store has: %s)",
                              c->path, name, list);
        }
    }
    return TS_OK;
}

ts_status ts_aggregate_store(const char *path, const ts_agg_opts *o, ts_agg_summary *sum, ts_err *err)
{
    memset(sum, 0, sizeof *sum);
    if (o->n_q > TS_AGG_MAX_Q) return ts_err_set(err, TS_EINVAL, "aggregate: at most %d quantiles", TS_AGG_MAX_Q);
    for (size_t k = 0; k < o->n_q; k++)
        if (!(o->q[k] >= 0 && o->q[k] <= 1))
            return ts_err_set(err, TS_EINVAL, "aggregate: quantile %g is outside [0, 1]", o->q[k]);
    if (!(o->level > 0 && o->level < 1))
        return ts_err_set(err, TS_EINVAL, "aggregate: confidence level %g is outside (0, 1)", o->level);
    ts_store_view *v = NULL;
    ts_status st = ts_store_view_open(path, &v, err);
    if (st) return st;
    wctx *c = calloc(1, sizeof *c);
    if (!c) {
        ts_store_view_free(v);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    c->v = v;
    c->path = path;
    c->err = err;
    c->file = c->group = c->str = c->qscale = -1;
    for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++) c->scale[i] = -1;
    st = resolve_over(c, o);
    /* the sweep's lock: no sweep rewrites the store while we replace it */
    char lock[600];
    ts_sweep_lock_path(path, lock, sizeof lock);
    int lfd = -1;
    if (!st) {
        lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (lfd < 0) st = ts_err_set(err, TS_EIO, "%s: cannot open the lock %s: %s", path, lock, strerror(errno));
        else if (flock(lfd, LOCK_EX | LOCK_NB) != 0)
            st = ts_err_set(err, TS_EIO, "%s: a sweep is running on this store (%s is locked): aggregate when it ends",
                            path, lock);
    }
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!st && !tmp) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    int made = 0;
    if (!st) {
        snprintf(tmp, n, "%s.agg.%ld", path, (long)getpid());
        st = copy_file(path, tmp, err);
        made = 1;
    }
    if (!st) {
        c->file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        if (c->file < 0) st = ts_err_set(err, TS_EIO, "%s: cannot open the copy %s for writing", path, tmp);
    }
    if (!st) {
        c->written = malloc(MAX_WRITTEN * sizeof *c->written);
        /* an earlier /aggregate is replaced whole: nothing of another --over stays */
        if (H5Lexists(c->file, "/aggregate", H5P_DEFAULT) > 0 && H5Ldelete(c->file, "/aggregate", H5P_DEFAULT) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot remove the old /aggregate", path);
        c->group = H5Gcreate2(c->file, "/aggregate", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (!c->written) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
        c->str = H5Tcopy(H5T_C_S1);
        if (!st && (c->group < 0 || c->str < 0 || H5Tset_size(c->str, H5T_VARIABLE) < 0 ||
                    H5Tset_cset(c->str, H5T_CSET_UTF8) < 0))
            st = ts_err_set(err, TS_EIO, "%s: cannot create /aggregate", path);
    }
    if (!st) st = write_all(c, o, sum);
    for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++)
        if (c->scale[i] >= 0) H5Dclose(c->scale[i]);
    if (c->qscale >= 0) H5Dclose(c->qscale);
    if (c->str >= 0) H5Tclose(c->str);
    if (c->group >= 0) H5Gclose(c->group);
    if (c->file >= 0 && H5Fclose(c->file) < 0 && !st) st = ts_err_set(err, TS_EIO, "%s: cannot close %s", path, tmp);
    if (!st) st = sync_path(tmp, 0, path, err);
    if (!st && rename(tmp, path) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
    if (st && made) unlink(tmp);
    if (!st) {
        char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (dir && !slash) strcpy(dir, ".");
        else if (slash == dir) dir[1] = '\0';
        else if (slash) *slash = '\0';
        if (dir) st = sync_path(dir, 1, path, err);
        free(dir);
    }
    if (lfd >= 0) close(lfd);   /* drops the flock */
    free(tmp);
    free(c->written);
    free(c);
    ts_store_view_free(v);
    return st;
}
