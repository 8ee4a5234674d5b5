/* ts_sweep_master.c: rank 0: hands out batches, journals every result the
 * moment it arrives, rewrites the store now and then and at the end, and
 * reports progress. It sleeps between polls so that C + 1 ranks on C cores
 * leave the workers the whole machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ts_sweep_internal_run.h"

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    sweep *w;
    ts_sweep_summary *s;
    uint64_t *todo;
    uint64_t n_todo, head;
    uint64_t finished;         /* results recorded this run                 */
    double t_start, last_sync, last_log, last_store, store_cost;
    int stopping;
    ts_status io_error;
    ts_err *err;
} master;

static void count(const sweep *w, ts_sweep_summary *s)
{
    s->done = s->diverged = s->failed = s->todo = 0;
    for (uint64_t t = 0; t < w->ntasks; t++) {
        uint8_t st = w->meta[t].status;
        s->done += st == TS_TASK_DONE;
        s->diverged += st == TS_TASK_DIVERGED;
        s->failed += st == TS_TASK_FAILED;
        s->todo += st == TS_TASK_TODO;
    }
}

/* Take one result record into memory and the journal. */
static void record(master *m, const unsigned char *rec, int rank)
{
    sweep *w = m->w;
    wire_head h;
    memcpy(&h, rec, sizeof h);
    if (h.task >= w->ntasks) return;
    ts_task_meta *mt = &w->meta[h.task];
    mt->status = h.status;
    mt->attempt = h.attempt;
    mt->rank = rank;
    mt->wall = h.wall;
    snprintf(mt->host, sizeof mt->host, "%s", w->hosts[rank]);
    memcpy(mt->msg, h.msg, sizeof mt->msg);
    mt->msg[sizeof mt->msg - 1] = 0;
    const double *block = (const double *)(rec + sizeof h);
    int ok = h.status == TS_TASK_DONE || h.status == TS_TASK_DIVERGED;
    if (ok) ts_sweep_keep_results(w, h.task, block);
    ts_journal_rec jr = { h.task, *mt, unix_now(), ok ? block : NULL };
    if (!m->io_error) m->io_error = ts_journal_append(&w->journal, &jr, m->err);
    m->finished++;
    m->s->ran++;
}

static ts_status write_store(master *m)
{
    sweep *w = m->w;
    double t0 = ts_sweep_mono();
    ts_status st = ts_store_write(w->store, w->job, &w->layout, w->meta, w->res, w->journal.created,
                                  unix_now(), m->err);
    m->store_cost = ts_sweep_mono() - t0;
    m->s->store_seconds += m->store_cost;
    m->last_store = ts_sweep_mono();
    return st;
}

static void progress(master *m, int final)
{
    sweep *w = m->w;
    ts_sweep_summary *s = m->s;
    count(w, s);
    double el = ts_sweep_mono() - m->t_start, rate = el > 0 ? (double)m->finished / el : 0;
    double eta = rate > 0 ? (double)s->todo / rate : 0;
    if (w->o->progress_tty) {
        int bar = (int)(40.0 * (double)(w->ntasks - s->todo) / (double)(w->ntasks ? w->ntasks : 1));
        fprintf(stderr, "\r[%-40.*s] %llu/%llu  %llu failed  %.1f tasks/s  ETA %.0fs   %s",
                bar, "########################################",
                (unsigned long long)(w->ntasks - s->todo), (unsigned long long)w->ntasks,
                (unsigned long long)s->failed, rate, eta, final ? "\n" : "");
    } else {
        fprintf(stderr, "tailsweep run: %llu/%llu done (%.1f%%), %llu diverged, %llu failed, %.2f tasks/s, ETA %.0f s\n",
                (unsigned long long)(w->ntasks - s->todo), (unsigned long long)w->ntasks,
                100.0 * (double)(w->ntasks - s->todo) / (double)(w->ntasks ? w->ntasks : 1),
                (unsigned long long)s->diverged, (unsigned long long)s->failed, rate, eta);
    }
    m->last_log = ts_sweep_mono();
}

/* Housekeeping between polls: fsync the journal every second, a progress
 * line every log_every seconds, and a store rewrite when it has become
 * stale, never more often than 50x its own cost (store time <= 2%). */
static void periodic(master *m)
{
    double now = ts_sweep_mono();
    if (now - m->last_sync >= 1.0) {
        if (!m->io_error) m->io_error = ts_journal_sync(&m->w->journal, m->err);
        m->last_sync = now;
    }
    double every = m->w->o->progress_tty ? 0.5 : m->w->o->log_every;
    if (now - m->last_log >= every) progress(m, 0);
    double gap = 50 * m->store_cost > 60 ? 50 * m->store_cost : 60;
    if (!m->io_error && now - m->last_store >= gap) m->io_error = write_store(m);
}

static int should_stop(master *m)
{
    return m->stopping || (m->w->o->stop && *m->w->o->stop) || m->io_error;
}

static int single_cancelled(void *v) { return should_stop(v); }

