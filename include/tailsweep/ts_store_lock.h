/* ts_store_lock.h: one job per store, on local disks and on cluster file
 * systems.
 *
 * A store's lock is the file STORE.lock, guarded two ways at once:
 *  - flock(2), which the kernel drops when the holder dies, so a kill -9
 *    never leaves a stale lock on the machine that held it;
 *  - a lease written into the file (host, pid, purpose, and a heartbeat the
 *    holder renews every few seconds from a thread), which other nodes see.
 * On NFS, Lustre or GPFS flock may be missing (ENOLCK, EOPNOTSUPP) or local
 * to one node (Lustre's localflock); the lease still keeps a second job off
 * the store, from any node. A lease whose heartbeat is older than its
 * time-to-live belongs to a dead job and is taken over. HDF5's own file
 * locking, which fails on such file systems, is not used (ts_store.h).
 *
 * Taking the lock writes the lease, waits a moment and reads it back, so two
 * nodes that start at the same instant cannot both believe they hold it. */
#ifndef TS_STORE_LOCK_H
#define TS_STORE_LOCK_H

#include "tailsweep/ts_error.h"

/* Seconds between heartbeats, and the default time-to-live of a lease. */
#define TS_LOCK_BEAT 5.0
#define TS_LOCK_TTL 60.0

typedef struct ts_store_lock ts_store_lock;

typedef struct {
    int have_flock;        /* 0: flock is not available here; the lease alone guards */
    char note[320];        /* something the user should know, or ""                   */
} ts_lock_info;

/* Take the lock of `store` for `purpose` ("run", "aggregate"). ttl: seconds
 * after which another holder's silent lease counts as dead (0: TS_LOCK_TTL).
 * A store held by a live job is refused (TS_EIO, naming the holder); a lock
 * file that cannot be made is refused at once, saying why. */
ts_status ts_store_lock_take(const char *store, const char *purpose, double ttl, ts_store_lock **out,
                             ts_lock_info *info, ts_err *err);
/* Release: the lease is cleared and the flock dropped. */
void ts_store_lock_release(ts_store_lock *l);

/* Who holds the lock now, read without taking it (for `status`). */
typedef struct {
    int held;              /* a live lease, or a flock held on this machine */
    double age;            /* seconds since the holder's last heartbeat     */
    char holder[200];      /* "pid 123 on node7 (run)"                      */
} ts_lock_state;
void ts_store_lock_probe(const char *store, double ttl, ts_lock_state *st);

/* STORE.lock, STORE.journal */
void ts_store_lock_path(const char *store, char *out, size_t n);
void ts_store_journal_path(const char *store, char *out, size_t n);

#endif
