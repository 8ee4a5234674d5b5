/* ts_sweep_master.c: rank 0: hands out batches, writes every result into
 * the store the moment it arrives (with whatever else has queued up), then
 * journals it, and reports progress through the caller's callback. It
 * sleeps between polls so that C + 1 ranks on C cores leave the workers the
 * whole machine. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tailsweep/ts_rate.h"
#include "ts_runner_internal.h"

#define RATE_WINDOW 30.0       /* s: the ETA follows the pace of the last half minute */
#define RATE_MIN_TASKS 8       /* ... stretched back to at least this many tasks */
#define JOURNAL_SYNC_EVERY 1.0
#define STORE_SYNC_EVERY 10.0
#define SINGLE_FLUSH_EVERY 0.2 /* alone, results wait at most this long in memory */

typedef struct {
    sweep *w;
    ts_sweep_summary *s;
    uint64_t cursor;           /* tasks below it were dispatched or are not to run */
    uint64_t left;             /* tasks still to dispatch                          */
    uint64_t count[4];         /* tasks by status, as in the store                 */
    uint64_t finished;         /* results recorded this run                        */
    uint64_t dispatched;       /* tasks handed out (or started, alone) this run    */
    double t_start, last_jsync, last_ssync, last_progress;
    ts_rate rate;              /* tasks finished this run, over time */
    /* the kind's cost model (0 when it has none): of the tasks this run is to
     * do, and of those finished, so the ETA weighs a long task as long */
    double cost_total, cost_done;
    ts_rate cost_rate;
    int stopping;
    ts_status io_error;
    ts_err *err;
    /* results in transit: raw wire records, and the store's view of them */
    unsigned char *arena;
    size_t arena_cap, arena_used;
    ts_task_record *recs;
    ts_journal_rec *jrecs;
    uint64_t *sums;
    uint8_t *has_ckpt;         /* per record: remove its checkpoint once stored   */
    size_t n_recs, cap_recs;
    /* per rank, the task it runs and how far it has got (TAG_PROG; rank 0's
     * own when alone): the ETA counts that part as done */
    uint64_t *part_task;       /* NO_TASK: none reported */
    double *part, *part_cost;  /* the fraction done; the task's cost */
    double part_sum, part_cost_sum;   /* over the ranks: fractions, and cost done */
} master;

#define NO_TASK UINT64_MAX

static int to_run(const master *m, uint64_t t)
{
    uint8_t st = m->w->status[t];
    return st == TS_TASK_TODO || (st == TS_TASK_FAILED && m->w->o->retry_failed);
}

static int should_stop(master *m)
{
    return m->stopping || (m->w->o->stop && *m->w->o->stop) || m->io_error;
}

/* The kind's cost estimate of task t (its grid point's parameters). */
static double task_cost(const sweep *w, uint64_t t)
{
    ts_params p;
    ts_job_point_params(w->job, t / w->job->replicates, &p);
    double c = w->job->kind->cost(&p);
    return c > 0 && isfinite(c) ? c : 0;
}

/* Write what has arrived: store first (status last), then the journal. */
static void flush(master *m)
{
    sweep *w = m->w;
    if (m->n_recs == 0) return;
    double t0 = ts_clock_mono(), c0 = ts_clock_cpu();
    if (!m->io_error) m->io_error = ts_store_put(w->store, m->recs, m->n_recs, m->sums, m->err);
    if (!m->io_error) {
        for (size_t i = 0; i < m->n_recs; i++) ts_journal_rec_from(&m->jrecs[i], &m->recs[i], m->sums[i]);
        m->io_error = ts_journal_append(&w->journal, m->jrecs, m->n_recs, m->err);
    }
    if (!m->io_error)
        for (size_t i = 0; i < m->n_recs; i++) {
            const ts_task_record *r = &m->recs[i];
            if (m->cost_total > 0) m->cost_done += task_cost(w, r->task);
            m->count[w->status[r->task]]--;
            w->status[r->task] = r->status;
            w->attempt[r->task] = r->attempt;
            m->count[r->status]++;
            m->finished++;
            m->s->ran++;
            if (m->has_ckpt[i]) ts_sweep_ckpt_finished(w, r->task);
        }
    m->n_recs = 0;
    m->arena_used = 0;
    m->s->store_seconds += ts_clock_mono() - t0;
    m->s->store_cpu_seconds += ts_clock_cpu() - c0;
}

