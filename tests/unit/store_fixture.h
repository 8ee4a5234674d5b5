/* store_fixture.h: a small kind, a hand-built job and known task data for the
 * store tests (tests/unit/test_store.c and tests/oracle/store_writer.c), so
 * both check the same store. The job does not come from the parser: the
 * store is tested on its own.
 *
 * Grid: alpha (REAL, 3) x scheme (CHOICE, 2) x zip0 {eta, steps} (2), then
 * 3 replicates: 36 tasks. Results: tail (scalar), density over x (8, with
 * coordinates), moments over (coord 2, x 8). Every value is fx_value(), so a
 * reader can tell exactly which task and element it is looking at. */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_job.h"
#include "tailsweep/ts_store.h"

static const char *const fx_schemes[] = { "euler", "implicit", "tamed", NULL };
static const ts_param_spec fx_params[] = {
    { .name = "scheme", .type = TS_PARAM_CHOICE, .def = "euler", .choices = fx_schemes,
      .unit = "", .doc = "integration scheme" },
    { .name = "alpha", .type = TS_PARAM_REAL, .lo = 0, .hi = 2, .lo_open = 1, .def = "1.5",
      .unit = "", .doc = "stability index of the noise" },
    { .name = "eta", .type = TS_PARAM_REAL, .lo = 0, .hi = 1, .lo_open = 1, .def = "1e-3",
      .unit = "s", .doc = "step size" },
    { .name = "steps", .type = TS_PARAM_INT, .lo = 1, .hi = 1e12, .def = "1000", .unit = "",
      .doc = "number of steps" },
};
enum { FX_SCHEME, FX_ALPHA, FX_ETA, FX_STEPS };

#define FX_NX 8
#define FX_TASKS 36

static inline ts_status fx_layout(const ts_params *p, ts_result_layout *out, ts_err *err)
{
    (void)p;
    out->n = 3;
    ts_result_spec *r = out->r;
    snprintf(r[0].name, sizeof r[0].name, "tail");
    snprintf(r[0].doc, sizeof r[0].doc, "tail index estimate");
    snprintf(r[1].name, sizeof r[1].name, "density");
    snprintf(r[1].unit, sizeof r[1].unit, "1/m");
    snprintf(r[1].doc, sizeof r[1].doc, "stationary density");
    r[1].rank = 1;
    r[1].dims[0] = FX_NX;
    snprintf(r[1].dim_names[0], sizeof r[1].dim_names[0], "x");
    r[1].coords[0] = malloc(FX_NX * sizeof(double));
    snprintf(r[2].name, sizeof r[2].name, "moments");
    snprintf(r[2].doc, sizeof r[2].doc, "first two moments per bin");
    r[2].rank = 2;
    r[2].dims[0] = 2;
    r[2].dims[1] = FX_NX;
    snprintf(r[2].dim_names[0], sizeof r[2].dim_names[0], "coord");
    snprintf(r[2].dim_names[1], sizeof r[2].dim_names[1], "x");
    if (!r[1].coords[0]) return ts_err_set(err, TS_ENOMEM, "fixture: out of memory");
    for (int i = 0; i < FX_NX; i++) r[1].coords[0][i] = -2.0 + 0.5 * i;
    return TS_OK;
}

static const ts_kind fx_kind = { .name = "fixture", .summary = "store test kind",
                                 .params = fx_params, .n_params = 4, .layout = fx_layout };

static const char fx_text[] =
    "kind: fixture\nreplicates: 3\naxes:\n  alpha: [1.1, 1.5, 1.9]\n"
    "  scheme: [tamed, euler]\nzip:\n  - {eta: [1e-3, 1e-4], steps: [100, 1000]}\n";

static const double fx_alpha[3] = { 1.1, 1.5, 1.9 };
static const double fx_scheme[2] = { 2, 0 };          /* tamed, euler */
static const double fx_eta[2] = { 1e-3, 1e-4 };
static const double fx_steps[2] = { 100, 1000 };

static inline double *fx_dup(const double *v, size_t n)
{
    double *d = malloc(n * sizeof *d);
    if (d) memcpy(d, v, n * sizeof *d);
    return d;
}

static inline void fx_job_free(ts_job *j)
{
    ts_job_free(j);
}

static inline void fx_axis(ts_axis *ax, const char *name, size_t len, int param,
                           const double *v)
{
    snprintf(ax->name, sizeof ax->name, "%s", name);
    ax->len = len;
    ax->param[ax->n_members] = param;
    ax->values[ax->n_members++] = fx_dup(v, len);
}

static inline ts_job *fx_job(void)
{
    ts_job *j = calloc(1, sizeof *j);
    if (!j) return NULL;
    snprintf(j->path, sizeof j->path, "jobs/fixture.yaml");
    j->text = malloc(sizeof fx_text);
    if (j->text) memcpy(j->text, fx_text, sizeof fx_text);
    j->kind = &fx_kind;
    j->seed = 7;
    j->replicates = 3;
    j->fixed.spec = fx_params;
    j->fixed.n = 4;
    j->fixed.v[FX_SCHEME] = 0;
    j->fixed.v[FX_ALPHA] = NAN;
    j->fixed.v[FX_ETA] = NAN;
    j->fixed.v[FX_STEPS] = NAN;
    fx_axis(&j->axes[0], "alpha", 3, FX_ALPHA, fx_alpha);
    fx_axis(&j->axes[1], "scheme", 2, FX_SCHEME, fx_scheme);
    fx_axis(&j->axes[2], "zip0", 2, FX_ETA, fx_eta);
    fx_axis(&j->axes[2], "zip0", 2, FX_STEPS, fx_steps);
    j->n_axes = 3;
    return j;
}

