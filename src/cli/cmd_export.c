/* cmd_export.c: `tailsweep export STORE --csv`: datasets as tidy CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_aggregate.h"
#include "tailsweep/ts_atomic_file.h"

static void usage(void)
{
    puts("usage: tailsweep export STORE.h5 --csv [-o OUT.csv] [--force]\n"
         "                        [--vars NAME,NAME,...] [--dataset NAME]... [--aggregate]\n"
         "\n"
         "Write datasets as tidy long-format CSV, one row per element:\n"
         "  variable,<axis>,...,<dim>,value\n"
         "with a column per dimension any exported dataset has (empty where one lacks\n"
         "it), coordinates as stored (choice axes as names), numbers exact (NaN:\n"
         "missing). Default: every scalar result (one value per task); array results\n"
         "such as a density (a row per grid point per task) only when named:\n"
         "--vars density,tv or --dataset NAME (repeatable; e.g. aggregate/tv_mean);\n"
         "--aggregate takes every /aggregate dataset. The store is read in blocks.\n"
         "Output to stdout, or -o OUT.csv (written under a temporary name, then\n"
         "renamed; an existing file only with --force). pandas: pd.read_csv(OUT).\n"
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
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--dataset") == 0 ||
                   strcmp(a, "--vars") == 0) {
            if (i + 1 >= argc) rc = ts_cli_usage_error("export", "%s needs a value", a);
            else if (a[1] == 'o' || strcmp(a, "--output") == 0) out = argv[++i];
            else if (strcmp(a, "--vars") == 0) {
                /* a comma list, split in place */
                for (char *tok = strtok(argv[++i], ","); tok; tok = strtok(NULL, ","))
                    if (*tok && n < (size_t)argc) names[n++] = tok;
            } else names[n++] = argv[++i];
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
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    /* as `tailsweep sample` and `sde`: an output never silently replaced */
    if (rc < 0 && out && ts_output_check(out, force, &err)) rc = ts_cli_fail("export", &err);
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
        ts_atomic_file af = { 0 };
        FILE *f = stdout;
        if (out) {
            if (ts_atomic_begin(&af, out, force, &err)) rc = ts_cli_fail("export", &err);
            else if (!(f = fopen(af.tmp, "w"))) {
                fprintf(stderr, "tailsweep export: cannot write %s: %s\n", af.tmp, strerror(errno));
                ts_atomic_abort(&af);
                rc = TS_EXIT_IO;
            }
        }
        uint64_t rows = 0;
        if (rc < 0 && ts_export_csv(v, all ? all : names, n, f, out ? out : "stdout", &rows, &err))
            rc = ts_cli_fail("export", &err);
        if (out && f && f != stdout) {
            if (fclose(f) != 0 && rc < 0) {
                fprintf(stderr, "tailsweep export: cannot write %s: %s\n", out, strerror(errno));
                rc = TS_EXIT_IO;
            }
            if (rc < 0 && ts_atomic_commit(&af, &err)) rc = ts_cli_fail("export", &err);
            else if (rc >= 0) ts_atomic_abort(&af);
        }
        if (rc < 0) {
            if (out) fprintf(stderr, "tailsweep export: wrote %s: %llu rows\n", out, (unsigned long long)rows);
            rc = TS_EXIT_OK;
        }
    }
    free(all);
    free(names);
    ts_store_view_free(v);
    return rc;
}

const ts_command ts_cmd_export = { "export", "datasets of a store as tidy CSV", run, usage };
