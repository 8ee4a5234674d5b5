#!/usr/bin/python3
"""scripts/gen_vlog_table.py: writes src/core/ts_vlog_table.c, the table of
the division-free log in include/tailsweep/ts_vmath.h (ts_vlog_normal).

    /usr/bin/python3 scripts/gen_vlog_table.py > src/core/ts_vlog_table.c
    /usr/bin/python3 scripts/gen_vlog_table.py --check   # verify the committed one

The log writes x = 2^k z with z in [OFF, 2 OFF), OFF = 0x3FE6100000000000
(about 0.6895), and takes the subinterval index i from the top TS_VLOG_BITS
bits of z's offset from OFF. Subintervals 0..78 lie below 1 (width 2^-8),
79 straddles 1 ([1 - 2^-9, 1 + 2^-8)), 80..127 lie above 1 (width 2^-7).
For each i the table holds invc, within 2^-10 of 1/c for c the subinterval's
center, and logc ~ -log(invc); then
    log x = k ln2 + logc + log1p(r),  r = z invc - 1,  |r| < 2^-8 (checked).
Entry 79 is invc = 1, logc = 0, so that near x = 1 the result is log1p(r)
with r = z - 1 exact and no cancellation against a table value.

How the pair is chosen (the idea of glibc's log tables): logc is a multiple
of 2^-42, like ln2_hi, so that k ln2_hi + logc is exact for every exponent
k and the log needs no compensated sum for it; invc is the double nearest
exp(-logc). That makes logc - (-log(invc)) = log(invc / exp(-logc)) the
rounding error of invc, up to 2^-53; so multiples of 2^-42 near log(c) are
tried (SEARCH of them, drawn within 2^20 steps with a fixed seed) until
exp(-logc) lies so close to a double that the error is below 2^-8 ulp of
logc. (Consecutive multiples alone do not work: their rounding errors form
an arithmetic progression that can visit only a few residues.) mpmath
evaluates at 160 bits. Generating takes about a minute; --check only
verifies every property of the committed table (fast, for tests/run.sh).
"""
import math
import random
import struct
import sys
from pathlib import Path

import mpmath

BITS = 7
N = 1 << BITS
OFF = 0x3FE6100000000000
ONE_IDX = 79             # the subinterval containing 1.0
GRID = 2.0 ** -42      # logc is a multiple of this (ln2_hi is, too)
SEARCH = 1 << 18       # multiples of GRID tried besides the nearest to log(c)
SPREAD = 1 << 20       # ... within this many steps of it (moves invc by < 2^-21)
LOGC_TOL = 2.0 ** -8   # |logc + log(invc)| bound, in ulps of logc
R_BOUND = 2.0 ** -8
OUT = Path(__file__).resolve().parent.parent / "src/core/ts_vlog_table.c"

mpmath.mp.prec = 160


def f64(bits):
    return struct.unpack("<d", struct.pack("<Q", bits))[0]


