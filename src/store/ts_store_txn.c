/* ts_store_txn.c: a rollback-journal HDF5 file driver and the transaction
 * around it (ts_store_txn.h). */
#include "tailsweep/ts_store_txn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tailsweep/ts_atomic_file.h"
#include "ts_store_internal.h"

#define UNDO_MAGIC "TSUNDO01"
#define HELD_MAX (256u << 20)   /* held writes to old bytes: metadata only, never this much */

void (*ts_store_txn_step_hook)(const char *step) = NULL;

static void step(const char *name)
{
    if (ts_store_txn_step_hook) ts_store_txn_step_hook(name);
}

/* ---- held writes ---- */

typedef struct {
    uint64_t addr;
    size_t len;
    unsigned char *bytes;
} held;

/* Regions whose old bytes are in the undo file: each saved once, so the
 * undo file holds originals only and rollback can apply it in any order. */
typedef struct {
    uint64_t lo, hi;
} span;

struct ts_store_txn {
    char *path, *undo;
    int fd;                   /* the store, read-write               */
    int ufd;                  /* the undo file, append               */
    span *saved;
    size_t n_saved, cap_saved;
    uint64_t old_eof;         /* its size when the transaction began */
    uint64_t final_size;      /* the size HDF5 asked for at close    */
    held *h;
    size_t n_held, cap_held, held_bytes;
    int failed;               /* a driver call could not be honoured */
    hid_t file;
    int closed;
};

/* The one open transaction (the driver's callbacks find it here). */
static ts_store_txn *g_txn;

static int hold(ts_store_txn *t, uint64_t addr, const unsigned char *buf, size_t len)
{
    if (t->held_bytes + len > HELD_MAX) return -1;
    if (t->n_held == t->cap_held) {
        size_t cap = t->cap_held ? 2 * t->cap_held : 64;
        held *g = realloc(t->h, cap * sizeof *g);
        if (!g) return -1;
        t->h = g;
        t->cap_held = cap;
    }
    unsigned char *b = malloc(len);
    if (!b) return -1;
    memcpy(b, buf, len);
    t->h[t->n_held++] = (held){ addr, len, b };
    t->held_bytes += len;
    return 0;
}

/* Later writes win: apply the held ones in order over what was read. */
static void overlay(const ts_store_txn *t, uint64_t addr, size_t len, unsigned char *buf)
{
    for (size_t i = 0; i < t->n_held; i++) {
        const held *x = &t->h[i];
        uint64_t lo = x->addr > addr ? x->addr : addr;
        uint64_t hi = x->addr + x->len < addr + len ? x->addr + x->len : addr + len;
        if (lo < hi) memcpy(buf + (lo - addr), x->bytes + (lo - x->addr), (size_t)(hi - lo));
    }
}

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    unsigned char *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) {          /* past the end: HDF5 expects zeros */
            memset(p, 0, n);
            return 0;
        }
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

static int pwrite_full(int fd, const void *buf, size_t n, uint64_t off)
{
    const unsigned char *p = buf;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
        off += (uint64_t)w;
    }
    return 0;
}

/* Record: u64 addr | u64 len | bytes | u32 crc32(addr, len, bytes). */
static int undo_append(int fd, uint64_t addr, const unsigned char *bytes, size_t len);

static int mark_saved(ts_store_txn *t, uint64_t lo, uint64_t hi)
{
    if (t->n_saved == t->cap_saved) {
        size_t cap = t->cap_saved ? 2 * t->cap_saved : 64;
        span *g = realloc(t->saved, cap * sizeof *g);
        if (!g) return -1;
        t->saved = g;
        t->cap_saved = cap;
    }
    size_t i = 0;
    while (i < t->n_saved && t->saved[i].lo < lo) i++;
    memmove(t->saved + i + 1, t->saved + i, (t->n_saved - i) * sizeof *t->saved);
    t->saved[i] = (span){ lo, hi };
    t->n_saved++;
    return 0;
}

/* Save the old bytes of [lo, hi) that are not saved yet. */
static int save_old(ts_store_txn *t, uint64_t lo, uint64_t hi)
{
    uint64_t at = lo;
    while (at < hi) {
        /* the first saved span that ends after `at` */
        size_t i = 0;
        while (i < t->n_saved && t->saved[i].hi <= at) i++;
        uint64_t gap_end = hi;
        if (i < t->n_saved && t->saved[i].lo <= at) {
            at = t->saved[i].hi;
            continue;
        }
        if (i < t->n_saved && t->saved[i].lo < gap_end) gap_end = t->saved[i].lo;
        size_t n = (size_t)(gap_end - at);
        unsigned char *old = malloc(n ? n : 1);
        int bad = !old || pread_full(t->fd, old, n, at) != 0 || undo_append(t->ufd, at, old, n) != 0 ||
                  mark_saved(t, at, gap_end) != 0;
        free(old);
        if (bad) return -1;
        at = gap_end;
    }
    return 0;
}

