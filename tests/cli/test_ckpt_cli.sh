#!/usr/bin/env bash
# tests/cli/test_ckpt_cli.sh: task checkpoints end to end. For each kind
# (sde, linear, gni): a job of two tasks of a few seconds each is stopped by
# SIGTERM at a random moment in the middle of its tasks (alone, and under
# mpirun -n 3 with SIGTERM to every rank), `status` lists the tasks with a
# checkpoint and how far each got, and the resumed run continues from them
# (its note says so) and ends with results bit-identical to an uninterrupted
# run; the checkpoint folder is gone once the job is done. A damaged
# checkpoint and another job's are reported, ignored (the task starts over)
# and removed, with results still identical. A bad checkpoint_every is
# refused with the file, line and key. The single-point commands (sde,
# linear, train with -o) checkpoint to OUT.h5.ckpt and continue the same way.
#   TAILSWEEP=build/release/tailsweep bash tests/cli/test_ckpt_cli.sh
# The random moments come from RANDOM seeded below (fixed).
. "$(dirname "$0")/lib.sh"
mpi_env
T=$TAILSWEEP
MPIRUN="mpirun --oversubscribe --bind-to none"
RANDOM=2026

same_results() {
  "$PY" - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
skip = {"rank", "host", "wall_time", "end_time", "checksum", "attempt", "message"}
bad = [k for k in a if k not in skip and not np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f")]
n = int((a["status"][()] == 1).sum())
print("same" if not bad and set(a) == set(b) and n == a["status"].size else "differ: %s (done %d)" % (bad, n))
PY
}

# wait_ckpt STORE PID: until the job has written a checkpoint (at most 60 s)
wait_ckpt() {
  for _ in $(seq 1 600); do
    ls "$1.ckpt"/task-*.ckpt >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# stop_resume NAME JOB HOW: run, SIGTERM at a random moment after the first
# checkpoint, check status, resume with the same command, compare with ref.
stop_resume() {
  local name=$1 job=$2 how=$3 store=$1.$3.h5 pid rc rc2 pct
  rm -rf "$store"*
  if [ "$how" = alone ]; then "$T" run "$job" --store "$store" --no-progress >/dev/null 2>err &
  else $MPIRUN -n 3 "$T" run "$job" --store "$store" --no-progress >/dev/null 2>err & fi
  pid=$!
  if ! wait_ckpt "$store" $pid; then fail "$name $how: a checkpoint appears" "$(cat err)"; wait $pid; return; fi
  sleep "0.$((RANDOM % 9 + 1))"
  if [ "$how" = alone ]; then kill -TERM $pid; else pkill -TERM -P $pid; fi
  wait $pid; rc=$?
  "$T" status "$store" >st 2>&1
  pct=$(grep -o "[0-9.]*% done" st | head -n 1)
  if [ $rc -eq 75 ] && grep -q "tasks with a checkpoint" st && [ -n "$pct" ] && [ "$pct" != "100.0% done" ]; then
    pass "$name $how: SIGTERM mid-task exits 75; status shows a checkpoint at $pct"
  else fail "$name $how: stop and status" "rc=$rc $(cat st err)"; fi
  if [ "$how" = alone ]; then "$T" run "$job" --store "$store" --no-progress >/dev/null 2>err2; rc2=$?
  else $MPIRUN -n 3 "$T" run "$job" --store "$store" --no-progress >/dev/null 2>err2; rc2=$?; fi
  local same
  same=$(same_results "$name.ref.h5" "$store")
  if [ $rc2 -eq 0 ] && grep -q "resume.* from .* checkpoint" err2 && [ "$same" = same ] && [ ! -e "$store.ckpt" ]; then
    pass "$name $how: resumed from the checkpoint, results bit-identical, checkpoints removed"
  else fail "$name $how: resume" "rc=$rc2 $same $(ls "$store.ckpt" 2>&1) $(cat err2)"; fi
}

# Each task lasts 2.5 s or more even on a fast machine (the CI machine runs
# these about 1.4x faster than this one), so the stop, which comes at most
# about 1.2 s into the first task (first checkpoint at 0.2 s, then up to
# 0.9 s), always finds a task in flight: at 1 s per task it could fall
# between the tasks and leave nothing to checkpoint.
cat > sde.yaml <<'EOF'
kind: sde
seed: 5
checkpoint_every: 0.2
params: {potential: double_well, tilt: 0.1, eta: 1.0e-3, steps: 3000000, burnin: 1000, thin: 10, chains: 48,
  scheme: implicit, grid_n: 64, test_functions: "moment:1; basin:0"}
axes:
  alpha: [1.5, 1.8]
EOF
cat > linear.yaml <<'EOF'
kind: linear
seed: 7
checkpoint_every: 0.2
params: {n: 100, d: 200, model: dln, optimizer: sgd_noreplace, B: 10, sigma: 0.5, eta: 0.01, steps: 1000000,
  log_every: 1000, burnin: 100000, thin: 100}
axes:
  clip: [0, 1.0]
EOF
cat > gni.yaml <<'EOF'
kind: gni
seed: 11
checkpoint_every: 0.2
params: {data: toy, n_train: 256, n_test: 64, depth: 3, noise: additive, sigma2: 0.1, M: 4, batch: 32,
  optimizer: noisy_sgd, grad_noise_std: 0.01, lr: 0.01, steps: 30000, log_every: 200, gradnoise_every: 1000,
  M_prime: 16}
axes:
  width: [32, 64]
EOF

for k in sde linear gni; do
  "$T" run $k.yaml --store $k.ref.h5 --no-progress >/dev/null 2>err \
    || fail "$k: uninterrupted reference run" "$(cat err)"
  [ -e $k.ref.h5.ckpt ] && fail "$k: no checkpoint folder left by a finished job" "$(ls $k.ref.h5.ckpt)"
  stop_resume $k $k.yaml alone
  stop_resume $k $k.yaml mpi
done

# --- damaged and foreign checkpoints: reported, ignored, removed ----------
damaged_case() {  # damaged_case WHAT: stop, spoil the checkpoint, resume
  local store=bad.$1.h5
  rm -rf "$store"*
  "$T" run sde.yaml --store "$store" --no-progress >/dev/null 2>err & pid=$!
  wait_ckpt "$store" $pid; sleep 0.3; kill -TERM $pid; wait $pid
  local f
  f=$(ls "$store.ckpt"/task-*.ckpt | head -n 1)
  if [ "$1" = damaged ]; then
    printf '\x01' | dd of="$f" bs=1 seek=200 conv=notrunc 2>/dev/null
    want="damaged: its state fails its checksum"
  else
    # a checkpoint of the same task from another job (another seed)
    sed 's/^seed: 5/seed: 6/' sde.yaml > other.yaml
    rm -rf other.h5*
    "$T" run other.yaml --store other.h5 --no-progress >/dev/null 2>err & pid=$!
    wait_ckpt other.h5 $pid; sleep 0.3; kill -TERM $pid; wait $pid
    cp "$(ls other.h5.ckpt/task-*.ckpt | head -n 1)" "$store.ckpt/"
    f=$(ls "$store.ckpt"/task-*.ckpt | head -n 1)
    want="another job's checkpoint"
  fi
  "$T" run sde.yaml --store "$store" --no-progress >/dev/null 2>err2; rc=$?
  same=$(same_results sde.ref.h5 "$store")
  if [ $rc -eq 0 ] && grep -q "checkpoint ignored: .*$want.* starts over" err2 && [ "$same" = same ]; then
    pass "a $1 checkpoint is reported ($want), ignored and the task starts over; results identical"
  else fail "$1 checkpoint" "rc=$rc $same $(cat err2)"; fi
}
damaged_case damaged
damaged_case foreign

# --- single-point commands: OUT.h5.ckpt -----------------------------------
# sde, linear and train with -o: SIGTERM at a random moment after the first
# save exits 75 leaving OUT.h5.ckpt (and no OUT.h5); the same command, its
# flags in another order, continues from it and writes results
# bit-identical to an uninterrupted run, then removes the checkpoint. Each
# run lasts 2 s or more here (1.5 s on a machine 1.4x faster), longer than
# the at most ~1.2 s to the stop.
SDE1=(sde --potential double_well --tilt 0.1 --alpha 1.7 --eta 1.0e-3 --steps 2000000 --burnin 1000 --thin 10 --chains 48
      --scheme implicit --grid_n 64)
LIN1=(linear --n 100 --d 200 --model dln --optimizer sgd_noreplace --B 10 --sigma 0.5 --eta 0.01 --steps 500000
      --log_every 1000 --burnin 100000 --thin 100)
GNI1=(train --data toy --n_train 256 --n_test 64 --depth 3 --width 32 --noise additive --sigma2 0.1 --M 4 --batch 32
      --optimizer noisy_sgd --grad_noise_std 0.01 --lr 0.01 --steps 20000 --log_every 200 --gradnoise_every 1000
      --M_prime 16)
# reversed: the same flags in another order (pairs kept together)
reversed_args() {
  local cmd=$1; shift
  local -a pairs=()
  while [ $# -gt 0 ]; do pairs=("$1 $2" "${pairs[@]}"); shift 2; done
  echo "$cmd ${pairs[*]}"
}
point_case() {  # point_case NAME BIN ARGS...
  local name=$1 bin=$2; shift 2
  local out=pt.$name.h5 ref=pt.$name.ref.h5 pid rc rc0 rc2 same
  rm -rf "$out"* "$ref"*
  "$bin" "$@" -o "$ref" --no-progress >/dev/null 2>err0; rc0=$?
  "$bin" "$@" -o "$out" --checkpoint_every 0.2 --no-progress >/dev/null 2>err & pid=$!
  for _ in $(seq 1 600); do [ -e "$out.ckpt" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  sleep "0.$((RANDOM % 9 + 1))"
  kill -TERM $pid; wait $pid; rc=$?
  if [ $rc -eq 75 ] && [ -s "$out.ckpt" ] && [ ! -e "$out" ] && grep -q "stopped at .*its state is in $out.ckpt" err; then
    pass "$name -o: SIGTERM exits 75, its state in $out.ckpt, no $out yet ($(grep -o 'stopped at [0-9.]*%' err))"
  else fail "$name -o: stop" "rc=$rc $(ls "$out"* 2>&1) $(cat err)"; fi
  # shellcheck disable=SC2046
  "$bin" $(reversed_args "$@") -o "$out" --no-progress >/dev/null 2>err2; rc2=$?
  same=$(same_results "$ref" "$out")
  if [ $rc2 -eq $rc0 ] && grep -q "resuming from $out.ckpt" err2 && [ "$same" = same ] && [ ! -e "$out.ckpt" ]; then
    pass "$name -o: the same command (flags reordered) continues, results bit-identical, checkpoint removed"
  else fail "$name -o: resume" "rc=$rc2 (ref $rc0) $same $(ls "$out"* 2>&1) $(cat err2)"; fi
}
point_case sde "$T" "${SDE1[@]}"
point_case linear "$T" "${LIN1[@]}"
point_case train "$T" "${GNI1[@]}"
# the sanitizer build through the same path, shorter
[ -n "${TAILSWEEP_ASAN:-}" ] && point_case sde-asan "$TAILSWEEP_ASAN" sde --potential double_well --tilt 0.1 \
  --alpha 1.7 --eta 1.0e-3 --steps 1500000 --chains 16 --scheme implicit --grid_n 64

# another run's checkpoint at OUT.h5.ckpt is refused, --force starts over;
# a file there that is not a checkpoint is refused too
rm -rf fo.h5* fo2.h5*
"$T" "${SDE1[@]}" -o fo.h5 --checkpoint_every 0.2 --no-progress >/dev/null 2>err & pid=$!
for _ in $(seq 1 600); do [ -e fo.h5.ckpt ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -TERM $pid; wait $pid
cp fo.h5.ckpt keep.ckpt
"$T" sde --steps 200000 --chains 8 --scheme implicit --grid_n 64 -o fo.h5 --no-progress >/dev/null 2>err; rc=$?
if [ $rc -eq 3 ] && grep -q "fo.h5.ckpt: .*another job.*--force to start this one over" err && cmp -s fo.h5.ckpt keep.ckpt \
   && [ ! -e fo.h5 ]; then
  pass "another run's checkpoint at OUT.h5.ckpt: refused (exit 3), untouched, saying what to do"
else fail "foreign point checkpoint" "rc=$rc $(cat err)"; fi
"$T" sde --steps 200000 --chains 8 --scheme implicit --grid_n 64 -o fo2.h5 --no-progress >/dev/null 2>err
"$T" sde --steps 200000 --chains 8 --scheme implicit --grid_n 64 -o fo.h5 --force --no-progress >/dev/null 2>err; rc=$?
if [ $rc -eq 0 ] && grep -q "checkpoint ignored: .*starts over" err && [ ! -e fo.h5.ckpt ] \
   && [ "$(same_results fo2.h5 fo.h5)" = same ]; then
  pass "--force starts over from another run's checkpoint; results as a fresh run's, the checkpoint gone"
else fail "foreign point checkpoint --force" "rc=$rc $(cat err)"; fi
echo "my notes" > fo3.h5.ckpt
"$T" sde --steps 200000 --chains 8 --scheme implicit --grid_n 64 -o fo3.h5 --no-progress >/dev/null 2>err; rc=$?
[ $rc -eq 3 ] && grep -q "fo3.h5.ckpt exists and is not a tailsweep checkpoint" err && [ "$(cat fo3.h5.ckpt)" = "my notes" ] \
  && pass "a file at OUT.h5.ckpt that is not a checkpoint is refused and left alone" \
  || fail "non-checkpoint at OUT.ckpt" "rc=$rc $(cat err)"
"$T" sde --steps 1000 --checkpoint_every 0 -o z.h5 >/dev/null 2>err; rc=$?
[ $rc -eq 2 ] && grep -q -- "--checkpoint_every 0" err && pass "sde --checkpoint_every 0 refused (exit 2)" \
  || fail "--checkpoint_every 0" "rc=$rc $(cat err)"

# --- the job key ----------------------------------------------------------
printf 'kind: sde\ncheckpoint_every: 0\nparams: {steps: 1000}\n' > badck.yaml
"$T" check badck.yaml >out 2>err; rc=$?
[ $rc -eq 2 ] && grep -q "badck.yaml:2" err && grep -q "checkpoint_every" err \
  && pass "checkpoint_every 0 refused with file, line and key" || fail "checkpoint_every 0" "rc=$rc $(cat err)"
printf 'kind: sde\ncheckpoint_every: 60\nparams: {steps: 10000}\n' > ck60.yaml
"$T" check ck60.yaml >out 2>err && grep -q "valid; kind sde" out && pass "checkpoint_every: 60 is a valid job key" || fail "checkpoint_every 60" "$(cat err)"