static void run_single(master *m)
{
    sweep *w = m->w;
    unsigned char *rec = malloc(w->rec_bytes);
    if (!rec) {
        m->io_error = ts_err_set(m->err, TS_ENOMEM, "out of memory");
        return;
    }
    while (m->head < m->n_todo && !should_stop(m)) {
        uint64_t t = m->todo[m->head];
        if (ts_sweep_run_task(w, t, w->attempt_next[t], single_cancelled, m, rec) == TS_OK) {
            record(m, rec, 0);
            m->head++;
        }
        periodic(m);
    }
    free(rec);
}

/* A batch for a worker that asked for `want`: at most a share of what is
 * left, so the last tasks spread over all workers instead of queueing
 * behind one. */
static int next_batch(master *m, int64_t want, uint64_t *out)
{
    uint64_t left = m->n_todo - m->head, nw = (uint64_t)(m->w->size - 1);
    uint64_t share = (left + 2 * nw - 1) / (2 * nw);
    uint64_t n = (uint64_t)want < share ? (uint64_t)want : share;
    if (n > left) n = left;
    if (should_stop(m)) n = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = m->todo[m->head++];
        out[2 * i] = t;
        out[2 * i + 1] = m->w->attempt_next[t];
    }
    return (int)(2 * n);
}

static void run_parallel(master *m)
{
    sweep *w = m->w;
    int active = w->size - 1, cancelled = 0;
    char *alive = calloc((size_t)w->size, 1);
    uint64_t *batch = malloc(2 * MAX_BATCH * sizeof *batch);
    unsigned char *buf = malloc((size_t)MAX_BATCH * w->rec_bytes);
    if (!alive || !batch || !buf) MPI_Abort(w->comm, 3);
    for (int r = 1; r < w->size; r++) alive[r] = 1;
    long nap = 20000;   /* ns; doubles while idle up to 1 ms */
    while (active > 0) {
        if (should_stop(m) && !cancelled) {
            m->stopping = cancelled = 1;
            for (int r = 1; r < w->size; r++)
                if (alive[r]) MPI_Send(NULL, 0, MPI_BYTE, r, TAG_CANCEL, w->comm);
        }
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, w->comm, &flag, &st);
        if (!flag) {
            periodic(m);
            nanosleep(&(struct timespec){ 0, nap }, NULL);
            nap = nap < 1000000 ? 2 * nap : 1000000;
            continue;
        }
        nap = 20000;
        int src = st.MPI_SOURCE;
        if (st.MPI_TAG == TAG_REQ) {
            int64_t want;
            MPI_Recv(&want, 1, MPI_INT64_T, src, TAG_REQ, w->comm, MPI_STATUS_IGNORE);
            int n = next_batch(m, want, batch);
            MPI_Send(batch, n, MPI_UINT64_T, src, TAG_WORK, w->comm);
        } else if (st.MPI_TAG == TAG_RES) {
            int bytes;
            MPI_Get_count(&st, MPI_BYTE, &bytes);
            MPI_Recv(buf, bytes, MPI_BYTE, src, TAG_RES, w->comm, MPI_STATUS_IGNORE);
            for (size_t k = 0; k < (size_t)bytes / w->rec_bytes; k++) record(m, buf + k * w->rec_bytes, src);
        } else if (st.MPI_TAG == TAG_DONE) {
            int one;
            MPI_Recv(&one, 1, MPI_INT, src, TAG_DONE, w->comm, MPI_STATUS_IGNORE);
            alive[src] = 0;
            active--;
        } else {
            MPI_Recv(NULL, 0, MPI_BYTE, src, st.MPI_TAG, w->comm, MPI_STATUS_IGNORE);
        }
    }
    free(alive);
    free(batch);
    free(buf);
}

ts_status ts_sweep_master(sweep *w, ts_sweep_summary *s, ts_err *err)
{
    master m = { .w = w, .s = s, .err = err };
    m.todo = malloc((w->ntasks ? w->ntasks : 1) * sizeof *m.todo);
    if (!m.todo) return ts_err_set(err, TS_ENOMEM, "out of memory for %llu tasks", (unsigned long long)w->ntasks);
    for (uint64_t t = 0; t < w->ntasks; t++) {
        ts_task_meta *mt = &w->meta[t];
        if (mt->status == TS_TASK_FAILED && w->o->retry_failed) mt->status = TS_TASK_TODO;
        if (mt->status == TS_TASK_TODO) m.todo[m.n_todo++] = t;
    }
    m.t_start = m.last_sync = m.last_log = m.last_store = ts_sweep_mono();
    if (w->size == 1) run_single(&m);
    else run_parallel(&m);
    ts_status st = m.io_error;
    ts_err keep = *err;
    if (!st) st = ts_journal_sync(&w->journal, err);
    ts_status st2 = write_store(&m);   /* always leave a complete store */
    if (!st) st = st2;
    else *err = keep;
    count(w, s);
    s->interrupted = m.head < m.n_todo || s->todo > 0;
    s->interrupted = s->interrupted && ((w->o->stop && *w->o->stop) || m.stopping);
    s->seconds = ts_sweep_mono() - m.t_start;
    if (w->ntasks) progress(&m, 1);
    free(m.todo);
    return st;
}
