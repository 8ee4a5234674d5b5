#!/usr/bin/python3
"""tests/oracle/sde_exits.py TAILSWEEP: metastability of the SDE chains
(docs/sde.md): exit rates against the small-noise law of
Imkeller and Pavlyukevich, against an independent NumPy/SciPy simulation,
and the wide-basin effect. Runs the optimised binary (~10^9 chain steps in
all); seeds are fixed, so every number is deterministic.

1. The law. For dw = -f' dt + eps dL, L_1 ~ S1(alpha, theta, 0), a chain
   leaves basin i at the rate eps^alpha lambda_i, lambda_i = C_alpha
   [(1+theta)/2 d+^-alpha + (1-theta)/2 d-^-alpha], as eps -> 0. The
   measured rate differs by a relative delta(eps) which must vanish with
   eps. Its leading causes are first order in the chain's jitter about the
   minimum, of scale s_eps = eps (alpha f''(m))^(-1/alpha) (the stationary
   scale of the linearised, Ornstein-Uhlenbeck chain): (a) the jump starts
   from m + O(s_eps), so the distance to the barrier is d + O(s_eps) and the
   rate moves by alpha s_eps / d; (b) a jump that lands within O(s_eps) of
   the barrier may fall back before reaching the other minimum (an exit is
   counted only when it does); (c) with theta != 0 the quasi-stationary law
   is skewed, shifting the start by O(s_eps) again. Hence the bound
       |delta| <= 3 alpha s_eps / d + 4 sigma
   at the smallest eps, sigma the rate's relative standard error (between
   chains). Besides, delta must fall as eps falls: at each halving it may
   not grow by more than 2 sigma, and over the range it must at least halve.
   Measured (eta 1e-2, 64 chains x 2x10^4 time units): quartic, alpha 1.5,
   theta 0, left basin: +0.32, +0.14, +0.061, +0.065 at eps 0.4 .. 0.05
   (bound at 0.05: 0.22); alpha 1.2, theta 0.5: left -0.33, -0.17, -0.078,
   right +1.3, +0.26, +0.064 at eps 0.2 .. 0.05 (bound 0.15).
2. The same definitions of exits, occupancy and exit times, coded again
   below in plain NumPy with SciPy's stable draws and Cardano's formula for
   the implicit step, at eps = 0.2, alpha 1.5, theta 0.5, 1024 chains of
   10^4 steps both: every statistic must agree within 4 combined standard
   errors.
3. The wide-basin effect on the asymmetric double well of jobs/wide_basin.yaml
   (narrow basin deeper): at eps = 0.2, alpha = 1.5 the chain spends at
   least 0.15 more of its time in the wide basin than the Gibbs measure puts
   there (measured 0.645 vs 0.407; the law's limit 0.739), while the
   Brownian chain (alpha = 2, eps = 0.35, where it mixes) follows Gibbs
   within 4 standard errors + 0.01 (the O(eta) bias of the scheme).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from scipy.stats import levy_stable

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/release/tailsweep"
WIDE = "0, 0, -0.585, 0.305, 0.20875, -0.2, 0.0416666666666667"
failed = 0


def report(ok, name, why=""):
    global failed
    print(("PASS: %s" % name) if ok else ("FAIL: %s: %s" % (name, why)))
    failed += not ok


def run(args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "m.h5")
        cmd = [BIN, "sde", "--scheme", "implicit", "--test_functions", "", "-o", out, *map(str, args)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
        with h5py.File(out, "r") as f:
            return {k: f[k][()] for k in f if isinstance(f[k], h5py.Dataset)}


def law_approach(name, alpha, theta, epss, extra=()):
    rows = []
    for eps in epss:
        r = run(["--alpha", alpha, "--theta", theta, "--eps", eps, "--eta", "1e-2", "--steps", 2000000,
                 "--chains", 64, "--w0", -1, *extra])
        rows.append(r)
    m, lo, hi = rows[0]["minima"], rows[0]["basin_lo"], rows[0]["basin_hi"]
    fpp = [3 * x * x - 1 for x in m]        # the quartic's f'' at its minima
    for b in range(len(m)):
        d = np.nanmin([m[b] - lo[b], hi[b] - m[b]])
        delta = [r["exit_rate"][b] / r["exit_rate_law"][b] - 1 for r in rows]
        sig = [r["exit_rate_se"][b] / r["exit_rate_law"][b] for r in rows]
        s_eps = epss[-1] * (alpha * fpp[b]) ** (-1 / alpha)
        bound = 3 * alpha * s_eps / d + 4 * sig[-1]
        what = "%s basin %d: delta %s (sigma %s)" % (name, b, " ".join("%+.3f" % x for x in delta),
                                                     " ".join("%.3f" % x for x in sig))
        report(abs(delta[-1]) < bound, "%s; |delta| at eps %g < %.3f" % (what, epss[-1], bound), "bound exceeded")
        grows = [abs(delta[k + 1]) > abs(delta[k]) + 2 * sig[k + 1] for k in range(len(delta) - 1)]
        report(not any(grows) and abs(delta[-1]) < abs(delta[0]) / 2,
               "%s basin %d: delta falls with eps (%g .. %g)" % (name, b, epss[0], epss[-1]), what)
    return rows


# --- 2. an independent simulation -------------------------------------------

def cardano(r, eta, c):
    """The real root of eta w^3 + c w = r (c > 0: one root)."""
    p, q = c / eta, -r / eta
    disc = np.sqrt((q / 2) ** 2 + (p / 3) ** 3)
    return np.cbrt(-q / 2 + disc) + np.cbrt(-q / 2 - disc)


def numpy_chains(alpha, theta, eps, eta, steps, burnin, chains, seed):
    rng = np.random.default_rng(seed)
    m = np.array([-1.0, 1.0])               # the quartic's minima; its barrier is 0
    x = np.full(chains, -1.0)
    sc = eps * eta ** (1 / alpha)
    tch = np.zeros((chains, 2))             # time in each basin, per chain
    ech = np.zeros((chains, 2))             # exits (transitions) from each basin, per chain
    etimes = [[], []]
    clock = 0.0
    idx = np.arange(chains)
    for k in range(steps):
        z = levy_stable.rvs(alpha, theta, size=chains, random_state=rng)
        x = cardano(x + sc * z, eta, 1 - eta)
        if k < burnin:
            continue
        before, clock = clock, clock + eta
        b = (x >= 0).astype(int)
        tch[idx, b] += eta
        if k == burnin:
            cur, last = b.copy(), np.full(chains, -1)
            armed, arm_t = np.zeros(chains, bool), np.zeros(chains)
            side = x > m[cur]
            continue
        moved = b != cur
        for j in np.nonzero(moved & armed)[0]:
            etimes[cur[j]].append(before - arm_t[j])
        cur = np.where(moved, b, cur)
        armed &= ~moved
        side = np.where(moved, x > m[b], side)
        crossed = ~moved & ~armed & ((x > m[cur]) != side)
        done = crossed & (last >= 0) & (last != cur)
        ech[idx[done], last[done]] += 1
        last = np.where(crossed, cur, last)
        armed |= crossed
        arm_t = np.where(crossed, before, arm_t)
    return tch, ech, etimes


def ratio_se(S, W):
    """se of sum S / sum W over independent chains (the delta method)."""
    r = S.sum() / W.sum()
    n = len(S)
    return r, np.sqrt(np.sum((S - r * W) ** 2) * n / (n - 1)) / W.sum()


def versus_numpy():
    alpha, theta, eps, eta, steps, burnin, chains = 1.5, 0.5, 0.2, 1e-2, 10000, 500, 1024
    ts = run(["--alpha", alpha, "--theta", theta, "--eps", eps, "--eta", eta, "--steps", steps,
              "--burnin", burnin, "--chains", chains, "--w0", -1])
    tch, ech, et = numpy_chains(alpha, theta, eps, eta, steps, burnin, chains, 7)
    for b in range(2):
        rn, sn = ratio_se(ech[:, b], tch[:, b])
        on, son = ratio_se(tch[:, b], tch.sum(axis=1))
        en, sen = np.mean(et[b]), np.std(et[b], ddof=1) / np.sqrt(len(et[b]))
        for what, a, sa, n_, sn_ in (("exit_rate", ts["exit_rate"][b], ts["exit_rate_se"][b], rn, sn),
                                     ("occupancy", ts["occupancy"][b], ts["occupancy_se"][b], on, son),
                                     ("exit_time", ts["exit_time"][b], ts["exit_time_se"][b], en, sen)):
            z = abs(a - n_) / np.hypot(sa, sn_)
            report(z < 4, "numpy vs tailsweep, alpha 1.5 theta 0.5 eps 0.2, basin %d %s: %.5g +- %.2g vs %.5g +- %.2g "
                   "(%.1f sigma)" % (b, what, a, sa, n_, sn_, z), "more than 4 sigma apart")
        report(ech[:, b].sum() > 500, "numpy: %d exits from basin %d" % (ech[:, b].sum(), b), "too few to compare")


def wide_basin():
    common = ["--potential", "poly", "--poly", WIDE, "--eta", "1e-2", "--steps", 1000000, "--burnin", 10000,
              "--chains", 64, "--w0", -1, "--grid_lo", -3, "--grid_hi", 4]
    h = run(common + ["--alpha", 1.5, "--eps", 0.2])
    occ, gib, law = h["occupancy"][1], h["gibbs_occupancy"][1], h["occupancy_law"][1]
    report(occ - gib > 0.15 and abs(h["minima"][1] - 2) < 1e-9,
           "wide basin, alpha 1.5 eps 0.2: occupancy %.3f +- %.3f vs Gibbs %.3f (law %.3f)" % (occ, h["occupancy_se"][1], gib, law),
           "the heavy-tailed chain should prefer the wide basin")
    g = run(common + ["--alpha", 2, "--eps", 0.35])
    occ, se, gib = g["occupancy"][1], g["occupancy_se"][1], g["gibbs_occupancy"][1]
    report(abs(occ - gib) < 4 * se + 0.01 and g["exits"].sum() > 200,
           "wide basin, alpha 2 eps 0.35: occupancy %.3f +- %.3f vs Gibbs %.3f (%d exits)" % (occ, se, gib, g["exits"].sum()),
           "the Brownian chain should follow Gibbs")


def main():
    try:
        law_approach("quartic alpha 1.5 theta 0", 1.5, 0.0, [0.4, 0.2, 0.1, 0.05])
        law_approach("quartic alpha 1.2 theta 0.5", 1.2, 0.5, [0.2, 0.1, 0.05])
        versus_numpy()
        wide_basin()
    except Exception as e:  # noqa: BLE001
        report(False, "sde_exits", str(e))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
