#!/usr/bin/env bash
# tests/slurm/test_slurm.sh TAILSWEEP_BINARY: the slurm/ templates on a real,
# throwaway single-node SLURM cluster (tests/slurm/slurm_up.sh) on loopback.
#
#   srun      run_srun.sbatch ends COMPLETED, exit 0, status all done
#   mpirun    the same with run_mpirun.sbatch
#   requeue   run_requeue.sbatch on a job of tens of seconds: once it runs
#             and has made progress, `scancel --batch --signal=USR1`; the
#             program checkpoints and exits 75, the script requeues the job,
#             the next run (SLURM_RESTART_COUNT >= 1) resumes and completes;
#             every task of the store is done, each exactly once
#   requeue_ckpt  a job whose tasks are longer than the time to the signal:
#             USR1 mid-task, exit 75, one requeue; the second run continues
#             every task from its checkpoint (less time than the tasks' wall
#             time), all done, no checkpoint left
#   array     submit_array.sh: the seed array, then the aggregation job
#             (afterok, tailsweep aggregate -o); the stacked store has a
#             "seed" dimension 1..4 and /aggregate counts 4 seeds x 2
#             replicates per cell
#
# Prints "PASS: name" / "FAIL: name: why" lines; exits non-zero on failure.
# Needs root (it installs slurmctld slurmd slurm-client munge if missing and
# runs the daemons). Takes about a minute with the optimised build (give it
# build/release/tailsweep; an ASan build works too, with shorter tasks and
# detect_leaks=0, see below).
# KEEP_SLURM_DIR=1 keeps the temp folder (logs, job outputs) for a look.
set -u
bin=${1:?usage: test_slurm.sh TAILSWEEP_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py=/usr/bin/python3
t0=$SECONDS

failures=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failures=$((failures + 1)); }

if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then exec sudo -n -E bash "$0" "$@"; fi
  fail slurm "needs root (or password-less sudo) to install and run the SLURM daemons"
  exit 1
