/* ts_aggregate.h: a store turned into answers: statistics over the seed axis
 * (or any axes), shift maps of the SDE kind, and tidy CSV export.
 *
 * Statistics of a cell: the values along the reduced dimensions, NaN ones
 * left out (tasks todo or failed are NaN in the store): count, mean (the sum
 * in index order, divided by the count), sd (ddof 1, two-pass), se =
 * sd / sqrt(count), median (NumPy's: the mean of the two middle values for
 * an even count) and quantiles by NumPy's default 'linear' method (Hyndman
 * and Fan's definition 7: index h = (n - 1) p, interpolated as NumPy's
 * _lerp). Empty cells give NaN and count 0; sd and se need count >= 2.
 *
 * ts_aggregate_store writes /aggregate into the store itself (layout in
 * docs/aggregate.md) inside a transaction (ts_store_txn.h): nothing of the
 * store is copied, and a kill at any moment leaves it readable and as it
 * was. Values are read box by box, so memory does not grow with the store.
 * It holds the store's lock meanwhile, so it never races a running sweep.
 * /aggregate records the store's state (ts_store_view_state) it was made
 * from, so a reader can tell when it is stale. */
#ifndef TS_AGGREGATE_H
#define TS_AGGREGATE_H

#include <stdint.h>
#include <stdio.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_store_view.h"

#define TS_AGG_MAX_Q 16

/* Quantile p in [0, 1] of sorted x[0..n-1] (n >= 1), NumPy 'linear'. */
double ts_agg_quantile_sorted(const double *x, size_t n, double p);

/* Statistics of one sample. buf (n values, NaN = missing) is reordered:
 * its first `count` entries end up sorted. q: n_q probabilities, their
 * quantiles go to qout. */
typedef struct {
    uint64_t count;
    double mean, sd, se, median;
} ts_agg_stats;
void ts_agg_sample(double *buf, size_t n, const double *q, size_t n_q, ts_agg_stats *s, double *qout);

/* Half-width factor of a two-sided Student-t confidence interval for a
 * mean from `count` values: t_{(1 + level) / 2, count - 1}; NaN below 2. */
double ts_agg_t_factor(uint64_t count, double level);

/* An array reduced over some of its dimensions: one cell per combination of
 * the kept ones (row-major, kept dims in their original order). */
typedef struct {
    size_t n_cells, n_q;
    uint64_t *count;
    double *mean, *sd, *se, *median;
    double *quantile;            /* n_cells x n_q, the quantile fastest */
} ts_agg_result;

/* x: row-major over shape[0..rank-1]; reduce[k] != 0 reduces dimension k. */
ts_status ts_agg_reduce(const double *x, size_t rank, const size_t *shape, const int *reduce,
                        const double *q, size_t n_q, ts_agg_result *out, ts_err *err);
void ts_agg_result_free(ts_agg_result *r);

/* What `tailsweep aggregate` reduces over and reports. */
typedef struct {
    size_t n_over;
    char over[TS_VIEW_MAX_RANK][64];   /* reduced besides replicate (and seed) */
    size_t n_q;
    double q[TS_AGG_MAX_Q];
    double level;                      /* of the derived summaries' CIs */
    /* The kinds whose derived summaries (ts_kind.h) are added, as maps
     * (aggregate/map_*): the store's kind is looked up here by name. NULL:
     * no derived summaries. */
    const ts_kind *const *kinds;
} ts_agg_opts;
/* over replicate only; quantiles 0.05 0.25 0.75 0.95; level 0.95 */
void ts_agg_opts_default(ts_agg_opts *o);

typedef struct {
    size_t n_results;                  /* datasets aggregated          */
    size_t n_maps;                     /* derived summaries written    */
    uint64_t cells, empty_cells;       /* of the first result          */
    char note[256];                    /* e.g. why a map was skipped   */
} ts_agg_summary;

ts_status ts_aggregate_store(const char *path, const ts_agg_opts *o, ts_agg_summary *sum, ts_err *err);

/* The stores of one job run with different job seeds (slurm/array_seeds.sbatch)
 * stacked into `out` (built under a temporary name, aggregated, then
 * renamed; an existing `out` is refused unless force): /status and every
 * result gain a leading dimension `seed` whose values are the stores'
 * seeds, and `out` is aggregated like any store, the seed axis being
 * (seed, replicate). The stores must hold the same parsed job but for the
 * seed (else TS_EINVAL naming the settings that differ), and differ in
 * seed. Values are copied box by box. */
ts_status ts_aggregate_stack(const char *out, const char *const *in, size_t n, int force, const ts_agg_opts *o,
                             ts_agg_summary *sum, ts_err *err);

/* Tidy CSV of datasets of a store (names: paths as in the view, e.g. "tv",
 * "aggregate/tv_mean"; n == 0: every scalar result, that is one value per
 * task; array results such as a density only when named). Header
 *   variable,<dim>,...,value
 * with one column per dimension any of them has (in order of first use),
 * empty where a dataset lacks that dimension; one row per element.
 * Coordinates as stored (labels as text); numbers in the shortest of %.15g to
 * %.17g that reads back exactly; "NaN" where missing. out_name names `out` in errors. */
ts_status ts_export_csv(ts_store_view *v, const char *const *names, size_t n, FILE *out,
                        const char *out_name, uint64_t *rows, ts_err *err);

#endif
