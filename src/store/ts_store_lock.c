/* ts_store_lock.c: flock plus a heartbeat lease (ts_store_lock.h). */
#include "tailsweep/ts_store_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tailsweep/ts_clock.h"

/* The lease is one fixed-size text record at the start of the file, so a
 * renewal is one pwrite that never changes the file's length. */
#define LEASE_BYTES 256

struct ts_store_lock {
    int fd;
    char path[4096];
    char lease[LEASE_BYTES];
    char host[64], purpose[32];
    long pid;
    double started;
    pthread_t beat;
    int beating;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
};

void ts_store_lock_path(const char *store, char *out, size_t n) { snprintf(out, n, "%s.lock", store); }
void ts_store_journal_path(const char *store, char *out, size_t n) { snprintf(out, n, "%s.journal", store); }

typedef struct {
    char host[64], purpose[32];
    long pid;
    double started, beat;
    int valid;
} lease;

static void lease_format(const ts_store_lock *l, double beat, char *out)
{
    memset(out, ' ', LEASE_BYTES);
    int n = snprintf(out, LEASE_BYTES, "tailsweep lock\nhost %s\npid %ld\npurpose %s\nstarted %.3f\nheartbeat %.3f\n",
                     l->host, l->pid, l->purpose, l->started, beat);
    if (n > 0 && n < LEASE_BYTES) out[n] = ' ';   /* padded with blanks, no NUL */
    out[LEASE_BYTES - 1] = '\n';
}

static void lease_parse(const char *buf, size_t n, lease *o)
{
    memset(o, 0, sizeof *o);
    char tmp[LEASE_BYTES + 1];
    if (n > LEASE_BYTES) n = LEASE_BYTES;
    memcpy(tmp, buf, n);
    tmp[n] = '\0';
    if (strncmp(tmp, "tailsweep lock\n", 15) != 0) return;
    const char *p;
    if ((p = strstr(tmp, "\nhost "))) sscanf(p + 6, "%63s", o->host);
    if ((p = strstr(tmp, "\npid "))) o->pid = strtol(p + 5, NULL, 10);
    if ((p = strstr(tmp, "\npurpose "))) sscanf(p + 9, "%31s", o->purpose);
    if ((p = strstr(tmp, "\nstarted "))) o->started = strtod(p + 9, NULL);
    if ((p = strstr(tmp, "\nheartbeat "))) o->beat = strtod(p + 11, NULL);
    o->valid = o->host[0] && o->pid > 0 && o->beat > 0;
}

static void lease_read(int fd, lease *o)
{
    char buf[LEASE_BYTES];
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    lease_parse(buf, n > 0 ? (size_t)n : 0, o);
}

static int flock_unsupported(int e)
{
    return e == ENOLCK || e == EOPNOTSUPP || e == ENOSYS || e == EINVAL || e == ENOTSUP;
}

static void *beat_main(void *arg)
{
    ts_store_lock *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)TS_LOCK_BEAT;
        pthread_cond_timedwait(&l->cv, &l->mu, &until);
        if (l->stop) break;
        lease_format(l, ts_clock_unix(), l->lease);
        /* a failed renewal is retried at the next beat; the lease then ages,
         * which only ever makes others more careful */
        if (pwrite(l->fd, l->lease, LEASE_BYTES, 0) != LEASE_BYTES) continue;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void holder_text(const lease *o, char *out, size_t n)
{
    snprintf(out, n, "pid %ld on %s (%s)", o->pid, o->host, o->purpose[0] ? o->purpose : "?");
}

