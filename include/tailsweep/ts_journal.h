/* ts_journal.h: the append-only results journal: the source of truth of a
 * sweep, from which the HDF5 store is (re)written.
 *
 * Why: an HDF5 file killed in the middle of a metadata write can be left
 * unreadable, and a sweep runs for hours on machines that kill jobs. Appends
 * to a flat file cannot corrupt what is already there; each record carries
 * a CRC-32 (zlib), so a record torn by a kill is detected on replay and cut
 * off. Records are written with one write(2) each and fsync'd in batches:
 * a killed process loses nothing it wrote (the page cache survives it), a
 * crashed machine loses at most the last unsynced batch.
 *
 * File: header record, then task records, each framed as
 *   u32 magic 'TSJR' | u32 payload length | payload | u32 crc32(payload)
 * Header payload: u32 version | u64 job hash | u64 tasks | u64 doubles per task |
 *                 f64 creation time (unix).
 * Task payload:   u64 task | u8 status | u32 attempt | i32 rank | f64 wall |
 *                 f64 end time (unix) | char host[64] | u16 msg length | msg |
 *                 doubles per task f64 results (absent unless done/diverged).
 * A later record for the same task supersedes an earlier one (retries). */
#ifndef TS_JOURNAL_H
#define TS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_store.h"

typedef struct {
    int fd;
    char path[4096];
    uint64_t job_hash, tasks, per_task;
    double created;
    uint64_t records;          /* task records appended or replayed     */
    uint64_t unsynced;         /* appended since the last fsync         */
} ts_journal;

/* The record of one finished task, as the scheduler hands it over. */
typedef struct {
    uint64_t task;
    ts_task_meta meta;
    double end_time;
    const double *results;     /* per_task doubles, or NULL when not done */
} ts_journal_rec;

/* Called for each valid record on replay, in file order. */
typedef void (*ts_journal_visit)(const ts_journal_rec *rec, void *ctx);

/* Open (creating if absent) for appending. An existing journal is replayed
 * through visit, a torn tail is truncated, and its header must match
 * (job_hash, tasks, per_task): otherwise TS_EINVAL with a message saying the
 * store belongs to a different job. */
ts_status ts_journal_open(ts_journal *j, const char *path, uint64_t job_hash, uint64_t tasks,
                          uint64_t per_task, double created, ts_journal_visit visit, void *ctx,
                          ts_err *err);
ts_status ts_journal_append(ts_journal *j, const ts_journal_rec *rec, ts_err *err);
ts_status ts_journal_sync(ts_journal *j, ts_err *err);
void ts_journal_close(ts_journal *j);

/* Read-only replay for `tailsweep status` while a job writes: never
 * truncates, stops quietly at a torn or half-written tail. Fills the header
 * fields of *info. */
ts_status ts_journal_read(const char *path, ts_journal *info, ts_journal_visit visit, void *ctx,
                          ts_err *err);

/* FNV-1a 64 of a byte string: the job identity in the header. */
uint64_t ts_hash64(const void *data, size_t n, uint64_t h);

#endif
