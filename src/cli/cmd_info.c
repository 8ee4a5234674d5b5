/* cmd_info.c: `tailsweep info STORE`: what a store holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_store_view.h"

static int show_job;

static const ts_cli_opt options[] = {
    { "job", 0, TS_OPT_FLAG, NULL, "the job file's whole text, comments included, and the job as parsed",
      &show_job, NULL },
    { 0 } };

static const ts_cli_spec spec = {
    .cmd = "info",
    .usage = "STORE.h5 [--job]",
    .summary = "Print the store's job (kind, job file, seed, replicates, version, times, and\n"
               "the job file's settings), the completion state from /status, the axes and\n"
               "dimensions with their values, and every dataset with its dimensions, units\n"
               "and description (results, per-task data, coordinates, /aggregate).",
    .epilog = "Exit: 0; 2 not a store or a newer format; 3 unreadable.",
    .opts = options,
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a store path (STORE.h5)",
};

static void usage(void) { ts_cli_help(&spec); }

static void print_dim(const ts_view_dim *d)
{
    printf("  %-14s %6zu  ", d->path, d->len);
    size_t show = d->len < 8 ? d->len : 6;
    for (size_t i = 0; i < show; i++) {
        if (d->type == TS_COORD_STRING) printf("%s%s", i ? " " : "", d->labels[i] ? d->labels[i] : "");
        else printf("%s%.6g", i ? " " : "", d->values[i]);
    }
    if (show < d->len) {
        if (d->type == TS_COORD_STRING) printf(" ... %s", d->labels[d->len - 1] ? d->labels[d->len - 1] : "");
        else printf(" ... %.6g", d->values[d->len - 1]);
    }
    printf("\n");
}

static void print_dset(const ts_store_view *v, const ts_view_dset *d)
{
    char dims[256] = "";
    for (size_t k = 0; k < d->rank; k++) {
        size_t used = strlen(dims);
        snprintf(dims + used, sizeof dims - used, "%s%s=%zu", k ? ", " : "",
                 d->dim[k] >= 0 ? v->dims[d->dim[k]].name : "?", d->shape[k]);
    }
    printf("  %-24s [%s]", d->path, dims);
    if (d->units[0]) printf("  (%s)", d->units);
    if (d->description[0]) printf("  %s", d->description);
    printf("\n");
}

/* The job file's lines, indented; comments and blank lines only with all. */
static void print_job(const char *text, int all)
{
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t lead = strspn(p, " \t");
        int skip = !all && (lead >= n || p[lead] == '#');
        if (!skip) printf("    %.*s\n", (int)n, p);
        p += n + (end ? 1 : 0);
    }
}

static int run(int argc, char **argv)
{
    char **pos;
    int npos;
    int prc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (prc >= 0) return prc;
    const char *store = pos[0];
    free(pos);
    int job = show_job;
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    if (ts_store_view_open(store, &v, &err)) return ts_cli_fail("info", &err);
    printf("%s: kind %s, job %s, seed %llu, replicates %llu\n", store, v->kind, v->job_file[0] ? v->job_file : "?",
           (unsigned long long)v->seed, (unsigned long long)v->replicates);
    printf("written by tailsweep %s (store format %d), created %s\n", v->version, v->format, v->created);
    printf("tasks %llu: done %llu, diverged %llu, failed %llu, todo %llu (%s)\n", (unsigned long long)v->n_tasks,
           (unsigned long long)v->n_status[1], (unsigned long long)v->n_status[3], (unsigned long long)v->n_status[2],
           (unsigned long long)v->n_status[0],
           v->n_status[0] + v->n_status[2] == 0 ? "complete" : "partial");
    if (v->job_text[0]) {
        printf("job file%s:\n", job ? "" : " (settings)");
        print_job(v->job_text, job);
    }
    if (job && v->job[0]) {
        printf("the job as parsed (its identity):\n");
        print_job(v->job, 1);
    }
    printf("axes (task dimensions):");
    for (size_t k = 0; k < v->n_task_dims; k++)
        printf(" %s", v->task_dim[k] >= 0 ? v->dims[v->task_dim[k]].name : "?");
    printf("\ndimensions:\n");
    /* /aggregate repeats the root coordinates; only its quantile is new */
    for (size_t i = 0; i < v->n_dims; i++)
        if (!strchr(v->dims[i].path, '/') || strcmp(v->dims[i].path, "aggregate/quantile") == 0) print_dim(&v->dims[i]);
    static const char *const heads[] = { "results", "per task", "coordinates", "aggregate" };
    for (int role = 0; role < 4; role++) {
        int any = 0;
        for (size_t i = 0; i < v->n_dsets; i++) {
            if ((int)v->dsets[i].role != role) continue;
            if (!any++) printf("%s:\n", heads[role]);
            print_dset(v, &v->dsets[i]);
        }
    }
    if (!v->has_aggregate) {
        printf("no /aggregate yet (tailsweep aggregate %s)\n", store);
    } else {
        uint64_t state = 0;
        int stale = ts_store_view_state(v, &state, &err) == TS_OK && state != v->agg_source_state;
        printf("/aggregate: over %s, written %s%s\n", v->agg_over, v->agg_created,
               stale ? "; STALE: tasks finished or reran since (tailsweep aggregate again)" : "; up to date");
    }
    ts_store_view_free(v);
    return TS_EXIT_OK;
}

const ts_command ts_cmd_info = { "info", "a store's job, axes, datasets and completion", run, usage };
