/* cmd_plot.c: `tailsweep plot STORE --figure NAME -o OUT.png`: checks its
 * arguments and the store here, in C, so mistakes get the same messages and
 * exit codes as every other command, then runs tools/plot_store.py (h5py +
 * matplotlib on /usr/bin/python3) to draw. Plotting stays in Python because
 * matplotlib is what the users' own notebooks use, and C has no plotting
 * library of that standard on Debian. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_figure.h"
#include "cmd_plot_fig3.h"
#include "cmd_plot_select.h"
#include "tailsweep/ts_store_schema.h"
#include "tailsweep/ts_store_view.h"

/* Figures of any store; the kinds' own come from their tables. */
static const char *const any_step[] = { NULL };
static const ts_figure generic_figures[] = {
    { "curve", "the seed mean of a scalar result against --x, a line per value of\n"
               "--by, with a confidence band (Student t, /aggregate's ci_level);\n"
               "log x when the values are positive and spaced like a logspace", NULL, 0, NULL, 1 },
    { "map", "a heatmap of the seed mean of a scalar result over --x and --y,\n"
             "each cell annotated with the mean and the CI half-width", NULL, 0, NULL, 1 },
    { "loss", "every rank-1 'step' result (train_loss, test_loss, ...): mean\n"
              "over the seeds done (a diverged seed leaves its cell) with the\n"
              "seeds' 25%-75% quantiles as band, a curve per value of --by\n"
              "(default sigma2, else M, else the first axis)", any_step, 1, "step", 1 },
    { 0 } };

/* Figures of no store: their numbers are computed here. */
static const ts_figure storeless_figures[] = {
    { "fig3", "the main paper's figure 3: symmetric sub-Weibull draws (r = 0.8, 1, 2;\n"
              "--samples per r, --seed) with alpha-stable and Gaussian laws fitted by\n"
              "maximum likelihood; densities, and the upper tails on a log axis", NULL, 0, NULL, 0 },
    { 0 } };

static int is_generic_selection(const char *fig) { return strcmp(fig, "curve") == 0 || strcmp(fig, "map") == 0; }
static int is_storeless(const char *fig) { return strcmp(fig, "fig3") == 0; }

/* The figure of that name: generic, else a kind's; *owner the kind (NULL
 * for a generic one). */
