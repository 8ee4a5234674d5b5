/* ts_ckpt_file.c: a task's checkpoint file: header, state, hashes, written
 * atomically (ts_ckpt_file.h). */
#include "tailsweep/ts_ckpt_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "tailsweep/ts_atomic_file.h"

static const char MAGIC[8] = "TSCKPT\n";
#define BYTE_ORDER_MARK 0x01020304u

/* The header as it lies on disk: fixed-width fields, no padding. */
typedef struct {
    char magic[8];
    uint32_t format;
    uint32_t order;
    uint64_t job;
    uint64_t task;
    char kind[TS_CKPT_KIND_LEN];
    double done;
    double saved_at;
    double seconds;
    uint64_t state_len;
    uint64_t state_sum;
    uint64_t head_sum;     /* XXH3-64 of every byte before it */
} disk_head;
_Static_assert(sizeof(disk_head) == 96, "the checkpoint header has no padding");

void ts_ckpt_file_dir(const char *store, char *out, size_t n) { snprintf(out, n, "%s.ckpt", store); }

void ts_ckpt_file_path(const char *dir, uint64_t task, char *out, size_t n)
{
    snprintf(out, n, "%s/task-%" PRIu64 ".ckpt", dir, task);
}

ts_status ts_ckpt_file_mkdir(const char *dir, ts_err *err)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat sb;
        if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) return TS_OK;
        return ts_err_set(err, TS_EIO, "%s: exists and is not a folder (checkpoints live there); move it away", dir);
    }
    return ts_err_set(err, TS_EIO, "%s: cannot create the checkpoint folder: %s", dir, strerror(errno));
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

ts_status ts_ckpt_file_write(const char *path, const ts_ckpt_info *info, const void *state, size_t len,
                             ts_err *err)
{
    disk_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, sizeof h.magic);
    h.format = TS_CKPT_FORMAT;
    h.order = BYTE_ORDER_MARK;
    h.job = info->job;
    h.task = info->task;
    snprintf(h.kind, sizeof h.kind, "%s", info->kind);
    h.done = info->done;
    h.saved_at = info->saved_at;
    h.seconds = info->seconds;
    h.state_len = len;
    h.state_sum = XXH3_64bits(state, len);
    h.head_sum = XXH3_64bits(&h, offsetof(disk_head, head_sum));
    ts_atomic_file af;
    ts_status st = ts_atomic_begin(&af, path, 1, err);
    if (st) return st;
    int fd = open(af.tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
    int bad = fd < 0 || write_all(fd, &h, sizeof h) || write_all(fd, state, len);
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        ts_atomic_abort(&af);
        return ts_err_set(err, TS_EIO, "%s: cannot write the checkpoint: %s", path, strerror(e));
    }
    return ts_atomic_commit(&af, err);
}

/* Read the header; TS_CKPT_OK when it is whole and of this format and machine. */
static ts_ckpt_verdict read_head(int fd, const char *path, disk_head *h, off_t *size, ts_err *err)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        ts_err_set(err, TS_EIO, "%s: cannot read the checkpoint: %s", path, strerror(errno));
        return TS_CKPT_IOERR;
    }
    *size = sb.st_size;
    ssize_t k = pread(fd, h, sizeof *h, 0);
    if (k < 0) {
        ts_err_set(err, TS_EIO, "%s: cannot read the checkpoint: %s", path, strerror(errno));
        return TS_CKPT_IOERR;
    }
    if ((size_t)k < sizeof *h || memcmp(h->magic, MAGIC, sizeof MAGIC) != 0) {
        ts_err_set(err, TS_EINVAL, "%s: damaged: %s", path,
                   (size_t)k < sizeof *h ? "shorter than a checkpoint's header" : "not a tailsweep checkpoint");
        return TS_CKPT_DAMAGED;
    }
    if (h->head_sum != XXH3_64bits(h, offsetof(disk_head, head_sum))) {
        ts_err_set(err, TS_EINVAL, "%s: damaged: its header fails its checksum", path);
        return TS_CKPT_DAMAGED;
    }
    if (h->format != TS_CKPT_FORMAT || h->order != BYTE_ORDER_MARK) {
        ts_err_set(err, TS_EINVAL, "%s: written by another version of tailsweep or another machine type "
                   "(format %" PRIu32 ", this one reads %d)", path, h->format, TS_CKPT_FORMAT);
        return TS_CKPT_FOREIGN;
    }
    h->kind[TS_CKPT_KIND_LEN - 1] = '\0';
    return TS_CKPT_OK;
}

static void to_info(const disk_head *h, ts_ckpt_info *info)
{
    info->job = h->job;
    info->task = h->task;
    memcpy(info->kind, h->kind, sizeof info->kind);
    info->done = h->done;
    info->saved_at = h->saved_at;
    info->seconds = h->seconds;
    info->state_len = h->state_len;
}

