#!/usr/bin/env bash
# bench/ckpt_cost.sh [TAILSWEEP]: what task checkpoints cost, for each kind
# (sde, linear, gni), each time side by side with the run it is compared to.
#
# A. Write cost. One task of ~20 s, run with checkpoint_every: 0.5 and with
#    no periodic checkpoint (checkpoint_every: 1e9), alternating, ROUNDS
#    times. `run` reports the checkpoints rank 0 wrote and their time, from
#    the ask to the file on disk (the kind's copy of its state, the file
#    written, fsync'd and renamed): per save = that time / saves. At the
#    default interval (300 s) a task pays one save per 300 s of work:
#    cost = per save / 300 s. As a check: the share of the task's time spent
#    saving at the 0.5-s interval, and the wall-time ratio of the two runs
#    (alternating which runs first; on this shared machine it carries a
#    few percent of noise).
# B. Stop and resume. The issue's scenario: a job of two ~5-s tasks on one
#    rank, SIGTERM 5 s after the start, then the same command again; the
#    two together against an uninterrupted run of the same job (default
#    checkpoint_every, so the stop's own save is the only one). What a stop
#    and resume costs beyond the work is a second start of the program (MPI,
#    the store's lock, open and check): the "idle run" column times that
#    start alone, the same command on a finished store.
#
#   bash bench/ckpt_cost.sh build/release/tailsweep     (PART=A or PART=B: one part)
set -u
T=${1:-build/release/tailsweep}
case $T in /*) ;; *) T=$PWD/$T ;; esac
ROUNDS=${ROUNDS:-3}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# job KIND CKPT_EVERY STEPS_SCALE TASKS > file
job() {
  case $1 in
    sde) printf 'kind: sde\nseed: 5\nreplicates: %s\ncheckpoint_every: %s\nparams: {potential: double_well, tilt: 0.1, eta: 1.0e-3, steps: %s, burnin: 1000, thin: 10, chains: 64, scheme: implicit, grid_n: 256, test_functions: "moment:1; basin:0"}\n' "$4" "$2" "$((3000000 * $3))" ;;
    linear) printf 'kind: linear\nseed: 7\nreplicates: %s\ncheckpoint_every: %s\nparams: {n: 200, d: 400, model: dln, optimizer: sgd_noreplace, B: 10, sigma: 0.5, eta: 0.005, steps: %s, log_every: 1000, burnin: 100000, thin: 100}\n' "$4" "$2" "$((500000 * $3))" ;;
    gni) printf 'kind: gni\nseed: 11\nreplicates: %s\ncheckpoint_every: %s\nparams: {data: toy, n_train: 256, n_test: 64, depth: 3, width: 64, noise: additive, sigma2: 0.1, M: 4, batch: 32, optimizer: noisy_sgd, grad_noise_std: 0.01, lr: 0.01, steps: %s, log_every: 200, gradnoise_every: 1000, M_prime: 16}\n' "$4" "$2" "$((8000 * $3))" ;;
  esac
}

[ "${PART:-AB}" = B ] || {
echo "A. checkpoint write cost (one task, $ROUNDS rounds; per save from run's own report)"
printf '%-7s %6s %10s %12s %12s %14s %16s %13s\n' kind saves "task s" "per save ms" "max state B" "cost @300 s" "wall 0.5s/none" "saving @0.5s"
for k in sde linear gni; do
  job $k 0.5 2 1 > a.yaml
  job $k 1e9 2 1 > b.yaml
  tot_saves=0 tot_sec=0 ta=0 tb=0 bytes=0
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf a.h5* b.h5*
    # the order alternates, so neither side always runs first
    if [ $((r % 2)) = 1 ]; then
      t0=$(now); "$T" run a.yaml --store a.h5 --no-progress 2>ea >/dev/null; t1=$(now)
      "$T" run b.yaml --store b.h5 --no-progress 2>eb >/dev/null; t2=$(now)
      da=$(secs "$t0" "$t1") db=$(secs "$t1" "$t2")
    else
      t0=$(now); "$T" run b.yaml --store b.h5 --no-progress 2>eb >/dev/null; t1=$(now)
      "$T" run a.yaml --store a.h5 --no-progress 2>ea >/dev/null; t2=$(now)
      db=$(secs "$t0" "$t1") da=$(secs "$t1" "$t2")
    fi
    ta=$(awk -v s="$ta" -v d="$da" 'BEGIN { print s + d }')
    tb=$(awk -v s="$tb" -v d="$db" 'BEGIN { print s + d }')
    n=$(sed -n 's/.* \([0-9]*\) task checkpoints\{0,1\} written by rank 0 in \([0-9.]*\) s.*/\1/p' ea)
    s=$(sed -n 's/.* task checkpoints\{0,1\} written by rank 0 in \([0-9.]*\) s.*/\1/p' ea)
    by=$(sed -n 's/.*states of up to \([0-9]*\) bytes.*/\1/p' ea)
    [ "${by:-0}" -gt "${bytes:-0}" ] 2>/dev/null && bytes=$by
    tot_saves=$((tot_saves + ${n:-0}))
    tot_sec=$(awk -v a="$tot_sec" -v b="${s:-0}" 'BEGIN { print a + b }')
  done
  awk -v k=$k -v n="$tot_saves" -v s="$tot_sec" -v ta="$ta" -v tb="$tb" -v r="$ROUNDS" -v by="$bytes" 'BEGIN {
    per = n ? s / n : 0
    printf "%-7s %6d %10.2f %12.3f %12s %13.5f%% %15.3fx %12.2f%%\n", k, n, ta / r, 1000 * per, by, 100 * per / 300, ta / tb, 100 * s / ta }'
