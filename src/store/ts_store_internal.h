/* ts_store_internal.h: shared by the files of src/store/, not public.
 *
 * A store is planned first (ts_store_layout.c: every name, dimension and
 * coordinate checked before the file exists), then created
 * (ts_store_create.c) and written in place (ts_store_write.c). The plan only
 * points into the job and the layout. */
#ifndef TS_STORE_INTERNAL_H
#define TS_STORE_INTERNAL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_store.h"

typedef enum { ST_DIM_AXIS, ST_DIM_ZIP, ST_DIM_REPLICATE, ST_DIM_TRAILING } st_dim_kind;

typedef struct {
    char name[64];
    hsize_t len;
    st_dim_kind kind;
    const ts_axis *axis;      /* AXIS, ZIP                                  */
    const double *coords;     /* TRAILING: NULL when the index is the value */
    const char *first_user;   /* TRAILING: result that declared it, for messages */
    hid_t scale;              /* the open dimension-scale dataset, or -1   */
} st_dim;

#define ST_MAX_DIMS (TS_MAX_AXES + 1 + 2 * TS_MAX_RESULTS)
/* Every zip member name, space-separated. */
#define ST_COORDS_MAX (TS_MAX_AXES * TS_MAX_ZIP_MEMBERS * 65)

typedef struct {
    const ts_job *job;
    const ts_result_layout *l;
    uint64_t n_tasks;
    size_t n_task_dims;                  /* n_axes + 1: the dims of /status  */
    size_t n_dims;                       /* task dims first, then trailing  */
    st_dim dims[ST_MAX_DIMS];
    int write[TS_MAX_RESULTS];           /* 1: recorded                     */
    size_t res_dim[TS_MAX_RESULTS][2];   /* its trailing dims, in dims[]    */
    char coordinates[ST_COORDS_MAX];     /* "" when there is no zip group   */
} st_plan;

/* A plain axis has one member named like the axis; anything else (several
 * members, or a one-member zip group "zipN") is a zip group. */
int st_axis_is_zip(const ts_job *job, const ts_axis *ax);

/* Fill the plan, or say what makes this job and layout unstorable. */
ts_status st_plan_build(st_plan *p, const ts_job *job, const ts_result_layout *l, ts_err *err);

/* File access for every open of a store: HDF5's own file locking off (it
 * fails on many cluster file systems, and tailsweep locks stores itself,
 * ts_store_lock.h), errors reported once through ts_err, not printed. */
hid_t st_fapl(void);

/* The per-task datasets' file types, fill values and attributes. */
typedef enum { ST_U32, ST_U64, ST_I32, ST_F64, ST_I8, ST_STR } st_type;
typedef struct {
    const char *name;
    st_type type;                /* STR: fixed-length UTF-8 of `size` bytes */
    size_t size;                 /* bytes per task in the file              */
    const void *fill;
    const char *long_name, *units;
} st_task_dset;
/* The HDF5 file and memory types of a numeric st_type. */
void st_numeric_types(st_type t, hid_t *ftype, hid_t *mtype);
/* Indexed like ts_schema_task_dsets. */
extern const st_task_dset st_task_dsets[];
size_t st_n_task_dsets(void);

/* Per-write state, so helpers can name the file in messages and share the
 * string type. */
typedef struct {
    const char *path;    /* the target name, for messages */
    hid_t file;
    hid_t str;           /* variable-length UTF-8 string  */
    ts_err *err;
} st_ctx;

/* The innermost HDF5 error description on the default stack, or "". */
void st_h5_reason(char *buf, size_t n);
/* ts_err_set(TS_EIO) with "<path>: <what>: <HDF5 reason>". */
ts_status st_fail(const st_ctx *c, const char *what, const char *name);

/* Replace bytes that are not valid UTF-8 with '?': h5py refuses to decode a
 * variable-length UTF-8 string that is not, and then xarray cannot open the
 * file. dst has room for strnlen(src, max) + 1 bytes. Returns its length. */
size_t st_utf8_clean(char *dst, const char *src, size_t max);

ts_status st_attr_str(const st_ctx *c, hid_t obj, const char *obj_name, const char *name,
                      const char *value);
/* A string attribute, malloc'd (NULL when absent or not a string). */
char *st_attr_read_str(hid_t obj, const char *name);
/* A numeric scalar attribute as a double: 1 when present and read. */
int st_attr_read_num(hid_t obj, const char *name, double *v);

/* n == 0: a scalar attribute, else a 1-D one of n values. */
ts_status st_attr_num(const st_ctx *c, hid_t obj, const char *obj_name, const char *name,
                      hid_t file_type, hid_t mem_type, const void *v, size_t n);

/* Fill buf with elements e0 .. e0 + n - 1 of a dataset, in row-major order
 * and in the memory type. */
typedef ts_status (*st_fill_fn)(void *buf, uint64_t e0, size_t n, void *arg, ts_err *err);

typedef struct {
    const char *name;
    int rank;
    const hsize_t *shape;
    hid_t ftype, mtype;
    size_t msize;               /* bytes of one element in memory            */
    size_t target;              /* bytes per write (0: 1 MiB)                */
    const void *fill_value;     /* in mtype; NULL: HDF5's default            */
    st_fill_fn fill;            /* NULL: the fill value everywhere           */
    void *arg;
} st_dset_spec;

/* Blocks of a row-major array, in order: whole trailing dimensions, then as
 * many of the next outer one as fit in max_elems. Each block is the
 * flattened range e0 .. e0 + n - 1 and the box start/count. */
typedef struct {
    const hsize_t *shape;
    int rank;
    size_t depth;
    hsize_t step, inner, outer, o, j;
} st_blocks;
void st_blocks_init(st_blocks *it, const hsize_t *shape, int rank, size_t max_elems);
int st_blocks_next(st_blocks *it, hsize_t *start, hsize_t *count, uint64_t *e0, size_t *n);

/* Create the dataset, contiguous and allocated at once, and fill it through
 * s->fill in blocks of about s->target bytes, or with its fill value; *out
 * is the open dataset on success. */
ts_status st_dset_write(const st_ctx *c, const st_dset_spec *s, hid_t *out);

/* The coordinate datasets: create every dimension scale of the plan, with
 * its values and attributes, plus the zip member datasets attached to them.
 * Leaves dims[].scale open for attaching; st_dims_close closes them. */
ts_status st_dims_write(const st_ctx *c, st_plan *p);
void st_dims_close(st_plan *p);
/* Attach dims[idx[k]] to dimension k of dset and label it, for k < rank. */
ts_status st_attach(const st_ctx *c, const st_plan *p, hid_t dset, const char *name,
                    const size_t *idx, size_t rank);

#endif
