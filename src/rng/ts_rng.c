/* ts_rng.c: Philox-seeded xoshiro256++ lanes (see ts_rng.h, docs/rng.md). */
#include "tailsweep/ts_rng.h"

void ts_philox4x32_10(const uint32_t key[2], const uint32_t ctr[4], uint32_t out[4])
{
    uint32_t k0 = key[0], k1 = key[1];
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)UINT32_C(0xD2511F53) * c0;
        uint64_t p1 = (uint64_t)UINT32_C(0xCD9E8D57) * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += UINT32_C(0x9E3779B9);
        k1 += UINT32_C(0xBB67AE85);
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* Fill every lane's 256-bit state from Philox blocks of the identity. */
static void seed_lanes(ts_rng *r, uint32_t substream)
{
    for (unsigned l = 0; l < TS_RNG_LANES; l++) {
        uint32_t w[8];
        for (unsigned half = 0; half < 2; half++) {
            uint32_t ctr[4] = { 2 * l + half, substream, r->ctr2, r->ctr3 };
            ts_philox4x32_10(r->key, ctr, w + 4 * half);
        }
        for (unsigned j = 0; j < 4; j++)
            r->s[j][l] = (uint64_t)w[2 * j] << 32 | w[2 * j + 1];
        /* xoshiro's one forbidden state; Philox reaches it with odds 2^-256 */
        if (!(r->s[0][l] | r->s[1][l] | r->s[2][l] | r->s[3][l]))
            r->s[0][l] = UINT64_C(0x9E3779B97F4A7C15);
    }
    r->next = TS_RNG_LANES;
}

ts_status ts_rng_init(ts_rng *r, uint64_t seed, uint64_t task, uint64_t replicate,
                      unsigned purpose, ts_err *err)
{
    if (task > TS_RNG_MAX_TASK)
        return ts_err_set(err, TS_EINVAL, "task index %llu exceeds the stream limit %llu",
                          (unsigned long long)task, (unsigned long long)TS_RNG_MAX_TASK);
    if (replicate > TS_RNG_MAX_REPLICATE)
        return ts_err_set(err, TS_EINVAL, "replicate %llu exceeds the stream limit %llu",
                          (unsigned long long)replicate,
                          (unsigned long long)TS_RNG_MAX_REPLICATE);
    if (purpose > TS_RNG_MAX_PURPOSE)
        return ts_err_set(err, TS_EINVAL, "stream purpose %u exceeds %llu", purpose,
                          (unsigned long long)TS_RNG_MAX_PURPOSE);
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)(seed >> 32);
    r->ctr3 = (uint32_t)task;
    r->ctr2 = (uint32_t)(replicate << 8) | purpose;
    seed_lanes(r, 0);
    return TS_OK;
}

ts_status ts_rng_substream(ts_rng *out, const ts_rng *parent, uint64_t k, ts_err *err)
{
    /* substream 0 is the parent stream itself, so substreams count from 1 */
    if (k >= TS_RNG_MAX_SUBSTREAM)
        return ts_err_set(err, TS_EINVAL, "substream %llu exceeds the stream limit %llu",
                          (unsigned long long)k, (unsigned long long)(TS_RNG_MAX_SUBSTREAM - 1));
    out->key[0] = parent->key[0];
    out->key[1] = parent->key[1];
    out->ctr2 = parent->ctr2;
    out->ctr3 = parent->ctr3;
    seed_lanes(out, (uint32_t)(k + 1));
    return TS_OK;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* One xoshiro256++ step of every lane; lane outputs go to out[0..LANES). The
 * state lives in locals so the compiler keeps it in registers. */
static inline void xoshiro_step_lanes(uint64_t s[4][TS_RNG_LANES], uint64_t *out)
{
#pragma omp simd
    for (unsigned l = 0; l < TS_RNG_LANES; l++) {
        uint64_t s0 = s[0][l], s1 = s[1][l], s2 = s[2][l], s3 = s[3][l];
        out[l] = rotl(s0 + s3, 23) + s0;
        uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 45);
        s[0][l] = s0; s[1][l] = s1; s[2][l] = s2; s[3][l] = s3;
    }
}

uint64_t ts_rng_next_u64(ts_rng *r)
{
    if (r->next == TS_RNG_LANES) {
        xoshiro_step_lanes(r->s, r->buf);
        r->next = 0;
    }
    return r->buf[r->next++];
}

double ts_rng_uniform(ts_rng *r) { return ts_bits_to_open01(ts_rng_next_u64(r) >> 12); }

void ts_rng_uniform_block(ts_rng *r, size_t n, double *out)
{
    size_t i = 0;
    while (i < n && r->next < TS_RNG_LANES)      /* what the last round left */
        out[i++] = ts_bits_to_open01(r->buf[r->next++] >> 12);
    uint64_t s[4][TS_RNG_LANES], raw[TS_RNG_LANES];
    for (unsigned j = 0; j < 4; j++)
        for (unsigned l = 0; l < TS_RNG_LANES; l++) s[j][l] = r->s[j][l];
    for (; n - i >= TS_RNG_LANES; i += TS_RNG_LANES) {
        xoshiro_step_lanes(s, raw);
#pragma omp simd
        for (unsigned l = 0; l < TS_RNG_LANES; l++)
            out[i + l] = ts_bits_to_open01(raw[l] >> 12);
    }
    for (unsigned j = 0; j < 4; j++)
        for (unsigned l = 0; l < TS_RNG_LANES; l++) r->s[j][l] = s[j][l];
    while (i < n)
        out[i++] = ts_rng_uniform(r);
}
