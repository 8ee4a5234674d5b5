/* cmd_run.c: `tailsweep run JOB.yaml`: run (or resume) a sweep, alone or
 * under mpirun / srun. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "cli.h"
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
    puts("usage: tailsweep run JOB.yaml [--store PATH] [--seed N] [--retry-failed] [--progress|--no-progress]\n"
         "\n"
         "Run every task of a job file and store the results in one HDF5 file. Alone it\n"
         "runs the tasks serially; under `mpirun -n N` or `srun` rank 0 schedules and\n"
         "writes while N - 1 workers compute (on C cores use N = C + 1: rank 0 sleeps).\n"
         "Running the same command again resumes: finished tasks are never rerun.\n"
         "\n"
         "  --store PATH     the store (default: the job's `store`, else results/<job>.h5);\n"
         "                   PATH.journal and PATH.lock live beside it\n"
         "  --seed N         override the job's seed (a different seed is a different job)\n"
         "  --retry-failed   also rerun tasks recorded as failed\n"
         "  --progress       progress bar on stderr (default when stderr is a terminal)\n"
         "  --no-progress    one progress line every 10 s instead (default otherwise)\n"
         "\n"
         "Signals: SIGTERM, SIGINT and SIGUSR1 stop the run cleanly within seconds:\n"
         "tasks in flight are abandoned (they stay todo), the journal is synced and the\n"
         "store rewritten, and the exit code is 75.\n"
         "\n"
         "Exit: 0 every task done (diverged ones are done, flagged); 1 some tasks failed\n"
         "(see `tailsweep status`, rerun with --retry-failed); 2 bad job file or\n"
         "arguments; 3 file error (including a store locked by another job);\n"
         "75 interrupted, resumable: run the same command again.");
}

static int parse(int argc, char **argv, ts_sweep_opts *o)
{
    static const struct option lo[] = {
        { "store", required_argument, 0, 's' }, { "seed", required_argument, 0, 'S' },
        { "retry-failed", no_argument, 0, 'r' }, { "progress", no_argument, 0, 'p' },
        { "no-progress", no_argument, 0, 'P' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }
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
        case 'p': o->progress_tty = 1; break;
        case 'P': o->progress_tty = 0; break;
        case 'h': usage(); return TS_EXIT_OK;
        default: return ts_cli_bad_option("run", argv[optind - 1], optopt);
        }
    }
    if (optind != argc - 1)
        return ts_cli_usage_error("run", optind >= argc ? "missing JOB.yaml" : "one job file expected, got '%s'", argv[optind + 1 < argc ? optind + 1 : optind]);
    o->job_path = argv[optind];
    return -1;
}

static int run(int argc, char **argv)
{
    ts_sweep_opts o = { .progress_tty = isatty(2), .log_every = 10, .stop = &stop_flag };
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
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
    ts_sweep_summary s;
    ts_err err = { 0 };
    ts_status st = ts_sweep_run(&o, MPI_COMM_WORLD, &s, &err);
    if (st) rc = rank == 0 ? ts_cli_fail("run", &err) : (st == TS_EINVAL ? TS_EXIT_USAGE : TS_EXIT_IO);
    else if (s.interrupted) rc = 75;
    else rc = s.failed ? TS_EXIT_FAILURE : TS_EXIT_OK;
    if (!st && rank == 0) {
        fprintf(stderr, "tailsweep run: %s: %llu tasks: %llu done, %llu diverged, %llu failed, %llu todo; "
                "ran %llu in %.1f s (store writes %.2f s)%s\n", s.store,
                (unsigned long long)s.tasks, (unsigned long long)s.done, (unsigned long long)s.diverged,
                (unsigned long long)s.failed, (unsigned long long)s.todo, (unsigned long long)s.ran,
                s.seconds, s.store_seconds, s.interrupted ? "; interrupted, run again to resume" : "");
    }
    MPI_Finalize();
    return rc;
}

const ts_command ts_cmd_run = { "run", "run or resume a sweep (a job file), alone or under MPI", run, usage };
