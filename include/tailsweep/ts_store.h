/* ts_store.h: the self-describing HDF5 store of a job (one file per job),
 * created once and then written in place.
 *
 * Layout (what h5py and xarray.open_dataset(engine="h5netcdf") see; names
 * in ts_store_schema.h):
 *   /<axis>          a plain axis: its values, a dimension scale (choices and
 *                    texts as strings, integers as int64)
 *   /zipN, /<member> a zip group: 0..len-1 as the scale, a 1-D dataset per
 *                    member (listed in each variable's `coordinates`)
 *   /replicate       0..replicates-1
 *   /<trailing dim>  the results' own dimensions (x, minimum, step, ...)
 *   /<result>        float64 [axes..., replicate, trailing...]; NaN where the
 *                    task is not done (and _FillValue = NaN)
 *   /status /attempt /rank /wall_time /end_time /host /message /checksum
 *                    per task, over [axes..., replicate]
 * Root attributes: Conventions (CF-1.8), kind, the parsed job (`job`, and
 * its hash `job_identity`), the job file's text and name, seed, replicates,
 * created, tailsweep_version, format_version, and every fixed parameter of
 * the job as a typed attribute of its own name.
 *
 * Why in place: the store is created whole at the start, every dataset
 * contiguous and allocated, results NaN. After that its HDF5 metadata never
 * changes while tasks run: a finished task's values are written straight
 * into the file at fixed offsets (pwrite), its status last. So the cost of
 * storing a task does not grow with the sweep, readers (status, h5py on
 * another node) can open the file at any moment, and a kill can tear at
 * most raw values, which the per-task checksum detects. docs/architecture.md
 * says which HDF5 behaviour this relies on. /aggregate is added later by a
 * rollback-protected transaction (ts_store_txn.h). */
#ifndef TS_STORE_H
#define TS_STORE_H

#include <stdint.h>

#include "tailsweep/ts_job.h"
#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_store_schema.h"

/* One task as the runner hands it to the store (and to its journal). */
typedef struct {
    uint64_t task;
    uint8_t status;             /* ts_task_status                               */
    uint32_t attempt;           /* 1 for the first run                          */
    int32_t rank;
    double wall;                /* seconds                                      */
    double end_time;            /* Unix time                                    */
    char host[TS_STORE_HOST_LEN];
    char msg[TS_STORE_MSG_LEN];
    const double *results;      /* the task's values in layout order (every
                                   result, recorded or not), or NULL when the
                                   task is not done or diverged: NaN is stored */
} ts_task_record;

/* What ts_store_check finds wrong with a job and layout (a recorded result
 * the layout lacks, two results giving one dimension different lengths, two
 * datasets with one name), without writing. Call it before running tasks. */
ts_status ts_store_check(const ts_job *job, const ts_result_layout *l, ts_err *err);

/* Create the store of `job` at `path`, every task todo. It is written under
 * a temporary name and renamed into place; an existing file is refused
 * unless `force` (then replaced). created: Unix time. */
ts_status ts_store_create(const char *path, const ts_job *job, const ts_result_layout *l, int force,
                          double created, ts_err *err);

/* ---- what a file is ---- */

typedef enum {
    TS_FILE_ABSENT = 0,
    TS_FILE_STORE,          /* a tailsweep store of this format               */
    TS_FILE_STORE_OLD,      /* a tailsweep store of an older format           */
    TS_FILE_STORE_NEWER,    /* of a newer format: a newer tailsweep wrote it  */
    TS_FILE_STACKED,        /* a stack of stores (aggregate -o)               */
    TS_FILE_OTHER_HDF5,     /* HDF5, but not a store (a `sample` output, ...) */
    TS_FILE_NOT_HDF5,       /* a text file, a job file, ...                   */
    TS_FILE_DIRECTORY,
    TS_FILE_UNREADABLE
} ts_file_kind;

typedef struct {
    ts_file_kind kind;
    int format;
    char kind_name[32];         /* the store's kind ("sde", ...)       */
    char *job;                  /* the canonical job text (malloc'd)   */
    uint64_t seed, tasks;
    char why[256];              /* for UNREADABLE / OTHER_HDF5         */
} ts_file_info;

/* Look at `path` without changing it. */
void ts_file_identify(const char *path, ts_file_info *info);
void ts_file_info_clear(ts_file_info *info);
/* A sentence for messages: "a text file, not a tailsweep store". */
const char *ts_file_kind_phrase(ts_file_kind k);

/* ---- writing in place ---- */

typedef struct ts_store ts_store;

/* Open the store at `path` for writing the results of `job`. The file must
 * be this job's store: the same parsed job (else TS_EINVAL naming the keys
 * that differ), this format, and the datasets the job's layout needs. */
ts_status ts_store_open(const char *path, const ts_job *job, const ts_result_layout *l, ts_store **out,
                        ts_err *err);
void ts_store_close(ts_store *s);

/* Write finished tasks (any order, each task once) into the file, results
 * and metadata first and status last, and put each task's checksum in
 * sum_out[i] (may be NULL). */
ts_status ts_store_put(ts_store *s, const ts_task_record *recs, size_t n, uint64_t *sum_out, ts_err *err);
/* Put a task back to todo: NaN results, metadata cleared. */
ts_status ts_store_reset(ts_store *s, uint64_t task, ts_err *err);
/* fdatasync the file: what was put survives a crash of the machine. */
ts_status ts_store_sync(ts_store *s, ts_err *err);
/* Start writing what was put to disk, without waiting (Linux
 * sync_file_range; nothing elsewhere). Durability needs ts_store_sync; a
 * crash before it costs recomputation, never correctness: the checksums and
 * the journal tell what is missing. */
void ts_store_start_writeback(ts_store *s);

/* One task as found by ts_store_verify. */
typedef struct {
    uint64_t task;
    uint8_t status;
    uint32_t attempt;
    uint64_t checksum;          /* the one stored                                 */
    int intact;                 /* 1: the record's checksum matches its contents
                                   (always 1 for todo tasks, which have none)    */
} ts_store_task_state;

typedef void (*ts_store_visit)(const ts_store_task_state *t, void *ctx);

/* Read every task's record and check its checksum, calling visit for each
 * task in order. Each dataset is read once, in blocks, skipping blocks of
 * tasks that never ran; memory: 9 bytes per task plus one block. */
ts_status ts_store_verify(ts_store *s, ts_store_visit visit, void *ctx, ts_err *err);

uint64_t ts_store_tasks(const ts_store *s);
/* The HDF5 file-access property list every open of a store uses (an hid_t
 * the caller closes): HDF5's own file locking off, which fails on many
 * cluster file systems (a store has its own lock, ts_store_lock.h). */
int64_t ts_store_h5_fapl(void);
const char *ts_store_path(const ts_store *s);

#endif