fi
[ -x "$bin" ] || { fail slurm "no executable $bin"; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# --- cluster ------------------------------------------------------------------
work=$(mktemp -d /tmp/tailsweep-slurm.XXXXXX)
chmod 711 "$work"   # munged (user munge) must get through to its folder
cluster=$work/cluster
run=$work/run
cleanup() {
  bash "$here/slurm_down.sh" "$cluster"
  if [ "${KEEP_SLURM_DIR:-0}" = 1 ]; then echo "test_slurm: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A clean client environment: nothing from an enclosing SLURM job.
for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SRUN|SALLOC)_'); do unset "$v"; done

if ! UP_TIMEOUT=30 bash "$here/slurm_up.sh" "$cluster"; then
  fail slurm_up "the cluster did not come up (see above)"
  KEEP_SLURM_DIR=1
  exit 1
fi
pass slurm_up
export SLURM_CONF=$cluster/slurm.conf
export TAILSWEEP=$bin
# Open MPI: allowed as root; one node, so ranks talk through shared memory
# only (no TCP listener), and mpirun's own daemons over loopback.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_oob_tcp_if_include=lo
export PMIX_MCA_ptl_tcp_if_include=lo
ncpu=$(nproc)

mkdir -p "$run/jobs" "$run/results"
cd "$run" || exit 1

# The small job: the project's smoke job when it exists, else a tiny one.
if [ -r "$root/jobs/smoke.yaml" ]; then
  cp "$root/jobs/smoke.yaml" jobs/smoke.yaml
else
  cat >jobs/smoke.yaml <<'EOF'
kind: sde
seed: 1
replicates: 2
params:
  potential: harmonic
  steps: 20000
  chains: 16
  bw: silverman
axes:
  alpha: [1.5, 1.9]
EOF
fi
# The long job (about 20 s on 2 cores with the optimised build): 18 x 2 = 36
# tasks of about a second each, so a signal lands mid-run.
long_tasks=36
long_steps=800000
# A sanitizer build is some 15 times slower: shorter tasks keep the test
# short. And LeakSanitizer reports Open MPI's and PMIx's own allocations at
# exit, which would make every MPI run exit 1: leaks are the unit tests' job.
if grep -q __asan_init "$bin" 2>/dev/null; then
  long_steps=80000
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  echo "    note: $bin is an ASan build: detect_leaks=0, shorter tasks"
fi
cat >jobs/long.yaml <<EOF
kind: sde
seed: 7
replicates: 2
params:
  potential: harmonic
  steps: $long_steps
  chains: 64
  bw: silverman
axes:
  alpha: {linspace: [1.2, 1.9, 18]}
EOF

# --- helpers ------------------------------------------------------------------
field() {  # field JOBID NAME: NAME=value from `scontrol show job -o` (first line)
  scontrol show job -o "$1" 2>/dev/null | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}
terminal_state() {
  case $1 in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE) return 0 ;;
  esac
  return 1
}
# wait_job JOBID SECONDS: until every line (array elements too) is in a final
# state; sets wait_states (a summary). Non-zero on timeout or a dependency
# never met. Runs in this shell, not in $(...), so that a signal to the test
# is acted on at once (a trap waits for the foreground command to end).
wait_job() {
  local id=$1 end=$((SECONDS + $2)) lines s all
  while :; do
    lines=$(scontrol show job -o "$id" 2>/dev/null)
    wait_states=$(grep -o 'JobState=[A-Z_]*' <<<"$lines" | cut -d= -f2 | sort | uniq -c | tr -s ' ' | tr '\n' ';')
    all=1
    for s in $(grep -o 'JobState=[A-Z_]*' <<<"$lines" | cut -d= -f2); do
      terminal_state "$s" || all=0
    done
    [ -n "$wait_states" ] && [ "$all" = 1 ] && return 0
    if grep -q 'Reason=DependencyNeverSatisfied' <<<"$lines"; then
      wait_states="$wait_states DependencyNeverSatisfied"; return 1
    fi
    if [ "$SECONDS" -ge "$end" ]; then wait_states="${wait_states:-unknown} (timeout after $2 s)"; return 1; fi
    sleep 0.5
  done
}
# counts STORE: sets done/failed/todo from `tailsweep status STORE`
# (accepts "done 3", "done: 3", "done=3" or "3 done").
counts() {
  local out
  done_n=; failed_n=; todo_n=
  out=$("$bin" status "$1" 2>&1) || { status_out=$out; return 1; }
  status_out=$out
  done_n=$(grep -oiE '\bdone[ :=]+[0-9]+|[0-9]+ +done\b' <<<"$out" | grep -oE '[0-9]+' | head -n 1)
  failed_n=$(grep -oiE '\bfailed[ :=]+[0-9]+|[0-9]+ +failed\b' <<<"$out" | grep -oE '[0-9]+' | head -n 1)
  todo_n=$(grep -oiE '\btodo[ :=]+[0-9]+|[0-9]+ +todo\b' <<<"$out" | grep -oE '[0-9]+' | head -n 1)
  [ -n "$done_n" ] && [ -n "$todo_n" ]
}
all_done() {  # all_done STORE [EXPECTED_TASKS]: status says every task done
  counts "$1" || { why="tailsweep status $1 failed or unreadable: $status_out"; return 1; }
  if [ "$todo_n" != 0 ] || [ "${failed_n:-0}" != 0 ] || [ "$done_n" -lt 1 ]; then
    why="status: done $done_n, failed ${failed_n:-?}, todo $todo_n"; return 1
  fi
  if [ -n "${2:-}" ] && [ "$done_n" != "$2" ]; then why="status: done $done_n, expected $2"; return 1; fi
}
# store_check STORE EXPECTED: /status in the HDF5 store is 1 (done) for every
# one of EXPECTED tasks; prints the attempt counts when the store has them.
store_check() {
  "$py" - "$1" "$2" <<'EOF'
import sys
import h5py
import numpy as np
path, expected = sys.argv[1], int(sys.argv[2])
with h5py.File(path, "r") as f:
    st = np.asarray(f["status"][()]).ravel()
    if st.size != expected:
        sys.exit(f"/status has {st.size} tasks, expected {expected}")
    if not (st == 1).all():
        sys.exit(f"/status not all done: {np.bincount(st.astype(np.int64), minlength=4).tolist()} (todo, done, failed, diverged)")
    if "attempt" in f:
        a = np.asarray(f["attempt"][()]).ravel()
        print(f"attempts per task: min {a.min()}, max {a.max()}, {int((a > 1).sum())} tasks retried")
EOF
}
show_log() {  # show_log FILE: a job's output, indented, after a failure
  [ -f "$1" ] && sed 's/^/    | /' "$1"
}
debug_tail() {
  echo "    slurmctld.log (tail):"; tail -n 15 "$cluster/log/slurmctld.log" 2>/dev/null | sed 's/^/    | /'
  echo "    slurmd.log (tail):"; tail -n 15 "$cluster/log/slurmd.log" 2>/dev/null | sed 's/^/    | /'
}

