/* ts_journal.c: the append-only, checksummed results journal (ts_journal.h). */
#include "tailsweep/ts_journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MAGIC 0x524A5354u   /* "TSJR" little-endian */
#define VERSION 1u
#define HOST_LEN 64

uint64_t ts_hash64(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    if (!h) h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* A growable byte buffer for building one record. */
typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static int put(buf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        while (cap < b->n + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) return -1;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    return 0;
}

/* Frame a payload and write it with one write(2), so a record is either
 * wholly in the file or torn at its end (caught by the CRC on replay). */
static ts_status write_framed(ts_journal *j, const buf *payload, ts_err *err)
{
    buf f = { 0 };
    uint32_t magic = MAGIC, len = (uint32_t)payload->n;
    uint32_t crc = (uint32_t)crc32(0L, payload->p, (uInt)payload->n);
    int bad = put(&f, &magic, 4) | put(&f, &len, 4) | put(&f, payload->p, payload->n) | put(&f, &crc, 4);
    ts_status st = TS_OK;
    if (bad) st = ts_err_set(err, TS_ENOMEM, "%s: out of memory", j->path);
    for (size_t off = 0; !st && off < f.n;) {
        ssize_t w = write(j->fd, f.p + off, f.n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) st = ts_err_set(err, TS_EIO, "%s: write failed: %s", j->path, strerror(errno));
        else off += (size_t)w;
    }
    free(f.p);
    return st;
}

ts_status ts_journal_append(ts_journal *j, const ts_journal_rec *r, ts_err *err)
{
    buf p = { 0 };
    char host[HOST_LEN] = { 0 };
    snprintf(host, sizeof host, "%s", r->meta.host);
    uint16_t ml = (uint16_t)strnlen(r->meta.msg, sizeof r->meta.msg);
    uint8_t status = r->meta.status;
    int bad = put(&p, &r->task, 8) | put(&p, &status, 1) | put(&p, &r->meta.attempt, 4)
            | put(&p, &r->meta.rank, 4) | put(&p, &r->meta.wall, 8) | put(&p, &r->end_time, 8)
            | put(&p, host, HOST_LEN) | put(&p, &ml, 2) | put(&p, r->meta.msg, ml);
    if (r->results) bad |= put(&p, r->results, j->per_task * sizeof(double));
    ts_status st = bad ? ts_err_set(err, TS_ENOMEM, "%s: out of memory", j->path) : write_framed(j, &p, err);
    free(p.p);
    if (!st) {
        j->records++;
        j->unsynced++;
    }
    return st;
}

ts_status ts_journal_sync(ts_journal *j, ts_err *err)
{
    if (j->unsynced && fsync(j->fd) != 0)
        return ts_err_set(err, TS_EIO, "%s: fsync failed: %s", j->path, strerror(errno));
    j->unsynced = 0;
    return TS_OK;
}

void ts_journal_close(ts_journal *j)
{
    if (j->fd >= 0) {
        ts_journal_sync(j, NULL);
        close(j->fd);
    }
    j->fd = -1;
}

/* Read one framed record at *off from a whole-file image; returns the
 * payload and advances *off, or NULL at a torn or corrupt tail. */
static const unsigned char *next_record(const unsigned char *img, size_t size, size_t *off, uint32_t *len)
{
    if (size - *off < 12) return NULL;
    uint32_t magic, crc;
    memcpy(&magic, img + *off, 4);
    memcpy(len, img + *off + 4, 4);
    if (magic != MAGIC || size - *off - 12 < *len) return NULL;
    const unsigned char *payload = img + *off + 8;
    memcpy(&crc, payload + *len, 4);
    if (crc != (uint32_t)crc32(0L, payload, *len)) return NULL;
    *off += 12 + *len;
    return payload;
}

static int parse_task(const unsigned char *p, uint32_t len, uint64_t per_task, ts_journal_rec *r)
{
    const size_t fixed = 8 + 1 + 4 + 4 + 8 + 8 + HOST_LEN + 2;
    if (len < fixed) return -1;
    memset(r, 0, sizeof *r);
    uint8_t status;
    uint16_t ml;
    memcpy(&r->task, p, 8);
    memcpy(&status, p + 8, 1);
    memcpy(&r->meta.attempt, p + 9, 4);
    memcpy(&r->meta.rank, p + 13, 4);
    memcpy(&r->meta.wall, p + 17, 8);
    memcpy(&r->end_time, p + 25, 8);
    memcpy(r->meta.host, p + 33, HOST_LEN);
    r->meta.host[HOST_LEN - 1] = 0;
    memcpy(&ml, p + 33 + HOST_LEN, 2);
    if (fixed + ml > len || ml >= sizeof r->meta.msg) return -1;
    memcpy(r->meta.msg, p + fixed, ml);
    r->meta.status = status;
    size_t rest = len - fixed - ml;
    if (rest == per_task * sizeof(double)) r->results = (const double *)(p + fixed + ml);
    else if (rest != 0) return -1;
    return 0;
}

/* Replay a file image: header, then records until the first bad one.
 * Returns the offset just past the last valid record. */
static ts_status replay(const unsigned char *img, size_t size, const char *path, ts_journal *j,
                        ts_journal_visit visit, void *ctx, size_t *valid_end, ts_err *err)
{
    size_t off = 0;
    uint32_t len;
    const unsigned char *h = next_record(img, size, &off, &len);
    if (!h || len != 36) return ts_err_set(err, TS_EIO, "%s: not a tailsweep journal (bad header)", path);
    uint32_t ver;
    memcpy(&ver, h, 4);
    if (ver != VERSION) return ts_err_set(err, TS_EIO, "%s: journal version %u, expected %u", path, ver, VERSION);
    memcpy(&j->job_hash, h + 4, 8);
    memcpy(&j->tasks, h + 12, 8);
    memcpy(&j->per_task, h + 20, 8);
    memcpy(&j->created, h + 28, 8);
    /* copy out of the (possibly unaligned) image so results are aligned */
    double *res = malloc((j->per_task ? j->per_task : 1) * sizeof *res);
    if (!res) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    const unsigned char *p;
    size_t end = off;
    while ((p = next_record(img, size, &off, &len))) {
        ts_journal_rec r;
        if (parse_task(p, len, j->per_task, &r) || r.task >= j->tasks) break;
        if (r.results) {
            memcpy(res, r.results, j->per_task * sizeof *res);
            r.results = res;
        }
        if (visit) visit(&r, ctx);
        j->records++;
        end = off;
    }
    free(res);
    *valid_end = end;
    return TS_OK;
}

static ts_status load_image(const char *path, int fd, unsigned char **img, size_t *size, ts_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) return ts_err_set(err, TS_EIO, "%s: %s", path, strerror(errno));
    *size = (size_t)sb.st_size;
    *img = malloc(*size ? *size : 1);
    if (!*img) return ts_err_set(err, TS_ENOMEM, "%s: out of memory (%zu bytes)", path, *size);
    size_t got = 0;
    while (got < *size) {
        ssize_t r = pread(fd, *img + got, *size - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    *size = got;   /* a file still growing under a reader: take what is there */
    return TS_OK;
}

ts_status ts_journal_read(const char *path, ts_journal *info, ts_journal_visit visit, void *ctx, ts_err *err)
{
    memset(info, 0, sizeof *info);
    info->fd = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *img = NULL;
    size_t size = 0, end;
    ts_status st = load_image(path, fd, &img, &size, err);
    close(fd);
    if (!st) st = replay(img, size, path, info, visit, ctx, &end, err);
    free(img);
    return st;
}

static ts_status write_header(ts_journal *j, ts_err *err)
{
    buf p = { 0 };
    uint32_t ver = VERSION;
    int bad = put(&p, &ver, 4) | put(&p, &j->job_hash, 8) | put(&p, &j->tasks, 8) | put(&p, &j->per_task, 8)
            | put(&p, &j->created, 8);
    ts_status st = bad ? ts_err_set(err, TS_ENOMEM, "out of memory") : write_framed(j, &p, err);
    free(p.p);
    return st ? st : ts_journal_sync(j, err);
}

ts_status ts_journal_open(ts_journal *j, const char *path, uint64_t job_hash, uint64_t tasks,
                          uint64_t per_task, double created, ts_journal_visit visit, void *ctx,
                          ts_err *err)
{
    memset(j, 0, sizeof *j);
    snprintf(j->path, sizeof j->path, "%s", path);
    j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (j->fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open journal: %s", path, strerror(errno));
    unsigned char *img = NULL;
    size_t size = 0, end = 0;
    ts_status st = load_image(path, j->fd, &img, &size, err);
    if (!st && size == 0) {
        j->job_hash = job_hash;
        j->tasks = tasks;
        j->per_task = per_task;
        j->created = created;
        st = write_header(j, err);
    } else if (!st) {
        st = replay(img, size, path, j, visit, ctx, &end, err);
        if (!st && (j->job_hash != job_hash || j->tasks != tasks || j->per_task != per_task))
            st = ts_err_set(err, TS_EINVAL, "%s: this store belongs to a different job (job file, seed "
                            "or grid changed since it was created); use another --store, or delete the "
                            "store and its .journal to start over", path);
        /* cut a torn tail so new records follow the last valid one */
        if (!st && end < size && ftruncate(j->fd, (off_t)end) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot truncate a torn record: %s", path, strerror(errno));
    }
    free(img);
    if (st) {
        close(j->fd);
        j->fd = -1;
    }
    return st;
}
