/* cli_kind.c: run one task of a kind from the command line. Every parameter
 * of the kind's table is a --NAME VALUE flag, so the command line, job files
 * and the store all speak the same names, ranges and defaults. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_job.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_atomic_file.h"
#include "tailsweep/ts_store.h"

void ts_cli_kind_usage(const ts_kind *k, const char *extra)
{
    printf("usage: tailsweep %s [--PARAM VALUE ...] [--seed SEED] [-o FILE.h5] [--force] [--print]\n\n%s.\n\n",
           k->name, k->summary);
    printf("parameters (the same keys as in job files):\n");
    for (size_t i = 0; i < k->n_params; i++) {
        const ts_param_spec *s = &k->params[i];
        printf("  --%-10s %s", s->name, s->doc);
        if (s->type == TS_PARAM_CHOICE) {
            printf(" {");
            for (int c = 0; s->choices[c]; c++) printf("%s%s", c ? ", " : "", s->choices[c]);
            printf("}");
        }
        if (s->type == TS_PARAM_STRING)
            printf(" (text; default %s%s%s)\n", s->def ? "\"" : "", s->def ? s->def : "required",
                   s->def ? "\"" : "");
        else
            printf(" (default %s%s%s)\n", s->def ? s->def : "required", *s->unit ? " " : "", s->unit);
    }
    printf("\n  --seed SEED     job seed (default 1); the task is (SEED, point 0, replicate 0)\n"
           "  -o, --output F  write the results to F, a store of one task (xarray, info,\n"
           "                  export and plot read it like any store)\n"
           "  --force         overwrite F if it exists\n"
           "  --print         print a summary to stdout\n%s"
           "\nExit: 0 ok, 1 the run failed or chains diverged (results still written, status\n"
           "attribute 'diverged'), 2 bad argument, 3 file error.\n", extra ? extra : "");
}

static int parse_params(const ts_kind *k, int argc, char **argv, ts_task *t, const char **out,
                        int *force, int *print)
{
    enum { O_SEED = 1000, O_FORCE, O_PRINT, O_HELP, O_PARAM = 2000 };
    struct option *lo = calloc(k->n_params + 6, sizeof *lo);
    if (!lo) return ts_cli_usage_error(k->name, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < k->n_params; i++)
        lo[n++] = (struct option){ k->params[i].name, required_argument, 0, O_PARAM + (int)i };
    lo[n++] = (struct option){ "seed", required_argument, 0, O_SEED };
    lo[n++] = (struct option){ "output", required_argument, 0, 'o' };
    lo[n++] = (struct option){ "force", no_argument, 0, O_FORCE };
    lo[n++] = (struct option){ "print", no_argument, 0, O_PRINT };
    lo[n++] = (struct option){ "help", no_argument, 0, O_HELP };
    opterr = 0;
    optind = 1;
    int c, rc = -1;
    while (rc < 0 && (c = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
        ts_err err = { 0 };
        char where[96];
        if (c >= O_PARAM) {
            const ts_param_spec *s = &k->params[c - O_PARAM];
            snprintf(where, sizeof where, "--%s", s->name);
            if (ts_params_set(&t->params, (size_t)(c - O_PARAM), optarg, where, &err))
                rc = ts_cli_usage_error(k->name, "%s", err.msg);
        } else if (c == O_SEED) {
            if (ts_cli_u64(k->name, "--seed", optarg, &t->seed)) rc = TS_EXIT_USAGE;
        } else if (c == 'o') {
            *out = optarg;
        } else if (c == O_FORCE) {
            *force = 1;
        } else if (c == O_PRINT) {
            *print = 1;
        } else if (c == O_HELP || c == 'h') {
            ts_cli_kind_usage(k, NULL);
            rc = TS_EXIT_OK;
        } else {
            rc = ts_cli_bad_option(k->name, argv[optind - 1], optopt);
        }
    }
    if (rc < 0 && optind < argc) rc = ts_cli_usage_error(k->name, "unexpected argument '%s'", argv[optind]);
    free(lo);
    return rc;
}

static int fill_defaults(const ts_kind *k, ts_task *t)
{
    ts_err err = { 0 };
    if (ts_params_defaults(&t->params, k->params, k->n_params, &err))
        return ts_cli_usage_error(k->name, "internal: %s", err.msg);
    return -1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double unix_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The command line, for the store's job_text: how the point was made. */
