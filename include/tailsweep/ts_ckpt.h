/* ts_ckpt.h: a task's checkpoint as a kind sees it: how it saves its whole
 * state and restores it, so that a task stopped half way (a signal, a
 * requeue, a preemption) continues where it was and ends bit-identical to
 * an uninterrupted run.
 *
 * The runner hands a task a ts_ckpt (ts_task.ckpt) when its kind says it
 * can (ts_kind.checkpoints). The kind
 *  - restores: when ck->state is set, before its first step it reads the
 *    state back with a ts_ckpt_in (ts_ckpt_get*) and goes on from there.
 *    A state that does not fit the task (other sizes, another format) is
 *    refused with ts_ckpt_reject: the runner reports it and runs the task
 *    from its start. Damage never reaches the kind: the runner checks each
 *    file's checksum first.
 *  - saves: when poll returns TS_POLL_SAVE (ts_poll.h), at a point where
 *    its state is whole, it writes the state into ts_ckpt_begin's buffer
 *    (ts_ckpt_put*) and calls ts_ckpt_commit with the fraction done. The
 *    runner writes the file; the kind never sees files, and a save that
 *    cannot be written is the runner's to report, never the task's error.
 * State is written in the host's byte order: a checkpoint is resumed on
 * the machine type that wrote it (the runner's header says which).
 * A state starts with a tag naming the kind and the version of its format
 * (ts_ckpt_put_tag), so a state of another kind or format is refused. */
#ifndef TS_CKPT_H
#define TS_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

/* A growing buffer the kind writes its state into. Out of memory is
 * remembered (nomem) and the save is skipped; the task goes on. */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    int nomem;
} ts_ckpt_buf;

void ts_ckpt_buf_free(ts_ckpt_buf *b);
void ts_ckpt_put(ts_ckpt_buf *b, const void *p, size_t n);
static inline void ts_ckpt_put_u64(ts_ckpt_buf *b, uint64_t v) { ts_ckpt_put(b, &v, sizeof v); }
static inline void ts_ckpt_put_f64(ts_ckpt_buf *b, double v) { ts_ckpt_put(b, &v, sizeof v); }
/* The state's first word: a tag of up to 15 characters, e.g. "sde/1". */
void ts_ckpt_put_tag(ts_ckpt_buf *b, const char *tag);

/* Reading a state back. A read past the end yields zeros and sets `over`. */
typedef struct {
    const unsigned char *data;
    size_t len, pos;
    int over;
} ts_ckpt_in;

void ts_ckpt_get(ts_ckpt_in *in, void *p, size_t n);
uint64_t ts_ckpt_get_u64(ts_ckpt_in *in);
double ts_ckpt_get_f64(ts_ckpt_in *in);

/* A task's checkpoint channel. */
typedef struct ts_ckpt {
    const void *state;        /* resume from this state; NULL: from the start */
    size_t state_len;
    ts_ckpt_buf buf;          /* what a save fills (kept between saves)      */
    /* The runner's: writes buf as the task's checkpoint, `done` its
     * fraction done in [0, 1] (what `tailsweep status` shows). */
    void (*save)(void *ctx, const ts_ckpt_buf *state, double done);
    void *ctx;
    int rejected;             /* set by ts_ckpt_reject                         */
    char why[256];            /* and why                                       */
} ts_ckpt;

/* The buffer of a save, emptied (NULL when ck is NULL). */
ts_ckpt_buf *ts_ckpt_begin(ts_ckpt *ck);
/* Hand the filled buffer to the runner (nothing when it ran out of memory). */
void ts_ckpt_commit(ts_ckpt *ck, double done);
/* Forget the state to resume from and free it (the runner's, malloc'd):
 * after a refusal the task starts over, and at its end. */
void ts_ckpt_drop_state(ts_ckpt *ck);
/* A reader over ck's state (ck->state must be set), with the tag checked:
 * TS_EINVAL through ts_ckpt_reject when it is not `tag`. */
ts_status ts_ckpt_open(ts_ckpt *ck, const char *tag, ts_ckpt_in *in, ts_err *err);
/* Refuse the state: sets ck->rejected and why, and returns TS_EINVAL with
 * the message in err. The kind returns that status from run; the runner
 * then starts the task over. */
ts_status ts_ckpt_reject(ts_ckpt *ck, ts_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A size the state records against the task's own: rejects when they differ
 * ("the checkpoint has chains = 64, this task 32"). */
ts_status ts_ckpt_expect(ts_ckpt *ck, ts_ckpt_in *in, uint64_t want, const char *what, ts_err *err);
/* The state read to its very end, no further: else rejected. */
ts_status ts_ckpt_close(ts_ckpt *ck, ts_ckpt_in *in, ts_err *err);

#endif
