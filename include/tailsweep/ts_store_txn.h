/* ts_store_txn.h: changing a store's HDF5 structure (adding /aggregate)
 * so that a kill at any moment leaves it readable and unchanged.
 *
 * HDF5 updates its metadata in place and has no journal of its own: a
 * process killed in the middle of a metadata flush can leave a file no
 * reader opens. A transaction therefore opens the store through a small
 * HDF5 file driver of tailsweep's own (a rollback journal, as SQLite's):
 *  - writes at or beyond the file's size when the transaction began go to
 *    the file at once: no reader looks there (HDF5 accepts a file longer
 *    than its end-of-allocation mark);
 *  - writes to the old part of the file (the metadata of existing objects)
 *    are held in memory;
 *  - at commit, after HDF5 has closed the file, the old bytes of every held
 *    region are saved to STORE.undo (with checksums) and fsync'd, then the
 *    held writes are applied and fsync'd, then STORE.undo is removed.
 * Until commit the store on disk is its old self plus bytes past its end;
 * the window in which its old part changes is the application of a few
 * kilobytes at the very end. Should a kill land there, STORE.undo restores
 * the old bytes and length: ts_store_txn_recover, which every tailsweep
 * command that locks the store runs first. */
#ifndef TS_STORE_TXN_H
#define TS_STORE_TXN_H

#include <hdf5.h>

#include "tailsweep/ts_error.h"

typedef struct ts_store_txn ts_store_txn;

/* Open the store read-write inside a transaction; *file is the HDF5 file to
 * change. The caller holds the store's lock. One transaction per process at
 * a time. */
ts_status ts_store_txn_begin(const char *path, ts_store_txn **out, hid_t *file, ts_err *err);
/* Close *file and make every change durable, or none (on error the store is
 * rolled back). */
ts_status ts_store_txn_commit(ts_store_txn *t, ts_err *err);
/* Close *file and drop every change. */
void ts_store_txn_abort(ts_store_txn *t);

/* Roll back a transaction a kill interrupted (STORE.undo exists): restore
 * the old bytes and length. *rolled_back says whether there was one. The
 * caller holds the store's lock. */
ts_status ts_store_txn_recover(const char *path, int *rolled_back, ts_err *err);

/* Test hook: called at each step of a commit with its name, so a test can
 * kill the process at a chosen moment (NULL: none). */
extern void (*ts_store_txn_step_hook)(const char *step);

#endif
