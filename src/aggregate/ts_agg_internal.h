/* ts_agg_internal.h: shared by the files of src/aggregate/, not public. */
#ifndef TS_AGG_INTERNAL_H
#define TS_AGG_INTERNAL_H

#include "tailsweep/ts_aggregate.h"

/* An array to reduce, derived from a store's results (a shift map's metric):
 * dims are indices into the view's dims. */
typedef struct {
    char name[48];
    char units[32];
    char desc[200];
    size_t rank;
    size_t shape[TS_VIEW_MAX_RANK];
    int dim[TS_VIEW_MAX_RANK];
    double *x;                      /* owned */
} ts_agg_input;

#define TS_AGG_MAX_MAPS 8

/* The SDE kind's shift-map metrics of a store: the left and right mode
 * shifts, TV, KL(density || Gibbs), W1 and the diverged fraction, each over
 * the result's dims with `minimum` removed. Metrics whose results were not
 * recorded are skipped and named in `note`. */
ts_status ts_agg_sde_inputs(const ts_store_view *v, ts_agg_input *in, size_t *n, char *note,
                            size_t note_size, ts_err *err);
void ts_agg_input_free(ts_agg_input *in, size_t n);

/* ---- writing (ts_agg_h5.c) ---- */
#include <hdf5.h>

#define AGG_QUANTILE_DIM (-2)   /* a dataset dimension on the quantile scale */
#define AGG_SEED_DIM (-3)       /* on the seed scale of a stacked store      */
#define AGG_MAX_WRITTEN 8192

typedef struct {
    const ts_store_view *v;
    const char *path;
    hid_t file, group, str;
    hid_t scale[2 * 2048];        /* by view dim index: its scale in group, or -1     */
    hid_t qscale, seed_scale;
    int reduce[2 * 2048];         /* by view dim index                              */
    char (*written)[TS_VIEW_NAME];/* the datasets created so far                     */
    size_t n_written;
    ts_err *err;
} agg_ctx;

ts_status agg_h5fail(const agg_ctx *c, const char *what, const char *name);
/* Create `name` in c->group, noting it as written. */
hid_t agg_make_dset(agg_ctx *c, const char *name, hid_t ftype, hid_t sp);
/* Fixed-length UTF-8 (ts_agg_h5.c says why). */
ts_status agg_attr_str(const agg_ctx *c, hid_t obj, const char *name, const char *value);
ts_status agg_attr_doubles(const agg_ctx *c, hid_t obj, const char *name, const double *x, size_t n);
/* A 1-D coordinate dataset in c->group with d's values; *out stays open. */
ts_status agg_write_coord(agg_ctx *c, const char *name, const ts_view_dim *d, int as_scale, hid_t *out);
/* The scale in c->group for view dimension `dim`, created on first use. */
ts_status agg_scale_for(agg_ctx *c, int dim, hid_t *out);
/* Copy the zip members over the given dims; their names into coords. */
ts_status agg_copy_members(agg_ctx *c, const int *dims, size_t rank, char *coords, size_t n);

typedef struct {
    const char *name, *units, *desc, *source, *statistic;
    size_t rank;
    const int *dims;              /* view dim indices, AGG_QUANTILE_DIM or AGG_SEED_DIM */
    const size_t *shape;
    int is_count;
    const void *data;
} agg_out_spec;

ts_status agg_write_out(agg_ctx *c, const agg_out_spec *s);
ts_status agg_copy_file(const char *from, const char *to, ts_err *err);
ts_status agg_sync_path(const char *p, int dir, const char *store, ts_err *err);

#endif
