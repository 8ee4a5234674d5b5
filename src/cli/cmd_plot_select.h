/* cmd_plot_select.h: the selection of the generic `curve` and `map` figures
 * of `tailsweep plot` (--value, --x, --y, --by, --at), checked against the
 * store so that every mistake is an exit-2 message naming the argument. */
#ifndef TS_CMD_PLOT_SELECT_H
#define TS_CMD_PLOT_SELECT_H

#include <stddef.h>

#include "tailsweep/ts_store_schema.h"
#include "tailsweep/ts_store_view.h"

#define TS_PLOT_MAX_AT 8

typedef struct {
    const char *value;                 /* a result: aggregate/VALUE_mean is drawn   */
    const char *x, *y, *by;            /* dimensions of aggregate/VALUE_mean        */
    const char *at[TS_PLOT_MAX_AT];    /* "AXIS=VALUE": a dimension fixed at a value */
    size_t n_at;
    const char *diff_from;             /* "AXIS=VALUE": paired differences from there */
    char diff_index[128];              /* filled: "AXIS=INDEX", "" without --diff-from */
    /* filled by ts_plot_check_selection: "AXIS=INDEX" per --at, for the script */
    char at_index[TS_PLOT_MAX_AT][128];
} ts_plot_sel;

/* Check the selection of figure `fig` ("curve" or "map") against the store:
 * the result exists and is aggregated, --x/--y/--by/--at name distinct
 * dimensions of its mean, each --at value is one of the coordinates, and no
 * dimension with more than one value is left over. Returns 0, or an exit
 * code after printing the message. */
int ts_plot_check_selection(const ts_store_view *v, const char *store, const char *fig, ts_plot_sel *s);

#endif
