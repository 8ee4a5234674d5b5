/* cmd_status.c: `tailsweep status STORE`: where a sweep is, read from the
 * store itself without any lock, so it works while the job writes, from any
 * node, in bounded memory (the store is read by blocks). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tailsweep/ts_ckpt_file.h"
#include "tailsweep/ts_journal.h"
#include "tailsweep/ts_store.h"
#include "tailsweep/ts_store_lock.h"
#include "tailsweep/ts_store_view.h"

#define SHOW_FAILED 10
#define SHOW_CKPT 20

static const ts_cli_spec spec = {
    .cmd = "status",
    .usage = "STORE.h5",
    .summary = "Tasks done, diverged, failed and todo, whether a job is running on the store\n"
               "(and where), the recent throughput and ETA, and the first failed tasks with\n"
               "their messages, and the tasks in flight that have a checkpoint (STORE.ckpt/)\n"
               "with how far each has got. Read from the store without a lock: safe while a\n"
               "job runs, from any node. The journal beside the store is summarised too.",
    .epilog = "Exit: 0; 2 not a store; 3 unreadable.",
    .min_pos = 1,
    .max_pos = 1,
    .pos_name = "a store path (STORE.h5)",
};

static void usage(void) { ts_cli_help(&spec); }

typedef struct {
    ts_store_view *v;
    double now, first, last;
    uint64_t recent1, recent10;     /* finished in the last 1 and 10 minutes */
    uint64_t failed[SHOW_FAILED];
    size_t n_failed;
} tally;

static ts_status see_status(uint64_t t0, size_t n, const int8_t *s, void *ctx, ts_err *err)
{
    (void)err;
    tally *t = ctx;
    for (size_t i = 0; i < n && t->n_failed < SHOW_FAILED; i++)
        if (s[i] == 2) t->failed[t->n_failed++] = t0 + i;
    return TS_OK;
}

typedef struct {
    uint64_t records, repeats;
    unsigned char *seen;    /* a bit per task */
    uint64_t tasks;
} jtally;

static void see_record(const ts_journal_rec *r, void *ctx)
{
    jtally *j = ctx;
    j->records++;
    if (r->task >= j->tasks) return;
    unsigned char bit = (unsigned char)(1u << (r->task & 7));
    if (j->seen[r->task >> 3] & bit) j->repeats++;
    j->seen[r->task >> 3] |= bit;
}

/* end_time, block by block: when tasks finished, for the recent rate. */
static ts_status see_end(uint64_t t0, size_t n, const void *values, void *ctx, ts_err *err)
{
    (void)t0;
    (void)err;
    tally *t = ctx;
    const double *x = values;
    for (size_t k = 0; k < n; k++) {
        double e = x[k];
        if (isnan(e)) continue;
        if (t->first == 0 || e < t->first) t->first = e;
        if (e > t->last) t->last = e;
        t->recent1 += t->now - e <= 60;
        t->recent10 += t->now - e <= 600;
    }
    return TS_OK;
}

static void task_coords(const ts_store_view *v, uint64_t task, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    uint64_t rest = task;
    size_t idx[TS_VIEW_MAX_RANK];
    for (size_t k = v->n_task_dims; k-- > 0;) {
        const ts_view_dim *d = v->task_dim[k] >= 0 ? &v->dims[v->task_dim[k]] : NULL;
        size_t len = d ? d->len : 1;
        idx[k] = (size_t)(rest % len);
        rest /= len;
    }
    for (size_t k = 0; k < v->n_task_dims && used < n; k++) {
        const ts_view_dim *d = v->task_dim[k] >= 0 ? &v->dims[v->task_dim[k]] : NULL;
        if (!d) continue;
        if (d->type == TS_COORD_STRING)
            used += (size_t)snprintf(buf + used, n - used, "%s%s=%s", used ? ", " : "", d->name, d->labels[idx[k]]);
        else
            used += (size_t)snprintf(buf + used, n - used, "%s%s=%.6g", used ? ", " : "", d->name, d->values[idx[k]]);
    }
}

/* The checkpoints of tasks in flight: a line each (the first SHOW_CKPT). */
typedef struct {
    const ts_store_view *v;
    const char *dir;
    uint64_t n, shown;
} ckpt_tally;

