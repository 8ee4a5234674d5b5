/* ts_sweep_task.c: one task, from its number to a result record. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ts_runner_internal.h"

ts_status ts_sweep_run_task(sweep *w, uint64_t t, uint32_t attempt, int resume, ts_poll_fn poll,
                            void *ctx, unsigned char *rec)
{
    wire_head h;
    memset(&h, 0, sizeof h);
    h.task = t;
    h.attempt = attempt;
    double *block = (double *)(rec + sizeof h);
    memset(block, 0, w->per_task * sizeof *block);
    double *out[TS_MAX_RESULTS];
    for (size_t i = 0; i < w->layout->n; i++) out[i] = block + w->off[i];
    ts_task task;
    ts_err err = { 0 };
    ts_task_status status = TS_TASK_DONE;
    double t0 = ts_clock_mono();
    ts_sweep_ckpt_task ck;
    if (w->ckpt_on) ts_sweep_ckpt_begin(w, t, resume, poll, ctx, &ck);
    ts_status st;
    for (;;) {
        st = ts_job_task(w->job, t, &task, &err);
        if (!st) {
            task.poll = w->ckpt_on ? ts_sweep_ckpt_poll : poll;
            task.poll_ctx = w->ckpt_on ? (void *)&ck : ctx;
            task.ckpt = w->ckpt_on ? &ck.ck : NULL;
            st = w->job->kind->run(&task, w->layout, out, &status, &err);
        }
        /* a state the kind refuses: reported, and the task runs from its start */
        if (!st || st == TS_ECANCEL || !w->ckpt_on || !ts_sweep_ckpt_retry(&ck)) break;
        memset(block, 0, w->per_task * sizeof *block);
        status = TS_TASK_DONE;
        err = (ts_err){ 0 };
    }
    h.wall = ts_clock_mono() - t0;
    if (w->ckpt_on) {
        h.wall += ck.before;
        h.has_ckpt = (uint8_t)ck.has_file;
        ts_sweep_ckpt_end(&ck);
    }
    if (st == TS_ECANCEL) return st;
    if (st) {
        h.status = TS_TASK_FAILED;
        snprintf(h.msg, sizeof h.msg, "%s: %.200s", ts_status_name(st), err.msg);
    } else {
        h.status = (uint8_t)status;
        /* a value that does not exist is NaN (a statistic that does not
         * apply); an infinity is a blow-up the kind did not catch */
        for (size_t k = 0; k < w->per_task; k++)
            if (isinf(block[k])) {
                h.status = TS_TASK_FAILED;
                snprintf(h.msg, sizeof h.msg, "numerical blow-up: result value %zu is infinite", k);
                break;
            }
    }
    memcpy(rec, &h, sizeof h);
    return TS_OK;
}