static const ts_figure *find_figure(const char *name, const ts_kind **owner)
{
    *owner = NULL;
    for (const ts_figure *f = generic_figures; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    for (const ts_figure *f = storeless_figures; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    for (size_t k = 0; ts_cli_kinds[k]; k++)
        for (const ts_figure *f = ts_cli_kinds[k]->figures; f && f->name; f++)
            if (strcmp(f->name, name) == 0) {
                *owner = ts_cli_kinds[k];
                return f;
            }
    return NULL;
}

/* "curve, map, loss, fig6, ..." */
static void figure_names(char *buf, size_t n, const char **names, size_t *count, size_t cap)
{
    size_t used = 0;
    *count = 0;
    buf[0] = '\0';
    for (const ts_figure *f = generic_figures; f->name; f++) {
        used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", used ? ", " : "", f->name);
        if (*count < cap) names[(*count)++] = f->name;
    }
    for (size_t k = 0; ts_cli_kinds[k]; k++)
        for (const ts_figure *f = ts_cli_kinds[k]->figures; f && f->name; f++) {
            used += (size_t)snprintf(buf + used, used < n ? n - used : 0, ", %s", f->name);
            if (*count < cap) names[(*count)++] = f->name;
        }
    for (const ts_figure *f = storeless_figures; f->name; f++) {
        used += (size_t)snprintf(buf + used, used < n ? n - used : 0, ", %s", f->name);
        if (*count < cap) names[(*count)++] = f->name;
    }
}

static int has_dim(const ts_store_view *v, const ts_view_dset *d, const char *name)
{
    for (size_t k = 0; k < d->rank; k++)
        if (d->dim[k] >= 0 && strcmp(v->dims[d->dim[k]].name, name) == 0) return 1;
    return 0;
}

/* The dataset that stands for result `name` of figure f, or NULL. */
static const ts_view_dset *needed(const ts_store_view *v, const ts_figure *f, const char *name)
{
    char path[160];
    int i = -1;
    if (f->aggregated) {
        snprintf(path, sizeof path, TS_GROUP_AGGREGATE "/%s_mean", name);
        i = ts_store_view_dset(v, path);
        if (i < 0) {   /* a derived summary */
            snprintf(path, sizeof path, TS_GROUP_AGGREGATE "/map_%s_mean", name);
            i = ts_store_view_dset(v, path);
        }
    } else {
        i = ts_store_view_dset(v, name);
        if (i >= 0 && v->dsets[i].role != TS_DSET_RESULT) i = -1;
    }
    if (i < 0 || (f->over && !has_dim(v, &v->dsets[i], f->over))) return NULL;
    return &v->dsets[i];
}

/* Does the store hold what figure f needs? 0, or an exit code after saying
 * what is missing. */
static int check_data(const ts_store_view *v, const ts_figure *f, const ts_kind *owner, const char *store)
{
    if (f->aggregated && !v->has_aggregate)   /* ts_cli_aggregate_first made it: something went wrong */
        return ts_cli_usage_error("plot", "%s has no /aggregate: run `tailsweep aggregate %s`", store, store);
    size_t found = 0, total = 0;
    for (size_t i = 0; f->needs && f->needs[i]; i++, total++) found += needed(v, f, f->needs[i]) != NULL;
    if (total == 0 && f->over) {   /* any result over that dimension */
        for (size_t i = 0; i < v->n_dsets && !found; i++) {
            const ts_view_dset *d = &v->dsets[i];
            found += (f->aggregated ? d->role == TS_DSET_AGGREGATE : d->role == TS_DSET_RESULT) && has_dim(v, d, f->over);
        }
        total = 1;
    }
    if (f->needs_any ? found > 0 : found == total) return 0;
    char list[256] = "";
    size_t used = 0;
    for (size_t i = 0; f->needs && f->needs[i]; i++)
        used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0, "%s%s",
                                 i == 0 ? "" : f->needs[i + 1] ? ", " : f->needs_any ? " or " : " and ", f->needs[i]);
    /* the data decides, not the kind's name; the name explains a refusal */
    char whose[160] = "";
    if (owner && strcmp(owner->name, v->kind) != 0)
        snprintf(whose, sizeof whose, " (a figure of %s stores; this one holds a %s job)", owner->name, v->kind);
    return ts_cli_usage_error("plot", "%s: %s needs %s%s%s%s%s%s", store, f->name,
                              total && f->needs && f->needs[0] ? "the results " : "a result", list,
                              f->over ? " over '" : "", f->over ? f->over : "", f->over ? "'" : "", whose);
}

static struct {
    const char *figure, *out, *by, *value, *x, *y, *diff_from, *style;
    ts_cli_list at;
    double dpi, width, height;
    uint64_t seed, samples;
    int force;
} args = { .dpi = NAN, .width = NAN, .height = NAN, .seed = 1, .samples = 10000 };

static const ts_cli_opt options[] = {
    { "figure", 0, TS_OPT_STRING, "NAME", "the figure (below)", &args.figure, NULL },
    { "output", 'o', TS_OPT_STRING, "OUT.png", "the figure to write; its ending picks the format:\n"
      ".png, .pdf or .svg", &args.out, NULL },
    { "dpi", 0, TS_OPT_DOUBLE, "DPI", "resolution of a PNG, in 10..1200 (default 100; PDF and\n"
      "SVG are vector, the DPI only sizes their embedded images)", &args.dpi, NULL },
    { "width", 0, TS_OPT_DOUBLE, "INCHES", "figure width, in (0, 100] (default: the figure's own;\n"
      "alone, the height follows the figure's aspect)", &args.width, NULL },
    { "height", 0, TS_OPT_DOUBLE, "INCHES", "figure height, likewise", &args.height, NULL },
    { "style", 0, TS_OPT_STRING, "STYLE", "a matplotlib style sheet: a name (ggplot, seaborn-v0_8-paper,\n"
      "...) or a .mplstyle file", &args.style, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "replace OUT even when it is not a figure of this job", &args.force, NULL },
    { "by", 0, TS_OPT_STRING, "AXIS", "a curve (or panel) per value of AXIS", &args.by, NULL },
    { "value", 0, TS_OPT_STRING, "RESULT", "(curve, map) the scalar result drawn", &args.value, NULL },
    { "x", 0, TS_OPT_STRING, "AXIS", "(curve, map) the horizontal axis", &args.x, NULL },
    { "y", 0, TS_OPT_STRING, "AXIS", "(map) the vertical axis", &args.y, NULL },
    { "at", 0, TS_OPT_STRINGS, "AXIS=VALUE", "(curve, map) fix a dimension at a value", &args.at, NULL },
    { "diff-from", 0, TS_OPT_STRING, "AXIS=VALUE", "(curve, map) draw the paired difference within each\n"
      "seed from the value at AXIS=VALUE (AXIS drawn), from the raw results", &args.diff_from, NULL },
    { "seed", 0, TS_OPT_U64, "SEED", "(fig3) job seed of the draws (default 1)", &args.seed, NULL },
    { "samples", 0, TS_OPT_U64, "N", "(fig3) draws per r, 100..10^6 (default 10^4, the paper's)", &args.samples, NULL },
    { 0 } };

static void figures_help(void);

static const ts_cli_spec spec = {
    .cmd = "plot",
    .usage = "STORE.h5 --figure NAME -o OUT.png|OUT.pdf|OUT.svg [--by AXIS] [--dpi DPI] [--width IN] [--height IN]\n"
             "                      [--style STYLE]\n"
             "       tailsweep plot STORE.h5 --figure curve --value RESULT --x AXIS [--by AXIS] [--at AXIS=VALUE]...\n"
             "                      [--diff-from AXIS=VALUE] -o OUT.png\n"
             "       tailsweep plot STORE.h5 --figure map --value RESULT --x AXIS --y AXIS [--at AXIS=VALUE]... -o OUT.png\n"
             "       tailsweep plot --figure fig3 [--samples N] [--seed SEED] -o OUT.png",
    .opts = options,
    .min_pos = 0,
    .max_pos = 1,
    .pos_name = "a store path (STORE.h5)",
    .more_help = figures_help,
};

static void print_figure(const ts_figure *f, const char *kind)
{
    printf("  %-14s ", f->name);
    for (const char *h = f->help; *h; h++) {
        putchar(*h);
        if (*h == '\n') printf("  %-14s ", "");
    }
    if (kind) printf("\n  %-14s (%s stores)", "", kind);
    putchar('\n');
}

static void usage(void) { ts_cli_help(&spec); }

static void figures_help(void)
{
    printf("\nfigures of any store:\n");
    for (const ts_figure *f = generic_figures; f->name; f++) print_figure(f, NULL);
    printf("figures of a kind:\n");
    for (size_t k = 0; ts_cli_kinds[k]; k++)
        for (const ts_figure *f = ts_cli_kinds[k]->figures; f && f->name; f++) print_figure(f, ts_cli_kinds[k]->name);
    printf("figures of no store (no STORE argument):\n");
    for (const ts_figure *f = storeless_figures; f->name; f++) print_figure(f, NULL);
    puts("\ncurve and map: every other dimension with more than one value is fixed with\n"
         "--at AXIS=VALUE (repeatable) or reduced by `tailsweep aggregate --over AXIS`;\n"
         "cells where a seed diverged are masked and marked, never drawn as values.\n"
         "Figures drawn from /aggregate aggregate a store that has none first, as\n"
         "`tailsweep aggregate STORE` would (a stale one is used, with a note).\n"
         "Draws with tools/plot_store.py through /usr/bin/python3 (h5py, matplotlib);\n"
         "TAILSWEEP_PYTHON and TAILSWEEP_PLOT_SCRIPT override both.\n"
         "Exit: 0; 2 bad arguments, unknown figure or axis, data the figure needs\n"
         "missing; 3 unreadable store or unwritable output; 1 the plot failed.");
}

/* The arguments on their own, before the store is read. */
static int plot_args(const char *store, const char *fig, const char *out, ts_plot_sel *sel)
{
    char list[512];
    const char *names[64];
    size_t n;
    figure_names(list, sizeof list, names, &n, 64);
    if (!fig) return ts_cli_usage_error("plot", "--figure NAME is required (%s)", list);
    const ts_kind *owner;
    if (!find_figure(fig, &owner)) {
        const char *near = ts_cli_suggest(fig, names, n);
        return ts_cli_usage_error("plot", "--figure: unknown figure '%s'%s%s%s (figures: %s)", fig,
                                  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "", list);
    }
    if (is_storeless(fig) && store)
        return ts_cli_usage_error("plot", "--figure %s is drawn from no store: leave out '%s'", fig, store);
    if (!is_storeless(fig) && !store)
        return ts_cli_usage_error("plot", "expected a store path (STORE.h5) for --figure %s", fig);
    if (!is_storeless(fig) && (ts_cli_seen(&spec, "seed") || ts_cli_seen(&spec, "samples")))
        return ts_cli_usage_error("plot", "--seed and --samples belong to --figure fig3, not %s", fig);
    if (is_storeless(fig) && args.by) return ts_cli_usage_error("plot", "--by belongs to figures of a store, not %s", fig);
    if (is_storeless(fig) && !(args.samples >= 100 && args.samples <= 1000000))
        return ts_cli_usage_error("plot", "--samples %llu: must be in 100..10^6", (unsigned long long)args.samples);
    if (args.at.n > TS_PLOT_MAX_AT) return ts_cli_usage_error("plot", "--at: at most %d of them", TS_PLOT_MAX_AT);
    for (size_t i = 0; i < args.at.n; i++) sel->at[sel->n_at++] = args.at.v[i];
    if (!is_generic_selection(fig) && (sel->value || sel->x || sel->y || sel->n_at || sel->diff_from))
        return ts_cli_usage_error("plot", "--value, --x, --y, --at and --diff-from belong to --figure curve and map, not %s",
                                  fig);
    if (!out) return ts_cli_usage_error("plot", "-o OUT.png is required (or OUT.pdf, OUT.svg)");
    if (!ts_cli_figure_format(out))
        return ts_cli_usage_error("plot", "-o %s: the output is a .png, .pdf or .svg file (its ending picks the format)",
                                  out);
    return ts_cli_figure_size_check("plot", args.dpi, args.width, args.height, args.style);
}

/* fig3: its numbers to a temporary JSON file, drawn by the script in a
 * child process, then removed. */
static int plot_fig3(const char *out)
{
    char script[PATH_MAX + 64];
    if (ts_cli_find_tool("TAILSWEEP_PLOT_SCRIPT", "plot_store.py", script, sizeof script) != 0) {
        fprintf(stderr, "tailsweep plot: cannot find tools/plot_store.py (set TAILSWEEP_PLOT_SCRIPT)\n");
        return TS_EXIT_IO;
    }
    const char *dir = getenv("TMPDIR");
    char data[PATH_MAX];
    snprintf(data, sizeof data, "%s/tailsweep-fig3-XXXXXX.json", dir && dir[0] ? dir : "/tmp");
    int fd = mkstemps(data, 5);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        fprintf(stderr, "tailsweep plot: cannot create a temporary file in %s: %s\n", dir && dir[0] ? dir : "/tmp",
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(data);
        }
        return TS_EXIT_IO;
    }
    fprintf(stderr, "tailsweep plot: fig3: %llu sub-Weibull draws per r (0.8, 1, 2), seed %llu; fitting...\n",
            (unsigned long long)args.samples, (unsigned long long)args.seed);
    ts_err err = { 0 };
    ts_status st = ts_plot_fig3_write(fp, args.seed, (size_t)args.samples, &err);
    if (fclose(fp) != 0 && !st) st = ts_err_set(&err, TS_EIO, "%s: cannot write: %s", data, strerror(errno));
    if (st) {
        unlink(data);
        return ts_cli_fail("plot", &err);
    }
    const char *py = ts_cli_python();
    char *cmd[24];
    int n = 0;
    cmd[n++] = (char *)py;
    cmd[n++] = script;
    cmd[n++] = data;
    cmd[n++] = "--figure";
    cmd[n++] = "fig3";
    cmd[n++] = "-o";
    cmd[n++] = (char *)out;
    if (args.force) cmd[n++] = "--force";
    char look[3][32];
    n += ts_cli_figure_look_args(cmd + n, look, args.dpi, args.width, args.height, args.style);
    cmd[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        execv(py, cmd);
        fprintf(stderr, "tailsweep plot: cannot run %s: %s\n", py, strerror(errno));
        _exit(TS_EXIT_IO);
    }
    int status = 0;
    int rc = TS_EXIT_IO;
    if (pid < 0) fprintf(stderr, "tailsweep plot: cannot start %s: %s\n", py, strerror(errno));
    else if (waitpid(pid, &status, 0) == pid)
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : TS_EXIT_FAILURE;
    unlink(data);
    return rc;
}

