/* cmd_status.c: `tailsweep status STORE`: progress of a sweep, read from its
 * journal without locks, so it works while the job is writing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli.h"
#include "tailsweep/ts_journal.h"
#include "tailsweep/ts_sweep.h"

static void usage(void)
{
    puts("usage: tailsweep status STORE.h5\n"
         "\n"
         "Tasks done, diverged, failed and todo, throughput and ETA of the sweep writing\n"
         "STORE, read from STORE.journal (safe while the job runs). Failed tasks are\n"
         "listed with their messages. Exit: 0, or 3 if there is no journal.");
}

typedef struct {
    uint8_t *status;
    uint64_t records, dup;
    double first, last;
    char (*msg)[256];
} tally;

static void visit(const ts_journal_rec *r, void *ctx)
{
    tally *t = ctx;
    if (t->status[r->task] == TS_TASK_DONE || t->status[r->task] == TS_TASK_DIVERGED) t->dup++;
    t->status[r->task] = r->meta.status;
    memcpy(t->msg[r->task], r->meta.msg, 256);
    if (!t->records || r->end_time < t->first) t->first = r->end_time;
    if (r->end_time > t->last) t->last = r->end_time;
    t->records++;
}

static int running(const char *store)
{
    char lp[600];
    ts_sweep_lock_path(store, lp, sizeof lp);
    int fd = open(lp, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    int busy = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);
    return busy;
}

static int run(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage();
        return TS_EXIT_OK;
    }
    if (argc != 2) return ts_cli_usage_error("status", "expected one store path");
    char jp[600];
    ts_sweep_journal_path(argv[1], jp, sizeof jp);
    ts_journal info;
    ts_err err = { 0 };
    /* two passes: the header gives the task count the tally needs */
    if (ts_journal_read(jp, &info, NULL, NULL, &err)) return ts_cli_fail("status", &err);
    tally t = { calloc(info.tasks ? info.tasks : 1, 1), 0, 0, 0, 0, calloc(info.tasks ? info.tasks : 1, 256) };
    if (!t.status || !t.msg) return ts_cli_usage_error("status", "out of memory");
    int rc = TS_EXIT_OK;
    if (ts_journal_read(jp, &info, visit, &t, &err)) rc = ts_cli_fail("status", &err);
    else {
        uint64_t n[4] = { 0 };
        for (uint64_t i = 0; i < info.tasks; i++) n[t.status[i] < 4 ? t.status[i] : 0]++;
        double span = t.last - t.first, rate = t.records > 1 && span > 0 ? (double)(t.records - 1) / span : 0;
        printf("%s: %s\n", argv[1], running(argv[1]) ? "a job is running" : "no job running");
        printf("tasks %llu: done %llu, diverged %llu, failed %llu, todo %llu\n",
               (unsigned long long)info.tasks, (unsigned long long)n[1], (unsigned long long)n[3],
               (unsigned long long)n[2], (unsigned long long)n[0]);
        printf("journal records %llu (reruns of finished tasks: %llu)\n", (unsigned long long)t.records,
               (unsigned long long)t.dup);
        if (rate > 0) printf("throughput %.3g tasks/s; ETA %.0f s at that rate\n", rate, (double)n[0] / rate);
        int shown = 0;
        for (uint64_t i = 0; i < info.tasks && shown < 10; i++)
            if (t.status[i] == TS_TASK_FAILED) {
                printf("  failed task %llu: %s\n", (unsigned long long)i, t.msg[i]);
                shown++;
            }
    }
    free(t.status);
    free(t.msg);
    return rc;
}

const ts_command ts_cmd_status = { "status", "progress of a sweep (safe while it runs)", run, usage };