# --- (a) a normal run with each launcher --------------------------------------
for tmpl in srun mpirun; do
  s0=$SECONDS
  store=results/a_$tmpl.h5
  id=$(JOB=jobs/smoke.yaml STORE=$store sbatch --parsable --ntasks="$ncpu" \
         --job-name="a_$tmpl" "$root/slurm/run_$tmpl.sbatch" 2>&1) ||
    { fail "$tmpl" "sbatch failed: $id"; continue; }
  log=slurm-a_$tmpl-$id.out
  wait_job "$id" 120 ||
    { fail "$tmpl" "job $id: $wait_states"; show_log "$log"; debug_tail; scancel "$id"; continue; }
  state=$(field "$id" JobState) ex=$(field "$id" ExitCode)
  if [ "$state" != COMPLETED ] || [ "$ex" != 0:0 ]; then
    fail "$tmpl" "job $id ended $state, ExitCode $ex"; show_log "$log"
  elif ! all_done "$store"; then
    fail "$tmpl" "$why"; show_log "$log"
  else
    pass "$tmpl (run_$tmpl.sbatch: COMPLETED, $done_n tasks done, $((SECONDS - s0)) s)"
  fi
done

# --- (b) signal, requeue, resume ----------------------------------------------
requeue_test() {
  local s0=$SECONDS store=results/long.h5 id log state end restarts logged j_size
  id=$(JOB=jobs/long.yaml STORE=$store MAX_RESTARTS=3 sbatch --parsable --ntasks="$ncpu" \
         --job-name=requeue "$root/slurm/run_requeue.sbatch" 2>&1) ||
    { fail requeue "sbatch failed: $id"; return; }
  log=slurm-requeue-$id.out
  # running, and some tasks finished (status, or else the journal growing)
  end=$((SECONDS + 60))
  until [ "$(field "$id" JobState)" = RUNNING ]; do
    [ "$SECONDS" -lt "$end" ] ||
      { fail requeue "job $id not RUNNING after 60 s: $(field "$id" JobState) $(field "$id" Reason)"; debug_tail; scancel "$id"; return; }
    sleep 0.2
  done
  end=$((SECONDS + 60))
  while :; do
    if counts "$store" && [ "$done_n" -ge 2 ]; then break; fi
    # the journal's first size is taken once it exists: a job that starts
    # slowly (a loaded machine) creates it after the first look
    j_size=$(stat -c %s "$store.journal" 2>/dev/null || echo 0)
    [ -n "${first_size:-}" ] || { [ "$j_size" -gt 0 ] && first_size=$j_size; }
    [ -n "${first_size:-}" ] && [ "$j_size" -gt "$first_size" ] && break
    if [ "$(field "$id" JobState)" != RUNNING ]; then
      fail requeue "job $id left RUNNING ($(field "$id" JobState)) before it showed progress; the job is too short?"
      show_log "$log"; return
    fi
    [ "$SECONDS" -lt "$end" ] ||
      { fail requeue "no progress within 60 s (status: ${status_out:-none})"; show_log "$log"; scancel "$id"; return; }
    sleep 0.3
  done
  echo "    requeue: job $id running with ${done_n:-some} of $long_tasks tasks done; sending USR1 to the batch shell"
  scancel --batch --signal=USR1 "$id" || { fail requeue "scancel --batch --signal=USR1 $id failed"; return; }
  wait_job "$id" 180 ||
    { fail requeue "job $id: $wait_states"; show_log "$log"; debug_tail; scancel "$id"; return; }
  state=$(field "$id" JobState) restarts=$(field "$id" Restarts)
  logged=$(sed -n 's/.*SLURM_RESTART_COUNT=\([0-9][0-9]*\).*/\1/p' "$log" | sort -n | tail -n 1)
  if [ "$state" != COMPLETED ] || [ "$(field "$id" ExitCode)" != 0:0 ]; then
    fail requeue "job $id ended $state, ExitCode $(field "$id" ExitCode)"; show_log "$log"
  elif ! grep -q '^tailsweep: exit 75' "$log"; then
    fail requeue "the first run did not exit 75 after SIGUSR1 (finished before the signal?)"; show_log "$log"
  elif [ "${restarts:-0}" -lt 1 ] || [ "${logged:-0}" -lt 1 ]; then
    fail requeue "not requeued: Restarts=$restarts, logged SLURM_RESTART_COUNT=${logged:-none}"; show_log "$log"
  elif ! all_done "$store" "$long_tasks"; then
    fail requeue "$why"; show_log "$log"
  elif reruns=$(sed -n 's/.*reruns of finished tasks: *\([0-9][0-9]*\).*/\1/p' <<<"$status_out") &&
       [ -n "$reruns" ] && [ "$reruns" != 0 ]; then
    fail requeue "the journal records $reruns reruns of finished tasks: $status_out"
  elif ! why=$(store_check "$store" "$long_tasks" 2>&1); then
    fail requeue "store: $why"
  else
    [ -n "$why" ] && echo "    requeue: $why"
    pass "requeue (USR1 -> exit 75 -> scontrol requeue -> SLURM_RESTART_COUNT=$logged -> resumed, $done_n/$long_tasks tasks done, $((SECONDS - s0)) s)"
  fi
}
requeue_test

