/* ts_clock.h: the clocks, in seconds as doubles: the monotonic one for
 * intervals (never jumps with the wall clock), the wall clock for dates
 * written into stores and checkpoints, and the calling thread's CPU time. */
#ifndef TS_CLOCK_H
#define TS_CLOCK_H

double ts_clock_mono(void);
double ts_clock_unix(void);
double ts_clock_cpu(void);

#endif
