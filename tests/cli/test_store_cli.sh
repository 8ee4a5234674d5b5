#!/usr/bin/env bash
# tests/cli/test_store_cli.sh NOFLOCK.so: the store never destroys or mixes a
# user's data, as a new user would try it: `run --store` on files that are not
# this job's store, a finished job run again, outputs never overwritten,
# stores of different jobs never combined, job identity from the parsed job,
# a damaged or missing journal, a damaged record in the store, temporary
# files and a full disk, missing values as NaN, one-point outputs as stores,
# and the lock on a file system without flock (simulated by NOFLOCK.so).
#   TAILSWEEP=build/asan/tailsweep TAILSWEEP_RELEASE=build/release/tailsweep \
#     bash tests/cli/test_store_cli.sh build/release/tests/libnoflock.so
. "$(dirname "$0")/lib.sh"
mpi_env
NOFLOCK=${1:-}
REL=${TAILSWEEP_RELEASE:-$repo/build/release/tailsweep}
sum() { md5sum "$1" | cut -d' ' -f1; }

cat > job.yaml <<'EOF2'
kind: sde
seed: 5
replicates: 2
params: {eta: 1.0e-3, steps: 4000, burnin: 500, chains: 8, grid_n: 64}
axes:
  alpha: [1.8, 1.4]
  theta: [-0.5, 0.5]
EOF2
# the same job, reformatted: block style, comments, 0.001 as 1e-3, keys reordered
cat > same.yaml <<'EOF2'
# a comment
kind: sde
replicates: 2
seed: 5
axes:
  alpha: [1.8, 1.4]   # stability
  theta: [-0.5, 0.5]
params:
  grid_n: 64
  chains: 8
  burnin: 5.0e2
  steps: 4000
  eta: 0.001
EOF2
sed 's/steps: 4000/steps: 5000/' job.yaml > steps.yaml

run run job.yaml --store ok.h5 --no-progress
[ $rc -eq 0 ] || fail "setup" "rc=$rc $(cat "$W/err")"

# --- 1. run --store refuses what is not this job's store ------------------
refuse() {  # refuse NAME PATH WORD
  local before; before=$(sum "$2")
  run run job.yaml --store "$2" --no-progress
  if [ $rc -eq 2 ] && grep -q -- "$3" "$W/err" && grep -q -- "--force" "$W/err" && [ "$(sum "$2")" = "$before" ] \
     && [ ! -e "$2.journal" ]; then pass "run --store refuses $1, unchanged, saying what to do"
  else fail "run refuses $1" "rc=$rc $(cat "$W/err")"; fi
}
echo "my notes" > notes.txt
refuse "a text file" notes.txt "not an HDF5 file"
cp job.yaml jobcopy.yaml
refuse "the job file itself" jobcopy.yaml "not an HDF5 file"
"$TAILSWEEP" sample --alpha 1.5 -n 100 -o s.h5 2>/dev/null
refuse "a sample output" s.h5 "sample"
run run job.yaml --store other.h5 --seed 6 --no-progress
run aggregate -o stack.h5 ok.h5 other.h5
refuse "a stacked store" stack.h5 "stack"
run run job.yaml --store notes.txt --force --no-progress
if [ $rc -eq 0 ] && grep -q "replaced (--force)" "$W/err" && "$PY" -c "import h5py; h5py.File('notes.txt')['tv']"; then
  pass "run --force replaces such a file with the job's store, and says so"
else fail "run --force" "rc=$rc $(cat "$W/err")"; fi
mkdir dir.h5
t0=$(date +%s.%N)
run run job.yaml --store dir.h5 --no-progress
t1=$(date +%s.%N)
if [ $rc -eq 3 ] && grep -q "directory" "$W/err" && lt "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" 5; then
  pass "a directory as the store is refused at once (exit 3)"
else fail "directory store" "rc=$rc $(cat "$W/err")"; fi
run run job.yaml --store notes.txt/sub/store.h5 --no-progress
if [ $rc -eq 3 ] && grep -q "cannot create the folder" "$W/err"; then
  pass "an unwritable store path is refused before any task runs"
