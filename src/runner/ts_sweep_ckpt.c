/* ts_sweep_ckpt.c: the runner's side of task checkpoints (ts_ckpt.h,
 * ts_ckpt_file.h): rank 0 tidies STORE.ckpt/ before the first task; each
 * rank hands a running task its checkpoint channel, asks it to save every
 * `checkpoint_every` seconds and on a stop, writes what it saves, and
 * resumes a task from its checkpoint when there is a valid one. What it
 * has to say goes through ts_sweep_tell (ts_sweep_note.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ts_runner_internal.h"
#include "tailsweep/ts_ckpt_file.h"

/* ---- rank 0, before any task: the folder holds only live checkpoints ---- */

typedef struct {
    sweep *w;
    uint64_t kept, removed_done, damaged, foreign, temp;
    char first_bad[600];
} tidy;

static void remove_entry(const char *dir, const char *name)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static void tidy_entry(const char *name, uint64_t task, int is_ckpt, void *ctx)
{
    tidy *t = ctx;
    sweep *w = t->w;
    if (!is_ckpt) {
        /* a temporary file a kill left half written */
        if (strstr(name, ".tmp.")) {
            remove_entry(w->ckpt_dir, name);
            t->temp++;
        }
        return;
    }
    if (task < w->ntasks && w->status[task] != TS_TASK_TODO
        && !(w->status[task] == TS_TASK_FAILED && w->o->retry_failed)) {
        /* finished and stored (the run stopped before removing it), or
         * failed and not to be run again */
        remove_entry(w->ckpt_dir, name);
        t->removed_done++;
        return;
    }
    char path[1200];
    ts_ckpt_file_path(w->ckpt_dir, task, path, sizeof path);
    ts_ckpt_info info;
    ts_err e = { 0 };
    ts_ckpt_verdict v = task < w->ntasks
                            ? ts_ckpt_file_load(path, w->job_id, task, w->job->kind->name, &info, NULL, &e)
                            : (ts_err_set(&e, TS_EINVAL, "%s: no task %" PRIu64 " in this job", path, task),
                               TS_CKPT_FOREIGN);
    if (v == TS_CKPT_OK) {
        if (w->n_ckpt_tasks == w->cap_ckpt_tasks) {
            size_t cap = w->cap_ckpt_tasks ? 2 * w->cap_ckpt_tasks : 64;
            uint64_t *p = realloc(w->ckpt_tasks, cap * sizeof *p);
            if (!p) return;   /* out of memory: the task starts over */
            w->ckpt_tasks = p;
            w->cap_ckpt_tasks = cap;
        }
        w->ckpt_tasks[w->n_ckpt_tasks++] = task;
        t->kept++;
        return;
    }
    if (v == TS_CKPT_NONE || v == TS_CKPT_IOERR) return;   /* gone meanwhile, or the task will say */
    ts_sweep_note(w, "checkpoint ignored: %s; task %" PRIu64 " starts over", e.msg, task);
    remove_entry(w->ckpt_dir, name);
    if (v == TS_CKPT_DAMAGED) t->damaged++;
    else t->foreign++;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int ts_sweep_ckpt_has(const sweep *w, uint64_t t)
{
    return w->n_ckpt_tasks && bsearch(&t, w->ckpt_tasks, w->n_ckpt_tasks, sizeof t, cmp_u64) != NULL;
}

ts_status ts_sweep_ckpt_prepare(sweep *w, ts_err *err)
{
    if (!w->ckpt_on) return TS_OK;
    ts_status st = ts_ckpt_file_mkdir(w->ckpt_dir, err);
    if (st) return st;
    tidy t = { .w = w };
    st = ts_ckpt_file_each(w->ckpt_dir, tidy_entry, &t, err);
    if (w->n_ckpt_tasks) qsort(w->ckpt_tasks, w->n_ckpt_tasks, sizeof *w->ckpt_tasks, cmp_u64);
    if (!st && t.kept)
        ts_sweep_note(w, "%s: %" PRIu64 " task%s resume%s from %s checkpoint%s", w->ckpt_dir, t.kept,
                      t.kept == 1 ? "" : "s", t.kept == 1 ? "s" : "", t.kept == 1 ? "its" : "their",
                      t.kept == 1 ? "" : "s");
    return st;
}

void ts_sweep_ckpt_finished(const sweep *w, uint64_t task)
{
    char path[1200];
    ts_ckpt_file_path(w->ckpt_dir, task, path, sizeof path);
    unlink(path);
}

void ts_sweep_ckpt_close(const sweep *w)
{
    /* an empty folder after a finished job goes (rmdir refuses a full one) */
    if (w->ckpt_on) rmdir(w->ckpt_dir);
}

/* ---- any rank: one task's checkpoint channel ---------------------------- */

static void save(void *v, const ts_ckpt_buf *b, double done)
{
    ts_sweep_ckpt_task *c = v;
    ts_ckpt_info info = { .job = c->w->job_id, .task = c->task, .done = done, .saved_at = ts_clock_unix(),
                          .seconds = c->before + (ts_clock_mono() - c->t0) };
    snprintf(info.kind, sizeof info.kind, "%s", c->w->job->kind->name);
    ts_err e = { 0 };
    if (ts_ckpt_file_write(c->path, &info, b->data, b->len, &e)) {
        if (!c->write_failed) ts_sweep_tell(c->w, "task %" PRIu64 ": %s (the task goes on; a stop now loses it)",
                                            c->task, e.msg);
        c->write_failed = 1;
        return;
    }
    c->has_file = 1;
    c->w->ckpt_saves++;
    c->w->ckpt_seconds += ts_clock_mono() - c->asked;
    if (b->len > c->w->ckpt_max_bytes) c->w->ckpt_max_bytes = b->len;
}

/* The task's poll: the runner's answer (stop or go on), plus a save every
 * checkpoint_every seconds and before any stop. */
int ts_sweep_ckpt_poll(void *v, double done)
{
    ts_sweep_ckpt_task *c = v;
    int stop = c->inner ? c->inner(c->inner_ctx, done) : 0;
    double now = ts_clock_mono();
    /* the save's cost runs from here: the kind's copy of its state and the file */
    c->asked = now;
    if (stop) return TS_POLL_STOP | TS_POLL_SAVE;
    if (now - c->last >= c->w->job->checkpoint_every) {
        c->last = now;
        return TS_POLL_SAVE;
    }
    return 0;
}

void ts_sweep_ckpt_begin(sweep *w, uint64_t task, int resume, ts_poll_fn inner, void *inner_ctx,
                         ts_sweep_ckpt_task *c)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->task = task;
    c->inner = inner;
    c->inner_ctx = inner_ctx;
    c->t0 = c->last = ts_clock_mono();
    ts_ckpt_file_path(w->ckpt_dir, task, c->path, sizeof c->path);
    c->ck.save = save;
    c->ck.ctx = c;
    if (!resume) return;
    ts_ckpt_info info;
    ts_err e = { 0 };
    void *state = NULL;
    ts_ckpt_verdict v = ts_ckpt_file_load(c->path, w->job_id, task, w->job->kind->name, &info, &state, &e);
    if (v == TS_CKPT_OK) {
        c->ck.state = state;
        c->ck.state_len = info.state_len;
        c->before = info.seconds;
        c->has_file = 1;
    } else if (v != TS_CKPT_NONE) {
        ts_sweep_tell(w, "checkpoint ignored: %s; task %" PRIu64 " starts over", e.msg, task);
        if (v != TS_CKPT_IOERR) unlink(c->path);
    }
}

int ts_sweep_ckpt_retry(ts_sweep_ckpt_task *c)
{
    if (!c->ck.rejected) return 0;
    ts_sweep_tell(c->w, "checkpoint ignored: %s: %s; task %" PRIu64 " starts over", c->path, c->ck.why, c->task);
    unlink(c->path);
    c->has_file = 0;
    ts_ckpt_drop_state(&c->ck);
    c->before = 0;
    c->t0 = c->last = ts_clock_mono();
    return 1;
}

void ts_sweep_ckpt_end(ts_sweep_ckpt_task *c)
{
    ts_ckpt_drop_state(&c->ck);
    ts_ckpt_buf_free(&c->ck.buf);
}
