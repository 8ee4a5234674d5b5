/* ts_store.c: writing the store (see ts_store.h): the per-task and result
 * datasets, the root attributes, and the temp-file / fsync / rename dance
 * that makes the rewrite atomic. */
#include "ts_store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tailsweep/ts_version.h"

/* Bytes per write and per chunk of the result datasets: big enough that
 * deflate and the per-chunk overhead are cheap, small enough that reading
 * one task's block decompresses little, and below HDF5's default 1 MiB chunk
 * cache so a reader's chunks stay cached. */
#define RESULT_BLOCK (512u * 1024u)
#define TASK_BLOCK (256u * 1024u)
/* Strings are copied (and cleaned) per block: keep the copy small. */
#define STRING_BLOCK (8192u * sizeof(char *))

static ts_status iso_utc(double t, char *out, size_t n, const char *which, ts_err *err)
{
    /* up to 9999-12-31T23:59:59Z, the last time ISO 8601's basic form spells */
    if (!(t >= 0 && t < 253402300800.0))
        return ts_err_set(err, TS_EINVAL, "store: %s time %g is not a Unix time", which, t);
    time_t s = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&s, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return ts_err_set(err, TS_EINVAL, "store: %s time %g is not a Unix time", which, t);
    return TS_OK;
}

/* ---- per-task datasets ---- */

typedef struct {
    const ts_task_meta *meta;
    size_t field;          /* strings: offsetof host or msg */
    size_t cap;            /* strings: size of that field   */
    char *arena;           /* strings: the cleaned copies   */
    size_t arena_cap;
} meta_arg;

static ts_status fill_status(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    const meta_arg *a = arg;
    int8_t *b = buf;
    for (size_t i = 0; i < n; i++) {
        uint8_t s = a->meta[e0 + i].status;
        if (s > TS_TASK_DIVERGED)
            return ts_err_set(err, TS_EINVAL, "store: task %llu has status %u, not 0..3",
                              (unsigned long long)(e0 + i), (unsigned)s);
        b[i] = (int8_t)s;
    }
    return TS_OK;
}

static ts_status fill_attempt(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    const meta_arg *a = arg;
    uint32_t *b = buf;
    for (size_t i = 0; i < n; i++) b[i] = a->meta[e0 + i].attempt;
    return TS_OK;
}

static ts_status fill_rank(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    const meta_arg *a = arg;
    int32_t *b = buf;
    for (size_t i = 0; i < n; i++) b[i] = a->meta[e0 + i].rank;
    return TS_OK;
}

static ts_status fill_wall(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    const meta_arg *a = arg;
    double *b = buf;
    for (size_t i = 0; i < n; i++) b[i] = a->meta[e0 + i].wall;
    return TS_OK;
}

/* The fields are fixed arrays that a careless writer may fill to the end, and
 * snprintf truncation can split a UTF-8 sequence: copy, bounded and cleaned. */
static ts_status fill_string(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    meta_arg *a = arg;
    const char **b = buf;
    size_t need = 0;
    for (size_t i = 0; i < n; i++)
        need += strnlen((const char *)&a->meta[e0 + i] + a->field, a->cap) + 1;
    if (need > a->arena_cap) {
        char *grown = realloc(a->arena, need);
        if (!grown) return ts_err_set(err, TS_ENOMEM, "store: out of memory copying strings");
        a->arena = grown;
        a->arena_cap = need;
    }
    char *at = a->arena;
    for (size_t i = 0; i < n; i++) {
        b[i] = at;
        at += st_utf8_clean(at, (const char *)&a->meta[e0 + i] + a->field, a->cap) + 1;
    }
    return TS_OK;
}

static ts_status common_attrs(const st_ctx *c, const st_plan *p, hid_t d, const char *name,
                              const char *units, const char *desc)
{
    ts_status st = TS_OK;
    if (units) st = st_attr_str(c, d, name, "units", units);
    if (!st) st = st_attr_str(c, d, name, "description", desc);
    if (!st && p->coordinates[0]) st = st_attr_str(c, d, name, "coordinates", p->coordinates);
    return st;
}

