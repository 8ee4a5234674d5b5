/* agg_store_writer.c OUT.h5 [SEED]: writes, through the library's own store writer,
 * the store of a small GNI-like sweep for the aggregate tests
 * (tests/oracle/aggregate_numpy.py, tests/cli/test_aggregate_cli.sh):
 *
 *   axes sigma2 [0.01, 0.1, 1] x M [1, 4] x optimizer (choice: sgd, adam)
 *   replicates 5
 *   train_loss, test_loss   [step 6]      (rank-1 curves over logged steps)
 *   gradnoise_alpha, _beta  [layer 3, step 6]
 *   accuracy                scalar
 *
 * It is partial on purpose: point 0 has no finished task at all (its cells
 * must come out count 0, NaN), every task t with t % 7 == 3 never ran, t % 11
 * == 5 failed and t % 13 == 8 diverged (diverged results are kept, as the
 * engine does). Values are a decaying curve plus hashed noise, so quantiles
 * see distinct, unsorted values; a few are tied on purpose (t % 5 == 0).
 * SEED (default 11) is the job seed, and changes the noise: stores of one
 * job with different seeds, for `tailsweep aggregate -o OUT IN...`. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"

static const char *const opt_names[] = { "sgd", "adam", NULL };
static const ts_param_spec params[] = {
    { .name = "sigma2", .type = TS_PARAM_REAL, .lo = 0, .hi = 100, .def = "0.1", .unit = "", .doc = "noise variance" },
    { .name = "M", .type = TS_PARAM_INT, .lo = 1, .hi = 1000, .def = "1", .unit = "", .doc = "noise samples" },
    { .name = "optimizer", .type = TS_PARAM_CHOICE, .def = "sgd", .choices = opt_names, .unit = "", .doc = "optimizer" },
};

#define NSTEP 6
#define NLAYER 3

static void add(ts_result_layout *l, const char *name, const char *unit, size_t rank, size_t d0, const char *n0,
                size_t d1, const char *n1)
{
    char doc[80];
    snprintf(doc, sizeof doc, "%s (test data)", name);
    ts_result_layout_add(l, name, unit, doc, rank, d0, n0, d1, n1);
}

static ts_status layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    (void)p;
    add(l, "train_loss", "nat", 1, NSTEP, "step", 0, NULL);
    add(l, "test_loss", "nat", 1, NSTEP, "step", 0, NULL);
    add(l, "gradnoise_alpha", "", 2, NLAYER, "layer", NSTEP, "step");
    add(l, "gradnoise_beta", "", 2, NLAYER, "layer", NSTEP, "step");
    add(l, "accuracy", "", 0, 0, NULL, 0, NULL);
    /* the logged step numbers are the step coordinates */
    int with_steps[4] = { 0, 1, 2, 3 };
    for (int i = 0; i < 4; i++) {
        ts_result_spec *r = &l->r[with_steps[i]];
        size_t k = r->rank - 1;
        r->coords[k] = malloc(NSTEP * sizeof(double));
        if (!r->coords[k]) return ts_err_set(err, TS_ENOMEM, "out of memory");
        for (int s = 0; s < NSTEP; s++) r->coords[k][s] = 100.0 * s;
    }
    return TS_OK;
}

static const ts_kind kind = { .name = "gnitest", .summary = "aggregate test kind", .params = params,
                              .n_params = 3, .layout = layout };

static const char job_format[] =
    "kind: gnitest\nstore: agg.h5\nseed: %llu\nreplicates: 5\n"
    "axes:\n  sigma2: [0.01, 0.1, 1]\n  M: [1, 4]\n  optimizer: [sgd, adam]\n";

/* noise in [-0.5, 0.5) from a hash of (task, element, result) */
static double noise(uint64_t t, uint64_t k, uint64_t r)
{
    uint64_t z = t * 0x9E3779B97F4A7C15ull ^ (k + 1) * 0xBF58476D1CE4E5B9ull ^ (r + 7) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    z *= 0xD6E8FEB86659FD93ull;
    z ^= z >> 29;
    return (double)(z >> 11) / 9007199254740992.0 - 0.5;
}

static uint8_t status_of(uint64_t t, uint64_t reps)
{
    if (t / reps == 0) return TS_TASK_TODO;
    if (t % 7 == 3) return TS_TASK_TODO;
    if (t % 11 == 5) return TS_TASK_FAILED;
    if (t % 13 == 8) return TS_TASK_DIVERGED;
    return TS_TASK_DONE;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: agg_store_writer OUT.h5 [SEED]\n");
        return 2;
    }
    unsigned long long seed = argc == 3 ? strtoull(argv[2], NULL, 10) : 11;
    char job_text[sizeof job_format + 24];
    snprintf(job_text, sizeof job_text, job_format, seed);
    const ts_kind *kinds[] = { &kind, NULL };
    ts_job *job = NULL;
    ts_err e = { 0 };
    ts_status st = ts_job_parse(job_text, strlen(job_text), "agg_test.yaml", kinds, &job, &e);
    ts_result_layout *l = ts_result_layout_alloc();
    if (!st) st = layout(&job->fixed, l, &e);
    uint64_t n = st ? 0 : ts_job_tasks(job);
    size_t per = 0;
    for (size_t i = 0; i < l->n; i++) per += ts_result_size(&l->r[i]);
    /* the route a sweep takes: the store made whole, then every task that
     * ran written in place */
    if (!st) st = ts_store_create(argv[1], job, l, 1, 1700000000.0, &e);
    ts_store *store = NULL;
    if (!st) st = ts_store_open(argv[1], job, l, &store, &e);
    double *block = st ? NULL : malloc(per * sizeof *block);
    if (!st && !block) st = TS_ENOMEM;
    for (uint64_t t = 0; !st && t < n; t++) {
        ts_task task;
        st = ts_job_task(job, t, &task, &e);
        if (st) break;
        double sigma2 = ts_params_get(&task.params, "sigma2"), M = ts_params_get(&task.params, "M");
        uint64_t h = t + 1000 * (seed - 11);   /* the noise's task key: another seed, other noise */
        ts_task_record rec = { .task = t, .status = status_of(t, job->replicates), .attempt = 1, .rank = 1,
                               .wall = 1, .end_time = 1700000000.0 + (double)t, .results = block };
        if (rec.status == TS_TASK_TODO) continue;
        for (size_t i = 0, off = 0; i < l->n; off += ts_result_size(&l->r[i]), i++) {
            size_t size = ts_result_size(&l->r[i]);
            for (size_t k = 0; k < size; k++) {
                size_t step = k % NSTEP;
                double x;
                if (i < 2) x = (1 + sigma2) * exp(-0.4 * (double)step) / sqrt(M) + 0.1 * noise(h, k, i) + 0.05 * (double)i;
                else if (i == 2) x = 1.5 + 0.4 * noise(h, k, i) + 0.05 * sigma2;
                else if (i == 3) x = -0.3 + 1.2 * noise(h, k, i);
                else x = 0.9 - 0.1 * sigma2 + 0.05 * noise(h, k, i);
                if (t % 5 == 0) x = 0.5;   /* ties */
                block[off + k] = x;
            }
        }
        st = ts_store_put(store, &rec, 1, NULL, &e);
    }
    ts_store_close(store);
    if (st) fprintf(stderr, "agg_store_writer: %s: %s\n", ts_status_name(st), e.msg);
    free(block);
    ts_result_layout_free(l);
    ts_job_free(job);
    return st ? 1 : 0;
}
