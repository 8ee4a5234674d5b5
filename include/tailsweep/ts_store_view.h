/* ts_store_view.h: reading a store (ts_store.h) back: its root attributes,
 * its dimension scales with their coordinates, its datasets with their
 * dimensions, the task counts, and slabs of any dataset.
 *
 * Readers never take the store's lock and never need it: a store's
 * metadata does not change while a sweep writes into it (ts_store.h), so a
 * view can be opened at any moment, from any node. Memory is bounded: the
 * view holds names, shapes and coordinates; values are read by slab.
 *
 * Opening refuses a file that is not a tailsweep store, and a store of a
 * format this version does not read, saying what to do. Datasets under
 * /aggregate (ts_aggregate.h) are listed too, with names "aggregate/NAME". */
#ifndef TS_STORE_VIEW_H
#define TS_STORE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

#define TS_VIEW_MAX_RANK 8
#define TS_VIEW_NAME 128

typedef enum { TS_COORD_REAL = 0, TS_COORD_INT = 1, TS_COORD_STRING = 2, TS_COORD_INDEX = 3 } ts_coord_type;

/* A dimension scale. INDEX: a scale without readable values (0..len-1). */
typedef struct {
    char path[TS_VIEW_NAME];    /* "alpha", "aggregate/quantile"          */
    char name[64];              /* the dimension name: the last component */
    size_t len;
    ts_coord_type type;
    double *values;             /* len values (REAL, INT, INDEX)          */
    char **labels;              /* STRING: len UTF-8 strings              */
} ts_view_dim;

typedef enum { TS_DSET_RESULT = 0, TS_DSET_TASK = 1, TS_DSET_COORD = 2, TS_DSET_AGGREGATE = 3 } ts_dset_role;

typedef struct {
    char path[TS_VIEW_NAME];    /* "tv", "aggregate/tv_mean"              */
    ts_dset_role role;          /* RESULT: float64 over [tasks..., trailing] */
    size_t rank;
    size_t shape[TS_VIEW_MAX_RANK];
    int dim[TS_VIEW_MAX_RANK];  /* index in dims[], -1: no scale attached */
    int is_float, is_string;    /* the stored type                        */
    char units[64];
    char description[200];      /* its long_name                          */
} ts_view_dset;

typedef struct {
    char path[512];
    int format;                 /* format_version                          */
    char kind[32], version[32], created[32], job_file[512];
    char *job_text;             /* the job file as written ("" when absent) */
    char *job;                  /* the parsed job, canonical ("" when absent) */
    uint64_t seed, replicates;
    int stacked;                /* a stack of stores (aggregate -o)        */
    size_t n_task_dims;         /* dims of /status: axes..., replicate     */
    int task_dim[TS_VIEW_MAX_RANK];
    uint64_t n_tasks, n_status[4];   /* by ts_task_status                  */
    int has_aggregate;
    char agg_over[128], agg_created[32];   /* /aggregate's reduced_over, created */
    uint64_t agg_source_state;  /* the store's state when /aggregate was made (0: unknown) */
    size_t n_dims, n_dsets;
    ts_view_dim *dims;
    ts_view_dset *dsets;
    int64_t file;               /* the open HDF5 file (an hid_t)           */
    int64_t cur_dset;           /* the dataset read last, kept open        */
    char cur_path[TS_VIEW_NAME];
} ts_store_view;

ts_status ts_store_view_open(const char *path, ts_store_view **out, ts_err *err);
void ts_store_view_free(ts_store_view *v);

/* Index of a dimension by path ("alpha", "aggregate/alpha") or of a dataset,
 * or -1. */
int ts_store_view_dim(const ts_store_view *v, const char *path);
int ts_store_view_dset(const ts_store_view *v, const char *path);
/* Elements of a dataset (product of its shape). */
size_t ts_view_dset_size(const ts_view_dset *d);

/* How read_slab converts. */
typedef enum { TS_READ_DOUBLE = 0, TS_READ_INT8 = 1, TS_READ_UINT32 = 2 } ts_read_type;

/* Read the box start[k] .. start[k] + count[k] - 1 of a numeric dataset, in
 * row-major order, converted to `as`. */
ts_status ts_store_view_read_slab(ts_store_view *v, const char *path, const size_t *start, const size_t *count,
                                  ts_read_type as, void *out, ts_err *err);
/* The strings of a 1-D run of a fixed-length string dataset over the task
 * dimensions (host, message), task numbers t0 .. t0 + n - 1: n entries of
 * `width` bytes, NUL-terminated and cut to fit. */
ts_status ts_store_view_task_strings(ts_store_view *v, const char *path, uint64_t t0, size_t n, char *out,
                                     size_t width, ts_err *err);
/* A small dataset whole, as doubles (*out malloc'd): coordinates, scalars
 * of a one-task store. Large datasets are read by slab. */
ts_status ts_store_view_read(ts_store_view *v, const char *path, double **out, ts_err *err);

/* A hash of every task's status and checksum: the store's state of
 * completion. It changes when any task finishes, fails or is rerun, so an
 * /aggregate made at another state is stale. */
ts_status ts_store_view_state(ts_store_view *v, uint64_t *state, ts_err *err);

/* A numeric root attribute (a fixed parameter of the job, say): 1 when
 * present and read. */
int ts_store_view_attr_num(const ts_store_view *v, const char *name, double *out);

/* Read any 1-D dataset (a zip member, say) as coordinates. */
ts_status ts_store_view_coord(ts_store_view *v, const char *path, ts_view_dim *out, ts_err *err);
void ts_view_dim_clear(ts_view_dim *d);

/* Visit a per-task numeric dataset in blocks: f(t0, n, values, ctx) for
 * consecutive runs of tasks, values converted to `as` (bounded memory). */
ts_status ts_store_view_each_task(ts_store_view *v, const char *path, ts_read_type as,
                                  ts_status (*f)(uint64_t t0, size_t n, const void *values, void *ctx, ts_err *err),
                                  void *ctx, ts_err *err);
/* The same for /status as int8. */
ts_status ts_store_view_each_status(ts_store_view *v,
                                    ts_status (*f)(uint64_t t0, size_t n, const int8_t *status, void *ctx, ts_err *err),
                                    void *ctx, ts_err *err);

#endif