ts_status ts_store_lock_take(const char *store, const char *purpose, double ttl, ts_store_lock **out,
                             ts_lock_info *info, ts_err *err)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (ttl <= 0) ttl = TS_LOCK_TTL;
    ts_store_lock *l = calloc(1, sizeof *l);
    if (!l) return ts_err_set(err, TS_ENOMEM, "%s: out of memory", store);
    ts_store_lock_path(store, l->path, sizeof l->path);
    gethostname(l->host, sizeof l->host - 1);
    for (char *c = l->host; *c; c++)
        if (*c == ' ' || *c == '\n') *c = '_';
    snprintf(l->purpose, sizeof l->purpose, "%s", purpose);
    l->pid = (long)getpid();
    l->started = ts_clock_unix();
    l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (l->fd < 0) {
        ts_status st = ts_err_set(err, TS_EIO, "%s: cannot create the lock file %s: %s (the store's folder must "
                                  "be writable)", store, l->path, strerror(errno));
        free(l);
        return st;
    }
    lease cur;
    lease_read(l->fd, &cur);
    char who[200];
    holder_text(&cur, who, sizeof who);
    if (flock(l->fd, LOCK_EX | LOCK_NB) == 0) {
        info->have_flock = 1;
    } else if (errno == EWOULDBLOCK) {
        close(l->fd);
        free(l);
        return ts_err_set(err, TS_EIO, "%s: another job is using this store (%s); refusing to start a second one",
                          store, cur.valid ? who : "its holder is on this machine");
    } else if (flock_unsupported(errno)) {
        snprintf(info->note, sizeof info->note, "flock is not available for %.120s (%s): the lease in the lock "
                 "file alone keeps other jobs off this store", l->path, strerror(errno));
    } else {
        ts_status st = ts_err_set(err, TS_EIO, "%s: cannot lock %s: %s", store, l->path, strerror(errno));
        close(l->fd);
        free(l);
        return st;
    }
    double age = ts_clock_unix() - cur.beat;
    int mine = cur.valid && cur.pid == l->pid && strcmp(cur.host, l->host) == 0;
    if (cur.valid && !mine && age < ttl) {
        /* with flock on this host, a lease of this host whose holder lost
         * the flock is dead: the kernel dropped the flock with the process */
        int dead_here = info->have_flock && strcmp(cur.host, l->host) == 0;
        if (!dead_here) {
            close(l->fd);
            free(l);
            return ts_err_set(err, TS_EIO, "%s: another job is using this store (%s, last heartbeat %.0f s ago); "
                              "if that job is dead, its lease expires %.0f s after its last heartbeat", store, who,
                              age < 0 ? 0 : age, ttl);
        }
    }
    lease_format(l, ts_clock_unix(), l->lease);
    if (pwrite(l->fd, l->lease, LEASE_BYTES, 0) != LEASE_BYTES) {
        ts_status st = ts_err_set(err, TS_EIO, "%s: cannot write the lock file %s: %s", store, l->path,
                                  strerror(errno));
        close(l->fd);
        free(l);
        return st;
    }
    /* read it back after a moment: of two nodes that wrote at once, one
     * finds the other's lease and backs off */
    fsync(l->fd);
    nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
    lease back;
    lease_read(l->fd, &back);
    if (!back.valid || back.pid != l->pid || strcmp(back.host, l->host) != 0) {
        holder_text(&back, who, sizeof who);
        close(l->fd);
        free(l);
        return ts_err_set(err, TS_EIO, "%s: another job took this store's lock at the same moment (%s)", store, who);
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    l->beating = pthread_create(&l->beat, NULL, beat_main, l) == 0;
    if (!l->beating)
        snprintf(info->note, sizeof info->note, "cannot start the lock's heartbeat thread: other nodes may take "
                 "this store after %.0f s", ttl);
    *out = l;
    return TS_OK;
}

void ts_store_lock_release(ts_store_lock *l)
{
    if (!l) return;
    if (l->beating) {
        pthread_mutex_lock(&l->mu);
        l->stop = 1;
        pthread_cond_signal(&l->cv);
        pthread_mutex_unlock(&l->mu);
        pthread_join(l->beat, NULL);
    }
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    /* an empty lease: nobody holds the store */
    if (ftruncate(l->fd, 0) != 0) { /* the lease then ages out */ }
    close(l->fd);
    free(l);
}

void ts_store_lock_probe(const char *store, double ttl, ts_lock_state *st)
{
    memset(st, 0, sizeof *st);
    if (ttl <= 0) ttl = TS_LOCK_TTL;
    char path[4096];
    ts_store_lock_path(store, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    lease cur;
    lease_read(fd, &cur);
    if (cur.valid) {
        st->age = ts_clock_unix() - cur.beat;
        holder_text(&cur, st->holder, sizeof st->holder);
        st->held = st->age < ttl;
    }
    /* on this machine the flock is the better witness: it dies with the holder */
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    if (cur.valid && strcmp(cur.host, host) == 0) {
        int rc = flock(fd, LOCK_SH | LOCK_NB);
        if (rc == 0) st->held = 0;
        else if (errno == EWOULDBLOCK) st->held = 1;
    }
    close(fd);
}
