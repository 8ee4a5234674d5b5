/* ts_fit_ctx.h: maximum-likelihood alpha-stable fits of a sequence of
 * samples whose law drifts slowly: one weight layer's gradient noise, step
 * after step, in the mimic experiment (paper figure 4, docs/gni.md). A
 * context is carried from one fit to the next: later fits start from the
 * previous estimate (the table route's first one from McCulloch's quantile
 * estimate, the warm route's first is a cold fit).
 *
 * Routes (each measured against the cold MLE, docs/gni.md):
 *   cold   ts_fit_mle every time (Koutrouvelis start, Nelder-Mead): the
 *          reference, ~0.1-0.3 s a fit of 1000 values, almost all of it
 *          building one density table per likelihood evaluation;
 *   warm   Nelder-Mead started at the previous estimate with a simplex of
 *          ~0.5 asymptotic standard errors;
 *   table  Newton steps on the log-likelihood's quadratic model, from a
 *          3 x 3 stencil of density tables on a fixed (alpha, beta) grid
 *          (spacing 0.04 x 0.1) around the previous estimate, with central
 *          differences in scale and location; the tables are cached by grid
 *          node across fits (least recently used dropped), so a law that
 *          stays within a few cells costs few or no new tables.
 * A fixed evenly spaced subsample (ts_fit_ctx_alloc's subsample, as
 * ts_gradnoise's mle_max) bounds the per-value cost of any route.
 * Whenever a fast route cannot proceed (no previous estimate, a likelihood
 * that is not concave on its stencil, a table that cannot be built) it
 * falls back to the cold fit and says so in the counters.
 *
 * Results are in Nolan's S0. Not for concurrent use from threads. */
#ifndef TS_FIT_CTX_H
#define TS_FIT_CTX_H

#include <stddef.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_stable_fit.h"

typedef enum { TS_FIT_ROUTE_COLD = 0, TS_FIT_ROUTE_WARM = 1, TS_FIT_ROUTE_TABLE = 2 } ts_fit_route;
extern const char *const ts_fit_route_names[];   /* "cold", "warm", "table", NULL */

typedef struct ts_fit_ctx ts_fit_ctx;

typedef struct {
    size_t fits, cold_fits;       /* fits done; of which cold (first, or a fallback) */
    size_t tables_built;          /* density tables built by the fast routes      */
    size_t loglik_evals;          /* likelihood evaluations by the fast routes    */
    size_t newton_steps;          /* table route                                  */
} ts_fit_ctx_counts;

/* subsample: fit at most this many values (an evenly spaced subsample
 * x[floor(i n / subsample)]); 0: all. */
ts_status ts_fit_ctx_alloc(ts_fit_route route, size_t subsample, ts_fit_ctx **out, ts_err *err);
void ts_fit_ctx_free(ts_fit_ctx *c);
/* Forget the previous estimate (the next fit is cold); cached tables stay. */
void ts_fit_ctx_reset(ts_fit_ctx *c);

/* Fit x (n values) in S0. Errors as ts_fit_mle's (TS_EINVAL for data it
 * cannot use, TS_ERANGE with the estimate filled in at alpha's lower
 * limit); a failed or refused fit leaves the context's estimate unchanged. */
ts_status ts_fit_ctx_fit(ts_fit_ctx *c, const double *x, size_t n, ts_stable_fit *out, ts_err *err);

void ts_fit_ctx_get_counts(const ts_fit_ctx *c, ts_fit_ctx_counts *out);

/* The estimate the next fit starts from (have = 0: none, the next fit is
 * cold), S0 (alpha, beta, scale, loc): with the data, all a fit's result
 * depends on (cached tables are a pure function of their grid node and only
 * save time). For task checkpoints: set_estimate restores what
 * get_estimate read, so a resumed sequence of fits is bit-identical. */
void ts_fit_ctx_get_estimate(const ts_fit_ctx *c, int *have, double th[4]);
void ts_fit_ctx_set_estimate(ts_fit_ctx *c, int have, const double th[4]);

#endif