static void see_ckpt(const char *name, uint64_t task, int is_ckpt, void *ctx)
{
    ckpt_tally *c = ctx;
    if (!is_ckpt) return;
    if (c->n++ == 0) printf("tasks with a checkpoint (%s):\n", c->dir);
    if (c->shown >= SHOW_CKPT) return;
    c->shown++;
    char path[1200], where[256] = "";
    snprintf(path, sizeof path, "%s/%s", c->dir, name);
    ts_ckpt_info info;
    ts_err e = { 0 };
    ts_ckpt_verdict v = ts_ckpt_file_peek(path, &info, &e);
    if (task < c->v->n_tasks) task_coords(c->v, task, where, sizeof where);
    if (v != TS_CKPT_OK) {
        printf("  task %llu (%s): unusable: %s\n", (unsigned long long)task, where, e.msg);
        return;
    }
    time_t at = (time_t)info.saved_at;
    struct tm tm;
    char when[32];
    gmtime_r(&at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("  task %llu (%s): %.1f%% done, %.1f s of work, saved %s\n", (unsigned long long)task, where,
           100 * info.done, info.seconds, when);
}

static int run(int argc, char **argv)
{
    char **pos;
    int npos;
    int prc = ts_cli_parse(&spec, argc, argv, &pos, &npos);
    if (prc >= 0) return prc;
    const char *store = pos[0];
    free(pos);
    ts_err err = { 0 };
    ts_store_view *v = NULL;
    if (ts_store_view_open(store, &v, &err)) return ts_cli_fail("status", &err);
    tally t = { .v = v, .now = (double)time(NULL) };
    ts_lock_state ls;
    ts_store_lock_probe(store, 0, &ls);
    int rc = TS_EXIT_OK;
    ts_status st = ts_store_view_each_status(v, see_status, &t, &err);
    if (!st && ts_store_view_dset(v, TS_DS_END) >= 0)
        st = ts_store_view_each_task(v, TS_DS_END, TS_READ_DOUBLE, see_end, &t, &err);
    if (st) rc = ts_cli_fail("status", &err);
    if (!st) {
        if (ls.held) printf("%s: a job is running (%s, heartbeat %.0f s ago)\n", store, ls.holder, ls.age);
        else printf("%s: no job running\n", store);
        uint64_t todo = v->n_status[0];
        printf("tasks %llu: done %llu, diverged %llu, failed %llu, todo %llu\n", (unsigned long long)v->n_tasks,
               (unsigned long long)v->n_status[1], (unsigned long long)v->n_status[3],
               (unsigned long long)v->n_status[2], (unsigned long long)todo);
        /* the recent rate: the last minute if it saw tasks, else the last ten */
        double rate = t.recent1 >= 5 ? (double)t.recent1 / 60 : t.recent10 > 0 ? (double)t.recent10 / 600 : 0;
        if (ls.held && rate > 0)
            printf("throughput %.3g tasks/s over the last %s; ETA %.0f s at that rate\n", rate,
                   t.recent1 >= 5 ? "minute" : "10 minutes", (double)todo / rate);
        else if (ls.held && todo)
            printf("no task finished in the last 10 minutes: ETA unknown\n");
        if (t.last > 0) {
            time_t last = (time_t)t.last;
            struct tm tm;
            char when[32];
            gmtime_r(&last, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            printf("last task finished %s\n", when);
        }
        char line[TS_STORE_MSG_LEN], where[256];
        for (size_t i = 0; i < t.n_failed; i++) {
            if (ts_store_view_task_strings(v, TS_DS_MESSAGE, t.failed[i], 1, line, sizeof line, &err)) {
                fprintf(stderr, "tailsweep status: %s\n", err.msg);
                break;
            }
            task_coords(v, t.failed[i], where, sizeof where);
            printf("  failed task %llu (%s): %s\n", (unsigned long long)t.failed[i], where, line);
        }
        if (v->n_status[2] > t.n_failed) printf("  ... and %llu more failed\n", (unsigned long long)(v->n_status[2] - t.n_failed));
        char cdir[600];
        ts_ckpt_file_dir(store, cdir, sizeof cdir);
        ckpt_tally ct = { .v = v, .dir = cdir };
        if (ts_ckpt_file_each(cdir, see_ckpt, &ct, &err)) fprintf(stderr, "tailsweep status: %s\n", err.msg);
        if (ct.n > ct.shown) printf("  ... and %llu more\n", (unsigned long long)(ct.n - ct.shown));
        char jp[600];
        ts_store_journal_path(store, jp, sizeof jp);
        jtally j = { .tasks = v->n_tasks, .seen = calloc(v->n_tasks / 8 + 1, 1) };
        ts_journal info;
        ts_journal_replay rp;
        if (j.seen && ts_journal_read(jp, &info, see_record, &j, &rp, NULL) == TS_OK)
            printf("journal records %llu (tasks recorded more than once: %llu)%s\n", (unsigned long long)j.records,
                   (unsigned long long)j.repeats, rp.damaged_regions ? "; damaged: the next run reports and rebuilds it" : "");
        free(j.seen);
    }
    ts_store_view_free(v);
    return rc;
}

const ts_command ts_cmd_status = { "status", "progress of a sweep (safe while it runs)", run, usage };
