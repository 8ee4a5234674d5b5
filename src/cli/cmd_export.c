/* cmd_export.c: `tailsweep export STORE --csv`: datasets as tidy CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_aggregate.h"
#include "tailsweep/ts_atomic_file.h"

static struct {
    const char *out;
    ts_cli_list vars, datasets;
    int csv, force, aggregate;
} args;

static const ts_cli_opt options[] = {
    { "csv", 0, TS_OPT_FLAG, NULL, "tidy long-format CSV (the only format so far; required)", &args.csv, NULL },
    { "output", 'o', TS_OPT_STRING, "OUT.csv", "write to OUT.csv (under a temporary name, then renamed)\n"
      "instead of stdout", &args.out, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "replace an existing OUT.csv", &args.force, NULL },
    { "vars", 0, TS_OPT_STRINGS, "NAME,NAME,...", "results to export, array results too (e.g. density,tv)", &args.vars, NULL },
    { "dataset", 0, TS_OPT_STRINGS, "NAME", "one dataset to export (e.g. aggregate/tv_mean)", &args.datasets, NULL },
    { "aggregate", 0, TS_OPT_FLAG, NULL, "every /aggregate dataset", &args.aggregate, NULL },
    { 0 } };

static const ts_cli_spec spec = {
    .cmd = "export",
    .usage = "STORE.h5 --csv [-o OUT.csv] [--force] [--vars NAME,NAME,...] [--dataset NAME]... [--aggregate]",
    .summary =
        "Write datasets as tidy long-format CSV, one row per element:\n"
        "  variable,<axis>,...,<dim>,value\n"
        "with a column per dimension any exported dataset has (empty where one lacks\n"
        "it), coordinates as stored (choice axes as names), numbers exact (NaN:\n"
        "missing). Default: every scalar result (one value per task); array results\n"
        "such as a density (a row per grid point per task) only when named with\n"
        "--vars or --dataset. The store is read in blocks.",
    .epilog = "An existing OUT.csv is replaced only with --force. pandas: pd.read_csv(OUT).\n"
              "Exit: 0; 2 bad arguments or an unknown dataset; 3 unreadable/unwritable.",
    .opts = options,
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a store path (STORE.h5)",
};

static void usage(void) { ts_cli_help(&spec); }

static int run(int argc, char **argv)
{
    char **pos = NULL;
    int npos = 0;
    int rc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (rc >= 0) return rc;
    const char *store = pos[0], *out = args.out;
    int force = args.force, aggregate = args.aggregate;
    size_t cap = args.datasets.n + 1;
    for (size_t i = 0; i < args.vars.n; i++) cap += strlen(args.vars.v[i]) / 2 + 1;
    const char **names = calloc(cap, sizeof *names);
    size_t n = 0;
    if (!names) {
        fprintf(stderr, "tailsweep export: out of memory\n");
        rc = TS_EXIT_FAILURE;
    }
    /* --vars: comma lists, split in place */
    for (size_t i = 0; names && i < args.vars.n; i++)
        for (char *save = NULL, *tok = strtok_r((char *)args.vars.v[i], ",", &save); tok; tok = strtok_r(NULL, ",", &save))
            if (*tok) names[n++] = tok;
    for (size_t i = 0; names && i < args.datasets.n; i++) names[n++] = args.datasets.v[i];
    if (rc < 0 && !args.csv) rc = ts_cli_usage_error("export", "say the format: --csv (the only one so far)");
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
        if (!all) {
            fprintf(stderr, "tailsweep export: out of memory\n");
            rc = TS_EXIT_FAILURE;
        }
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
    free(pos);
    ts_cli_list_free(&args.vars);
    ts_cli_list_free(&args.datasets);
    ts_store_view_free(v);
    return rc;
}

const ts_command ts_cmd_export = { "export", "datasets of a store as tidy CSV", run, usage };
