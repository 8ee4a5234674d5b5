/* ts_hash.c: FNV-1a 64 (ts_hash.h). */
#include "tailsweep/ts_hash.h"

uint64_t ts_hash64(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    if (!h) h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}