static ts_status write_task_dsets(const st_ctx *c, const st_plan *p, const ts_task_meta *meta)
{
    hsize_t shape[TS_MAX_AXES + 1];
    size_t idx[TS_MAX_AXES + 1];
    for (size_t k = 0; k < p->n_task_dims; k++) {
        shape[k] = p->dims[k].len;
        idx[k] = k;
    }
    static const int8_t flags[4] = { TS_TASK_TODO, TS_TASK_DONE, TS_TASK_FAILED, TS_TASK_DIVERGED };
    const struct {
        const char *name;
        hid_t ftype, mtype;
        size_t msize;
        st_fill_fn fill;
        size_t field, cap;
        const char *units, *desc;
    } sets[] = {
        { "status", H5T_STD_I8LE, H5T_NATIVE_INT8, 1, fill_status, 0, 0, NULL,
          "task status; results are NaN unless done or diverged" },
        { "attempt", H5T_STD_U32LE, H5T_NATIVE_UINT32, 4, fill_attempt, 0, 0, NULL,
          "attempts made at the task (0: never run)" },
        { "rank", H5T_STD_I32LE, H5T_NATIVE_INT32, 4, fill_rank, 0, 0, NULL,
          "MPI rank that ran the task last (-1: never run)" },
        { "wall_time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 8, fill_wall, 0, 0, "s",
          "wall-clock time of the task's last attempt" },
        { "host", c->str, c->str, sizeof(char *), fill_string, offsetof(ts_task_meta, host),
          sizeof meta->host, NULL, "host that ran the task last" },
        { "message", c->str, c->str, sizeof(char *), fill_string, offsetof(ts_task_meta, msg),
          sizeof meta->msg, NULL, "why the task failed or diverged" },
    };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        int is_str = sets[i].fill == fill_string;
        meta_arg a = { .meta = meta, .field = sets[i].field, .cap = sets[i].cap };
        /* vlen strings live in the global heap: a filter would only see heap ids */
        st_dset_spec s = { .name = sets[i].name, .rank = (int)p->n_task_dims, .shape = shape,
                           .ftype = sets[i].ftype, .mtype = sets[i].mtype, .msize = sets[i].msize,
                           .target = is_str ? STRING_BLOCK : TASK_BLOCK, .chunked = 1,
                           .compress = !is_str, .fill = sets[i].fill, .arg = &a };
        hid_t d = -1;
        ts_status st = st_dset_write(c, &s, &d);
        free(a.arena);
        if (!st) st = st_attach(c, p, d, s.name, idx, p->n_task_dims);
        if (!st) st = common_attrs(c, p, d, s.name, sets[i].units, sets[i].desc);
        if (!st && i == 0)
            st = st_attr_num(c, d, s.name, "flag_values", H5T_STD_I8LE, H5T_NATIVE_INT8, flags, 4);
        if (!st && i == 0)
            st = st_attr_str(c, d, s.name, "flag_meanings", "todo done failed diverged");
        if (d >= 0 && H5Dclose(d) < 0 && !st) st = st_fail(c, "cannot close dataset", s.name);
        if (st) return st;
    }
    return TS_OK;
}

/* ---- result datasets ---- */

typedef struct {
    const double *src;
    const ts_task_meta *meta;
    size_t block;          /* doubles per task */
} result_arg;

static ts_status fill_result(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err)
{
    (void)err;
    const result_arg *a = arg;
    double *b = buf;
    for (uint64_t e = e0, end = e0 + n; e < end;) {
        uint64_t t = e / a->block, stop = (t + 1) * a->block < end ? (t + 1) * a->block : end;
        uint8_t s = a->meta[t].status;
        if (s == TS_TASK_DONE || s == TS_TASK_DIVERGED)
            memcpy(b + (e - e0), a->src + e, (size_t)(stop - e) * sizeof(double));
        else
            for (uint64_t k = e; k < stop; k++) b[k - e0] = NAN;
        e = stop;
    }
    return TS_OK;
}

static ts_status write_results(const st_ctx *c, const st_plan *p, const ts_task_meta *meta,
                               double *const *results)
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
        result_arg a = { results[i], meta, ts_result_size(r) };
        st_dset_spec s = { .name = r->name, .rank = (int)rank, .shape = shape,
                           .ftype = H5T_IEEE_F64LE, .mtype = H5T_NATIVE_DOUBLE,
                           .msize = sizeof(double), .target = RESULT_BLOCK, .chunked = 1,
                           .compress = 1, .fill_value = &nan, .fill = fill_result, .arg = &a };
        hid_t d = -1;
        ts_status st = st_dset_write(c, &s, &d);
        if (!st) st = st_attach(c, p, d, s.name, idx, rank);
        if (!st) st = common_attrs(c, p, d, s.name, r->unit, r->doc);
        /* xarray masks _FillValue; CF wants it in the variable's own type */
        if (!st) st = st_attr_num(c, d, s.name, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &nan, 0);
        if (d >= 0 && H5Dclose(d) < 0 && !st) st = st_fail(c, "cannot close dataset", s.name);
        if (st) return st;
    }
    return TS_OK;
}