# --- (b2) tasks longer than the time to the signal: checkpoints ----------------
# Every task of this job is longer than the time from its start to the
# signal, so without checkpoints each requeue would throw all of them away.
# The pre-timeout signal (what `#SBATCH --signal=B:USR1@120` sends) is sent
# by hand, as in (b), a few seconds into the tasks: SLURM sends its own only
# at its 30-s time-limit checks, too coarse to land mid-task reliably here.
# The job must finish after exactly one requeue, its second run continuing
# every task in flight from its checkpoint: that run takes less than the
# tasks' own wall time (which counts every run of a task), and the
# checkpoint folder is gone at the end.
requeue_ckpt_test() {
  local s0=$SECONDS store=results/ckpt.h5 id log state restarts end tasks=$ncpu pct
  local steps=$((long_steps * 3))   # some 20 s a task
  cat >jobs/ckpt.yaml <<EOF
kind: sde
seed: 11
replicates: $tasks
checkpoint_every: 1
params:
  potential: double_well
  steps: $steps
  chains: 64
  scheme: implicit
EOF
  # one task per worker (RANKS = ntasks + 1)
  id=$(JOB=jobs/ckpt.yaml STORE=$store MAX_RESTARTS=3 sbatch --parsable --ntasks="$ncpu" \
         --job-name=ckpt "$root/slurm/run_requeue.sbatch" 2>&1) ||
    { fail requeue_ckpt "sbatch failed: $id"; return; }
  log=slurm-ckpt-$id.out
  # running, and the tasks some 40% through (status reads their checkpoints)
  end=$((SECONDS + 120))
  while :; do
    "$bin" status "$store" >ckpt_status.txt 2>&1
    pct=$(grep -o '[0-9.]*% done' ckpt_status.txt | head -n 1 | cut -d. -f1)
    [ -n "$pct" ] && [ "$pct" -ge 40 ] && break
    if [ "$SECONDS" -ge "$end" ] || { [ -n "$(field "$id" JobState)" ] && terminal_state "$(field "$id" JobState)"; }; then
      fail requeue_ckpt "no task 40% through within 120 s ($(field "$id" JobState)): $(cat ckpt_status.txt)"
      show_log "$log"; scancel "$id"; return
    fi
    sleep 0.3
  done
  scancel --batch --signal=USR1 "$id" || { fail requeue_ckpt "scancel --signal=USR1 $id failed"; return; }
  wait_job "$id" 240 ||
    { fail requeue_ckpt "job $id: $wait_states"; show_log "$log"; debug_tail; scancel "$id"; return; }
  state=$(field "$id" JobState) restarts=$(field "$id" Restarts)
  local second walls
  # the second run's own time: "ran N in X s" of its summary
  second=$(sed -n 's/.*; ran [0-9]* in \([0-9.]*\) s.*/\1/p' "$log" | tail -n 1)
  walls=$("$py" -c 'import sys, h5py, numpy as np; w = h5py.File(sys.argv[1], "r")["wall_time"][()].ravel(); print("%.1f %.1f" % (w.min(), w.max()))' "$store" 2>&1)
  if [ "$state" != COMPLETED ] || [ "$(field "$id" ExitCode)" != 0:0 ]; then
    fail requeue_ckpt "job $id ended $state, ExitCode $(field "$id" ExitCode)"; show_log "$log"
  elif [ "${restarts:-0}" != 1 ] || [ "$(grep -c '^tailsweep: exit 75' "$log")" != 1 ]; then
    fail requeue_ckpt "not exactly one requeue: Restarts=$restarts"; show_log "$log"
  elif ! grep -q "resume.* from .* checkpoint" "$log"; then
    fail requeue_ckpt "the second run did not resume from checkpoints"; show_log "$log"
  elif ! all_done "$store" "$tasks"; then
    fail requeue_ckpt "$why"; show_log "$log"
  elif [ -e "$store.ckpt" ]; then
    fail requeue_ckpt "$store.ckpt left behind: $(ls "$store.ckpt")"
  elif ! awk -v s="$second" -v w="${walls% *}" 'BEGIN { exit !(s + 0 > 0 && s + 0 < 0.85 * w) }'; then
    fail requeue_ckpt "the second run took ${second:-?} s against tasks of ${walls:-?} s of wall time: steps redone?"
    show_log "$log"
  else
    pass "requeue_ckpt ($tasks tasks of ${walls% *}-${walls#* } s, USR1 at ${pct}% -> one requeue -> resumed from checkpoints, second run ${second} s, $((SECONDS - s0)) s)"
  fi
}
requeue_ckpt_test

