/* ts_store_view.h: reading a store (ts_store.h) back: its root attributes,
 * its dimension scales with their coordinates, its datasets with their
 * dimensions, and the completion state from /status.
 *
 * Opening checks the format: a store whose format_version is newer than
 * TS_STORE_FORMAT is refused (TS_EINVAL, naming both versions), as is a file
 * that is not a tailsweep store (no /status or no root attribute kind).
 * Datasets under /aggregate (ts_aggregate.h) are listed too, with names
 * "aggregate/NAME". The view holds no open HDF5 handle between calls. */
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
    char units[32];
    char description[200];
} ts_view_dset;

typedef struct {
    char path[512];
    int format;                 /* format_version (1 when absent)          */
    char kind[32], version[32], created[32], updated[32], job_file[512];
    char *job_text;             /* "" when absent                          */
    uint64_t seed, replicates;
    size_t n_task_dims;         /* dims of /status: axes..., replicate     */
    int task_dim[TS_VIEW_MAX_RANK];
    uint64_t n_tasks, n_status[4];   /* by ts_task_status                  */
    int has_aggregate;
    char agg_over[128], agg_created[32];   /* /aggregate's reduced_over, created */
    size_t n_dims, n_dsets;
    ts_view_dim *dims;
    ts_view_dset *dsets;
} ts_store_view;

ts_status ts_store_view_open(const char *path, ts_store_view **out, ts_err *err);
void ts_store_view_free(ts_store_view *v);

/* Index of a dimension by path ("alpha", "aggregate/alpha") or of a dataset,
 * or -1. */
int ts_store_view_dim(const ts_store_view *v, const char *path);
int ts_store_view_dset(const ts_store_view *v, const char *path);
/* Elements of a dataset (product of its shape). */
size_t ts_view_dset_size(const ts_view_dset *d);

/* Read a numeric dataset whole, converted to doubles (*out malloc'd, the
 * caller frees it). */
ts_status ts_store_view_read(const ts_store_view *v, const char *path, double **out, ts_err *err);

/* Read /status as int8 values (*out malloc'd, n_tasks of them). */
ts_status ts_store_view_status(const ts_store_view *v, int8_t **out, ts_err *err);

/* Read any 1-D dataset (a zip member, say) as coordinates. */
ts_status ts_store_view_coord(const ts_store_view *v, const char *path, ts_view_dim *out, ts_err *err);
void ts_view_dim_clear(ts_view_dim *d);

#endif
