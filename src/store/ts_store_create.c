/* ts_store_create.c: a new store, whole, before any task runs (ts_store.h):
 * root attributes, coordinates, the per-task datasets and the results, every
 * dataset contiguous and allocated, results NaN. Written under a temporary
 * name and renamed, so a store either exists whole or not at all. */
#include "ts_store_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_version.h"

static ts_status iso_utc(double t, char *out, size_t n, ts_err *err)
{
    /* up to 9999-12-31T23:59:59Z, the last time ISO 8601's basic form spells */
    if (!(t >= 0 && t < 253402300800.0))
        return ts_err_set(err, TS_EINVAL, "store: creation time %g is not a Unix time", t);
    time_t s = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&s, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return ts_err_set(err, TS_EINVAL, "store: creation time %g is not a Unix time", t);
    return TS_OK;
}

static int root_attr_taken(const char *name)
{
    static const char *const taken[] = { TS_ATTR_KIND, TS_ATTR_FORMAT, TS_ATTR_JOB, TS_ATTR_JOB_ID,
                                         TS_ATTR_JOB_TEXT, TS_ATTR_JOB_FILE, TS_ATTR_SEED, TS_ATTR_REPLICATES,
                                         TS_ATTR_CREATED, TS_ATTR_VERSION, TS_ATTR_CONVENTIONS,
                                         TS_ATTR_STACKED, "title", "source", NULL };
    for (size_t i = 0; taken[i]; i++)
        if (strcmp(taken[i], name) == 0) return 1;
    return 0;
}

static int swept(const ts_job *job, size_t param)
{
    for (size_t a = 0; a < job->n_axes; a++)
        for (size_t m = 0; m < job->axes[a].n_members; m++)
            if ((size_t)job->axes[a].param[m] == param) return 1;
    return 0;
}

/* The job's fixed parameters, each a root attribute of its own name and
 * type: what a reader filters on without parsing the job text. */
static ts_status write_params(const st_ctx *c, hid_t root, const ts_job *job)
{
    const ts_kind *k = job->kind;
    ts_status st = TS_OK;
    for (size_t i = 0; i < k->n_params && !st; i++) {
        if (swept(job, i)) continue;
        const ts_param_spec *s = &k->params[i];
        char name[96];
        snprintf(name, sizeof name, "%s%s", root_attr_taken(s->name) ? "param_" : "", s->name);
        double v = job->fixed.v[i];
        if (s->type == TS_PARAM_CHOICE) {
            st = st_attr_str(c, root, "/", name, s->choices[(size_t)v]);
        } else if (s->type == TS_PARAM_STRING) {
            st = st_attr_str(c, root, "/", name, job->fixed.s[i] ? job->fixed.s[i] : "");
        } else if (s->type == TS_PARAM_INT) {
            int64_t iv = (int64_t)v;
            st = st_attr_num(c, root, "/", name, H5T_STD_I64LE, H5T_NATIVE_INT64, &iv, 0);
        } else {
            st = st_attr_num(c, root, "/", name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &v, 0);
        }
    }
    return st;
}

static ts_status write_root(const st_ctx *c, const ts_job *job, const char *canon, uint64_t id,
                            const char *created)
{
    hid_t root = H5Gopen2(c->file, "/", H5P_DEFAULT);
    if (root < 0) return st_fail(c, "cannot open the root group", NULL);
    char ids[24], title[96];
    snprintf(ids, sizeof ids, "%016" PRIx64, id);
    snprintf(title, sizeof title, "tailsweep %s sweep", job->kind->name);
    const struct { const char *name, *value; } strs[] = {
        { TS_ATTR_CONVENTIONS, "CF-1.8" },
        { "title", title },
        { "source", "tailsweep " TS_VERSION },
        { TS_ATTR_KIND, job->kind->name },
        { TS_ATTR_JOB, canon },
        { TS_ATTR_JOB_ID, ids },
        { TS_ATTR_JOB_FILE, job->path },
        { TS_ATTR_JOB_TEXT, job->text ? job->text : "" },
        { TS_ATTR_VERSION, TS_VERSION },
        { TS_ATTR_CREATED, created },
    };
    ts_status st = TS_OK;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0] && !st; i++)
        st = st_attr_str(c, root, "/", strs[i].name, strs[i].value);
    if (!st) st = st_attr_num(c, root, "/", TS_ATTR_SEED, H5T_STD_U64LE, H5T_NATIVE_UINT64, &job->seed, 0);
    if (!st)
        st = st_attr_num(c, root, "/", TS_ATTR_REPLICATES, H5T_STD_U64LE, H5T_NATIVE_UINT64, &job->replicates, 0);
    const int32_t format = TS_STORE_FORMAT;
    if (!st) st = st_attr_num(c, root, "/", TS_ATTR_FORMAT, H5T_STD_I32LE, H5T_NATIVE_INT32, &format, 0);
    if (!st) st = write_params(c, root, job);
    H5Gclose(root);
    return st;
}

