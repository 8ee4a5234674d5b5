/* test_journal.c: the completion journal: records survive a reopen, a torn
 * or corrupted last record is cut off (never replayed), damage in the middle
 * is measured exactly (records lost, by sequence numbers) while the records
 * after it still replay, a journal of another job is refused, a reader never
 * modifies it, and memory stays bounded on a long journal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tailsweep/ts_journal.h"

enum { TASKS = 100000 };

typedef struct {
    int n;
    uint64_t task[64], seq[64];
    uint64_t crc[64];
    char msg[64][32];
    uint64_t total;
} seen;

static void visit(const ts_journal_rec *r, void *ctx)
{
    seen *s = ctx;
    s->total++;
    if (s->n == 64) return;
    s->task[s->n] = r->task;
    s->seq[s->n] = r->seq;
    s->crc[s->n] = r->checksum;
    snprintf(s->msg[s->n], 32, "%.31s", r->msg);
    s->n++;
}

static void path_for(char *p, size_t n, const char *tag)
{
    snprintf(p, n, "/tmp/ts_journal_test_%ld_%s", (long)getpid(), tag);
    unlink(p);
}

static void append(ts_journal *j, uint64_t t, int done)
{
    ts_journal_rec r = { .task = t, .status = done ? 1 : 2, .attempt = 1, .rank = 2, .wall = 0.5,
                         .end_time = (double)t, .checksum = t * 0x9E3779B97F4A7C15ull };
    snprintf(r.host, sizeof r.host, "node%u", (unsigned)(t % 7));
    snprintf(r.msg, sizeof r.msg, done ? "" : "boom %d", (int)t);
    assert_int_equal(ts_journal_append(j, &r, 1, NULL), TS_OK);
}

static off_t size_of(const char *p)
{
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    return sb.st_size;
}

static void test_records_survive_reopen(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "a");
    ts_journal j;
    ts_journal_replay rp;
    assert_int_equal(ts_journal_open(&j, p, 42, TASKS, 1e9, NULL, NULL, &rp, NULL), TS_OK);
    assert_true(rp.empty);
    append(&j, 3, 1);
    append(&j, 7, 0);
    append(&j, 3, 1);
    ts_journal_close(&j);
    seen s = { 0 };
    assert_int_equal(ts_journal_open(&j, p, 42, TASKS, 2e9, visit, &s, &rp, NULL), TS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(rp.records, 3);
    assert_int_equal(rp.dropped + rp.damaged_regions + (uint64_t)rp.torn_tail, 0);
    assert_int_equal(s.task[0], 3);
    assert_true(s.crc[0] == 3 * 0x9E3779B97F4A7C15ull);
    assert_int_equal(s.task[1], 7);
    assert_string_equal(s.msg[1], "boom 7");
    assert_true(s.seq[0] == 0 && s.seq[1] == 1 && s.seq[2] == 2);
    assert_true(j.created == 1e9);   /* the first creation time is kept */
    assert_int_equal(j.next_seq, 3);  /* appends go on numbering */
    append(&j, 9, 1);
    ts_journal_close(&j);
    memset(&s, 0, sizeof s);
    ts_journal info;
    assert_int_equal(ts_journal_read(p, &info, visit, &s, &rp, NULL), TS_OK);
    assert_true(s.n == 4 && s.seq[3] == 3 && s.task[3] == 9);
    unlink(p);
}

/* Cut the file in the middle of its last record, and separately flip a byte
 * inside it: both are dropped on replay (a torn tail, not damage) and the
 * file is truncated back to the last good record, so appends continue. */
static void test_torn_and_corrupt_tails_are_cut(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        char p[256];
        path_for(p, sizeof p, mode ? "c" : "t");
        ts_journal j;
        ts_journal_replay rp;
        assert_int_equal(ts_journal_open(&j, p, 1, TASKS, 0, NULL, NULL, &rp, NULL), TS_OK);
        append(&j, 1, 1);
        off_t good = size_of(p);
        append(&j, 2, 0);
        ts_journal_close(&j);
        off_t full = size_of(p);
        if (mode == 0) {
            assert_int_equal(truncate(p, good + (full - good) / 2), 0);
        } else {
            int fd = open(p, O_RDWR);
            unsigned char c;
            assert_int_equal(pread(fd, &c, 1, good + 20), 1);
            c ^= 0x40;
            assert_int_equal(pwrite(fd, &c, 1, good + 20), 1);
            close(fd);
        }
        seen s = { 0 };
        ts_journal info;
        assert_int_equal(ts_journal_read(p, &info, visit, &s, &rp, NULL), TS_OK);
        assert_int_equal(s.n, 1);            /* the reader skips the bad tail ... */
        assert_true(rp.torn_tail && rp.damaged_regions == 0 && rp.dropped == 0);
        assert_true(size_of(p) > good);      /* ... and leaves the file alone */
        memset(&s, 0, sizeof s);
        assert_int_equal(ts_journal_open(&j, p, 1, TASKS, 0, visit, &s, &rp, NULL), TS_OK);
        assert_int_equal(s.n, 1);
        assert_int_equal(size_of(p), good);   /* the writer cuts it */
        append(&j, 4, 1);
        ts_journal_close(&j);
        memset(&s, 0, sizeof s);
        assert_int_equal(ts_journal_read(p, &info, visit, &s, &rp, NULL), TS_OK);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.task[1], 4);
        unlink(p);
    }
}

