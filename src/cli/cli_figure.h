/* cli_figure.h: what `plot` and `report` share (cli_figure.c). */
#ifndef TS_CLI_FIGURE_H
#define TS_CLI_FIGURE_H

#include <stddef.h>

#include "tailsweep/ts_store_view.h"

/* Give *v's store an /aggregate when it has none, as `tailsweep aggregate
 * STORE` would, and reopen *v on the result; a
 * stale one is kept and noted. Returns 0, or an exit code after a message
 * (the store locked by a sweep: 3). *v may be NULL after a failure. */
int ts_cli_aggregate_first(const char *cmd, const char *store, ts_store_view **v);

/* How a figure looks:
 * the format named by OUT's ending ("png", "pdf", "svg"; NULL for any other
 * ending); --dpi, --width, --height (NaN: not given) and --style checked,
 * 0 or exit 2 after a message naming the option; and the script's arguments
 * for them appended to argv (buf holds the numbers' text), returning how
 * many were added (at most 8). */
const char *ts_cli_figure_format(const char *out);
int ts_cli_figure_size_check(const char *cmd, double dpi, double width, double height, const char *style);
int ts_cli_figure_look_args(char **argv, char buf[3][32], double dpi, double width, double height, const char *style);

/* A drawing script `file` (plot_store.py, report_store.py): $env_name, else
 * beside the build (bin/../../tools) or the install (bin/../share/tailsweep).
 * 0 with its path in out, or -1. */
int ts_cli_find_tool(const char *env_name, const char *file, char *out, size_t n);

/* The interpreter of the scripts: $TAILSWEEP_PYTHON, else /usr/bin/python3. */
const char *ts_cli_python(void);

#endif