# --- (c) the seed array and its aggregation -----------------------------------
array_test() {
  local s0=$SECONDS out ids aid gid state
  out=$(JOB=jobs/smoke.yaml ARRAY=1-4 bash "$root/slurm/submit_array.sh" --ntasks=1 2>&1) ||
    { fail array "submit_array.sh failed: $out"; return; }
  aid=$(sed -n 's/^array job \([0-9]*\).*/\1/p' <<<"$out")
  gid=$(sed -n 's/^aggregate job \([0-9]*\).*/\1/p' <<<"$out")
  [ -n "$aid" ] && [ -n "$gid" ] || { fail array "no job ids in: $out"; return; }
  if ! wait_job "$gid" 180; then
    state=$wait_states
    wait_job "$aid" 0
    fail array "aggregation job $gid: $state; array $aid: $wait_states"
    scancel "$aid" "$gid"
    for f in slurm-tailsweep-seeds-"$aid"_*.out slurm-tailsweep-aggregate-"$gid".out; do echo "    $f:"; show_log "$f"; done
    return
  fi
  ids=$(scontrol show job -o "$aid" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c | tr -s ' ')
  if [ "$(field "$gid" JobState)" != COMPLETED ]; then
    fail array "aggregation job $gid ended $(field "$gid" JobState) $(field "$gid" ExitCode) (array:$ids)"
    show_log "slurm-tailsweep-aggregate-$gid.out"; return
  fi
  local s
  for s in 1 2 3 4; do
    all_done "results/smoke_seed$s.h5" || { fail array "seed $s: $why"; return; }
  done
  if ! why=$("$py" - results/smoke_seeds.h5 <<'EOF' 2>&1
import sys
import xarray as xr
with xr.open_dataset(sys.argv[1], engine="h5netcdf") as ds:
    if "seed" not in ds.dims:
        sys.exit(f"no seed dimension: {dict(ds.sizes)}")
    seeds = [int(v) for v in ds["seed"].values]
    if seeds != [1, 2, 3, 4]:
        sys.exit(f"seed values {seeds}, expected [1, 2, 3, 4]")
    print(f"dims {dict(ds.sizes)}")
with xr.open_dataset(sys.argv[1], engine="h5netcdf", group="aggregate") as ag:
    n = ag["tv_count"].values
    if not (n == 8).all():
        sys.exit(f"/aggregate/tv_count {n.ravel().tolist()}, expected 4 seeds x 2 replicates = 8 everywhere")
EOF
  ); then
    fail array "results/smoke_seeds.h5: $why"; return
  fi
  pass "array (4 seeds, afterok aggregation: $why, $((SECONDS - s0)) s)"
}
array_test

echo "test_slurm: $((SECONDS - t0)) s" >&2
[ "$failures" -eq 0 ]