/* Rank `rank` runs `task` (NO_TASK: none) and has done `done` of it. */
static void set_part(master *m, int rank, uint64_t task, double done)
{
    if (m->part_task[rank] != NO_TASK) {
        m->part_sum -= m->part[rank];
        m->part_cost_sum -= m->part[rank] * m->part_cost[rank];
    }
    if (task != NO_TASK && task != m->part_task[rank])
        m->part_cost[rank] = m->cost_total > 0 ? task_cost(m->w, task) : 0;
    m->part_task[rank] = task;
    /* a task counts as done only when its result is in: at most 99% before,
     * so the ETA is never 0 while a task still runs */
    m->part[rank] = task == NO_TASK ? 0 : done < 0 ? 0 : done > 0.99 ? 0.99 : done;
    if (task != NO_TASK) {
        m->part_sum += m->part[rank];
        m->part_cost_sum += m->part[rank] * m->part_cost[rank];
    }
}

/* Take the wire records of one message (already in the arena) from `rank`. */
static void take(master *m, size_t at, size_t bytes, int rank)
{
    sweep *w = m->w;
    for (size_t k = 0; k + w->rec_bytes <= bytes; k += w->rec_bytes) {
        const unsigned char *rec = m->arena + at + k;
        wire_head h;
        memcpy(&h, rec, sizeof h);
        if (h.task >= w->ntasks || h.status > TS_TASK_DIVERGED || m->n_recs >= m->cap_recs) continue;
        if (m->part_task[rank] == h.task) set_part(m, rank, NO_TASK, 0);
        m->has_ckpt[m->n_recs] = h.has_ckpt;
        ts_task_record *r = &m->recs[m->n_recs++];
        r->task = h.task;
        r->status = h.status;
        r->attempt = h.attempt;
        r->rank = rank;
        r->wall = h.wall;
        r->end_time = ts_clock_unix();
        snprintf(r->host, sizeof r->host, "%s", w->hosts[rank]);
        memcpy(r->msg, h.msg, sizeof r->msg);
        r->msg[sizeof r->msg - 1] = '\0';
        int ok = h.status == TS_TASK_DONE || h.status == TS_TASK_DIVERGED;
        r->results = ok ? (const double *)(const void *)(rec + sizeof h) : NULL;
    }
}

/* Results recorded or received (waiting for the next write) this run. */
static uint64_t finished_now(const master *m) { return m->finished + (uint64_t)m->n_recs; }

/* The part of the tasks in flight already done, in tasks and in the kind's
 * cost (never below 0: the sums are kept by adding and taking away). */
static double in_flight_done(const master *m, double *cost)
{
    *cost = m->part_cost_sum > 0 ? m->part_cost_sum : 0;
    return m->part_sum > 0 ? m->part_sum : 0;
}

static void progress(master *m, int final)
{
    sweep *w = m->w;
    if (!w->o->progress) return;
    double now = ts_clock_mono();
    ts_sweep_progress p = { .tasks = w->ntasks, .done = m->count[TS_TASK_DONE],
                            .diverged = m->count[TS_TASK_DIVERGED], .failed = m->count[TS_TASK_FAILED],
                            .todo = m->count[TS_TASK_TODO], .ran = m->finished, .elapsed = now - m->t_start,
                            .rate = NAN, .eta = NAN, .final = final };
    /* the recent rate, not the average since the start (ts_rate.h); what
     * remains is every task not finished, less the part of those in flight
     * already done */
    double part_cost, part = in_flight_done(m, &part_cost);
    double fin = (double)finished_now(m) + part;
    uint64_t in_flight = m->dispatched > finished_now(m) ? m->dispatched - finished_now(m) : 0;
    double remaining = (double)(m->left + in_flight) - part;
    if (remaining < 0) remaining = 0;
    p.rate = ts_rate_per_second(&m->rate, now, fin);
    p.eta = ts_rate_eta(&m->rate, now, fin, remaining);
    /* with a cost model: the work left at the recent pace of work done (a
     * sweep over steps ends with its longest tasks, say); a model that
     * prices what is left at 0 while tasks remain is not trusted */
    double cost_left = m->cost_total - m->cost_done - part_cost;
    if (m->cost_total > 0 && (cost_left > 0 || m->left + in_flight == 0))
        p.eta = ts_rate_eta(&m->cost_rate, now, m->cost_done + part_cost, cost_left > 0 ? cost_left : 0);
    /* nothing left is 0 s exactly (a sum of 10^6 costs leaves a rounding
     * residue that would read "<1 s") */
    if (m->left + in_flight == 0) p.eta = 0;
    w->o->progress(&p, w->o->ctx);
    m->last_progress = now;
}

