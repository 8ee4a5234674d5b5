#!/usr/bin/env bash
# tests/run.sh [--stub] ASAN_DIR RELEASE_DIR: runs every test and prints one
# closing line, "N passed, N failed". Exit status is non-zero if anything
# failed.
#
# Which build each test uses:
#   - the unit tests (cmocka) and the oracle drivers: the sanitizer build
#     (ASan + UBSan) only;
#   - the CLI and oracle scripts: the sanitizer-built binary, except those
#     marked "release" in cli_suites below, which run the optimised binary
#     because they simulate 10^8 steps, train networks, run ~20 MPI sweeps,
#     or need a pwrite shim that ASan's own interceptor would hide; each of
#     those paths is also run, shorter, under the sanitizers elsewhere;
#   - simd_bits compares the optimised build's SIMD and scalar bits.
#
# --stub runs only the CLI and oracle scripts, against a stub binary that
# prints nothing and exits 0: every one of their checks must then fail, so
# a check that passes there checks nothing. `make check` runs this mode too,
# as one check.
set -u
stub_mode=0
if [ "${1:-}" = --stub ]; then stub_mode=1; shift; fi
asan=${1:-build/asan}
release=${2:-build/release}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
py=/usr/bin/python3
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log" "${stub_log:-}"; [ -z "${stub_pid:-}" ] || kill "$stub_pid" 2>/dev/null' EXIT

# Scripts print "PASS: name" / "FAIL: name: why", one line per check.
# Each suite's wall time goes to the log (a "time:" line, counted as
# neither), so a slow CI run shows where its minutes went.
count_script() {
  local t0=$SECONDS
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  if [ "$stub_mode" -eq 0 ]; then
    local a name=$1
    for a in "$@"; do case $a in tests/* | scripts/* | */simd_bits) name=$a; break ;; esac; done
    echo "time: $((SECONDS - t0)) s for $name"
  fi
  passed=$((passed + $(grep -c '^PASS: ' "$log")))
  failed=$((failed + $(grep -c '^FAIL: ' "$log")))
  if [ "$rc" -ne 0 ]; then echo "FAIL: $* exited $rc"; failed=$((failed + 1)); fi
}

# Every script that drives the tailsweep binary: $1 the sanitizer-built
# binary, $2 the optimised one ("release").
cli_suites() {
  local bin=$1 rel=$2 drivers=$PWD/$asan/oracle
  count_script env TAILSWEEP="$bin" bash tests/cli/test_sample_cli.sh
  count_script "$py" tests/oracle/scipy_sampler.py "$bin"
  count_script env TAILSWEEP="$bin" bash tests/cli/test_sde_cli.sh
  count_script env TAILSWEEP="$bin" bash tests/cli/test_linear_cli.sh
  count_script env TAILSWEEP="$bin" bash tests/cli/test_gni_cli.sh
  count_script env TAILSWEEP="$bin" bash tests/cli/test_fit_cli.sh
  count_script bash tests/cli/test_dist_cli.sh "$bin"
  count_script "$py" tests/oracle/scipy_stable_dist.py "$bin"
  count_script "$py" tests/oracle/aggregate_numpy.py "$bin" "$drivers/agg_store_writer"
  count_script env TAILSWEEP="$bin" bash tests/cli/test_aggregate_cli.sh "$drivers/agg_store_writer"
  count_script env TAILSWEEP="$bin" bash tests/cli/test_figures_cli.sh "$drivers/agg_store_writer"
  # the first hour: make run's figure and next steps, check on big and absurd
  # jobs, repeated axis values, run's ETA, the paths single points write
  count_script env TAILSWEEP="$bin" TAILSWEEP_RELEASE="$rel" bash tests/cli/test_firstrun_cli.sh
  # release: long statistical runs (10^8 chain steps in all)
  count_script env TAILSWEEP="$rel" bash tests/cli/test_sde_stats.sh
  count_script "$py" tests/oracle/sde_stationary.py "$rel"
  count_script "$py" tests/oracle/sde_exits.py "$rel"
  # release: GNI learning (Fashion-MNIST, a 3-rank sweep)
  count_script env TAILSWEEP="$rel" bash tests/cli/test_gni_learn.sh
  count_script env TAILSWEEP="$rel" bash tests/cli/test_gni_noise_cli.sh
  # release: the sweep's MPI, signal and kill -9 scenarios (~20 sweeps), plus
  # a pass of the sanitizer build through the same paths
  count_script env TAILSWEEP="$rel" TAILSWEEP_ASAN="$bin" bash tests/cli/test_sweep_cli.sh
  # release: task checkpoints: stop mid-task and resume, alone and under
  # mpirun -n 3, and single-point commands (the kinds' state round trips run
  # under the sanitizers in test_ckpt, and one single-point stop here)
  count_script env TAILSWEEP="$rel" TAILSWEEP_ASAN="$bin" bash tests/cli/test_ckpt_cli.sh
  # the store's promises (refusals, journal and record damage): the sanitizer
  # build; release under the flock shim
  count_script env TAILSWEEP="$bin" TAILSWEEP_RELEASE="$rel" bash tests/cli/test_store_cli.sh \
    "$PWD/$release/tests/libnoflock.so"
  # release: kills in the middle of writes (ASan's own pwrite interceptor
  # sits where the shim must)
  count_script env TAILSWEEP="$rel" bash tests/cli/test_store_kill.sh "$PWD/$release/tests/libkillwrite.so"
}

