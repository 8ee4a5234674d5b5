/* ts_vmath.h: log, exp and sin/cos written so that a loop calling them under
 * `#pragma omp simd` vectorises, and so that scalar and vector calls give the
 * same bits.
 *
 * The log reads a 128-entry table (two gathers in a vector loop): on the
 * machines measured a gather costs about half a division, and the table form
 * needs no division (docs/benchmarks.md).
 *
 * Why not libm or libmvec: libm's scalar calls block vectorisation, and
 * libmvec's vector variants round differently from libm and from each other
 * (SSE, AVX2 and AVX-512 variants are different algorithms). Then a draw would
 * depend on the block length and on the node's instruction set. These kernels
 * use only IEEE-exact operations (+ - * / and fma) and exact table reads with
 * -ffp-contract=off, so one input gives one output on every x86-64 node, in or
 * out of a SIMD lane.
 *
 * Accuracy (tests/unit/test_vmath.c measures it against libm):
 *   ts_vlog  all positive doubles incl. subnormals; 0 -> -inf, inf -> inf
 *   ts_vlog_normal, ts_vlog_fast  positive normal doubles (the latter 2 ulp)
 *   ts_vexp  all doubles; overflow -> inf, underflow -> 0 (subnormals kept)
 *   ts_vsincos  |x| <= 1e5 (Cody-Waite reduction); callers here need |x| < 5
 *   ts_vsincospi  sin(pi t), cos(pi t) for |t| <= 1/2
 * all within 2 ulp (the log within 1). The exp and the log's log1p use
 * truncated Taylor series, whose coefficients are exact rationals; sin/cos use
 * minimax polynomials and the log a table, both written by committed scripts
 * (scripts/gen_vmath_poly.py, scripts/gen_vlog_table.py) whose --check modes
 * tests/run.sh runs, so no transcribed constant goes unchecked. */
#ifndef TS_VMATH_H
#define TS_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t ts_as_u64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double ts_as_f64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* exponent field minus the bias (-1023..1024) of a non-negative double, as a
 * double, without an int64 -> double conversion (which AVX2 lacks): one
 * subtraction of 2^52 + 1023, exact since both operands are integers < 2^53. */
static inline double ts_exponent_unbiased(uint64_t bits)
{
    return ts_as_f64((bits >> 52) | UINT64_C(0x4330000000000000)) - (0x1p52 + 1023.0);
}

#define TS_LN2_HI 0x1.62e42fefa3800p-1 /* ln 2 to 42 bits, a multiple of 2^-42: k * LN2_HI is exact */
#define TS_LN2_LO 0x1.ef35793c76730p-45

/* The log's table (src/core/ts_vlog_table.c, written and documented by
 * scripts/gen_vlog_table.py): x = 2^k z with z in [OFF, 2 OFF), OFF about
 * 0.69, and the top TS_VLOG_BITS bits of z - OFF pick subinterval i, which
 * has invc ~ 1/(its center) and logc, a multiple of 2^-42 within 2^-8 ulp of
 * -log(invc). The subinterval around 1.0 has invc = 1, logc = 0 exactly. */
#define TS_VLOG_BITS 7
#define TS_VLOG_N (1 << TS_VLOG_BITS)
#define TS_VLOG_OFF UINT64_C(0x3FE6100000000000)
extern const double ts_vlog_invc[TS_VLOG_N];
extern const double ts_vlog_logc[TS_VLOG_N];

/* Natural log of a positive normal double (the hot path: no special cases,
 * no division). log x = k ln2 + logc + log1p(r), r = z invc - 1 by one fma,
 * |r| < 2^-8 (the generator checks it). log1p(r) = r + r^2 P(r), P its Taylor
 * series to r^5/7: the truncation, r^8/8, is below 2^-59 relative.
 * t = k ln2_hi + logc is exact (both are multiples of 2^-42 and |t| < 2^10),
 * and t + r is split into hi + e exactly (Fast2Sum: |t| > |r| unless t = 0),
 * so only the last addition rounds a full-size result. Error: that rounding
 * (0.5 ulp) plus the fma's rounding of r, at most 0.5 ulp and then only where
 * |log x| is near 2^-9 (next to the invc = 1 subinterval, where r is exact),
 * plus a few 2^-10 ulp: under 1 ulp of the true value in all. Any input, even
 * inf, NaN or negative, reads inside the table: the index is masked. */
static inline double ts_vlog_normal(double x)
{
    uint64_t ix = ts_as_u64(x) + (UINT64_C(0x3FF0000000000000) - TS_VLOG_OFF);
    double k = ts_exponent_unbiased(ix);
    uint64_t i = (ix >> (52 - TS_VLOG_BITS)) & (TS_VLOG_N - 1);
    double z = ts_as_f64((ix & UINT64_C(0x000FFFFFFFFFFFFF)) + TS_VLOG_OFF);
    double r = fma(z, ts_vlog_invc[i], -1.0);
    double t = fma(k, TS_LN2_HI, ts_vlog_logc[i]);  /* exact */
    double hi = t + r, e = (t - hi) + r;            /* Fast2Sum */
    double p = 1.0 / 7;
    p = fma(p, r, -1.0 / 6); p = fma(p, r, 1.0 / 5); p = fma(p, r, -1.0 / 4);
    p = fma(p, r, 1.0 / 3);  p = fma(p, r, -0.5);
    double lo = fma(k, TS_LN2_LO, e);
    lo = fma(r * r, p, lo);
    return hi + lo;
}

