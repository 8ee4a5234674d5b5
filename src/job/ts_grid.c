/* ts_grid.c: grid points and tasks of a parsed job (see ts_job.h).
 *
 * The mapping from a task number to parameters is pure arithmetic on the job,
 * so any rank can resolve any task without talking to the others, and a
 * resumed sweep gets the same task numbers as the first run. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tailsweep/ts_job.h"
#include "ts_job_internal.h"

uint64_t ts_job_points(const ts_job *job)
{
    uint64_t p = 1;
    for (size_t a = 0; a < job->n_axes; a++) p *= job->axes[a].len;
    return p;
}

void ts_job_point_coords(const ts_job *job, uint64_t point, size_t *idx)
{
    for (size_t a = job->n_axes; a-- > 0;) {      /* row-major: the last axis fastest */
        idx[a] = (size_t)(point % job->axes[a].len);
        point /= job->axes[a].len;
    }
}

void ts_job_apply_axis(const ts_job *job, size_t a, size_t i, ts_params *p)
{
    const ts_axis *ax = &job->axes[a];
    for (size_t m = 0; m < ax->n_members; m++) {
        p->v[ax->param[m]] = ax->values[m][i];
        if (ax->labels[m]) p->s[ax->param[m]] = ax->labels[m][i];
    }
}

void ts_job_describe_point(const ts_job *job, uint64_t point, char *buf, size_t n)
{
    size_t idx[TS_MAX_AXES];
    ts_job_point_coords(job, point, idx);
    size_t used = (size_t)snprintf(buf, n, "grid point %" PRIu64, point);
    int first = 1;
    for (size_t a = 0; a < job->n_axes; a++) {
        const ts_axis *ax = &job->axes[a];
        for (size_t m = 0; m < ax->n_members && used < n; m++) {
            const ts_param_spec *s = &job->kind->params[ax->param[m]];
            double v = ax->values[m][idx[a]];
            char num[32];
            const char *text = num;
            if (s->type == TS_PARAM_CHOICE) text = s->choices[(size_t)v];
            else if (ax->labels[m]) text = ax->labels[m][idx[a]];
            else ts_fmt_double(v, num, sizeof num);
            used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", first ? " (" : ", ",
                                     s->name, text);
            first = 0;
        }
    }
    if (!first && used < n) snprintf(buf + used, n - used, ")");
}

void ts_job_point_params(const ts_job *job, uint64_t point, ts_params *p)
{
    size_t idx[TS_MAX_AXES];
    ts_job_point_coords(job, point, idx);
    *p = job->fixed;
    for (size_t a = 0; a < job->n_axes; a++) ts_job_apply_axis(job, a, idx[a], p);
}

ts_status ts_job_walk_points(const ts_job *job, ts_job_visit_fn visit, void *ctx)
{
    uint64_t points = ts_job_points(job);
    ts_params p = job->fixed;
    size_t idx[TS_MAX_AXES] = { 0 };
    for (size_t a = 0; a < job->n_axes; a++) ts_job_apply_axis(job, a, 0, &p);
    for (uint64_t pt = 0; pt < points; pt++) {
        for (size_t a = job->n_axes; pt > 0 && a-- > 0;) {
            idx[a] = idx[a] + 1 < job->axes[a].len ? idx[a] + 1 : 0;
            ts_job_apply_axis(job, a, idx[a], &p);
            if (idx[a] != 0) break;
        }
        ts_status st = visit(&p, pt, ctx);
        if (st) return st;
    }
    return TS_OK;
}

typedef struct {
    const ts_job *job;
    ts_job_cost *out;
} cost_walk;

static ts_status add_cost(const ts_params *p, uint64_t point, void *ctx)
{
    cost_walk *w = ctx;
    double c = w->job->kind->cost(p);
    w->out->total += c * (double)w->job->replicates;
    if (c > w->out->max_task || point == 0) {
        w->out->max_task = c;
        w->out->max_point = point;
    }
    return TS_OK;
}

ts_status ts_job_cost_estimate(const ts_job *job, ts_job_cost *out, ts_err *err)
{
    if (!job || !out) return ts_err_set(err, TS_EINVAL, "ts_job_cost_estimate: job or out is NULL");
    *out = (ts_job_cost){ .total = NAN, .max_task = NAN };
    if (!job->kind->cost) return TS_OK;
    out->total = 0;
    /* a task's cost depends on its parameters only: once per grid point,
     * times the replicates */
    cost_walk w = { job, out };
    return ts_job_walk_points(job, add_cost, &w);
}

ts_status ts_job_task(const ts_job *job, uint64_t t, ts_task *task, ts_err *err)
{
    if (!job || !task) return ts_err_set(err, TS_EINVAL, "ts_job_task: job or task is NULL");
    uint64_t tasks = ts_job_tasks(job);
    if (t >= tasks)
        return ts_err_set(err, TS_EINVAL, "%s: task %" PRIu64 " does not exist (the job has %"
                          PRIu64 " tasks)", job->path, t, tasks);
    memset(task, 0, sizeof *task);
    task->point = t / job->replicates;
    task->replicate = t % job->replicates;
    task->seed = job->seed;
    ts_job_point_params(job, task->point, &task->params);
    if (!job->kind->validate) return TS_OK;
    ts_err e;
    ts_err_clear(&e);
    ts_status st = job->kind->validate(&task->params, &e);
    if (st) {
        char desc[320];
        ts_job_describe_point(job, task->point, desc, sizeof desc);
        return ts_err_set(err, st, "%s: %s: %s", job->path, desc,
                          e.msg[0] ? e.msg : "rejected by the kind");
    }
    return TS_OK;
}
