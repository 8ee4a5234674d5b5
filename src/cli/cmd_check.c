/* cmd_check.c: `tailsweep check JOB.yaml`: validate a job without running it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"

static const ts_cli_spec spec = {
    .cmd = "check",
    .usage = "JOB.yaml",
    .summary = "Parse and validate a job file (every grid point is checked by its kind) and\n"
               "print the grid size, the axes, the store layout and a cost estimate.",
    .epilog = "The cost estimate is the kind's model of a task's run time; above a core-year\n"
              "for the job, or a day for one task, `check` warns (a size a power of ten too\n"
              "large is the usual cause) but the job is still valid.\n"
              "Exit: 0 valid, 2 invalid (the message names file, line and key), 3 unreadable.",
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

/* Beyond these the estimate is taken for a mistake (a power of ten too
 * many in steps, say) and `check` says so, with the numbers. */
#define ABSURD_JOB_CORE_SECONDS (365.25 * 86400)   /* one core-year */
#define ABSURD_TASK_SECONDS 86400.0                /* a task is never split: one day */

static int print_cost(const ts_job *j)
{
    ts_job_cost c;
    ts_err err = { 0 };
    if (ts_job_cost_estimate(j, &c, &err)) return ts_cli_fail("check", &err);
    if (isnan(c.total)) return TS_EXIT_OK;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    char here[32], cluster[32], total[32], task[32], point[320];
    ts_cli_duration(c.total / (double)(ncpu > 0 ? ncpu : 1), here, sizeof here);
    ts_cli_duration(c.total / 64, cluster, sizeof cluster);
    ts_cli_duration(c.total, total, sizeof total);
    ts_cli_duration(c.max_task, task, sizeof task);
    printf("cost estimate: %.3g core-seconds (%s of one core; %s on this machine's %ld cores, %s on 64)\n",
           c.total, total, here, ncpu, cluster);
    ts_job_describe_point(j, c.max_point, point, sizeof point);
    printf("costliest task: %.3g core-seconds (%s), %s\n", c.max_task, task, point);
    if (c.total > ABSURD_JOB_CORE_SECONDS)
        fprintf(stderr, "tailsweep check: warning: %s: the cost estimate is %.3g core-seconds (%s of one core), "
                "more than a core-year: is a size (steps, chains, epochs, n) a power of ten too large?\n",
                j->path, c.total, total);
    if (c.max_task > ABSURD_TASK_SECONDS)
        fprintf(stderr, "tailsweep check: warning: %s: one task is estimated at %.3g core-seconds (%s), %s; a task "
                "runs on one core and an interruption loses it whole\n", j->path, c.max_task, task, point);
    return TS_EXIT_OK;
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
        rc = print_cost(j);
    }
    ts_result_layout_free(l);
    ts_job_free(j);
    return rc;
}

const ts_command ts_cmd_check = { "check", "validate a job file; print its grid, store layout and cost", run, usage };
