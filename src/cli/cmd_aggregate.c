/* cmd_aggregate.c: `tailsweep aggregate STORE`: statistics over the seeds
 * (and any other axes) written into the store under /aggregate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_aggregate.h"

static void usage(void)
{
    puts("usage: tailsweep aggregate STORE.h5 [--over AXIS]... [--quantiles P,P,...] [--level L]\n"
         "       tailsweep aggregate -o OUT.h5 [--force] STORE_SEED1.h5 STORE_SEED2.h5 ... [options]\n"
         "\n"
         "Reduce every result of STORE over the seed axis (replicate), and over each\n"
         "--over AXIS too: count of values present, mean, sd (ddof 1), se, median and\n"
         "quantiles (NumPy's default 'linear' method; default 0.05,0.25,0.75,0.95).\n"
         "Written into STORE under /aggregate (replacing an earlier one), with the\n"
         "coordinates of the kept axes, per-cell task counts (tasks_done, ...) and, for\n"
         "sde stores, shift maps: map_shift_left/right, map_tv, map_kl, map_w1,\n"
         "map_diverged_frac, each with map_*_ci_lo/hi (Student-t, level L, default\n"
         "0.95), map_*_count and map_*_sd. Works on partial stores: missing values\n"
         "(NaN) are left out and counted. /aggregate is added inside a transaction:\n"
         "nothing is copied, and a kill at any moment leaves the store as it was. It\n"
         "records the store's state, so `info` and `plot` see when it is stale.\n"
         "With -o: the stores of one job run with different seeds (a SLURM array) are\n"
         "stacked into OUT.h5 with a leading 'seed' dimension (/status and results),\n"
         "which is then aggregated over seed and replicate. The stores must hold the\n"
         "same job but for the seed (the settings that differ are named), and OUT.h5\n"
         "is never overwritten without --force.\n"
         "Exit: 0 ok; 2 bad arguments, unknown axis, not a store or a newer format;\n"
         "3 the store cannot be read or written (or a sweep holds it).");
}

/* "0.05,0.5,0.95" -> q[] */
static int parse_quantiles(const char *text, ts_agg_opts *o)
{
    char *dup = strdup(text), *save = NULL;
    if (!dup) return -1;
    o->n_q = 0;
    int rc = 0;
    for (char *tok = strtok_r(dup, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        double p;
        if (o->n_q == TS_AGG_MAX_Q) {
            rc = -1;
            ts_cli_usage_error("aggregate", "--quantiles: at most %d values", TS_AGG_MAX_Q);
        } else if (ts_cli_double("aggregate", "--quantiles", tok, &p) != 0) {
            rc = -1;
        } else if (!(p >= 0 && p <= 1)) {
            rc = -1;
            ts_cli_usage_error("aggregate", "--quantiles: %g is outside [0, 1]", p);
        } else {
            o->q[o->n_q++] = p;
        }
    }
    free(dup);
    return rc;
}

/* Parse argv into o, out and stores; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, ts_agg_opts *o, const char **out, int *force, const char **stores,
                 size_t *n)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return TS_EXIT_OK;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!has) return ts_cli_usage_error("aggregate", "%s needs an output store", a);
            *out = argv[++i];
        } else if (strcmp(a, "--force") == 0) {
            *force = 1;
        } else if (strcmp(a, "--over") == 0) {
            if (!has) return ts_cli_usage_error("aggregate", "--over needs an axis name");
            if (o->n_over == TS_VIEW_MAX_RANK) return ts_cli_usage_error("aggregate", "--over: at most %d axes", TS_VIEW_MAX_RANK);
            if (strlen(argv[i + 1]) >= sizeof o->over[0]) return ts_cli_usage_error("aggregate", "--over: axis name too long");
            snprintf(o->over[o->n_over++], sizeof o->over[0], "%s", argv[++i]);
        } else if (strcmp(a, "--quantiles") == 0) {
            if (!has) return ts_cli_usage_error("aggregate", "--quantiles needs a list such as 0.05,0.95");
            if (parse_quantiles(argv[++i], o) != 0) return TS_EXIT_USAGE;
        } else if (strcmp(a, "--level") == 0) {
            if (!has) return ts_cli_usage_error("aggregate", "--level needs a value in (0, 1)");
            if (ts_cli_double("aggregate", "--level", argv[++i], &o->level) != 0) return TS_EXIT_USAGE;
            if (!(o->level > 0 && o->level < 1)) return ts_cli_usage_error("aggregate", "--level: %g is outside (0, 1)", o->level);
        } else if (a[0] == '-' && a[1]) {
            return ts_cli_usage_error("aggregate", "unknown option '%s' (see tailsweep aggregate --help)", a);
        } else {
            stores[(*n)++] = a;
        }
    }
    if (!*n) return ts_cli_usage_error("aggregate", "expected a store path (see tailsweep aggregate --help)");
    if (*n > 1 && !*out)
        return ts_cli_usage_error("aggregate", "expected one store, got '%s' and '%s' (stack several with -o OUT.h5)",
                                  stores[0], stores[1]);
    return -1;
}

static int run(int argc, char **argv)
{
    const char *out = NULL;
    const char **stores = calloc((size_t)argc, sizeof *stores);
    size_t n = 0;
    if (!stores) return ts_cli_usage_error("aggregate", "out of memory");
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    int force = 0;
    int rc = parse(argc, argv, &o, &out, &force, stores, &n);
    ts_err err = { 0 };
    ts_agg_summary s;
    if (rc < 0) {
        ts_status st = out ? ts_aggregate_stack(out, stores, n, force, &o, &s, &err) : ts_aggregate_store(stores[0], &o, &s, &err);
        rc = st ? ts_cli_fail("aggregate", &err) : TS_EXIT_OK;
    }
    if (rc == TS_EXIT_OK && n) {
        const char *store = out ? out : stores[0];
        if (out) printf("%s: %zu stores stacked over seed\n", out, n);
        printf("%s: /aggregate: %zu results over %sreplicate", store, s.n_results, out ? "seed, " : "");
        for (size_t i = 0; i < o.n_over; i++) printf(", %s", o.over[i]);
        printf("; %llu cells, %llu without any value", (unsigned long long)s.cells, (unsigned long long)s.empty_cells);
        if (s.n_maps) printf("; %zu shift maps", s.n_maps);
        printf("\n");
        if (s.note[0]) fprintf(stderr, "tailsweep aggregate: note: %s\n", s.note);
    }
    free(stores);
    return rc;
}

const ts_command ts_cmd_aggregate = { "aggregate", "statistics over seeds (and axes) into STORE:/aggregate", run, usage };
