/* bench_common.h: what the C benchmarks share: a monotonic clock, the process CPU
 * clock and a comparison for taking medians with qsort. */
#ifndef TS_BENCH_COMMON_H
#define TS_BENCH_COMMON_H

#include <time.h>

static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Process CPU time: what a step costs when a core is free, where the wall
 * clock also counts waiting for one on a shared machine. */
static inline double bench_cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
