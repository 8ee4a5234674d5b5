/* ts_rng_normal.c: standard normal draws in blocks, for noise injections,
 * Noisy-SGD and synthetic Gaussian data.
 *
 * Box-Muller on pairs of uniforms from the stream: (u1, u2) ->
 * sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2). It is exact (no rejection), so a
 * block of n draws always consumes 2 ceil(n/2) uniforms and the numbers are a
 * pure function of the stream identity: the same on every rank, and scalar
 * and SIMD builds agree bit for bit (ts_vmath.h's log and sincos are
 * bit-identical in both). u1 lies in (0, 1), so ln u1 is finite and the
 * largest draw is sqrt(2 * 53 ln 2) = 8.57: a hard bound the tails respect,
 * at a probability (1e-17) no experiment here can see. */
#include <math.h>
#include <stdlib.h>

#include "tailsweep/ts_rng.h"
#include "tailsweep/ts_vmath.h"

#define TS_TWO_PI 6.283185307179586476925286766559

/* Pairs block: uniforms u[0..2m) -> normals z[0..2m) in place. */
static void box_muller(double *u, size_t m)
{
#pragma omp simd
    for (size_t k = 0; k < m; k++) {
        double r = sqrt(-2.0 * ts_vlog_normal(u[2 * k]));
        double s, c;
        /* 2 pi u2 - pi lies in (-pi, pi): keeps the sincos argument small. */
        ts_vsincos(fma(TS_TWO_PI, u[2 * k + 1], -3.141592653589793), &s, &c);
        u[2 * k] = -r * c;       /* cos(t - pi) = -cos t, and t is uniform too */
        u[2 * k + 1] = -r * s;
    }
}

enum { CHUNK = 512 };   /* even; small enough to stay in L1 */

/* The draws in chunks, written as double (outd) or rounded to float (outf). */
static void normal_chunks(ts_rng *r, size_t n, double *outd, float *outf)
{
    double buf[CHUNK];
    while (n > 0) {
        size_t take = n < CHUNK ? n : CHUNK;
        size_t even = (take + 1) & ~(size_t)1;
        ts_rng_uniform_block(r, even, buf);
        box_muller(buf, even / 2);
        if (outd) {
            for (size_t i = 0; i < take; i++) outd[i] = buf[i];
            outd += take;
        } else {
            for (size_t i = 0; i < take; i++) outf[i] = (float)buf[i];
            outf += take;
        }
        n -= take;
    }
}

void ts_rng_normal_block(ts_rng *r, size_t n, double *out)
{
    normal_chunks(r, n, out, NULL);
}

void ts_rng_normal_block_f(ts_rng *r, size_t n, float *out)
{
    normal_chunks(r, n, NULL, out);
}
