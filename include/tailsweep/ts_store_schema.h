/* ts_store_schema.h: the names of a store's datasets, groups and attributes,
 * defined once. Everything that reads or writes a store (the store module,
 * aggregation, export, info, status, plot's argument checks) uses these. */
#ifndef TS_STORE_SCHEMA_H
#define TS_STORE_SCHEMA_H

/* The layout version written as the root attribute format_version. Bump it
 * when a reader of the previous layout would misread a new store.
 *   1: written whole from the journal (tailsweep 0.x before the in-place store)
 *   2: written in place: contiguous datasets, per-task checksums, end_time,
 *      fixed-length host/message, the parsed job as `job`. */
#define TS_STORE_FORMAT 2

/* Per-task datasets, over [axes..., replicate]. */
#define TS_DS_STATUS "status"       /* int8: ts_task_status (flag_values/meanings) */
#define TS_DS_ATTEMPT "attempt"     /* uint32: attempts made (0: never run)        */
#define TS_DS_RANK "rank"           /* int32: MPI rank of the last attempt         */
#define TS_DS_WALL "wall_time"      /* float64 s: run time of the last attempt (over
                                       every run of it when it went on from a
                                       checkpoint, ts_ckpt_file.h)              */
#define TS_DS_END "end_time"        /* float64 s since 1970: when it finished      */
#define TS_DS_HOST "host"           /* fixed-length UTF-8 string                   */
#define TS_DS_MESSAGE "message"     /* fixed-length UTF-8 string                   */
#define TS_DS_CHECKSUM "checksum"   /* uint64: hash of the task's record (XXH3)     */
#define TS_STORE_HOST_LEN 64
#define TS_STORE_MSG_LEN 256
/* All of them, NULL-terminated, in the order the checksum covers them
 * (after the task's results, and with status last). */
extern const char *const ts_schema_task_dsets[];

/* Dimensions every store has, besides the job's axes and the results' own. */
#define TS_DIM_REPLICATE "replicate"
#define TS_DIM_SEED "seed"          /* a stacked store's leading dimension */
#define TS_DIM_QUANTILE "quantile"  /* /aggregate's quantile scale         */

/* The statistics written by `tailsweep aggregate`. */
#define TS_GROUP_AGGREGATE "aggregate"

/* Root attributes. */
#define TS_ATTR_KIND "kind"
#define TS_ATTR_FORMAT "format_version"
#define TS_ATTR_JOB "job"                   /* the parsed job, canonical text (ts_job_canonical) */
#define TS_ATTR_JOB_ID "job_identity"       /* its hash, 16 hex digits                          */
#define TS_ATTR_JOB_TEXT "job_text"         /* the job file as written (provenance)             */
#define TS_ATTR_JOB_FILE "job_file"
#define TS_ATTR_SEED "seed"
#define TS_ATTR_REPLICATES "replicates"
#define TS_ATTR_CREATED "created"
#define TS_ATTR_VERSION "tailsweep_version"
#define TS_ATTR_CONVENTIONS "Conventions"
#define TS_ATTR_STACKED "stacked_from"      /* a stacked store: how many stores */
/* /aggregate attributes. */
#define TS_ATTR_AGG_OVER "reduced_over"
#define TS_ATTR_AGG_SOURCE "source_state"   /* the store's completion state when aggregated */

#endif
