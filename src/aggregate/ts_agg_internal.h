/* ts_agg_internal.h: shared by the files of src/aggregate/, not public. */
#ifndef TS_AGG_INTERNAL_H
#define TS_AGG_INTERNAL_H

#include <hdf5.h>

#include "tailsweep/ts_aggregate.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_store_schema.h"

/* An array to reduce, derived from a store's results (a kind's ts_derived):
 * dims are indices into the view's dims. Small: one value per task. */
typedef struct {
    char name[48];
    char units[64];
    char desc[200];
    size_t rank;
    size_t shape[TS_VIEW_MAX_RANK];
    int dim[TS_VIEW_MAX_RANK];
    double *x;                      /* owned */
} ts_agg_input;

#define TS_AGG_MAX_MAPS 16

/* The summaries of `table` (a kind's ts_derived, ts_kind.h) computed from
 * the store, at most cap; those whose results were not recorded are
 * skipped and named in `note`. */
ts_status ts_agg_derived_inputs(ts_store_view *v, const ts_derived *table, ts_agg_input *in, size_t cap, size_t *n,
                                char *note, size_t note_size, ts_err *err);
void ts_agg_input_free(ts_agg_input *in, size_t n);

/* The values one cell reduces over: from x (row-major over shape, strides
 * stride), the element at base plus every combination of the reduced
 * dimensions (reduce[k] != 0), the last fastest, into out. */
void agg_gather(const double *x, size_t rank, const size_t *shape, const size_t *stride, const int *reduce,
                size_t base, double *out);

/* ---- writing (ts_agg_h5.c) ---- */

#define AGG_QUANTILE_DIM (-2)   /* a dataset dimension on the quantile scale */
#define AGG_SEED_DIM (-3)       /* on the seed scale of a stacked store      */
#define AGG_MAX_WRITTEN 8192
#define AGG_BOX_ELEMS (4u << 20) /* values read at once: bounds the memory */

typedef struct {
    ts_store_view *v;
    const char *path;
    hid_t file, group, str;
    hid_t scale[2 * 2048];        /* by view dim index: its scale in group, or -1 */
    hid_t qscale, seed_scale;
    int reduce[2 * 2048];         /* by view dim index                           */
    char (*written)[TS_VIEW_NAME];/* the datasets created so far                  */
    size_t n_written;
    ts_err *err;
} agg_ctx;

ts_status agg_h5fail(const agg_ctx *c, const char *what, const char *name);
/* Create `name` in c->group (contiguous), noting it as written. */
hid_t agg_make_dset(agg_ctx *c, const char *name, hid_t ftype, hid_t sp);
/* Fixed-length UTF-8 (ts_agg_h5.c says why). */
ts_status agg_attr_str(const agg_ctx *c, hid_t obj, const char *name, const char *value);
ts_status agg_attr_doubles(const agg_ctx *c, hid_t obj, const char *name, const double *x, size_t n);
/* A 1-D coordinate dataset in c->group with d's values; *out stays open. */
ts_status agg_write_coord(agg_ctx *c, const char *name, const ts_view_dim *d, int as_scale, hid_t *out);
/* The scale in c->group for view dimension `dim`, created on first use. */
ts_status agg_scale_for(agg_ctx *c, int dim, hid_t *out);

typedef struct {
    const char *name, *units, *desc, *source, *statistic;
    size_t rank;
    const int *dims;              /* view dim indices, AGG_QUANTILE_DIM or AGG_SEED_DIM */
    const size_t *shape;
    int is_count;                 /* int64 counts, not float64                           */
} agg_out_spec;

/* Create an output dataset of the full shape with its scales and
 * attributes; values are written by agg_out_write. */
ts_status agg_out_create(agg_ctx *c, const agg_out_spec *s, hid_t *out);
/* Write the box start/count of an output: doubles, or uint64 counts. */
ts_status agg_out_write(agg_ctx *c, hid_t d, const char *name, size_t rank, const size_t *start,
                        const size_t *count, int is_count, const void *data);

/* ---- reducing in boxes (ts_agg_reduce.c) ---- */

/* Where the values come from: a box of a dataset, as doubles. */
typedef ts_status (*agg_read_fn)(void *src, const size_t *start, const size_t *count, double *out, ts_err *err);

typedef struct {
    const char *name, *units, *desc;
    size_t rank;
    const size_t *shape;
    const int *dims;              /* view dim index per dimension */
    agg_read_fn read;
    void *src;
    int is_map;                   /* a shift map: mean, count, sd and a t interval */
    int only_count;               /* the task counts: count alone, named `name`    */
} agg_source;

/* Reduce a source over c->reduce and write its statistics, reading it box
 * by box (at most AGG_BOX_ELEMS values at once). */
ts_status agg_reduce_write(agg_ctx *c, const agg_source *s, const ts_agg_opts *o, ts_agg_summary *sum);

/* Reading a view's dataset as a source. */
typedef struct {
    ts_store_view *v;
    const char *path;
} agg_view_src;
ts_status agg_read_view(void *src, const size_t *start, const size_t *count, double *out, ts_err *err);

/* ---- writing /aggregate into an open file (ts_agg_write.c) ---- */

/* Everything under c->group: the statistics of every result, the task
 * counts, the kind's derived maps, and the group's attributes. */
ts_status agg_write_all(agg_ctx *c, const ts_agg_opts *o, ts_agg_summary *sum);
/* Aggregate the store at `path` inside a transaction; lock: take the
 * store's lock (0 for a private file being built). */
ts_status agg_into(const char *path, const ts_agg_opts *o, ts_agg_summary *sum, int lock, ts_err *err);

#endif
