"""bench/bench_kde.py: tailsweep's density pipeline (linear binning, bandwidth
rule, FFT KDE) against scikit-learn's KernelDensity, on one core.

    /usr/bin/python3 bench/bench_kde.py [--rounds R] [--exe build/release/bench/bench_kde]

Data: 10^5 draws of S1(1.5, 0.5) (scipy.stats.levy_stable, fixed seed), the
density on 512 points of [-3, 3]. The C driver bench/bench_kde.c (built by
`make bench` with the release flags) times the whole
pipeline in-process, from raw samples to the density, as the median of 21
runs. scikit-learn is timed on the same machine in the same run: fit plus
score_samples on the 512 grid points with the bandwidth tailsweep chose. A
round is one C run then one sklearn call, so both see the same load; each
column is the median over the rounds.

Equal accuracy: tailsweep's density is normalised by the total count and has
no information about samples outside the window beyond their number, so
sklearn is fitted on the in-window samples and scaled by n_in / n: the same
estimator, computed exactly (sklearn's default rtol = atol = 0). Their max
absolute difference is then the linear-binning error alone, which is bounded
by (n_in / n) dx^2 / (8 sqrt(2 pi) h^3); both are printed.

Prints a markdown table, one row per bandwidth rule. The target (>= 1000x)
is reported, not enforced; the exit status is 0 unless a measurement failed.
"""
import argparse
import datetime
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import levy_stable

from benchinfo import machine
from sklearn.neighbors import KernelDensity

ROOT = Path(__file__).resolve().parents[1]
LO, HI, G = -3.0, 3.0, 512
N, SEED = 100_000, 42
C_RUNS = 21
TARGET = 1000.0
RULES = ("isj", "silverman")


def run_c(exe, rule, text):
    run = subprocess.run([str(exe), repr(LO), repr(HI), str(G), rule, str(C_RUNS)],
                         input=text, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"bench_kde.py: bench_kde {rule} failed: {run.stderr.strip()}")
    lines = run.stdout.splitlines()
    head = {k: float(v) for k, v in (line.split() for line in lines[:8])}
    dens = np.array([line.split() for line in lines[8:]], dtype=float)[:, 1]
    return head, dens


def run_sklearn(x_in, bw, grid):
    t0 = time.perf_counter()
    kd = KernelDensity(kernel="gaussian", bandwidth=bw).fit(x_in[:, None])
    logf = kd.score_samples(grid[:, None])
    return time.perf_counter() - t0, np.exp(logf)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds per rule (default 3)")
    ap.add_argument("--exe", default=str(ROOT / "build/release/bench/bench_kde"), help="the C driver (make bench builds it)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    exe = Path(args.exe).resolve()
    if not exe.exists():
        sys.exit(f"bench_kde.py: {exe} is missing; run `make build/release/bench/bench_kde`")

    levy_stable.parameterization = "S1"
    x = levy_stable.rvs(1.5, 0.5, size=N, random_state=np.random.default_rng(SEED))
    text = "\n".join(repr(float(v)) for v in x)
    grid = LO + np.arange(G) * ((HI - LO) / (G - 1))
    dx = (HI - LO) / (G - 1)
    inside = (x >= LO) & (x <= HI)
    x_in, scale = x[inside], inside.sum() / N

    print("# KDE: tailsweep (bin + bandwidth + FFT KDE) vs sklearn KernelDensity\n")
    print(f"machine: {machine()}")
    print(f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"data: {N} draws of S1(1.5, 0.5), seed {SEED}; grid {G} points on [{LO:g}, {HI:g}], "
          f"{inside.sum()} in the window; tailsweep median of {C_RUNS} runs per round, "
          f"median of {args.rounds} rounds\n")
    print("| rule | bw | tailsweep ms (bin / bw / kde) | sklearn s | sklearn/tailsweep "
          "| max abs diff | binning bound | peak |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for rule in RULES:
        ts, bins, bws, kdes, sk = [], [], [], [], []
        for _ in range(args.rounds):
            head, dens = run_c(exe, rule, text)
            ts.append(head["time"])
            bins.append(head["bin"])
            bws.append(head["bw_time"])
            kdes.append(head["kde"])
            t_sk, ref = run_sklearn(x_in, head["bw"], grid)
            sk.append(t_sk)
        bw = head["bw"]
        diff = np.max(np.abs(dens - scale * ref))
        bound = scale * dx ** 2 / (8 * np.sqrt(2 * np.pi) * bw ** 3)
        t, s = statistics.median(ts), statistics.median(sk)
        b, w, k = (1e3 * statistics.median(v) for v in (bins, bws, kdes))
        print(f"| {rule} | {bw:.5f} | {1e3 * t:.3f} ({b:.3f} / {w:.3f} / {k:.3f}) "
              f"| {s:.3f} | {s / t:.0f}x | {diff:.2e} | {bound:.2e} | {np.max(ref) * scale:.3f} |")
        verdicts.append(f"- {rule}: {s / t:.0f}x sklearn "
                        f"({'meets' if s / t >= TARGET else 'misses'} the {TARGET:g}x target); "
                        f"accuracy {'within' if diff <= bound else 'OUTSIDE'} the binning bound")
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
