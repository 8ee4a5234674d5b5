/* ts_store.h: the self-describing HDF5 store of a job (one file per job).
 *
 * The store is a derived artifact: the results journal (ts_journal.h) is the
 * source of truth, and the store is rewritten from it in one piece under a
 * temporary name, fsync'd and renamed over the old one. A kill at any moment
 * therefore leaves either the previous complete store or the new complete
 * store, never a half-written HDF5 file (HDF5 itself has no such guarantee
 * when a metadata write is interrupted).
 *
 * Layout (what h5py and xarray.open_dataset(engine="h5netcdf") see):
 *   /<axis>          for a plain axis: its values, a dimension scale
 *   /zipN            for a zip group: 0..len-1, a dimension scale, and
 *   /<member>        one 1-D dataset over zipN per member (listed in each
 *                    result's `coordinates` attribute)
 *   /replicate       0..replicates-1, a dimension scale
 *   /<trailing dim>  the kind's trailing dimensions (x, coord, chain, ...):
 *                    their coordinates, or 0..n-1, each a dimension scale
 *   /<result>        [axes..., replicate, trailing...] doubles, attributes
 *                    units, description, _FillValue = NaN (tasks not done;
 *                    /status says why)
 *   /status          int8 [axes..., replicate]: 0 todo, 1 done, 2 failed,
 *                    3 diverged (flag_values / flag_meanings attributes)
 *   /attempt, /rank, /wall_time (s), /host, /message   per task
 * Root attributes: kind, job_file, job_text (the full job file), seed,
 * replicates, tailsweep_version, created, updated (ISO 8601 UTC), and
 * format_version (TS_STORE_FORMAT; readers refuse a newer one; a store
 * without it predates the attribute and is format 1).
 *   /aggregate       written by `tailsweep aggregate` (ts_aggregate.h), not
 *                    by this writer: a rewrite from the journal drops it.
 * CHOICE-valued axes are stored as their names (strings), INT ones as int64.
 * Strings (host, message, choice names, attributes) are variable-length
 * UTF-8; bytes that are not UTF-8 are stored as '?'. Results and per-task
 * numbers are chunked and compressed (shuffle + deflate). */
#ifndef TS_STORE_H
#define TS_STORE_H

#include <stdint.h>

#include "tailsweep/ts_job.h"
#include "tailsweep/ts_kind.h"

/* The layout version written as the root attribute format_version. Bump it
 * when a reader of the previous layout would misread a new store. */
#define TS_STORE_FORMAT 1

/* What the engine knows about each task besides its results. */
typedef struct {
    uint8_t status;      /* ts_task_status */
    uint32_t attempt;    /* 0: never run   */
    int32_t rank;        /* -1: never run  */
    double wall;         /* seconds        */
    char host[64];
    char msg[256];
} ts_task_meta;

/* Write the whole store to `path` atomically (temp file, fsync, rename).
 * meta: ts_job_tasks(job) entries, index t = point * replicates + replicate.
 * results[i]: for result i of the layout, ts_job_tasks(job) * size doubles,
 * task-major (task t's block at t * size). Only results named in
 * job->record are written (all when n_record == 0). created/updated are
 * Unix times. */
ts_status ts_store_write(const char *path, const ts_job *job, const ts_result_layout *l,
                         const ts_task_meta *meta, double *const *results,
                         double created, double updated, ts_err *err);

/* What ts_store_write checks on names and dimensions, without writing: a
 * recorded result the layout lacks, two results giving one dimension name
 * different lengths or coordinates, two datasets with one name. Call it
 * before running tasks, so a sweep cannot end unstorable. */
ts_status ts_store_check(const ts_job *job, const ts_result_layout *l, ts_err *err);

#endif