/* Open path and read its header: *fd stays open unless the verdict is NONE or IOERR. */
static ts_ckpt_verdict open_head(const char *path, int *fd, disk_head *h, off_t *size, ts_err *err)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0) {
        if (errno == ENOENT) return TS_CKPT_NONE;
        ts_err_set(err, TS_EIO, "%s: cannot open the checkpoint: %s", path, strerror(errno));
        return TS_CKPT_IOERR;
    }
    ts_ckpt_verdict v = read_head(*fd, path, h, size, err);
    if (v == TS_CKPT_IOERR) {
        close(*fd);
        *fd = -1;
    }
    return v;
}

int ts_ckpt_file_is_ckpt(const char *path)
{
    char magic[sizeof MAGIC];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t k = pread(fd, magic, sizeof magic, 0);
    close(fd);
    return k == (ssize_t)sizeof magic && memcmp(magic, MAGIC, sizeof magic) == 0;
}

ts_ckpt_verdict ts_ckpt_file_peek(const char *path, ts_ckpt_info *info, ts_err *err)
{
    int fd;
    disk_head h;
    off_t size;
    ts_ckpt_verdict v = open_head(path, &fd, &h, &size, err);
    if (fd >= 0) close(fd);
    if (v == TS_CKPT_OK) to_info(&h, info);
    return v;
}

ts_ckpt_verdict ts_ckpt_file_load(const char *path, uint64_t job, uint64_t task, const char *kind,
                                  ts_ckpt_info *info, void **state, ts_err *err)
{
    if (state) *state = NULL;
    int fd;
    disk_head h;
    off_t size;
    ts_ckpt_verdict v = open_head(path, &fd, &h, &size, err);
    if (fd < 0) return v;
    if (v == TS_CKPT_OK && (uint64_t)size != sizeof h + h.state_len) {
        ts_err_set(err, TS_EINVAL, "%s: damaged: %lld bytes, its header says %llu", path, (long long)size,
                   (unsigned long long)(sizeof h + h.state_len));
        v = TS_CKPT_DAMAGED;
    }
    if (v == TS_CKPT_OK && h.job != job) {
        ts_err_set(err, TS_EINVAL, "%s: another job's checkpoint (job identity %016" PRIx64 ", this job's %016" PRIx64
                   ")", path, h.job, job);
        v = TS_CKPT_FOREIGN;
    } else if (v == TS_CKPT_OK && h.task != task) {
        ts_err_set(err, TS_EINVAL, "%s: task %" PRIu64 "'s checkpoint, not task %" PRIu64 "'s", path, h.task, task);
        v = TS_CKPT_FOREIGN;
    } else if (v == TS_CKPT_OK && strncmp(h.kind, kind, sizeof h.kind) != 0) {
        ts_err_set(err, TS_EINVAL, "%s: a checkpoint of kind '%s', this task's kind is '%s'", path, h.kind, kind);
        v = TS_CKPT_FOREIGN;
    }
    void *buf = NULL;
    if (v == TS_CKPT_OK) {
        buf = malloc(h.state_len ? h.state_len : 1);
        if (!buf) {
            ts_err_set(err, TS_ENOMEM, "%s: out of memory for a state of %llu bytes", path,
                       (unsigned long long)h.state_len);
            v = TS_CKPT_IOERR;
        }
    }
    if (v == TS_CKPT_OK) {
        size_t got = 0;
        while (got < h.state_len) {
            ssize_t k = pread(fd, (char *)buf + got, h.state_len - got, (off_t)(sizeof h + got));
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) break;
            got += (size_t)k;
        }
        if (got < h.state_len) {
            ts_err_set(err, TS_EINVAL, "%s: damaged: its state ends after %zu of %llu bytes", path, got,
                       (unsigned long long)h.state_len);
            v = TS_CKPT_DAMAGED;
        } else if (XXH3_64bits(buf, h.state_len) != h.state_sum) {
            ts_err_set(err, TS_EINVAL, "%s: damaged: its state fails its checksum", path);
            v = TS_CKPT_DAMAGED;
        }
    }
    close(fd);
    if (v == TS_CKPT_OK) to_info(&h, info);
    if (v == TS_CKPT_OK && state) *state = buf;
    else free(buf);
    return v;
}

ts_status ts_ckpt_file_each(const char *dir, ts_ckpt_file_fn fn, void *ctx, ts_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT) return TS_OK;
        return ts_err_set(err, TS_EIO, "%s: cannot list the checkpoints: %s", dir, strerror(errno));
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        uint64_t task = 0;
        int end = 0;
        int is_ckpt = sscanf(e->d_name, "task-%" SCNu64 ".ckpt%n", &task, &end) == 1 && e->d_name[end] == '\0'
                      && end > 0;
        fn(e->d_name, task, is_ckpt, ctx);
    }
    closedir(d);
    return TS_OK;
}
