/* ts_sweep.h: running a job: MPI master/worker scheduling over the grid,
 * the store written in place, its journal, and resume.
 *
 * Every rank calls ts_sweep_run with the same options. Rank 0 is the master:
 * it holds the store's lock, creates the store (or verifies it on resume),
 * hands out batches of tasks, and writes each result into the store the
 * moment it arrives (several messages at once when they queue up), then its
 * completion record into the journal. It sleeps between polls (20 us rising
 * to 1 ms), so on C cores run C + 1 ranks. Workers keep one batch
 * prefetched, and batch sizes adapt to ~0.25 s of work. With a single rank
 * the master runs the tasks itself.
 *
 * Memory of rank 0: 5 bytes per task (status and attempt) plus a fixed
 * buffer for results in transit; the results themselves live only in the
 * store. A task's results depend on (job, seed, task) only, never on which
 * rank ran it or when (docs/rng.md), so stores are bit-identical for any
 * number of ranks.
 *
 * The library prints nothing: progress and notices reach the caller
 * through the callbacks below. */
#ifndef TS_SWEEP_H
#define TS_SWEEP_H

#include <signal.h>
#include <stdint.h>

#include <mpi.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_kind.h"

/* Where a sweep is, for a progress display. */
typedef struct {
    uint64_t tasks, done, diverged, failed, todo;
    uint64_t ran;               /* tasks finished by this invocation             */
    double elapsed;             /* seconds since this invocation started tasks   */
    double rate;                /* tasks/s recently (ts_rate.h); NaN: none yet   */
    double eta;                 /* seconds for every unfinished task at the
                                   recent pace, less the part of the tasks in
                                   flight already done (long tasks report it),
                                   each weighed by the kind's cost model if it
                                   has one; NaN: unknown (nothing measured yet) */
    int final;                  /* the last call                                 */
} ts_sweep_progress;

typedef void (*ts_sweep_progress_fn)(const ts_sweep_progress *p, void *ctx);
/* A notice the user should read (a damaged record recomputed, a journal
 * rebuilt, a lock without flock): one sentence, no newline. */
typedef void (*ts_sweep_note_fn)(const char *msg, void *ctx);

typedef struct {
    const char *job_path;
    const char *store;          /* NULL: the job's store                          */
    int has_seed;               /* override the job's seed                        */
    uint64_t seed;
    int retry_failed;           /* rerun tasks recorded as failed                 */
    int force;                  /* replace a file at the store's path that is not
                                   this job's store                               */
    double progress_every;      /* seconds between progress calls (0: 10)         */
    ts_sweep_progress_fn progress;
    ts_sweep_note_fn note;
    void *ctx;                  /* passed to both callbacks                       */
    volatile sig_atomic_t *stop;/* set by SIGTERM/SIGINT/SIGUSR1                  */
    const ts_kind *const *kinds;/* the kinds job files may name (NULL-terminated) */
    double lock_ttl;            /* seconds (0: TS_LOCK_TTL)                       */
} ts_sweep_opts;

typedef struct {
    uint64_t tasks, done, diverged, failed, todo;
    uint64_t ran;               /* tasks run by this invocation       */
    double seconds;             /* wall time of this invocation's tasks */
    double store_seconds;       /* of which writing the store and journal */
    double store_cpu_seconds;   /* the CPU time of those writes (rank 0's thread):
                                   what they cost, whatever else runs on the node */
    double setup_seconds;       /* before the first task: lock, create or verify the
                                   store, replay the journal                  */
    int interrupted;            /* stopped by a signal; resumable     */
    int created;                /* this invocation created the store  */
    /* what the resume check found (docs/architecture.md) */
    uint64_t damaged;           /* records whose checksum failed: recomputed        */
    uint64_t journal_missing;   /* intact in the store, absent from the journal     */
    uint64_t journal_only;      /* in the journal, not in the store: recomputed     */
    uint64_t journal_dropped;   /* journal records lost to damage before its tail   */
    /* task checkpoints written by rank 0's own tasks (alone: every task's),
     * and their time from the ask to the file on disk */
    uint64_t ckpt_saves;
    double ckpt_seconds;
    uint64_t ckpt_max_bytes;    /* the largest state among them */
    char store[512];
} ts_sweep_summary;

/* Returns TS_OK when the sweep ran to its end or was interrupted cleanly
 * (summary->interrupted); errors are for bad jobs, a locked or foreign
 * store, and I/O failures. Failed tasks are not errors: they are counted. */
ts_status ts_sweep_run(const ts_sweep_opts *o, MPI_Comm comm, ts_sweep_summary *s, ts_err *err);

#endif
