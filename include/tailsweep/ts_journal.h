/* ts_journal.h: the sweep's append-only completion journal, beside the
 * store (STORE.journal).
 *
 * The store holds the results and each task's checksum; the journal holds
 * what integrity needs and nothing bulky: one small record per finished
 * task (status, attempt, rank, times, host, message, and the checksum the
 * store recorded), appended once the task's values are in the store. So a
 * resumed sweep can tell a complete store from a damaged one, and report
 * which tasks it will recompute and why (docs/architecture.md).
 *
 * File: a header record, then task records, each framed as
 *   u32 magic 'TSJR' | u32 payload length | payload | u32 crc32(payload)
 * Header payload: u32 version (3) | u64 job identity | u64 tasks | f64 created.
 * Task payload:   u64 sequence | u64 task | u8 status | u32 attempt | i32 rank |
 *                 f64 wall | f64 end time | u64 record checksum |
 *                 u8 host length | host | u16 message length | message.
 * Sequence numbers count records from 0, so damage in the middle of the
 * file is measured exactly: the records lost are the gap it leaves. A later
 * record for a task supersedes an earlier one (retries). Records are
 * written in batches with one write(2): a killed process loses nothing it
 * wrote (the page cache survives it); a crashed machine loses at most what
 * was not yet fsync'd, which the store's checksums then arbitrate. */
#ifndef TS_JOURNAL_H
#define TS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"
#include "tailsweep/ts_store.h"

typedef struct {
    int fd;
    char path[4096];
    uint64_t job_id, tasks;
    double created;
    uint64_t next_seq;         /* the sequence number of the next record */
    uint64_t unsynced;         /* records appended since the last fsync  */
} ts_journal;

/* One record, as appended and as replayed. */
typedef struct {
    uint64_t seq, task;
    uint8_t status;
    uint32_t attempt;
    int32_t rank;
    double wall, end_time;
    uint64_t checksum;
    char host[TS_STORE_HOST_LEN];
    char msg[TS_STORE_MSG_LEN];
} ts_journal_rec;

/* What a replay found. */
typedef struct {
    uint64_t records;          /* valid task records                                 */
    uint64_t dropped;          /* records lost to damage before the tail (seq gaps)  */
    uint64_t damaged_regions;  /* stretches of bytes that were not valid records     */
    uint64_t bytes_skipped;
    int torn_tail;             /* the last record was cut short (a kill): harmless   */
    int empty;                 /* the file held no header (0 bytes or less)          */
} ts_journal_replay;

typedef void (*ts_journal_visit)(const ts_journal_rec *rec, void *ctx);

/* Open (creating if absent, or empty) for appending. An existing journal is
 * replayed through visit (streaming, in bounded memory), its damage counted
 * in *rp, a torn tail cut off; a journal of another job (identity or task
 * count) is TS_EINVAL, naming the file. */
ts_status ts_journal_open(ts_journal *j, const char *path, uint64_t job_id, uint64_t tasks, double created,
                          ts_journal_visit visit, void *ctx, ts_journal_replay *rp, ts_err *err);
/* Start the journal afresh: header only (after damage, once the store has
 * been verified; the caller then appends the store's tasks). */
ts_status ts_journal_restart(ts_journal *j, ts_err *err);
/* Append records with one write. */
ts_status ts_journal_append(ts_journal *j, const ts_journal_rec *recs, size_t n, ts_err *err);
ts_status ts_journal_sync(ts_journal *j, ts_err *err);
void ts_journal_close(ts_journal *j);

/* Read-only replay (never truncates), for tools and tests. Fills the header
 * fields of *info. */
ts_status ts_journal_read(const char *path, ts_journal *info, ts_journal_visit visit, void *ctx,
                          ts_journal_replay *rp, ts_err *err);

/* The journal record of a stored task. */
void ts_journal_rec_from(ts_journal_rec *out, const ts_task_record *r, uint64_t checksum);

#endif
