"""bench/gradnoise_scipy.py: the GNI kind's per-layer noise statistics
(moments, block-sum tail index, McCulloch stable fit) against the same
statistics in scipy/numpy, on one core, in the same run.

    /usr/bin/python3 bench/gradnoise_scipy.py        (builds build/release/bench/bench_gradnoise)

Data: S1(1.5, 0.5) draws (scipy, fixed seed) of the sizes of weight layers:
256 x 256 = 65536 (a hidden layer of the paper's networks) and
784 x 256 = 200704 (Fashion-MNIST's first layer). The peer: scipy.stats.skew
and kurtosis, the block-sum estimator in numpy (docs/math.md section 1.8), and
scipy.stats.levy_stable._fitstart (McCulloch's quantile method, the start
of scipy's own fit). Median of 7 rounds each; prints a markdown table."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.stats import levy_stable

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 7


def peer(x):
    m = x.mean()
    s, k = stats.skew(x), stats.kurtosis(x)
    n = len(x)
    k1 = int(np.sqrt(n))
    k2 = n // k1
    v = x[: k1 * k2] - np.median(x)
    y = v.reshape(k2, k1).sum(axis=1)
    inv = (np.log(np.abs(y[y != 0])).mean() - np.log(np.abs(v[v != 0])).mean()) / np.log(k1)
    a, b, _, sc = levy_stable._fitstart(x)
    return m, s, k, min(2.0, 1 / inv), a, b, sc


def main():
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    subprocess.run(["make", "-s", "build/release/bench/bench_gradnoise"], cwd=ROOT, check=True)
    print("| values | tailsweep (ms) | scipy/numpy (ms) | ratio | alpha ts / scipy | kurt ts / scipy |")
    print("|---|---|---|---|---|---|")
    for n in (65536, 200704):
        x = levy_stable.rvs(1.5, 0.5, size=n, random_state=n)
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "x.txt"
            np.savetxt(f, x, fmt="%.17g")
            out = subprocess.run([str(ROOT / "build/release/bench/bench_gradnoise"), str(ROUNDS), str(f)], capture_output=True,
                                 text=True, check=True).stdout
        r = dict(line.split() for line in out.splitlines())
        ts = float(r["seconds"])
        times = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            ref = peer(x)
            times.append(time.perf_counter() - t0)
        py = float(np.median(times))
        print(f"| {n} | {1e3 * ts:.2f} | {1e3 * py:.2f} | {py / ts:.1f}x | {float(r['alpha']):.3f} / {ref[4]:.3f} "
              f"| {float(r['kurt']):.4g} / {ref[2]:.4g} |")


if __name__ == "__main__":
    sys.exit(main())