/* long_name, units ("1" when dimensionless), and the zip members a
 * variable's coordinates include. */
static ts_status cf_attrs(const st_ctx *c, const st_plan *p, hid_t d, const char *name, const char *long_name,
                          const char *units)
{
    ts_status st = st_attr_str(c, d, name, "long_name", long_name);
    if (!st && units) st = st_attr_str(c, d, name, "units", units[0] ? units : "1");
    if (!st && p->coordinates[0]) st = st_attr_str(c, d, name, "coordinates", p->coordinates);
    return st;
}

static ts_status write_task_dsets(const st_ctx *c, const st_plan *p)
{
    hsize_t shape[TS_MAX_AXES + 1];
    size_t idx[TS_MAX_AXES + 1];
    for (size_t k = 0; k < p->n_task_dims; k++) {
        shape[k] = p->dims[k].len;
        idx[k] = k;
    }
    static const int8_t flags[4] = { TS_TASK_TODO, TS_TASK_DONE, TS_TASK_FAILED, TS_TASK_DIVERGED };
    for (size_t i = 0; i < st_n_task_dsets(); i++) {
        const st_task_dset *t = &st_task_dsets[i];
        hid_t strtype = -1, ftype, mtype;
        st_numeric_types(t->type, &ftype, &mtype);
        if (t->type == ST_STR) {
            /* fixed length, so a task's text is rewritten in place like a number */
            strtype = H5Tcopy(H5T_C_S1);
            if (strtype < 0 || H5Tset_size(strtype, t->size) < 0 || H5Tset_strpad(strtype, H5T_STR_NULLPAD) < 0 ||
                H5Tset_cset(strtype, H5T_CSET_UTF8) < 0) {
                if (strtype >= 0) H5Tclose(strtype);
                return st_fail(c, "cannot make a string type for", t->name);
            }
            ftype = mtype = strtype;
        }
        st_dset_spec s = { .name = t->name, .rank = (int)p->n_task_dims, .shape = shape, .ftype = ftype,
                           .mtype = mtype, .msize = t->size, .fill_value = t->fill };
        hid_t d = -1;
        ts_status st = st_dset_write(c, &s, &d);
        if (!st) st = st_attach(c, p, d, s.name, idx, p->n_task_dims);
        if (!st) st = cf_attrs(c, p, d, s.name, t->long_name, t->units);
        if (!st && strtype >= 0) st = st_attr_str(c, d, s.name, "_Encoding", "utf-8");
        /* an integer's missing value is declared, so xarray masks it */
        if (!st && strcmp(t->name, TS_DS_RANK) == 0)
            st = st_attr_num(c, d, s.name, "_FillValue", H5T_STD_I32LE, H5T_NATIVE_INT32, t->fill, 0);
        if (!st && (strcmp(t->name, TS_DS_WALL) == 0 || strcmp(t->name, TS_DS_END) == 0))
            st = st_attr_num(c, d, s.name, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t->fill, 0);
        if (!st && strcmp(t->name, TS_DS_STATUS) == 0) {
            st = st_attr_num(c, d, s.name, "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8, flags, 4);
            if (!st) st = st_attr_str(c, d, s.name, "flag_meanings", "todo done failed diverged");
        }
        if (d >= 0 && H5Dclose(d) < 0 && !st) st = st_fail(c, "cannot close dataset", s.name);
        if (strtype >= 0) H5Tclose(strtype);
        if (st) return st;
    }
    return TS_OK;
}

static ts_status write_results(const st_ctx *c, const st_plan *p)
{
    static const double nan = NAN;
    for (size_t i = 0; i < p->l->n; i++) {
        if (!p->write[i]) continue;
        const ts_result_spec *r = &p->l->r[i];
        hsize_t shape[TS_MAX_AXES + 3];
        size_t idx[TS_MAX_AXES + 3], rank = p->n_task_dims + r->rank;
        for (size_t k = 0; k < rank; k++) {
            idx[k] = k < p->n_task_dims ? k : p->res_dim[i][k - p->n_task_dims];
            shape[k] = p->dims[idx[k]].len;
        }
        st_dset_spec s = { .name = r->name, .rank = (int)rank, .shape = shape, .ftype = H5T_IEEE_F64LE,
                           .mtype = H5T_NATIVE_DOUBLE, .msize = sizeof(double), .fill_value = &nan };
        hid_t d = -1;
        ts_status st = st_dset_write(c, &s, &d);
        if (!st) st = st_attach(c, p, d, s.name, idx, rank);
        if (!st) st = cf_attrs(c, p, d, s.name, r->doc[0] ? r->doc : r->name, r->unit);
        /* xarray masks _FillValue; CF wants it in the variable's own type */
        if (!st) st = st_attr_num(c, d, s.name, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &nan, 0);
        if (d >= 0 && H5Dclose(d) < 0 && !st) st = st_fail(c, "cannot close dataset", s.name);
        if (st) return st;
    }
    return TS_OK;
}

static ts_status write_file(const char *path, const char *tmp, st_plan *p, const char *canon, uint64_t id,
                            const char *created, ts_err *err)
{
    st_ctx c = { .path = path, .file = -1, .str = -1, .err = err };
    hid_t fapl = st_fapl(), fcpl = H5Pcreate(H5P_FILE_CREATE);
    /* large datasets start on a 4 KiB boundary: in-place writes touch whole
     * pages; free space is tracked in the file, so `tailsweep aggregate`,
     * which replaces /aggregate in a later session, reuses the old one's
     * space instead of growing the store on every run */
    if (fapl >= 0 && fcpl >= 0 && H5Pset_alignment(fapl, 65536, 4096) >= 0 &&
        H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_FSM_AGGR, 1, 1) >= 0)
        c.file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (c.file < 0) return st_fail(&c, "cannot create HDF5 file", tmp);
    ts_status st = TS_OK;
    c.str = H5Tcopy(H5T_C_S1);
    if (c.str < 0 || H5Tset_size(c.str, H5T_VARIABLE) < 0 || H5Tset_cset(c.str, H5T_CSET_UTF8) < 0)
        st = st_fail(&c, "cannot make the string type", NULL);
    if (!st) st = write_root(&c, p->job, canon, id, created);
    if (!st) st = st_dims_write(&c, p);
    if (!st) st = write_task_dsets(&c, p);
    if (!st) st = write_results(&c, p);
    st_dims_close(p);
    if (c.str >= 0) H5Tclose(c.str);
    if (!st && H5Fflush(c.file, H5F_SCOPE_GLOBAL) < 0) st = st_fail(&c, "cannot flush", tmp);
    if (H5Fclose(c.file) < 0 && !st) st = st_fail(&c, "cannot close", tmp);
    return st;
}

