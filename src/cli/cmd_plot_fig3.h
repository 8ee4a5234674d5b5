/* cmd_plot_fig3.h: the numbers behind `tailsweep plot --figure fig3` (the
 * main paper's figure 3; cmd_plot_fig3.c). */
#ifndef TS_CMD_PLOT_FIG3_H
#define TS_CMD_PLOT_FIG3_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tailsweep/ts_error.h"

#define TS_FIG3_NR 3
extern const double ts_fig3_r[TS_FIG3_NR];   /* 0.8, 1, 2: the paper's */

/* n draws per r from job seed `seed`, the MLE stable and Gaussian fits and
 * their densities, as one JSON object written to out. */
ts_status ts_plot_fig3_write(FILE *out, uint64_t seed, size_t n, ts_err *err);

#endif
