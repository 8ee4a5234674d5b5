/* cmd_run.c: `tailsweep run JOB.yaml`: run (or resume) a sweep, alone or
 * under mpirun / srun. The library reports progress and notices through
 * callbacks; this file decides how they look. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mpi.h>

#include "cli.h"
#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_sweep.h"

static volatile sig_atomic_t stop_flag;

/* Only sets a flag: the master sees it within a poll, workers within a
 * chunk of steps, and everything is flushed by ordinary code paths. */
static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static struct {
    const char *store;
    uint64_t seed;
    int retry_failed, force, progress, no_progress;
} args;

static const ts_cli_opt options[] = {
    { "store", 0, TS_OPT_STRING, "PATH", "the store (default: the job's `store`, else results/<job>.h5);\n"
      "PATH.journal, PATH.lock and PATH.ckpt/ live beside it", &args.store, NULL },
    { "output", 'o', TS_OPT_STRING, "PATH", "the same as --store", &args.store, "store" },
    { "seed", 0, TS_OPT_U64, "N", "override the job's seed (a different seed is a different job)", &args.seed, NULL },
    { "retry-failed", 0, TS_OPT_FLAG, NULL, "also rerun tasks recorded as failed", &args.retry_failed, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "replace a file at PATH that is not this job's store (another\n"
      "job's store, a text file, a `sample` output, ...); without it\n"
      "such a file is refused before any task runs", &args.force, NULL },
    { "progress", 0, TS_OPT_FLAG, NULL, "progress bar on stderr (default when stderr is a terminal)", &args.progress, NULL },
    { "no-progress", 0, TS_OPT_FLAG, NULL, "one progress line every 10 s instead (default otherwise)",
      &args.no_progress, "progress" },
    { 0 }
};

static const ts_cli_spec spec = {
    .cmd = "run",
    .usage = "JOB.yaml [options]",
    .summary =
        "Run every task of a job file and store the results in one HDF5 file. Alone it\n"
        "runs the tasks serially; under `mpirun -n N` or `srun` rank 0 schedules and\n"
        "writes while N - 1 workers compute (on C cores use N = C + 1: rank 0 sleeps).\n"
        "Running the same command again resumes: finished tasks are never rerun, and a\n"
        "finished job changes nothing.",
    .epilog =
        "The store is written in place as results arrive; every finished task carries a\n"
        "checksum. On resume each task is read back and checked: a damaged record is\n"
        "reported and recomputed, a missing or damaged journal is reported and rebuilt.\n"
        "\n"
        "The store's lock is STORE.lock: flock, plus a lease renewed every 5 s that\n"
        "other nodes see (cluster file systems without flock use the lease alone). A\n"
        "lease silent for TAILSWEEP_LOCK_TTL seconds (default 60) belongs to a dead job.\n"
        "\n"
        "Signals: SIGTERM, SIGINT and SIGUSR1 stop the run cleanly within seconds:\n"
        "everything finished is in the store, tasks in flight stay todo, and the exit\n"
        "code is 75. Tasks of every kind save their state on the stop and every\n"
        "`checkpoint_every` seconds (job key, default 300) in STORE.ckpt/, one file per\n"
        "task in flight: the next run continues them from there, bit-identical. A\n"
        "damaged checkpoint or another job's is reported and the task starts over.\n"
        "\n"
        "Exit: 0 every task done (diverged ones are done, flagged); 1 some tasks failed\n"
        "(see `tailsweep status`, rerun with --retry-failed); 2 bad job file or\n"
        "arguments, or a store path holding something else; 3 file error (including a\n"
        "store locked by another job); 75 interrupted, resumable: run the same command again.",
    .opts = options,
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a job file (JOB.yaml)",
};

static void usage(void) { ts_cli_help(&spec); }

typedef struct {
    int tty;
} view;