/* ---- the driver ---- */

typedef struct {
    H5FD_t pub;               /* first: HDF5 casts between the two */
    haddr_t eoa, eof;
} tfile;

static hid_t g_driver = -1;

static H5FD_t *t_open(const char *name, unsigned flags, hid_t fapl, haddr_t maxaddr)
{
    (void)name;
    (void)flags;
    (void)fapl;
    if (!g_txn || maxaddr == 0 || maxaddr == HADDR_UNDEF) return NULL;
    tfile *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->eof = (haddr_t)g_txn->old_eof;
    return &f->pub;
}

static herr_t t_close(H5FD_t *file)
{
    free(file);
    return 0;
}

static int t_cmp(const H5FD_t *a, const H5FD_t *b)
{
    return a < b ? -1 : a > b;
}

static herr_t t_query(const H5FD_t *f, unsigned long *flags)
{
    (void)f;
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA;
    return 0;
}

static haddr_t t_get_eoa(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const tfile *)file)->eoa;
}

static herr_t t_set_eoa(H5FD_t *file, H5FD_mem_t type, haddr_t addr)
{
    (void)type;
    ((tfile *)file)->eoa = addr;
    return 0;
}

static haddr_t t_get_eof(const H5FD_t *file, H5FD_mem_t type)
{
    (void)type;
    return ((const tfile *)file)->eof;
}

static herr_t t_get_handle(H5FD_t *file, hid_t fapl, void **handle)
{
    (void)file;
    (void)fapl;
    *handle = g_txn ? &g_txn->fd : NULL;
    return g_txn ? 0 : -1;
}

static herr_t t_read(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, void *buf)
{
    (void)file;
    (void)type;
    (void)dxpl;
    ts_store_txn *t = g_txn;
    if (!t || pread_full(t->fd, buf, size, (uint64_t)addr) != 0) return -1;
    overlay(t, (uint64_t)addr, size, buf);
    return 0;
}

static herr_t t_write(H5FD_t *file, H5FD_mem_t type, hid_t dxpl, haddr_t addr, size_t size, const void *buf)
{
    (void)dxpl;
    ts_store_txn *t = g_txn;
    tfile *f = (tfile *)file;
    if (!t) return -1;
    uint64_t a = (uint64_t)addr, end = a + size;
    const unsigned char *b = buf;
    if (a < t->old_eof && type == H5FD_MEM_DRAW) {
        /* the values of a new dataset, placed in space the old file had
         * freed: no old object refers to it, so it is written now, its old
         * bytes saved first so that a rollback is byte for byte */
        uint64_t cut = end < t->old_eof ? end : t->old_eof;
        if (save_old(t, a, cut) != 0) {
            t->failed = 1;
            return -1;
        }
    } else if (a < t->old_eof) {
        /* the old part of the file: held until commit */
        size_t n = (size_t)((end < t->old_eof ? end : t->old_eof) - a);
        if (hold(t, a, b, n) != 0) {
            t->failed = 1;
            return -1;
        }
        a += n;
        b += n;
    }
    if (a < end && pwrite_full(t->fd, b, (size_t)(end - a), a) != 0) {
        t->failed = 1;
        return -1;
    }
    if ((haddr_t)end > f->eof) f->eof = (haddr_t)end;
    return 0;
}

static herr_t t_truncate(H5FD_t *file, hid_t dxpl, hbool_t closing)
{
    (void)dxpl;
    (void)closing;
    tfile *f = (tfile *)file;
    ts_store_txn *t = g_txn;
    if (!t) return -1;
    /* growing happens now; shrinking below the old size waits for commit */
    t->final_size = (uint64_t)f->eoa;
    if ((uint64_t)f->eoa > t->old_eof && ftruncate(t->fd, (off_t)f->eoa) != 0) {
        t->failed = 1;
        return -1;
    }
    f->eof = f->eoa;
    return 0;
}

static const H5FD_class_t t_class = {
    "tailsweep_rollback", /* name */
    (haddr_t)INT64_MAX,   /* maxaddr */
    H5F_CLOSE_STRONG,     /* fc_degree */
    NULL, NULL, NULL, NULL,
    0, NULL, NULL, NULL,
    0, NULL, NULL,
    t_open, t_close, t_cmp, t_query,
    NULL, NULL, NULL,
    t_get_eoa, t_set_eoa, t_get_eof, t_get_handle,
    t_read, t_write,
    NULL, t_truncate,
    NULL, NULL,
    H5FD_FLMAP_DICHOTOMY
};

