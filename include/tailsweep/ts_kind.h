/* ts_kind.h: the one interface an experiment kind implements.
 *
 * The sweep engine knows nothing about SDEs, networks or linear models. A kind
 * declares the parameters it accepts (name, type, range, default, unit), says
 * which result arrays a task produces and of what shape, and runs one task.
 * The engine parses and validates job files against the parameter table,
 * expands the grid, schedules tasks and stores results; the kind only ever
 * sees one fully-specified task at a time. */
#ifndef TS_KIND_H
#define TS_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_error.h"
#include "tailsweep/ts_poll.h"

typedef enum {
    TS_PARAM_REAL = 0,    /* a finite double in [lo, hi] (lo excluded if lo_open)  */
    TS_PARAM_INT = 1,     /* an integer in [lo, hi], held exactly in a double      */
    TS_PARAM_CHOICE = 2,  /* one of `choices`, held as its index                  */
    TS_PARAM_STRING = 3   /* free text (a path, a list such as "32,64"), held in s[] */
} ts_param_type;

/* The longest text a STRING parameter takes, in bytes. */
#define TS_PARAM_STRING_MAX 4095

/* Shapes of result arrays may depend on this parameter, so it cannot be swept. */
#define TS_PARAM_FIXED 1u

typedef struct {
    const char *name;
    ts_param_type type;
    double lo, hi;
    int lo_open;                  /* 1: the value must be > lo, not >= lo */
    const char *def;              /* default, as YAML text; NULL: required */
    const char *const *choices;   /* CHOICE: NULL-terminated list          */
    const char *unit;             /* "" when dimensionless                 */
    const char *doc;              /* one line                              */
    unsigned flags;
} ts_param_spec;

/* Values for every parameter of a kind, in the order of its table. */
#define TS_MAX_PARAMS 64
typedef struct {
    const ts_param_spec *spec;
    size_t n;
    double v[TS_MAX_PARAMS];      /* REAL/INT: the value; CHOICE: the index */
    const char *s[TS_MAX_PARAMS]; /* STRING: the text (owned by the job or the
                                     caller, never by the params); else NULL */
} ts_params;

/* Look a value up by name (the name must exist in the table: a programming
 * error otherwise, caught by an assert). */
double ts_params_get(const ts_params *p, const char *name);
int ts_params_choice(const ts_params *p, const char *name);   /* CHOICE index */
const char *ts_params_choice_name(const ts_params *p, const char *name);
const char *ts_params_str(const ts_params *p, const char *name);       /* STRING text */
/* Index of a parameter in the table, or -1. */
int ts_params_index(const ts_param_spec *spec, size_t n, const char *name);

/* Check one value against its spec; the message names `where` (e.g.
 * "jobs/x.yaml:12: key 'eta'") and says what was expected. */
ts_status ts_param_check(const ts_param_spec *s, double v, const char *where, ts_err *err);
/* What a spec accepts, as a phrase: "a number in (0, 2]", "one of a, b"
 * (messages and the CLI's help). */
void ts_param_expected(const ts_param_spec *s, char *buf, size_t n);
/* Parse text as a value of this spec (number, integer or choice name; a
 * STRING is checked and *v set to 0: its text goes to ts_params.s). */
ts_status ts_param_parse(const ts_param_spec *s, const char *text, double *v,
                         const char *where, ts_err *err);
/* Parse text into parameter i of p: v[i], and for a STRING s[i] = text,
 * which must outlive p. */
ts_status ts_params_set(ts_params *p, size_t i, const char *text, const char *where, ts_err *err);
/* Every parameter of the table at its default; a required one (no default)
 * is NaN (NULL text for a STRING). The one place defaults are parsed. */
ts_status ts_params_defaults(ts_params *p, const ts_param_spec *spec, size_t n, ts_err *err);

/* One result array of a task: `rank` trailing dimensions (0: a scalar) with
 * optional coordinate values, e.g. the density over the grid x. */
#define TS_MAX_RESULTS 64
typedef struct {
    char name[48];
    char unit[24];
    char doc[160];
    size_t rank;
    size_t dims[2];
    char dim_names[2][24];
    double *coords[2];            /* owned; NULL when the index is the coordinate */
} ts_result_spec;

/* A task's results, in order. A layout is allocated zeroed by
 * ts_result_layout_alloc (ts_kind_layout does it for a kind); a kind's
 * layout() only appends to it, and never clears or frees it, even when it
 * fails half way: the owner frees it with ts_result_layout_free. */
typedef struct {
    size_t n;
    ts_result_spec r[TS_MAX_RESULTS];
} ts_result_layout;

ts_result_layout *ts_result_layout_alloc(void);     /* NULL when out of memory */
void ts_result_layout_free(ts_result_layout *l);    /* coords and all; NULL is fine */
size_t ts_result_size(const ts_result_spec *r);     /* product of dims  */
int ts_result_find(const ts_result_layout *l, const char *name);  /* index or -1 */
/* Append a result (rank 0, 1 or 2; dims and dim names beyond the rank are
 * ignored, names may be NULL) with no coordinates; returns it, so a kind can
 * attach coords. A layout holds at most TS_MAX_RESULTS: more is a
 * programming error, caught by an assert. */