done

echo
}
[ "${PART:-AB}" = A ] && exit 0
echo "B. stop at 5 s and resume vs uninterrupted (two ~5-s tasks, one rank, default checkpoint_every;"
echo "   $ROUNDS rounds alternating, means; 'idle run': the same command on the finished store)"
printf '%-7s %14s %10s %10s %12s %8s %10s %10s\n' kind "uninterrupted" "stopped" "resumed" "stop+resume" ratio "extra s" "idle run"
for k in sde linear gni; do
  job $k 300 1 2 > j.yaml
  su=0 sa=0 sb=0 si=0
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf u.h5* s.h5*
    t0=$(now); "$T" run j.yaml --store u.h5 --no-progress >/dev/null 2>&1; t1=$(now)
    su=$(awk -v s="$su" -v d="$(secs "$t0" "$t1")" 'BEGIN { print s + d }')
    t0=$(now); "$T" run j.yaml --store u.h5 --no-progress >/dev/null 2>&1; t1=$(now)
    si=$(awk -v s="$si" -v d="$(secs "$t0" "$t1")" 'BEGIN { print s + d }')
    t0=$(now); "$T" run j.yaml --store s.h5 --no-progress >/dev/null 2>&1 & pid=$!
    sleep 5; kill -TERM $pid; wait $pid; rc=$?; t1=$(now)
    "$T" run j.yaml --store s.h5 --no-progress >/dev/null 2>err; t2=$(now)
    grep -q "checkpoint" err || echo "  note: $k resumed without a checkpoint (the stop fell between tasks)"
    [ $rc -eq 75 ] || echo "  note: $k: the stopped run exited $rc, not 75"
    sa=$(awk -v s="$sa" -v d="$(secs "$t0" "$t1")" 'BEGIN { print s + d }')
    sb=$(awk -v s="$sb" -v d="$(secs "$t1" "$t2")" 'BEGIN { print s + d }')
  done
  awk -v k=$k -v u="$su" -v a="$sa" -v b="$sb" -v i="$si" -v r="$ROUNDS" 'BEGIN {
    u /= r; a /= r; b /= r; i /= r
    printf "%-7s %13.2fs %9.2fs %9.2fs %11.2fs %7.3fx %9.2fs %9.2fs\n", k, u, a, b, a + b, (a + b) / u, a + b - u, i }'
done
