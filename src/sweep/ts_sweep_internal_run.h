/* ts_sweep_internal_run.h: state shared by the master and worker halves of
 * ts_sweep_run (src/sweep/ts_sweep*.c only). */
#ifndef TS_SWEEP_INTERNAL_RUN_H
#define TS_SWEEP_INTERNAL_RUN_H

#include "tailsweep/ts_job.h"
#include "tailsweep/ts_journal.h"
#include "tailsweep/ts_store.h"
#include "tailsweep/ts_sweep.h"

enum { TAG_REQ = 11, TAG_WORK = 12, TAG_RES = 13, TAG_DONE = 14, TAG_CANCEL = 15 };
#define MAX_BATCH 4096

/* One task's result as it travels from worker to master: a fixed header,
 * then per_task doubles (the results, concatenated in layout order). */
typedef struct {
    uint64_t task;
    uint32_t attempt;
    uint8_t status;
    uint8_t pad[3];
    double wall;
    char msg[256];
} wire_head;

typedef struct {
    const ts_sweep_opts *o;
    MPI_Comm comm;
    int rank, size;
    ts_job *job;
    ts_result_layout layout;
    uint64_t ntasks, per_task;
    size_t off[TS_MAX_RESULTS];   /* offset of result i in a task's block */
    size_t rec_bytes;             /* sizeof(wire_head) + per_task doubles  */
    /* master */
    ts_task_meta *meta;
    double *res[TS_MAX_RESULTS];  /* per result: ntasks x size, task-major */
    uint32_t *attempt_next;       /* attempt number of each task's next run */
    char (*hosts)[64];            /* per rank                              */
    ts_journal journal;
    char store[512], lockpath[600];
    int lock_fd;
} sweep;

/* Run one task into rec (header + results), never failing: errors become a
 * FAILED record with the message; TS_ECANCEL is returned as such. */
ts_status ts_sweep_run_task(sweep *w, uint64_t t, uint32_t attempt, int (*cancelled)(void *),
                            void *ctx, unsigned char *rec);
/* Copy one task's result block (layout order, per_task doubles) into the
 * master's per-result arrays: both on journal replay and on arrival. */
void ts_sweep_keep_results(sweep *w, uint64_t t, const double *block);
/* Seconds on the monotonic clock, for wall times and schedules. */
double ts_sweep_mono(void);
ts_status ts_sweep_master(sweep *w, ts_sweep_summary *s, ts_err *err);
void ts_sweep_worker(sweep *w);

#endif