ts_result_spec *ts_result_layout_add(ts_result_layout *l, const char *name, const char *unit, const char *doc,
                                     size_t rank, size_t d0, const char *n0, size_t d1, const char *n1);

/* A task: one grid point and one replicate, with all parameters resolved. */
typedef struct {
    uint64_t point;        /* grid point index: the rng task identity      */
    uint64_t replicate;    /* seed axis index: the rng replicate identity  */
    uint64_t seed;         /* the job seed: the rng key                    */
    ts_params params;
    /* Long-running kinds call poll(poll_ctx, fraction done) every few
     * milliseconds of work (ts_poll.h; poll may be NULL) and return
     * TS_ECANCEL when it returns non-zero: that is how a signal interrupts a
     * task within seconds, and how one task's run shows its progress. */
    ts_poll_fn poll;
    void *poll_ctx;
    /* Checkpoints (ts_ckpt.h), for kinds with `checkpoints` set; NULL:
     * none. The kind restores from ckpt->state when it is set, and saves
     * its state when poll answers TS_POLL_SAVE. */
    ts_ckpt *ckpt;
} ts_task;

typedef enum {
    TS_TASK_TODO = 0,
    TS_TASK_DONE = 1,
    TS_TASK_FAILED = 2,    /* the kind returned an error                      */
    TS_TASK_DIVERGED = 3   /* the blow-up detector fired; results flag it     */
} ts_task_status;
const char *ts_task_status_name(ts_task_status s);

/* A summary `tailsweep aggregate` derives from a kind's results, per task,
 * and then reduces over the seeds like a result, with confidence intervals
 * (aggregate/map_NAME_mean, _ci_lo, ...): the sde kind's shift maps. The
 * aggregate knows these operations; the kind says which to apply to what. */
typedef enum {
    TS_DERIVE_COPY,    /* the result `from` as it is                          */
    TS_DERIVE_PICK,    /* entry `index` of from's last dimension, which must
                          have length `len`; the dimension is dropped         */
    TS_DERIVE_SHARE    /* from / N, N the length of the last dimension of the
                          result `per_result` if recorded, else the job's fixed
                          parameter `per_param` (a root attribute)            */
} ts_derive_op;

typedef struct {
    const char *name;        /* NULL ends a table                  */
    const char *doc;
    ts_derive_op op;
    const char *from;
    size_t index, len;       /* PICK                               */
    const char *per_result;  /* SHARE                              */
    const char *per_param;   /* SHARE                              */
} ts_derived;

/* A figure a kind offers (`tailsweep plot --figure NAME`), drawn by
 * tools/plot_store.py. The CLI checks that a store holds what the figure
 * needs before drawing, from this description. */
typedef struct {
    const char *name;            /* NULL ends a table                          */
    const char *help;            /* lines for `plot --help` ('\n' continues)   */
    const char *const *needs;    /* result names (NULL-terminated)            */
    int needs_any;               /* 1: one of them suffices; 0: all           */
    const char *over;            /* a dimension the needed results must have,
                                    or NULL                                    */
    int aggregated;              /* 1: drawn from /aggregate (NAME_mean there,
                                    or map_NAME_mean for derived summaries)    */
} ts_figure;

typedef struct ts_kind {
    const char *name;                 /* "sde", "gni", "linear" */
    const char *summary;
    const ts_param_spec *params;
    size_t n_params;
    /* Cross-parameter checks (e.g. eta * a < 1 for the implicit scheme). */
    ts_status (*validate)(const ts_params *p, ts_err *err);
    /* The result arrays and their shapes; may depend on TS_PARAM_FIXED params only. */
    ts_status (*layout)(const ts_params *p, ts_result_layout *out, ts_err *err);
    /* Run one task. out[i] has ts_result_size(&layout->r[i]) doubles, all to be
     * filled. Returns TS_OK with *status DONE or DIVERGED, or an error (the
     * task is then recorded FAILED with err's message). */
    ts_status (*run)(const ts_task *t, const ts_result_layout *layout, double *const *out,
                     ts_task_status *status, ts_err *err);
    /* Optional: an estimate of one task's run time in seconds on one core. */
    double (*cost)(const ts_params *p);
    /* Optional: what the aggregate derives from the results, and the figures
     * the kind offers (tables ended by a NULL name). */
    const ts_derived *derived;
    const ts_figure *figures;
    /* 1: run saves and restores its whole state through task->ckpt, so a
     * stopped task resumes bit-identical (ts_ckpt.h); 0: a stopped task
     * runs again from its start. */
    int checkpoints;
} ts_kind;

/* The kinds of this library (a program lists those it offers: the CLI's
 * table is src/cli/cli_kinds.c). */
extern const ts_kind ts_kind_sde;
extern const ts_kind ts_kind_linear;
extern const ts_kind ts_kind_gni;
/* A new layout filled by k for the parameters p: *out is the caller's to
 * free, and NULL on error. */
ts_status ts_kind_layout(const ts_kind *k, const ts_params *p, ts_result_layout **out, ts_err *err);
/* The kind of that name in a NULL-terminated table, or NULL. */
const ts_kind *ts_kind_find(const ts_kind *const *kinds, const char *name);

#endif
