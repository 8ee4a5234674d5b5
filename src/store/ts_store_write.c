/* ts_store_write.c: writing a store in place (ts_store.h).
 *
 * At open, the offset of every dataset in the file is read once through
 * HDF5; the file is then closed by HDF5 and written with pwrite(2) only. A
 * task's bytes sit at offset + task * bytes_per_task in each dataset,
 * because every dataset is contiguous, row-major, and starts with the task
 * dimensions [axes..., replicate]. HDF5's metadata is never touched again,
 * so no crash can leave it half written.
 *
 * The checksum of a task chains, in the checksum order of ts_store_schema.h
 * (results in layout order, then attempt .. status), the XXH3-64 hash of its
 * bytes in each dataset, seeded with the task number:
 *     H = task ^ K;  for each dataset d: H = H * P + XXH3_64(bytes_d, task)
 * (P odd), so a verifier can fold one dataset at a time into 8 bytes of
 * state per task. XXH3 (libxxhash) is 4x zlib's CRC-32 here, which keeps
 * both writing and verifying a large store cheap. A record torn by a crash
 * or damaged on disk no longer matches it. */
#include "ts_store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define MAX_WDSETS (TS_MAX_RESULTS + 16)
#define STAGE_BYTES (8u << 20)     /* one pwrite at most; also verify's read block */

enum { W_RESULT = -1 };

typedef struct {
    char name[64];
    int what;              /* W_RESULT, or an index into st_task_dsets        */
    uint64_t offset;       /* in the file                                     */
    size_t task_bytes;     /* bytes of one task                               */
    size_t res_off, res_n; /* W_RESULT: where in the task's block, how many   */
} wdset;

struct ts_store {
    char *path;
    int fd;
    uint64_t tasks;
    size_t n;              /* datasets, in checksum order, checksum last */
    wdset d[MAX_WDSETS];
    int status_i, checksum_i;
    unsigned char *stage;
};

uint64_t ts_store_tasks(const ts_store *s) { return s->tasks; }
const char *ts_store_path(const ts_store *s) { return s->path; }

static int little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

/* ---- one task's bytes in one dataset ---- */

#define SUM_K 0xA0761D6478BD642Full
#define SUM_P 0x9E3779B97F4A7C15ull

static void task_bytes(const wdset *d, const ts_task_record *r, uint64_t sum, unsigned char *out)
{
    if (d->what == W_RESULT) {
        double *o = (double *)(void *)out;
        int has = r->results && (r->status == TS_TASK_DONE || r->status == TS_TASK_DIVERGED);
        if (has) memcpy(o, r->results + d->res_off, d->res_n * sizeof(double));
        else
            for (size_t k = 0; k < d->res_n; k++) o[k] = NAN;
        return;
    }
    const char *name = st_task_dsets[d->what].name;
    if (strcmp(name, TS_DS_ATTEMPT) == 0) memcpy(out, &r->attempt, 4);
    else if (strcmp(name, TS_DS_RANK) == 0) memcpy(out, &r->rank, 4);
    else if (strcmp(name, TS_DS_WALL) == 0) memcpy(out, &r->wall, 8);
    else if (strcmp(name, TS_DS_END) == 0) memcpy(out, &r->end_time, 8);
    else if (strcmp(name, TS_DS_STATUS) == 0) out[0] = r->status;
    else if (strcmp(name, TS_DS_CHECKSUM) == 0) memcpy(out, &sum, 8);
    else {
        /* host, message: NUL-padded, cut to valid UTF-8 (h5py refuses to
         * decode anything else, and then xarray cannot open the file) */
        const char *src = strcmp(name, TS_DS_HOST) == 0 ? r->host : r->msg;
        size_t cap = strcmp(name, TS_DS_HOST) == 0 ? sizeof r->host : sizeof r->msg;
        if (cap > d->task_bytes) cap = d->task_bytes;
        memset(out, 0, d->task_bytes);
        char tmp[TS_STORE_MSG_LEN + 1];
        size_t len = st_utf8_clean(tmp, src, cap - 1);
        memcpy(out, tmp, len);
    }
}

