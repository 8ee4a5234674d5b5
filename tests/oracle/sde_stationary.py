#!/usr/bin/python3
"""tests/oracle/sde_stationary.py TAILSWEEP: the simulated stationary density
of the harmonic potential against its exact law, with scipy as the oracle.

For f(w) = k w^2 / 2 the SDE dw = -k w dt + eps dL (L with S1(1, theta, 0)
increments) is a Levy-driven Ornstein-Uhlenbeck process. Its stationary law
is eps * int_0^inf exp(-k s) dL_s, which is itself stable (Samorodnitsky and
Taqqu 1994, prop. 3.4.1, integrals of deterministic functions):
  alpha != 1:  S1(sigma, theta, 0),  sigma = eps (k alpha)^(-1/alpha)
               (sigma^alpha = int (eps e^{-ks})^alpha ds = eps^alpha / (k alpha));
  alpha == 1:  S1(eps / k, theta, mu),  mu = -(2/pi) theta int f ln f ds
               = (2/pi) theta (eps / k) (1 - ln eps),  f(s) = eps e^{-ks}.
The same result is in Sato, "Levy processes and infinitely divisible
distributions", section 17 (self-decomposable laws of OU processes).

The chain's KDE (fixed bandwidth h) is compared with the exact density
convolved with N(0, h^2), i.e. with what a KDE of the exact law estimates,
so the comparison has no smoothing bias. Remaining errors: Monte Carlo (64
chains x 400 time units, correlation time 1/k = 0.5) and the O(eta) Euler
bias (relative scale error ~ eta k (alpha - 1) / 2 < 1e-3). The TV bound 0.02
is ~3x the measured values (0.004-0.007). The alpha = 1 case also checks the
Levy-increment drift: with --noise paper the location is off by
(2/pi) theta eps log(eta) / k and the TV must be large.
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from scipy.stats import levy_stable, norm

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/release/tailsweep"
H = 0.05
failed = 0


def report(ok, name, why=""):
    global failed
    print(("PASS: %s" % name) if ok else ("FAIL: %s: %s" % (name, why)))
    failed += not ok


def simulate(alpha, theta, k, eps, extra=()):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "h.h5")
        cmd = [BIN, "sde", "--potential", "harmonic", "--k", str(k), "--eps", str(eps),
               "--alpha", str(alpha), "--theta", str(theta), "--eta", "1e-3",
               "--steps", "400000", "--chains", "64", "--thin", "10",
               "--bw", "fixed", "--bw_value", str(H), "-o", out, *extra]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr))
        with h5py.File(out, "r") as f:
            return f["x"][()], f["density"][()], float(f["out_mass"][()])


def exact_smoothed(x, alpha, theta, k, eps):
    if alpha == 1:
        scale, loc = eps / k, 2 / np.pi * theta * (eps / k) * (1 - np.log(eps))
    else:
        scale, loc = eps * (k * alpha) ** (-1 / alpha), 0.0
    # fine grid wide enough that the kernel's reach (8 h) is covered
    u = np.arange(x[0] - 8 * H, x[-1] + 8 * H + 1e-12, 0.004)
    p = levy_stable.pdf(u, alpha, theta, loc=loc, scale=scale)
    kern = norm.pdf((x[:, None] - u[None, :]) / H) / H
    return kern @ p * 0.004, scale, loc


cases = [(1.5, 0.5, 1.0, 1.0), (1.2, -0.8, 1.0, 1.0), (1.8, 0.0, 2.0, 0.7), (1.0, 0.5, 2.0, 1.0)]
for alpha, theta, k, eps in cases:
    name = "harmonic alpha=%g theta=%g k=%g eps=%g" % (alpha, theta, k, eps)
    try:
        x, dens, out_mass = simulate(alpha, theta, k, eps)
        ref, scale, loc = exact_smoothed(x, alpha, theta, k, eps)
        dx = x[1] - x[0]
        tv = 0.5 * np.sum(np.abs(dens - ref)) * dx
        report(tv < 0.02, "%s: TV to exact S1(%.4f, %g, %.4f) = %.4f < 0.02" % (name, scale, theta, loc, tv),
               "TV %.4f" % tv)
    except Exception as e:  # a crash of the binary is a failure, not an abort
        report(False, name, str(e))

# alpha = 1 without the Levy drift: the paper's literal recursion is off by
# (2/pi) theta eps log(eta) / k = -1.1 for theta 0.5, k 2: far from the law.
try:
    x, dens, _ = simulate(1.0, 0.5, 2.0, 1.0, ("--noise", "paper"))
    ref, _, _ = exact_smoothed(x, 1.0, 0.5, 2.0, 1.0)
    tv = 0.5 * np.sum(np.abs(dens - ref)) * (x[1] - x[0])
    report(tv > 0.2, "alpha=1 --noise paper misses the SDE's law (TV %.3f > 0.2)" % tv, "TV %.4f" % tv)
except Exception as e:
    report(False, "alpha=1 --noise paper", str(e))
sys.exit(1 if failed else 0)
