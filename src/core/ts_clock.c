/* ts_clock.c: see ts_clock.h. */
#include <time.h>

#include "tailsweep/ts_clock.h"

static double seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double ts_clock_mono(void) { return seconds(CLOCK_MONOTONIC); }
double ts_clock_unix(void) { return seconds(CLOCK_REALTIME); }
double ts_clock_cpu(void) { return seconds(CLOCK_THREAD_CPUTIME_ID); }