static char *command_text(const char *name, int argc, char **argv)
{
    size_t n = strlen(name) + 16;
    for (int i = 1; i < argc; i++) n += strlen(argv[i]) + 1;
    char *t = malloc(n);
    if (!t) return NULL;
    size_t used = (size_t)snprintf(t, n, "tailsweep %s", name);
    for (int i = 1; i < argc; i++) used += (size_t)snprintf(t + used, n - used, " %s", argv[i]);
    return t;
}

/* A one-point output: a store of one task, like any sweep's. */
static ts_status write_store(const ts_kind *k, const ts_task *t, const ts_result_layout *l, const double *block,
                             ts_task_status status, double secs, const char *out, int force, int argc, char **argv,
                             ts_err *err)
{
    char *text = command_text(k->name, argc, argv);
    if (!text) return ts_err_set(err, TS_ENOMEM, "out of memory");
    ts_job *job = NULL;
    ts_status st = ts_job_single(k, &t->params, t->seed, "(command line)", text, &job, err);
    free(text);
    if (!st) snprintf(job->store, sizeof job->store, "%s", out);
    if (!st) st = ts_store_create(out, job, l, force, unix_now(), err);
    ts_store *s = NULL;
    if (!st) st = ts_store_open(out, job, l, &s, err);
    if (!st) {
        ts_task_record r = { .task = 0, .status = (uint8_t)status, .attempt = 1, .rank = 0, .wall = secs,
                             .end_time = unix_now(), .results = block };
        gethostname(r.host, sizeof r.host - 1);
        st = ts_store_put(s, &r, 1, NULL, err);
        if (!st) st = ts_store_sync(s, err);
    }
    ts_store_close(s);
    ts_job_free(job);
    return st;
}

int ts_cli_run_kind(const ts_kind *k, int argc, char **argv,
                    void (*print_summary)(const ts_task *, const ts_result_layout *, double *const *, double))
{
    ts_task t = { .point = 0, .replicate = 0, .seed = 1 };
    const char *out = NULL;
    int force = 0, print = 0, rc = fill_defaults(k, &t);
    if (rc < 0) rc = parse_params(k, argc, argv, &t, &out, &force, &print);
    if (rc >= 0) return rc;
    if (!out && !print) return ts_cli_usage_error(k->name, "nothing to do: give -o FILE.h5 and/or --print");
    ts_err err = { 0 };
    /* refuse an output we may not write before spending the run's time */
    if (out && ts_output_check(out, force, &err)) return ts_cli_fail(k->name, &err);
    if (k->validate && k->validate(&t.params, &err)) return ts_cli_usage_error(k->name, "%s", err.msg);
    ts_result_layout l;
    memset(&l, 0, sizeof l);
    if (k->layout(&t.params, &l, &err)) {
        ts_result_layout_free(&l);
        return ts_cli_fail(k->name, &err);
    }
    /* one block in layout order, as a sweep's task record carries it */
    size_t per = 0;
    for (size_t i = 0; i < l.n; i++) per += ts_result_size(&l.r[i]);
    double *block = calloc(per ? per : 1, sizeof *block);
    double *bufs[TS_MAX_RESULTS] = { 0 };
    if (!block) rc = ts_cli_usage_error(k->name, "out of memory");
    for (size_t i = 0, off = 0; block && i < l.n; off += ts_result_size(&l.r[i]), i++) bufs[i] = block + off;
    ts_task_status status = TS_TASK_TODO;
    double t0 = now();
    if (rc < 0 && k->run(&t, &l, bufs, &status, &err)) rc = ts_cli_fail(k->name, &err);
    double secs = now() - t0;
    if (rc < 0 && out && write_store(k, &t, &l, block, status, secs, out, force, argc, argv, &err))
        rc = ts_cli_fail(k->name, &err);
    if (rc < 0 && out) fprintf(stderr, "tailsweep %s: wrote %s\n", k->name, out);
    if (rc < 0 && print && print_summary) print_summary(&t, &l, bufs, secs);
    if (rc < 0 && status == TS_TASK_DIVERGED) {
        fprintf(stderr, "tailsweep %s: warning: the run diverged (blow-up detector); results are from the "
                        "surviving samples and marked status=diverged\n", k->name);
        rc = TS_EXIT_FAILURE;
    }
    free(block);
    ts_result_layout_free(&l);
    return rc < 0 ? TS_EXIT_OK : rc;
}
