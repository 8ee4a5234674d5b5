#!/usr/bin/python3
"""tools/sgd_tail_index_summary.py STORE.h5 [--from-step S]

The tables of docs/gni.md ("Minibatch noise") from the store of
jobs/sgd_tail_index.yaml (or any gni store swept over depth, width and
batch): the tail index (gradnoise_tail_index) and McCulloch alpha
(gradnoise_alpha) of each task, averaged over its hidden weight layers and
over the measurements at steps >= S (default: the second half of the run);
then per grid cell (mean over seeds, and the seeds' sd), the marginal means
over each axis with their standard errors, the index by layer and by step.
NaN (not measured, undefined, layers a shallower network lacks) is left
out of every mean.
"""
import argparse
import sys

import h5py
import numpy as np


def names(d):
    return [x[0].name.rsplit("/", 1)[-1] for x in d.dims]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("store")
    ap.add_argument("--from-step", type=float)
    a = ap.parse_args()
    f = h5py.File(a.store, "r")
    n = names(f["gradnoise_tail_index"])
    axes = [k for k in ("depth", "width", "batch") if k in n]
    if not axes:
        sys.exit("the store has no depth, width or batch axis")
    order = axes + ["replicate", "layer", "step"]
    pick = lambda name: np.transpose(f[name][()], [names(f[name]).index(k) for k in order])
    ti, al = pick("gradnoise_tail_index"), pick("gradnoise_alpha")
    steps = f["step"][()]
    s0 = a.from_step if a.from_step is not None else steps[-1] / 2
    when = steps >= s0
    coords = {k: f[k][()] for k in axes}
    L = ti.shape[len(axes) + 1]
    out_layer = L - 1   # the output layer is the last row (max_depth or depth)
    depth_of = lambda idx: int(coords["depth"][idx[axes.index("depth")]]) if "depth" in axes else out_layer

    def task_means(x):
        """Per task: mean over hidden layers and the chosen steps."""
        res = np.full(x.shape[:len(axes) + 1], np.nan)
        for idx in np.ndindex(*x.shape[:len(axes)]):
            hid = list(range(depth_of(idx)))
            v = x[idx][:, hid][:, :, when]
            res[idx] = np.nanmean(v.reshape(v.shape[0], -1), axis=1)
        return res

    tim, alm = task_means(ti), task_means(al)
    print(f"{a.store}: means over hidden layers at steps >= {s0:g}; cells: mean over seeds (sd)")
    for idx in np.ndindex(*tim.shape[:-1]):
        lab = ", ".join(f"{k} {coords[k][i]:g}" for k, i in zip(axes, idx))
        acc = ""
        if "final_test_accuracy" in f:
            fa = np.transpose(f["final_test_accuracy"][()], [names(f["final_test_accuracy"]).index(k) for k in axes + ["replicate"]])
            acc = f", test accuracy {np.nanmean(fa[idx]):.3f}"
        print(f"  {lab}: tail index {np.nanmean(tim[idx]):.3f} ({np.nanstd(tim[idx]):.3f}), "
              f"alpha {np.nanmean(alm[idx]):.3f} ({np.nanstd(alm[idx]):.3f}){acc}")
    for name, x in (("tail index", tim), ("McCulloch alpha", alm)):
        for k, ax in enumerate(axes):
            cells = np.moveaxis(x, k, 0).reshape(x.shape[k], -1)
            parts = []
            for i, v in enumerate(cells):
                v = v[np.isfinite(v)]
                parts.append(f"{coords[ax][i]:g}: {v.mean():.3f} (se {v.std(ddof=1) / np.sqrt(v.size):.3f})")
            print(f"{name} by {ax}: " + ", ".join(parts))
    if "depth" in axes:
        k = axes.index("depth")
        for i, dv in enumerate(coords["depth"]):
            sub = np.take(ti, i, axis=k)
            rows = list(range(int(dv))) + [out_layer]
            print(f"tail index by layer, depth {dv:g} (hidden ..., output): "
                  + ", ".join(f"{np.nanmean(sub[..., l, :][..., when]):.2f}" for l in rows))
    per_step = []
    for j in range(len(steps)):
        vals = []
        for idx in np.ndindex(*ti.shape[:len(axes)]):
            vals.append(ti[idx][:, :depth_of(idx), j].ravel())
        per_step.append(np.nanmean(np.concatenate(vals)))
    print("tail index by step: " + ", ".join(f"{s:g}: {v:.3f}" for s, v in zip(steps, per_step)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
