/* ts_sweep.c: ts_sweep_run: load the job on every rank, then on rank 0 take
 * the store's lock and replay its journal, and split into master and
 * workers. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ts_sweep_internal_run.h"

void ts_sweep_journal_path(const char *store, char *out, size_t n) { snprintf(out, n, "%s.journal", store); }
void ts_sweep_lock_path(const char *store, char *out, size_t n) { snprintf(out, n, "%s.lock", store); }

/* The job, its layout and the size of one task's results: every rank. */
static ts_status load(sweep *w, ts_err *err)
{
    const ts_sweep_opts *o = w->o;
    ts_status st = ts_job_load(o->job_path, o->kinds ? o->kinds : ts_kinds_all, &w->job, err);
    if (st) return st;
    if (o->store) snprintf(w->job->store, sizeof w->job->store, "%s", o->store);
    if (o->has_seed) w->job->seed = o->seed;
    snprintf(w->store, sizeof w->store, "%s", w->job->store);
    w->ntasks = ts_job_tasks(w->job);
    /* shapes may depend on fixed parameters only, so point 0 stands for all */
    ts_task t0;
    st = ts_job_task(w->job, 0, &t0, err);
    if (!st) st = w->job->kind->layout(&t0.params, &w->layout, err);
    if (st) return st;
    w->per_task = 0;
    for (size_t i = 0; i < w->layout.n; i++) {
        w->off[i] = w->per_task;
        w->per_task += ts_result_size(&w->layout.r[i]);
    }
    w->rec_bytes = sizeof(wire_head) + w->per_task * sizeof(double);
    return TS_OK;
}

/* One job per store: an flock that the kernel drops if we die, so a kill -9
 * never leaves a stale lock behind. */
static ts_status lock_store(sweep *w, ts_err *err)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", w->store);
    char *d = dirname(dir);
    if (mkdir(d, 0755) != 0 && errno != EEXIST)
        return ts_err_set(err, TS_EIO, "%s: cannot create directory %s: %s", w->store, d, strerror(errno));
    ts_sweep_lock_path(w->store, w->lockpath, sizeof w->lockpath);
    w->lock_fd = open(w->lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (w->lock_fd < 0) return ts_err_set(err, TS_EIO, "%s: cannot open: %s", w->lockpath, strerror(errno));
    if (flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char who[128] = "";
        ssize_t n = pread(w->lock_fd, who, sizeof who - 1, 0);
        who[n > 0 ? n : 0] = 0;
        who[strcspn(who, "\n")] = 0;
        close(w->lock_fd);
        w->lock_fd = -1;
        return ts_err_set(err, TS_EIO, "%s: another job is writing this store (%s); refusing to run a "
                          "second one", w->store, *who ? who : "pid unknown");
    }
    char me[128], host[64] = "";
    gethostname(host, sizeof host - 1);
    int n = snprintf(me, sizeof me, "pid %ld on %s\n", (long)getpid(), host);
    if (ftruncate(w->lock_fd, 0) != 0 || pwrite(w->lock_fd, me, (size_t)n, 0) != n)
        return ts_err_set(err, TS_EIO, "%s: cannot write: %s", w->lockpath, strerror(errno));
    return TS_OK;
}

static void visit(const ts_journal_rec *r, void *ctx)
{
    sweep *w = ctx;
    w->meta[r->task] = r->meta;
    w->attempt_next[r->task] = r->meta.attempt + 1;
    if (r->results) ts_sweep_keep_results(w, r->task, r->results);
}

static ts_status open_master(sweep *w, ts_err *err)
{
    ts_status st = ts_store_check(w->job, &w->layout, err);
    if (st) return st;
    w->meta = calloc(w->ntasks, sizeof *w->meta);
    w->attempt_next = malloc(w->ntasks * sizeof *w->attempt_next);
    if (!w->meta || !w->attempt_next) return ts_err_set(err, TS_ENOMEM, "out of memory for %llu tasks", (unsigned long long)w->ntasks);
    for (uint64_t t = 0; t < w->ntasks; t++) {
        w->meta[t].rank = -1;
        w->attempt_next[t] = 1;
    }
    for (size_t i = 0; i < w->layout.n; i++)
        if (!(w->res[i] = calloc(w->ntasks * ts_result_size(&w->layout.r[i]), sizeof(double))))
            return ts_err_set(err, TS_ENOMEM, "out of memory for the results of %llu tasks", (unsigned long long)w->ntasks);
    st = lock_store(w, err);
    if (st) return st;
    /* the job identity: its text and the seed actually used */
    uint64_t h = ts_hash64(w->job->text, strlen(w->job->text), 0);
    h = ts_hash64(&w->job->seed, sizeof w->job->seed, h);
    char jpath[600];
    ts_sweep_journal_path(w->store, jpath, sizeof jpath);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return ts_journal_open(&w->journal, jpath, h, w->ntasks, w->per_task,
                           (double)now.tv_sec + 1e-9 * (double)now.tv_nsec, visit, w, err);
}

static void release(sweep *w)
{
    if (w->journal.fd > 0) ts_journal_close(&w->journal);
    if (w->lock_fd >= 0) close(w->lock_fd);   /* drops the flock */
    free(w->meta);
    free(w->attempt_next);
    free(w->hosts);
    for (size_t i = 0; i < TS_MAX_RESULTS; i++) free(w->res[i]);
    ts_result_layout_free(&w->layout);
    ts_job_free(w->job);
}

/* Rank 0's verdict on the setup, shared so that every rank stops together. */
static ts_status agree(sweep *w, ts_status st, ts_err *err)
{
    struct { int code; char msg[TS_ERR_MSG_MAX]; } v = { (int)st, "" };
    if (w->rank == 0 && st) memcpy(v.msg, err->msg, sizeof v.msg);
    MPI_Bcast(&v, (int)sizeof v, MPI_BYTE, 0, w->comm);
    if (v.code && w->rank != 0) ts_err_set(err, (ts_status)v.code, "%s", v.msg);
    return (ts_status)v.code;
}

ts_status ts_sweep_run(const ts_sweep_opts *o, MPI_Comm comm, ts_sweep_summary *s, ts_err *err)
{
    sweep w;
    memset(&w, 0, sizeof w);
    memset(s, 0, sizeof *s);
    w.o = o;
    w.comm = comm;
    w.lock_fd = -1;
    w.journal.fd = -1;
    MPI_Comm_rank(comm, &w.rank);
    MPI_Comm_size(comm, &w.size);
    ts_status st = load(&w, err);
    if (!st && w.rank == 0) st = open_master(&w, err);
    st = agree(&w, st, err);
    char name[MPI_MAX_PROCESSOR_NAME] = "";
    int len;
    MPI_Get_processor_name(name, &len);
    if (!st) {
        w.hosts = calloc((size_t)w.size, 64);
        if (!w.hosts) MPI_Abort(comm, 3);
        char mine[64] = "";
        snprintf(mine, sizeof mine, "%.63s", name);
        MPI_Gather(mine, 64, MPI_CHAR, w.hosts, 64, MPI_CHAR, 0, comm);
        snprintf(s->store, sizeof s->store, "%s", w.store);
        s->tasks = w.ntasks;
        if (w.rank == 0) st = ts_sweep_master(&w, s, err);
        else ts_sweep_worker(&w);
    }
    release(&w);
    return st;
}
