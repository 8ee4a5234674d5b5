/* ts_rate.h: how fast work goes now, and when it will be done.
 *
 * The caller samples its progress (the time and the amount done so far:
 * tasks finished, or the fraction of one task). The rate is taken over the
 * recent past, not since the start: the first tasks of a sweep are often
 * unlike the rest (another corner of the grid, a machine still warming up,
 * other jobs starting), and an average since the start carries that error to
 * the end. The recent past is the last `window` seconds, stretched back until
 * it holds at least `min_amount` of work, so that work arriving in lumps (a
 * few long tasks) does not make the rate jump between zero and a burst.
 * Before anything is done the rate, and the time left, are unknown (NaN). */
#ifndef TS_RATE_H
#define TS_RATE_H

#include <stddef.h>

#define TS_RATE_SAMPLES 256   /* at window/32 apart: 8 windows of history */

typedef struct {
    double window, min_amount, every;
    double done0;                    /* the amount at the start            */
    double t[TS_RATE_SAMPLES];       /* a ring of samples, oldest at head - n */
    double done[TS_RATE_SAMPLES];
    size_t n, head;
} ts_rate;

/* Start at time `now` (seconds, any origin) with `done` already done. */
void ts_rate_init(ts_rate *r, double now, double done, double window, double min_amount);
/* Record progress; cheap to call often: a sample is kept every window/32 s. */
void ts_rate_sample(ts_rate *r, double now, double done);
/* Amount per second at `now`; NaN while nothing has been done. */
double ts_rate_per_second(const ts_rate *r, double now, double done);
/* Seconds until `remaining` more is done at that rate: 0 when nothing
 * remains, NaN when unknown (nothing done yet, or nothing for the whole
 * history kept). */
double ts_rate_eta(const ts_rate *r, double now, double done, double remaining);

#endif
