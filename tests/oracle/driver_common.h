/* driver_common.h: what the oracle drivers share: a float vector printed as
 * one "name count values..." line (9 significant digits round-trip
 * float32), and a name looked up in a list. */
#ifndef TS_DRIVER_COMMON_H
#define TS_DRIVER_COMMON_H

#include <stdio.h>
#include <string.h>

static inline void put_f(const char *name, const float *v, size_t n)
{
    printf("%s %zu", name, n);
    for (size_t i = 0; i < n; i++) printf(" %.9g", (double)v[i]);
    printf("\n");
}

static inline int pick(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) return i;
    return -1;
}

#endif
