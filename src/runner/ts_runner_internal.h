/* ts_runner_internal.h: state shared by the files of src/runner/ (the
 * master and worker halves of ts_sweep_run, resume, the journal), not part
 * of the public interface. */
#ifndef TS_RUNNER_INTERNAL_H
#define TS_RUNNER_INTERNAL_H

#include "tailsweep/ts_clock.h"
#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_journal.h"
#include "tailsweep/ts_store.h"
#include "tailsweep/ts_store_lock.h"
#include "tailsweep/ts_sweep.h"

enum { TAG_REQ = 11, TAG_WORK = 12, TAG_RES = 13, TAG_DONE = 14, TAG_CANCEL = 15, TAG_NOTE = 16, TAG_PROG = 17 };

/* How far a worker's task has got (TAG_PROG), so the ETA counts the part of
 * the tasks in flight already done instead of treating them as not begun.
 * A worker sends it every PROG_SEND_EVERY s of a long task, or less often
 * on many ranks: rank 0 then gets at most PROG_MAX_RATE of them a second
 * (under 1% of what it can take, docs/benchmarks.md). */
#define PROG_SEND_EVERY 0.5
#define PROG_MAX_RATE 500.0
typedef struct {
    uint64_t task;
    double done;   /* the fraction of its work finished, in [0, 1] */
} ts_sweep_prog;
#define MAX_BATCH 4096
/* A worker's result message stays below this, unless one task alone is
 * larger: it bounds the master's buffer, not the work. */
#define MSG_BYTES (8u << 20)

/* One task's result as it travels from worker to master: a fixed header,
 * then per_task doubles (the results, concatenated in layout order). */
typedef struct {
    uint64_t task;
    uint32_t attempt;
    uint8_t status;
    uint8_t has_ckpt;             /* a checkpoint file exists: rank 0 removes
                                     it once the result is stored          */
    uint8_t pad[2];
    double wall;
    char msg[TS_STORE_MSG_LEN];
} wire_head;

typedef struct {
    const ts_sweep_opts *o;
    MPI_Comm comm;
    int rank, size;
    ts_job *job;
    ts_result_layout *layout;
    uint64_t ntasks, per_task;
    size_t off[TS_MAX_RESULTS];   /* offset of result i in a task's block */
    size_t rec_bytes;             /* sizeof(wire_head) + per_task doubles  */
    size_t msg_cap;               /* bytes of the largest result message   */
    int ckpt_on;                  /* the kind checkpoints (ts_ckpt.h)      */
    uint64_t job_id;              /* the job's identity, in checkpoints    */
    char ckpt_dir[600];           /* STORE.ckpt                            */
    uint64_t *ckpt_tasks;         /* rank 0: tasks with a checkpoint at the
                                     start, sorted (at most those in flight
                                     when the last run stopped)             */
    size_t n_ckpt_tasks, cap_ckpt_tasks;
    uint64_t ckpt_saves;          /* checkpoints this rank wrote            */
    double ckpt_seconds;          /* and their time, from the ask to the file */
    uint64_t ckpt_max_bytes;      /* the largest state among them           */
    /* master */
    uint8_t *status;              /* per task                              */
    uint32_t *attempt;            /* per task: attempts made so far        */
    char (*hosts)[TS_STORE_HOST_LEN]; /* per rank                          */
    ts_store *store;
    ts_store_lock *lock;
    ts_journal journal;
    char store_path[512];
} sweep;

/* Run one task into rec (header + results), never failing: errors become a
 * FAILED record with the message; TS_ECANCEL is returned as such. resume:
 * look for the task's checkpoint. */
ts_status ts_sweep_run_task(sweep *w, uint64_t t, uint32_t attempt, int resume, ts_poll_fn poll,
                            void *ctx, unsigned char *rec);
/* Rank 0 before scheduling: lock, create or verify the store, replay the
 * journal, and reconcile the two (ts_sweep_resume.c). */
ts_status ts_sweep_open_store(sweep *w, ts_sweep_summary *s, ts_err *err);
/* Notices (ts_sweep_note.c). On rank 0: to the caller's note callback. */
void ts_sweep_note(const sweep *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* From any rank: rank 0 reports it, a worker sends it there (TAG_NOTE). */
void ts_sweep_tell(const sweep *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checkpoints (ts_sweep_ckpt.c). Rank 0, before the first task: create
 * STORE.ckpt and remove what must not be resumed (damaged, foreign, of a
 * finished task, half-written), reporting each. */
ts_status ts_sweep_ckpt_prepare(sweep *w, ts_err *err);
/* Rank 0: whether task t had a checkpoint at the start (only those are
 * looked for by the rank that runs them: no file system call per task). */
int ts_sweep_ckpt_has(const sweep *w, uint64_t t);
/* The word that travels with a task number to a worker: the attempt, and
 * bit 32 when the task has a checkpoint to resume from. */
#define TS_SWEEP_RESUME_BIT (1ull << 32)
/* Rank 0: the task's result is stored: its checkpoint goes. */
void ts_sweep_ckpt_finished(const sweep *w, uint64_t task);
/* Rank 0, at the end: remove the folder if it is empty. */
void ts_sweep_ckpt_close(const sweep *w);
/* One task's checkpoint channel on the rank that runs it. */
typedef struct {
    sweep *w;
    uint64_t task;
    ts_poll_fn inner;             /* the runner's stop poll                */
    void *inner_ctx;
    double t0, last;              /* this run's start, the last save       */
    double asked;                 /* when the last save was asked for      */
    double before;                /* wall seconds of the task's earlier runs */
    int has_file, write_failed;
    char path[1200];
    ts_ckpt ck;
} ts_sweep_ckpt_task;
/* With resume set, load the task's checkpoint if it has a valid one (an
 * invalid one is reported and removed); c->ck is what the task gets, with
 * ts_sweep_ckpt_poll as its poll. */
void ts_sweep_ckpt_begin(sweep *w, uint64_t task, int resume, ts_poll_fn inner, void *inner_ctx,
                         ts_sweep_ckpt_task *c);
int ts_sweep_ckpt_poll(void *c, double done);
/* After a run that failed: 1 when the kind refused the state (then it is
 * reported and removed, and the task must run again from its start). */
int ts_sweep_ckpt_retry(ts_sweep_ckpt_task *c);
void ts_sweep_ckpt_end(ts_sweep_ckpt_task *c);
ts_status ts_sweep_master(sweep *w, ts_sweep_summary *s, ts_err *err);
/* Returns non-zero when the worker could not run (out of memory); the
 * master then counts it gone. */
int ts_sweep_worker(sweep *w);

#endif
