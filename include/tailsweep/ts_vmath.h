/* ts_vmath.h: log, exp and sin/cos written so that a loop calling them under
 * `#pragma omp simd` vectorises, and so that scalar and vector calls give the
 * same bits.
 *
 * Why not libm or libmvec: libm's scalar calls block vectorisation, and
 * libmvec's vector variants round differently from libm and from each other
 * (SSE, AVX2 and AVX-512 variants are different algorithms). Then a draw would
 * depend on the block length and on the node's instruction set. These kernels
 * use only IEEE-exact operations (+ - * / and fma) with -ffp-contract=off, so
 * one input gives one output on every x86-64 node, in or out of a SIMD lane.
 *
 * Accuracy (tests/unit/test_vmath.c measures it against libm):
 *   ts_vlog  all positive doubles incl. subnormals; 0 -> -inf, inf -> inf
 *   ts_vexp  all doubles; overflow -> inf, underflow -> 0 (subnormals kept)
 *   ts_vsin, ts_vcos  |x| <= 1e5 (Cody-Waite reduction); callers here need |x| < 5
 * all within 2 ulp. Polynomials are truncated Taylor series, whose coefficients
 * are exact rationals, so there are no transcribed minimax tables to get wrong. */
#ifndef TS_VMATH_H
#define TS_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t ts_as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double ts_as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* exponent field (0..2047) of a non-negative double, as a double, without an
 * int64 -> double conversion (which AVX2 lacks). */
static inline double ts_exponent_field(uint64_t bits)
{
    return ts_as_f64((bits >> 52) | UINT64_C(0x4330000000000000)) - 0x1p52;
}

#define TS_LN2_HI 0x1.62e42fefa3800p-1 /* ln 2 to 43 bits: k * LN2_HI is exact */
#define TS_LN2_LO 0x1.ef35793c76730p-45

/* Natural log of a positive normal double (the hot path: no special cases).
 * x = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), s = f/(2+f),
 * log(1+f) = 2 atanh(s) = f - (f^2/2 - s (f^2/2 + R)), R = 2 s^2 (1/3 + s^2/5 + ...)
 * (fdlibm's arrangement: f is exact, the rest is a small correction). The
 * series stops at s^18/19: with s^2 <= 0.0295 the truncation is below 0.15 ulp. */
static inline double ts_vlog_normal(double x)
{
    uint64_t ix = ts_as_u64(x) + (UINT64_C(0x3FF0000000000000) - UINT64_C(0x3FE6A09E00000000));
    double k = ts_exponent_field(ix) - 1023.0;
    double m = ts_as_f64((ix & UINT64_C(0x000FFFFFFFFFFFFF)) + UINT64_C(0x3FE6A09E00000000));
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s;
    double p = 1.0 / 19;
    p = fma(p, z, 1.0 / 17); p = fma(p, z, 1.0 / 15); p = fma(p, z, 1.0 / 13);
    p = fma(p, z, 1.0 / 11); p = fma(p, z, 1.0 / 9);  p = fma(p, z, 1.0 / 7);
    p = fma(p, z, 1.0 / 5);  p = fma(p, z, 1.0 / 3);
    double R = 2.0 * z * p;
    double hfsq = 0.5 * f * f;
    double lo = fma(s, hfsq + R, k * TS_LN2_LO);
    return fma(k, TS_LN2_HI, -((hfsq - lo) - f));
}

/* Natural log of any double: subnormals rescaled, log 0 = -inf, log inf = inf,
 * log of a negative or NaN = NaN. Same bits as ts_vlog_normal where both apply. */
static inline double ts_vlog(double x)
{
    int tiny = x < 0x1p-1022;
    double out = ts_vlog_normal(tiny ? x * 0x1p54 : x) - (tiny ? 54.0 * TS_LN2_HI : 0.0)
                 - (tiny ? 54.0 * TS_LN2_LO : 0.0);
    out = (x == 0.0) ? -INFINITY : out;
    out = (x == INFINITY) ? INFINITY : out;
    out = (x < 0.0 || x != x) ? NAN : out;
    return out;
}

/* exp. x = k ln2 + r, |r| <= ln2/2, e^r by Taylor to r^13 (truncation < 5e-18
 * relative); 2^k applied in two halves so results that land in the subnormal
 * range, and overflow to inf, come out right without a branch. */
