/* ts_sde_implicit.c: the implicit step's solvers from any right-hand side:
 * the double well's monotone cubic and a polynomial's monotone equation.
 * The chains call them only for the lanes the fast paths of
 * ts_sde_internal.h do not cover (after large jumps). */
#include <math.h>

#include "tailsweep/ts_vmath.h"
#include "ts_sde_internal.h"

/* Solve eta w^3 + c w = r (c = 1 - eta a > 0).
 * g(w) = eta w^3 + c w - |r| is increasing and convex for w > 0, so Newton
 * started above the root decreases monotonically onto it. The start
 * min(|r| / c, (|r| / eta)^(1/3)) bounds the root from above within a factor
 * 1.5 (t^3 + t = 1 at the crossover gives t = 0.68); a cube root computed a
 * little low only makes the first step overshoot to above the root. The
 * iteration stops when the step is below 2^-50 |w|: three iterations for
 * typical steps, up to ~8 after a heavy-tailed jump. tests/unit/test_sde.c
 * checks the residual over 330 orders of magnitude of r. */
double ts_sde_implicit_cubic(double r, double eta, double a)
{
    const double c = 1 - eta * a, ar = fabs(r);
    double w = ar / c;
    if (eta * w * w > 1) {
        double w2 = ts_vexp(ts_vlog(ar / eta) * (1.0 / 3.0));
        if (w2 < w) w = w2;
    }
    for (int it = 0; it < 12; it++) {
        double w2s = w * w;
        double d = (fma(eta * w2s, w, c * w) - ar) / fma(3 * eta, w2s, c);
        w -= d;
        if (!(fabs(d) > 0x1p-50 * fabs(w))) break;
    }
    return copysign(w, r);
}

double ts_sde_implicit_cubic_fast(double r, double eta, double a)
{
    const double c = 1 - eta * a;
    double s, w = ts_implicit_cubic_halley(r, eta, c, 1 / c, eta / c, &s);
    return s <= TS_IMPLICIT_FAST_S ? w : ts_sde_implicit_cubic(r, eta, a);
}

/* G(w) = w + eta f'(w) - r is increasing (G' = 1 + eta f'' > 0) and runs from
 * -inf to +inf (f' has odd degree and a positive leading coefficient).
 * A bracket [lo, hi] with G(lo) < 0 < G(hi) is found by doubling steps
 * away from r, then Newton steps that stay inside it, bisection otherwise. */
double ts_sde_implicit_poly(const ts_potential *p, double r, double eta)
{
    int ok;
    double w = ts_implicit_poly_newton(p, r, eta, &ok);
    if (ok) return w;
    if (!isfinite(r)) return NAN;
#define G(x) ((x) + eta * ts_horner(p->dcoef, p->deg - 1, (x)) - r)
    double g0 = G(r);
    if (g0 == 0) return r;
    double lo = r, hi = r, step = 1 + fabs(r) * 1e-3;
    if (g0 > 0) {
        for (lo = r - step; G(lo) > 0; step *= 2) lo = r - 2 * step;
    } else {
        for (hi = r + step; G(hi) < 0; step *= 2) hi = r + 2 * step;
    }
    w = 0.5 * (lo + hi);
    for (int it = 0; it < 400; it++) {
        double g = G(w), gp = 1 + eta * ts_horner(p->d2coef, p->deg - 2, w);
        if (g == 0) break;
        if (g < 0) lo = w; else hi = w;
        double wn = w - g / gp;
        if (!(wn > lo && wn < hi)) wn = 0.5 * (lo + hi);
        if (fabs(wn - w) <= 0x1p-52 * fabs(wn) || wn == lo || wn == hi) {
            w = wn;
            break;
        }
        w = wn;
    }
#undef G
    return w;
}
