#!/usr/bin/python3
"""tools/gni_paired_summary.py {fig7|fig4} STORE.h5 [STORE.h5 ...] [--control STORE.h5 ...]

The paired statistics of docs/gni.md for the paper's figures 7 and 4, from
the stores of jobs/fig7.yaml / jobs/fig7_mlp.yaml and jobs/fig4.yaml. The
trainings of a job are the zipped axis zip0; a seed (replicate) pairs them:
with shared_init they start from the same weights and data, which this
checks (the step-0 losses must agree across the trainings of a seed).
Several stores of the same job run with other `seed:` values are pooled as
more seeds.

fig7: per seed the final test loss and accuracy of baseline (no noise),
noise (GNIs) and explicit reg (L + R); the paired differences R - noise,
R - baseline, noise - baseline: mean, 95% t interval, how many seeds are
below 0, and the two-sided p-values of the paired t test, of Wilcoxon's
signed-rank test and of the sign test.

fig4: per seed the step each training diverged at (if it did), and how far
each mimic's training-loss curve is from M = 1's: the mean over the logged
steps after step 0 of |loss(mimic) - loss(M = 1)| (a diverged curve has no
distance). The paper's claim is that the stable mimic tracks M = 1 more
closely than the Gaussian one: the paired difference stable (clipped) -
Gaussian, with the same tests; and the shuffled control (mimic: shuffled,
the M = 1 noise's own values permuted across each layer's weights) against
them, from the job itself or from --control stores of jobs/fig4_shuffled.yaml
(run with the same seeds: its M = 1 and M = 16 trainings must equal the main
job's bit for bit, which is checked). The figures themselves are `tailsweep plot
STORE --figure fig7` and `--figure fig4` (one store each).

Tasks neither done nor diverged are left out; NaN is missing.
"""
import argparse
import sys

import h5py
import numpy as np
from scipy import stats


def dim_names(d):
    return [x[0].name.rsplit("/", 1)[-1] if len(x) else f"dim{k}" for k, x in enumerate(d.dims)]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def arranged(f, name):
    """Result `name` as [zip0, replicate, ...], tasks neither done nor
    diverged (status 1, 3) as NaN; a diverged task keeps what it logged
    before its blow-up (NaN after it)."""
    x, n = np.array(f[name][()], dtype=float), dim_names(f[name])
    order = ["zip0", "replicate"] + [k for k in n if k not in ("zip0", "replicate")]
    x = np.transpose(x, [n.index(k) for k in order])
    st = np.transpose(f["status"][()], [dim_names(f["status"]).index(k) for k in ("zip0", "replicate")])
    st = st.reshape(st.shape + (1,) * (x.ndim - 2))
    return np.where((st == 1) | (st == 3), x, np.nan)


def pooled(stores, name):
    """The stores' `name` arrays joined along the replicate axis."""
    return np.concatenate([arranged(f, name) for f in stores], axis=1)


def check_paired(stores, name):
    """With shared_init the trainings of a seed start from the same weights
    and data: their step-0 losses are equal."""
    x = pooled(stores, name)[:, :, 0]
    spread = np.nanmax(x, axis=0) - np.nanmin(x, axis=0)
    shared = [int(f.attrs["shared_init"]) if "shared_init" in f.attrs else "unset" for f in stores]
    print(f"step-0 {name}: largest spread across the trainings of a seed {np.nanmax(spread):.3g} "
          f"(shared_init: {', '.join(map(str, shared))})")


def paired(d, what):
    """One line of paired statistics for per-seed differences d."""
    d = d[np.isfinite(d)]
    if d.size < 2:
        return f"{what}: {d.size} pair(s)"
    m, se = d.mean(), d.std(ddof=1) / np.sqrt(d.size)
    half = stats.t.ppf(0.975, d.size - 1) * se
    p_t = stats.ttest_1samp(d, 0).pvalue
    p_w = stats.wilcoxon(d).pvalue if np.any(d != 0) else 1.0
    neg = int((d < 0).sum())
    p_s = stats.binomtest(neg, int((d != 0).sum()), 0.5).pvalue if np.any(d != 0) else 1.0
    return (f"{what}: {m:+.4f} +- {half:.4f} (95% t, {d.size} seeds; sd {d.std(ddof=1):.4f}), {neg} of {d.size} "
            f"below 0; p: t {p_t:.3g}, Wilcoxon {p_w:.3g}, sign {p_s:.3g}")


def fig7(stores):
    objs = [text(v) for v in stores[0]["objective"][()]]
    noises = [text(v) for v in stores[0]["noise"][()]]
    lab = ["explicit reg" if o == "explicit_reg" else "baseline" if n == "none" else "noise"
           for o, n in zip(objs, noises)]
    idx = {k: lab.index(k) for k in ("baseline", "noise", "explicit reg")}
    check_paired(stores, "train_loss")
    fin, acc = pooled(stores, "final_test_loss"), pooled(stores, "final_test_accuracy")
    print("seed  " + "  ".join(f"{k:>22s}" for k in idx) + "   (final test loss / accuracy)")
    for r in range(fin.shape[1]):
        print(f"{r:4d}  " + "  ".join(f"{fin[i, r]:13.4f} / {acc[i, r]:.3f}" for i in idx.values()))
    print("means " + "  ".join(f"{np.nanmean(fin[i]):13.4f} / {np.nanmean(acc[i]):.3f}" for i in idx.values()))
    b, n, r = idx["baseline"], idx["noise"], idx["explicit reg"]
    for x, nm in ((fin, "final test loss"), (acc, "final test accuracy")):
        print(paired(x[r] - x[n], f"{nm}, R - noise"))
        print(paired(x[r] - x[b], f"{nm}, R - baseline"))
        print(paired(x[n] - x[b], f"{nm}, noise - baseline"))