static inline uint64_t sum_fold(uint64_t h, uint64_t task, const void *bytes, size_t n)
{
    return h * SUM_P + XXH3_64bits_withSeed(bytes, n, task);
}

static uint64_t record_sum(const ts_store *s, const ts_task_record *r, unsigned char *scratch)
{
    uint64_t h = r->task ^ SUM_K;
    for (size_t i = 0; i < s->n; i++) {
        if ((int)i == s->checksum_i) continue;
        task_bytes(&s->d[i], r, 0, scratch);
        h = sum_fold(h, r->task, scratch, s->d[i].task_bytes);
    }
    return h;
}

static ts_status pwrite_all(const ts_store *s, const void *buf, size_t n, uint64_t off, const char *what,
                            ts_err *err)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = pwrite(s->fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return ts_err_set(err, TS_EIO, "%s: cannot write '%s': %s", s->path, what,
                              w < 0 ? strerror(errno) : "no progress");
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return TS_OK;
}

static ts_status pread_all(const ts_store *s, void *buf, size_t n, uint64_t off, const char *what, ts_err *err)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t r = pread(s->fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            return ts_err_set(err, TS_EIO, "%s: cannot read '%s': %s", s->path, what,
                              r < 0 ? strerror(errno) : "the file is shorter than its datasets (truncated?)");
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return TS_OK;
}

/* ---- open ---- */

static ts_status find_dset(ts_store *s, hid_t f, const char *name, int what, size_t task_bytes,
                           const hsize_t *shape, int rank, ts_err *err)
{
    if (s->n >= MAX_WDSETS) return ts_err_set(err, TS_EINVAL, "%s: too many datasets", s->path);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    if (d < 0)
        return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' is missing: not this job's store, or damaged",
                          s->path, name);
    hid_t sp = H5Dget_space(d), t = H5Dget_type(d), cp = H5Dget_create_plist(d);
    hsize_t got[H5S_MAX_RANK];
    int r = sp >= 0 ? H5Sget_simple_extent_dims(sp, got, NULL) : -1;
    int ok = r == rank && t >= 0 && H5Tget_size(t) * (task_bytes / H5Tget_size(t)) == task_bytes;
    for (int k = 0; ok && k < rank; k++) ok = got[k] == shape[k];
    int contiguous = cp >= 0 && H5Pget_layout(cp) == H5D_CONTIGUOUS;
    haddr_t off = H5Dget_offset(d);
    if (cp >= 0) H5Pclose(cp);
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    if (!ok)
        return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' does not have the shape this job needs: not this "
                          "job's store, or damaged", s->path, name);
    if (!contiguous || off == HADDR_UNDEF)
        return ts_err_set(err, TS_EINVAL, "%s: dataset '%s' is not stored contiguously (was the file repacked?): "
                          "tailsweep can read it but not write into it; run the job into a new store",
                          s->path, name);
    wdset *w = &s->d[s->n++];
    snprintf(w->name, sizeof w->name, "%s", name);
    w->what = what;
    w->offset = (uint64_t)off;
    w->task_bytes = task_bytes;
    return TS_OK;
}

static ts_status map_datasets(ts_store *s, hid_t f, const st_plan *p, ts_err *err)
{
    hsize_t shape[TS_MAX_AXES + 3];
    for (size_t k = 0; k < p->n_task_dims; k++) shape[k] = p->dims[k].len;
    size_t off = 0;
    for (size_t i = 0; i < p->l->n; i++) {
        const ts_result_spec *r = &p->l->r[i];
        size_t sz = ts_result_size(r);
        if (p->write[i]) {
            for (size_t k = 0; k < r->rank; k++) shape[p->n_task_dims + k] = p->dims[p->res_dim[i][k]].len;
            ts_status st = find_dset(s, f, r->name, W_RESULT, sz * sizeof(double), shape,
                                     (int)(p->n_task_dims + r->rank), err);
            if (st) return st;
            s->d[s->n - 1].res_off = off;
            s->d[s->n - 1].res_n = sz;
        }
        off += sz;
    }
    for (size_t i = 0; i < st_n_task_dsets(); i++) {
        ts_status st = find_dset(s, f, st_task_dsets[i].name, (int)i, st_task_dsets[i].size, shape,
                                 (int)p->n_task_dims, err);
        if (st) return st;
        if (strcmp(st_task_dsets[i].name, TS_DS_STATUS) == 0) s->status_i = (int)s->n - 1;
        if (strcmp(st_task_dsets[i].name, TS_DS_CHECKSUM) == 0) s->checksum_i = (int)s->n - 1;
    }
    return TS_OK;
}