ts_status ts_store_check(const ts_job *job, const ts_result_layout *l, ts_err *err)
{
    st_plan *p = malloc(sizeof *p);
    if (!p) return ts_err_set(err, TS_ENOMEM, "store: out of memory");
    ts_status st = st_plan_build(p, job, l, err);
    free(p);
    return st;
}

ts_status ts_store_create(const char *path, const ts_job *job, const ts_result_layout *l, int force,
                          double created, ts_err *err)
{
    if (!path || !path[0]) return ts_err_set(err, TS_EINVAL, "store: no file name given");
    char ct[32];
    ts_status st = iso_utc(created, ct, sizeof ct, err);
    if (st) return st;
    st_plan *p = malloc(sizeof *p);
    if (!p) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    char *canon = NULL;
    uint64_t id = 0;
    st = st_plan_build(p, job, l, err);
    if (!st) st = ts_job_canonical(job, 1, &canon, err);
    if (!st) st = ts_job_identity(job, &id, err);
    ts_atomic_file af;
    if (!st) st = ts_atomic_begin(&af, path, force, err);
    if (!st) {
        st = write_file(path, af.tmp, p, canon, id, ct, err);
        if (st) ts_atomic_abort(&af);
        else st = ts_atomic_commit(&af, err);
    }
    free(canon);
    free(p);
    return st;
}
