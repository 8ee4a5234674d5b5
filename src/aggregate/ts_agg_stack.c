/* ts_agg_stack.c: the stores of one job run with different job seeds (a
 * SLURM array, slurm/array_seeds.sbatch) stacked into one store with a
 * leading `seed` dimension, then aggregated over (seed, replicate). The
 * stores must agree on kind, axes, coordinates and results; their seeds
 * must differ. The stacked store keeps /status and the results; the other
 * per-task datasets (host, rank, ...) stay in the per-seed stores. */
#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailsweep/ts_store.h"
#include "ts_agg_internal.h"

static int same_dim(const ts_view_dim *a, const ts_view_dim *b)
{
    if (strcmp(a->path, b->path) != 0 || a->len != b->len || a->type != b->type) return 0;
    for (size_t i = 0; i < a->len; i++) {
        if (a->type == TS_COORD_STRING) {
            if (strcmp(a->labels[i] ? a->labels[i] : "", b->labels[i] ? b->labels[i] : "") != 0) return 0;
        } else if (a->values[i] != b->values[i]) {
            return 0;
        }
    }
    return 1;
}

/* Every input like the first: kind, dimensions and results. */
static ts_status check_inputs(ts_store_view *const *v, const char *const *in, size_t n, ts_err *err)
{
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i]->kind, v[0]->kind) != 0)
            return ts_err_set(err, TS_EINVAL, "%s: kind %s, but %s has kind %s", in[i], v[i]->kind, in[0], v[0]->kind);
        for (size_t j = 0; j < i; j++)
            if (v[i]->seed == v[j]->seed)
                return ts_err_set(err, TS_EINVAL, "%s: seed %llu, the same as %s", in[i],
                                  (unsigned long long)v[i]->seed, in[j]);
        for (size_t d = 0; d < v[0]->n_dims; d++) {
            if (strchr(v[0]->dims[d].path, '/')) continue;
            int k = ts_store_view_dim(v[i], v[0]->dims[d].path);
            if (k < 0 || !same_dim(&v[0]->dims[d], &v[i]->dims[k]))
                return ts_err_set(err, TS_EINVAL, "%s: dimension '%s' differs from %s's (another job?)", in[i],
                                  v[0]->dims[d].path, in[0]);
        }
        for (size_t r = 0; r < v[0]->n_dsets; r++) {
            const ts_view_dset *a = &v[0]->dsets[r];
            if (a->role != TS_DSET_RESULT) continue;
            int k = ts_store_view_dset(v[i], a->path);
            int same = k >= 0 && v[i]->dsets[k].rank == a->rank;
            for (size_t q = 0; same && q < a->rank; q++) same = v[i]->dsets[k].shape[q] == a->shape[q];
            if (!same)
                return ts_err_set(err, TS_EINVAL, "%s: result '%s' is missing or of another shape than in %s", in[i],
                                  a->path, in[0]);
        }
    }
    if (strcmp(v[0]->dims[v[0]->task_dim[0]].name, "seed") == 0)
        return ts_err_set(err, TS_EINVAL, "%s: already stacked over seeds", in[0]);
    return TS_OK;
}

/* One dataset of every input, one after the other: [seed, dims...]. */
static ts_status stack_one(agg_ctx *c, ts_store_view *const *v, size_t n, const ts_view_dset *d, int status)
{
    size_t per = ts_view_dset_size(d);
    size_t total = n * per > 0 ? n * per : 1;
    double *all = malloc(total * sizeof *all);
    uint64_t *cnt = status ? malloc(total * sizeof *cnt) : NULL;
    if (!all || (status && !cnt)) {
        free(all);
        free(cnt);
        return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory stacking '%s'", c->path, d->path);
    }
    ts_status st = TS_OK;
    for (size_t i = 0; i < n && !st; i++) {
        double *x = NULL;
        st = ts_store_view_read(v[i], d->path, &x, c->err);
        if (!st) memcpy(all + i * per, x, per * sizeof *x);
        free(x);
    }
    for (size_t e = 0; status && !st && e < n * per; e++) cnt[e] = (uint64_t)all[e];
    int dims[TS_VIEW_MAX_RANK + 1];
    size_t shape[TS_VIEW_MAX_RANK + 1];
    dims[0] = AGG_SEED_DIM;
    shape[0] = n;
    for (size_t k = 0; k < d->rank; k++) {
        dims[k + 1] = d->dim[k];
        shape[k + 1] = d->shape[k];
    }
    agg_out_spec os = { d->path, d->units, d->description[0] ? d->description : d->path, NULL, NULL,
                        d->rank + 1, dims, shape, status, status ? (const void *)cnt : (const void *)all };
    if (!st) st = agg_write_out(c, &os);
    free(all);
    free(cnt);
    return st;
}

