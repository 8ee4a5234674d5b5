/* ts_poll.h: how a long computation hears "stop" and says how far it is.
 * It calls poll(ctx, done) every few milliseconds of work, `done` the
 * fraction of its work finished, in [0, 1]. A non-zero return asks it to
 * stop: it returns TS_ECANCEL (the sweep's signal handling, within
 * seconds). The caller decides what progress looks like (the CLI draws a
 * line; the sweep's workers only listen for the stop). */
#ifndef TS_POLL_H
#define TS_POLL_H

typedef int (*ts_poll_fn)(void *ctx, double done);

#endif
