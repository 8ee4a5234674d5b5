/* bench_common.h: what the C benchmarks share: a monotonic clock, the process CPU
 * clock and a comparison for taking medians with qsort. */
#ifndef TS_BENCH_COMMON_H
#define TS_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
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

/* Sorts the per-rep times and prints their medians (ms per step, of it the
 * noise draws, and CPU ms per step), one "key value" a line. */
static inline void bench_print_medians(double *t_step, double *t_noise, double *t_cpu, int reps)
{
    qsort(t_step, (size_t)reps, sizeof *t_step, bench_cmp_double);
    qsort(t_noise, (size_t)reps, sizeof *t_noise, bench_cmp_double);
    qsort(t_cpu, (size_t)reps, sizeof *t_cpu, bench_cmp_double);
    printf("ms_per_step %.6g\nms_noise %.6g\ncpu_ms_per_step %.6g\n", t_step[reps / 2], t_noise[reps / 2],
           t_cpu[reps / 2]);
}

#endif
