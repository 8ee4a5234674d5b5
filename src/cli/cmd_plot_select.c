/* cmd_plot_select.c: checks the selection of `tailsweep plot --figure curve`
 * and `--figure map` against the store (docs/aggregate.md, "Curves and
 * maps of any scalar result"). Everything a user can get wrong is caught
 * here, in C, with a message that names the argument and lists what would
 * have been valid; the script then only draws. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_plot_select.h"
#include "tailsweep/ts_number.h"

/* The dimension names of a dataset, "a, b, c", for messages. */
static void dim_list(const ts_store_view *v, const ts_view_dset *d, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t k = 0; k < d->rank; k++) {
        const char *name = d->dim[k] >= 0 ? v->dims[d->dim[k]].name : "?";
        size_t used = strlen(buf);
        snprintf(buf + used, n - used, "%s%s", k ? ", " : "", name);
    }
}

/* Position of dimension `name` in d, or -1. */
static int dim_pos(const ts_store_view *v, const ts_view_dset *d, const char *name)
{
    for (size_t k = 0; k < d->rank; k++)
        if (d->dim[k] >= 0 && strcmp(v->dims[d->dim[k]].name, name) == 0) return (int)k;
    return -1;
}

/* Was `name` an axis of the sweep (a dimension of /status)? Then a mean
 * without it was reduced over it by `aggregate --over`. */
static int is_task_axis(const ts_store_view *v, const char *name)
{
    for (size_t k = 0; k < v->n_task_dims; k++)
        if (v->task_dim[k] >= 0 && strcmp(v->dims[v->task_dim[k]].name, name) == 0) return 1;
    return 0;
}

static int no_dim(const ts_store_view *v, const ts_view_dset *d, const char *store, const char *opt,
                  const char *name)
{
    char dims[512];
    dim_list(v, d, dims, sizeof dims);
    if (is_task_axis(v, name) && strcmp(name, TS_DIM_REPLICATE) != 0)
        return ts_cli_usage_error("plot", "%s %s: %s was aggregated over '%s' (`tailsweep aggregate --over`); "
                                  "%s is over: %s", opt, name, store, name, d->path, dims);
    return ts_cli_usage_error("plot", "%s: %s has no dimension '%s' (%s is over: %s)", opt, store, name, d->path,
                              dims);
}

/* Index of coordinate `text` in dimension dm, or -1. Numbers match to a
 * relative 1e-9, else to the 6 significant digits `info` and the messages
 * print (logspace values such as 0.360697...) when that match is unique. */
static long coord_index(const ts_view_dim *dm, const char *text)
{
    if (dm->type == TS_COORD_STRING) {
        for (size_t i = 0; i < dm->len; i++)
            if (strcmp(dm->labels[i], text) == 0) return (long)i;
        return -1;
    }
    double x;
    if (ts_parse_double(text, &x) != TS_NUM_OK) return -1;
    long near = -1;
    int n_near = 0;
    for (size_t i = 0; i < dm->len; i++) {
        double c = dm->type == TS_COORD_INDEX ? (double)i : dm->values[i];
        if (fabs(c - x) <= 1e-9 * fmax(1.0, fabs(x))) return (long)i;
        if (fabs(c - x) <= 5e-6 * fabs(c)) {
            near = (long)i;
            n_near++;
        }
    }
    return n_near == 1 ? near : -1;
}

static void coord_list(const ts_view_dim *dm, char *buf, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < dm->len; i++) {
        size_t used = strlen(buf);
        if (used + 32 >= n) {
            snprintf(buf + used, n - used, ", ...");
            return;
        }
        if (dm->type == TS_COORD_STRING)
            snprintf(buf + used, n - used, "%s%s", i ? ", " : "", dm->labels[i]);
        else
            snprintf(buf + used, n - used, "%s%.6g", i ? ", " : "",
                     dm->type == TS_COORD_INDEX ? (double)i : dm->values[i]);
    }
}

