/* ts_job.h: job files (YAML, parsed with libyaml) and the grid they define.
 *
 *   kind: sde                 # one of the kinds the caller offers
 *   store: results/fig6.h5    # optional; default results/<job file stem>.h5
 *   seed: 1                   # the job seed (rng key), default 1
 *   replicates: 4             # the seed axis: replicate 0..n-1, default 1
 *   params:                   # fixed values; unset parameters take defaults
 *     potential: quartic
 *     eta: 1.0e-3
 *   axes:                     # swept parameters; the grid is their product
 *     alpha: [1.9, 1.1]                 # an explicit list
 *     theta: {linspace: [-1, 1, 5]}     # or linspace/logspace [a, b, n], arange [a, b, step]
 *   zip:                      # optional: groups of parameters that move together;
 *     - {eta: [1e-3, 1e-4], steps: [1e5, 1e6]}   # each group is one grid dimension
 *   record: [density, tv]     # optional: which results to store (default all)
 *   checkpoint_every: 300     # optional: seconds between a running task's
 *                             # checkpoints (kinds that have them; ts_ckpt_file.h)
 *
 * Grid order: dimensions in file order (axes first, then zip groups), the
 * last one fastest. A grid point's index is its row-major position; the
 * replicate is separate. Both are the rng identity of the task (docs/rng.md),
 * so results never depend on ranks or scheduling.
 *
 * Every error names the file, the line and the key, and says what was
 * expected: unknown key, wrong type, empty axis, out-of-range value,
 * duplicate key, a parameter the kind does not know, a fixed parameter swept,
 * a parameter both fixed and swept. */
#ifndef TS_JOB_H
#define TS_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_kind.h"

/* One grid dimension: a plain axis has one member, a zip group several, all
 * of the same length. */
#define TS_MAX_ZIP_MEMBERS 8
typedef struct {
    char name[64];            /* the parameter name, or "zip0", "zip1", ...  */
    size_t len;
    size_t n_members;
    int param[TS_MAX_ZIP_MEMBERS];      /* each member's index in the kind's table */
    double *values[TS_MAX_ZIP_MEMBERS]; /* len values per member (CHOICE: the
                                           index; STRING: 0, 1, ..., len - 1) */
    char **labels[TS_MAX_ZIP_MEMBERS];  /* STRING members: the len texts; else NULL */
    int line;                 /* where it was declared, for messages        */
} ts_axis;
/* Free an axis's values and labels. */
void ts_axis_clear(ts_axis *ax);

#define TS_MAX_AXES 16
/* Limits, so a typo cannot ask for an absurd grid: every grid point is
 * validated at load time, which stays a matter of seconds below these. */
#define TS_JOB_MAX_BYTES (1u << 20)          /* size of a job file           */
#define TS_JOB_MAX_AXIS_LEN 10000000u        /* values on one axis           */
#define TS_JOB_MAX_POINTS 100000000u         /* grid points (tasks: x replicates) */
#define TS_JOB_MAX_REPLICATES (1u << 24)
#define TS_JOB_CHECKPOINT_EVERY 300.0        /* seconds, the default      */
typedef struct {
    char path[512];           /* the job file, as given                    */
    char *text;               /* its full text (provenance)                */
    const ts_kind *kind;
    uint64_t seed;
    uint64_t replicates;
    double checkpoint_every;  /* seconds; not part of the job's identity   */
    char store[512];
    ts_params fixed;          /* every parameter: defaults, then params:;   */
                              /* NaN for a required one that is swept       */
    char *fixed_text[TS_MAX_PARAMS];  /* owned texts of STRING params set in params: */
    size_t n_axes;
    ts_axis axes[TS_MAX_AXES];
    size_t n_record;          /* 0: record every result                     */
    char record[TS_MAX_RESULTS][48];
} ts_job;

/* Read, parse and validate a job file against the kinds offered
 * (NULL-terminated; the CLI's are ts_cli_kinds). */
ts_status ts_job_load(const char *path, const ts_kind *const *kinds, ts_job **out, ts_err *err);
/* The same from text; `name` stands for the file in messages. */
ts_status ts_job_parse(const char *text, size_t len, const char *name,
                       const ts_kind *const *kinds, ts_job **out, ts_err *err);
void ts_job_free(ts_job *job);

uint64_t ts_job_points(const ts_job *job);            /* product of axis lengths (1 if none) */
static inline uint64_t ts_job_tasks(const ts_job *job) { return ts_job_points(job) * job->replicates; }
/* Axis coordinates of a point: idx[a] for each axis. */
void ts_job_point_coords(const ts_job *job, uint64_t point, size_t *idx);
/* "grid point 3 (alpha=1.1, theta=0.5)", for messages. */
void ts_job_describe_point(const ts_job *job, uint64_t point, char *buf, size_t n);
/* Task number t = point * replicates + replicate, resolved to parameters.
 * Runs the kind's validate on the result, so a point whose combination is
 * invalid is reported (and recorded failed by the engine). */
ts_status ts_job_task(const ts_job *job, uint64_t t, ts_task *task, ts_err *err);

/* The parameters of a grid point, not validated (ts_job_load did). */
void ts_job_point_params(const ts_job *job, uint64_t point, ts_params *p);
/* Call visit(params, point, ctx) for every grid point in order, walking
 * the points as an odometer so each step only rewrites the axes that moved
 * (the parameters are not validated). Stops at the first non-zero status
 * visit returns, and returns it. */
typedef ts_status (*ts_job_visit_fn)(const ts_params *p, uint64_t point, void *ctx);
ts_status ts_job_walk_points(const ts_job *job, ts_job_visit_fn visit, void *ctx);

/* The kind's cost estimate of a job (ts_kind's cost: seconds of one core),
 * computed once per grid point. All NaN when the kind has none. */
typedef struct {
    double total;             /* every task, in core-seconds                */
    double max_task;          /* the costliest task                        */
    uint64_t max_point;       /* its grid point                            */
} ts_job_cost;
ts_status ts_job_cost_estimate(const ts_job *job, ts_job_cost *out, ts_err *err);

/* A job of one task: kind k at parameters p (texts are copied), seed, no
 * axes, one replicate; `name` stands for the job file and `text` records
 * how it was made (a command line). For one-point outputs, which are
 * stores of one task like any other. */
ts_status ts_job_single(const ts_kind *k, const ts_params *p, uint64_t seed, const char *name, const char *text,
                        ts_job **out, ts_err *err);

/* The job as parsed, in canonical text: one "key = value" line per setting
 * in a fixed order (kind, seed, replicates, each fixed parameter in the
 * kind's table order, each axis and zip member, record). Numbers are in
 * their shortest exact form, choices by name, texts quoted. Two job files
 * that parse to the same job give the same text: comments, layout and
 * 0.001 against 1.0e-3 do not matter. The store path and the job file's
 * name are not part of it. with_seed = 0 leaves the seed out (stores of one
 * seed array differ only there). *out is malloc'd. */
ts_status ts_job_canonical(const ts_job *job, int with_seed, char **out, ts_err *err);
/* The job's identity: the hash of its canonical text with the seed. */
ts_status ts_job_identity(const ts_job *job, uint64_t *id, ts_err *err);
/* Compare two canonical texts key by key. Writes "key: A vs B" for each key
 * that differs (a missing key reads "(not set)") into msg, separated by
 * "; ", and returns how many differ (0: the same job). */
size_t ts_job_canonical_diff(const char *a, const char *b, char *msg, size_t n);

#endif
