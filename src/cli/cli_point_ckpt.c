/* cli_point_ckpt.c: checkpoints of a single-point command (`sde`, `train`,
 * `linear` with -o OUT.h5), so that a long run stopped by Ctrl-C, SIGTERM or
 * SIGUSR1 continues where it was when the same command is given again, and
 * ends bit-identical to an uninterrupted run, as a sweep's tasks do.
 *
 * The checkpoint is one file beside the output, OUT.h5.ckpt, in the format
 * of a sweep task's (ts_ckpt_file.h: the job's identity, task 0, the kind,
 * checksums; written atomically), saved every `--checkpoint_every` seconds
 * and on a stop, and removed once OUT.h5 is written. The identity is that of
 * the one-point job the command line makes (its parameters and seed), so
 * the same command, flags in any order, continues it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_point_ckpt.h"
#include "tailsweep/ts_ckpt_file.h"
#include "tailsweep/ts_clock.h"

static void save(void *v, const ts_ckpt_buf *b, double done)
{
    ts_cli_point_ckpt *c = v;
    ts_ckpt_info info = { .job = c->job_id, .task = 0, .done = done, .saved_at = ts_clock_unix(),
                          .seconds = c->before + (ts_clock_mono() - c->t0) };
    snprintf(info.kind, sizeof info.kind, "%s", c->kind);
    ts_err e = { 0 };
    if (ts_ckpt_file_write(c->path, &info, b->data, b->len, &e)) {
        if (!c->write_failed)
            fprintf(stderr, "tailsweep %s: warning: %s (the run goes on; a stop now loses it)\n", c->cmd, e.msg);
        c->write_failed = 1;
        return;
    }
    c->has_file = 1;
    c->saves++;
}

int ts_cli_point_ckpt_open(ts_cli_point_ckpt *c, const char *cmd, const char *out, uint64_t job_id,
                           const char *kind, double every, int force, ts_poll_fn inner, void *inner_ctx,
                           const volatile sig_atomic_t *stop)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    c->kind = kind;
    c->job_id = job_id;
    c->every = every;
    c->inner = inner;
    c->inner_ctx = inner_ctx;
    c->stop = stop;
    c->t0 = c->last = ts_clock_mono();
    c->ck.save = save;
    c->ck.ctx = c;
    if (snprintf(c->path, sizeof c->path, "%s.ckpt", out) >= (int)sizeof c->path) {
        fprintf(stderr, "tailsweep %s: %s: path too long for its checkpoint\n", cmd, out);
        return TS_EXIT_IO;
    }
    if (access(c->path, F_OK) != 0) return -1;   /* nothing to continue */
    ts_ckpt_info info;
    ts_err e = { 0 };
    void *state = NULL;
    ts_ckpt_verdict v = ts_ckpt_file_load(c->path, job_id, 0, kind, &info, &state, &e);
    switch (v) {
    case TS_CKPT_OK:
        c->ck.state = state;
        c->ck.state_len = info.state_len;
        c->before = info.seconds;
        c->resumed_at = info.done;
        c->has_file = 1;
        fprintf(stderr, "tailsweep %s: resuming from %s (%.1f%% done, %.0f s of work so far)\n", cmd, c->path,
                100 * info.done, info.seconds);
        return -1;
    case TS_CKPT_NONE:
        return -1;
    case TS_CKPT_IOERR:
        fprintf(stderr, "tailsweep %s: %s\n", cmd, e.msg);
        return TS_EXIT_IO;
    case TS_CKPT_FOREIGN:
        /* another command's run to the same output: finishing it is the
         * user's choice, starting this one over too */
        if (!force) {
            fprintf(stderr,
                    "tailsweep %s: %s: %s; give the command that made it to finish that run, or --force to "
                    "start this one over (the checkpoint is then replaced)\n",
                    cmd, c->path, e.msg);
            return TS_EXIT_IO;
        }
        break;
    case TS_CKPT_DAMAGED:
        /* a file that is not a checkpoint at all is someone else's */
        if (!ts_ckpt_file_is_ckpt(c->path) && !force) {
            fprintf(stderr, "tailsweep %s: %s exists and is not a tailsweep checkpoint; move it away, or give "
                            "--force to replace it\n", cmd, c->path);
            return TS_EXIT_IO;
        }
        break;
    }
    /* damaged, or (with --force) another run's or not a checkpoint: it goes,
     * so that no stale file outlives this run */
    fprintf(stderr, "tailsweep %s: checkpoint ignored: %s; the run starts over\n", cmd, e.msg);
    if (unlink(c->path) != 0) {
        fprintf(stderr, "tailsweep %s: %s: cannot remove: %s\n", cmd, c->path, strerror(errno));
        return TS_EXIT_IO;
    }
    return -1;
}

int ts_cli_point_ckpt_poll(void *v, double done)
{
    ts_cli_point_ckpt *c = v;
    int stop = c->inner ? c->inner(c->inner_ctx, done) : 0;
    if (*c->stop) stop = 1;
    if (stop) {
        c->stopped = 1;
        c->stopped_at = done;
        return TS_POLL_STOP | TS_POLL_SAVE;
    }
    double now = ts_clock_mono();
    if (now - c->last >= c->every) {
        c->last = now;
        return TS_POLL_SAVE;
    }
    return 0;
}

int ts_cli_point_ckpt_retry(ts_cli_point_ckpt *c)
{
    if (!c->ck.rejected) return 0;
    fprintf(stderr, "tailsweep %s: checkpoint ignored: %s: %s; the run starts over\n", c->cmd, c->path, c->ck.why);
    ts_ckpt_drop_state(&c->ck);
    c->before = 0;
    c->t0 = c->last = ts_clock_mono();
    return 1;
}

double ts_cli_point_ckpt_seconds(const ts_cli_point_ckpt *c) { return c->before + (ts_clock_mono() - c->t0); }

void ts_cli_point_ckpt_finished(ts_cli_point_ckpt *c)
{
    if (c->has_file) unlink(c->path);
    c->has_file = 0;
}

void ts_cli_point_ckpt_free(ts_cli_point_ckpt *c)
{
    ts_ckpt_drop_state(&c->ck);
    ts_ckpt_buf_free(&c->ck.buf);
}