else fail "unwritable store" "rc=$rc $(cat "$W/err")"; fi

# --- the journal missing, empty, damaged; a damaged record ---------------------
cp ok.h5 nojournal.h5
run run job.yaml --store nojournal.h5 --no-progress
if [ $rc -eq 0 ] && grep -q "ran 0 " "$W/err" && grep -q "not in the journal" "$W/err" && grep -q "kept" "$W/err" \
   && [ -s nojournal.h5.journal ]; then
  pass "a store without its journal: checked against the job inside it, nothing rerun, the journal rebuilt"
else fail "missing journal" "rc=$rc $(cat "$W/err")"; fi
run run steps.yaml --store nojournal.h5 --no-progress
if [ $rc -eq 2 ] && grep -q "params.steps: 4000 vs 5000" "$W/err"; then
  pass "a store of another job is refused, the setting that differs named with both values"
else fail "other job" "rc=$rc $(cat "$W/err")"; fi
: > nojournal.h5.journal
run run job.yaml --store nojournal.h5 --no-progress
if [ $rc -eq 0 ] && grep -q "ran 0 " "$W/err" && grep -q "missing or empty" "$W/err"; then
  pass "an empty journal next to a complete store: reported, nothing recomputed"
else fail "empty journal" "rc=$rc $(cat "$W/err")"; fi
# damage in the middle of the journal: reported with the records lost
size=$(stat -c %s nojournal.h5.journal)
dd if=/dev/zero of=nojournal.h5.journal bs=1 seek=$((size / 3)) count=200 conv=notrunc 2>/dev/null
run run job.yaml --store nojournal.h5 --no-progress
if [ $rc -eq 0 ] && grep -q "ran 0 " "$W/err" && grep -Eq "journal is damaged: 1 damaged stretch \([0-9]+ bytes\), [1-9][0-9]* records? lost" "$W/err"; then
  pass "journal damage before its tail: reported with the records lost; the store decides"
