/* ts_sweep_task.c: one task, from its number to a result record. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ts_sweep_internal_run.h"

double ts_sweep_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ts_sweep_keep_results(sweep *w, uint64_t t, const double *block)
{
    for (size_t i = 0; i < w->layout.n; i++) {
        size_t sz = ts_result_size(&w->layout.r[i]);
        memcpy(w->res[i] + t * sz, block + w->off[i], sz * sizeof(double));
    }
}

ts_status ts_sweep_run_task(sweep *w, uint64_t t, uint32_t attempt, int (*cancelled)(void *),
                            void *ctx, unsigned char *rec)
{
    wire_head h;
    memset(&h, 0, sizeof h);
    h.task = t;
    h.attempt = attempt;
    double *block = (double *)(rec + sizeof h);
    memset(block, 0, w->per_task * sizeof *block);
    double *out[TS_MAX_RESULTS];
    for (size_t i = 0; i < w->layout.n; i++) out[i] = block + w->off[i];
    ts_task task;
    ts_err err = { 0 };
    ts_task_status status = TS_TASK_DONE;
    double t0 = ts_sweep_mono();
    ts_status st = ts_job_task(w->job, t, &task, &err);
    if (!st) {
        task.cancelled = cancelled;
        task.cancel_ctx = ctx;
        st = w->job->kind->run(&task, &w->layout, out, &status, &err);
    }
    h.wall = ts_sweep_mono() - t0;
    if (st == TS_ECANCEL) return st;
    if (st) {
        h.status = TS_TASK_FAILED;
        snprintf(h.msg, sizeof h.msg, "%s: %.200s", ts_status_name(st), err.msg);
    } else {
        h.status = (uint8_t)status;
        /* the kind said done, but an infinite result must never reach the
         * store as if it were a number; NaN is a missing value (_FillValue) */
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
