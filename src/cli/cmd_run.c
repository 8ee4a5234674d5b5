/* cmd_run.c: `tailsweep run JOB.yaml`: run (or resume) a sweep, alone or
 * under mpirun / srun. The library reports progress and notices through
 * callbacks; this file decides how they look. */
#include <getopt.h>
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

static void usage(void)
{
    puts("usage: tailsweep run JOB.yaml [--store PATH] [--seed N] [--retry-failed] [--force]\n"
         "                              [--progress|--no-progress]\n"
         "\n"
         "Run every task of a job file and store the results in one HDF5 file. Alone it\n"
         "runs the tasks serially; under `mpirun -n N` or `srun` rank 0 schedules and\n"
         "writes while N - 1 workers compute (on C cores use N = C + 1: rank 0 sleeps).\n"
         "Running the same command again resumes: finished tasks are never rerun, and a\n"
         "finished job changes nothing.\n"
         "\n"
         "  --store PATH     the store (default: the job's `store`, else results/<job>.h5);\n"
         "                   PATH.journal and PATH.lock live beside it\n"
         "  --seed N         override the job's seed (a different seed is a different job)\n"
         "  --retry-failed   also rerun tasks recorded as failed\n"
         "  --force          replace a file at PATH that is not this job's store (another\n"
         "                   job's store, a text file, a `sample` output, ...); without it\n"
         "                   such a file is refused before any task runs\n"
         "  --progress       progress bar on stderr (default when stderr is a terminal)\n"
         "  --no-progress    one progress line every 10 s instead (default otherwise)\n"
         "\n"
         "The store is written in place as results arrive; every finished task carries a\n"
         "checksum. On resume each task is read back and checked: a damaged record is\n"
         "reported and recomputed, a missing or damaged journal is reported and rebuilt.\n"
         "\n"
         "The store's lock is STORE.lock: flock, plus a lease renewed every 5 s that\n"
         "other nodes see (cluster file systems without flock use the lease alone). A\n"
         "lease silent for TAILSWEEP_LOCK_TTL seconds (default 60) belongs to a dead job.\n"
         "\n"
         "Signals: SIGTERM, SIGINT and SIGUSR1 stop the run cleanly within seconds:\n"
         "tasks in flight are abandoned (they stay todo), everything finished is in the\n"
         "store, and the exit code is 75.\n"
         "\n"
         "Exit: 0 every task done (diverged ones are done, flagged); 1 some tasks failed\n"
         "(see `tailsweep status`, rerun with --retry-failed); 2 bad job file or\n"
         "arguments, or a store path holding something else; 3 file error (including a\n"
         "store locked by another job); 75 interrupted, resumable: run the same command again.");
}

typedef struct {
    int tty;
} view;

static void fmt_secs(double s, char *buf, size_t n)
{
    if (!(s >= 0) || isinf(s)) snprintf(buf, n, "unknown");
    else if (s < 120) snprintf(buf, n, "%.0f s", s);
    else if (s < 7200) snprintf(buf, n, "%.0f min", s / 60);
    else snprintf(buf, n, "%.1f h", s / 3600);
}

static void show_progress(const ts_sweep_progress *p, void *ctx)
{
    const view *v = ctx;
    uint64_t fin = p->tasks - p->todo;
    char eta[32], rate[32];
    fmt_secs(p->eta, eta, sizeof eta);
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
    static const struct option lo[] = {
        { "store", required_argument, 0, 's' }, { "seed", required_argument, 0, 'S' },
        { "retry-failed", no_argument, 0, 'r' }, { "progress", no_argument, 0, 'p' },
        { "no-progress", no_argument, 0, 'P' }, { "force", no_argument, 0, 'f' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 's': o->store = optarg; break;
        case 'S':
            if (ts_cli_u64("run", "--seed", optarg, &o->seed)) return TS_EXIT_USAGE;
            o->has_seed = 1;
            break;
        case 'r': o->retry_failed = 1; break;
        case 'f': o->force = 1; break;
        case 'p': v->tty = 1; break;
        case 'P': v->tty = 0; break;
        case 'h': usage(); return TS_EXIT_OK;
        case ':': return ts_cli_usage_error("run", "%s needs a value", argv[optind - 1]);
        default: return ts_cli_bad_option("run", argv[optind - 1], optopt);
        }
    }
    if (optind != argc - 1)
        return ts_cli_usage_error("run", optind >= argc ? "missing JOB.yaml" : "one job file expected, got '%s'",
                                  argv[optind + 1 < argc ? optind + 1 : optind]);
    o->job_path = argv[optind];
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
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
    else if (s.interrupted) rc = 75;
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
    }
    MPI_Finalize();
    return rc;
}

const ts_command ts_cmd_run = { "run", "run or resume a sweep (a job file), alone or under MPI", run, usage };
