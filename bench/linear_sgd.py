#!/usr/bin/python3
"""bench/linear_sgd.py: linear-model SGD steps per second on one core,
tailsweep's linear kind (`tailsweep linear`, C + OpenBLAS) against the loop
an ML researcher writes first, in NumPy and in PyTorch (float64, one
thread): per step draw B indices, gather the rows, residual, gradient
(through u*u - v*v for the network), Gaussian noise, update.

Three settings: the jobs/noisy_sgd.yaml point (network, n 40, d 100, B 4,
sigma 0.02), the jobs/heavy_tail_linreg.yaml point (least squares, d 2,
B 4), and a larger least squares problem (n 2000, d 500, B 64). tailsweep's
time is the whole task as `tailsweep linear --print` reports it (data,
min-norm solve, SGD, and a minimal tail window), so it is charged for work the peers
skip. Each round runs all three sides; medians of ROUNDS rounds are printed
as markdown rows.

    /usr/bin/python3 bench/linear_sgd.py [ROUNDS]
"""
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchinfo import machine  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T = os.path.join(ROOT, "build/release/tailsweep")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
torch.set_num_threads(1)
os.environ["OPENBLAS_NUM_THREADS"] = "1"

SETTINGS = [
    ("dln n40 d100 B4 sigma0.02", dict(model="dln", n=40, d=100, B=4, eta=0.012, sigma=0.02, a0=0.1), 40000, 4000),
    ("ls n1000 d2 B4", dict(model="ls", n=1000, d=2, B=4, eta=0.3, sigma=0.0, a0=0.1), 200000, 20000),
    ("ls n2000 d500 B64", dict(model="ls", n=2000, d=500, B=64, eta=0.001, sigma=0.0, a0=0.1), 20000, 1000),
]


def tailsweep(p, steps):
    # a tail window of exactly 1000 pooled values: thin so that (steps - burnin)/thin x d = 1000..2000
    d = p["d"]
    rows = max(1, -(-1000 // d))
    args = [T, "linear", "--model", p["model"], "--n", str(p["n"]), "--d", str(d), "--B", str(p["B"]),
            "--eta", str(p["eta"]), "--sigma", str(p["sigma"]), "--a0", str(p["a0"]), "--n_test", "100",
            "--steps", str(steps), "--log_every", str(steps), "--burnin", str(steps - rows), "--print"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"steps in ([0-9.]+) s", out).group(1))


def numpy_sgd(p, steps, rng):
    n, d, B, eta, sigma = p["n"], p["d"], p["B"], p["eta"], p["sigma"]
    X = rng.standard_normal((n, d))
    y = X @ (rng.standard_normal(d) / np.sqrt(d)) + 0.1 * rng.standard_normal(n)
    dln = p["model"] == "dln"
    th = np.full(2 * d, p["a0"]) if dln else np.zeros(d)
    t0 = time.perf_counter()
    for _ in range(steps):
        idx = rng.integers(0, n, size=B)
        Xb = X[idx]
        beta = th[:d] ** 2 - th[d:] ** 2 if dln else th
        gb = Xb.T @ (Xb @ beta - y[idx]) / B
        g = np.concatenate([2 * th[:d] * gb, -2 * th[d:] * gb]) if dln else gb
        if sigma > 0:
            g = g + sigma * rng.standard_normal(g.shape[0])
        th = th - eta * g
    return time.perf_counter() - t0


def torch_sgd(p, steps, gen):
    n, d, B, eta, sigma = p["n"], p["d"], p["B"], p["eta"], p["sigma"]
    dt = torch.float64
    X = torch.randn(n, d, generator=gen, dtype=dt)
    y = X @ (torch.randn(d, generator=gen, dtype=dt) / d ** 0.5) + 0.1 * torch.randn(n, generator=gen, dtype=dt)
    dln = p["model"] == "dln"
    th = torch.full((2 * d,), p["a0"], dtype=dt) if dln else torch.zeros(d, dtype=dt)
    t0 = time.perf_counter()
    with torch.no_grad():
        for _ in range(steps):
            idx = torch.randint(0, n, (B,), generator=gen)
            Xb = X[idx]
            beta = th[:d] ** 2 - th[d:] ** 2 if dln else th
            gb = Xb.T @ (Xb @ beta - y[idx]) / B
            g = torch.cat([2 * th[:d] * gb, -2 * th[d:] * gb]) if dln else gb
            if sigma > 0:
                g = g + sigma * torch.randn(g.shape[0], generator=gen, dtype=dt)
            th = th - eta * g
    return time.perf_counter() - t0


print(f"# {machine()}")
print("| setting | tailsweep steps/s | numpy steps/s | torch steps/s | tailsweep / numpy | tailsweep / torch |")
print("|---|---|---|---|---|---|")
for name, p, steps, py_steps in SETTINGS:
    ts, npy, tch = [], [], []
    rng, gen = np.random.default_rng(1), torch.Generator().manual_seed(1)
    for _ in range(ROUNDS):
        ts.append(steps / tailsweep(p, steps))
        npy.append(py_steps / numpy_sgd(p, py_steps, rng))
        tch.append(py_steps / torch_sgd(p, py_steps, gen))
    a, b, c = np.median(ts), np.median(npy), np.median(tch)
    print(f"| {name} | {a:.3g} | {b:.3g} | {c:.3g} | {a / b:.1f} | {a / c:.1f} |")