static inline double ts_vexp(double x)
{
    double xc = x > 800.0 ? 800.0 : (x < -800.0 ? -800.0 : x);  /* NaN passes through */
    double t = fma(xc, 0x1.71547652b82fep0, 0x1.8p52);         /* round(x / ln2) */
    uint64_t kbits = ts_as_u64(t);
    double kd = t - 0x1.8p52;
    double r = fma(-kd, TS_LN2_HI, xc);
    r = fma(-kd, TS_LN2_LO, r);
    double p = 1.0 / 6227020800.0;                              /* 1/13! */
    p = fma(p, r, 1.0 / 479001600.0); p = fma(p, r, 1.0 / 39916800.0);
    p = fma(p, r, 1.0 / 3628800.0);   p = fma(p, r, 1.0 / 362880.0);
    p = fma(p, r, 1.0 / 40320.0);     p = fma(p, r, 1.0 / 5040.0);
    p = fma(p, r, 1.0 / 720.0);       p = fma(p, r, 1.0 / 120.0);
    p = fma(p, r, 1.0 / 24.0);        p = fma(p, r, 1.0 / 6.0);
    p = fma(p, r, 0.5);               p = fma(p, r, 1.0);
    p = fma(p, r, 1.0);
    /* t = 1.5 2^52 + k, so t's 52-bit mantissa field holds 2^51 + k */
    int64_t k = (int64_t)(kbits & UINT64_C(0xFFFFFFFFFFFFF)) - INT64_C(0x8000000000000);
    int64_t k1 = k / 2, k2 = k - k1;
    double s1 = ts_as_f64((uint64_t)(k1 + 1023) << 52);
    double s2 = ts_as_f64((uint64_t)(k2 + 1023) << 52);
    return (p * s1) * s2;
}

#define TS_PIO2_HI 0x1.921fb54442d18p+0  /* pi/2 = HI + LO to ~1e-33 */
#define TS_PIO2_LO 0x1.1a62633145c07p-54

/* sin and cos of r for |r| <= pi/4 + tiny: Taylor to r^17 and r^16. */
static inline void ts_vsincos_core(double r, double *s, double *c)
{
    double z = r * r;
    double ps = -1.0 / 355687428096000.0;                       /* -1/17! */
    ps = fma(ps, z, 1.0 / 1307674368000.0); ps = fma(ps, z, -1.0 / 6227020800.0);
    ps = fma(ps, z, 1.0 / 39916800.0);      ps = fma(ps, z, -1.0 / 362880.0);
    ps = fma(ps, z, 1.0 / 5040.0);          ps = fma(ps, z, -1.0 / 120.0);
    ps = fma(ps, z, 1.0 / 6.0);
    *s = fma(-r * z, ps, r);  /* r - r^3/6 + ... : ps holds +1/6 - z/120 + ... */
    double pc = 1.0 / 20922789888000.0;                          /* 1/16! */
    pc = fma(pc, z, -1.0 / 87178291200.0); pc = fma(pc, z, 1.0 / 479001600.0);
    pc = fma(pc, z, -1.0 / 3628800.0);     pc = fma(pc, z, 1.0 / 40320.0);
    pc = fma(pc, z, -1.0 / 720.0);         pc = fma(pc, z, 1.0 / 24.0);
    double hz = 0.5 * z;
    double w = 1.0 - hz;                   /* fdlibm: recover what 1 - hz lost */
    *c = w + (((1.0 - w) - hz) + z * z * pc);
}

/* sin(x) and cos(x) together, for |x| <= 1e5. */
static inline void ts_vsincos(double x, double *sinx, double *cosx)
{
    double t = fma(x, 0x1.45f306dc9c883p-1, 0x1.8p52);          /* round(x 2/pi) */
    uint64_t q = ts_as_u64(t);
    double kd = t - 0x1.8p52;
    double r = fma(-kd, TS_PIO2_HI, x);
    r = fma(-kd, TS_PIO2_LO, r);
    double s, c;
    ts_vsincos_core(r, &s, &c);
    double so = (q & 1) ? c : s;
    double co = (q & 1) ? s : c;
    *sinx = ts_as_f64(ts_as_u64(so) ^ ((q & 2) << 62));
    *cosx = ts_as_f64(ts_as_u64(co) ^ (((q + 1) & 2) << 62));
}

#endif
