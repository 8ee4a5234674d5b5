/* bench_dispatch.c: the sweep engine's own overhead: tasks per second with
 * empty tasks (a kind whose run only writes one number), so everything
 * measured is scheduling, messaging, journaling and the store.
 *
 *   mpirun -n N build/release/bench/bench_dispatch TASKS DIR
 *
 * Writes DIR/noop.yaml, runs it into DIR/noop.h5 and prints (rank 0)
 *   ranks N tasks T seconds S tasks_per_s R us_per_task U store_s W */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>

#include "tailsweep/ts_sweep.h"

static const ts_param_spec noop_params[] = {
    { "x", TS_PARAM_REAL, -1e300, 1e300, 0, "0", NULL, "", "the swept value", 0 },
};

static ts_status noop_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    (void)p;
    (void)err;
    memset(l, 0, sizeof *l);
    l->n = 1;
    snprintf(l->r[0].name, sizeof l->r[0].name, "y");
    return TS_OK;
}

static ts_status noop_run(const ts_task *t, const ts_result_layout *l, double *const *out,
                          ts_task_status *status, ts_err *err)
{
    (void)l;
    (void)err;
    out[0][0] = t->params.v[0] + 1;
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
        else printf("ranks %d tasks %llu seconds %.4f tasks_per_s %.0f us_per_task %.3f store_s %.4f\n", size,
                    (unsigned long long)s.ran, s.seconds, (double)s.ran / s.seconds, 1e6 * s.seconds / (double)s.ran,
                    s.store_seconds);
    }
    MPI_Finalize();
    return st ? 1 : 0;
}
