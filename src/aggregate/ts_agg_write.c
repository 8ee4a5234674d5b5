/* ts_agg_write.c: `tailsweep aggregate`: reduce every result of a store over
 * the seed axis (and any others asked for) and write /aggregate into the
 * store itself, inside a transaction (ts_store_txn.h): a kill at any moment
 * leaves the store readable and as it was, and nothing of the store is
 * copied. The new statistics are written under a temporary group, which
 * replaces the old /aggregate only at the end. */
#include <hdf5_hl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tailsweep/ts_store_lock.h"
#include "tailsweep/ts_store_txn.h"
#include "tailsweep/ts_version.h"
#include "ts_agg_internal.h"

#define NEW_GROUP "aggregate_new"

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
    ts_store_view *v;
    int k;                      /* the status counted */
} status_src;

/* 1 where the task has status k, NaN elsewhere: the count of a cell is then
 * its number of such tasks. */
static ts_status read_status_as(void *src, const size_t *start, const size_t *count, double *out, ts_err *err)
{
    status_src *s = src;
    const ts_view_dset *d = &s->v->dsets[ts_store_view_dset(s->v, TS_DS_STATUS)];
    size_t n = 1;
    for (size_t k = 0; k < d->rank; k++) n *= count[k];
    int8_t *b = malloc(n ? n : 1);
    if (!b) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", s->v->path);
    ts_status st = ts_store_view_read_slab(s->v, TS_DS_STATUS, start, count, TS_READ_INT8, b, err);
    for (size_t i = 0; !st && i < n; i++) out[i] = b[i] == s->k ? 1.0 : NAN;
    free(b);
    return st;
}

typedef struct {
    const ts_agg_input *in;
} mem_src;

static ts_status read_mem(void *src, const size_t *start, const size_t *count, double *out, ts_err *err)
{
    (void)err;
    const ts_agg_input *in = ((mem_src *)src)->in;
    size_t idx[TS_VIEW_MAX_RANK] = { 0 }, n = 1, stride[TS_VIEW_MAX_RANK];
    for (size_t k = in->rank, s = 1; k-- > 0;) {
        stride[k] = s;
        s *= in->shape[k];
        n *= count[k];
    }
    for (size_t e = 0; e < n; e++) {
        size_t off = 0;
        for (size_t k = 0; k < in->rank; k++) off += (start[k] + idx[k]) * stride[k];
        out[e] = in->x[off];
        for (size_t k = in->rank; k-- > 0;) {
            if (++idx[k] < count[k]) break;
            idx[k] = 0;
        }
    }
    return TS_OK;
}

static ts_status write_task_counts(agg_ctx *c, const ts_agg_opts *o)
{
    ts_store_view *v = c->v;
    int i = ts_store_view_dset(v, TS_DS_STATUS);
    const ts_view_dset *d = &v->dsets[i];
    static const char *const names[4] = { "tasks_todo", "tasks_done", "tasks_failed", "tasks_diverged" };
    ts_status st = TS_OK;
    for (int k = 0; k < 4 && !st; k++) {
        status_src src = { v, k };
        char desc[160];
        snprintf(desc, sizeof desc, "tasks %s, per cell of the aggregate", names[k] + 6);
        agg_source s = { names[k], "", desc, d->rank, d->shape, d->dim, read_status_as, &src, 0, 1 };
        st = agg_reduce_write(c, &s, o, NULL);
    }
    return st;
}

