/* ts_journal.c: the append-only completion journal (ts_journal.h). */
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
#define VERSION 3u
#define HEADER_LEN 28u
#define FIXED_LEN (8 + 8 + 1 + 4 + 4 + 8 + 8 + 8 + 1)   /* task payload before the host */
#define MAX_PAYLOAD (FIXED_LEN + 255 + 2 + 65535)
#define WINDOW (1u << 20)   /* replay reads the file through this much memory */

/* ---- writing ---- */

typedef struct {
    unsigned char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const void *src, size_t n)
{
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

/* Frame the payload that starts at b->p + start (already in b). */
static void frame(buf *b, size_t start)
{
    size_t len = b->n - start;
    uint32_t crc = (uint32_t)crc32(0L, b->p + start, (uInt)len);
    put(b, &crc, 4);
    if (b->oom) return;
    /* the magic and length go in front: shift the payload (records are small) */
    put(b, "\0\0\0\0\0\0\0\0", 8);
    if (b->oom) return;
    memmove(b->p + start + 8, b->p + start, len + 4);
    uint32_t magic = MAGIC, l32 = (uint32_t)len;
    memcpy(b->p + start, &magic, 4);
    memcpy(b->p + start + 4, &l32, 4);
}

static ts_status write_all(ts_journal *j, const buf *b, ts_err *err)
{
    if (b->oom) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", j->path);
    for (size_t off = 0; off < b->n;) {
        ssize_t w = write(j->fd, b->p + off, b->n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return ts_err_set(err, TS_EIO, "%s: write failed: %s", j->path, strerror(errno));
        off += (size_t)w;
    }
    return TS_OK;
}

void ts_journal_rec_from(ts_journal_rec *out, const ts_task_record *r, uint64_t checksum)
{
    memset(out, 0, sizeof *out);
    out->task = r->task;
    out->status = r->status;
    out->attempt = r->attempt;
    out->rank = r->rank;
    out->wall = r->wall;
    out->end_time = r->end_time;
    out->checksum = checksum;
    memcpy(out->host, r->host, sizeof out->host);
    out->host[sizeof out->host - 1] = '\0';
    memcpy(out->msg, r->msg, sizeof out->msg);
    out->msg[sizeof out->msg - 1] = '\0';
}

ts_status ts_journal_append(ts_journal *j, const ts_journal_rec *recs, size_t n, ts_err *err)
{
    buf b = { 0 };
    for (size_t i = 0; i < n; i++) {
        const ts_journal_rec *r = &recs[i];
        size_t start = b.n;
        uint64_t seq = j->next_seq + i;
        uint8_t hl = (uint8_t)strnlen(r->host, sizeof r->host - 1);
        uint16_t ml = (uint16_t)strnlen(r->msg, sizeof r->msg - 1);
        put(&b, &seq, 8);
        put(&b, &r->task, 8);
        put(&b, &r->status, 1);
        put(&b, &r->attempt, 4);
        put(&b, &r->rank, 4);
        put(&b, &r->wall, 8);
        put(&b, &r->end_time, 8);
        put(&b, &r->checksum, 8);
        put(&b, &hl, 1);
        put(&b, r->host, hl);
        put(&b, &ml, 2);
        put(&b, r->msg, ml);
        frame(&b, start);
    }
    ts_status st = write_all(j, &b, err);
    free(b.p);
    if (!st) {
        j->next_seq += n;
        j->unsynced += n;
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

static ts_status write_header(ts_journal *j, ts_err *err)
{
    buf b = { 0 };
    uint32_t ver = VERSION;
    put(&b, &ver, 4);
    put(&b, &j->job_id, 8);
    put(&b, &j->tasks, 8);
    put(&b, &j->created, 8);
    frame(&b, 0);
    ts_status st = write_all(j, &b, err);
    free(b.p);
    if (!st && fsync(j->fd) != 0) st = ts_err_set(err, TS_EIO, "%s: fsync failed: %s", j->path, strerror(errno));
    return st;
}

/* ---- replay: a window over the file, refilled as it is consumed ---- */

typedef struct {
    int fd;
    unsigned char *w;
    size_t lo, hi;          /* valid bytes w[lo..hi)        */
    uint64_t base;          /* file offset of w[0]          */
    int eof;
} reader;

/* Make at least `need` bytes available at w[lo], if the file has them. */
static int avail(reader *r, size_t need)
{
    if (r->hi - r->lo >= need) return 1;
    if (r->lo > 0) {
        memmove(r->w, r->w + r->lo, r->hi - r->lo);
        r->base += r->lo;
        r->hi -= r->lo;
        r->lo = 0;
    }
    while (!r->eof && r->hi < need) {
        ssize_t n = pread(r->fd, r->w + r->hi, WINDOW - r->hi, (off_t)(r->base + r->hi));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) r->eof = 1;
        else r->hi += (size_t)n;
    }
    return r->hi - r->lo >= need;
}

/* A valid frame at w[lo]: its payload length, or -1. */
static long frame_at(reader *r)
{
    if (!avail(r, 12)) return -1;
    uint32_t magic, len, crc;
    memcpy(&magic, r->w + r->lo, 4);
    memcpy(&len, r->w + r->lo + 4, 4);
    if (magic != MAGIC || len > MAX_PAYLOAD || !avail(r, 12 + (size_t)len)) return -1;
    memcpy(&crc, r->w + r->lo + 8 + len, 4);
    if (crc != (uint32_t)crc32(0L, r->w + r->lo + 8, len)) return -1;
    return (long)len;
}

static int parse_task(const unsigned char *p, uint32_t len, ts_journal_rec *o)
{
    if (len < FIXED_LEN + 2) return -1;
    memset(o, 0, sizeof *o);
    size_t at = 0;
#define TAKE(dst, n) (memcpy((dst), p + at, (n)), at += (n))
    TAKE(&o->seq, 8);
    TAKE(&o->task, 8);
    TAKE(&o->status, 1);
    TAKE(&o->attempt, 4);
    TAKE(&o->rank, 4);
    TAKE(&o->wall, 8);
    TAKE(&o->end_time, 8);
    TAKE(&o->checksum, 8);
    uint8_t hl;
    TAKE(&hl, 1);
    if (hl >= sizeof o->host || at + hl + 2 > len) return -1;
    TAKE(o->host, hl);
    uint16_t ml;
    TAKE(&ml, 2);
    if (ml >= sizeof o->msg || at + ml != len) return -1;
    TAKE(o->msg, ml);
#undef TAKE
    return 0;
}

/* Replay from the start; *valid_end is the offset just past the last valid
 * record (a torn tail beyond it is cut by the writer). */
static ts_status replay(int fd, const char *path, ts_journal *j, ts_journal_visit visit, void *ctx,
                        ts_journal_replay *rp, uint64_t *valid_end, ts_err *err)
{
    memset(rp, 0, sizeof *rp);
    reader r = { .fd = fd, .w = malloc(WINDOW) };
    if (!r.w) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    ts_status st = TS_OK;
    long len = frame_at(&r);
    if (len < 0) {
        rp->empty = r.hi == 0;
        *valid_end = 0;
        free(r.w);
        if (rp->empty) return TS_OK;
        return ts_err_set(err, TS_EINVAL, "%s: not a tailsweep journal, or one of an older version (bad header); "
                          "move it aside to let the store's own checksums rebuild it", path);
    }
    uint32_t ver = 0;
    memcpy(&ver, r.w + r.lo + 8, 4);
    if (len != HEADER_LEN || ver != VERSION) {
        free(r.w);
        return ts_err_set(err, TS_EINVAL, "%s: journal version %u, this tailsweep writes version %u", path, ver,
                          VERSION);
    }
    memcpy(&j->job_id, r.w + r.lo + 12, 8);
    memcpy(&j->tasks, r.w + r.lo + 20, 8);
    memcpy(&j->created, r.w + r.lo + 28, 8);
    r.lo += 12 + (size_t)len;
    *valid_end = r.base + r.lo;
    uint64_t expect = 0, tail_bytes = 0;
    int in_damage = 0;
    for (;;) {
        if (!avail(&r, 1)) break;
        len = frame_at(&r);
        ts_journal_rec rec;
        if (len >= 0 && parse_task(r.w + r.lo + 8, (uint32_t)len, &rec) == 0 && rec.task < j->tasks) {
            if (rec.seq > expect) rp->dropped += rec.seq - expect;
            expect = rec.seq + 1;
            in_damage = 0;
            if (visit) visit(&rec, ctx);
            rp->records++;
            r.lo += 12 + (size_t)len;
            *valid_end = r.base + r.lo;
            continue;
        }
        /* not a record here: skip a byte and look for the next frame */
        if (!in_damage) {
            rp->damaged_regions++;
            tail_bytes = 0;
        }
        in_damage = 1;
        rp->bytes_skipped++;
        tail_bytes++;
        r.lo++;
    }
    /* bad bytes running to the end of the file are a torn tail (a record a
     * kill cut short): cut, and not counted as damage */
    if (in_damage) {
        rp->torn_tail = 1;
        rp->damaged_regions--;
        rp->bytes_skipped -= tail_bytes;
    }
    j->next_seq = expect;
    free(r.w);
    return st;
}

ts_status ts_journal_read(const char *path, ts_journal *info, ts_journal_visit visit, void *ctx,
                          ts_journal_replay *rp, ts_err *err)
{
    memset(info, 0, sizeof *info);
    info->fd = -1;
    snprintf(info->path, sizeof info->path, "%s", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    uint64_t end;
    ts_journal_replay tmp;
    ts_status st = replay(fd, path, info, visit, ctx, rp ? rp : &tmp, &end, err);
    close(fd);
    return st;
}

ts_status ts_journal_restart(ts_journal *j, ts_err *err)
{
    if (ftruncate(j->fd, 0) != 0)
        return ts_err_set(err, TS_EIO, "%s: cannot truncate: %s", j->path, strerror(errno));
    j->next_seq = 0;
    j->unsynced = 0;
    return write_header(j, err);
}

ts_status ts_journal_open(ts_journal *j, const char *path, uint64_t job_id, uint64_t tasks, double created,
                          ts_journal_visit visit, void *ctx, ts_journal_replay *rp, ts_err *err)
{
    memset(j, 0, sizeof *j);
    snprintf(j->path, sizeof j->path, "%s", path);
    j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (j->fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open journal: %s", path, strerror(errno));
    uint64_t end = 0;
    ts_status st = replay(j->fd, path, j, visit, ctx, rp, &end, err);
    if (!st && rp->empty) {
        j->job_id = job_id;
        j->tasks = tasks;
        j->created = created;
        st = ts_journal_restart(j, err);
    } else if (!st) {
        if (j->job_id != job_id || j->tasks != tasks)
            st = ts_err_set(err, TS_EINVAL, "%s: this journal belongs to a different job (the job or its seed "
                            "changed since it was written); use another --store, or --force to start over", path);
        /* cut a torn tail so new records follow the last valid one */
        struct stat sb;
        if (!st && fstat(j->fd, &sb) == 0 && (uint64_t)sb.st_size > end && ftruncate(j->fd, (off_t)end) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot cut a torn record: %s", path, strerror(errno));
    }
    if (st) {
        close(j->fd);
        j->fd = -1;
    }
    return st;
}