/* ---- the undo file ---- */

static char *undo_path(const char *path)
{
    size_t n = strlen(path) + 8;
    char *u = malloc(n);
    if (u) snprintf(u, n, "%s.undo", path);
    return u;
}

static int undo_append(int fd, uint64_t addr, const unsigned char *bytes, size_t len)
{
    uint64_t l = len;
    uLong crc = crc32(0L, (const Bytef *)&addr, 8);
    crc = crc32(crc, (const Bytef *)&l, 8);
    crc = crc32(crc, bytes, (uInt)len);
    uint32_t c = (uint32_t)crc;
    return write(fd, &addr, 8) != 8 || write(fd, &l, 8) != 8 || write(fd, bytes, len) != (ssize_t)len ||
           write(fd, &c, 4) != 4;
}

ts_status ts_store_txn_recover(const char *path, int *rolled_back, ts_err *err)
{
    *rolled_back = 0;
    char *undo = undo_path(path);
    if (!undo) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    int ufd = open(undo, O_RDONLY | O_CLOEXEC);
    if (ufd < 0) {
        ts_status st = errno == ENOENT ? TS_OK
                                       : ts_err_set(err, TS_EIO, "%s: cannot read %s: %s", path, undo, strerror(errno));
        free(undo);
        return st;
    }
    char magic[8];
    uint64_t old_eof = 0;
    ts_status st = TS_OK;
    int fd = -1;
    if (read(ufd, magic, 8) != 8 || memcmp(magic, UNDO_MAGIC, 8) != 0 || read(ufd, &old_eof, 8) != 8) {
        /* the header is written and synced before anything else: without
         * it nothing was changed, and the file is merely stale */
        goto done;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        st = ts_err_set(err, TS_EIO, "%s: cannot open to roll back an interrupted change: %s", path, strerror(errno));
        goto done;
    }
    for (;;) {
        uint64_t addr, len;
        if (read(ufd, &addr, 8) != 8 || read(ufd, &len, 8) != 8 || len > HELD_MAX) break;
        unsigned char *b = malloc(len ? len : 1);
        uint32_t c;
        int ok = b && read(ufd, b, len) == (ssize_t)len && read(ufd, &c, 4) == 4;
        if (ok) {
            uLong crc = crc32(0L, (const Bytef *)&addr, 8);
            crc = crc32(crc, (const Bytef *)&len, 8);
            crc = crc32(crc, b, (uInt)len);
            ok = (uint32_t)crc == c;
        }
        /* a torn last record: its region was never overwritten */
        if (ok && pwrite_full(fd, b, len, addr) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot restore bytes at %llu: %s", path, (unsigned long long)addr,
                            strerror(errno));
        free(b);
        if (!ok || st) break;
    }
    if (!st && ftruncate(fd, (off_t)old_eof) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot restore its length: %s", path, strerror(errno));
    if (!st && fsync(fd) != 0) st = ts_err_set(err, TS_EIO, "%s: cannot sync: %s", path, strerror(errno));
    if (!st) *rolled_back = 1;
done:
    close(ufd);
    if (fd >= 0) close(fd);
    if (!st && unlink(undo) != 0 && errno != ENOENT)
        st = ts_err_set(err, TS_EIO, "%s: cannot remove %s: %s", path, undo, strerror(errno));
    if (!st) st = ts_fsync_path(path, 1, path, err);
    free(undo);
    return st;
}

static void txn_free(ts_store_txn *t)
{
    for (size_t i = 0; i < t->n_held; i++) free(t->h[i].bytes);
    free(t->h);
    if (t->fd >= 0) close(t->fd);
    if (t->ufd >= 0) close(t->ufd);
    free(t->saved);
    free(t->path);
    free(t->undo);
    if (g_txn == t) g_txn = NULL;
    free(t);
}

ts_status ts_store_txn_begin(const char *path, ts_store_txn **out, hid_t *file, ts_err *err)
{
    *out = NULL;
    *file = -1;
    if (g_txn) return ts_err_set(err, TS_EINVAL, "%s: another store change is already open in this process", path);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (g_driver < 0) g_driver = H5FDregister(&t_class);
    if (g_driver < 0) return ts_err_set(err, TS_EIO, "%s: cannot register tailsweep's HDF5 driver", path);
    ts_store_txn *t = calloc(1, sizeof *t);
    if (!t) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    t->fd = -1;
    t->ufd = -1;
    t->file = -1;
    t->path = strdup(path);
    t->undo = undo_path(path);
    if (!t->path || !t->undo) {
        txn_free(t);
        return ts_err_set(err, TS_ENOMEM, "%s: out of memory", path);
    }
    ts_status st = TS_OK;
    struct stat sb;
    t->fd = open(path, O_RDWR | O_CLOEXEC);
    if (t->fd < 0 || fstat(t->fd, &sb) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot open for writing: %s", path, strerror(errno));
    if (!st) t->old_eof = t->final_size = (uint64_t)sb.st_size;
    /* the undo file exists, with the old length, before any byte changes */
    int ufd = -1;
    if (!st) {
        ufd = t->ufd = open(t->undo, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (ufd < 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot create %s: %s%s", path, t->undo, strerror(errno),
                            errno == EEXIST ? " (an interrupted change: run any tailsweep command that locks "
                                              "the store, e.g. `tailsweep aggregate`, to roll it back)" : "");
    }
    if (!st && (write(ufd, UNDO_MAGIC, 8) != 8 || write(ufd, &t->old_eof, 8) != 8 || fsync(ufd) != 0))
        st = ts_err_set(err, TS_EIO, "%s: cannot write %s: %s", path, t->undo, strerror(errno));
    if (!st) st = ts_fsync_path(t->undo, 1, path, err);
    if (st) {
        if (ufd >= 0) unlink(t->undo);
        txn_free(t);
        return st;
    }
    g_txn = t;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_driver(fapl, g_driver, NULL) >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
        t->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    if (fapl >= 0) H5Pclose(fapl);
    if (t->file < 0) {
        char why[200];
        st_h5_reason(why, sizeof why);
        unlink(t->undo);
        txn_free(t);
        return ts_err_set(err, TS_EIO, "%s: cannot open as HDF5 for writing%s%s", path, why[0] ? ": " : "", why);
    }
    *file = t->file;
    *out = t;
    return TS_OK;
}

void ts_store_txn_abort(ts_store_txn *t)
{
    if (!t) return;
    if (!t->closed && t->file >= 0) H5Fclose(t->file);
    t->closed = 1;
    /* nothing old was touched: cut what was added, then forget the undo */
    if (ftruncate(t->fd, (off_t)t->old_eof) == 0 && fsync(t->fd) == 0) unlink(t->undo);
    txn_free(t);
}

ts_status ts_store_txn_commit(ts_store_txn *t, ts_err *err)
{
    ts_status st = TS_OK;
    if (H5Fclose(t->file) < 0 || t->failed) {
        char why[200];
        st_h5_reason(why, sizeof why);
        st = ts_err_set(err, TS_EIO, "%s: cannot write the change%s%s; the store is left as it was", t->path,
                        why[0] ? ": " : "", why);
    }
    t->closed = 1;
    if (st) {
        ts_store_txn_abort(t);
        return st;
    }
    step("closed");
    /* 1. what was written past the old end is on disk */
    if (fsync(t->fd) != 0) st = ts_err_set(err, TS_EIO, "%s: cannot sync: %s", t->path, strerror(errno));
    step("synced");
    /* 2. the old bytes of every held region, safe in the undo file */
    for (size_t i = 0; !st && i < t->n_held; i++)
        if (save_old(t, t->h[i].addr, t->h[i].addr + t->h[i].len) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot save old bytes to %s", t->path, t->undo);
    if (!st && fsync(t->ufd) != 0) st = ts_err_set(err, TS_EIO, "%s: cannot sync %s", t->path, t->undo);
    step("undo-written");
    /* 3. the held writes, in order; then the final length */
    for (size_t i = 0; !st && i < t->n_held; i++) {
        if (pwrite_full(t->fd, t->h[i].bytes, t->h[i].len, t->h[i].addr) != 0)
            st = ts_err_set(err, TS_EIO, "%s: cannot write: %s", t->path, strerror(errno));
        if (i == 0) step("applying");
    }
    if (!st && t->final_size < t->old_eof && ftruncate(t->fd, (off_t)t->final_size) != 0)
        st = ts_err_set(err, TS_EIO, "%s: cannot set its length: %s", t->path, strerror(errno));
    if (!st && fsync(t->fd) != 0) st = ts_err_set(err, TS_EIO, "%s: cannot sync: %s", t->path, strerror(errno));
    step("applied");
    if (st) {
        /* roll back what was applied, from the undo file */
        ts_err e2;
        int rolled;
        close(t->fd);
        t->fd = -1;
        ts_store_txn_recover(t->path, &rolled, &e2);
        txn_free(t);
        return st;
    }
    /* 4. done: the undo file goes */
    if (unlink(t->undo) != 0) st = ts_err_set(err, TS_EIO, "%s: cannot remove %s: %s", t->path, t->undo, strerror(errno));
    if (!st) st = ts_fsync_path(t->path, 1, t->path, err);
    step("done");
    txn_free(t);
    return st;
}
