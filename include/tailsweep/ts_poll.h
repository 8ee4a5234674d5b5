/* ts_poll.h: how a long computation hears "stop" and says how far it is.
 * It calls poll(ctx, done) every few milliseconds of work, `done` the
 * fraction of its work finished, in [0, 1]. A non-zero return asks it to
 * stop: it returns TS_ECANCEL (the sweep's signal handling, within
 * seconds). The caller decides what progress looks like (the CLI draws a
 * line; the sweep's workers only listen for the stop). */
#ifndef TS_POLL_H
#define TS_POLL_H

typedef int (*ts_poll_fn)(void *ctx, double done);

/* What poll answers: 0 go on; otherwise bits. TS_POLL_SAVE is asked only
 * of a task that was given a checkpoint channel (ts_ckpt.h): it saves its
 * state, then stops if TS_POLL_STOP is set too, else goes on. Any other
 * non-zero answer stops. */
#define TS_POLL_STOP 1
#define TS_POLL_SAVE 2
static inline int ts_poll_stops(int answer) { return (answer & ~TS_POLL_SAVE) != 0; }

#endif
