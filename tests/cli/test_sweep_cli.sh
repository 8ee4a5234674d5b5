#!/usr/bin/env bash
# tests/cli/test_sweep_cli.sh: the sweep engine end to end: check, run alone
# and under mpirun, bit-identical stores for 1, 2 and 3 ranks, resume, a
# second writer refused, signals (exit 75, then resume), kill -9 at random
# moments many times without losing or duplicating a task, failed tasks
# recorded and retried, and the store read back by h5dump, h5py and xarray.
#   TAILSWEEP=build/release/tailsweep bash tests/cli/test_sweep_cli.sh
# MPI runs use the binary given; Open MPI's plugins leak at exit in ways
# LeakSanitizer cannot attribute, so leak checks are off for MPI processes
# (the sweep's own code is leak-checked by tests/unit/test_journal.c and
# test_store.c).
. "$(dirname "$0")/lib.sh"
mpi_env
T=$TAILSWEEP
MPIRUN="mpirun --oversubscribe --bind-to none"

# same_results A B: result datasets equal bit for bit (timing, rank and host differ by design)
same_results() {
  "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
skip = {"rank", "host", "wall_time", "end_time", "checksum", "attempt", "message"}
bad = [k for k in a if k not in skip and not np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f")]
print("same" if not bad and set(a) == set(b) else "differ: %s" % bad)
PY
}

# wait_started STORE PID: until the job PID has journaled a task (at most
# 30 s, and no longer than PID lives), so signals and a second writer meet a
# running sweep, not one still starting
wait_started() {
  for _ in $(seq 1 300); do
    "$T" status "$1" 2>/dev/null | grep -q "journal records [1-9]" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# --- check ---------------------------------------------------------------
"$T" check "$repo/jobs/smoke.yaml" >out 2>err
[ $? -eq 0 ] && grep -q "12 tasks" out && pass "check smoke.yaml: valid, 12 tasks" || fail "check smoke" "$(cat out err)"
for j in fig6 shiftmap; do
  "$T" check "$repo/jobs/$j.yaml" >out 2>err && grep -q "valid; kind sde" out && grep -q "^grid: " out \
    && pass "check $j.yaml: valid, with its grid" || fail "check $j" "$(cat out err)"
done
printf 'kind: sde\nparams:\n  eta: 1e-3\naxs:\n  alpha: [1.5]\n' > badkey.yaml
"$T" check badkey.yaml >out 2>err; rc=$?
[ $rc -eq 2 ] && grep -q "badkey.yaml:4" err && grep -q "axs" err && pass "check names file:line:key of an unknown key" || fail "check bad key" "rc=$rc $(cat err)"
printf 'kind: sde\naxes:\n  alpha: [1.5, 2.5]\n' > badval.yaml
"$T" check badval.yaml >out 2>err; rc=$?
[ $rc -eq 2 ] && grep -q "badval.yaml:3" err && grep -q "alpha" err && pass "check names an out-of-range axis value" || fail "check bad value" "rc=$rc $(cat err)"
"$T" check nosuch.yaml >out 2>err; [ $? -eq 3 ] && pass "check: missing file is exit 3" || fail "check missing" "$(cat err)"

# --- small job used below: 24 tasks of ~0.15 s -----------------------------
cat > job.yaml <<'EOF2'
kind: sde
seed: 3
replicates: 3
params: {eta: 1.0e-3, steps: 300000, burnin: 1000, thin: 10, chains: 16, scheme: implicit, grid_n: 64}
axes:
  alpha: [1.8, 1.4]
  theta: {linspace: [-0.6, 0.6, 4]}
EOF2

# --- 1, 2, 3 ranks: bit-identical ---------------------------------------------
"$T" run job.yaml --store r1.h5 --no-progress >out 2>err; rc1=$?
$MPIRUN -n 2 "$T" run job.yaml --store r2.h5 --no-progress >out 2>err2; rc2=$?
$MPIRUN -n 3 "$T" run job.yaml --store r3.h5 --no-progress >out 2>err3; rc3=$?
if [ $rc1$rc2$rc3 = 000 ] && [ "$(same_results r1.h5 r2.h5)" = same ] && [ "$(same_results r1.h5 r3.h5)" = same ]; then
  pass "stores bit-identical for 1, 2 and 3 ranks"
else fail "rank independence" "rc=$rc1$rc2$rc3 $(same_results r1.h5 r2.h5) $(same_results r1.h5 r3.h5) $(cat err err2 err3 | tail -5)"; fi
"$PY" - <<'PY' && pass "h5py and xarray read the run's store with its coordinates" || fail "xarray" "see above"
import h5py, numpy as np, xarray as xr
f = h5py.File("r3.h5", "r")
assert f["density"].dims[0][0].name == "/alpha" and f["status"][()].min() == 1
ds = xr.open_dataset("r3.h5", engine="h5netcdf")
assert list(ds["tv"].dims[:3]) == ["alpha", "theta", "replicate"], ds["tv"].dims
assert np.allclose(ds["theta"].values, [-0.6, -0.2, 0.2, 0.6]) and list(ds["alpha"].values) == [1.8, 1.4]
assert ds["density"].sel(alpha=1.4, theta=ds["theta"].values[2], replicate=1).shape == (64,)
PY
h5dump -H r3.h5 >/dev/null 2>&1 && pass "h5dump reads the store" || fail "h5dump" "exit $?"

# --- rerun resumes (nothing left) and a different job is refused ------------
"$T" run job.yaml --store r1.h5 --no-progress >out 2>err; rc=$?
[ $rc -eq 0 ] && grep -q "ran 0 " err && pass "rerunning a finished job runs nothing" || fail "resume noop" "rc=$rc $(cat err)"
sed 's/seed: 3/seed: 4/' job.yaml > other.yaml
"$T" run other.yaml --store r1.h5 --no-progress >out 2>err; rc=$?
[ $rc -eq 2 ] && grep -q "different job" err && pass "a different job on the same store is refused" || fail "foreign job" "rc=$rc $(cat err)"

# --- a second writer is refused while the first runs ------------------------
"$T" run job.yaml --store busy.h5 --no-progress >/dev/null 2>&1 &
first=$!
wait_started busy.h5 $first
"$T" run job.yaml --store busy.h5 --no-progress >out 2>err; rc=$?
"$T" status busy.h5 >st 2>&1
[ $rc -eq 3 ] && grep -q "another job" err && pass "second job on a locked store refused (exit 3)" || fail "lock" "rc=$rc $(cat err)"
grep -q "a job is running" st && pass "status works while the job writes" || fail "status live" "$(cat st)"
kill -TERM $first; wait $first 2>/dev/null

# --- signals: clean stop with exit 75 within 5 s, then resume --------------
# How each is delivered: SIGUSR1 to mpirun (it forwards USR1 to the ranks;
# the SLURM checkpoint path), SIGTERM to every rank (what srun and scancel
# do), SIGTERM and SIGINT to a run without mpirun. (SIGTERM to mpirun itself
# makes mpirun abort the job; the journal stays consistent, see kill -9.)
sigrun() {  # sigrun HOW SIG
  rm -f sig.h5*
  if [ "$1" = alone ]; then "$T" run job.yaml --store sig.h5 --no-progress >/dev/null 2>err &
  else $MPIRUN -n 3 "$T" run job.yaml --store sig.h5 --no-progress >/dev/null 2>err & fi
  pid=$!
  wait_started sig.h5 $pid
  t0=$(date +%s.%N)
  if [ "$1" = ranks ]; then pkill -$2 -P $pid; else kill -$2 $pid; fi
  wait $pid; rc=$?; t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
  $MPIRUN -n 3 "$T" run job.yaml --store sig.h5 --no-progress >/dev/null 2>err2; rc2=$?
  if [ $rc -eq 75 ] && awk -v s="$secs" 'BEGIN{exit !(s < 5)}' && [ $rc2 -eq 0 ] && [ "$(same_results r1.h5 sig.h5)" = same ]; then
    pass "SIG$2 to $1: exit 75 in ${secs}s, resume completes, results identical"
  else fail "SIG$2 to $1" "rc=$rc in ${secs}s, resume rc=$rc2, $(same_results r1.h5 sig.h5) $(tail -n 2 err err2)"; fi
}
sigrun mpirun USR1
sigrun ranks TERM
sigrun alone TERM
sigrun alone INT

# --- kill -9 at random moments, many times --------------------------------
rm -f k9.h5*
kills=0 readable=1
for i in $(seq 1 8); do
  $MPIRUN -n 3 "$T" run job.yaml --store k9.h5 --no-progress >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN{printf "%.2f", 0.3 + (s % 250) / 100}')"
  # kill the whole job: mpirun and every rank
  pkill -9 -P $pid 2>/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  pkill -9 -f "run job.yaml --store k9.h5" 2>/dev/null
  kills=$((kills + 1))
  [ -e k9.h5 ] && { h5dump -H k9.h5 >/dev/null 2>&1 || readable=0; }
done
"$T" run job.yaml --store k9.h5 --no-progress >/dev/null 2>err; rc=$?
"$T" status k9.h5 >st
if [ $rc -eq 0 ] && [ $readable = 1 ] && grep -q "todo 0" st && grep -q "tasks recorded more than once: 0" st \
   && grep -q "journal records 24 " st && [ "$(same_results r1.h5 k9.h5)" = same ]; then
  pass "kill -9 x$kills: store always readable, resume completes, 24 records, none duplicated, results identical"
else fail "kill -9" "rc=$rc readable=$readable $(cat st) $(same_results r1.h5 k9.h5)"; fi

# --- failing points are recorded, do not stop the sweep, and can be retried --
cat > failing.yaml <<'EOF2'
kind: sde
params: {eta: 1.0e-3, steps: 3000, burnin: 2000, chains: 8, grid_n: 64}
axes:
  alpha: [1.8, 1.1]
  bound: [1.0e6, 0.5]
EOF2
"$T" run failing.yaml --store f.h5 --no-progress >out 2>err; rc=$?
"$T" status f.h5 >st
[ $rc -eq 1 ] && grep -q "done 2, diverged 0, failed 2" st && grep -q "no samples were binned" st \
  && pass "failing points recorded with their message; the sweep finishes (exit 1)" || fail "failed tasks" "rc=$rc $(cat st err)"
"$T" run failing.yaml --store f.h5 --retry-failed --no-progress >out 2>err; rc=$?
att=$("$PY" -c "import h5py; f = h5py.File('f.h5'); print(sorted(f['attempt'][()].ravel().tolist()))")
[ $rc -eq 1 ] && [ "$att" = "[1, 1, 2, 2]" ] && pass "--retry-failed reruns only the failed tasks (attempts $att)" \
  || fail "retry" "rc=$rc attempts=$att"

# --- the sanitizer build through the same paths (alone and 2 ranks) --------
if [ -n "${TAILSWEEP_ASAN:-}" ] && [ -x "$TAILSWEEP_ASAN" ]; then
  "$TAILSWEEP_ASAN" run "$repo/jobs/smoke.yaml" --store as1.h5 --no-progress >out 2>err; rc1=$?
  $MPIRUN -n 2 "$TAILSWEEP_ASAN" run "$repo/jobs/smoke.yaml" --store as2.h5 --no-progress >out 2>err2; rc2=$?
  "$TAILSWEEP_ASAN" status as2.h5 >st 2>&1; rc3=$?
  "$TAILSWEEP_ASAN" check "$repo/jobs/fig6.yaml" >out 2>>err; rc4=$?
  if [ $rc1$rc2$rc3$rc4 = 0000 ] && grep -q "todo 0" st && [ "$(same_results as1.h5 as2.h5)" = same ]; then
    pass "ASan/UBSan build: run alone and on 2 ranks, status, check: clean and identical"
  else fail "asan sweep" "rc=$rc1$rc2$rc3$rc4 $(tail -n 5 err err2)"; fi
fi
