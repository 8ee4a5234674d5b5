/* cmd_aggregate.c: `tailsweep aggregate STORE`: statistics over the seeds
 * (and any other axes) written into the store under /aggregate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tailsweep/ts_aggregate.h"

static struct {
    const char *out, *quantiles;
    ts_cli_list over;
    double level;
    int force;
} args = { .level = NAN };

static const ts_cli_opt options[] = {
    { "over", 0, TS_OPT_STRINGS, "AXIS", "also reduce over AXIS (the seed axis, replicate, always)", &args.over, NULL },
    { "quantiles", 0, TS_OPT_STRING, "P,P,...", "quantiles to compute, each in [0, 1]\n"
      "(default 0.05,0.25,0.75,0.95; NumPy's 'linear' method)", &args.quantiles, NULL },
    { "level", 0, TS_OPT_DOUBLE, "L", "confidence level of the shift maps' intervals (default 0.95)", &args.level, NULL },
    { "output", 'o', TS_OPT_STRING, "OUT.h5", "stack the stores named into OUT.h5 and aggregate that", &args.out, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "replace an existing OUT.h5", &args.force, NULL },
    { 0 } };

static const ts_cli_spec spec = {
    .cmd = "aggregate",
    .usage = "STORE.h5 [--over AXIS]... [--quantiles P,P,...] [--level L]\n"
             "       tailsweep aggregate -o OUT.h5 [--force] STORE_SEED1.h5 STORE_SEED2.h5 ... [options]",
    .summary =
        "Reduce every result of STORE over the seed axis (replicate), and over each\n"
        "--over AXIS too: count of values present, mean, sd (ddof 1), se, median and\n"
        "quantiles. Written into STORE under /aggregate (replacing an earlier one),\n"
        "with the coordinates of the kept axes, per-cell task counts (tasks_done, ...)\n"
        "and the derived summaries the store's kind declares (sde: the shift maps\n"
        "map_shift_left/right, map_tv, map_kl, map_w1, map_diverged_frac, each with\n"
        "map_*_ci_lo/hi (Student-t, level L), map_*_count and map_*_sd). Works on\n"
        "partial stores: missing values (NaN) are left out and counted.",
    .epilog =
        "/aggregate is added inside a transaction: nothing is copied, and a kill at any\n"
        "moment leaves the store as it was. It records the store's state, so `info`\n"
        "and `plot` see when it is stale.\n"
        "With -o: the stores of one job run with different seeds (a SLURM array) are\n"
        "stacked into OUT.h5 with a leading 'seed' dimension (/status and results),\n"
        "which is then aggregated over seed and replicate. The stores must hold the\n"
        "same job but for the seed (the settings that differ are named), and OUT.h5\n"
        "is never overwritten without --force.\n"
        "A summary of what was written goes to stderr.\n"
        "Exit: 0 ok; 2 bad arguments, unknown axis, not a store or a newer format;\n"
        "3 the store cannot be read or written (or a sweep holds it).",
    .opts = options,
    .min_pos = 1,
    .max_pos = -1,
    .pos_name = "a store path (STORE.h5)",
};

static void usage(void) { ts_cli_help(&spec); }

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

/* Parse argv into o and the stores; returns -1 to go on, else an exit code. */
static int parse(int argc, char **argv, ts_agg_opts *o, char ***stores, size_t *n)
{
    int npos;
    int rc = ts_cli_parse(&spec, argc, argv, stores, &npos);
    if (rc >= 0) return rc;
    *n = (size_t)npos;
    for (size_t i = 0; i < args.over.n; i++) {
        if (o->n_over == TS_VIEW_MAX_RANK) return ts_cli_usage_error("aggregate", "--over: at most %d axes", TS_VIEW_MAX_RANK);
        if (strlen(args.over.v[i]) >= sizeof o->over[0]) return ts_cli_usage_error("aggregate", "--over: axis name too long");
        snprintf(o->over[o->n_over++], sizeof o->over[0], "%s", args.over.v[i]);
    }
    if (args.quantiles && parse_quantiles(args.quantiles, o) != 0) return TS_EXIT_USAGE;
    if (!isnan(args.level)) {
        if (!(args.level > 0 && args.level < 1))
            return ts_cli_usage_error("aggregate", "--level: %g is outside (0, 1)", args.level);
        o->level = args.level;
    }
    if (*n > 1 && !args.out)
        return ts_cli_usage_error("aggregate", "expected one store, got '%s' and '%s' (stack several with -o OUT.h5)",
                                  (*stores)[0], (*stores)[1]);
    return -1;
}

static int run(int argc, char **argv)
{
    char **stores = NULL;
    size_t n = 0;
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    o.kinds = ts_cli_kinds;
    int rc = parse(argc, argv, &o, &stores, &n);
    const char *out = args.out;
    ts_err err = { 0 };
    ts_agg_summary s;
    if (rc < 0) {
        ts_status st = out ? ts_aggregate_stack(out, (const char **)stores, n, args.force, &o, &s, &err)
                           : ts_aggregate_store(stores[0], &o, &s, &err);
        rc = st ? ts_cli_fail("aggregate", &err) : TS_EXIT_OK;
    }
    if (rc == TS_EXIT_OK && n) {
        const char *store = out ? out : stores[0];
        if (out) fprintf(stderr, "tailsweep aggregate: %s: %zu stores stacked over seed\n", out, n);
        fprintf(stderr, "tailsweep aggregate: %s: /aggregate: %zu results over %sreplicate", store, s.n_results,
                out ? "seed, " : "");
        for (size_t i = 0; i < o.n_over; i++) fprintf(stderr, ", %s", o.over[i]);
        fprintf(stderr, "; %llu cells, %llu without any value", (unsigned long long)s.cells,
                (unsigned long long)s.empty_cells);
        if (s.n_maps) fprintf(stderr, "; %zu derived maps", s.n_maps);
        fprintf(stderr, "\n");
        if (s.note[0]) fprintf(stderr, "tailsweep aggregate: note: %s\n", s.note);
    }
    free(stores);
    ts_cli_list_free(&args.over);
    return rc;
}

const ts_command ts_cmd_aggregate = { "aggregate", "statistics over seeds (and axes) into STORE:/aggregate", run, usage };
