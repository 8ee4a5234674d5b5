#!/usr/bin/env bash
# bench/run.sh: every benchmark, each running tailsweep beside its peer in
# one run. Paste the printed tables into docs/benchmarks.md with this command.
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/stable_sampler.py "$@"
/usr/bin/python3 bench/sde_chains.py
build/release/bench/bench_sde_schemes 1.8 64 50000 31          # implicit vs Euler, basin counting
build/release/bench/bench_sde_schemes 1.8 64 50000 31 poly     # the same quartic as a user polynomial
/usr/bin/python3 bench/bench_kde.py
/usr/bin/python3 bench/linear_sgd.py
bench/sweep.sh
/usr/bin/python3 bench/mlp_torch.py
/usr/bin/python3 bench/cnn_torch.py
bench/mimic_cost.sh
/usr/bin/python3 bench/gradnoise_scipy.py
/usr/bin/python3 bench/aggregate_vs_numpy.py
/usr/bin/python3 bench/mle_vs_scipy.py   # ~20 min: scipy's own fit; --quick skips it
# The accurate density against its earlier self (and libstable, if $LIBSTABLE
# names a libstable.so you built: its sources are not in Debian)
build/release/bench/bench_density --base "$(bench/build_base.sh)" ${LIBSTABLE:+--libstable "$LIBSTABLE"}
/usr/bin/python3 bench/python_vs_scipy.py   # the Python module; a few minutes (scipy's fit)
# check on 10^5-10^7-value axes against main before it walked the grid once (~5 min)
bench/check_scale.sh
bash bench/ckpt_cost.sh build/release/tailsweep   # task checkpoints: write cost, stop + resume; ~10 min
