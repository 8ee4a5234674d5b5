/* ts_agg_stack.c: the stores of one job run with different job seeds (a
 * SLURM array, slurm/array_seeds.sbatch) stacked into one store with a
 * leading `seed` dimension, then aggregated over (seed, replicate). The
 * stores must hold the same parsed job but for its seed; their seeds must
 * differ. The stacked store keeps /status and the results; the other
 * per-task datasets (host, rank, ...) stay in the per-seed stores. Values
 * are copied box by box, so memory does not grow with the stores. */
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"
#include "tailsweep/ts_version.h"
#include "ts_agg_internal.h"

/* A canonical job text without its seed line (malloc'd). */
static char *without_seed(const char *job)
{
    char *o = malloc(strlen(job) + 1);
    if (!o) return NULL;
    size_t n = 0;
    for (const char *line = job; *line;) {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line + 1) : strlen(line);
        if (strncmp(line, "seed = ", 7) != 0) {
            memcpy(o + n, line, ll);
            n += ll;
        }
        line += ll;
    }
    o[n] = '\0';
    return o;
}

/* Every input the same job as the first, but for the seed. */
static ts_status check_inputs(ts_store_view *const *v, const char *const *in, size_t n, ts_err *err)
{
    if (v[0]->stacked) return ts_err_set(err, TS_EINVAL, "%s: already a stack of stores", in[0]);
    char *first = without_seed(v[0]->job);
    if (!first) return ts_err_set(err, TS_ENOMEM, "aggregate: out of memory");
    ts_status st = TS_OK;
    for (size_t i = 1; i < n && !st; i++) {
        if (v[i]->stacked) {
            st = ts_err_set(err, TS_EINVAL, "%s: already a stack of stores", in[i]);
            break;
        }
        for (size_t j = 0; j < i && !st; j++)
            if (v[i]->seed == v[j]->seed)
                st = ts_err_set(err, TS_EINVAL, "%s: seed %llu, the same as %s: the same seed twice would count its "
                                "results twice", in[i], (unsigned long long)v[i]->seed, in[j]);
        char *other = st ? NULL : without_seed(v[i]->job);
        if (!st && !other) st = ts_err_set(err, TS_ENOMEM, "aggregate: out of memory");
        char diff[400];
        size_t nd = st ? 0 : ts_job_canonical_diff(first, other, diff, sizeof diff);
        if (nd)
            st = ts_err_set(err, TS_EINVAL, "%s and %s hold different jobs, so their results cannot be combined (%zu "
                            "setting%s differ, first vs second: %s)", in[0], in[i], nd, nd == 1 ? "" : "s", diff);
        free(other);
    }
    free(first);
    return st;
}

/* Copy dataset `path` of one input into out[seed i, ...], box by box. */
static ts_status copy_one(agg_ctx *c, ts_store_view *v, const ts_view_dset *d, size_t i, hid_t out, int is_count)
{
    size_t p = 0, box = ts_view_dset_size(d);
    while (p < d->rank && box > AGG_BOX_ELEMS) box /= d->shape[p++];
    double *buf = malloc((box ? box : 1) * sizeof *buf);
    uint64_t *cnt = is_count ? malloc((box ? box : 1) * sizeof *cnt) : NULL;
    if (!buf || (is_count && !cnt)) {
        free(buf);
        free(cnt);
        return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    }
    size_t fidx[TS_VIEW_MAX_RANK] = { 0 }, start[TS_VIEW_MAX_RANK], count[TS_VIEW_MAX_RANK];
    size_t os[TS_VIEW_MAX_RANK + 1], oc[TS_VIEW_MAX_RANK + 1];
    ts_status st = TS_OK;
    for (int more = 1; more && !st;) {
        for (size_t k = 0; k < d->rank; k++) {
            start[k] = k < p ? fidx[k] : 0;
            count[k] = k < p ? 1 : d->shape[k];
            os[k + 1] = start[k];
            oc[k + 1] = count[k];
        }
        os[0] = i;
        oc[0] = 1;
        st = ts_store_view_read_slab(v, d->path, start, count, TS_READ_DOUBLE, buf, c->err);
        for (size_t e = 0; !st && is_count && e < box; e++) cnt[e] = (uint64_t)buf[e];
        if (!st) st = agg_out_write(c, out, d->path, d->rank + 1, os, oc, is_count, is_count ? (void *)cnt : (void *)buf);
        more = p > 0;
        for (size_t k = p; more && k-- > 0;) {
            if (++fidx[k] < d->shape[k]) break;
            fidx[k] = 0;
            if (k == 0) more = 0;
        }
    }
    free(buf);
    free(cnt);
    return st;
}

