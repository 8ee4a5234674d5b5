/* bench_dispatch.c: the sweep engine's own overhead: tasks per second with
 * tasks that compute nothing (a kind whose run only writes its numbers), so
 * everything measured is scheduling, messaging, journaling and the store:
 * the master's capacity.
 *
 *   mpirun -n N build/release/bench/bench_dispatch TASKS DIR [DOUBLES]
 *
 * DOUBLES: values per task (default 1: an empty task; 4096: a result-heavy
 * one, 32 KiB). Writes DIR/noop.yaml, runs it into DIR/noop_N.h5 and prints
 * (rank 0)
 *   ranks N tasks T seconds S tasks_per_s R us_per_task U store_s W mb_per_s M */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <mpi.h>

#include "tailsweep/ts_sweep.h"

static const ts_param_spec noop_params[] = {
    { "x", TS_PARAM_REAL, -1e300, 1e300, 0, "0", NULL, "", "the swept value", 0 },
};

static size_t n_values = 1;

static ts_status noop_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    (void)p;
    (void)err;
    if (n_values <= 1) ts_result_layout_add(l, "y", "", "the value", 0, 0, NULL, 0, NULL);
    else ts_result_layout_add(l, "y", "", "the values", 1, n_values, "k", 0, NULL);
    return TS_OK;
}

static ts_status noop_run(const ts_task *t, const ts_result_layout *l, double *const *out,
                          ts_task_status *status, ts_err *err)
{
    (void)l;
    (void)err;
    for (size_t k = 0; k < n_values; k++) out[0][k] = t->params.v[0] + (double)k;
    *status = TS_TASK_DONE;
    return TS_OK;
}

static const ts_kind noop = { "noop", "an empty task", noop_params, 1, NULL, noop_layout, noop_run, NULL };

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (argc == 4) n_values = (size_t)atol(argv[3]);
    if (argc < 3) {
        if (!rank) fprintf(stderr, "usage: %s TASKS DIR\n", argv[0]);
        MPI_Finalize();
        return 2;
    }
    long n = atol(argv[1]);
    char job[600], store[600];
    snprintf(job, sizeof job, "%s/noop.yaml", argv[2]);
    snprintf(store, sizeof store, "%s/noop_%d.h5", argv[2], size);
    if (!rank) {
        FILE *f = fopen(job, "w");
        fprintf(f, "kind: noop\naxes:\n  x: {arange: [0, %ld, 1]}\n", n);
        fclose(f);
        char j2[700];
        snprintf(j2, sizeof j2, "%s.journal", store);
        remove(store);
        remove(j2);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const ts_kind *kinds[] = { &noop, NULL };
    volatile sig_atomic_t stop = 0;
    ts_sweep_opts o = { .job_path = job, .store = store, .progress_every = 1e9, .stop = &stop, .kinds = kinds };
    ts_sweep_summary s;
    ts_err err = { 0 };
    ts_status st = ts_sweep_run(&o, MPI_COMM_WORLD, &s, &err);
    if (!rank) {
        if (st) fprintf(stderr, "bench_dispatch: %s\n", err.msg);
        else {
            /* rank 0's own CPU time: its capacity whatever else runs on the node */
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
                         1e-6 * (double)ru.ru_stime.tv_usec;
            printf("ranks %d tasks %llu seconds %.4f tasks_per_s %.0f us_per_task %.3f store_s %.4f mb_per_s %.1f "
                   "rank0_cpu_s %.3f results_per_cpu_s %.0f store_cpu_s %.3f\n",
                   size, (unsigned long long)s.ran, s.seconds, (double)s.ran / s.seconds,
                   1e6 * s.seconds / (double)s.ran, s.store_seconds,
                   (double)s.ran * (double)n_values * 8 / s.seconds / 1e6, cpu, (double)s.ran / cpu,
                   s.store_cpu_seconds);
        }
    }
    MPI_Finalize();
    return st ? 1 : 0;
}
