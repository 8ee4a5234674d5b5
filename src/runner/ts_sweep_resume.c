/* ts_sweep_resume.c: rank 0 before any task runs: take the store's lock,
 * make sure the file at the store's path is this job's store (or create
 * it), then read back every task it holds and check it against its own
 * checksum and against the journal.
 *
 * The rules (docs/architecture.md, "Resume"):
 *  - a task whose record in the store matches its checksum is kept, whether
 *    or not the journal lists it (a missing or damaged journal costs no
 *    work, but is reported and rebuilt);
 *  - a task whose record does not match (torn by a crash, damaged on disk)
 *    is reported, put back to todo and recomputed;
 *  - a task the journal lists but the store does not hold is recomputed,
 *    and reported;
 *  - journal damage before its tail is reported with the number of records
 *    lost; a torn last record is the normal trace of a kill and is cut. */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tailsweep/ts_store_txn.h"
#include "ts_runner_internal.h"

#define UNSEEN 0xFFu
#define LIST_MAX 8

typedef struct {
    sweep *w;
    uint8_t *jstatus;           /* the journal's last word per task (UNSEEN) */
    uint64_t *jsum;
    ts_sweep_summary *s;
    uint64_t damaged_list[LIST_MAX], only_list[LIST_MAX];
    uint64_t mismatch;
    ts_status io;
    ts_err *err;
    int rebuilding;             /* second pass: append every stored task to the new journal */
    ts_journal_rec *pending;
    size_t n_pending;
} resume;

static void journal_visit(const ts_journal_rec *r, void *ctx)
{
    resume *c = ctx;
    c->jstatus[r->task] = r->status;
    c->jsum[r->task] = r->checksum;
}

static void flush_pending(resume *c)
{
    if (c->n_pending && !c->io) c->io = ts_journal_append(&c->w->journal, c->pending, c->n_pending, c->err);
    c->n_pending = 0;
}

static void store_visit(const ts_store_task_state *t, void *ctx)
{
    resume *c = ctx;
    sweep *w = c->w;
    uint64_t k = t->task;
    if (c->rebuilding) {
        if (t->status == TS_TASK_TODO || !t->intact) return;
        ts_journal_rec *r = &c->pending[c->n_pending++];
        memset(r, 0, sizeof *r);
        r->task = k;
        r->status = t->status;
        r->attempt = t->attempt;
        r->checksum = t->checksum;
        r->rank = -1;
        if (c->n_pending == 4096) flush_pending(c);
        return;
    }
    uint8_t js = c->jstatus[k];
    w->attempt[k] = t->attempt;
    if (t->status == TS_TASK_TODO) {
        w->status[k] = TS_TASK_TODO;
        if (js != UNSEEN && js != TS_TASK_TODO) {
            if (c->s->journal_only < LIST_MAX) c->only_list[c->s->journal_only] = k;
            c->s->journal_only++;
        }
        return;
    }
    if (!t->intact) {
        if (c->s->damaged < LIST_MAX) c->damaged_list[c->s->damaged] = k;
        c->s->damaged++;
        w->status[k] = TS_TASK_TODO;
        if (!c->io) c->io = ts_store_reset(w->store, k, c->err);
        return;
    }
    w->status[k] = t->status;
    if (js == UNSEEN) c->s->journal_missing++;
    else if (c->jsum[k] != t->checksum) c->mismatch++;
}

