"""tests/oracle/scipy_stable_dist.py BINARY: tailsweep's alpha-stable density,
cdf and quantile against scipy.stats.levy_stable, and near alpha = 1 and in
light tails against Fourier inversion in mpmath.

    /usr/bin/python3 tests/oracle/scipy_stable_dist.py build/release/tailsweep

The C code is driven through the CLI (`BINARY pdf|cdf|quantile ...`), which
prints 17 significant digits. Prints "PASS: name" / "FAIL: name: why" lines
and exits 1 if anything failed.

scipy 1.10's levy_stable (default method "piecewise": Nolan's integral with
scipy.integrate.quad) is compared on alpha in {0.3, 0.5, 0.8, 1, 1.2, 1.5,
1.8, 2} x beta in {-1, -0.5, 0, 0.5, 1} x 6 points, S0 and S1, at 1e-9
relative, where scipy is itself accurate:
  - alpha within 0.01 of 1 with beta != 0 is left out (scipy's S1 constants
    lose digits there); alpha = 1 exactly is in;
  - values below 1e-8 are left out: scipy's quad runs with an absolute
    tolerance, so in the light tails of beta = +-1 it returns ~1e-20 where
    the density is 1e-86 (checked: Fourier inversion agrees with tailsweep
    to 1e-14 at such points, e.g. S1(1.2, -1) at x = 7, where scipy is off
    by 8e-8). Those regions are checked below against mpmath instead.
The default method is kept: its "zolotarev" alternative is the same
integral with a coarser tolerance, and "dni" is less accurate.

The independent check (mpmath, 40 digits): Fourier inversion of the S0
characteristic function, f = (1/pi) int_0^inf e^(-u^a) cos(u x + beta
tan(pi a/2)(u - u^a)) du, Gil-Pelaez for the cdf; S0 is continuous in alpha,
so alpha = 1 +- 1e-4 .. 1e-7 is as easy for it as any other alpha.
Run time: about 10 s with the sanitizer build.
"""
import subprocess
import sys

from oracle_report import Report
from stable_fourier import pdf_cdf_s0

try:
    import numpy as np
    from scipy.stats import levy_stable
    import mpmath as mp
except ImportError as e:
    print(f"FAIL: import: {e}")
    sys.exit(1)

TOL = 1e-9
RESULTS = Report()


def report(ok, name, why=""):
    RESULTS.check(name, ok, why)


def run_cli(binary, cmd, alpha, beta, param, pts, scale=1.0, loc=0.0):
    args = [binary, cmd, "--alpha", repr(alpha), "--beta", repr(beta), "--scale", repr(scale),
            "--loc", repr(loc), "--param", param, "--"] + [repr(float(p)) for p in pts]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(args[1:12])}: exit {r.returncode}: {r.stderr.strip()}")
    vals = [float(line.split()[1]) for line in r.stdout.splitlines()]
    if len(vals) != len(pts):
        raise RuntimeError(f"{len(vals)} values for {len(pts)} points")
    return np.array(vals)


def rel(a, b):
    return abs(a - b) / abs(b) if b != 0 else abs(a)


def scipy_grid(binary):
    alphas = [0.3, 0.5, 0.8, 1.0, 1.2, 1.5, 1.8, 2.0]
    betas = [-1.0, -0.5, 0.0, 0.5, 1.0]
    z = np.array([-4.0, -1.3, -0.35, 0.6, 2.2, 7.0])   # standardised points
    for param in ["S0", "S1"]:
        levy_stable.parameterization = param
        for ai, a in enumerate(alphas):
            for bi, b in enumerate(betas):
                if abs(a - 1) < 0.01 and a != 1 and b != 0:
                    continue
                # half the laws with a scale and a location, to check them too
                scale, loc = (1.7, -0.4) if (ai + bi) % 2 else (1.0, 0.0)
                x = loc + scale * z
                name = f"scipy {param} alpha={a} beta={b}"
                try:
                    pdf = run_cli(binary, "pdf", a, b, param, x, scale, loc)
                    cdf = run_cli(binary, "cdf", a, b, param, x, scale, loc)
                except RuntimeError as e:
                    report(False, name, str(e))
                    continue
                sp = levy_stable.pdf(x, a, b, loc=loc, scale=scale)
                sc = levy_stable.cdf(x, a, b, loc=loc, scale=scale)
                worst, where, n = 0.0, "", 0
                for i in range(len(x)):
                    if sp[i] * scale > 1e-8:
                        r = rel(pdf[i], sp[i]); n += 1
                        if r > worst: worst, where = r, f"pdf at {x[i]:g}: {pdf[i]!r} vs scipy {sp[i]!r}"
                    if min(sc[i], 1 - sc[i]) > 1e-8:
                        r = rel(cdf[i], sc[i]); n += 1
                        if r > worst: worst, where = r, f"cdf at {x[i]:g}: {cdf[i]!r} vs scipy {sc[i]!r}"
                report(worst <= TOL, f"{name} ({n} values, worst {worst:.1e})", where)