static void show_progress(const ts_sweep_progress *p, void *ctx)
{
    const view *v = ctx;
    uint64_t fin = p->tasks - p->todo;
    char eta[32], rate[32];
    ts_cli_duration(p->eta, eta, sizeof eta);
    if (isnan(p->rate)) snprintf(rate, sizeof rate, "rate unknown");
    else snprintf(rate, sizeof rate, "%.3g tasks/s", p->rate);
    if (v->tty) {
        int bar = (int)(40.0 * (double)fin / (double)(p->tasks ? p->tasks : 1));
        fprintf(stderr, "\r[%-40.*s] %llu/%llu  %llu failed  %s  ETA %s   %s", bar,
                "########################################", (unsigned long long)fin, (unsigned long long)p->tasks,
                (unsigned long long)p->failed, rate, eta, p->final ? "\n" : "");
    } else {
        fprintf(stderr, "tailsweep run: %llu/%llu finished (%.1f%%), %llu diverged, %llu failed, %s, ETA %s\n",
                (unsigned long long)fin, (unsigned long long)p->tasks,
                100.0 * (double)fin / (double)(p->tasks ? p->tasks : 1), (unsigned long long)p->diverged,
                (unsigned long long)p->failed, rate, eta);
    }
}

static void show_note(const char *msg, void *ctx)
{
    const view *v = ctx;
    fprintf(stderr, "%stailsweep run: note: %s\n", v->tty ? "\n" : "", msg);
}

static int parse(int argc, char **argv, ts_sweep_opts *o, view *v)
{
    char **pos;
    int npos;
    int rc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (rc >= 0) return rc;
    o->job_path = pos[0];
    free(pos);
    o->store = args.store;
    o->seed = args.seed;
    o->has_seed = ts_cli_seen(&spec, "seed");
    o->retry_failed = args.retry_failed;
    o->force = args.force;
    if (args.progress) v->tty = 1;
    if (args.no_progress) v->tty = 0;
    return -1;
}

static int run(int argc, char **argv)
{
    view v = { isatty(2) };
    ts_sweep_opts o = { .stop = &stop_flag, .kinds = ts_cli_kinds, .ctx = &v };
    int rc = parse(argc, argv, &o, &v);
    if (rc >= 0) return rc;
    o.progress_every = v.tty ? 0.5 : 10;
    /* how long a silent lease counts as alive (docs/architecture.md, "Locks") */
    const char *ttl = getenv("TAILSWEEP_LOCK_TTL");
    if (ttl && ts_cli_double("run", "TAILSWEEP_LOCK_TTL", ttl, &o.lock_ttl)) return TS_EXIT_USAGE;
    ts_cli_catch_stop_signals(on_signal);
    MPI_Init(NULL, NULL);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    /* rank 0 reports; the others stay quiet */
    if (rank == 0) {
        o.progress = show_progress;
        o.note = show_note;
    }
    ts_sweep_summary s;
    ts_err err = { 0 };
    ts_status st = ts_sweep_run(&o, MPI_COMM_WORLD, &s, &err);
    if (st) rc = rank == 0 ? ts_cli_fail("run", &err) : (st == TS_EINVAL ? TS_EXIT_USAGE : TS_EXIT_IO);
    else if (s.interrupted) rc = TS_EXIT_INTERRUPTED;
    else rc = s.failed ? TS_EXIT_FAILURE : TS_EXIT_OK;
    if (!st && rank == 0) {
        struct rusage ru;
        double peak = getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024 : NAN;
        fprintf(stderr, "tailsweep run: %s: %llu tasks: %llu done, %llu diverged, %llu failed, %llu todo; "
                "ran %llu in %.1f s (store writes %.2f s, %.2f s CPU; rank 0 peak memory %.0f MB; store set-up "
                "%.2f s)%s\n",
                s.store, (unsigned long long)s.tasks, (unsigned long long)s.done, (unsigned long long)s.diverged,
                (unsigned long long)s.failed, (unsigned long long)s.todo, (unsigned long long)s.ran,
                s.seconds, s.store_seconds, s.store_cpu_seconds, peak, s.setup_seconds,
                s.interrupted ? "; interrupted, run again to resume" : "");
        if (s.ckpt_saves)
            fprintf(stderr, "tailsweep run: %llu task checkpoint%s written by rank 0 in %.3f s, states of up to "
                    "%llu bytes (%s.ckpt)\n", (unsigned long long)s.ckpt_saves, s.ckpt_saves == 1 ? "" : "s",
                    s.ckpt_seconds, (unsigned long long)s.ckpt_max_bytes, s.store);
    }
    MPI_Finalize();
    return rc;
}

const ts_command ts_cmd_run = { "run", "run or resume a sweep (a job file), alone or under MPI", run, usage };
