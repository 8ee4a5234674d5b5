"""tests/oracle/sklearn_kde.py [LIBTAILSWEEP_A]: tailsweep's density module
against scikit-learn's KernelDensity and an independent numpy/scipy ISJ.

    /usr/bin/python3 tests/oracle/sklearn_kde.py [build/asan/libtailsweep.a]

Compiles tests/oracle/kde_driver.c against the sanitizer build of the library
(ASan + UBSan watch the C side), feeds it 3000 draws of a heavy-tailed law,
S1(1.5, 0.5) from scipy.stats.levy_stable with a fixed seed, on the window
[-5, 8] (about 5% of the draws fall outside), and checks:

  - window counts: total, below and above equal numpy's counts (exact);
  - binning: weights plus outside counts equal the total, and the first moment
    of the weights equals the sum of the in-window samples, to rounding
    (u (2n + G) n relative, the recursive-summation bound);
  - direct KDE against sklearn fitted on all samples: the same sum of the same
    n Gaussians in another order, so they agree to n u ~ 3e-13 relative; the
    check allows 1e-10 (sklearn returns log densities, and its tree sums node
    by node; the slack is still far below any modelling error);
  - binned KDE against sklearn fitted on the in-window samples, scaled by
    n_in / n (tailsweep's normalisation by the total count): linear binning
    changes each kernel evaluation by at most dx^2 / 8 sup|K''|, so
    |binned - sklearn| <= (n_in / n) dx^2 / (8 sqrt(2 pi) h^3), a deterministic
    bound, at two bandwidths;
  - the binned KDE integrates (trapezoid) to at most the in-window mass;
  - Silverman's bandwidth lies in the interval implied by the sample
    quartiles: the binned quartile is within 1.5 dx of an order statistic
    (ranks counting the samples outside the window);
  - ISJ's bandwidth equals an independent implementation of Botev et al.'s
    fixed point (scipy's DCT-I, a dense scan for the smallest root, brentq)
    on the same binned weights, to 1e-6 relative (both solve to ~1e-8).

Prints one line per check, "PASS: name" or "FAIL: name: why" (tests/run.sh
counts them), and exits non-zero if any check failed or could not run.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy.fft import dct
from scipy.optimize import brentq
from scipy.stats import levy_stable
from sklearn.neighbors import KernelDensity

from oracle_report import Report

ROOT = Path(__file__).resolve().parents[2]
LO, HI, G = -5.0, 8.0, 512
N, SEED = 3000, 20240
BANDWIDTHS = (0.3, 0.1)       # 12 dx and 4 dx
U = 2.0 ** -53

RESULTS = Report()
check = RESULTS.check


def run_driver(exe, x, bw):
    run = subprocess.run([str(exe), repr(LO), repr(HI), str(G), repr(bw)],
                         input="\n".join(repr(float(v)) for v in x), capture_output=True,
                         text=True)
    if run.returncode != 0:
        raise RuntimeError(f"exit {run.returncode}: {run.stderr.strip()[-2000:]}")
    lines = run.stdout.splitlines()
    head = dict(line.split() for line in lines[:6])
    table = np.array([line.split() for line in lines[6:]], dtype=float)
    if table.shape != (G, 4):
        raise RuntimeError(f"table shape {table.shape}, want ({G}, 4)")
    return {k: float(v) for k, v in head.items()}, table


def sklearn_density(samples, bw, grid):
    kd = KernelDensity(kernel="gaussian", bandwidth=bw).fit(samples[:, None])
    return np.exp(kd.score_samples(grid[:, None]))


def isj_reference(w, lo, hi):
    """Botev, Grotowski, Kroese (2010), algorithm 1, on grid weights at
    u_j = j / (G - 1) of [lo, hi]; written from the paper, sharing no code."""
    n_pts = len(w)
    n_in = w.sum()
    p = w / n_in
    k = np.arange(n_pts)
    y = dct(p, type=1)              # p0 + (-1)^k p_last + 2 sum_inner p_j cos(pi k j / (G-1))
    a = 0.5 * (y + p[0] + (-1.0) ** k * p[-1])
    a2 = a[1:] ** 2
    kk = k[1:].astype(float) ** 2

    def functional(s, t):
        return 2 * np.pi ** (2 * s) * np.sum(kk ** s * a2 * np.exp(-kk * np.pi ** 2 * t))

    def fixed_point(t):
        f = functional(7, t)
        for s in range(6, 1, -1):
            k0 = np.prod(np.arange(1, 2 * s, 2)) / np.sqrt(2 * np.pi)
            c = (1 + 0.5 ** (s + 0.5)) / 3
            f = functional(s, (2 * c * k0 / n_in / f) ** (2 / (3 + 2 * s)))
        return t - (2 * n_in * np.sqrt(np.pi) * f) ** (-0.4)

    dx = (hi - lo) / (n_pts - 1)
    ts = np.geomspace(1.0 / (n_pts - 1) ** 2, 1.0, 600)
    vals = np.array([fixed_point(t) for t in ts])
    idx = np.flatnonzero(vals >= 0)
    if idx.size == 0:
        return None
    if idx[0] == 0:
        return dx
    t_star = brentq(fixed_point, ts[idx[0] - 1], ts[idx[0]], xtol=1e-300, rtol=1e-13)
    return max(np.sqrt(t_star) * (hi - lo), dx)


def main():
    exe = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build/asan/oracle/kde_driver"
    levy_stable.parameterization = "S1"
    x = levy_stable.rvs(1.5, 0.5, size=N, random_state=np.random.default_rng(SEED))
    grid = LO + np.arange(G) * ((HI - LO) / (G - 1))
    dx = (HI - LO) / (G - 1)
    inside = (x >= LO) & (x <= HI)
    n_in = int(inside.sum())
    scale = n_in / N

    if not exe.exists():
        check("kde driver", False, f"{exe} is missing (make builds it)")
        return
    results = {}
    for bw in BANDWIDTHS:
        try:
            results[bw] = run_driver(exe, x, bw)
        except (OSError, RuntimeError, ValueError) as e:
            check(f"kde driver run bw={bw}", False, str(e))
            return

    head, table = results[BANDWIDTHS[0]]
    xs, w = table[:, 0], table[:, 1]
    check("grid points", np.max(np.abs(xs - grid)) <= 4 * U * max(abs(LO), abs(HI)),
          f"max |x - numpy grid| = {np.max(np.abs(xs - grid)):.3g}")
    counts = (head["total"], head["below"], head["above"])
    want = (N, int((x < LO).sum()), int((x > HI).sum()))
    check("window counts", counts == want, f"total/below/above {counts}, numpy {want}")

    tol = U * (2 * N + G) * N
    mass_err = abs(w.sum() + head["below"] + head["above"] - head["total"])
    m1_err = abs(np.dot(w, xs) - x[inside].sum())
    check("binning mass", mass_err <= tol, f"error {mass_err:.3g} > {tol:.3g}")
    m1_tol = (tol + 2 * U * N) * max(abs(LO), abs(HI))
    check("binning first moment", m1_err <= m1_tol, f"error {m1_err:.3g} > {m1_tol:.3g}")

    for bw in BANDWIDTHS:
        _, t = results[bw]
        binned, direct = t[:, 2], t[:, 3]
        ref_all = sklearn_density(x, bw, grid)
        rel = np.max(np.abs(direct - ref_all) / ref_all)
        check(f"direct kde vs sklearn bw={bw}", rel <= 1e-10, f"max relative error {rel:.3g}")
        ref_in = scale * sklearn_density(x[inside], bw, grid)
        err = np.max(np.abs(binned - ref_in))
        bound = scale * dx ** 2 / (8 * np.sqrt(2 * np.pi) * bw ** 3) + 1e-12
        check(f"binned kde vs sklearn (in-window, scaled) bw={bw}", err <= bound,
              f"max |diff| {err:.3g} > bound {bound:.3g}")
        print(f"  bw={bw}: binned vs sklearn max |diff| {err:.3g} (bound {bound:.3g}, "
              f"peak {ref_in.max():.3g}); direct rel {rel:.2g}")
        integral = dx * (binned.sum() - 0.5 * (binned[0] + binned[-1]))
        check(f"binned kde mass bw={bw}", 0 < integral <= scale + 1e-12,
              f"integral {integral:.6f}, in-window mass {scale:.6f}")

    xsort = np.sort(x)
    r1, r3 = N // 4, 3 * N // 4           # integer ranks: N divisible by 4
    c = 0.9 / 1.34 * N ** -0.2
    lo_b = c * (xsort[r3 - 1] - xsort[r1] - 3 * dx)
    hi_b = c * (xsort[r3] - xsort[r1 - 1] + 3 * dx)
    s = head["silverman"]
    check("silverman vs order statistics", lo_b <= s <= hi_b,
          f"{s:.6g} outside [{lo_b:.6g}, {hi_b:.6g}]")

    ref = isj_reference(w, LO, HI)
    got, st = head["isj"], int(head["isj_status"])
    if ref is None:
        check("isj vs python fixed point", st == 4, f"python finds no root, C status {st}")
    else:
        rel = abs(got - ref) / ref
        check("isj vs python fixed point", st == 0 and rel <= 1e-6,
              f"C {got:.10g} (status {st}), python {ref:.10g}, rel {rel:.3g}")
        print(f"  isj: C {got:.8g}, python {ref:.8g}; silverman {s:.6g}")


main()
sys.exit(RESULTS.exit_code())