static ts_status write_stack(agg_ctx *c, ts_store_view *const *v, const char *const *in, size_t n)
{
    const ts_store_view *v0 = v[0];
    ts_view_dim seeds = { .path = "seed", .name = "seed", .len = n, .type = TS_COORD_INT };
    seeds.values = malloc(n * sizeof(double));
    if (!seeds.values) return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    for (size_t i = 0; i < n; i++) seeds.values[i] = (double)v[i]->seed;
    ts_status st = agg_write_coord(c, "seed", &seeds, 1, &c->seed_scale);
    free(seeds.values);
    if (st) return st;
    /* root attributes as the first store has them, plus where they came from */
    static const char *const keys[] = { "kind", "job_file", "job_text", "tailsweep_version", "created", "updated" };
    const char *vals[] = { v0->kind, v0->job_file, v0->job_text, v0->version, v0->created, v0->updated };
    for (size_t k = 0; k < 6 && !st; k++) st = agg_attr_str(c, c->group, keys[k], vals[k]);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(in[i]) + 1;
    char *from = malloc(len);
    if (!st && !from) st = ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    if (!st) {
        from[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            strcat(from, in[i]);
            if (i + 1 < n) strcat(from, "\n");
        }
        st = agg_attr_str(c, c->group, "stacked_from", from);
    }
    free(from);
    double reps = (double)v0->replicates, fmt = TS_STORE_FORMAT;
    if (!st) st = agg_attr_doubles(c, c->group, "replicates", &reps, 0);
    if (!st) st = agg_attr_doubles(c, c->group, "format_version", &fmt, 0);
    for (size_t i = 0; i < v0->n_dsets && !st; i++) {
        const ts_view_dset *d = &v0->dsets[i];
        int is_status = strcmp(d->path, "status") == 0;
        if (d->role == TS_DSET_RESULT || is_status) st = stack_one(c, v, n, d, is_status);
    }
    return st;
}

ts_status ts_aggregate_stack(const char *out, const char *const *in, size_t n, const ts_agg_opts *o,
                             ts_agg_summary *sum, ts_err *err)
{
    if (n < 1) return ts_err_set(err, TS_EINVAL, "aggregate: no stores to stack");
    for (size_t i = 0; i < n; i++)
        if (strcmp(in[i], out) == 0) return ts_err_set(err, TS_EINVAL, "%s: the output is also an input", out);
    ts_store_view **v = calloc(n, sizeof *v);
    agg_ctx *c = calloc(1, sizeof *c);
    ts_status st = v && c ? TS_OK : ts_err_set(err, TS_ENOMEM, "aggregate: out of memory");
    for (size_t i = 0; i < n && !st; i++) st = ts_store_view_open(in[i], &v[i], err);
    if (!st) st = check_inputs(v, in, n, err);
    size_t tl = strlen(out) + 32;
    char *tmp = malloc(tl);
    if (!st && !tmp) st = ts_err_set(err, TS_ENOMEM, "aggregate: out of memory");
    int made = 0;
    if (!st) {
        c->v = v[0];
        c->path = out;
        c->err = err;
        c->file = c->group = c->str = c->qscale = c->seed_scale = -1;
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++) c->scale[i] = -1;
        c->written = malloc(AGG_MAX_WRITTEN * sizeof *c->written);
        snprintf(tmp, tl, "%s.tmp.%ld", out, (long)getpid());
        /* free space tracked in the file, as the store writer does */
        hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
        if (fcpl >= 0) H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_FSM_AGGR, 1, 1);
        c->file = c->written ? H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT) : -1;
        if (fcpl >= 0) H5Pclose(fcpl);
        made = c->file >= 0;
        if (c->file >= 0) c->group = H5Gopen2(c->file, "/", H5P_DEFAULT);
        c->str = H5Tcopy(H5T_C_S1);
        if (c->group < 0 || c->str < 0 || H5Tset_size(c->str, H5T_VARIABLE) < 0 ||
            H5Tset_cset(c->str, H5T_CSET_UTF8) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot create %s: %s", out, tmp, strerror(errno));
    }
    if (!st) st = write_stack(c, v, in, n);
    if (c) {
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++)
            if (c->scale[i] >= 0) H5Dclose(c->scale[i]);
        if (c->seed_scale >= 0) H5Dclose(c->seed_scale);
        if (c->str >= 0) H5Tclose(c->str);
        if (c->group >= 0) H5Gclose(c->group);
        if (c->file >= 0 && H5Fclose(c->file) < 0 && !st) st = ts_err_set(err, TS_EIO, "%s: cannot close %s", out, tmp);
        free(c->written);
    }
    if (!st) st = agg_sync_path(tmp, 0, out, err);
    if (!st && rename(tmp, out) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot rename %s over it: %s", out, tmp, strerror(errno));
    if (st && made) unlink(tmp);
    for (size_t i = 0; v && i < n; i++) ts_store_view_free(v[i]);
    free(v);
    free(c);
    free(tmp);
    /* the stacked store is a store: aggregate it like any other */
    if (!st) st = ts_aggregate_store(out, o, sum, err);
    return st;
}