/* Between polls: fsync the journal every second and the store every ten,
 * sample the rate, and report progress. */
static void periodic(master *m)
{
    double now = ts_clock_mono();
    if (now - m->last_jsync >= JOURNAL_SYNC_EVERY) {
        double t0 = now, c0 = ts_clock_cpu();
        if (!m->io_error) m->io_error = ts_journal_sync(&m->w->journal, m->err);
        m->last_jsync = now;
        if (now - m->last_ssync >= STORE_SYNC_EVERY) {
            ts_store_start_writeback(m->w->store);
            m->last_ssync = now;
        }
        m->s->store_seconds += ts_clock_mono() - t0;
        m->s->store_cpu_seconds += ts_clock_cpu() - c0;
    }
    double part_cost, part = in_flight_done(m, &part_cost);
    ts_rate_sample(&m->rate, now, (double)finished_now(m) + part);
    ts_rate_sample(&m->cost_rate, now, m->cost_done + part_cost);
    double every = m->w->o->progress_every > 0 ? m->w->o->progress_every : 10;
    if (now - m->last_progress >= every) progress(m, 0);
}

/* A task on rank 0 alone: a signal stops it; how far it has got counts in
 * the ETA, and progress is reported while it runs. */
static int single_cancelled(void *v, double done)
{
    master *m = v;
    set_part(m, 0, m->cursor, done);
    periodic(m);
    return should_stop(m);
}

static void run_single(master *m)
{
    sweep *w = m->w;
    double last_flush = ts_clock_mono();
    while (m->left > 0 && !should_stop(m)) {
        while (m->cursor < w->ntasks && !to_run(m, m->cursor)) m->cursor++;
        if (m->cursor >= w->ntasks) break;
        if (m->arena_used + w->rec_bytes > m->arena_cap || m->n_recs >= m->cap_recs) flush(m);
        uint64_t t = m->cursor;
        unsigned char *rec = m->arena + m->arena_used;
        if (ts_sweep_run_task(w, t, w->attempt[t] + 1, ts_sweep_ckpt_has(w, t), single_cancelled, m, rec) != TS_OK)
            break;
        m->cursor++;
        m->left--;
        m->dispatched++;
        m->arena_used += w->rec_bytes;
        take(m, m->arena_used - w->rec_bytes, w->rec_bytes, 0);
        double now = ts_clock_mono();
        if (now - last_flush >= SINGLE_FLUSH_EVERY) {
            flush(m);
            last_flush = now;
        }
        periodic(m);
    }
    flush(m);
}

/* A batch for a worker that asked for `want`: at most a share of what is
 * left, so the last tasks spread over all workers instead of queueing
 * behind one. */
static int next_batch(master *m, int64_t want, uint64_t *out)
{
    sweep *w = m->w;
    uint64_t nw = (uint64_t)(w->size - 1);
    uint64_t share = (m->left + 2 * nw - 1) / (2 * nw);
    uint64_t n = (uint64_t)want < share ? (uint64_t)want : share;
    if (should_stop(m)) n = 0;
    uint64_t k = 0;
    while (k < n && m->cursor < w->ntasks) {
        uint64_t t = m->cursor++;
        if (!to_run(m, t)) continue;
        out[2 * k] = t;
        out[2 * k + 1] = (w->attempt[t] + 1) | (ts_sweep_ckpt_has(w, t) ? TS_SWEEP_RESUME_BIT : 0);
        k++;
        m->left--;
        m->dispatched++;
    }
    return (int)(2 * k);
}

