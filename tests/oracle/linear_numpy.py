"""tests/oracle/linear_numpy.py LINEAR_DRIVER: the linear kind's numerics
against numpy and torch, on data the C side generated and wrote out
(tests/oracle/linear_driver.c, sanitizer build).

    /usr/bin/python3 tests/oracle/linear_numpy.py build/asan/oracle/linear_driver

Checks, per configuration (least squares and the diagonal network, d > n,
d < n, d = n, three spectra):
  - pinv(X) y against numpy.linalg.pinv (an SVD by LAPACK, not GSL's
    pivoted QR): relative difference 1e-9 x cond(X) / 100, i.e. well inside
    what two backward-stable methods can disagree by (eps cond(X) ~ 1e-14
    cond(X)), cond over the singular values pinv keeps; including a
    numerically rank-deficient X (power spectrum j^-60: rank 2 of 30);
  - the clipped mean gradient at a random point against torch autograd of
    the per-example losses, each example's gradient clipped in theta space
    (DP-SGD), float64: 1e-12 relative to its norm (a few dozen roundings);
  - the train and test losses, ||beta - w*|| and ||beta||_1 of a short GD run
    recomputed by numpy from its final beta: 1e-12 relative;
  - the test labels are Xt w* (1e-12), a sparse teacher has k nonzeros of
    norm teacher_scale (1e-12);
  - statistics of the design (n = 5000, fixed seed): each column's sample
    variance is within 0.1 of lambda_j relatively (5 standard deviations of
    sqrt(2/n) = 0.02), and the label noise's sample std within 5% of 0.2
    (sd 1%)."""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_report import Report  # noqa: E402

driver = sys.argv[1] if len(sys.argv) > 1 else "build/asan/oracle/linear_driver"
rep = Report()
torch.set_default_dtype(torch.float64)


def run(model, n, d, k, spec, clip, seed, decay=1):
    out = tempfile.mkdtemp()
    p = subprocess.run([driver, out, model, str(n), str(d), str(k), spec, str(clip), str(seed), str(decay)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr
    r = {name: np.loadtxt(os.path.join(out, name + ".txt"), ndmin=1)
         for name in ["X", "y", "Xt", "yt", "wstar", "lambda", "wmn", "theta", "rows", "grad", "beta", "final"]}
    r["X"] = r["X"].reshape(n, d)
    r["Xt"] = r["Xt"].reshape(-1, d)
    return r, ""


def rel(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(np.linalg.norm(b), 1e-300)


def torch_grad(model, X, y, theta, clip):
    d = X.shape[1]
    total = torch.zeros(len(theta))
    for i in range(X.shape[0]):
        th = torch.tensor(theta, requires_grad=True)
        beta = th if model == "ls" else th[:d] ** 2 - th[d:] ** 2
        loss = 0.5 * (torch.tensor(X[i]) @ beta - y[i]) ** 2
        (g,) = torch.autograd.grad(loss, th)
        if clip > 0:
            g = g * min(1.0, clip / float(g.norm()))
        total += g
    return (total / X.shape[0]).numpy()


cases = [("ls", 30, 80, 0, "iso", 0, 1), ("ls", 80, 30, 0, "cond", 1.0, 2),
         ("dln", 30, 80, 5, "cond", 0.5, 3), ("dln", 50, 50, 3, "power", 0, 4),
         ("dln", 40, 20, 0, "iso", 2.0, 6), ("ls", 30, 80, 0, "power", 0, 8, 60), ("ls", 80, 30, 0, "power", 0, 9, 60)]
for model, n, d, k, spec, clip, seed, *decay in cases:
    decay = decay[0] if decay else 1
    tag = f"{model} n={n} d={d} k={k} {spec} decay={decay} clip={clip}"
    r, err = run(model, n, d, k, spec, clip, seed, decay)
    if not rep.check(f"driver runs ({tag})", r is not None, err):
        continue
    X, y = r["X"], r["y"]
    s = np.linalg.svd(X, compute_uv=False)
    s = s[s > 1e-12 * s[0]]          # the rank cut below: the condition that matters
    cond = s[0] / s[-1]
    # rcond 1e-12: between the singular values kept (>= 1e-9 s_max here) and
    # those cut (<= 5e-15 s_max), so numpy's and GSL's cut agree on the rank
    e = rel(r["wmn"], np.linalg.pinv(X, rcond=1e-12) @ y)
    rep.check(f"pinv(X) y matches numpy ({tag})", e < 1e-9 * max(cond, 100) / 100,
              f"relative difference {e:.3g}, cond {cond:.3g}")
    rows = int(r["rows"][0])
    g = torch_grad(model, X[:rows], y[:rows], r["theta"], clip)
    e = rel(r["grad"], g)
    rep.check(f"clipped gradient matches torch autograd ({tag})", e < 1e-12, f"relative difference {e:.3g}")
    if clip > 0:   # the clip must bind for that check to test clipping
        rep.check(f"clipping changes the gradient ({tag})",
                  rel(torch_grad(model, X[:rows], y[:rows], r["theta"], 0), g) > 1e-3)
    b = r["beta"]
    ref = [np.sum((X @ b - y) ** 2) / (2 * n), np.sum((r["Xt"] @ b - r["yt"]) ** 2) / (2 * len(r["yt"])),
           np.linalg.norm(b - r["wstar"]), np.abs(b).sum()]
    e = max(abs(a - c) / abs(c) for a, c in zip(r["final"], ref))
    rep.check(f"losses and norms match numpy ({tag})", e < 1e-12, f"worst relative difference {e:.3g}")
    rep.check(f"test labels are Xt w* ({tag})", rel(r["yt"], r["Xt"] @ r["wstar"]) < 1e-12)
    if k > 0:
        nz = np.count_nonzero(r["wstar"])
        rep.check(f"sparse teacher: {k} nonzeros of norm 1.5 ({tag})",
                  nz == k and abs(np.linalg.norm(r["wstar"]) - 1.5) < 1e-12, f"{nz} nonzeros")

for spec in ["cond", "power"]:
    r, err = run("ls", 5000, 4, 0, spec, 0, 7)
    if not rep.check(f"driver runs (n=5000 {spec})", r is not None, err):
        continue
    var = r["X"].var(axis=0, ddof=0)
    e = np.max(np.abs(var / r["lambda"] - 1))
    rep.check(f"column variances match the {spec} spectrum", e < 0.1, f"worst relative difference {e:.3g}")
    sd = np.std(r["y"] - r["X"] @ r["wstar"])
    rep.check(f"label noise std 0.2 ({spec})", abs(sd / 0.2 - 1) < 0.05, f"std {sd:.4g}")
sys.exit(rep.exit_code())
