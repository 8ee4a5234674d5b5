/* bench_aggregate.c: time `tailsweep aggregate` (ts_aggregate_store: read
 * every result, reduce over the seeds, write /aggregate by copy-and-rename)
 * on a synthetic store of the size of jobs/shiftmap.yaml with densities:
 * 20 x 21 points x R replicates, a density over 512 grid points and four
 * scalars per task, 1 task in 10 missing.
 *
 *   build/release/bench/bench_aggregate STORE.h5 REPLICATES ROUNDS
 *
 * Writes STORE.h5 (through the library's store writer), then aggregates it
 * ROUNDS times and prints "key value" lines: the median wall time (s), the
 * tasks and the bytes of result data. bench/aggregate_vs_numpy.py runs it
 * beside the same work in NumPy + h5py. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_aggregate.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"

#include "bench_common.h"

static const ts_param_spec params[] = {
    { .name = "alpha", .type = TS_PARAM_REAL, .lo = 0, .hi = 2, .lo_open = 1, .def = "1.5", .unit = "", .doc = "alpha" },
    { .name = "theta", .type = TS_PARAM_REAL, .lo = -1, .hi = 1, .def = "0", .unit = "", .doc = "theta" },
};

#define NX 512

static ts_status layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    (void)p;
    (void)err;
    static const char *const names[5] = { "density", "tv", "w1", "kl", "bandwidth" };
    for (int i = 0; i < 5; i++) {
        ts_result_spec *r = &l->r[l->n++];
        snprintf(r->name, sizeof r->name, "%s", names[i]);
        snprintf(r->doc, sizeof r->doc, "synthetic %s", names[i]);
        if (i == 0) {
            r->rank = 1;
            r->dims[0] = NX;
            snprintf(r->dim_names[0], sizeof r->dim_names[0], "x");
        }
    }
    return TS_OK;
}

static const ts_kind kind = { .name = "benchagg", .summary = "bench", .params = params, .n_params = 2,
                              .layout = layout };

static double unit(uint64_t z)
{
    z ^= z >> 31;
    z *= 0xD6E8FEB86659FD93ull;
    z ^= z >> 29;
    return (double)(z >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s STORE.h5 REPLICATES ROUNDS\n", argv[0]);
        return 2;
    }
    int reps = atoi(argv[2]), rounds = atoi(argv[3]);
    char text[512];
    snprintf(text, sizeof text,
             "kind: benchagg\nseed: 1\nreplicates: %d\naxes:\n  alpha: {linspace: [1.1, 2.0, 20]}\n"
             "  theta: {linspace: [-1, 1, 21]}\n", reps);
    const ts_kind *kinds[] = { &kind, NULL };
    ts_job *job = NULL;
    ts_err e = { 0 };
    ts_result_layout *l = ts_result_layout_alloc();
    if (ts_job_parse(text, strlen(text), "bench.yaml", kinds, &job, &e) || layout(NULL, l, &e)) {
        fprintf(stderr, "bench_aggregate: %s\n", e.msg);
        return 1;
    }
    uint64_t n = ts_job_tasks(job);
    size_t per = 0;
    for (size_t i = 0; i < l->n; i++) per += ts_result_size(&l->r[i]);
    ts_store *store = NULL;
    double *block = malloc(per * sizeof *block);
    if (!block || ts_store_create(argv[1], job, l, 1, 1.7e9, &e) || ts_store_open(argv[1], job, l, &store, &e)) {
        fprintf(stderr, "bench_aggregate: %s\n", e.msg);
        return 1;
    }
    for (uint64_t t = 0; t < n; t++) {
        if (t % 10 == 7) continue;   /* todo */
        for (size_t i = 0, off = 0; i < l->n; off += ts_result_size(&l->r[i]), i++) {
            size_t size = ts_result_size(&l->r[i]);
            for (size_t k = 0; k < size; k++) block[off + k] = unit(t * 7919 + k * 104729 + i);
        }
        ts_task_record r = { .task = t, .status = TS_TASK_DONE, .attempt = 1, .end_time = 1.7e9, .results = block };
        if (ts_store_put(store, &r, 1, NULL, &e)) {
            fprintf(stderr, "bench_aggregate: %s\n", e.msg);
            return 1;
        }
    }
    ts_store_close(store);
    free(block);
    double *wall = malloc((size_t)rounds * sizeof *wall);
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    for (int r = 0; r < rounds; r++) {
        ts_agg_summary s;
        double t0 = bench_now();
        if (ts_aggregate_store(argv[1], &o, &s, &e)) {
            fprintf(stderr, "bench_aggregate: %s\n", e.msg);
            return 1;
        }
        wall[r] = bench_now() - t0;
    }
    qsort(wall, (size_t)rounds, sizeof *wall, bench_cmp_double);
    printf("wall %.6f\ntasks %llu\nbytes %llu\n", 0.5 * (wall[(rounds - 1) / 2] + wall[rounds / 2]),
           (unsigned long long)n, (unsigned long long)(n * (NX + 4) * sizeof(double)));
    free(wall);
    ts_job_free(job);
    return 0;
}