/* Receive one result message into the arena (flushing first if it would
 * not fit), then any others already waiting, then write them all. */
static void receive_results(master *m, MPI_Status *st)
{
    sweep *w = m->w;
    for (;;) {
        int bytes;
        MPI_Get_count(st, MPI_BYTE, &bytes);
        if (m->arena_used + (size_t)bytes > m->arena_cap) flush(m);
        size_t at = m->arena_used;
        MPI_Recv(m->arena + at, bytes, MPI_BYTE, st->MPI_SOURCE, TAG_RES, w->comm, MPI_STATUS_IGNORE);
        m->arena_used += (size_t)bytes;
        take(m, at, (size_t)bytes, st->MPI_SOURCE);
        int more = 0;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RES, w->comm, &more, st);
        if (!more) break;
    }
    flush(m);
}

static void run_parallel(master *m)
{
    sweep *w = m->w;
    int active = w->size - 1, cancelled = 0;
    char *alive = calloc((size_t)w->size, 1);
    uint64_t *batch = malloc(2 * MAX_BATCH * sizeof *batch);
    if (!alive || !batch) {
        m->io_error = ts_err_set(m->err, TS_ENOMEM, "out of memory");
        m->stopping = 1;
    }
    for (int r = 1; alive && r < w->size; r++) alive[r] = 1;
    long nap = 20000;   /* ns; doubles while idle up to 1 ms */
    while (active > 0) {
        if (should_stop(m) && !cancelled) {
            m->stopping = cancelled = 1;
            for (int r = 1; r < w->size; r++)
                if (!alive || alive[r]) MPI_Send(NULL, 0, MPI_BYTE, r, TAG_CANCEL, w->comm);
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
            int n = batch ? next_batch(m, want, batch) : 0;
            MPI_Send(batch, n, MPI_UINT64_T, src, TAG_WORK, w->comm);
        } else if (st.MPI_TAG == TAG_RES) {
            receive_results(m, &st);
        } else if (st.MPI_TAG == TAG_DONE) {
            int code;
            MPI_Recv(&code, 1, MPI_INT, src, TAG_DONE, w->comm, MPI_STATUS_IGNORE);
            if (code != 0 && !m->io_error)
                m->io_error = ts_err_set(m->err, TS_ENOMEM, "worker rank %d ran out of memory", src);
            if (alive) alive[src] = 0;
            active--;
        } else if (st.MPI_TAG == TAG_PROG) {
            ts_sweep_prog msg;
            int len;
            MPI_Get_count(&st, MPI_BYTE, &len);
            MPI_Recv(&msg, (int)sizeof msg, MPI_BYTE, src, TAG_PROG, w->comm, MPI_STATUS_IGNORE);
            /* a report that comes after its task's result (it overtook it in
             * the probe for results) names a task no longer to run */
            if (len == (int)sizeof msg && msg.task < w->ntasks && to_run(m, msg.task) && isfinite(msg.done))
                set_part(m, src, msg.task, msg.done);
        } else if (st.MPI_TAG == TAG_NOTE) {
            char note[1024];
            int len;
            MPI_Get_count(&st, MPI_CHAR, &len);
            MPI_Recv(note, (int)sizeof note, MPI_CHAR, src, TAG_NOTE, w->comm, MPI_STATUS_IGNORE);
            note[len > 0 && len <= (int)sizeof note ? len - 1 : (int)sizeof note - 1] = '\0';
            ts_sweep_note(w, "rank %d: %s", src, note);
        } else {
            MPI_Recv(NULL, 0, MPI_BYTE, src, st.MPI_TAG, w->comm, MPI_STATUS_IGNORE);
        }
        periodic(m);
    }
    free(alive);
    free(batch);
}

/* Adds the cost of a grid point's replicates that this run is to do. */
static ts_status add_point_cost(const ts_params *p, uint64_t point, void *ctx)
{
    master *m = ctx;
    uint64_t reps = m->w->job->replicates, n = 0;
    for (uint64_t k = 0; k < reps; k++) n += to_run(m, point * reps + k);
    double c = n ? m->w->job->kind->cost(p) : 0;
    if (c > 0 && isfinite(c)) m->cost_total += c * (double)n;
    return TS_OK;
}

