"""tests/oracle/scipy_sampler.py BINARY: tailsweep's alpha-stable sampler
against an independent implementation, scipy.stats.levy_stable.

    /usr/bin/python3 tests/oracle/scipy_sampler.py build/release/tailsweep

For each law, 20000 draws from `BINARY sample` and 20000 from scipy's
levy_stable.rvs are compared with the two-sample Kolmogorov-Smirnov test.
Prints one line per law, "PASS: scipy ks ..." or "FAIL: ...", and always
exits 0: tests/run.sh counts the lines.

The seeds of both sides are fixed, so the outcome is deterministic and a
failure reproduces. A case passes when p > 1e-3: were the seeds drawn at
random, a correct sampler would fail a given case with probability 1e-3
(p is uniform under H0), about 0.7% for the seven cases together. With
n = 20000 a side, KS notices a gap of about 0.02 between the two CDFs;
flipping the sign of beta in any case here opens a far wider one.

scipy's rvs is vectorised Chambers-Mallows-Stuck, a few milliseconds per
20000 draws for every law here, S0 included, so no case needs a smaller n.

The symmetric sub-Weibull law of `sample --law subweibull --r R --scale S`
(docs/math.md section 4.7) is scipy.stats.dweibull(c = 1/R, scale = S): its
draws are compared with dweibull's own CDF by the one-sample KS test, at the
same level, for r = 0.8, 1 and 2 (the paper's figure 3); getting the
exponent the wrong way round (c = r) is a gap far beyond 0.02.
"""
import subprocess
import sys

try:
    import numpy as np
    from scipy.stats import dweibull, ks_1samp, ks_2samp, levy_stable
except ImportError as e:
    print(f"FAIL: scipy import: {e}")
    sys.exit(0)

N = 20000
SCALE, LOC = 1.3, -0.4
P_MIN = 1e-3
# (alpha, beta, parameterisation): alpha < 1, = 1 and > 1, both signs of beta,
# the totally skewed edges beta = +-1, and one S0 law.
CASES = [
    (1.5, 0.5, "S1"),
    (1.1, -0.9, "S1"),
    (0.7, 0.3, "S1"),
    (1.0, 0.5, "S1"),
    (1.8, -1.0, "S1"),
    (0.5, 1.0, "S1"),
    (1.2, 0.8, "S0"),
]


SUBWEIBULL_R = [0.8, 1.0, 2.0]


def tailsweep_draws(binary, alpha, beta, param, seed, law_args=None):
    cmd = [binary, "sample", "--alpha", repr(alpha), "--beta", repr(beta),
           "--scale", repr(SCALE), "--loc", repr(LOC), "--param", param,
           "-n", str(N), "--seed", str(seed)]
    if law_args:
        cmd = [binary, "sample"] + law_args + ["-n", str(N), "--seed", str(seed)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"exit {run.returncode}: {run.stderr.strip()}")
    x = np.array(run.stdout.split(), dtype=float)
    if x.size != N:
        raise RuntimeError(f"{x.size} values, want {N}")
    return x


def scipy_draws(alpha, beta, param, seed):
    # Set every time, explicitly: scipy's default parameterisation has changed
    # between releases, and this global is shared by every caller.
    levy_stable.parameterization = param
    return levy_stable.rvs(alpha, beta, loc=LOC, scale=SCALE, size=N,
                           random_state=np.random.default_rng(seed))


def main():
    if len(sys.argv) != 2:
        print("FAIL: scipy ks: usage: scipy_sampler.py TAILSWEEP_BINARY")
        return
    binary = sys.argv[1]
    for i, (alpha, beta, param) in enumerate(CASES):
        name = f"scipy ks {alpha} {beta} {param}"
        try:
            x = tailsweep_draws(binary, alpha, beta, param, seed=101 + i)
        except (OSError, RuntimeError) as e:
            print(f"FAIL: {name}: tailsweep sample: {e}")
            continue
        y = scipy_draws(alpha, beta, param, seed=1001 + i)
        res = ks_2samp(x, y)
        verdict = "PASS" if res.pvalue > P_MIN else "FAIL"
        print(f"{verdict}: {name} (D={res.statistic:.4f}, p={res.pvalue:.3g})")
    for i, r in enumerate(SUBWEIBULL_R):
        name = f"scipy dweibull ks subweibull r {r}"
        try:
            x = tailsweep_draws(binary, 0, 0, "", seed=201 + i,
                                law_args=["--law", "subweibull", "--r", repr(r), "--scale", repr(SCALE)])
        except (OSError, RuntimeError) as e:
            print(f"FAIL: {name}: tailsweep sample: {e}")
            continue
        res = ks_1samp(x, dweibull(1 / r, scale=SCALE).cdf)
        verdict = "PASS" if res.pvalue > P_MIN else "FAIL"
        print(f"{verdict}: {name} (D={res.statistic:.4f}, p={res.pvalue:.3g})")


main()
sys.exit(0)
