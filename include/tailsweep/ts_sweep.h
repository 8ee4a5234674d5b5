/* ts_sweep.h: running a job: MPI master/worker scheduling over the grid,
 * the journal, resume, and the store.
 *
 * Every rank calls ts_sweep_run with the same options. Rank 0 is the master:
 * it owns the store lock and the journal, hands out batches of tasks,
 * collects results and is the only writer of the store. It sleeps between
 * polls (20 us rising to 1 ms), so it does not burn a core: on C cores run
 * C + 1 ranks. Workers keep one batch prefetched, and batch sizes adapt to
 * ~0.25 s of work, so a worker never waits on a round trip. With a single
 * rank the master runs the tasks itself.
 *
 * A task's results depend on (job, seed, task) only, never on which rank
 * ran it or when (docs/rng.md), so stores are bit-identical for any number
 * of ranks. */
#ifndef TS_SWEEP_H
#define TS_SWEEP_H

#include <signal.h>
#include <stdint.h>

#include <mpi.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_kind.h"

typedef struct {
    const char *job_path;
    const char *store;          /* NULL: the job's store              */
    int has_seed;               /* override the job's seed            */
    uint64_t seed;
    int retry_failed;           /* rerun tasks recorded as failed     */
    int progress_tty;           /* 1: a progress bar, 0: log lines    */
    double log_every;           /* seconds between progress log lines */
    volatile sig_atomic_t *stop;/* set by SIGTERM/SIGINT/SIGUSR1      */
    const ts_kind *const *kinds;/* NULL: ts_kinds_all                 */
} ts_sweep_opts;

typedef struct {
    uint64_t tasks, done, diverged, failed, todo;
    uint64_t ran;               /* tasks run by this invocation       */
    double seconds, store_seconds;
    int interrupted;            /* stopped by a signal; resumable     */
    char store[512];
} ts_sweep_summary;

/* Returns TS_OK when the sweep ran to its end or was interrupted cleanly
 * (summary->interrupted); errors are for bad jobs, a locked or foreign
 * store, and I/O failures. Failed tasks are not errors: they are counted. */
ts_status ts_sweep_run(const ts_sweep_opts *o, MPI_Comm comm, ts_sweep_summary *s, ts_err *err);

/* Paths next to a store. */
void ts_sweep_journal_path(const char *store, char *out, size_t n);
void ts_sweep_lock_path(const char *store, char *out, size_t n);

#endif