/* Bytes destroyed in the middle: the records there are lost, counted
 * exactly by the gap in sequence numbers; every record after still replays. */
static void test_damage_in_the_middle_is_measured(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "m");
    ts_journal j;
    ts_journal_replay rp;
    assert_int_equal(ts_journal_open(&j, p, 9, TASKS, 0, NULL, NULL, &rp, NULL), TS_OK);
    off_t at[12];
    for (int t = 0; t < 12; t++) {
        at[t] = size_of(p);
        append(&j, (uint64_t)t, t % 3 != 0);
    }
    ts_journal_close(&j);
    /* zero records 4 and 5 entirely, and one byte of record 8's payload */
    int fd = open(p, O_RDWR);
    size_t n = (size_t)(at[6] - at[4]);
    char *z = calloc(n, 1);
    assert_int_equal(pwrite(fd, z, n, at[4]), (ssize_t)n);
    free(z);
    unsigned char c;
    assert_int_equal(pread(fd, &c, 1, at[8] + 14), 1);
    c ^= 1;
    assert_int_equal(pwrite(fd, &c, 1, at[8] + 14), 1);
    close(fd);
    seen s = { 0 };
    assert_int_equal(ts_journal_open(&j, p, 9, TASKS, 0, visit, &s, &rp, NULL), TS_OK);
    assert_int_equal(rp.records, 9);
    assert_int_equal(rp.dropped, 3);
    assert_int_equal(rp.damaged_regions, 2);
    assert_false(rp.torn_tail);
    assert_true(s.task[4] == 6 && s.task[6] == 9 && s.task[8] == 11);
    assert_int_equal(j.next_seq, 12);
    /* restart: a clean journal, header only, numbering from 0 */
    assert_int_equal(ts_journal_restart(&j, NULL), TS_OK);
    append(&j, 5, 1);
    ts_journal_close(&j);
    memset(&s, 0, sizeof s);
    ts_journal info;
    assert_int_equal(ts_journal_read(p, &info, visit, &s, &rp, NULL), TS_OK);
    assert_true(s.n == 1 && s.seq[0] == 0 && rp.damaged_regions == 0 && info.job_id == 9);
    unlink(p);
}

/* A long journal replays through a fixed window: every record, in order. */
static void test_long_journal_streams(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "l");
    ts_journal j;
    ts_journal_replay rp;
    assert_int_equal(ts_journal_open(&j, p, 3, TASKS, 0, NULL, NULL, &rp, NULL), TS_OK);
    ts_journal_rec *r = calloc(TASKS, sizeof *r);
    assert_non_null(r);
    for (uint64_t t = 0; t < TASKS; t++) {
        r[t].task = t;
        r[t].status = 1;
        r[t].checksum = t;
        snprintf(r[t].host, sizeof r[t].host, "a-rather-long-host-name-%llu", (unsigned long long)(t % 100));
    }
    assert_int_equal(ts_journal_append(&j, r, TASKS, NULL), TS_OK);
    free(r);
    ts_journal_close(&j);
    assert_true(size_of(p) > (off_t)(4u << 20));   /* larger than the replay window */
    seen s = { 0 };
    ts_journal info;
    assert_int_equal(ts_journal_read(p, &info, visit, &s, &rp, NULL), TS_OK);
    assert_int_equal(s.total, TASKS);
    assert_int_equal(rp.records, TASKS);
    assert_int_equal(rp.dropped + rp.damaged_regions, 0);
    unlink(p);
}

static void test_foreign_job_refused(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "f");
    ts_journal j;
    ts_journal_replay rp;
    ts_err err = { 0 };
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS, 0, NULL, NULL, &rp, NULL), TS_OK);
    ts_journal_close(&j);
    assert_int_equal(ts_journal_open(&j, p, 6, TASKS, 0, NULL, NULL, &rp, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "different job"));
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS + 1, 0, NULL, NULL, &rp, &err), TS_EINVAL);
    FILE *f = fopen(p, "w");
    fputs("not a journal at all, just text", f);
    fclose(f);
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS, 0, NULL, NULL, &rp, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "not a tailsweep journal"));
    unlink(p);
    assert_int_equal(ts_journal_read("/nonexistent/x.journal", &j, NULL, NULL, &rp, &err), TS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_survive_reopen),
        cmocka_unit_test(test_torn_and_corrupt_tails_are_cut),
        cmocka_unit_test(test_damage_in_the_middle_is_measured),
        cmocka_unit_test(test_long_journal_streams),
        cmocka_unit_test(test_foreign_job_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