/* Task 1 failed, task 2 diverged, every task t = 3 mod 4 never ran. */
static inline uint8_t fx_status(size_t t)
{
    if (t == 1) return TS_TASK_FAILED;
    if (t == 2) return TS_TASK_DIVERGED;
    if (t % 4 == 3) return TS_TASK_TODO;
    return TS_TASK_DONE;
}

static const char fx_fail_msg[] = "kind failed: \xc3\xbcnicode \xe2\x9c\x93";   /* valid UTF-8 */

static inline double fx_value(size_t r, size_t t, size_t k)
{
    return (double)r * 100000 + (double)t * 100 + (double)k + 0.25;
}

/* What the fixture says about each task besides its values. */
typedef struct {
    uint8_t status;
    uint32_t attempt;
    int32_t rank;
    double wall;
    char host[TS_STORE_HOST_LEN];
    char msg[TS_STORE_MSG_LEN];
} fx_meta;

/* Fill meta and results (results[i] malloc'd, task-major) for n tasks of
 * layout l. Every task gets values, so a reader that finds NaN knows the
 * writer masked it. */
static inline int fx_data(const ts_result_layout *l, size_t n, fx_meta **meta, double **results)
{
    *meta = calloc(n, sizeof **meta);
    if (!*meta) return -1;
    for (size_t t = 0; t < n; t++) {
        fx_meta *m = &(*meta)[t];
        m->status = fx_status(t);
        m->attempt = m->status == TS_TASK_TODO ? 0 : m->status == TS_TASK_FAILED ? 2 : 1;
        m->rank = m->status == TS_TASK_TODO ? -1 : (int32_t)(t % 3) + 1;
        m->wall = m->status == TS_TASK_TODO ? NAN : 0.25 * (double)t;
        if (m->status != TS_TASK_TODO) snprintf(m->host, sizeof m->host, "node%02zu", t % 4);
        if (m->status == TS_TASK_FAILED) snprintf(m->msg, sizeof m->msg, "%s", fx_fail_msg);
        if (m->status == TS_TASK_DIVERGED) snprintf(m->msg, sizeof m->msg, "blow-up at step 42");
    }
    for (size_t i = 0; i < l->n; i++) {
        size_t size = ts_result_size(&l->r[i]);
        results[i] = malloc(n * size * sizeof(double));
        if (!results[i]) return -1;
        for (size_t t = 0; t < n; t++)
            for (size_t k = 0; k < size; k++) results[i][t * size + k] = fx_value(i, t, k);
    }
    return 0;
}

static inline void fx_data_free(const ts_result_layout *l, fx_meta *meta, double **results)
{
    free(meta);
    for (size_t i = 0; i < l->n; i++) free(results[i]);
}

/* The store of job and layout at path (replacing any file there), every
 * task that ran put in place: the route a sweep takes. end_time of task t
 * is created + t. */
static inline ts_status fx_write(const char *path, const ts_job *job, const ts_result_layout *l, const fx_meta *meta,
                                 double *const *results, double created, ts_err *e)
{
    ts_status st = ts_store_create(path, job, l, 1, created, e);
    ts_store *s = NULL;
    if (!st) st = ts_store_open(path, job, l, &s, e);
    if (st) return st;
    size_t per = 0, n = (size_t)ts_job_tasks(job), m = 0;
    for (size_t i = 0; i < l->n; i++) per += ts_result_size(&l->r[i]);
    double *block = malloc((n * per > 0 ? n * per : 1) * sizeof *block);
    ts_task_record *recs = calloc(n ? n : 1, sizeof *recs);
    for (size_t t = 0; block && recs && t < n; t++) {
        const fx_meta *mt = &meta[t];
        if (mt->status == TS_TASK_TODO) continue;
        double *b = block + t * per;
        for (size_t i = 0, off = 0; i < l->n; off += ts_result_size(&l->r[i]), i++) {
            size_t sz = ts_result_size(&l->r[i]);
            if (results[i]) memcpy(b + off, results[i] + t * sz, sz * sizeof(double));
            else for (size_t k = 0; k < sz; k++) b[off + k] = 0;
        }
        ts_task_record *r = &recs[m++];
        *r = (ts_task_record){ .task = t, .status = mt->status, .attempt = mt->attempt, .rank = mt->rank,
                               .wall = mt->wall, .end_time = created + (double)t, .results = b };
        memcpy(r->host, mt->host, sizeof r->host);
        memcpy(r->msg, mt->msg, sizeof r->msg);
    }
    if (block && recs) st = ts_store_put(s, recs, m, NULL, e);
    free(recs);
    if (!block || (n && !recs)) st = ts_err_set(e, TS_ENOMEM, "fixture: out of memory");
    free(block);
    ts_store_close(s);
    return st;
}

#endif