int ts_plot_check_selection(const ts_store_view *v, const char *store, const char *fig, ts_plot_sel *s)
{
    int is_map = strcmp(fig, "map") == 0;
    if (!s->value) return ts_cli_usage_error("plot", "--figure %s needs --value DATASET (a result)", fig);
    if (!s->x) return ts_cli_usage_error("plot", "--figure %s needs --x AXIS", fig);
    if (is_map && !s->y) return ts_cli_usage_error("plot", "--figure map needs --y AXIS");
    if (!is_map && s->y) return ts_cli_usage_error("plot", "--y: only --figure map has a y axis (curve: --by)");
    if (is_map && s->by) return ts_cli_usage_error("plot", "--by: --figure map has none (use --at)");

    int r = ts_store_view_dset(v, s->value);
    if (r < 0 || v->dsets[r].role != TS_DSET_RESULT) {
        char names[768] = "";
        for (size_t i = 0; i < v->n_dsets; i++) {
            size_t used = strlen(names);
            if (v->dsets[i].role == TS_DSET_RESULT && used + strlen(v->dsets[i].path) + 8 < sizeof names)
                snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", v->dsets[i].path);
        }
        return ts_cli_usage_error("plot", "--value: %s has no result '%s' (results: %s)", store, s->value, names);
    }
    if (!v->has_aggregate)
        return ts_cli_usage_error("plot", "%s has no /aggregate: run `tailsweep aggregate %s` first", store, store);
    char mean_path[TS_VIEW_NAME + 16];
    snprintf(mean_path, sizeof mean_path, TS_GROUP_AGGREGATE "/%s_mean", s->value);
    int m = ts_store_view_dset(v, mean_path);
    if (m < 0)
        return ts_cli_usage_error("plot", "--value %s: %s has no %s: run `tailsweep aggregate %s` again", s->value,
                                  store, mean_path, store);
    const ts_view_dset *d = &v->dsets[m];

    const char *role_opt[3] = { "--x", "--y", "--by" };
    const char *role_dim[3] = { s->x, s->y, s->by };
    int used[TS_VIEW_MAX_RANK] = { 0 };
    for (int k = 0; k < 3; k++) {
        if (!role_dim[k]) continue;
        int p = dim_pos(v, d, role_dim[k]);
        if (p < 0) return no_dim(v, d, store, role_opt[k], role_dim[k]);
        if (used[p])
            return ts_cli_usage_error("plot", "%s %s: that dimension is already drawn on another axis", role_opt[k],
                                      role_dim[k]);
        used[p] = 1;
    }
    if (s->n_at > TS_PLOT_MAX_AT) return ts_cli_usage_error("plot", "--at: at most %d of them", TS_PLOT_MAX_AT);
    for (size_t a = 0; a < s->n_at; a++) {
        const char *eq = strchr(s->at[a], '=');
        if (!eq || eq == s->at[a] || !eq[1])
            return ts_cli_usage_error("plot", "--at %s: expected AXIS=VALUE, e.g. --at sigma=0.02", s->at[a]);
        char name[96];
        size_t len = (size_t)(eq - s->at[a]);
        if (len >= sizeof name) return ts_cli_usage_error("plot", "--at %s: axis name too long", s->at[a]);
        memcpy(name, s->at[a], len);
        name[len] = '\0';
        int p = dim_pos(v, d, name);
        if (p < 0) return no_dim(v, d, store, "--at", name);
        if (used[p])
            return ts_cli_usage_error("plot", "--at %s: %s is already drawn or fixed", s->at[a], name);
        used[p] = 1;
        const ts_view_dim *dm = &v->dims[d->dim[p]];
        long i = coord_index(dm, eq + 1);
        if (i < 0) {
            char vals[400];
            coord_list(dm, vals, sizeof vals);
            return ts_cli_usage_error("plot", "--at %s: %s has no value '%s' (its values: %s)", s->at[a], name,
                                      eq + 1, vals);
        }
        snprintf(s->at_index[a], sizeof s->at_index[a], "%s=%ld", name, i);
    }
    if (s->diff_from) {
        /* Paired differences come from the raw results per replicate, so the
         * raw result must have exactly the mean's dimensions plus replicate:
         * an axis pooled by `aggregate --over` would be unpaired there. */
        const char *eq = strchr(s->diff_from, '=');
        if (!eq || eq == s->diff_from || !eq[1])
            return ts_cli_usage_error("plot", "--diff-from %s: expected AXIS=VALUE, e.g. --diff-from B=1", s->diff_from);
        char name[96];
        size_t len = (size_t)(eq - s->diff_from);
        if (len >= sizeof name) return ts_cli_usage_error("plot", "--diff-from %s: axis name too long", s->diff_from);
        memcpy(name, s->diff_from, len);
        name[len] = '\0';
        int drawn = 0;
        for (int k = 0; k < 3; k++) drawn |= role_dim[k] && strcmp(role_dim[k], name) == 0;
        if (!drawn)
            return ts_cli_usage_error("plot", "--diff-from %s: the reference axis must be drawn (--x, --y or --by)",
                                      s->diff_from);
        const ts_view_dim *dm = &v->dims[d->dim[dim_pos(v, d, name)]];
        long i = coord_index(dm, eq + 1);
        if (i < 0) {
            char vals[400];
            coord_list(dm, vals, sizeof vals);
            return ts_cli_usage_error("plot", "--diff-from %s: %s has no value '%s' (its values: %s)", s->diff_from,
                                      name, eq + 1, vals);
        }
        const ts_view_dset *raw = &v->dsets[r];
        for (size_t k = 0; k < raw->rank; k++) {
            const char *rn = raw->dim[k] >= 0 ? v->dims[raw->dim[k]].name : "?";
            if (strcmp(rn, TS_DIM_REPLICATE) != 0 && dim_pos(v, d, rn) < 0)
                return ts_cli_usage_error("plot",
                                          "--diff-from: pairs seeds in the raw results, but /aggregate was reduced "
                                          "over '%s'; run `tailsweep aggregate %s` without --over",
                                          rn, store);
        }
        snprintf(s->diff_index, sizeof s->diff_index, "%s=%ld", name, i);
    }
    /* Every other dimension with more than one value must be said: a mean
     * over seeds silently taken at some axis's first value misleads. */
    for (size_t k = 0; k < d->rank; k++) {
        if (used[k] || d->shape[k] <= 1) continue;
        const char *name = d->dim[k] >= 0 ? v->dims[d->dim[k]].name : "?";
        return ts_cli_usage_error("plot",
                                  "--figure %s --value %s: dimension '%s' (%zu values) is left over: fix it with "
                                  "--at %s=VALUE%s, or aggregate over it (`tailsweep aggregate %s --over %s`)",
                                  fig, s->value, name, d->shape[k], name, is_map ? "" : ", draw it with --by",
                                  store, name);
    }
    return 0;
}