static int run(int argc, char **argv)
{
    char **pos = NULL;
    int npos = 0;
    int rc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (rc >= 0) return rc;
    const char *store = npos ? pos[0] : NULL, *fig = args.figure, *out = args.out, *by = args.by;
    free(pos);
    ts_plot_sel sel = { .value = args.value, .x = args.x, .y = args.y, .diff_from = args.diff_from };
    rc = plot_args(store, fig, out, &sel);
    ts_cli_list_free(&args.at);
    if (rc) return rc;
    if (is_storeless(fig)) return plot_fig3(out);
    const ts_kind *owner;
    const ts_figure *figure = find_figure(fig, &owner);
    int generic = is_generic_selection(fig);
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    if (ts_store_view_open(store, &v, &err)) return ts_cli_fail("plot", &err);
    if ((generic || figure->aggregated) && (rc = ts_cli_aggregate_first("plot", store, &v)) != 0) {
        if (v) ts_store_view_free(v);
        return rc;
    }
    sel.by = by;
    rc = generic ? ts_plot_check_selection(v, store, fig, &sel) : check_data(v, figure, owner, store);
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
    if (ts_cli_find_tool("TAILSWEEP_PLOT_SCRIPT", "plot_store.py", script, sizeof script) != 0) {
        fprintf(stderr, "tailsweep plot: cannot find tools/plot_store.py (set TAILSWEEP_PLOT_SCRIPT)\n");
        return TS_EXIT_IO;
    }
    const char *py = ts_cli_python();
    char *cmd[32 + 2 * TS_PLOT_MAX_AT];
    int n = 0;
    cmd[n++] = (char *)py;
    cmd[n++] = script;
    cmd[n++] = (char *)store;
    cmd[n++] = "--figure";
    cmd[n++] = (char *)fig;
    cmd[n++] = "-o";
    cmd[n++] = (char *)out;
    if (by) {
        cmd[n++] = "--by";
        cmd[n++] = (char *)by;
    }
    const char *gen_opt[3] = { "--value", "--x", "--y" };
    const char *gen_val[3] = { sel.value, sel.x, sel.y };
    for (int k = 0; k < 3 && generic; k++) {
        if (!gen_val[k]) continue;
        cmd[n++] = (char *)gen_opt[k];
        cmd[n++] = (char *)gen_val[k];
    }
    for (size_t k = 0; k < sel.n_at; k++) {   /* resolved to indices: one matching rule, here */
        cmd[n++] = "--at-index";
        cmd[n++] = sel.at_index[k];
    }
    if (sel.diff_index[0]) {
        cmd[n++] = "--diff-index";
        cmd[n++] = sel.diff_index;
    }
    if (args.force) cmd[n++] = "--force";
    char look[3][32];
    n += ts_cli_figure_look_args(cmd + n, look, args.dpi, args.width, args.height, args.style);
    cmd[n] = NULL;
    fflush(NULL);
    execv(py, cmd);
    fprintf(stderr, "tailsweep plot: cannot run %s: %s\n", py, strerror(errno));
    return TS_EXIT_IO;
}

const ts_command ts_cmd_plot = { "plot", "figures from a store (curve, map, loss, and each kind's own)", run, usage };
