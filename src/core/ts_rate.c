/* ts_rate.c: the recent rate of progress and the time left (see ts_rate.h). */
#include "tailsweep/ts_rate.h"

#include <math.h>

static void push(ts_rate *r, double now, double done)
{
    r->t[r->head] = now;
    r->done[r->head] = done;
    r->head = (r->head + 1) % TS_RATE_SAMPLES;
    if (r->n < TS_RATE_SAMPLES) r->n++;
}

void ts_rate_init(ts_rate *r, double now, double done, double window, double min_amount)
{
    r->window = window > 0 ? window : 30;
    r->min_amount = min_amount > 0 ? min_amount : 0;
    r->every = r->window / 32;
    r->done0 = done;
    r->n = r->head = 0;
    push(r, now, done);
}

void ts_rate_sample(ts_rate *r, double now, double done)
{
    size_t newest = (r->head + TS_RATE_SAMPLES - 1) % TS_RATE_SAMPLES;
    if (now - r->t[newest] >= r->every) push(r, now, done);
}

double ts_rate_per_second(const ts_rate *r, double now, double done)
{
    if (!(done > r->done0)) return NAN;
    /* the newest sample at least a window old with at least min_amount done
     * since; failing that, the oldest kept (the start, early on) */
    size_t k = (r->head + TS_RATE_SAMPLES - r->n) % TS_RATE_SAMPLES;
    for (size_t i = 1; i <= r->n; i++) {
        size_t s = (r->head + TS_RATE_SAMPLES - i) % TS_RATE_SAMPLES;
        if (now - r->t[s] >= r->window && done - r->done[s] >= r->min_amount) {
            k = s;
            break;
        }
    }
    double dt = now - r->t[k];
    return dt > 0 ? (done - r->done[k]) / dt : NAN;
}

double ts_rate_eta(const ts_rate *r, double now, double done, double remaining)
{
    if (!(remaining > 0)) return 0;
    double rate = ts_rate_per_second(r, now, done);
    return rate > 0 ? remaining / rate : NAN;
}
