#!/usr/bin/env bash
# tests/cli/test_store_kill.sh KILLWRITE.so: a store survives kills, at the
# size CI affords (the full campaign is bench/store_kill_campaign.sh):
#  A. torn flushes, deterministically: the shim kills rank 0 half way through
#     its Nth write to the store, for a spread of N; each time the store is
#     read by h5py, then resumed (and killed again);
#  B. kill -9 of a whole 3-rank job at random moments, the store read by h5py
#     after every kill;
# and both end, resumed, bit-identical to an uninterrupted run, every task
# recorded once.
#   TAILSWEEP=build/release/tailsweep bash tests/cli/test_store_kill.sh build/release/tests/libkillwrite.so
. "$(dirname "$0")/lib.sh"
mpi_env
SHIM=${1:-}
T=$TAILSWEEP
MPIRUN="mpirun --oversubscribe --bind-to none"

# 240 tasks of a few ms, each with a 512-point density
cat > job.yaml <<'EOF2'
kind: sde
seed: 11
replicates: 4
params: {eta: 1.0e-3, steps: 20000, burnin: 2000, thin: 4, chains: 8, scheme: implicit, grid_n: 512}
axes:
  alpha: {linspace: [1.2, 1.9, 6]}
  theta: {linspace: [-0.8, 0.8, 10]}
EOF2

readable() {  # the store opens and every value reads, whatever state it is in
  "$PY" - "$1" <<'PY' >/dev/null 2>&1
import sys, h5py, numpy as np, xarray as xr
f = h5py.File(sys.argv[1], "r")
s = f["status"][()]
d = f["density"][()]
assert d.shape[-1] == 512 and s.min() >= 0 and s.max() <= 3
xr.open_dataset(sys.argv[1], engine="h5netcdf").load()
PY
}
same() {
  "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
skip = {"rank", "host", "wall_time", "end_time", "checksum", "attempt", "message"}
bad = [k for k in a if isinstance(a[k], h5py.Dataset) and k not in skip
       and not np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f")]
print("same" if not bad else "differ %s" % bad)
PY
}

$MPIRUN -n 3 "$T" run job.yaml --store ref.h5 --no-progress >/dev/null 2>&1 || fail "reference run" "exit $?"

# --- A: torn flushes at chosen writes ------------------------------------------
if [ -n "$SHIM" ] && [ -f "$SHIM" ]; then
  kills=0 unreadable=0
  for n in 2 5 9 14 20 27 35 44 54 65 77 90; do
    (KILLWRITE_AT=$n LD_PRELOAD=$SHIM exec "$T" run job.yaml --store torn.h5 --no-progress >/dev/null 2>>torn.err) 2>/dev/null
    [ $? -eq 137 ] && kills=$((kills + 1))
    [ -e torn.h5 ] && ! readable torn.h5 && unreadable=$((unreadable + 1))
  done
  "$T" run job.yaml --store torn.h5 --no-progress >/dev/null 2>torn.last; rc=$?
  "$T" status torn.h5 >st
  s=$(same ref.h5 torn.h5)
  if [ $rc -eq 0 ] && [ $kills -ge 8 ] && [ $unreadable -eq 0 ] && [ "$s" = same ] && grep -q "todo 0" st \
     && grep -q "tasks recorded more than once: 0" st; then
    pass "torn flushes: $kills kills half way through a write, the store readable after each, resumed identical"
  else fail "torn flushes" "rc=$rc kills=$kills unreadable=$unreadable $s $(cat st) $(tail -3 torn.err)"; fi
  # (a process killed mid-write never leaves a task marked done with torn
  # values: status is written last. Torn records come from crashed machines
  # and bad disks; test_store_cli.sh flips bytes to show they are found.)
else
  fail "torn flushes" "the shim ${SHIM:-(none)} is missing (make check builds it)"
fi

# --- B: kill -9 of a whole job at random moments --------------------------------
kills=0 unreadable=0
for i in $(seq 1 10); do
  $MPIRUN -n 3 "$T" run job.yaml --store k9.h5 --no-progress >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN{printf "%.2f", 0.2 + (s % 150) / 100}')"
  pkill -9 -P $pid 2>/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  pkill -9 -f "run job.yaml --store k9.h5" 2>/dev/null
  kills=$((kills + 1))
  [ -e k9.h5 ] && ! readable k9.h5 && unreadable=$((unreadable + 1))
done
$MPIRUN -n 3 "$T" run job.yaml --store k9.h5 --no-progress >/dev/null 2>&1; rc=$?
"$T" status k9.h5 >st
s=$(same ref.h5 k9.h5)
if [ $rc -eq 0 ] && [ $unreadable -eq 0 ] && [ "$s" = same ] && grep -q "todo 0" st \
   && grep -q "tasks recorded more than once: 0" st; then
  pass "kill -9 x$kills at random moments: the store readable after each, resumed identical, every task once"
else fail "kill -9 campaign" "rc=$rc unreadable=$unreadable $s $(cat st)"; fi
exit 0