def u64(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def nearest_double(x):
    """The double nearest the mpf x, not trusting float()'s rounding mode."""
    near = float(x)
    return min((near, math.nextafter(near, -math.inf), math.nextafter(near, math.inf)),
               key=lambda d: abs(mpmath.mpf(d) - x))


def entry(i):
    """(invc, logc, lo, hi) for subinterval i = [lo, hi)."""
    lo, hi = f64(OFF + (i << (52 - BITS))), f64(OFF + ((i + 1) << (52 - BITS)))
    if i == ONE_IDX:
        assert lo < 1.0 < hi
        return 1.0, 0.0, lo, hi
    c = (mpmath.mpf(lo) + mpmath.mpf(hi)) / 2
    m0 = int(mpmath.nint(mpmath.log(c) / GRID))
    rng = random.Random(i)                  # fixed seeds: the table is reproducible
    for m in [m0] + [m0 + rng.randrange(-SPREAD, SPREAD + 1) for _ in range(SEARCH)]:
        logc = m * GRID                     # exact: |m| < 2^41
        invc = nearest_double(mpmath.exp(-mpmath.mpf(logc)))
        err = abs(mpmath.log(invc) + logc)
        if err <= LOGC_TOL * math.ulp(logc):
            return invc, logc, lo, hi
    raise SystemExit(f"gen_vlog_table.py: subinterval {i}: no pair within {SEARCH} tries")


def bounds(i):
    """Subinterval i = [lo, hi) of [OFF, 2 OFF) and the largest double in it."""
    lo, hi = f64(OFF + (i << (52 - BITS))), f64(OFF + ((i + 1) << (52 - BITS)))
    return lo, f64(u64(hi) - 1)


def problems(invcs, logcs):
    """Every property ts_vlog_normal relies on, checked entry by entry with
    mpmath: a list of what fails (empty if none), and the worst logc error."""
    bad, worst = [], 0.0
    if len(invcs) != N or len(logcs) != N:
        return [f"{len(invcs)} invc and {len(logcs)} logc entries, want {N}"], worst
    for i, (invc, logc) in enumerate(zip(invcs, logcs)):
        lo, top = bounds(i)
        r = max(abs(mpmath.mpf(lo) * invc - 1), abs(mpmath.mpf(top) * invc - 1))
        if r >= R_BOUND:
            bad.append(f"entry {i}: |r| reaches {float(r)!r}")
        if i == ONE_IDX:
            if (invc, logc) != (1.0, 0.0):
                bad.append(f"entry {i}: want (1, 0), the subinterval holding 1.0")
            continue
        if logc / GRID != int(logc / GRID) or abs(logc) >= 0.5:
            bad.append(f"entry {i}: logc {logc.hex()} not a multiple of 2^-42 below 1/2")
        err = float(abs(mpmath.mpf(logc) + mpmath.log(invc))) / math.ulp(logc)
        worst = max(worst, err)
        if err > LOGC_TOL:
            bad.append(f"entry {i}: logc off -log(invc) by {err:.3g} ulp")
    return bad, worst


def render(invcs, logcs):
    out = ["/* ts_vlog_table.c: the table of ts_vlog_normal (include/tailsweep/ts_vmath.h).",
           " * GENERATED by scripts/gen_vlog_table.py (mpmath, 160 bits); do not edit.",
           " * Entry i: invc near 1/c, c the center of subinterval i of [0x1.61p-1, 0x1.61p0);",
           " * logc a multiple of 2^-42 within 2^-8 ulp of -log(invc).",
           " * tests/unit/test_vmath.c rechecks both. */",
           '#include "tailsweep/ts_vmath.h"', "",
           "const double ts_vlog_invc[TS_VLOG_N] = {"]
    out += [f"    {x.hex()}," for x in invcs]
    out += ["};", "", "const double ts_vlog_logc[TS_VLOG_N] = {"]
    out += [f"    {x.hex()}," for x in logcs]
    out += ["};", ""]
    return "\n".join(out)


def read_table(path):
    """(invcs, logcs) from the committed C file."""
    text = path.read_text()
    arrays = []
    for name in ("ts_vlog_invc", "ts_vlog_logc"):
        body = text.split(f"{name}[TS_VLOG_N] = {{", 1)[1].split("};", 1)[0]
        arrays.append([float.fromhex(t.strip()) for t in body.split(",") if t.strip()])
    return arrays


def main():
    if "--check" in sys.argv[1:]:
        # Verifies the committed table (the search itself takes a minute).
        try:
            invcs, logcs = read_table(OUT)
        except (OSError, IndexError, ValueError) as e:
            print(f"FAIL: vlog_table: cannot read {OUT}: {e}")
            return 1
        bad, worst = problems(invcs, logcs)
        for b in bad:
            print(f"FAIL: vlog_table: {OUT.name}: {b}")
        if not bad:
            print(f"PASS: vlog_table ({N} entries, logc within {worst:.2g} ulp of -log(invc))")
        return 1 if bad else 0
    invcs, logcs = [], []
    for i in range(N):
        invc, logc, _, _ = entry(i)
        invcs.append(invc)
        logcs.append(logc)
    bad, worst = problems(invcs, logcs)
    if bad:
        raise SystemExit("gen_vlog_table.py: " + "; ".join(bad))
    print(f"gen_vlog_table.py: worst logc error {worst:.3g} ulp", file=sys.stderr)
    sys.stdout.write(render(invcs, logcs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
