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

/* The over-list as text, for descriptions: "replicate, alpha". */
static void over_text(const agg_ctx *c, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->v->n_dims; i++) {
        if (!c->reduce[i]) continue;
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", used ? " " : "", c->v->dims[i].name);
    }
}

/* Reduce one array and write its statistics (maps: mean, CI, count, sd). */
static ts_status write_reduced(agg_ctx *c, const char *name, const char *units, const char *desc,
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
        agg_out_spec os = { nm, s == 0 ? "" : units, d, name, stats[s], kr, kdims, kshape, s == 0, data[s] };
        st = agg_write_out(c, &os);
    }
    if (!st && !is_map && o->n_q) {
        snprintf(nm, sizeof nm, "%s_quantile", name);
        snprintf(d, sizeof d, "quantiles (NumPy 'linear') over %s of: %s", over, desc);
        kdims[kr] = AGG_QUANTILE_DIM;
        kshape[kr] = o->n_q;
        agg_out_spec os = { nm, units, d, name, "quantile", kr + 1, kdims, kshape, 0, r.quantile };
        st = agg_write_out(c, &os);
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
            agg_out_spec os = { nm, units, d, name, s ? "ci_hi" : "ci_lo", kr, kdims, kshape, 0, s ? hi : lo };
            st = agg_write_out(c, &os);
        }
        free(lo);
        free(hi);
    }
    ts_agg_result_free(&r);
    return st;
}

/* Per kept task cell: tasks by status, so a partial sweep shows how partial. */
static ts_status write_task_counts(agg_ctx *c)
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
        agg_out_spec os = { names[k], "", desc, "status", "count", kr, kd, ks, 1, r.count };
        if (!st) st = agg_write_out(c, &os);
        ts_agg_result_free(&r);
    }
    free(x);
    free(s);
    return st;
}

static ts_status write_all(agg_ctx *c, const ts_agg_opts *o, ts_agg_summary *sum)
{
    const ts_store_view *v = c->v;
    hsize_t nq = o->n_q;
    hid_t sp = H5Screate_simple(1, &nq, NULL);
    c->qscale = agg_make_dset(c, "quantile", H5T_IEEE_F64LE, sp);
    H5Sclose(sp);
    if (c->qscale < 0 || (nq && H5Dwrite(c->qscale, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->q) < 0) ||
        H5DSset_scale(c->qscale, "quantile") < 0)
        return agg_h5fail(c, "cannot write", "aggregate/quantile");
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
    if (!st) st = agg_attr_str(c, c->group, "reduced_over", over);
    if (!st) st = agg_attr_doubles(c, c->group, "quantiles", o->q, o->n_q);
    if (!st) st = agg_attr_str(c, c->group, "quantile_method", "linear (NumPy default; Hyndman-Fan 7)");
    if (!st) st = agg_attr_str(c, c->group, "sd", "sample standard deviation (ddof 1); se = sd / sqrt(count)");
    if (!st) st = agg_attr_doubles(c, c->group, "ci_level", &o->level, 0);
    if (!st) st = agg_attr_str(c, c->group, "store_updated", v->updated);
    if (!st) st = agg_attr_str(c, c->group, "created", now);
    if (!st) st = agg_attr_str(c, c->group, "tailsweep_version", TS_VERSION);
    return st;
}

/* The seed axis always (replicate, and seed in a stacked store), plus the
 * axes asked for. */
static ts_status resolve_over(agg_ctx *c, const ts_agg_opts *o)
{
    const ts_store_view *v = c->v;
    for (size_t i = 0; i < v->n_dims; i++) c->reduce[i] = 0;
    if (v->n_task_dims && v->task_dim[0] >= 0 && strcmp(v->dims[v->task_dim[0]].name, "seed") == 0)
        c->reduce[v->task_dim[0]] = 1;
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
    agg_ctx *c = calloc(1, sizeof *c);
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
        st = agg_copy_file(path, tmp, err);
        made = 1;
    }
    if (!st) {
        c->file = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        if (c->file < 0) st = ts_err_set(err, TS_EIO, "%s: cannot open the copy %s for writing", path, tmp);
    }
    if (!st) {
        c->written = malloc(AGG_MAX_WRITTEN * sizeof *c->written);
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
    if (!st) st = agg_sync_path(tmp, 0, path, err);
    if (!st && rename(tmp, path) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
    if (st && made) unlink(tmp);
    if (!st) {
        char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (dir && !slash) strcpy(dir, ".");
        else if (slash == dir) dir[1] = '\0';
        else if (slash) *slash = '\0';
        if (dir) st = agg_sync_path(dir, 1, path, err);
        free(dir);
    }
    if (lfd >= 0) close(lfd);   /* drops the flock */
    free(tmp);
    free(c->written);
    free(c);
    ts_store_view_free(v);
    return st;
}
