/* ts_sde_internal.h: inline pieces shared by the SDE module's files: the
 * potentials' f and f' specialised by kind (the chain kernels inline them
 * with a constant kind), and the implicit step's solvers.
 *
 * Every function here uses only +, -, *, / and fma (the build has
 * -ffp-contract=off), so a SIMD lane computes exactly what scalar code does
 * (docs/rng.md), and each lane's result depends on its own input alone. */
#ifndef TS_SDE_INTERNAL_H
#define TS_SDE_INTERNAL_H

#include <math.h>

#include "tailsweep/ts_sde.h"

#define TS_INLINE static inline __attribute__((always_inline))

TS_INLINE double ts_horner(const double *c, unsigned deg, double w)
{
    double v = c[deg];
    for (unsigned i = deg; i-- > 0;) v = v * w + c[i];
    return v;
}

TS_INLINE double ts_pot_f(int kind, const ts_potential *p, double w)
{
    if (kind == TS_POT_HARMONIC) return 0.5 * p->k * w * w;
    if (kind == TS_POT_POLY) return ts_horner(p->coef, p->deg, w);
    double w2 = w * w;
    return 0.25 * w2 * w2 - 0.5 * p->a * w2 + p->c * w;
}

TS_INLINE double ts_pot_grad(int kind, const ts_potential *p, double w)
{
    if (kind == TS_POT_HARMONIC) return p->k * w;
    if (kind == TS_POT_POLY) return ts_horner(p->dcoef, p->deg - 1, w);
    return w * w * w - p->a * w + p->c;
}

/* ---- the implicit step of the double well: eta w^3 + c w = r, c = 1 - eta a > 0.
 *
 * Scaled, w = q u with q = r / c and s = eta q^2 / c, it is s u^3 + u = 1,
 * whose root is the series u = 1 - s + 3 s^2 - 12 s^3 + 55 s^4 - ...
 * (radius 4/27). The fast path starts from the four terms shown, error
 * 55 s^4, and takes one Halley step, which cubes the error times ~s:
 * ~1.7e5 s^13, i.e. below 1e-19 at s = 1/64 and 6e-15 relative at the
 * bound s = 1/32 (measured in tests/unit/test_sde.c against the iteration).
 * At eta = 1e-3 that covers |r| < 5.6 (the quartic's chains are there but
 * for a few per mille of steps after jumps); beyond, the lane takes the
 * monotone Newton iteration of ts_sde_implicit_cubic. One division a step
 * either way on the fast path, against ~3.5 for the iteration. */
#define TS_IMPLICIT_FAST_S (1.0 / 32)

TS_INLINE double ts_implicit_cubic_halley(double r, double eta, double c, double inv_c, double eta_c, double *s_out)
{
    double q = r * inv_c, s = eta_c * (q * q);
    double u = 1 - s * (1 - s * (3 - s * (12 - 55 * s)));
    double w = q * u, w2 = w * w;
    double g = fma(eta * w2, w, c * w) - r;
    double gp = fma(3 * eta, w2, c), gpp = 6 * eta * w;
    *s_out = s;
    return w - 2 * g * gp / (2 * gp * gp - g * gpp);
}

/* ---- the implicit step of a polynomial potential: w + eta f'(w) = r,
 * 1 + eta f'' > 0. Newton from w = r: the first step's error is
 * ~eta^2 f' f'' (1e-6 at eta = 1e-3), the next ones square it times
 * ~eta f'''/2, so three steps reach rounding while eta |f'| stays moderate;
 * a lane whose third correction is not below 2^-40 |w| takes the bracketed
 * iteration of ts_sde_implicit_poly. */
TS_INLINE double ts_implicit_poly_newton(const ts_potential *p, double r, double eta, int *ok)
{
    double w = r, d = 0;
    for (int it = 0; it < 3; it++) {
        double g = w + eta * ts_horner(p->dcoef, p->deg - 1, w) - r;
        double gp = 1 + eta * ts_horner(p->d2coef, p->deg - 2, w);
        d = g / gp;
        w = w - d;
    }
    *ok = fabs(d) <= 0x1p-40 * fabs(w) + 0x1p-1000 && isfinite(w);
    return w;
}

/* The same for eight lanes, written with the coefficient loops outside the
 * lane loops so that it vectorises; the same operations in the same order,
 * so the bits are ts_implicit_poly_newton's (tests/simd/simd_bits.c). */
TS_INLINE void ts_implicit_poly_newton8(const ts_potential *p, const double *r, double eta, double *w, double *ok)
{
    const unsigned d1 = p->deg - 1, d2 = p->deg - 2;
    double d[8];
    for (int j = 0; j < 8; j++) w[j] = r[j];
    for (int it = 0; it < 3; it++) {
        double g[8], gp[8];
        for (int j = 0; j < 8; j++) {
            g[j] = p->dcoef[d1];
            gp[j] = p->d2coef[d2];
        }
        for (unsigned i = d1; i-- > 0;)
#pragma omp simd
            for (int j = 0; j < 8; j++) g[j] = g[j] * w[j] + p->dcoef[i];
        for (unsigned i = d2; i-- > 0;)
#pragma omp simd
            for (int j = 0; j < 8; j++) gp[j] = gp[j] * w[j] + p->d2coef[i];
#pragma omp simd
        for (int j = 0; j < 8; j++) {
            d[j] = (w[j] + eta * g[j] - r[j]) / (1 + eta * gp[j]);
            w[j] = w[j] - d[j];
        }
    }
#pragma omp simd
    for (int j = 0; j < 8; j++) ok[j] = fabs(d[j]) <= 0x1p-40 * fabs(w[j]) + 0x1p-1000 && isfinite(w[j]) ? 1.0 : 0.0;
}

#endif