ts_status ts_sweep_master(sweep *w, ts_sweep_summary *s, ts_err *err)
{
    master m = { .w = w, .s = s, .err = err };
    /* results in transit: two largest messages, so one can be received while
     * another waits to be written */
    m.arena_cap = 2 * w->msg_cap;
    m.cap_recs = m.arena_cap / w->rec_bytes + 1;
    m.arena = malloc(m.arena_cap);
    m.recs = malloc(m.cap_recs * sizeof *m.recs);
    m.jrecs = malloc(m.cap_recs * sizeof *m.jrecs);
    m.sums = malloc(m.cap_recs * sizeof *m.sums);
    m.has_ckpt = malloc(m.cap_recs);
    m.part_task = malloc((size_t)w->size * sizeof *m.part_task);
    m.part = calloc((size_t)w->size, sizeof *m.part);
    m.part_cost = calloc((size_t)w->size, sizeof *m.part_cost);
    if (!m.arena || !m.recs || !m.jrecs || !m.sums || !m.has_ckpt || !m.part_task || !m.part || !m.part_cost) {
        free(m.part_task);
        free(m.part);
        free(m.part_cost);
        free(m.has_ckpt);
        free(m.arena);
        free(m.recs);
        free(m.jrecs);
        free(m.sums);
        return ts_err_set(err, TS_ENOMEM, "out of memory for the result buffer (%zu bytes)", m.arena_cap);
    }
    for (int r = 0; r < w->size; r++) m.part_task[r] = NO_TASK;
    for (uint64_t t = 0; t < w->ntasks; t++) {
        m.count[w->status[t] < 4 ? w->status[t] : 0]++;
        m.left += to_run(&m, t);
    }
    m.t_start = m.last_jsync = m.last_ssync = m.last_progress = ts_clock_mono();
    ts_rate_init(&m.rate, m.t_start, 0, RATE_WINDOW, RATE_MIN_TASKS);
    if (w->job->kind->cost && m.left > 0) ts_job_walk_points(w->job, add_point_cost, &m);
    if (!(m.cost_total > 0 && isfinite(m.cost_total))) m.cost_total = 0;
    ts_rate_init(&m.cost_rate, m.t_start, 0, RATE_WINDOW,
                 RATE_MIN_TASKS * m.cost_total / (double)(m.left ? m.left : 1));
    if (m.left > 0) {
        if (w->ntasks) progress(&m, 0);   /* at once: where the sweep starts, ETA unknown */
        if (w->size == 1) run_single(&m);
        else run_parallel(&m);
    } else if (w->size > 1) {
        run_parallel(&m);   /* nothing to do: every worker is told so */
    }
    flush(&m);
    ts_status st = m.io_error;
    ts_err keep = *err;
    double t0 = ts_clock_mono(), c0 = ts_clock_cpu();
    ts_status st2 = ts_journal_sync(&w->journal, err);
    if (!st2) st2 = ts_store_sync(w->store, err);
    s->store_seconds += ts_clock_mono() - t0;
    s->store_cpu_seconds += ts_clock_cpu() - c0;
    if (!st) st = st2;
    else *err = keep;
    s->done = m.count[TS_TASK_DONE];
    s->diverged = m.count[TS_TASK_DIVERGED];
    s->failed = m.count[TS_TASK_FAILED];
    s->todo = m.count[TS_TASK_TODO];
    /* tasks not dispatched, or dispatched and abandoned in flight */
    int unfinished = m.left > 0 || m.dispatched > m.finished;
    s->interrupted = unfinished && ((w->o->stop && *w->o->stop) || m.stopping) && !m.io_error;
    s->seconds = ts_clock_mono() - m.t_start;
    s->ckpt_saves = w->ckpt_saves;
    s->ckpt_seconds = w->ckpt_seconds;
    s->ckpt_max_bytes = w->ckpt_max_bytes;
    if (w->ntasks) progress(&m, 1);
    free(m.arena);
    free(m.recs);
    free(m.jrecs);
    free(m.sums);
    free(m.has_ckpt);
    free(m.part_task);
    free(m.part);
    free(m.part_cost);
    if (!unfinished) ts_sweep_ckpt_close(w);
    return st;
}
