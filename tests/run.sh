#!/usr/bin/env bash
# tests/run.sh ASAN_DIR RELEASE_DIR: runs every test and prints one closing
# line, "N passed, N failed". Unit tests (cmocka) run from the sanitizer
# build; the CLI and oracle scripts drive the sanitizer-built binary too, so
# ASan/UBSan watch the whole suite. Exit status is non-zero if anything failed.
set -u
asan=${1:-build/asan}
release=${2:-build/release}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TAILSWEEP="$PWD/$asan/tailsweep"
py=/usr/bin/python3
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$asan"/tests/test_*; do
  [ -x "$t" ] || continue
  "$t" >"$log" 2>&1
  rc=$?
  cat "$log"
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

# Scripts print "PASS: name" / "FAIL: name: why", one line per check.
count_script() {
  "$@" >"$log" 2>&1
  rc=$?
  cat "$log"
  passed=$((passed + $(grep -c '^PASS: ' "$log")))
  failed=$((failed + $(grep -c '^FAIL: ' "$log")))
  if [ "$rc" -ne 0 ]; then echo "FAIL: $* exited $rc"; failed=$((failed + 1)); fi
}
count_script bash tests/cli/test_sample_cli.sh
count_script "$release/simd/simd_bits"   # scalar == SIMD bits: optimised build only
count_script "$py" scripts/gen_vlog_table.py --check   # the log table against mpmath
count_script "$py" scripts/gen_vmath_poly.py --check   # sin/cos coefficients against mpmath
count_script "$py" tests/oracle/scipy_sampler.py "$TAILSWEEP"
count_script bash tests/cli/test_sde_cli.sh
count_script bash tests/cli/test_linear_cli.sh
count_script "$py" tests/oracle/linear_numpy.py "$PWD/$asan/oracle/linear_driver"
count_script bash tests/cli/test_gni_cli.sh
count_script bash tests/cli/test_fit_cli.sh
count_script bash tests/cli/test_dist_cli.sh "$TAILSWEEP"
count_script "$py" tests/oracle/scipy_stable_dist.py "$TAILSWEEP"
count_script "$py" tests/oracle/sklearn_kde.py "$PWD/$asan/oracle/kde_driver"
count_script "$py" tests/oracle/scipy_stable_fast.py "$PWD/$asan/oracle/stable_fast_driver"
# The Python module (python/tailsweep, pytest): the release build's shared library.
count_script bash tests/python/run_pytest.sh "$PWD/$release/libtailsweep.so"
count_script "$py" tests/oracle/store_xarray.py "$PWD/$asan/oracle/store_writer"
count_script "$py" tests/oracle/scipy_gradnoise.py "$PWD/$asan/oracle/gradnoise_driver"
count_script "$py" tests/oracle/mlp_torch.py "$PWD/$asan/oracle/mlp_driver"
count_script "$py" tests/oracle/data_numpy.py "$PWD/$asan/oracle/data_driver"
count_script "$py" tests/oracle/gni_opt_torch.py "$PWD/$asan/oracle/gni_opt_driver"
count_script "$py" tests/oracle/aggregate_numpy.py "$TAILSWEEP" "$PWD/$asan/oracle/agg_store_writer"
count_script bash tests/cli/test_aggregate_cli.sh "$PWD/$asan/oracle/agg_store_writer"
# Long statistical runs (10^8 chain steps in all) use the optimised build;
# the sanitizer build covers the same code paths in the shorter tests above.
count_script env TAILSWEEP="$PWD/$release/tailsweep" bash tests/cli/test_sde_stats.sh
count_script "$py" tests/oracle/sde_stationary.py "$PWD/$release/tailsweep"
count_script "$py" tests/oracle/sde_exits.py "$PWD/$release/tailsweep"
# GNI learning (Fashion-MNIST, a 3-rank sweep) needs the optimised build.
count_script env TAILSWEEP="$PWD/$release/tailsweep" bash tests/cli/test_gni_learn.sh
count_script env TAILSWEEP="$PWD/$release/tailsweep" bash tests/cli/test_gni_noise_cli.sh
# The sweep's MPI, signal and kill -9 scenarios run ~20 sweeps: the
# optimised build, plus a pass of the sanitizer build through the same paths.
count_script env TAILSWEEP="$PWD/$release/tailsweep" TAILSWEEP_ASAN="$TAILSWEEP" bash tests/cli/test_sweep_cli.sh
# The store's promises to its user (refusals, journal and record damage, a lock
# without flock): the sanitizer build, the release one under the flock shim.
count_script env TAILSWEEP_RELEASE="$PWD/$release/tailsweep" bash tests/cli/test_store_cli.sh "$PWD/$release/tests/libnoflock.so"
# Kills in the middle of writes and at random moments: the optimised build
# (ASan's own pwrite interceptor sits where the shim must).
count_script env TAILSWEEP="$PWD/$release/tailsweep" bash tests/cli/test_store_kill.sh "$PWD/$release/tests/libkillwrite.so"

# slurm/ on a real single-node SLURM (loopback); it runs daemons, so root only.
if [ "$(id -u)" -eq 0 ]; then
  count_script bash tests/slurm/test_slurm.sh "$PWD/$release/tailsweep"
else
  echo "note: tests/slurm/test_slurm.sh skipped (needs root to run slurmctld/slurmd/munged)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