def fig4_labels(f):
    """A label per training (the zipped axis) of a fig4-like store."""
    Ms = f["M"][()]
    mim = [text(v) for v in f["mimic"][()]]
    trunc = f["mimic_truncate"][()] if "mimic_truncate" in f else np.ones(len(mim))
    lab = []
    for k, m in enumerate(mim):
        if m == "none":
            lab.append(f"M = {int(Ms[k])}")
        elif m == "stable":
            lab.append(f"M = {int(Ms[k])} + stable" + (" (clipped)" if trunc[k] else " (unclipped)"))
        else:
            lab.append(f"M = {int(Ms[k])} + {m}")
    return lab


def fig4(stores, controls):
    lab = fig4_labels(stores[0])
    check_paired(stores, "train_loss")
    loss, div = pooled(stores, "train_loss"), pooled(stores, "diverged_at")
    if controls:
        # the control job's trainings join the seeds they pair with: its plain
        # trainings must be the main job's, bit for bit (shared_init, same seeds)
        clab = fig4_labels(controls[0])
        closs, cdiv = pooled(controls, "train_loss"), pooled(controls, "diverged_at")
        if closs.shape[1:] != loss.shape[1:]:
            sys.exit("fig4 --control: the control stores must hold the same seeds and steps, in the same order")
        for k, l in enumerate(clab):
            if l in lab:
                same = np.array_equal(closs[k], loss[lab.index(l)], equal_nan=True)
                print(f"control {l}: {'bit-identical to' if same else 'DIFFERS from'} the main job's (pairing)")
                if not same:
                    sys.exit("fig4 --control: the trainings are not paired (shared_init, seeds, job settings)")
            else:
                lab.append(l)
                loss = np.concatenate([loss, closs[k:k + 1]])
                div = np.concatenate([div, cdiv[k:k + 1]])
    ref = lab.index("M = 1")
    # a diverged curve is NaN from its blow-up on: it has no distance
    dist = np.nanmean(np.abs(loss[:, :, 1:] - loss[ref][None, :, 1:]), axis=2)
    dist[np.isnan(loss[:, :, -1])] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ldist = np.nanmean(np.abs(np.log(loss[:, :, 1:]) - np.log(loss[ref][None, :, 1:])), axis=2)
    ldist[np.isnan(loss[:, :, -1])] = np.nan
    print("seed  " + "  ".join(f"{k:>24s}" for k in lab) + "   (diverged at / mean |loss - loss(M = 1)|)")
    for r in range(loss.shape[1]):
        cells = []
        for k in range(len(lab)):
            dv = "-" if np.isnan(div[k, r]) else f"{div[k, r]:.0f}"
            cells.append(f"{dv:>8s} / {dist[k, r]:13.4f}")
        print(f"{r:4d}  " + "  ".join(cells))
    fin = loss[:, :, -1]
    print("final train loss, mean over seeds: " + ", ".join(f"{l} {np.nanmean(fin[k]):.4f}" for k, l in enumerate(lab)))
    st = lab.index("M = 16 + stable (clipped)")
    ga = lab.index("M = 16 + gaussian")
    m16 = lab.index("M = 16")
    print(paired(dist[st] - dist[ga], "distance to M = 1, stable (clipped) - Gaussian"))
    print(paired(ldist[st] - ldist[ga], "log distance (mean |log loss - log loss(M = 1)|), stable (clipped) - Gaussian"))
    print(paired(dist[st] - dist[m16], "distance to M = 1, stable (clipped) - plain M = 16"))
    print(paired(dist[ga] - dist[m16], "distance to M = 1, Gaussian - plain M = 16"))
    if "M = 16 + shuffled" in lab:   # the control: the noise's own values, permuted across weights
        sh = lab.index("M = 16 + shuffled")
        print(paired(dist[sh] - dist[m16], "distance to M = 1, shuffled - plain M = 16"))
        print(paired(dist[sh] - dist[st], "distance to M = 1, shuffled - stable (clipped)"))
        print(paired(dist[sh] - dist[ga], "distance to M = 1, shuffled - Gaussian"))
    for k in range(len(lab)):
        if k != ref:
            print(paired(fin[k] - fin[ref], f"final train loss, {lab[k]} - M = 1"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("figure", choices=["fig7", "fig4"])
    ap.add_argument("stores", nargs="+")
    ap.add_argument("--control", nargs="+", default=[],
                    help="fig4: stores of jobs/fig4_shuffled.yaml, one per store above, same seeds")
    a = ap.parse_args()
    stores = [h5py.File(p, "r") for p in a.stores]
    controls = [h5py.File(p, "r") for p in a.control]
    fig7(stores) if a.figure == "fig7" else fig4(stores, controls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
