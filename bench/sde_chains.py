#!/usr/bin/python3
"""bench/sde_chains.py: SDE chain-steps per second per core, tailsweep vs a
scalar C loop over GSL (build/release/bench/bench_sde) vs NumPy/SciPy vectorised chains
(scipy.stats.levy_stable.rvs for all chains each step, np.add.at binning).
Quartic, euler, alpha 1.5, theta 0.5, eta 1e-3, grid 512 on [-3, 3].
Each outer round runs all three; the medians are printed as a markdown row.
"""
import os
import subprocess
import sys
import time

import numpy as np
from scipy.stats import levy_stable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALPHA, THETA = 1.5, 0.5
CHAINS, STEPS = 256, 100000          # tailsweep and GSL: 2.56e7 chain-steps
PY_CHAINS, PY_STEPS = 4096, 100      # numpy: 4.1e5 chain-steps a round


def numpy_chains(rng):
    eta, sc, lo, dx = 1e-3, 1e-3 ** (1 / ALPHA), -3.0, 6.0 / 511
    w, hist = np.zeros(PY_CHAINS), np.zeros(512)
    for _ in range(PY_STEPS):
        z = levy_stable.rvs(ALPHA, THETA, size=PY_CHAINS, random_state=rng)
        w = w - eta * (w ** 3 - w) + sc * z
        w[~(np.abs(w) < 1e6)] = 0
        f = (w - lo) / dx
        m = (f >= 0) & (f < 511)
        i = f[m].astype(int)
        np.add.at(hist, i, 1 - (f[m] - i))
        np.add.at(hist, i + 1, f[m] - i)
    return hist


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    exe = os.path.join(ROOT, "build", "release", "bench", "bench_sde")
    ts, gs, ps = [], [], []
    rng = np.random.default_rng(1)
    for _ in range(rounds):
        out = subprocess.run([exe, str(ALPHA), str(THETA), str(CHAINS), str(STEPS), "3"],
                             capture_output=True, text=True, check=True).stdout.split()
        ts.append(float(out[1]))
        gs.append(float(out[3]))
        t0 = time.perf_counter()
        numpy_chains(rng)
        ps.append(PY_CHAINS * PY_STEPS / (time.perf_counter() - t0))
    t, g, p = np.median(ts), np.median(gs), np.median(ps)
    print("| alpha | theta | tailsweep M steps/s | GSL loop M steps/s | NumPy/SciPy M steps/s | vs GSL | vs NumPy |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print("| %g | %g | %.1f | %.2f | %.3f | %.1fx | %.0fx |" % (ALPHA, THETA, t / 1e6, g / 1e6, p / 1e6, t / g, t / p))


if __name__ == "__main__":
    main()
