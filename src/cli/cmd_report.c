/* cmd_report.c: `tailsweep report STORE -o REPORT.html`: one self-contained
 * HTML page of a store for the browser: the job, its status, the axes, every
 * figure of the store's kind (and `loss`) that its data allow and a curve of
 * each scalar result, embedded, and the seed statistics in tables. The arguments and the store are checked
 * here; a store without /aggregate is aggregated first, as `plot` does;
 * tools/report_store.py writes the page. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_figure.h"
#include "tailsweep/ts_store_view.h"

static struct {
    const char *out, *style;
    double dpi;
    int force;
} args = { .dpi = NAN };

static const ts_cli_opt options[] = {
    { "output", 'o', TS_OPT_STRING, "REPORT.html", "the page to write (required)", &args.out, NULL },
    { "force", 0, TS_OPT_FLAG, NULL, "replace an existing REPORT.html", &args.force, NULL },
    { "dpi", 0, TS_OPT_DOUBLE, "DPI", "resolution of the embedded figures, in 10..1200 (default 100)", &args.dpi, NULL },
    { "style", 0, TS_OPT_STRING, "STYLE", "a matplotlib style sheet for the figures (name or .mplstyle file)",
      &args.style, NULL },
    { 0 } };

static const ts_cli_spec spec = {
    .cmd = "report",
    .usage = "STORE.h5 -o REPORT.html [--force] [--dpi DPI] [--style STYLE]",
    .summary = "Write one self-contained HTML page about STORE: the job (file, kind, seed,\n"
               "replicates, its settings), the tasks' status, the axes and their values,\n"
               "every figure of the store's kind that its data allow (and the loss curves\n"
               "of results over 'step'), a curve of each scalar result that varies over\n"
               "the grid (x: the numeric axis with the most values), embedded as images\n"
               "with their captions, and the statistics over seeds of every scalar\n"
               "result (n, mean, sd, median, quantiles per grid point) in tables. The\n"
               "page refers to no other file and nothing on the network.",
    .epilog = "A store without /aggregate is aggregated first, as `tailsweep aggregate`\n"
              "would. REPORT.html is never overwritten without --force.\n"
              "Exit: 0 ok; 2 bad arguments or not a store; 3 a file cannot be read or\n"
              "written (REPORT.html exists, or a sweep holds the store); 1 the page failed.",
    .opts = options,
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a store path (STORE.h5)",
};

static void usage(void) { ts_cli_help(&spec); }

/* "fig6,shiftmap,loss": the store's kind's figures, then loss; report_store.py
 * draws each the data allow and lists the others with the reason. */
static void figure_list(const char *kind, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; ts_cli_kinds[k]; k++)
        if (strcmp(ts_cli_kinds[k]->name, kind) == 0)
            for (const ts_figure *f = ts_cli_kinds[k]->figures; f && f->name; f++)
                used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s,", f->name);
    snprintf(buf + used, used < n ? n - used : 0, "loss");
}

static int run(int argc, char **argv)
{
    char **pos = NULL;
    int npos = 0;
    int rc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (rc >= 0) return rc;
    const char *store = pos[0], *out = args.out;
    free(pos);
    if (!out) return ts_cli_usage_error("report", "-o REPORT.html is required");
    size_t ol = strlen(out);
    if (ol < 6 || strcmp(out + ol - 5, ".html") != 0)
        return ts_cli_usage_error("report", "-o %s: the report is an .html file", out);
    if ((rc = ts_cli_figure_size_check("report", args.dpi, NAN, NAN, args.style)) != 0) return rc;
    struct stat sb;
    if (!args.force && stat(out, &sb) == 0) {
        fprintf(stderr, "tailsweep report: %s exists; --force replaces it\n", out);
        return TS_EXIT_IO;
    }
    ts_store_view *v = NULL;
    ts_err err = { 0 };
    if (ts_store_view_open(store, &v, &err)) return ts_cli_fail("report", &err);
    if ((rc = ts_cli_aggregate_first("report", store, &v)) != 0) {
        if (v) ts_store_view_free(v);
        return rc;
    }
    char figures[512];
    figure_list(v->kind, figures, sizeof figures);
    ts_store_view_free(v);
    char script[PATH_MAX + 64];
    if (ts_cli_find_tool("TAILSWEEP_REPORT_SCRIPT", "report_store.py", script, sizeof script) != 0) {
        fprintf(stderr, "tailsweep report: cannot find tools/report_store.py (set TAILSWEEP_REPORT_SCRIPT)\n");
        return TS_EXIT_IO;
    }
    const char *py = ts_cli_python();
    char *cmd[20];
    int n = 0;
    cmd[n++] = (char *)py;
    cmd[n++] = script;
    cmd[n++] = (char *)store;
    cmd[n++] = "-o";
    cmd[n++] = (char *)out;
    cmd[n++] = "--figures";
    cmd[n++] = figures;
    char look[3][32];
    n += ts_cli_figure_look_args(cmd + n, look, args.dpi, NAN, NAN, args.style);
    cmd[n] = NULL;
    fflush(NULL);
    execv(py, cmd);
    fprintf(stderr, "tailsweep report: cannot run %s: %s\n", py, strerror(errno));
    return TS_EXIT_IO;
}

const ts_command ts_cmd_report = { "report", "one self-contained HTML page of a store: job, status, figures, tables",
                                   run, usage };