# The stub: a binary that prints nothing and exits 0.
run_stub() {
  local dir stub
  dir=$(mktemp -d)
  stub=$dir/tailsweep
  printf '#!/bin/sh\nexit 0\n' >"$stub"
  chmod +x "$stub"
  cli_suites "$stub" "$stub"
  rm -rf "$dir"
}

if [ "$stub_mode" -eq 1 ]; then
  run_stub
  echo "stub: $passed checks passed against a binary that prints nothing (must be 0), $failed failed"
  [ "$passed" -eq 0 ]
  exit
fi

# The stub mode (below) runs beside the unit tests and oracles, which time
# nothing: it is mostly interpreters starting, and this way it costs the
# suite no wall time. It is collected at the end.
stub_log=$(mktemp)
bash "$0" --stub "$asan" "$release" >"$stub_log" 2>&1 &
stub_pid=$!

for t in "$asan"/tests/test_*; do
  [ -x "$t" ] || continue
  t0=$SECONDS
  "$t" >"$log" 2>&1
  rc=$?
  cat "$log"
  echo "time: $((SECONDS - t0)) s for $(basename "$t")"
  p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$log" | tail -1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$log" | tail -1)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  # a crash (sanitizer abort, signal) prints no summary: count it as a failure
  if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
    echo "FAIL: $(basename "$t") exited $rc without a cmocka summary"
    failed=$((failed + 1))
  fi
done

count_script "$release/simd/simd_bits"   # release: scalar == SIMD bits
count_script "$py" scripts/gen_vlog_table.py --check   # the log table against mpmath
count_script "$py" scripts/gen_vmath_poly.py --check   # sin/cos coefficients against mpmath
# oracle drivers (sanitizer build) against NumPy, SciPy, scikit-learn, torch, xarray
count_script "$py" tests/oracle/linear_numpy.py "$PWD/$asan/oracle/linear_driver"
count_script "$py" tests/oracle/sklearn_kde.py "$PWD/$asan/oracle/kde_driver"
count_script "$py" tests/oracle/scipy_stable_fast.py "$PWD/$asan/oracle/stable_fast_driver"
# The Python module (python/tailsweep, pytest): the release build's shared library.
count_script bash tests/python/run_pytest.sh "$PWD/$release/libtailsweep.so"
count_script "$py" tests/oracle/store_xarray.py "$PWD/$asan/oracle/store_writer"
count_script "$py" tests/oracle/scipy_gradnoise.py "$PWD/$asan/oracle/gradnoise_driver"
count_script "$py" tests/oracle/mlp_torch.py "$PWD/$asan/oracle/mlp_driver"
count_script "$py" tests/oracle/cnn_torch.py "$PWD/$asan/oracle/cnn_driver"
count_script "$py" tests/oracle/data_numpy.py "$PWD/$asan/oracle/data_driver"
count_script "$py" tests/oracle/gni_opt_torch.py "$PWD/$asan/oracle/gni_opt_driver"
# the repository's own rules: the library never prints, the tests import
# only what the default install provides
count_script bash tests/repo/test_library_quiet.sh "$release/libtailsweep.a" "$asan/libtailsweep.a"
count_script "$py" tests/repo/test_imports.py
cli_suites "$PWD/$asan/tailsweep" "$PWD/$release/tailsweep"

# slurm/ on a real single-node SLURM (loopback); it runs daemons, so root only.
if [ "$(id -u)" -eq 0 ]; then
  count_script bash tests/slurm/test_slurm.sh "$PWD/$release/tailsweep"
else
  echo "note: tests/slurm/test_slurm.sh skipped (needs root to run slurmctld/slurmd/munged)"
fi

# Every CLI check must fail against a binary that prints nothing.
wait "$stub_pid"
stub_pass=$(grep -c '^PASS: ' "$stub_log")
if [ "$stub_pass" -eq 0 ]; then
  echo "PASS: stub binary: every CLI check fails against a binary that prints nothing and exits 0 ($(grep -c '^FAIL: ' "$stub_log") failed)"
  passed=$((passed + 1))
else
  echo "FAIL: stub binary: $stub_pass CLI checks pass against a binary that prints nothing: $(grep '^PASS: ' "$stub_log" | head -5 | tr '\n' ';')"
  failed=$((failed + 1))
fi
rm -f "$stub_log"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
