/* cmd_plot.c: `tailsweep plot STORE --figure NAME -o OUT.png`: checks its
 * arguments and the store here, in C, so mistakes get the same messages and
 * exit codes as every other command, then runs tools/plot_store.py (h5py +
 * matplotlib on /usr/bin/python3) to draw. Plotting stays in Python because
 * matplotlib is what the users' own notebooks use, and C has no plotting
 * library of that standard on Debian. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_plot_select.h"
#include "tailsweep/ts_store_schema.h"
#include "tailsweep/ts_store_view.h"

static const char *const figures[] = { "fig6", "shiftmap", "loss", "gradnoise", "curve", "map", "metastability",
                                       "gradnoise_pdf", NULL };

static void usage(void)
{
    puts("usage: tailsweep plot STORE.h5 --figure NAME -o OUT.png [--by AXIS]\n"
         "       tailsweep plot STORE.h5 --figure curve --value RESULT --x AXIS [--by AXIS] [--at AXIS=VALUE]...\n"
         "                      [--diff-from AXIS=VALUE] -o OUT.png\n"
         "       tailsweep plot STORE.h5 --figure map --value RESULT --x AXIS --y AXIS [--at AXIS=VALUE]... -o OUT.png\n"
         "\n"
         "figures:\n"
         "  fig6       density against Gibbs, a panel per alpha, a curve per theta\n"
         "             (the paper's figure 6; mean over seeds with a seed band)\n"
         "  shiftmap   heatmaps over (alpha, theta) of the mode shifts, TV, KL, W1 and\n"
         "             the diverged fraction, annotated with mean and CI half-width\n"
         "  loss       every rank-1 'step' result (train_loss, test_loss, ...): mean\n"
         "             over seeds with a +-1 sd band, a curve per value of --by\n"
         "             (default sigma2, else M, else the first axis)\n"
         "  gradnoise  distributions of the fitted gradient-noise alpha and beta\n"
         "             (gradnoise_alpha, gradnoise_beta) per value of --by\n"
         "  curve      the seed mean of a scalar result against --x, a line per value of\n"
         "             --by, with a confidence band (Student t, /aggregate's ci_level);\n"
         "             log x when the values are positive and spaced like a logspace\n"
         "  map        a heatmap of the seed mean of a scalar result over --x and --y,\n"
         "             each cell annotated with the mean and the CI half-width\n"
         "  metastability  eps^-alpha x exit_rate (the rate of eps^alpha tau) against eps, a\n"
         "             panel per basin, a curve per other axis value, with the small-noise\n"
         "             law's limit drawn dashed (sde stores with exit_rate over eps; no\n"
         "             aggregate needed: the replicates' rates are averaged)\n"
         "  gradnoise_pdf  the paper's figure 2: the pdf of the positive raw gradient-noise\n"
         "             values (gradnoise_raw) against fitted half-normal and half-Cauchy\n"
         "             laws, a panel per raw step (seeds pooled, each over its median |value|)\n"
         "  --diff-from AXIS=VALUE  (curve, map) draw the paired difference within each\n"
         "             seed from the value at AXIS=VALUE (AXIS drawn), from the raw results\n"
         "curve and map: every other dimension with more than one value is fixed with\n"
         "--at AXIS=VALUE (repeatable) or reduced by `tailsweep aggregate --over AXIS`;\n"
         "cells where a seed diverged are masked and marked, never drawn as values.\n"
         "fig6, shiftmap, loss, curve and map read /aggregate: run `tailsweep aggregate STORE` first.\n"
         "Draws with tools/plot_store.py through /usr/bin/python3 (h5py, matplotlib);\n"
         "TAILSWEEP_PYTHON and TAILSWEEP_PLOT_SCRIPT override both.\n"
         "Exit: 0; 2 bad arguments, unknown figure or axis, data the figure needs\n"
         "missing; 3 unreadable store or unwritable output; 1 the plot failed.");
}

static int has_dim(const ts_store_view *v, const ts_view_dset *d, const char *name)
{
    for (size_t k = 0; k < d->rank; k++)
        if (d->dim[k] >= 0 && strcmp(v->dims[d->dim[k]].name, name) == 0) return 1;
    return 0;
}

/* gradnoise_pdf: the gni kind's raw noise values (raw_steps set), no /aggregate. */
static int check_gradnoise_pdf(const ts_store_view *v, const char *store)
{
    for (size_t i = 0; i < v->n_dsets; i++)
        if (v->dsets[i].role == TS_DSET_RESULT && strcmp(v->dsets[i].path, "gradnoise_raw") == 0) return 0;
    return ts_cli_usage_error("plot", "%s: gradnoise_pdf needs the result gradnoise_raw (a gni job with raw_steps)",
                              store);
}