/* ts_vlog_normal's cheaper sibling for the samplers, whose log arguments are
 * products that carry a few ulps of rounding already: no compensated sum,
 * and k ln2 by one fma with ln2 rounded to double. Error below 2 ulp of the
 * true value: ln2's rounding (at most 0.42 ulp, where k = +-1), the rounding
 * of t (exact when k = 0; up to 1 ulp of the result when t and the result
 * straddle a power of 2), the final rounding, and where k = 0 the fma's
 * rounding of r (which then replaces t's). Measured: 1.3 ulp. Within 2 ulp of
 * glibc, as the two differ by a whole number of ulps below 2.5. Three
 * operations fewer than ts_vlog_normal. Same domain: positive normal doubles. */
static inline double ts_vlog_fast(double x)
{
    uint64_t ix = ts_as_u64(x) + (UINT64_C(0x3FF0000000000000) - TS_VLOG_OFF);
    double k = ts_exponent_unbiased(ix);
    uint64_t i = (ix >> (52 - TS_VLOG_BITS)) & (TS_VLOG_N - 1);
    double z = ts_as_f64((ix & UINT64_C(0x000FFFFFFFFFFFFF)) + TS_VLOG_OFF);
    double r = fma(z, ts_vlog_invc[i], -1.0);
    double t = fma(k, 0x1.62e42fefa39efp-1, ts_vlog_logc[i]);   /* k ln2 + logc */
    double p = 1.0 / 7;
    p = fma(p, r, -1.0 / 6); p = fma(p, r, 1.0 / 5); p = fma(p, r, -1.0 / 4);
    p = fma(p, r, 1.0 / 3);  p = fma(p, r, -0.5);
    return t + fma(r * r, p, r);
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

/* sin r = r - r^3 PS(r^2) and cos r = 1 - r^2/2 + r^4 PC(r^2) for |r| <= pi/4
 * (+ 2^-20 relative): PS, PC of degree 5, minimax for the weighted errors
 * (fdlibm's degrees), approximation error below 2^-57 relative (sin) and
 * absolute (cos). Written by scripts/gen_vmath_poly.py (Lawson's algorithm in
 * mpmath); its --check bounds these literals' error in tests/run.sh. */
#define TS_SINP0 0x1.5555555555549p-3
#define TS_SINP1 -0x1.111111110f880p-7
#define TS_SINP2 0x1.a01a019c12677p-13
#define TS_SINP3 -0x1.71de35787176fp-19
#define TS_SINP4 0x1.ae5e66d2bb279p-26
#define TS_SINP5 -0x1.5d932eaea0675p-33
#define TS_COSP0 0x1.555555555554cp-5
#define TS_COSP1 -0x1.6c16c16c15184p-10
#define TS_COSP2 0x1.a01a019cb26a1p-16
#define TS_COSP3 -0x1.27e4f80a730e0p-22
#define TS_COSP4 0x1.1ee9ec4595c88p-29
#define TS_COSP5 -0x1.8faece24908b4p-37

static inline void ts_vsincos_core(double r, double *s, double *c)
{
    double z = r * r;
    double ps = TS_SINP5;
    ps = fma(ps, z, TS_SINP4); ps = fma(ps, z, TS_SINP3); ps = fma(ps, z, TS_SINP2);
    ps = fma(ps, z, TS_SINP1); ps = fma(ps, z, TS_SINP0);
    *s = fma(-r * z, ps, r);  /* r - r^3/6 + ... : ps holds ~ +1/6 - z/120 + ... */
    double pc = TS_COSP5;
    pc = fma(pc, z, TS_COSP4); pc = fma(pc, z, TS_COSP3); pc = fma(pc, z, TS_COSP2);
    pc = fma(pc, z, TS_COSP1); pc = fma(pc, z, TS_COSP0);
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

/* sin(pi t) and cos(pi t) together, for |t| <= 1/2 (the samplers' angles
 * pi (u - 1/2)). The reduction is exact in t: for |t| > 1/4, 1/2 - |t| is
 * exact (Sterbenz) and sin/cos swap, so only r = pi y rounds; no quadrant
 * arithmetic, and cos(pi t) keeps its relative accuracy as t -> +-1/2
 * (cos(pi/2) is exactly 0), which a rounded argument pi t would lose.
 * 0x1.1a62633145c07p-53 is pi - M_PI (= 2 TS_PIO2_LO). */
static inline void ts_vsincospi(double t, double *sinx, double *cosx)
{
    double a = fabs(t);
    int big = a > 0.25;
    double y = big ? 0.5 - a : a;
    double s, c;
    /* pi y to one rounding: M_PI alone is off pi by 0.35 ulp */
    ts_vsincos_core(fma(M_PI, y, 0x1.1a62633145c07p-53 * y), &s, &c);
    double so = big ? c : s;
    *cosx = big ? s : c;
    *sinx = copysign(so, t);
}

#endif
