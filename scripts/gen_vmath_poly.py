#!/usr/bin/python3
"""scripts/gen_vmath_poly.py: the sin and cos polynomial coefficients of
include/tailsweep/ts_vmath.h (ts_vsincos_core), and their check.

    /usr/bin/python3 scripts/gen_vmath_poly.py           # print the #defines
    /usr/bin/python3 scripts/gen_vmath_poly.py --check   # header vs this script

ts_vsincos_core evaluates, for |r| <= pi/4 (plus the reduction's slack) and
z = r^2,
    sin r = r - r^3 PS(z),   PS(z) ~ (r - sin r) / r^3 = 1/6 - z/120 + ...
    cos r = 1 - z/2 + z^2 PC(z),   PC(z) ~ (cos r - 1 + z/2) / z^2 = 1/24 - ...
with PS and PC of degree 5 in z: minimax polynomials (for the errors that
matter: r^2 |PS - exact|, relative to sin r, and z^2 |PC - exact|) found by
Lawson's algorithm in mpmath at 200 bits, then rounded to double; the same
degrees as fdlibm's __kernel_sin/__kernel_cos, whose published coefficients
these reproduce to ~5 digits (the intervals differ slightly). Degree 5
replaces the Taylor series' degrees 7 and 6 (to r^17 and r^16): three
multiply-adds fewer per sincos. The fit takes ~30 s.

--check bounds the error of the header's TS_SINP* / TS_COSP* polynomials
(double coefficients, evaluated exactly) on a grid of 2000 z: both weighted
errors must stay below 2^-57, 1/16 of the 2^-53 of one rounding.
"""
import re
import sys
from pathlib import Path

import mpmath

mpmath.mp.prec = 200
DEG = 5
# |r| <= pi/4 after reduction, plus the slack of rounding kd and of x near
# the reduction's limit 1e5: 2^-20 relative is far more than either.
ZMAX = (mpmath.pi / 4 * (1 + mpmath.mpf(2) ** -20)) ** 2
HEADER = Path(__file__).resolve().parent.parent / "include/tailsweep/ts_vmath.h"
BOUND = mpmath.mpf(2) ** -57


def ps_exact(z):
    r = mpmath.sqrt(z)
    return (r - mpmath.sin(r)) / r ** 3


def pc_exact(z):
    return (mpmath.cos(mpmath.sqrt(z)) - 1 + z / 2) / z ** 2


def fit(f, weight):
    """Degree-DEG polynomial minimising max weight(z) |poly(z) - f(z)| over z
    in [0, ZMAX], by Lawson's iteratively reweighted least squares on 300
    Chebyshev points (it converges to the minimax polynomial on the points),
    as doubles from the constant term up."""
    npts = 300
    zs = [ZMAX * (1 - mpmath.cos(mpmath.pi * (j + mpmath.mpf(1) / 2) / npts)) / 2
          for j in range(npts)]
    fs, ws = [f(z) for z in zs], [weight(z) for z in zs]
    lam = [mpmath.mpf(1) / npts] * npts
    for _ in range(60):
        a = mpmath.matrix(DEG + 1, DEG + 1)
        b = mpmath.matrix(DEG + 1, 1)
        for z, fz, wz, lz in zip(zs, fs, ws, lam):
            pw = [z ** k for k in range(DEG + 1)]
            for i in range(DEG + 1):
                b[i] += lz * wz * wz * pw[i] * fz
                for j in range(DEG + 1):
                    a[i, j] += lz * wz * wz * pw[i] * pw[j]
        c = mpmath.lu_solve(a, b)
        errs = [wz * abs(sum(c[k] * z ** k for k in range(DEG + 1)) - fz)
                for z, fz, wz in zip(zs, fs, ws)]
        total = sum(lz * e for lz, e in zip(lam, errs))
        lam = [lz * e / total for lz, e in zip(lam, errs)]
    return [float(c[k]) for k in range(DEG + 1)]


def horner(c, z):
    acc = mpmath.mpf(c[-1])
    for a in reversed(c[:-1]):
        acc = acc * z + mpmath.mpf(a)
    return acc


def worst_error(c, exact, weight):
    """max over a grid of z in (0, ZMAX] of weight(z) |poly(z) - exact(z)|."""
    worst = mpmath.mpf(0)
    for j in range(1, 2001):
        z = ZMAX * j / 2000
        worst = max(worst, weight(z) * abs(horner(c, z) - exact(z)))
    return worst


def defines(ps, pc):
    lines = [f"#define TS_SINP{j} {c.hex()}" for j, c in enumerate(ps)]
    lines += [f"#define TS_COSP{j} {c.hex()}" for j, c in enumerate(pc)]
    return lines


def header_coeffs():
    """(ps, pc) as the header has them, or None if a literal is missing."""
    text = HEADER.read_text()
    out = []
    for prefix in ("TS_SINP", "TS_COSP"):
        vals = []
        for j in range(DEG + 1):
            m = re.search(rf"#define {prefix}{j} (\S+)", text)
            if not m:
                return None
            vals.append(float.fromhex(m.group(1)))
        out.append(vals)
    return out


def main():
    if "--check" not in sys.argv[1:]:
        ps, pc = fit(ps_exact, lambda z: z), fit(pc_exact, lambda z: z * z)
        print("\n".join(defines(ps, pc)))
        es = worst_error(ps, ps_exact, lambda z: z)
        ec = worst_error(pc, pc_exact, lambda z: z * z)
        print(f"/* approximation error: sin {float(es):.3g} relative, cos {float(ec):.3g} */")
        return 0
    # --check: the header's coefficients, whatever produced them, must meet
    # the bounds on a fine grid of z (fast: no fitting).
    coeffs = header_coeffs()
    if coeffs is None:
        print(f"FAIL: vmath_poly: {HEADER.name} lacks a TS_SINP/TS_COSP literal")
        return 1
    es = worst_error(coeffs[0], ps_exact, lambda z: z)
    ec = worst_error(coeffs[1], pc_exact, lambda z: z * z)
    ok = True
    for name, err in (("sin", es), ("cos", ec)):
        if err >= BOUND:
            print(f"FAIL: vmath_poly: {name} approximation error {float(err):.3g} >= 2^-57")
            ok = False
    if ok:
        print(f"PASS: vmath_poly (approximation error sin {float(es):.2g}, cos {float(ec):.2g}; "
              f"bound 2^-57)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