static ts_status write_stack(agg_ctx *c, ts_store_view *const *v, const char *const *in, size_t n)
{
    const ts_store_view *v0 = v[0];
    ts_view_dim seeds = { .path = TS_DIM_SEED, .name = TS_DIM_SEED, .len = n, .type = TS_COORD_INT };
    seeds.values = malloc(n * sizeof(double));
    if (!seeds.values) return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    for (size_t i = 0; i < n; i++) seeds.values[i] = (double)v[i]->seed;
    ts_status st = agg_write_coord(c, TS_DIM_SEED, &seeds, 1, &c->seed_scale);
    free(seeds.values);
    if (st) return st;
    /* root attributes as the first store has them, the job without its
     * seed, plus where they came from */
    char *job = without_seed(v0->job);
    if (!job) return ts_err_set(c->err, TS_ENOMEM, "%s: out of memory", c->path);
    const char *keys[] = { TS_ATTR_CONVENTIONS, TS_ATTR_KIND, TS_ATTR_JOB, TS_ATTR_JOB_FILE, TS_ATTR_JOB_TEXT,
                           TS_ATTR_VERSION, TS_ATTR_CREATED };
    const char *vals[] = { "CF-1.8", v0->kind, job, v0->job_file, v0->job_text, TS_VERSION, v0->created };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !st; k++) st = agg_attr_str(c, c->group, keys[k], vals[k]);
    free(job);
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
        st = agg_attr_str(c, c->group, TS_ATTR_STACKED, from);
    }
    free(from);
    double reps = (double)v0->replicates, fmt = TS_STORE_FORMAT;
    if (!st) st = agg_attr_doubles(c, c->group, TS_ATTR_REPLICATES, &reps, 0);
    if (!st) st = agg_attr_doubles(c, c->group, TS_ATTR_FORMAT, &fmt, 0);
    for (size_t r = 0; r < v0->n_dsets && !st; r++) {
        const ts_view_dset *d = &v0->dsets[r];
        int is_status = strcmp(d->path, TS_DS_STATUS) == 0;
        if (d->role != TS_DSET_RESULT && !is_status) continue;
        int dims[TS_VIEW_MAX_RANK + 1];
        size_t shape[TS_VIEW_MAX_RANK + 1];
        dims[0] = AGG_SEED_DIM;
        shape[0] = n;
        for (size_t k = 0; k < d->rank; k++) {
            dims[k + 1] = d->dim[k];
            shape[k + 1] = d->shape[k];
        }
        agg_out_spec os = { d->path, d->units, d->description[0] ? d->description : d->path, NULL, NULL,
                            d->rank + 1, dims, shape, is_status };
        hid_t out = -1;
        st = agg_out_create(c, &os, &out);
        for (size_t i = 0; i < n && !st; i++) {
            int k = ts_store_view_dset(v[i], d->path);
            if (k < 0 || v[i]->dsets[k].rank != d->rank || ts_view_dset_size(&v[i]->dsets[k]) != ts_view_dset_size(d))
                st = ts_err_set(c->err, TS_EINVAL, "%s: result '%s' is missing or of another shape than in %s", in[i],
                                d->path, in[0]);
            else
                st = copy_one(c, v[i], &v[i]->dsets[k], i, out, is_status);
        }
        if (out >= 0) H5Dclose(out);
    }
    return st;
}

ts_status ts_aggregate_stack(const char *out, const char *const *in, size_t n, int force, const ts_agg_opts *o,
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
    ts_atomic_file af = { 0 };
    int begun = 0;
    if (!st) st = ts_atomic_begin(&af, out, force, err);
    begun = !st;
    if (!st) {
        c->v = v[0];
        c->path = out;
        c->err = err;
        c->file = c->group = c->str = c->qscale = c->seed_scale = -1;
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++) c->scale[i] = -1;
        c->written = malloc(AGG_MAX_WRITTEN * sizeof *c->written);
        hid_t fapl = (hid_t)ts_store_h5_fapl();
        c->file = c->written && fapl >= 0 ? H5Fcreate(af.tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : -1;
        if (fapl >= 0) H5Pclose(fapl);
        if (c->file >= 0) c->group = H5Gopen2(c->file, "/", H5P_DEFAULT);
        c->str = H5Tcopy(H5T_C_S1);
        if (c->group < 0 || c->str < 0 || H5Tset_size(c->str, H5T_VARIABLE) < 0 ||
            H5Tset_cset(c->str, H5T_CSET_UTF8) < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot create %s", out, af.tmp);
    }
    if (!st) st = write_stack(c, v, in, n);
    if (c) {
        for (size_t i = 0; i < sizeof c->scale / sizeof c->scale[0]; i++)
            if (c->scale[i] >= 0) H5Dclose(c->scale[i]);
        if (c->seed_scale >= 0) H5Dclose(c->seed_scale);
        if (c->str >= 0) H5Tclose(c->str);
        if (c->group >= 0) H5Gclose(c->group);
        if (c->file >= 0 && H5Fclose(c->file) < 0 && !st) st = ts_err_set(err, TS_EIO, "%s: cannot close %s", out, af.tmp);
        free(c->written);
    }
    for (size_t i = 0; v && i < n; i++) ts_store_view_free(v[i]);
    free(v);
    free(c);
    /* the stacked store is a store: aggregated like any other, before it
     * takes its name (it is private until then: no lock) */
    if (!st) st = agg_into(af.tmp, o, sum, 0, err);
    if (begun) {
        if (st) ts_atomic_abort(&af);
        else st = ts_atomic_commit(&af, err);
    }
    return st;
}
