/* cli_figure.c: what `plot` and `report` share. First, what they
 * do with a store that has
 * no /aggregate: aggregate it first, exactly as `tailsweep aggregate STORE`
 * would (the same transaction, lock and defaults), rather than ask the user
 * to. A stale /aggregate is left as it is (it may have been made with
 * --over, which a plain aggregate would undo) and named on stderr. Then the
 * output's format and the figure's look (--dpi, --width, --height, --style). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_figure.h"
#include "tailsweep/ts_aggregate.h"

int ts_cli_aggregate_first(const char *cmd, const char *store, ts_store_view **v)
{
    ts_err err = { 0 };
    if ((*v)->has_aggregate) {
        uint64_t state;
        if (ts_store_view_state(*v, &state, &err) == TS_OK && state != (*v)->agg_source_state)
            fprintf(stderr, "tailsweep %s: note: %s: /aggregate is STALE (tasks finished or reran since); "
                            "`tailsweep aggregate %s` brings it up to date\n", cmd, store, store);
        return 0;
    }
    ts_store_view_free(*v);
    *v = NULL;
    ts_agg_opts o;
    ts_agg_opts_default(&o);
    o.kinds = ts_cli_kinds;
    ts_agg_summary s;
    if (ts_aggregate_store(store, &o, &s, &err)) return ts_cli_fail(cmd, &err);
    fprintf(stderr, "tailsweep %s: %s had no /aggregate: aggregated it first, as `tailsweep aggregate %s` "
                    "would (%zu results over replicate; %llu cells, %llu without any value)\n",
            cmd, store, store, s.n_results, (unsigned long long)s.cells, (unsigned long long)s.empty_cells);
    if (s.note[0]) fprintf(stderr, "tailsweep %s: note: %s\n", cmd, s.note);
    if (ts_store_view_open(store, v, &err)) return ts_cli_fail(cmd, &err);
    return 0;
}

const char *ts_cli_figure_format(const char *out)
{
    static const char *const formats[] = { "png", "pdf", "svg" };
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || dot == out || (slash && dot < slash) || (slash && dot == slash + 1)) return NULL;
    for (int i = 0; i < 3; i++)
        if (strcmp(dot + 1, formats[i]) == 0) return formats[i];
    return NULL;
}

int ts_cli_figure_size_check(const char *cmd, double dpi, double width, double height, const char *style)
{
    if (!isnan(dpi) && !(dpi >= 10 && dpi <= 1200)) return ts_cli_usage_error(cmd, "--dpi %g: must be in 10..1200", dpi);
    if (!isnan(width) && !(width > 0 && width <= 100))
        return ts_cli_usage_error(cmd, "--width %g: inches, in (0, 100]", width);
    if (!isnan(height) && !(height > 0 && height <= 100))
        return ts_cli_usage_error(cmd, "--height %g: inches, in (0, 100]", height);
    if (style && !style[0]) return ts_cli_usage_error(cmd, "--style: empty (a style sheet name or .mplstyle file)");
    /* a path is checked here; a name is matplotlib's to know (the script
     * lists the names when it has none of that name) */
    if (style && strchr(style, '/') && access(style, R_OK) != 0)
        return ts_cli_usage_error(cmd, "--style %s: cannot read that style file: %s", style, strerror(errno));
    return 0;
}

int ts_cli_figure_look_args(char **argv, char buf[3][32], double dpi, double width, double height, const char *style)
{
    static const char *const opt[3] = { "--dpi", "--width", "--height" };
    const double val[3] = { dpi, width, height };
    int n = 0;
    for (int k = 0; k < 3; k++) {
        if (isnan(val[k])) continue;
        snprintf(buf[k], sizeof buf[k], "%.17g", val[k]);
        argv[n++] = (char *)opt[k];
        argv[n++] = buf[k];
    }
    if (style) {
        argv[n++] = "--style";
        argv[n++] = (char *)style;
    }
    return n;
}

int ts_cli_find_tool(const char *env_name, const char *file, char *out, size_t n)
{
    const char *env = getenv(env_name);
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
    static const char *const rel[] = { "../../tools", "../share/tailsweep" };
    for (int i = 0; i < 2; i++) {
        snprintf(out, n, "%s/%s/%s", exe, rel[i], file);
        if (access(out, R_OK) == 0) return 0;
    }
    return -1;
}

const char *ts_cli_python(void)
{
    const char *py = getenv("TAILSWEEP_PYTHON");
    return py && py[0] ? py : "/usr/bin/python3";
}