def scipy_quantiles(binary):
    """Our quantiles through scipy's cdf (scipy's own ppf is a slow root find)."""
    ps = [0.01, 0.2, 0.5, 0.83, 0.995]
    for param, a, b in [("S1", 1.5, 0.5), ("S0", 0.7, -0.3), ("S1", 1.0, 0.8), ("S0", 1.9, 1.0)]:
        levy_stable.parameterization = param
        try:
            q = run_cli(binary, "quantile", a, b, param, ps, 1.3, 0.2)
        except RuntimeError as e:
            report(False, f"quantile {param} {a} {b}", str(e))
            continue
        back = levy_stable.cdf(q, a, b, loc=0.2, scale=1.3)
        worst = max(rel(back[i], ps[i]) for i in range(len(ps)))
        report(worst <= TOL, f"quantile {param} alpha={a} beta={b}: scipy cdf(q(p)) = p (worst {worst:.1e})",
               f"{list(zip(ps, back))}")


def fourier_pdf_cdf(a, b, x):
    return pdf_cdf_s0(a, b, x, dps=mp.mp.dps)


def fourier_checks(binary):
    mp.mp.dps = 40
    # (alpha, beta, x in S0): near alpha = 1 with beta != 0 (scipy's gap),
    # the light tails where scipy's absolute tolerance hides the answer,
    # and the Cauchy corner.
    cases = [(0.9999, 0.5, 0.7), (1.00001, -0.8, -2.0), (1.0000001, 1.0, 1.5), (0.999, -0.3, 4.0),
             (1.001, 0.9, -3.0), (1.0, 0.7, 12.0), (1.00003, 0.00002, 0.9),
             (1.5, -1.0, 7.0), (1.2, 1.0, -4.0), (1.8, 1.0, -3.5), (0.99995, -1.0, 3.0)]
    for a, b, x in cases:
        f, F = fourier_pdf_cdf(a, b, x)
        try:
            pdf = run_cli(binary, "pdf", a, b, "S0", [x])[0]
            cdf = run_cli(binary, "cdf", a, b, "S0", [x])[0]
        except RuntimeError as e:
            report(False, f"fourier alpha={a} beta={b} x={x}", str(e))
            continue
        # light tails: the condition number d log f / d log x is ~100 there
        tol = 1e-10 if f < 1e-6 else TOL
        r1, r2 = rel(pdf, f), (rel(cdf, F) if min(F, 1 - F) > 1e-6 else abs(cdf - F))
        report(r1 <= tol and r2 <= tol,
               f"fourier S0 alpha={a} beta={b} x={x} (pdf {r1:.1e}, cdf {r2:.1e})",
               f"pdf {pdf!r} vs {f!r}, cdf {cdf!r} vs {F!r}")


def main():
    if len(sys.argv) != 2:
        print("FAIL: usage: scipy_stable_dist.py TAILSWEEP_BINARY")
        return 1
    binary = sys.argv[1]
    scipy_grid(binary)
    scipy_quantiles(binary)
    fourier_checks(binary)
    return RESULTS.exit_code()


if __name__ == "__main__":
    sys.exit(main())