else fail "journal damage" "rc=$rc $(cat "$W/err")"; fi
# a flipped byte in a task's values: found, reported, recomputed, same result
cp ok.h5 flip.h5
cp ok.h5.journal flip.h5.journal
off=$("$PY" -c "
import h5py
f = h5py.File('flip.h5', 'r'); d = f['density']
print(d.id.get_offset() + (5 * 64 + 10) * 8 + 3)")
printf '\xff' | dd of=flip.h5 bs=1 seek="$off" count=1 conv=notrunc 2>/dev/null
"$TAILSWEEP" status flip.h5 >/dev/null 2>&1
run run job.yaml --store flip.h5 --no-progress
same=$("$PY" - <<'PY'
import h5py, numpy as np
a, b = h5py.File("ok.h5", "r"), h5py.File("flip.h5", "r")
skip = {"rank", "host", "wall_time", "end_time", "checksum", "attempt"}
print("same" if all(np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f") for k in a
                    if isinstance(a[k], h5py.Dataset) and k not in skip) else "differ")
PY
)
if [ $rc -eq 0 ] && grep -q "ran 1 " "$W/err" && grep -q "1 task record failed its checksum" "$W/err" \
   && grep -q "task 5;" "$W/err" && [ "$same" = same ]; then
  pass "a damaged record in the store: detected by its checksum, reported, recomputed, identical result"
else fail "flipped byte" "rc=$rc $same $(cat "$W/err")"; fi

# --- 2, 5. a finished job run again changes nothing; identity is the parsed job
run aggregate ok.h5
before=$(sum ok.h5)
run run same.yaml --store ok.h5 --no-progress
if [ $rc -eq 0 ] && grep -q "ran 0 " "$W/err" && [ "$(sum ok.h5)" = "$before" ] \
   && "$PY" -c "import h5py; h5py.File('ok.h5')['aggregate/tv_mean']"; then
  pass "the same job reformatted (comments, order, 1e-3) is the same job; a finished job run again changes nothing, /aggregate stays"
else fail "finished job" "rc=$rc $(cat "$W/err")"; fi

# --- 3, 4. outputs never overwritten; stores of different jobs never combined
cp ok.h5 keep.h5
run aggregate -o keep.h5 ok.h5 other.h5
if [ $rc -eq 3 ] && grep -q "exists" "$W/err" && cmp -s keep.h5 ok.h5; then
  pass "aggregate -o never overwrites an existing file without --force"
else fail "aggregate -o existing" "rc=$rc $(cat "$W/err")"; fi
run aggregate -o keep.h5 --force ok.h5 other.h5
if [ $rc -eq 0 ] && ! cmp -s keep.h5 ok.h5 && "$PY" -c "import h5py,sys; f=h5py.File('keep.h5'); sys.exit(0 if 'seed' in f and 'aggregate' in f else 1)"; then
  pass "aggregate -o --force replaces it with the stacked, aggregated store"
else fail "aggregate -o --force" "rc=$rc $(cat "$W/err")"; fi
run run steps.yaml --store steps.h5 --seed 9 --no-progress
run aggregate -o mixed.h5 ok.h5 steps.h5
if [ $rc -eq 2 ] && grep -q "hold different jobs" "$W/err" && grep -q "params.steps: 4000 vs 5000" "$W/err" \
   && [ ! -e mixed.h5 ]; then pass "aggregate -o refuses stores of different jobs, naming the keys and values"
else fail "aggregate -o mixed" "rc=$rc $(cat "$W/err")"; fi
echo keep > out.csv
run export ok.h5 --csv -o out.csv
[ $rc -eq 3 ] && [ "$(cat out.csv)" = keep ] && pass "export -o never overwrites without --force" \
  || fail "export -o existing" "rc=$rc $(cat "$W/err")"

# --- 7. no temporary file left by a signal; an output too big for the disk -----
"$TAILSWEEP" sample --alpha 1.5 -n 100000000 -o big.csv 2>/dev/null &
pid=$!
seen=0
for _ in $(seq 1 50); do ls big.csv.tmp.* >/dev/null 2>&1 && { seen=1; break; }; sleep 0.1; done
kill -TERM $pid; wait $pid 2>/dev/null
left=$(ls | grep -c "\.tmp\." || true)
# the temporary file existed while it wrote, and is gone after the signal
[ $seen -eq 1 ] && [ "$left" -eq 0 ] && [ ! -e big.csv ] && pass "a signal leaves no temporary file and no partial output" \
  || fail "temp files" "seen=$seen $(ls)"
run sample --alpha 1.5 -n 1000000000000000 -o huge.h5
if [ $rc -eq 3 ] && grep -q "GB free" "$W/err" && [ ! -e huge.h5 ] && [ "$(ls | grep -c '\.tmp\.' || true)" -eq 0 ]; then
  pass "sample refuses, at once, an output that will not fit on the disk"
else fail "full disk" "rc=$rc $(cat "$W/err")"; fi

# --- missing values: NaN with _FillValue; xarray and aggregate need no masking -----
cat > failing.yaml <<'EOF2'
kind: sde
replicates: 3
params: {eta: 1.0e-3, steps: 3000, burnin: 2000, chains: 8, grid_n: 64}
axes:
  bound: [1.0e6, 0.5]
EOF2
run run failing.yaml --store miss.h5 --no-progress
run aggregate miss.h5
out=$("$PY" - <<'PY'
import h5py, numpy as np, xarray as xr
ds = xr.open_dataset("miss.h5", engine="h5netcdf")
raw = h5py.File("miss.h5", "r")
ok = np.isnan(raw["diverged"].attrs["_FillValue"])
st = raw["status"][()]
d = raw["diverged"][()]
ok &= bool(np.isnan(d[st == 2]).all() and np.isfinite(d[st == 1]).all())   # failed: NaN, never a number
m = ds["diverged"].mean().item()                                          # no masking by hand
ok &= abs(m - np.nanmean(d)) < 1e-15 and np.isfinite(m)
agg = xr.open_dataset("miss.h5", engine="h5netcdf", group="aggregate")
ok &= list(agg["diverged_count"].values) == [3, 0]                         # only present values count
ok &= bool(np.isnan(agg["diverged_mean"].values[1]))
ok &= "rank" in ds and np.isnan(ds["rank"].where(ds["status"] == 0).values).all()
print("ok" if ok else "bad")
PY
)
[ "$out" = ok ] && pass "a missing value is NaN with _FillValue: xarray's mean and /aggregate's count need no masking" \
  || fail "missing values" "$out"

# --- one-point outputs are stores of one task ------------------------------
run sde --alpha 1.6 --theta 0.4 --steps 20000 --chains 8 -o one.h5
run info one.h5
i=$rc
run export one.h5 --csv --vars tv
e=$rc
out=$("$PY" - <<'PY'
import xarray as xr, numpy as np
ds = xr.open_dataset("one.h5", engine="h5netcdf")
ok = ds["status"].shape == () and int(ds["status"]) == 1 and float(ds.attrs["alpha"]) == 1.6
ok &= "replicate" not in ds.dims and np.isfinite(ds["tv"].values).all()
print("ok" if ok else "bad %s" % ds)
PY
)
if [ $i -eq 0 ] && [ $e -eq 0 ] && grep -q "^tv," "$W/out" && [ "$out" = ok ]; then
  pass "a one-point output (sde -o) is a store of one task: xarray opens it, info and export read it"
else fail "one-point store" "info=$i export=$e $out"; fi

# --- the lock where flock is missing (simulated) ------------------------------
if [ -n "$NOFLOCK" ] && [ -f "$NOFLOCK" ]; then
  # tasks of a few seconds that do not diverge, so the holder is still running
  sed 's/steps: 4000/steps: 3000000, scheme: implicit/' job.yaml > slow.yaml
  LD_PRELOAD=$NOFLOCK "$REL" run slow.yaml --store nf.h5 --no-progress >nf.out 2>nf.err &
  holder=$!
  for _ in $(seq 1 100); do [ -s nf.h5.lock ] && break; sleep 0.1; done
  LD_PRELOAD=$NOFLOCK "$REL" run slow.yaml --store nf.h5 --no-progress >out2 2>err2; rc2=$?
  LD_PRELOAD=$NOFLOCK "$REL" status nf.h5 >st 2>&1
  if [ $rc2 -eq 3 ] && grep -q "another job" err2 && grep -q "a job is running" st; then
    pass "without flock the lease keeps a second job off the store (exit 3), and status sees the holder"
  else fail "noflock second job" "rc=$rc2 $(cat err2 st)"; fi
  kill -9 $holder; wait $holder 2>/dev/null
  grep -q "flock is not available" nf.err && pass "the run says flock is unavailable and the lease guards the store" \
    || fail "noflock note" "$(cat nf.err)"
  # the holder is dead: its lease goes silent and, past its time to live, is taken over
  sleep 3
  TAILSWEEP_LOCK_TTL=2 LD_PRELOAD=$NOFLOCK "$REL" run job.yaml --store nf2.h5 --no-progress >/dev/null 2>&1
  cp nf.h5.lock nf2.h5.lock
  TAILSWEEP_LOCK_TTL=2 LD_PRELOAD=$NOFLOCK "$REL" run job.yaml --store nf2.h5 --no-progress >out3 2>err3; rc3=$?
  [ $rc3 -eq 0 ] && grep -q "0 failed, 0 todo" err3 \
    && pass "a dead job's lease is taken over once silent past its time to live" \
    || fail "stale lease" "rc=$rc3 $(cat err3)"
else
  fail "noflock" "the shim ${NOFLOCK:-(none)} is missing (make check builds it)"
fi
exit 0
