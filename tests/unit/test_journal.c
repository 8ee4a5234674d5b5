/* test_journal.c: the results journal: records survive a reopen, a torn or
 * corrupted tail is detected by its CRC and cut off (never replayed), a
 * journal of another job is refused, and a reader never modifies it. */
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

enum { TASKS = 10, PER = 5 };

typedef struct {
    int n;
    uint64_t task[64];
    double first[64];
    int has[64];
    char msg[64][32];
} seen;

static void visit(const ts_journal_rec *r, void *ctx)
{
    seen *s = ctx;
    s->task[s->n] = r->task;
    s->has[s->n] = r->results != NULL;
    s->first[s->n] = r->results ? r->results[0] : 0;
    snprintf(s->msg[s->n], 32, "%.31s", r->meta.msg);
    s->n++;
}

static void path_for(char *p, size_t n, const char *tag)
{
    snprintf(p, n, "/tmp/ts_journal_test_%ld_%s", (long)getpid(), tag);
    unlink(p);
}

static void append(ts_journal *j, uint64_t t, int done)
{
    double v[PER];
    for (int k = 0; k < PER; k++) v[k] = (double)t * 10 + k;
    ts_journal_rec r = { .task = t, .end_time = 1.0 * (double)t, .results = done ? v : NULL };
    r.meta.status = done ? 1 : 2;
    r.meta.attempt = 1;
    snprintf(r.meta.msg, sizeof r.meta.msg, done ? "" : "boom %d", (int)t);
    assert_int_equal(ts_journal_append(j, &r, NULL), TS_OK);
}

static void test_records_survive_reopen(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "a");
    ts_journal j;
    assert_int_equal(ts_journal_open(&j, p, 42, TASKS, PER, 1e9, NULL, NULL, NULL), TS_OK);
    append(&j, 3, 1);
    append(&j, 7, 0);
    append(&j, 3, 1);
    ts_journal_close(&j);
    seen s = { 0 };
    assert_int_equal(ts_journal_open(&j, p, 42, TASKS, PER, 2e9, visit, &s, NULL), TS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.task[0], 3);
    assert_true(s.has[0] && s.first[0] == 30);
    assert_int_equal(s.task[1], 7);
    assert_false(s.has[1]);
    assert_string_equal(s.msg[1], "boom 7");
    assert_true(j.created == 1e9);   /* the first creation time is kept */
    ts_journal_close(&j);
    unlink(p);
}

/* Cut the file in the middle of its last record, and separately flip a byte
 * inside it: both are dropped on replay and the file is truncated back to
 * the last good record, so appends continue cleanly. */
static void test_torn_and_corrupt_tails_are_cut(void **state)
{
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        char p[256];
        path_for(p, sizeof p, mode ? "c" : "t");
        ts_journal j;
        assert_int_equal(ts_journal_open(&j, p, 1, TASKS, PER, 0, NULL, NULL, NULL), TS_OK);
        append(&j, 1, 1);
        struct stat sb;
        stat(p, &sb);
        off_t good = sb.st_size;
        append(&j, 2, 1);
        ts_journal_close(&j);
        stat(p, &sb);
        if (mode == 0) {
            assert_int_equal(truncate(p, good + (sb.st_size - good) / 2), 0);
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
        assert_int_equal(ts_journal_read(p, &info, visit, &s, NULL), TS_OK);
        assert_int_equal(s.n, 1);   /* the reader skips the bad tail ... */
        stat(p, &sb);
        assert_true(sb.st_size > good);   /* ... and leaves the file alone */
        memset(&s, 0, sizeof s);
        assert_int_equal(ts_journal_open(&j, p, 1, TASKS, PER, 0, visit, &s, NULL), TS_OK);
        assert_int_equal(s.n, 1);
        stat(p, &sb);
        assert_int_equal(sb.st_size, good);   /* the writer cuts it */
        append(&j, 4, 1);
        ts_journal_close(&j);
        memset(&s, 0, sizeof s);
        assert_int_equal(ts_journal_read(p, &info, visit, &s, NULL), TS_OK);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.task[1], 4);
        unlink(p);
    }
}

static void test_foreign_job_refused(void **state)
{
    (void)state;
    char p[256];
    path_for(p, sizeof p, "f");
    ts_journal j;
    ts_err err = { 0 };
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS, PER, 0, NULL, NULL, NULL), TS_OK);
    ts_journal_close(&j);
    assert_int_equal(ts_journal_open(&j, p, 6, TASKS, PER, 0, NULL, NULL, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "different job"));
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS + 1, PER, 0, NULL, NULL, &err), TS_EINVAL);
    FILE *f = fopen(p, "w");
    fputs("not a journal at all, just text", f);
    fclose(f);
    assert_int_equal(ts_journal_open(&j, p, 5, TASKS, PER, 0, NULL, NULL, &err), TS_EIO);
    assert_non_null(strstr(err.msg, "not a tailsweep journal"));
    unlink(p);
    assert_int_equal(ts_journal_read("/nonexistent/x.journal", &j, NULL, NULL, &err), TS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_survive_reopen),
        cmocka_unit_test(test_torn_and_corrupt_tails_are_cut),
        cmocka_unit_test(test_foreign_job_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
