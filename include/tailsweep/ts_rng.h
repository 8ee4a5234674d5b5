/* ts_rng.h: reproducible random streams.
 *
 * A stream is identified by (job seed, task index, replicate, purpose) and,
 * below that, an optional substream index (one per SDE chain, say). Its
 * numbers depend on that identity only, never on which rank ran the task, in
 * what order, or how many draws other streams made.
 *
 * Two generators, each doing what it is best at (docs/rng.md):
 *  - Philox4x32-10 (Salmon et al., SC'11), a counter-based bijection, turns
 *    the identity into generator state: key = job seed, counter = (lane word,
 *    substream, replicate << 8 | purpose, task). Distinct identities give
 *    distinct Philox inputs and so unrelated states; no hashing, no collisions.
 *  - xoshiro256++ (Blackman and Vigna 2021) produces the numbers: TS_RNG_LANES
 *    independent generators side by side, read round-robin, so a block of
 *    draws advances all lanes at once in SIMD registers. Philox alone costs
 *    ~17 cycles a block here; the lanes cost under one cycle a number.
 *
 * Layout of the Philox counter that seeds lane l (256 bits = two blocks):
 *   ctr[0] = 2 l + half,  ctr[1] = substream,
 *   ctr[2] = replicate (24 bits) << 8 | purpose (8 bits),  ctr[3] = task.
 */
#ifndef TS_RNG_H
#define TS_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_error.h"

#define TS_RNG_MAX_TASK      UINT64_C(0xFFFFFFFF)
#define TS_RNG_MAX_REPLICATE UINT64_C(0xFFFFFF)
#define TS_RNG_MAX_PURPOSE   UINT64_C(0xFF)
#define TS_RNG_MAX_SUBSTREAM UINT64_C(0xFFFFFFFF)
#define TS_RNG_LANES 8

/* What a stream is used for. Separate purposes get separate streams, so adding
 * draws for one concern never shifts the numbers of another. */
typedef enum {
    TS_PURPOSE_GENERIC = 0,
    TS_PURPOSE_SAMPLE = 1,    /* tailsweep sample                  */
    TS_PURPOSE_SDE_NOISE = 2, /* Levy increments of SDE chains     */
    TS_PURPOSE_SDE_INIT = 3,  /* initial states of SDE chains      */
    TS_PURPOSE_INIT = 4,      /* network / model initialisation    */
    TS_PURPOSE_DATA = 5,      /* data generation, shuffling        */
    TS_PURPOSE_NOISE = 6,     /* noise injections                  */
    TS_PURPOSE_BATCH = 7,     /* minibatch selection               */
    TS_PURPOSE_TEST = 255     /* tests only                        */
} ts_rng_purpose;

typedef struct {
    uint64_t s[4][TS_RNG_LANES];   /* xoshiro256++ state, lane-minor        */
    uint64_t buf[TS_RNG_LANES];    /* outputs of the last round             */
    unsigned next;                 /* next unread entry of buf (LANES: none) */
    uint32_t key[2], ctr2, ctr3;   /* identity, kept to derive substreams   */
} ts_rng;

/* A stream for (seed, task, replicate, purpose), at its start. Fails with
 * TS_EINVAL when a field exceeds its width above. */
ts_status ts_rng_init(ts_rng *r, uint64_t seed, uint64_t task, uint64_t replicate,
                      unsigned purpose, ts_err *err);

/* Substream k of a stream's identity (e.g. one per SDE chain), at its start. */
ts_status ts_rng_substream(ts_rng *out, const ts_rng *parent, uint64_t k, ts_err *err);

/* The Philox4x32-10 bijection: out = philox(key, ctr). Exposed for the
 * known-answer test. */
void ts_philox4x32_10(const uint32_t key[2], const uint32_t ctr[4], uint32_t out[4]);

/* 52 random bits -> a double strictly inside (0, 1): (2m + 1) 2^-53.
 * Never 0 or 1, so log(u) and log(1 - u) are always finite. */
static inline double ts_bits_to_open01(uint64_t m52)
{
    union { uint64_t u; double d; } v = { UINT64_C(0x3FF0000000000000) | m52 };
    return (v.d - 1.0) + 0x1p-53;
}

/* The next raw 64-bit output. */
uint64_t ts_rng_next_u64(ts_rng *r);

/* The next uniform in (0, 1). */
double ts_rng_uniform(ts_rng *r);

/* The next n uniforms, identical to n calls of ts_rng_uniform; vectorised. */
void ts_rng_uniform_block(ts_rng *r, size_t n, double *out);

/* n standard normal draws (Box-Muller on the stream's uniforms; vectorised).
 * A call consumes 2 ceil(n/2) uniforms, in chunks of 512 draws, so the numbers
 * depend on how a request is split only at odd chunk lengths: callers that need
 * the same numbers from different splits use even lengths. */
void ts_rng_normal_block(ts_rng *r, size_t n, double *out);
/* The same draws rounded to float (noise injections in float32 networks). */
void ts_rng_normal_block_f(ts_rng *r, size_t n, float *out);

#endif
