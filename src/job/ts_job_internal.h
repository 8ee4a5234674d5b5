/* ts_job_internal.h: helpers shared by the files of src/job/ (job files,
 * parameters, the grid, the parsed job's identity), not part of the public
 * interface. */
#ifndef TS_JOB_INTERNAL_H
#define TS_JOB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "tailsweep/ts_job.h"

/* The shortest text that reads back as exactly v, so messages show 0.1 and
 * not 0.10000000000000001, yet never two different values the same way. */
void ts_fmt_double(double v, char *buf, size_t n);

/* One parse of one job file. */
typedef struct {
    yaml_document_t *doc;
    ts_job *job;
    const char *file;
    int fixed_line[TS_MAX_PARAMS];   /* line where params: sets it; 0: not set */
    int swept_line[TS_MAX_PARAMS];   /* line where it is swept; 0: not swept   */
    ts_err *err;                     /* where check_grid's walk reports        */
} ts_job_ctx;

static inline int ts_node_line(const yaml_node_t *n) { return (int)n->start_mark.line + 1; }
/* For messages: "a mapping", "a list", "an empty value" or the scalar quoted. */
const char *ts_node_what(const yaml_node_t *n, char *buf, size_t size);
/* The text of a scalar node; NULL if the node is not a scalar or holds a NUL. */
const char *ts_node_text(const yaml_node_t *n);
/* A plain empty scalar, ~ or null: an optional section left empty. */
int ts_node_is_null(const yaml_node_t *n);
/* Reject a key that is not a scalar name, and one seen before in the same
 * mapping (libyaml keeps duplicates silently). pair is the index in `map`. */
ts_status ts_job_mapping_key(const ts_job_ctx *c, const yaml_node_t *map, size_t pair,
                             const char **key, ts_err *err);

/* "parameter 'foo' is not a parameter of kind 'sde' (its parameters: ...)". */
ts_status ts_job_unknown_param(const ts_job_ctx *c, int line, const char *name, ts_err *err);

/* axes: and zip: (ts_job_axes.c). */
ts_status ts_job_parse_axes(ts_job_ctx *c, const yaml_node_t *axes, ts_err *err);
ts_status ts_job_parse_zip(ts_job_ctx *c, const yaml_node_t *zip, ts_err *err);

/* Set the parameters of every member of axis a to its value number i. */
void ts_job_apply_axis(const ts_job *job, size_t a, size_t i, ts_params *p);

#endif
