/* cmd_plot_fig3.c: the numbers of `tailsweep plot --figure fig3`, the main
 * paper's figure 3: for each tail parameter r = 0.8, 1, 2, n draws of the
 * symmetric sub-Weibull law (ts_subweibull.h, scale 1), an alpha-stable law
 * and a Gaussian fitted to them by maximum likelihood (ts_fit_mle, S1; the
 * Gaussian's MLE is the mean and the sd with divisor n), and the three
 * densities on a grid over the body and one over the upper tail. It needs no
 * store; the draws of r[k] come from stream (seed, task k, replicate 0,
 * purpose sample), so those of r = 0.8 are `tailsweep sample --law
 * subweibull --r 0.8 --seed SEED`'s. Written as JSON for tools/plot_store.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd_plot_fig3.h"
#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_stable.h"
#include "tailsweep/ts_stable_dist.h"
#include "tailsweep/ts_stable_fit.h"
#include "tailsweep/ts_subweibull.h"
#include "tailsweep/ts_version.h"

#define FIG3_GRID 241

const double ts_fig3_r[TS_FIG3_NR] = { 0.8, 1.0, 2.0 };

static void put_array(FILE *out, const char *name, const double *v, size_t n, int last)
{
    fprintf(out, "\"%s\": [", name);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) fprintf(out, "%s%.17g", i ? "," : "", v[i]);
        else fprintf(out, "%sNaN", i ? "," : "");   /* Python's json reads NaN */
    fprintf(out, "]%s\n", last ? "" : ",");
}

/* The three densities at x[0..n-1]. */
static ts_status densities(const ts_subweibull *sw, const ts_stable *st, double mu, double sd, const double *x,
                           size_t n, double *p_sw, double *p_st, double *p_n, ts_err *err)
{
    for (size_t i = 0; i < n; i++) {
        p_sw[i] = ts_subweibull_pdf(sw, x[i]);
        double z = (x[i] - mu) / sd;
        p_n[i] = exp(-0.5 * z * z) / (sd * sqrt(2 * M_PI));
    }
    return ts_stable_pdf_vec(st, n, x, p_st, err);
}

ts_status ts_plot_fig3_write(FILE *out, uint64_t seed, size_t n, ts_err *err)
{
    double *x = malloc(n * sizeof *x), *grid = malloc(6 * FIG3_GRID * sizeof *grid);
    if (!x || !grid) {
        free(x);
        free(grid);
        return ts_err_set(err, TS_ENOMEM, "out of memory for %zu draws", n);
    }
    double *body = grid, *tail = grid + FIG3_GRID, *p_sw = grid + 2 * FIG3_GRID, *p_st = grid + 3 * FIG3_GRID,
           *p_n = grid + 4 * FIG3_GRID;
    ts_status st = TS_OK;
    fprintf(out, "{\"figure\": \"fig3\", \"seed\": \"%llu\", \"n\": %zu, \"tailsweep_version\": \"%s\",\n"
                 "\"laws\": [\n", (unsigned long long)seed, n, TS_VERSION);
    for (int k = 0; k < TS_FIG3_NR && !st; k++) {
        ts_subweibull sw;
        ts_rng rng;
        ts_stable_fit fit;
        ts_stable law;
        if ((st = ts_subweibull_init(&sw, ts_fig3_r[k], 1.0, err)) ||
            (st = ts_rng_init(&rng, seed, (uint64_t)k, 0, TS_PURPOSE_SAMPLE, err)))
            break;
        ts_subweibull_fill(&sw, &rng, n, x);
        /* the MLE may stop at its alpha bound: the estimate there is still the best */
        ts_status fs = ts_fit_mle(x, n, TS_S1, 0, &fit, NULL, err);
        if (fs && fs != TS_ERANGE) {
            st = fs;
            break;
        }
        if ((st = ts_stable_init(&law, fit.alpha, fit.beta, fit.scale, fit.loc, TS_S1, err))) break;
        double mu = 0, ss = 0;
        for (size_t i = 0; i < n; i++) mu += x[i];
        mu /= (double)n;
        for (size_t i = 0; i < n; i++) ss += (x[i] - mu) * (x[i] - mu);
        double sd = sqrt(ss / (double)n);
        /* body: the central 99.5%; tail: from the 99th percentile to the
         * 1 - 1e-7 quantile of the sub-Weibull law, evenly in x */
        double b = ts_subweibull_quantile(&sw, 0.9975), t0 = ts_subweibull_quantile(&sw, 0.99),
               t1 = ts_subweibull_quantile(&sw, 1 - 1e-7);
        for (int i = 0; i < FIG3_GRID; i++) {
            body[i] = -b + 2 * b * i / (FIG3_GRID - 1);
            tail[i] = t0 + (t1 - t0) * i / (FIG3_GRID - 1);
        }
        fprintf(out, "{\"r\": %.17g, \"stable\": [%.17g, %.17g, %.17g, %.17g], \"normal\": [%.17g, %.17g],\n",
                ts_fig3_r[k], fit.alpha, fit.beta, fit.scale, fit.loc, mu, sd);
        put_array(out, "samples", x, n, 0);
        const double *grids[2] = { body, tail };
        static const char *const names[2][4] = { { "x", "pdf_subweibull", "pdf_stable", "pdf_normal" },
                                                  { "x_tail", "tail_subweibull", "tail_stable", "tail_normal" } };
        for (int g = 0; g < 2 && !st; g++) {
            if ((st = densities(&sw, &law, mu, sd, grids[g], FIG3_GRID, p_sw, p_st, p_n, err))) break;
            put_array(out, names[g][0], grids[g], FIG3_GRID, 0);
            put_array(out, names[g][1], p_sw, FIG3_GRID, 0);
            put_array(out, names[g][2], p_st, FIG3_GRID, 0);
            put_array(out, names[g][3], p_n, FIG3_GRID, g == 1);
        }
        fprintf(out, "}%s\n", k + 1 < TS_FIG3_NR ? "," : "");
    }
    fprintf(out, "]}\n");
    free(x);
    free(grid);
    if (!st && (fflush(out) != 0 || ferror(out))) st = ts_err_set(err, TS_EIO, "cannot write the figure's data");
    return st;
}