/* What the figure needs, or an exit code after saying what is missing. */
static int check_data(const ts_store_view *v, const char *fig, const char *store)
{
    if (strcmp(fig, "gradnoise_pdf") == 0) return check_gradnoise_pdf(v, store);
    if (strcmp(fig, "curve") == 0 || strcmp(fig, "map") == 0) return 0;   /* ts_plot_check_selection */
    if (strcmp(fig, "metastability") == 0) {
        int i = ts_store_view_dset(v, "exit_rate"), j = ts_store_view_dset(v, "exit_rate_law");
        if (i < 0 || j < 0 || !has_dim(v, &v->dsets[i], "eps"))
            return ts_cli_usage_error("plot", "%s: metastability needs the sde results exit_rate and exit_rate_law over an eps axis", store);
        return 0;
    }
    int need_agg = strcmp(fig, "gradnoise") != 0;
    if (need_agg && !v->has_aggregate)
        return ts_cli_usage_error("plot", "%s has no /aggregate: run `tailsweep aggregate %s` first", store, store);
    if (strcmp(fig, "fig6") == 0) {
        if (ts_store_view_dset(v, TS_GROUP_AGGREGATE "/density_mean") < 0 || ts_store_view_dset(v, TS_GROUP_AGGREGATE "/gibbs_mean") < 0)
            return ts_cli_usage_error("plot", "%s: fig6 needs the sde results density and gibbs (recorded and aggregated)", store);
        return 0;
    }
    if (strcmp(fig, "shiftmap") == 0) {
        if (ts_store_view_dset(v, TS_GROUP_AGGREGATE "/map_shift_left") < 0 && ts_store_view_dset(v, TS_GROUP_AGGREGATE "/map_tv") < 0)
            return ts_cli_usage_error("plot", "%s: shiftmap needs the shift maps of an sde store (aggregate/map_*)", store);
        return 0;
    }
    for (size_t i = 0; i < v->n_dsets; i++) {
        const ts_view_dset *d = &v->dsets[i];
        if (strcmp(fig, "loss") == 0 && d->role == TS_DSET_AGGREGATE && has_dim(v, d, "step")) return 0;
        if (strcmp(fig, "gradnoise") == 0 && d->role == TS_DSET_RESULT &&
            (strcmp(d->path, "gradnoise_alpha") == 0 || strcmp(d->path, "gradnoise_beta") == 0))
            return 0;
    }
    return ts_cli_usage_error("plot", "%s: %s", store,
                              strcmp(fig, "loss") == 0 ? "loss needs a result over 'step' (train_loss, ...), aggregated"
                                                       : "gradnoise needs gradnoise_alpha or gradnoise_beta");
}

/* The script: $TAILSWEEP_PLOT_SCRIPT, else beside the build (bin/../../tools)
 * or the install (bin/../share/tailsweep). */
