/* cmd_check.c: `tailsweep check JOB.yaml`: validate a job without running it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"

static const ts_cli_spec spec = {
    .cmd = "check",
    .usage = "JOB.yaml",
    .summary = "Parse and validate a job file (every grid point is checked by its kind) and\n"
               "print the grid size, the axes, the store layout and a cost estimate.",
    .epilog = "Exit: 0 valid, 2 invalid (the message names file, line and key), 3 unreadable.",
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a job file (JOB.yaml)",
};

static void usage(void) { ts_cli_help(&spec); }

static void print_axes(const ts_job *j)
{
    for (size_t a = 0; a < j->n_axes; a++) {
        const ts_axis *ax = &j->axes[a];
        printf("  %-10s %zu values (line %d):", ax->name, ax->len, ax->line);
        for (size_t m = 0; m < ax->n_members; m++) {
            const ts_param_spec *s = &j->kind->params[ax->param[m]];
            printf("%s %s =", m ? ";" : "", s->name);
            for (size_t i = 0; i < ax->len && i < 8; i++) {
                if (s->type == TS_PARAM_CHOICE) printf(" %s", s->choices[(int)ax->values[m][i]]);
                else if (ax->labels[m]) printf(" \"%s\"", ax->labels[m][i]);
                else printf(" %g", ax->values[m][i]);
            }
            if (ax->len > 8) printf(" ...");
        }
        printf("\n");
    }
}

static void print_layout(const ts_job *j, const ts_result_layout *l)
{
    if (j->kind->checkpoints)
        printf("store %s (+ .journal, .lock, and .ckpt/: a checkpoint per task in flight, every %g s):\n", j->store,
               j->checkpoint_every);
    else printf("store %s (+ .journal, .lock):\n", j->store);
    for (size_t i = 0; i < l->n; i++) {
        const ts_result_spec *r = &l->r[i];
        int rec = j->n_record == 0;
        for (size_t k = 0; k < j->n_record; k++) rec |= strcmp(j->record[k], r->name) == 0;
        if (!rec) continue;
        printf("  /%-16s [", r->name);
        for (size_t a = 0; a < j->n_axes; a++) printf("%s%s", a ? ", " : "", j->axes[a].name);
        printf("%sreplicate", j->n_axes ? ", " : "");
        for (size_t k = 0; k < r->rank; k++) printf(", %s=%zu", r->dim_names[k], r->dims[k]);
        printf("]  %s\n", r->doc);
    }
}

static int run(int argc, char **argv)
{
    char **pos;
    int npos;
    int prc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (prc >= 0) return prc;
    const char *path = pos[0];
    free(pos);
    ts_job *j;
    ts_err err = { 0 };
    if (ts_job_load(path, ts_cli_kinds, &j, &err)) return ts_cli_fail("check", &err);
    ts_task t0;
    ts_result_layout *l = NULL;
    int rc = TS_EXIT_OK;
    if (ts_job_task(j, 0, &t0, &err) || ts_kind_layout(j->kind, &t0.params, &l, &err) || ts_store_check(j, l, &err)) {
        rc = ts_cli_fail("check", &err);
    } else {
        uint64_t pts = ts_job_points(j), tasks = ts_job_tasks(j);
        printf("%s: valid; kind %s, seed %llu\n", path, j->kind->name, (unsigned long long)j->seed);
        printf("grid: %llu points x %llu replicates = %llu tasks\n", (unsigned long long)pts,
               (unsigned long long)j->replicates, (unsigned long long)tasks);
        print_axes(j);
        print_layout(j, l);
        if (j->kind->cost) {
            double c = 0;
            for (uint64_t t = 0; t < tasks; t++) {
                ts_task task;
                if (!ts_job_task(j, t, &task, NULL)) c += j->kind->cost(&task.params);
            }
            printf("cost estimate: %.3g core-seconds (%.3g min on 2 cores, %.3g h on 64)\n", c, c / 120, c / 64 / 3600);
        }
    }
    ts_result_layout_free(l);
    ts_job_free(j);
    return rc;
}

const ts_command ts_cmd_check = { "check", "validate a job file; print its grid, store layout and cost", run, usage };
