/* cmd_export.c: `tailsweep export STORE --csv`: datasets as tidy CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_aggregate.h"

static void usage(void)
{
    puts("usage: tailsweep export STORE.h5 --csv [-o OUT.csv] [--force]\n"
         "                        [--dataset NAME]... [--aggregate]\n"
         "\n"
         "Write datasets as tidy long-format CSV, one row per element:\n"
         "  variable,<axis>,...,<dim>,value\n"
         "with a column per dimension any exported dataset has (empty where one lacks\n"
         "it), coordinates as stored (choice axes as names), numbers exact (NaN:\n"
         "missing). Default: every result; --dataset NAME (repeatable; e.g. tv or\n"
         "aggregate/tv_mean) picks some; --aggregate takes every /aggregate dataset.\n"
         "Output to stdout, or -o OUT.csv (written whole, then renamed; an existing\n"
         "file only with --force). pandas: pd.read_csv(OUT).\n"
         "Exit: 0; 2 bad arguments or an unknown dataset; 3 unreadable/unwritable.");
}

static int run(int argc, char **argv)
{
    const char *store = NULL, *out = NULL;
    int csv = 0, force = 0, aggregate = 0;
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    size_t n = 0;
    if (!names) return ts_cli_usage_error("export", "out of memory");
    int rc = -1;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            rc = TS_EXIT_OK;
        } else if (strcmp(a, "--csv") == 0) {
            csv = 1;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if (strcmp(a, "--aggregate") == 0) {
            aggregate = 1;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--dataset") == 0) {
            if (i + 1 >= argc) rc = ts_cli_usage_error("export", "%s needs a value", a);
            else if (a[1] == 'o') out = argv[++i];
            else names[n++] = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            rc = ts_cli_usage_error("export", "unknown option '%s' (see tailsweep export --help)", a);
        } else if (store) {
            rc = ts_cli_usage_error("export", "expected one store, got '%s' and '%s'", store, a);
        } else {
            store = a;
        }
    }
    if (rc < 0 && !store) rc = ts_cli_usage_error("export", "expected a store path");
    if (rc < 0 && !csv) rc = ts_cli_usage_error("export", "say the format: --csv (the only one so far)");
    if (rc < 0 && out && !force && access(out, F_OK) == 0) {
        /* as `tailsweep sample` and `sde`: an output never silently replaced */
        fprintf(stderr, "tailsweep export: %s exists (use --force to replace it)\n", out);
        rc = TS_EXIT_IO;
    }
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    if (rc < 0 && ts_store_view_open(store, &v, &err)) rc = ts_cli_fail("export", &err);
    if (rc < 0 && aggregate && !v->has_aggregate)
        rc = ts_cli_usage_error("export", "%s has no /aggregate (run tailsweep aggregate %s)", store, store);
    const char **all = NULL;
    if (rc < 0 && aggregate) {
        all = calloc(n + v->n_dsets + 1, sizeof *all);
        if (!all) rc = ts_cli_usage_error("export", "out of memory");
        size_t m = 0;
        for (size_t i = 0; all && i < n; i++) all[m++] = names[i];
        for (size_t i = 0; all && i < v->n_dsets; i++) {
            const ts_view_dset *d = &v->dsets[i];
            /* the statistics, not the copies of zip coordinates */
            if (d->role == TS_DSET_AGGREGATE && ts_store_view_dset(v, d->path + strlen("aggregate/")) < 0) all[m++] = d->path;
        }
        n = m;
    }
    if (rc < 0) {
        char *tmp = NULL;
        FILE *f = stdout;
        if (out) {
            size_t len = strlen(out) + 32;
            tmp = malloc(len);
            if (tmp) snprintf(tmp, len, "%s.tmp.%ld", out, (long)getpid());
            f = tmp ? fopen(tmp, "w") : NULL;
            if (!f) {
                fprintf(stderr, "tailsweep export: cannot create %s: %s\n", tmp ? tmp : out, strerror(errno));
                rc = TS_EXIT_IO;
            }
        }
        uint64_t rows = 0;
        if (rc < 0 && ts_export_csv(v, all ? all : names, n, f, out ? out : "stdout", &rows, &err))
            rc = ts_cli_fail("export", &err);
        if (out && f && fclose(f) != 0 && rc < 0) {
            fprintf(stderr, "tailsweep export: cannot write %s: %s\n", out, strerror(errno));
            rc = TS_EXIT_IO;
        }
        if (out && rc < 0 && rename(tmp, out) != 0) {
            fprintf(stderr, "tailsweep export: cannot rename %s to %s: %s\n", tmp, out, strerror(errno));
            rc = TS_EXIT_IO;
        }
        if (out && rc >= 0 && tmp) unlink(tmp);
        if (rc < 0) {
            if (out) fprintf(stderr, "tailsweep export: %s: %llu rows\n", out, (unsigned long long)rows);
            rc = TS_EXIT_OK;
        }
        free(tmp);
    }
    free(all);
    free(names);
    ts_store_view_free(v);
    return rc;
}

const ts_command ts_cmd_export = { "export", "datasets of a store as tidy CSV", run, usage };