static int find_script(char *out, size_t n)
{
    const char *env = getenv("TAILSWEEP_PLOT_SCRIPT");
    if (env && env[0]) {
        snprintf(out, n, "%s", env);
        return access(out, R_OK) == 0 ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    static const char *const rel[] = { "../../tools/plot_store.py", "../share/tailsweep/plot_store.py" };
    for (int i = 0; i < 2; i++) {
        snprintf(out, n, "%s/%s", exe, rel[i]);
        if (access(out, R_OK) == 0) return 0;
    }
    return -1;
}

static int run(int argc, char **argv)
{
    const char *store = NULL, *fig = NULL, *out = NULL, *by = NULL;
    ts_plot_sel sel = { 0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return TS_EXIT_OK;
        }
        const char **slot = strcmp(a, "--figure") == 0 ? &fig : strcmp(a, "-o") == 0 ? &out
                          : strcmp(a, "--by") == 0 ? &by : strcmp(a, "--value") == 0 ? &sel.value
                          : strcmp(a, "--x") == 0 ? &sel.x : strcmp(a, "--y") == 0 ? &sel.y : NULL;
        if (strcmp(a, "--diff-from") == 0) {
            if (i + 1 >= argc) return ts_cli_usage_error("plot", "--diff-from needs a value (AXIS=VALUE)");
            sel.diff_from = argv[++i];
        } else if (strcmp(a, "--at") == 0) {
            if (i + 1 >= argc) return ts_cli_usage_error("plot", "--at needs a value (AXIS=VALUE)");
            if (sel.n_at == TS_PLOT_MAX_AT) return ts_cli_usage_error("plot", "--at: at most %d of them", TS_PLOT_MAX_AT);
            sel.at[sel.n_at++] = argv[++i];
        } else if (slot) {
            if (i + 1 >= argc) return ts_cli_usage_error("plot", "%s needs a value", a);
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return ts_cli_usage_error("plot", "unknown option '%s' (see tailsweep plot --help)", a);
        } else if (store) {
            return ts_cli_usage_error("plot", "expected one store, got '%s' and '%s'", store, a);
        } else {
            store = a;
        }
    }
    if (!store) return ts_cli_usage_error("plot", "expected a store path");
    if (!fig) return ts_cli_usage_error("plot", "--figure NAME is required (fig6, shiftmap, loss, gradnoise, curve, map, gradnoise_pdf)");
    int known = 0;
    for (int i = 0; figures[i]; i++) known |= strcmp(fig, figures[i]) == 0;
    if (!known) return ts_cli_usage_error("plot", "--figure: unknown figure '%s' (fig6, shiftmap, loss, gradnoise, curve, map, gradnoise_pdf)", fig);
    int generic = strcmp(fig, "curve") == 0 || strcmp(fig, "map") == 0;
    if (!generic && (sel.value || sel.x || sel.y || sel.n_at || sel.diff_from))
        return ts_cli_usage_error("plot", "--value, --x, --y, --at and --diff-from belong to --figure curve and map, not %s",
                                  fig);
    if (!out) return ts_cli_usage_error("plot", "-o OUT.png is required");
    size_t ol = strlen(out);
    if (ol < 5 || strcmp(out + ol - 4, ".png") != 0) return ts_cli_usage_error("plot", "-o %s: the output is a .png file", out);
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    if (ts_store_view_open(store, &v, &err)) return ts_cli_fail("plot", &err);
    sel.by = by;
    int rc = generic ? ts_plot_check_selection(v, store, fig, &sel) : check_data(v, fig, store);
    if (!rc && by && !generic) {
        int found = 0;
        for (size_t k = 0; k < v->n_task_dims; k++)
            found |= v->task_dim[k] >= 0 && strcmp(v->dims[v->task_dim[k]].name, by) == 0 &&
                     strcmp(by, TS_DIM_REPLICATE) != 0;
        if (!found) rc = ts_cli_usage_error("plot", "--by: %s has no axis '%s'", store, by);
    }
    ts_store_view_free(v);
    if (rc) return rc;
    char script[PATH_MAX + 64];
    if (find_script(script, sizeof script) != 0) {
        fprintf(stderr, "tailsweep plot: cannot find tools/plot_store.py (set TAILSWEEP_PLOT_SCRIPT)\n");
        return TS_EXIT_IO;
    }
    const char *py = getenv("TAILSWEEP_PYTHON");
    if (!py || !py[0]) py = "/usr/bin/python3";
    char *args[24 + 2 * TS_PLOT_MAX_AT];
    int n = 0;
    args[n++] = (char *)py;
    args[n++] = script;
    args[n++] = (char *)store;
    args[n++] = "--figure";
    args[n++] = (char *)fig;
    args[n++] = "-o";
    args[n++] = (char *)out;
    if (by) {
        args[n++] = "--by";
        args[n++] = (char *)by;
    }
    const char *gen_opt[3] = { "--value", "--x", "--y" };
    const char *gen_val[3] = { sel.value, sel.x, sel.y };
    for (int k = 0; k < 3 && generic; k++) {
        if (!gen_val[k]) continue;
        args[n++] = (char *)gen_opt[k];
        args[n++] = (char *)gen_val[k];
    }
    for (size_t k = 0; k < sel.n_at; k++) {   /* resolved to indices: one matching rule, here */
        args[n++] = "--at-index";
        args[n++] = sel.at_index[k];
    }
    if (sel.diff_index[0]) {
        args[n++] = "--diff-index";
        args[n++] = sel.diff_index;
    }
    args[n] = NULL;
    fflush(NULL);
    execv(py, args);
    fprintf(stderr, "tailsweep plot: cannot run %s: %s\n", py, strerror(errno));
    return TS_EXIT_IO;
}

const ts_command ts_cmd_plot = { "plot", "figures from a store (fig6, shiftmap, loss, gradnoise, curve, map, gradnoise_pdf)", run, usage };