static void list_text(const uint64_t *v, uint64_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (uint64_t i = 0; i < n && i < LIST_MAX && used < cap; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%" PRIu64, i ? ", " : "", v[i]);
    if (n > LIST_MAX && used < cap) snprintf(out + used, cap - used, ", ...");
}

/* The store exists and is this job's, or is created now. */
static ts_status make_or_check(sweep *w, ts_sweep_summary *s, int *fresh, ts_err *err)
{
    const char *path = w->store_path;
    ts_file_info fi;
    ts_file_identify(path, &fi);
    ts_file_kind kind = fi.kind;
    char *theirs = fi.job, why[300] = "";
    if (fi.why[0]) snprintf(why, sizeof why, " (%s)", fi.why);
    fi.job = NULL;
    ts_file_info_clear(&fi);
    ts_status st = TS_OK;
    *fresh = 0;
    if (kind == TS_FILE_DIRECTORY || kind == TS_FILE_UNREADABLE) {
        st = ts_err_set(err, TS_EIO, "%s: %s; give the store's file name with --store", path,
                        ts_file_kind_phrase(kind));
    } else if (kind == TS_FILE_STORE) {
        char *mine = NULL;
        st = ts_job_canonical(w->job, 1, &mine, err);
        if (!st && theirs) {
            char diff[400];
            size_t nd = ts_job_canonical_diff(theirs, mine, diff, sizeof diff);
            if (nd && !w->o->force)
                st = ts_err_set(err, TS_EINVAL, "%s: this store holds a different job (%zu setting%s differ; store "
                                "vs this job: %s); use another --store, or --force to replace it", path, nd,
                                nd == 1 ? "" : "s", diff);
            else if (nd)
                *fresh = 1;
        }
        free(mine);
    } else if (kind != TS_FILE_ABSENT) {
        if (!w->o->force)
            st = ts_err_set(err, TS_EINVAL, "%s: %s%s; refusing to overwrite it (choose another --store, or pass "
                            "--force to replace it)", path, ts_file_kind_phrase(kind), why);
        else
            *fresh = 1;
    } else {
        *fresh = 1;
    }
    free(theirs);
    if (!st && *fresh) {
        char jp[600];
        ts_store_journal_path(path, jp, sizeof jp);
        /* a journal without its store describes results that are gone */
        if (access(jp, F_OK) == 0) {
            if (unlink(jp) != 0)
                st = ts_err_set(err, TS_EIO, "%s: cannot remove the old journal %s: %s", path, jp, strerror(errno));
            else if (kind == TS_FILE_ABSENT)
                ts_sweep_note(w, "%s: the store was missing, so its old journal %s was discarded; every task runs",
                              path, jp);
        }
        if (!st) st = ts_store_create(path, w->job, w->layout, w->o->force || kind == TS_FILE_STORE,
                                      ts_clock_unix(), err);
        if (!st) s->created = 1;
        if (!st && kind != TS_FILE_ABSENT)
            ts_sweep_note(w, "%s: replaced (--force): it was %s", path,
                          kind == TS_FILE_STORE ? "the store of another job" : ts_file_kind_phrase(kind));
    }
    return st;
}

ts_status ts_sweep_open_store(sweep *w, ts_sweep_summary *s, ts_err *err)
{
    const char *path = w->store_path;
    ts_status st = ts_store_check(w->job, w->layout, err);
    if (st) return st;
    /* the store's folder exists, or is made (results/ on a first run) */
    char dir[600];
    snprintf(dir, sizeof dir, "%s", path);
    char *d = dirname(dir);
    if (mkdir(d, 0755) != 0 && errno != EEXIST)
        return ts_err_set(err, TS_EIO, "%s: cannot create the folder %s: %s", path, d, strerror(errno));
    ts_lock_info li;
    st = ts_store_lock_take(path, "run", w->o->lock_ttl, &w->lock, &li, err);
    if (st) return st;
    if (li.note[0]) ts_sweep_note(w, "%s", li.note);
    /* an aggregate killed half way is rolled back before anything else */
    int rolled = 0;
    st = ts_store_txn_recover(path, &rolled, err);
    if (!st && rolled) ts_sweep_note(w, "%s: an interrupted `tailsweep aggregate` was rolled back", path);
    int fresh = 0;
    if (!st) st = make_or_check(w, s, &fresh, err);
    if (!st) st = ts_store_open(path, w->job, w->layout, &w->store, err);
    if (st) return st;

    w->status = calloc(w->ntasks ? w->ntasks : 1, 1);
    w->attempt = calloc(w->ntasks ? w->ntasks : 1, sizeof *w->attempt);
    resume c = { .w = w, .s = s, .err = err };
    c.jstatus = malloc(w->ntasks ? w->ntasks : 1);
    c.jsum = malloc((w->ntasks ? w->ntasks : 1) * sizeof *c.jsum);
    c.pending = malloc(4096 * sizeof *c.pending);
    if (!w->status || !w->attempt || !c.jstatus || !c.jsum || !c.pending)
        st = ts_err_set(err, TS_ENOMEM, "out of memory for %" PRIu64 " tasks", w->ntasks);
    if (!st) memset(c.jstatus, UNSEEN, w->ntasks);
    uint64_t id = 0;
    if (!st) st = ts_job_identity(w->job, &id, err);
    char jp[600];
    ts_store_journal_path(path, jp, sizeof jp);
    ts_journal_replay rp;
    memset(&rp, 0, sizeof rp);
    if (!st) st = ts_journal_open(&w->journal, jp, id, w->ntasks, ts_clock_unix(), journal_visit, &c, &rp, err);
    if (!st) st = ts_store_verify(w->store, store_visit, &c, err);
    if (!st) st = c.io;
    s->journal_dropped = rp.dropped;
    char list[200];
    if (!st && s->damaged) {
        list_text(c.damaged_list, s->damaged, list, sizeof list);
        ts_sweep_note(w, "%s: %" PRIu64 " task record%s failed %s checksum (torn or damaged on disk): task%s %s; "
                      "put back to todo and computed again", path, s->damaged, s->damaged == 1 ? "" : "s",
                      s->damaged == 1 ? "its" : "their", s->damaged == 1 ? "" : "s", list);
    }
    if (!st && s->journal_only) {
        list_text(c.only_list, s->journal_only, list, sizeof list);
        ts_sweep_note(w, "%s: the journal records %" PRIu64 " finished task%s that the store does not hold (task%s "
                      "%s): computed again", path, s->journal_only, s->journal_only == 1 ? "" : "s",
                      s->journal_only == 1 ? "" : "s", list);
    }
    if (!st && (rp.damaged_regions || rp.dropped))
        ts_sweep_note(w, "%s: the journal is damaged: %" PRIu64 " damaged stretch%s (%" PRIu64 " bytes), %" PRIu64
                      " record%s lost; the store's own checksums decide which tasks are kept", jp,
                      rp.damaged_regions, rp.damaged_regions == 1 ? "" : "es", rp.bytes_skipped, rp.dropped,
                      rp.dropped == 1 ? "" : "s");
    if (!st && s->journal_missing && !s->created)
        ts_sweep_note(w, "%s: %" PRIu64 " finished task%s %s not in the journal%s; %s checksums in the store "
                      "verify, so %s kept", path, s->journal_missing, s->journal_missing == 1 ? "" : "s",
                      s->journal_missing == 1 ? "is" : "are", rp.empty ? " (it was missing or empty)" : "",
                      s->journal_missing == 1 ? "its" : "their", s->journal_missing == 1 ? "it is" : "they are");
    if (!st && c.mismatch)
        ts_sweep_note(w, "%s: %" PRIu64 " task%s in the journal disagree%s with the store's intact record%s; the "
                      "store's are kept", path, c.mismatch, c.mismatch == 1 ? "" : "s", c.mismatch == 1 ? "s" : "",
                      c.mismatch == 1 ? "" : "s");
    /* a journal that no longer matches the store is rebuilt from it */
    if (!st && (rp.damaged_regions || rp.dropped || s->journal_missing || c.mismatch || s->journal_only ||
                s->damaged)) {
        st = ts_journal_restart(&w->journal, err);
        c.rebuilding = 1;
        if (!st) st = ts_store_verify(w->store, store_visit, &c, err);
        flush_pending(&c);
        if (!st) st = c.io;
        if (!st) st = ts_journal_sync(&w->journal, err);
    }
    if (!st && s->damaged) st = ts_store_sync(w->store, err);
    free(c.jstatus);
    free(c.jsum);
    free(c.pending);
    return st;
}