/* The job recorded in the file must be this one: parsed, not textual. */
static ts_status same_job(const char *path, hid_t f, const ts_job *job, ts_err *err)
{
    char *mine = NULL, *theirs = NULL;
    ts_status st = ts_job_canonical(job, 1, &mine, err);
    if (!st && !(theirs = st_attr_read_str(f, TS_ATTR_JOB)))
        st = ts_err_set(err, TS_EINVAL, "%s: the store records no job (attribute '%s'): damaged?", path, TS_ATTR_JOB);
    if (!st) {
        char diff[400];
        size_t nd = ts_job_canonical_diff(theirs, mine, diff, sizeof diff);
        if (nd)
            st = ts_err_set(err, TS_EINVAL, "%s: holds the results of a different job (%zu setting%s differ, "
                            "the store's first: %s); run this job into another store (--store) or pass --force "
                            "to replace it", path, nd, nd == 1 ? "" : "s", diff);
    }
    free(mine);
    free(theirs);
    return st;
}

ts_status ts_store_open(const char *path, const ts_job *job, const ts_result_layout *l, ts_store **out,
                        ts_err *err)
{
    *out = NULL;
    if (!little_endian())
        return ts_err_set(err, TS_EINVAL, "%s: writing a store in place needs a little-endian machine", path);
    ts_file_info info;
    ts_file_identify(path, &info);
    ts_file_kind kind = info.kind;
    char why[256];
    snprintf(why, sizeof why, "%s", info.why);
    ts_file_info_clear(&info);
    if (kind != TS_FILE_STORE)
        return ts_err_set(err, kind == TS_FILE_UNREADABLE ? TS_EIO : TS_EINVAL, "%s: %s%s%s", path,
                          ts_file_kind_phrase(kind), why[0] ? ": " : "", why);
    st_plan *p = malloc(sizeof *p);
    ts_store *s = calloc(1, sizeof *s);
    if (!p || !s) {
        free(p);
        free(s);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    s->fd = -1;
    s->status_i = s->checksum_i = -1;
    s->path = strdup(path);
    s->stage = malloc(STAGE_BYTES);
    ts_status st = !s->path || !s->stage ? ts_err_set(err, TS_ENOMEM, "%s: out of memory", path) : TS_OK;
    if (!st) st = st_plan_build(p, job, l, err);
    if (!st) {
        s->tasks = p->n_tasks;
        hid_t fapl = st_fapl();
        hid_t f = fapl >= 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : -1;
        if (fapl >= 0) H5Pclose(fapl);
        if (f < 0) {
            st_ctx c = { .path = path, .err = err };
            st = st_fail(&c, "cannot open", NULL);
        } else {
            st = same_job(path, f, job, err);
            if (!st) st = map_datasets(s, f, p, err);
            H5Fclose(f);
        }
    }
    if (!st) {
        s->fd = open(path, O_RDWR | O_CLOEXEC);
        if (s->fd < 0) st = ts_err_set(err, TS_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
    }
    free(p);
    if (st) {
        ts_store_close(s);
        return st;
    }
    *out = s;
    return TS_OK;
}

void ts_store_close(ts_store *s)
{
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free(s->stage);
    free(s->path);
    free(s);
}

ts_status ts_store_sync(ts_store *s, ts_err *err)
{
    if (fdatasync(s->fd) != 0) return ts_err_set(err, TS_EIO, "%s: cannot sync: %s", s->path, strerror(errno));
    return TS_OK;
}

void ts_store_start_writeback(ts_store *s)
{
#ifdef SYNC_FILE_RANGE_WRITE
    /* start writing dirty pages now, without waiting for them: a crash then
     * costs less recomputation, and the final sync has less to wait for */
    if (sync_file_range(s->fd, 0, 0, SYNC_FILE_RANGE_WRITE) == 0) return;
#endif
    (void)s;
}

/* ---- put ---- */

typedef struct {
    const ts_task_record *rec;
    uint64_t sum;
} put_item;

static int by_task(const void *a, const void *b)
{
    uint64_t x = ((const put_item *)a)->rec->task, y = ((const put_item *)b)->rec->task;
    return x < y ? -1 : x > y;
}

/* Write dataset i for the items, one pwrite per run of consecutive tasks
 * (bounded by the staging buffer). */
static ts_status put_dataset(ts_store *s, size_t i, const put_item *it, size_t n, ts_err *err)
{
    const wdset *d = &s->d[i];
    size_t per_stage = STAGE_BYTES / d->task_bytes;
    if (per_stage == 0) per_stage = 1;
    unsigned char *big = NULL, *buf = s->stage;
    if (d->task_bytes > STAGE_BYTES) {   /* one task larger than the stage */
        big = malloc(d->task_bytes);
        if (!big) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", s->path);
        buf = big;
    }
    ts_status st = TS_OK;
    for (size_t a = 0; a < n && !st;) {
        size_t b = a + 1;
        while (b < n && b - a < per_stage && it[b].rec->task == it[b - 1].rec->task + 1) b++;
        for (size_t k = a; k < b; k++) task_bytes(d, it[k].rec, it[k].sum, buf + (k - a) * d->task_bytes);
        st = pwrite_all(s, buf, (b - a) * d->task_bytes, d->offset + it[a].rec->task * d->task_bytes, d->name,
                        err);
        a = b;
    }
    free(big);
    return st;
}

ts_status ts_store_put(ts_store *s, const ts_task_record *recs, size_t n, uint64_t *sum_out, ts_err *err)
{
    if (n == 0) return TS_OK;
    put_item *it = malloc(n * sizeof *it);
    size_t scratch_n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->d[i].task_bytes > scratch_n) scratch_n = s->d[i].task_bytes;
    unsigned char *scratch = malloc(scratch_n);
    ts_status st = !it || !scratch ? ts_err_set(err, TS_ENOMEM, "%s: out of memory", s->path) : TS_OK;
    for (size_t i = 0; !st && i < n; i++) {
        if (recs[i].task >= s->tasks || recs[i].status > TS_TASK_DIVERGED)
            st = ts_err_set(err, TS_EINVAL, "%s: task %llu with status %u does not belong in this store", s->path,
                            (unsigned long long)recs[i].task, (unsigned)recs[i].status);
        else {
            it[i].rec = &recs[i];
            it[i].sum = record_sum(s, &recs[i], scratch);
            if (sum_out) sum_out[i] = it[i].sum;
        }
    }
    if (!st) qsort(it, n, sizeof *it, by_task);
    /* everything but status first, status last: a task reads done only once
     * its values, metadata and checksum are in the file */
    for (size_t i = 0; !st && i < s->n; i++)
        if ((int)i != s->status_i) st = put_dataset(s, i, it, n, err);
    if (!st) st = put_dataset(s, (size_t)s->status_i, it, n, err);
    free(it);
    free(scratch);
    return st;
}

ts_status ts_store_reset(ts_store *s, uint64_t task, ts_err *err)
{
    if (task >= s->tasks) return ts_err_set(err, TS_EINVAL, "%s: no task %llu", s->path, (unsigned long long)task);
    ts_task_record r;
    memset(&r, 0, sizeof r);
    r.task = task;
    r.status = TS_TASK_TODO;
    r.rank = -1;
    r.wall = r.end_time = NAN;
    put_item one = { &r, 0 };
    /* status first here: a kill half way leaves a todo task, which is rerun */
    ts_status st = put_dataset(s, (size_t)s->status_i, &one, 1, err);
    for (size_t i = 0; !st && i < s->n; i++)
        if ((int)i != s->status_i) st = put_dataset(s, i, &one, 1, err);
    return st;
}

/* ---- verify ---- */

ts_status ts_store_verify(ts_store *s, ts_store_visit visit, void *ctx, ts_err *err)
{
    uint64_t n = s->tasks;
    uint8_t *status = malloc(n ? n : 1);
    uint64_t *sum = malloc((n ? n : 1) * sizeof *sum);
    uint64_t *stored = NULL;
    uint32_t *attempt = NULL;
    ts_status st = !status || !sum ? ts_err_set(err, TS_ENOMEM, "%s: out of memory for %llu tasks", s->path,
                                                (unsigned long long)n) : TS_OK;
    /* status first: tasks that never ran have no record to check, and a
     * block of them is not read at all (a new store costs nothing) */
    const wdset *ds = &s->d[s->status_i], *dc = &s->d[s->checksum_i], *da = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->d[i].what >= 0 && strcmp(st_task_dsets[s->d[i].what].name, TS_DS_ATTEMPT) == 0) da = &s->d[i];
    for (uint64_t t0 = 0; !st && t0 < n; t0 += STAGE_BYTES) {
        uint64_t m = n - t0 < STAGE_BYTES ? n - t0 : STAGE_BYTES;
        st = pread_all(s, status + t0, (size_t)m, ds->offset + t0, ds->name, err);
    }
    uint64_t ran = 0;
    for (uint64_t t = 0; !st && t < n; t++) {
        ran += status[t] != TS_TASK_TODO;
        sum[t] = t ^ SUM_K;
    }
    if (!st && ran) {
        stored = malloc(n * sizeof *stored);
        attempt = malloc(n * sizeof *attempt);
        if (!stored || !attempt) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", s->path);
    }
    /* every covered dataset, in checksum order, read once in big blocks */
    for (size_t i = 0; !st && ran && i < s->n; i++) {
        if ((int)i == s->checksum_i) continue;
        const wdset *d = &s->d[i];
        uint64_t per = STAGE_BYTES / d->task_bytes ? STAGE_BYTES / d->task_bytes : 1;
        unsigned char *buf = d->task_bytes > STAGE_BYTES ? malloc(d->task_bytes) : s->stage;
        if (!buf) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", s->path);
        for (uint64_t t0 = 0; !st && t0 < n; t0 += per) {
            uint64_t m = n - t0 < per ? n - t0 : per, any = 0;
            for (uint64_t k = 0; k < m && !any; k++) any = status[t0 + k] != TS_TASK_TODO;
            if (!any) continue;
            st = pread_all(s, buf, (size_t)m * d->task_bytes, d->offset + t0 * d->task_bytes, d->name, err);
            for (uint64_t k = 0; !st && k < m; k++)
                if (status[t0 + k] != TS_TASK_TODO)
                    sum[t0 + k] = sum_fold(sum[t0 + k], t0 + k, buf + k * d->task_bytes, d->task_bytes);
        }
        if (buf != s->stage) free(buf);
    }
    if (!st && ran) st = pread_all(s, stored, (size_t)n * 8, dc->offset, dc->name, err);
    if (!st && ran && da) st = pread_all(s, attempt, (size_t)n * 4, da->offset, da->name, err);
    for (uint64_t t = 0; !st && t < n; t++) {
        ts_store_task_state ts = { .task = t, .status = status[t] };
        if (ran) {
            ts.checksum = stored[t];
            if (da) ts.attempt = attempt[t];
        }
        ts.intact = ts.status == TS_TASK_TODO || (ts.status <= TS_TASK_DIVERGED && ts.checksum == sum[t]);
        if (visit) visit(&ts, ctx);
    }
    free(status);
    free(sum);
    free(stored);
    free(attempt);
    return st;
}