static ts_status write_root(const st_ctx *c, const ts_job *job, const char *created,
                            const char *updated)
{
    hid_t root = H5Gopen2(c->file, "/", H5P_DEFAULT);
    if (root < 0) return st_fail(c, "cannot open the root group", NULL);
    const struct { const char *name, *value; } strs[] = {
        { "kind", job->kind->name },     { "job_file", job->path },
        { "job_text", job->text ? job->text : "" },
        { "tailsweep_version", TS_VERSION }, { "created", created }, { "updated", updated },
    };
    ts_status st = TS_OK;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0] && !st; i++)
        st = st_attr_str(c, root, "/", strs[i].name, strs[i].value);
    if (!st) st = st_attr_num(c, root, "/", "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &job->seed, 0);
    if (!st)
        st = st_attr_num(c, root, "/", "replicates", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                         &job->replicates, 0);
    const int32_t format = TS_STORE_FORMAT;
    if (!st) st = st_attr_num(c, root, "/", "format_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &format, 0);
    H5Gclose(root);
    return st;
}

/* ---- the atomic file dance ---- */

static ts_status sync_file(const char *tmp, const char *path, ts_err *err)
{
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return ts_err_set(err, TS_EIO, "%s: cannot sync %s: %s", path, tmp, strerror(e));
    }
    if (close(fd) != 0)
        return ts_err_set(err, TS_EIO, "%s: cannot sync %s: %s", path, tmp, strerror(errno));
    return TS_OK;
}

/* The rename is durable only once the directory entry is. */
static ts_status sync_dir(const char *path, ts_err *err)
{
    size_t n = strlen(path);
    char *dir = malloc(n + 2);
    if (!dir) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash) strcpy(dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    ts_status st = TS_OK;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* some file systems cannot sync a directory (EINVAL): nothing more to do there */
    if (fd < 0 || (fsync(fd) != 0 && errno != EINVAL))
        st = ts_err_set(err, TS_EIO, "%s: written, but cannot sync directory %s: %s", path, dir,
                        strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return st;
}

static ts_status write_contents(st_ctx *c, st_plan *p, const ts_task_meta *meta,
                                double *const *results, const char *created, const char *updated)
{
    ts_status st = write_root(c, p->job, created, updated);
    if (!st) st = st_dims_write(c, p);
    if (!st) st = write_task_dsets(c, p, meta);
    if (!st) st = write_results(c, p, meta, results);
    st_dims_close(p);
    return st;
}

static ts_status write_tmp(const char *path, const char *tmp, st_plan *p,
                           const ts_task_meta *meta, double *const *results,
                           const char *created, const char *updated, ts_err *err)
{
    st_ctx c = { .path = path, .file = -1, .str = -1, .err = err };
    ts_status st = TS_OK;
    /* open(2) first: it says why a path is unwritable, HDF5 does not */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return ts_err_set(err, TS_EIO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    close(fd);
    /* STRONG: closing the file closes anything left open on an error path,
     * so the descriptor is gone before the unlink or the rename */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* free space is tracked in the file, so `tailsweep aggregate`, which
     * replaces /aggregate in a later session, reuses the old one's space
     * instead of growing the store on every run */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fapl >= 0 && fcpl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
        H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_FSM_AGGR, 1, 1) >= 0)
        c.file = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (fcpl >= 0) H5Pclose(fcpl);
    if (c.file < 0) return st_fail(&c, "cannot create HDF5 file", tmp);
    c.str = H5Tcopy(H5T_C_S1);
    if (c.str < 0 || H5Tset_size(c.str, H5T_VARIABLE) < 0 || H5Tset_cset(c.str, H5T_CSET_UTF8) < 0)
        st = st_fail(&c, "cannot make the string type", NULL);
    if (!st) st = write_contents(&c, p, meta, results, created, updated);
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

ts_status ts_store_write(const char *path, const ts_job *job, const ts_result_layout *l,
                         const ts_task_meta *meta, double *const *results,
                         double created, double updated, ts_err *err)
{
    /* errors are reported through err, once, not printed by HDF5 */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (!path || !path[0]) return ts_err_set(err, TS_EINVAL, "store: no file name given");
    char ct[32], ut[32];
    ts_status st = iso_utc(created, ct, sizeof ct, "created", err);
    if (!st) st = iso_utc(updated, ut, sizeof ut, "updated", err);
    if (st) return st;
    st_plan *p = malloc(sizeof *p);
    if (!p) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    st = st_plan_build(p, job, l, err);
    if (!st && !meta) st = ts_err_set(err, TS_EINVAL, "%s: no task metadata given", path);
    for (size_t i = 0; !st && i < l->n; i++)
        if (p->write[i] && (!results || !results[i]))
            st = ts_err_set(err, TS_EINVAL, "%s: no values given for result '%s'", path, l->r[i].name);
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!st && !tmp) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    if (!st && tmp) {
        snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
        st = write_tmp(path, tmp, p, meta, results, ct, ut, err);
        if (!st) st = sync_file(tmp, path, err);
        if (!st && rename(tmp, path) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot rename %s over it: %s", path, tmp, strerror(errno));
        if (st) unlink(tmp);
        else st = sync_dir(path, err);
    }
    free(tmp);
    free(p);
    return st;
}
