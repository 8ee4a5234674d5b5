#!/usr/bin/python3
"""bench/aggregate_vs_numpy.py [--replicates R] [--rounds N]

`tailsweep aggregate` (bench/bench_aggregate.c: ts_aggregate_store on a
synthetic store the size of jobs/shiftmap.yaml with densities, 20 x 21
points x R seeds, 512-point densities, 1 task in 10 missing) beside the same
work in NumPy + h5py on the same file: copy the store, replace /aggregate,
and for every result compute count, nanmean, nanstd(ddof=1), se, nanmedian
and nanquantile (0.05, 0.25, 0.75, 0.95) over the seeds, then rename. The
peer writes no dimension scales or attributes, which favours it. Medians of
N rounds (the peer with all quantiles: 1 round, it takes tens of seconds);
prints a table and the ratios, and checks the two agree.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [0.05, 0.25, 0.75, 0.95]


def numpy_aggregate(store, quantiles=True):
    tmp = store + ".np.tmp"
    shutil.copyfile(store, tmp)
    with h5py.File(tmp, "a") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "aggregate" in f:
            del f["aggregate"]
        g = f.create_group("aggregate")
        for name in ("density", "tv", "w1", "kl", "bandwidth"):
            x = f[name][()]
            ax = 2                      # alpha, theta, replicate, ...
            cnt = np.sum(~np.isnan(x), axis=ax)
            sd = np.nanstd(x, axis=ax, ddof=1)
            g[name + "_count"] = cnt
            g[name + "_mean"] = np.nanmean(x, axis=ax)
            g[name + "_sd"] = sd
            g[name + "_se"] = sd / np.sqrt(cnt)
            g[name + "_median"] = np.nanmedian(x, axis=ax)
            if quantiles:
                g[name + "_quantile"] = np.moveaxis(np.nanquantile(x, Q, axis=ax), 0, -1)
    os.replace(tmp, store + ".np.h5")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    subprocess.run(["make", "-s", "build/release/bench/bench_aggregate"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="bench_agg_")
    store = os.path.join(work, "bench.h5")
    out = subprocess.run([os.path.join(ROOT, "build/release/bench/bench_aggregate"), store, str(a.replicates), str(a.rounds)],
                         capture_output=True, text=True, check=True).stdout
    kv = dict(line.split() for line in out.strip().splitlines())
    c_wall = float(kv["wall"])
    # np.nanquantile loops over the rows in Python once any row holds a NaN:
    # the same work without the quantiles, for the fairer ratio
    walls = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        numpy_aggregate(store, quantiles=False)
        walls.append(time.perf_counter() - t0)
    np_noq = float(np.median(walls))
    t0 = time.perf_counter()
    numpy_aggregate(store)
    np_wall = time.perf_counter() - t0
    with h5py.File(store, "r") as f, h5py.File(store + ".np.h5", "r") as g:
        worst = max(float(np.nanmax(np.abs(f[f"aggregate/density_{s}"][()] - g[f"aggregate/density_{s}"][()])))
                    for s in ("mean", "sd", "median", "quantile"))
    shutil.rmtree(work, ignore_errors=True)
    mb = int(kv["bytes"]) / 1e6
    print(f"aggregate of {kv['tasks']} tasks ({mb:.1f} MB of results, {a.replicates} seeds), "
          f"median of {a.rounds} rounds (the full NumPy peer: 1 round):")
    print("| | wall s | MB/s |")
    print("|---|---:|---:|")
    print(f"| tailsweep aggregate | {c_wall:.3f} | {mb / c_wall:.1f} |")
    print(f"| NumPy + h5py | {np_wall:.3f} | {mb / np_wall:.2f} |")
    print(f"| NumPy + h5py without quantiles | {np_noq:.3f} | {mb / np_noq:.1f} |")
    print(f"ratio (NumPy / tailsweep): {np_wall / c_wall:.1f}x, {np_noq / c_wall:.2f}x without quantiles; "
          f"largest difference in the density statistics {worst:.1e}")
    return 0 if worst < 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
