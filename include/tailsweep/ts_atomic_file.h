/* ts_atomic_file.h: a file that appears whole or not at all.
 *
 * Every output of tailsweep that is written in one go (a `sample` file, a
 * CSV export, a stacked store, a new store's skeleton) is written under a
 * temporary name beside its target, fsync'd, renamed into place and its
 * directory fsync'd. A kill at any moment leaves the old file (or none),
 * never half a file.
 *
 * Without `force`, an existing target is refused up front, and the final
 * rename will not replace a file that appeared meanwhile (RENAME_NOREPLACE).
 *
 * Temporary files are registered while they exist, so that a program's
 * signal handler can remove them (ts_atomic_cleanup_on_signal): no temporary
 * file is left behind by SIGINT or SIGTERM. */
#ifndef TS_ATOMIC_FILE_H
#define TS_ATOMIC_FILE_H

#include <stddef.h>

#include "tailsweep/ts_error.h"

typedef struct {
    char *path;      /* the target                         */
    char *tmp;       /* the temporary name, "PATH.tmp.PID"  */
    int force;       /* 1: replace an existing target       */
    int slot;        /* its place in the signal registry    */
} ts_atomic_file;

/* Check the target (a directory, an existing file without force, a folder
 * that cannot be written are refused, naming the path) and create the
 * temporary file empty. The caller writes it by name (af->tmp), e.g. with
 * HDF5, and closes it before commit. */
ts_status ts_atomic_begin(ts_atomic_file *af, const char *path, int force, ts_err *err);
/* fsync the temporary file, rename it over the target, fsync the folder. On
 * failure the temporary file is removed. Frees af's names either way. */
ts_status ts_atomic_commit(ts_atomic_file *af, ts_err *err);
/* Remove the temporary file and free af's names. */
void ts_atomic_abort(ts_atomic_file *af);

/* Async-signal-safe: unlink every registered temporary file. */
void ts_atomic_cleanup_on_signal(void);

/* fsync a file by name, or the folder holding `path` (dir = 1). `what`
 * names the file in messages. */
ts_status ts_fsync_path(const char *path, int dir, const char *what, ts_err *err);

/* Refuse what cannot become an output file: a directory, or (without force)
 * an existing file. Messages name the path and say what to do. */
ts_status ts_output_check(const char *path, int force, ts_err *err);

#endif
