/* ts_sweep_worker.c: a worker rank: asks for batches, runs them, sends
 * results. One batch is always requested ahead, so the next one is usually
 * waiting when the current one ends; batch sizes aim at ~0.25 s of work so
 * per-message costs vanish for short tasks, and stay below the master's
 * message size. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ts_runner_internal.h"

typedef struct {
    sweep *w;
    int stop;
    uint64_t task;      /* the task running */
    double last_prog;   /* when the master was last told how far it got */
    double prog_every;  /* and how often it is told */
} worker_ctx;

/* Polled by long tasks: a signal to this process, or a cancel from the
 * master. Every prog_every s it also tells the master how far the task
 * has got (for the ETA; 16 bytes, sent eagerly by any MPI). */
static int worker_cancelled(void *v, double done)
{
    worker_ctx *c = v;
    if (c->stop || (c->w->o->stop && *c->w->o->stop)) return c->stop = 1;
    double now = ts_clock_mono();
    if (now - c->last_prog >= c->prog_every) {
        ts_sweep_prog msg = { c->task, done };
        MPI_Send(&msg, (int)sizeof msg, MPI_BYTE, 0, TAG_PROG, c->w->comm);
        c->last_prog = now;
    }
    int flag = 0;
    MPI_Iprobe(0, TAG_CANCEL, c->w->comm, &flag, MPI_STATUS_IGNORE);
    if (flag) {
        MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_CANCEL, c->w->comm, MPI_STATUS_IGNORE);
        c->stop = 1;
    }
    return c->stop;
}

int ts_sweep_worker(sweep *w)
{
    double workers = (double)(w->size - 1);
    worker_ctx ctx = { w, 0, 0, ts_clock_mono(), fmax(PROG_SEND_EVERY, workers / PROG_MAX_RATE) };
    int64_t cap = (int64_t)(w->msg_cap / w->rec_bytes);
    if (cap > MAX_BATCH) cap = MAX_BATCH;
    if (cap < 1) cap = 1;
    uint64_t *cur = malloc(2 * MAX_BATCH * sizeof *cur), *next = malloc(2 * MAX_BATCH * sizeof *next);
    unsigned char *out = malloc((size_t)cap * w->rec_bytes);
    if (!cur || !next || !out) {
        free(cur);
        free(next);
        free(out);
        int code = 1;   /* tell the master, which then counts this worker gone */
        MPI_Send(&code, 1, MPI_INT, 0, TAG_DONE, w->comm);
        return 1;
    }
    int64_t want = 1;
    MPI_Status ms;
    int n;
    MPI_Send(&want, 1, MPI_INT64_T, 0, TAG_REQ, w->comm);
    MPI_Recv(cur, 2 * MAX_BATCH, MPI_UINT64_T, 0, TAG_WORK, w->comm, &ms);
    MPI_Get_count(&ms, MPI_UINT64_T, &n);
    double busy = 0;
    uint64_t ran = 0;
    while (n > 0 && !ctx.stop) {
        /* ask for the next batch before starting this one (prefetch) */
        MPI_Request rq[2];
        want = ran ? (int64_t)(0.25 / (busy / (double)ran + 1e-9)) : 1;
        want = want < 1 ? 1 : want > cap ? cap : want;
        MPI_Isend(&want, 1, MPI_INT64_T, 0, TAG_REQ, w->comm, &rq[0]);
        MPI_Irecv(next, 2 * MAX_BATCH, MPI_UINT64_T, 0, TAG_WORK, w->comm, &rq[1]);
        int done = 0;
        double t0 = ts_clock_mono();
        for (int i = 0; i < n / 2 && !ctx.stop; i++) {
            ctx.task = cur[2 * i];
            ts_status st = ts_sweep_run_task(w, cur[2 * i], (uint32_t)cur[2 * i + 1],
                                             (cur[2 * i + 1] & TS_SWEEP_RESUME_BIT) != 0, worker_cancelled, &ctx,
                                             out + (size_t)done * w->rec_bytes);
            if (st == TS_OK) done++;
        }
        busy += ts_clock_mono() - t0;
        ran += (uint64_t)done;
        if (done) MPI_Send(out, (int)((size_t)done * w->rec_bytes), MPI_BYTE, 0, TAG_RES, w->comm);
        /* the prefetched batch; if we were stopped it is dropped, and its
         * tasks stay todo in the store (lost in flight, never duplicated) */
        MPI_Status sts[2];
        MPI_Waitall(2, rq, sts);
        MPI_Get_count(&sts[1], MPI_UINT64_T, &n);
        uint64_t *t = cur;
        cur = next;
        next = t;
    }
    int code = 0;
    MPI_Send(&code, 1, MPI_INT, 0, TAG_DONE, w->comm);
    free(cur);
    free(next);
    free(out);
    return 0;
}
