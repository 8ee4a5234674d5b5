/* ts_ckpt_file.h: a task's checkpoint on disk (the runner's side of
 * ts_ckpt.h).
 *
 * Where: one file per task in flight, STORE.ckpt/task-N.ckpt beside the
 * store (as STORE.journal and STORE.lock are), written by whichever rank
 * runs the task, so the folder must be on a file system every rank sees
 * (as the store is). At most one file per task, replaced in place by each
 * save, and removed once the task's result is in the store: the folder
 * holds at most one file per task in flight, never more.
 *
 * A file is a fixed header, then the kind's state (ts_ckpt.h):
 *   magic "TSCKPT\n\0", format version, byte-order mark,
 *   the job's identity (ts_job_identity: its canonical text and seed),
 *   the task number, the kind's name,
 *   how far the task had got (fraction done), when it was saved (Unix
 *   seconds), the task's wall seconds so far (over every run of it),
 *   the state's length and its XXH3-64 hash, and the header's own hash.
 * It is written atomically (ts_atomic_file.h: a temporary name, fsync,
 * rename, fsync of the folder), so a kill at any moment leaves the previous
 * checkpoint or the new one, never half of one. A file that is damaged
 * (short, a hash that fails), of another format or machine, or of another
 * job or task is found by ts_ckpt_file_load and never resumed from. */
#ifndef TS_CKPT_FILE_H
#define TS_CKPT_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

#define TS_CKPT_FORMAT 1
#define TS_CKPT_KIND_LEN 16

/* What a checkpoint's header says. */
typedef struct {
    uint64_t job;           /* the job's identity                      */
    uint64_t task;
    char kind[TS_CKPT_KIND_LEN];
    double done;            /* fraction of the task done, in [0, 1]    */
    double saved_at;        /* Unix seconds                            */
    double seconds;         /* the task's wall seconds up to the save  */
    uint64_t state_len;
} ts_ckpt_info;

typedef enum {
    TS_CKPT_NONE,           /* no checkpoint for this task             */
    TS_CKPT_OK,             /* whole, and this job's and task's        */
    TS_CKPT_DAMAGED,        /* short, or a hash fails, or not a checkpoint */
    TS_CKPT_FOREIGN,        /* whole, but another job's, task's, kind's, format's or machine's */
    TS_CKPT_IOERR           /* could not be read                       */
} ts_ckpt_verdict;

/* STORE.ckpt: the folder of a store's checkpoints. */
void ts_ckpt_file_dir(const char *store, char *out, size_t n);
/* DIR/task-N.ckpt */
void ts_ckpt_file_path(const char *dir, uint64_t task, char *out, size_t n);
/* Create the folder if it is missing. */
ts_status ts_ckpt_file_mkdir(const char *dir, ts_err *err);

/* Write `len` bytes of state with the header `info` (its state_len is set
 * here) to `path`, atomically. */
ts_status ts_ckpt_file_write(const char *path, const ts_ckpt_info *info, const void *state, size_t len,
                             ts_err *err);

/* Read the checkpoint at `path` and judge it against what the task expects
 * (job identity, task number, kind name). TS_CKPT_OK: *state (malloc'd,
 * the caller frees it) and *info are filled. Any other verdict but NONE
 * leaves *state NULL and says why in err->msg. state may be NULL: the
 * header and the state's hash are still checked (for status and tidying). */
ts_ckpt_verdict ts_ckpt_file_load(const char *path, uint64_t job, uint64_t task, const char *kind,
                                  ts_ckpt_info *info, void **state, ts_err *err);

/* Whether the file at `path` begins with a checkpoint's magic (whole or
 * not): a file that does not is not tailsweep's to replace. */
int ts_ckpt_file_is_ckpt(const char *path);

/* Read only the header (for status): TS_CKPT_OK when it is whole and of
 * this format; the state is not read. */
ts_ckpt_verdict ts_ckpt_file_peek(const char *path, ts_ckpt_info *info, ts_err *err);

/* Each entry of DIR: fn(name, task, is_ckpt, ctx) where is_ckpt says the
 * name has the form task-N.ckpt (task set); other names (temporary files
 * left by a kill) come with is_ckpt = 0. A missing folder has no entries. */
typedef void (*ts_ckpt_file_fn)(const char *name, uint64_t task, int is_ckpt, void *ctx);
ts_status ts_ckpt_file_each(const char *dir, ts_ckpt_file_fn fn, void *ctx, ts_err *err);

#endif