ts_status agg_write_all(agg_ctx *c, const ts_agg_opts *o, ts_agg_summary *sum)
{
    ts_store_view *v = c->v;
    hsize_t nq = o->n_q;
    hid_t sp = H5Screate_simple(1, &nq, NULL);
    c->qscale = agg_make_dset(c, TS_DIM_QUANTILE, H5T_IEEE_F64LE, sp);
    H5Sclose(sp);
    if (c->qscale < 0 || (nq && H5Dwrite(c->qscale, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->q) < 0) ||
        H5DSset_scale(c->qscale, TS_DIM_QUANTILE) < 0)
        return agg_h5fail(c, "cannot write", TS_GROUP_AGGREGATE "/" TS_DIM_QUANTILE);
    ts_status st = TS_OK;
    for (size_t i = 0; i < v->n_dsets && !st; i++) {
        const ts_view_dset *d = &v->dsets[i];
        if (d->role != TS_DSET_RESULT) continue;
        agg_view_src src = { v, d->path };
        agg_source s = { d->path, d->units, d->description, d->rank, d->shape, d->dim, agg_read_view, &src, 0, 0 };
        st = agg_reduce_write(c, &s, o, sum);
        if (!st) sum->n_results++;
    }
    if (!st) st = write_task_counts(c, o);
    const ts_kind *kind = ts_kind_find(o->kinds, v->kind);
    if (!st && kind && kind->derived) {
        ts_agg_input in[TS_AGG_MAX_MAPS];
        size_t n = 0;
        st = ts_agg_derived_inputs(v, kind->derived, in, TS_AGG_MAX_MAPS, &n, sum->note, sizeof sum->note, c->err);
        for (size_t i = 0; i < n && !st; i++) {
            mem_src src = { &in[i] };
            agg_source s = { in[i].name, in[i].units, in[i].desc, in[i].rank, in[i].shape, in[i].dim, read_mem,
                             &src, 1, 0 };
            st = agg_reduce_write(c, &s, o, NULL);
            if (!st) sum->n_maps++;
        }
        ts_agg_input_free(in, n);
    }
    char over[256] = "", now[32], state_hex[24];
    for (size_t i = 0; i < v->n_dims; i++) {
        if (!c->reduce[i]) continue;
        size_t used = strlen(over);
        snprintf(over + used, sizeof over - used, "%s%s", used ? " " : "", v->dims[i].name);
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    uint64_t state = 0;
    if (!st) st = ts_store_view_state(v, &state, c->err);
    snprintf(state_hex, sizeof state_hex, "%016" PRIx64, state);
    if (!st) st = agg_attr_str(c, c->group, TS_ATTR_AGG_OVER, over);
    if (!st) st = agg_attr_doubles(c, c->group, "quantiles", o->q, o->n_q);
    if (!st) st = agg_attr_str(c, c->group, "quantile_method", "linear (NumPy default; Hyndman-Fan 7)");
    if (!st) st = agg_attr_str(c, c->group, "sd", "sample standard deviation (ddof 1); se = sd / sqrt(count)");
    if (!st) st = agg_attr_doubles(c, c->group, "ci_level", &o->level, 0);
    if (!st) st = agg_attr_str(c, c->group, TS_ATTR_AGG_SOURCE, state_hex);
    if (!st) st = agg_attr_str(c, c->group, TS_ATTR_CREATED, now);
    if (!st) st = agg_attr_str(c, c->group, TS_ATTR_VERSION, TS_VERSION);
    return st;
}

/* The seed axis always (replicate, and seed in a stacked store), plus the
 * axes asked for. */
static ts_status resolve_over(agg_ctx *c, const ts_agg_opts *o)
{
    const ts_store_view *v = c->v;
    for (size_t i = 0; i < v->n_dims; i++) c->reduce[i] = 0;
    if (v->n_task_dims && v->task_dim[0] >= 0 && strcmp(v->dims[v->task_dim[0]].name, TS_DIM_SEED) == 0)
        c->reduce[v->task_dim[0]] = 1;
    for (size_t j = 0; j <= o->n_over; j++) {
        const char *name = j == 0 ? TS_DIM_REPLICATE : o->over[j - 1];
        int found = 0;
        for (size_t i = 0; i < v->n_dims; i++)
            if (strchr(v->dims[i].path, '/') == NULL && strcmp(v->dims[i].name, name) == 0) {
                c->reduce[i] = 1;
                found = 1;
            }
        /* a store of one task has no replicate: nothing to reduce, each
         * statistic is that of one value */
        if (!found && j == 0) continue;
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

static ts_status check_opts(const ts_agg_opts *o, ts_err *err)
{
    if (o->n_q > TS_AGG_MAX_Q) return ts_err_set(err, TS_EINVAL, "aggregate: at most %d quantiles", TS_AGG_MAX_Q);
    for (size_t k = 0; k < o->n_q; k++)
        if (!(o->q[k] >= 0 && o->q[k] <= 1))
            return ts_err_set(err, TS_EINVAL, "aggregate: quantile %g is outside [0, 1]", o->q[k]);
    if (!(o->level > 0 && o->level < 1))
        return ts_err_set(err, TS_EINVAL, "aggregate: confidence level %g is outside (0, 1)", o->level);
    return TS_OK;
}

ts_status agg_into(const char *path, const ts_agg_opts *o, ts_agg_summary *sum, int lock, ts_err *err)
{
    memset(sum, 0, sizeof *sum);
    ts_status st = check_opts(o, err);
    if (st) return st;
    ts_store_lock *lk = NULL;
    if (lock) {
        ts_lock_info li;
        st = ts_store_lock_take(path, "aggregate", 0, &lk, &li, err);
        if (st && strstr(err->msg, "another job")) {
            char why[TS_ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", err->msg);
            ts_err_set(err, TS_EIO, "a sweep is running on this store (or another aggregate): aggregate when it "
                       "ends; %s", why);
        }
        if (st) return st;
        int rolled = 0;
        st = ts_store_txn_recover(path, &rolled, err);
    }
    ts_store_view *v = NULL;
    if (!st) st = ts_store_view_open(path, &v, err);
    agg_ctx *c = st ? NULL : calloc(1, sizeof *c);
    if (!st && !c) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    ts_store_txn *txn = NULL;
    if (!st) {
        c->v = v;
        c->path = path;
        c->err = err;
        c->file = c->group = c->str = c->qscale = c->seed_scale = -1;
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++) c->scale[i] = -1;
        c->written = malloc(AGG_MAX_WRITTEN * sizeof *c->written);
        if (!c->written) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
        if (!st) st = resolve_over(c, o);
        if (!st) st = ts_store_txn_begin(path, &txn, &c->file, err);
    }
    if (!st) {
        c->group = H5Gcreate2(c->file, "/" NEW_GROUP, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        c->str = H5Tcopy(H5T_C_S1);
        if (c->group < 0 || c->str < 0 || H5Tset_size(c->str, H5T_VARIABLE) < 0 ||
            H5Tset_cset(c->str, H5T_CSET_UTF8) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot create /%s", path, NEW_GROUP);
    }
    if (!st) st = agg_write_all(c, o, sum);
    if (c) {
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++)
            if (c->scale[i] >= 0) H5Dclose(c->scale[i]);
        if (c->qscale >= 0) H5Dclose(c->qscale);
        if (c->str >= 0) H5Tclose(c->str);
        if (c->group >= 0) H5Gclose(c->group);
    }
    /* the new statistics replace the old ones whole: nothing of another --over stays */
    if (!st && H5Lexists(c->file, "/" TS_GROUP_AGGREGATE, H5P_DEFAULT) > 0 &&
        H5Ldelete(c->file, "/" TS_GROUP_AGGREGATE, H5P_DEFAULT) < 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot remove the old /aggregate", path);
    if (!st && H5Lmove(c->file, "/" NEW_GROUP, c->file, "/" TS_GROUP_AGGREGATE, H5P_DEFAULT, H5P_DEFAULT) < 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot put /aggregate in place", path);
    /* the view reads through its own handle: let it go before the commit */
    ts_store_view_free(v);
    if (txn) {
        if (st) ts_store_txn_abort(txn);
        else st = ts_store_txn_commit(txn, err);
    }
    if (c) free(c->written);
    free(c);
    ts_store_lock_release(lk);
    return st;
}

ts_status ts_aggregate_store(const char *path, const ts_agg_opts *o, ts_agg_summary *sum, ts_err *err)
{
    return agg_into(path, o, sum, 1, err);
}
