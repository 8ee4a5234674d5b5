/* ts_hash.h: FNV-1a 64, the hash behind job identities (not for security:
 * it names a job, it does not defend it). */
#ifndef TS_HASH_H
#define TS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a 64 of n bytes, continuing from h (0 starts a new hash). */
uint64_t ts_hash64(const void *data, size_t n, uint64_t h);

#endif
