#!/usr/bin/env bash
# tests/cli/test_firstrun_cli.sh: what a new user meets in the first hour.
# - scripts/first-run.sh (what `make run` does) ends with a figure, says
#   where it is and prints three commands to try next, each of which works;
# - `check` warns when a job's cost estimate is absurd and names the
#   costliest task, and stays quiet on a sane job;
# - an axis holding a value twice is refused by check and by run, naming
#   file, line and key, before any store is made;
# - a 10^6-value axis is checked (validation walks the grid once);
# - `run`'s ETA is "unknown" until some work is measured, then counts the
#   part of the tasks in flight already done (long tasks report it), so it
#   is known before the first task ends; never "0 s" while tasks still run
#   (the last ones in flight included); weighs the tasks left by the kind's
#   cost model;
# - sde, linear and train print the path of the store they wrote.
#   TAILSWEEP=build/release/tailsweep bash tests/cli/test_firstrun_cli.sh
# The two ETA sweeps time tasks of a second or more: they run the optimised
# binary when TAILSWEEP_RELEASE names it (tests/run.sh does), as the other
# long sweeps do; the sanitizer build runs the same paths in the first run.
. "$(dirname "$0")/lib.sh"
mpi_env
T=$TAILSWEEP
R=${TAILSWEEP_RELEASE:-$TAILSWEEP}
case $R in /*) ;; *) R=$repo/$R ;; esac

# --- the first run ----------------------------------------------------------
cat > mini.yaml <<'EOF'
kind: sde
store: mini.h5
seed: 5
replicates: 2
params: {eta: 1.0e-3, steps: 30000, burnin: 1000, thin: 10, chains: 8, scheme: implicit, grid_n: 64}
axes:
  alpha: [1.9, 1.1]
  theta: [-0.5, 0.5]
EOF
# as `make run` calls it: under mpirun, the launcher's settings first
MPIRUN="OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun -n 2 --oversubscribe --bind-to none" \
  "$repo/scripts/first-run.sh" "$T" mini.yaml fig6 shiftmap "$repo/jobs/shiftmap.yaml" >fr.out 2>fr.err; rc=$?
[ $rc -eq 0 ] && grep -q "^The figure is $W/mini.png$" fr.out && grep -q "done 8, diverged 0, failed 0" fr.out \
  && pass "first-run: runs the job, shows its status and says where its figure is" \
  || fail "first-run" "rc=$rc $(cat fr.out fr.err)"
# the figure is a real drawing, not an empty canvas
nonblank() {
  "$PY" - "$1" <<'PY'
import sys
import numpy as np
import matplotlib.image as mpimg
a = mpimg.imread(sys.argv[1])[..., :3]
ink = (a.min(axis=2) < 0.9).mean()      # share of pixels that are not near-white
print("ink %.3f colours %d" % (ink, len(np.unique(a.reshape(-1, 3), axis=0))))
sys.exit(0 if 0.01 < ink < 0.6 and len(np.unique(a.reshape(-1, 3), axis=0)) > 20 else 1)
PY
}
[ -s mini.png ] && nonblank mini.png >nb.out 2>&1 && pass "first-run: mini.png is a figure with ink on it" \
  || fail "first-run figure" "$(ls -la mini.png 2>&1; cat nb.out 2>/dev/null)"
# each command it suggests works as printed
status_cmd=$(sed -n '/^  1\. /{n;s/^ *//;p}' fr.out)
plot_cmd=$(sed -n '/^  2\. /{n;n;s/^ *//;p}' fr.out)
check_cmd=$(sed -n '/^  3\. /{n;s/^ *//;p}' fr.out)
case $status_cmd in "$T status mini.h5") ;; *) status_cmd="" ;; esac
[ -n "$status_cmd" ] && eval "$status_cmd" >s.out 2>&1 && grep -q "done 8" s.out \
  && pass "first-run: next command 1 (status) works as printed" || fail "first-run status command" "'$status_cmd' $(cat s.out 2>/dev/null)"
case $plot_cmd in "$T plot mini.h5 --figure shiftmap -o mini_shiftmap.png") ;; *) plot_cmd="" ;; esac
[ -n "$plot_cmd" ] && eval "$plot_cmd" >p.out 2>&1 && nonblank mini_shiftmap.png >>p.out 2>&1 \
  && pass "first-run: next command 2 (another figure) works as printed" || fail "first-run plot command" "'$plot_cmd' $(cat p.out 2>/dev/null)"
case $check_cmd in "$T check $repo/jobs/shiftmap.yaml") ;; *) check_cmd="" ;; esac
[ -n "$check_cmd" ] && eval "$check_cmd" >c.out 2>&1 && grep -q "valid" c.out \
  && grep -q "a bigger job, $repo/jobs/shiftmap.yaml: 3360 tasks, about .* on this machine's [0-9]* cores:" fr.out \
  && grep -q "mpirun -n [0-9]* --oversubscribe $T run $repo/jobs/shiftmap.yaml$" fr.out \
  && pass "first-run: next command 3 (a bigger job) checks, with its size, cost and launch line" \
  || fail "first-run bigger job" "'$check_cmd' $(cat c.out 2>/dev/null; cat fr.out)"
# again: the complete job is left alone and the figure redrawn
"$repo/scripts/first-run.sh" "$T" mini.yaml fig6 shiftmap "$repo/jobs/shiftmap.yaml" >fr2.out 2>fr2.err; rc=$?
[ $rc -eq 0 ] && grep -q "ran 0 in" fr2.err && grep -q "^The figure is $W/mini.png$" fr2.out && nonblank mini.png >/dev/null 2>&1 \
  && pass "first-run again: the complete job is left alone, the figure redrawn" || fail "first-run again" "rc=$rc $(cat fr2.out fr2.err)"

# --- check: an absurd cost estimate ----------------------------------------------
printf 'kind: sde\nparams:\n  steps: 1e15\n' > huge.yaml
run check huge.yaml
est=$(sed -n 's/^cost estimate: \([^ ]*\) core-seconds.*/\1/p' "$W/out")
[ $rc -eq 0 ] && grep -q "valid" "$W/out" && [ -n "$est" ] \
  && grep -q "warning: huge.yaml: the cost estimate is $est core-seconds (.* years of one core), more than a core-year" "$W/err" \
  && pass "check: steps 1e15 is valid but warned about, with its estimate ($est core-seconds)" \
  || fail "check absurd cost" "rc=$rc $(cat "$W/out" "$W/err")"
grep -q "warning: huge.yaml: one task is estimated at $est core-seconds" "$W/err" && grep -q "^costliest task: $est core-seconds" "$W/out" \
  && pass "check: names the costliest task and warns that one task runs longer than a day" \
  || fail "check costliest task" "$(cat "$W/out" "$W/err")"
run check "$repo/jobs/fig6.yaml"
[ $rc -eq 0 ] && grep -q "^cost estimate: " "$W/out" && ! grep -q "warning" "$W/err" \
  && pass "check: no warning on a sane job (fig6.yaml)" || fail "check sane job" "rc=$rc $(cat "$W/out" "$W/err")"

# --- an axis with a repeated value ---------------------------------------------
printf 'kind: sde\nstore: dup.h5\nparams:\n  steps: 10000\naxes:\n  alpha: [1.5, 1.2, 1.5]\n' > dup.yaml
for cmd in check run; do
  run $cmd dup.yaml
  [ $rc -eq 2 ] && grep -q "dup.yaml:6: key 'alpha', value 3: 1.5 repeats value 1 (line 6)" "$W/err" && [ ! -e dup.h5 ] \
    && pass "$cmd refuses an axis with a repeated value, naming file, line and key" \
    || fail "$cmd repeated value" "rc=$rc $(cat "$W/err"; ls dup.h5 2>&1)"
done
printf 'kind: sde\nparams:\n  steps: 10000\nzip:\n  - {alpha: [1.5, 1.2, 1.5], theta: [0, 0.5, 0]}\n' > dupzip.yaml
run check dupzip.yaml
[ $rc -eq 2 ] && grep -q "dupzip.yaml:5: zip group 0: entry 3 (alpha=1.5, theta=0) repeats entry 1" "$W/err" \
  && pass "check refuses a zip group with a repeated combination" || fail "check repeated zip" "rc=$rc $(cat "$W/err")"

# --- a large axis ------------------------------------------------------------------
printf 'kind: sde\nparams:\n  steps: 100000\naxes:\n  theta: {linspace: [-1, 1, 1000000]}\n' > big.yaml
run check big.yaml
[ $rc -eq 0 ] && grep -q "^grid: 1000000 points x 1 replicates = 1000000 tasks" "$W/out" \
  && grep -q "^cost estimate: 1.28e+05 core-seconds" "$W/out" \
  && pass "check: a 10^6-value axis is validated, with its cost" || fail "check big axis" "rc=$rc $(cat "$W/out" "$W/err")"

# --- run's ETA ---------------------------------------------------------------------
# 4 tasks of ~3 s (release) on 2 workers: all four are handed out at once (a batch and a
# prefetch each), so nothing is left to dispatch while all of them run; the
# workers report how far their tasks got every 0.5 s, a line comes every 0.5 s
cat > eta.yaml <<'EOF'
kind: sde
store: eta.h5
params: {eta: 1.0e-3, steps: 4000000, burnin: 1000, chains: 16, scheme: implicit, grid_n: 64}
axes:
  theta: [-0.5, -0.1, 0.1, 0.5]
EOF
mpirun -n 3 --oversubscribe --bind-to none "$R" run eta.yaml --progress >/dev/null 2>eta.err; rc=$?
tr '\r' '\n' < eta.err | grep '^\[' > eta.lines
first=$(head -1 eta.lines)
[ $rc -eq 0 ] && case $first in *" 0/4 "*"ETA unknown"*) true ;; *) false ;; esac \
  && pass "run: ETA unknown before any work is measured" || fail "run ETA unknown" "rc=$rc first='$first' $(head -c 600 eta.err)"
known=$(grep ' 0/4 ' eta.lines | grep -c 'ETA [0-9]')
[ $rc -eq 0 ] && [ "$known" -ge 1 ] \
  && pass "run: ETA known before the first task ends, from the tasks in flight ($known lines at 0/4)" \
  || fail "run ETA from tasks in flight" "rc=$rc $(head -c 600 eta.lines)"
early0=$(grep -v ' 4/4 ' eta.lines | grep -c 'ETA 0 s')
[ $rc -eq 0 ] && [ -s eta.lines ] && [ "$early0" -eq 0 ] && grep -q ' 4/4 .*ETA 0 s' eta.lines \
  && pass "run: ETA never 0 s while tasks still run, 0 s at the end" \
  || fail "run ETA in flight" "rc=$rc $early0 early '0 s': $(head -c 600 eta.lines)"

# A sweep whose last tasks are its longest (steps is the outer axis): five
# short tasks, then five ~100x longer (~1.2 s each, release). Right after
# the first long one the tasks left are 4 of 10 but nearly all the work:
# an ETA from the task count (remaining / tasks per second, the rate the
# line shows) says a fraction of what the kind's cost model says. Run
# alone, a line follows each task once 0.5 s have passed.
cat > steps.yaml <<'EOF'
kind: sde
store: steps.h5
params: {eta: 1.0e-3, burnin: 1000, chains: 16, scheme: implicit, grid_n: 64}
axes:
  steps: [30000, 3000000]
  theta: [-0.5, -0.25, 0, 0.25, 0.5]
EOF
"$R" run steps.yaml --progress >/dev/null 2>steps.err; rc=$?
line=$(tr '\r' '\n' < steps.err | grep -E '^\[.*\] (6|7)/10 ' | head -1)
ratio=$(printf '%s\n' "$line" | awk '{
  for (i = 1; i <= NF; i++) {
    if ($i ~ /^[0-9]+\/10$/) { split($i, f, "/"); left = 10 - f[1] }
    if ($(i + 1) == "tasks/s") rate = $i
    if ($i == "ETA") { eta = $(i + 1); if ($(i + 2) == "min") eta *= 60; if ($(i + 2) == "h") eta *= 3600 }
  }
  if (rate > 0 && left > 0 && eta != "") printf "%.2f", eta / (left / rate) }')
[ $rc -eq 0 ] && [ -n "$ratio" ] && awk -v r="$ratio" 'BEGIN { exit !(r >= 2.5) }' \
  && pass "run: the ETA weighs the tasks left by the kind's cost ($ratio x the task-count estimate)" \
  || fail "run ETA by cost" "rc=$rc ratio='$ratio' line='$line' $(tr '\r' '\n' < steps.err | head -c 800)"

# --- single-point commands print what they wrote -------------------------------------
run sde --steps 20000 --chains 8 --grid_n 64 -o one_sde.h5
[ $rc -eq 0 ] && grep -q "^tailsweep sde: wrote one_sde.h5$" "$W/err" && "$T" info one_sde.h5 >/dev/null 2>&1 \
  && pass "sde prints the path of the store it wrote" || fail "sde wrote" "rc=$rc $(cat "$W/err")"
run linear --n 30 --d 40 --steps 2000 --burnin 1000 --log_every 100 -o one_linear.h5
[ $rc -eq 0 ] && grep -q "^tailsweep linear: wrote one_linear.h5$" "$W/err" && "$T" info one_linear.h5 >/dev/null 2>&1 \
  && pass "linear prints the path of the store it wrote" || fail "linear wrote" "rc=$rc $(cat "$W/err")"
run train --depth 2 --width 8 --n_train 64 --n_test 32 --steps 30 --log_every 10 --M_prime 8 -o one_train.h5
[ $rc -eq 0 ] && grep -q "^tailsweep train: wrote one_train.h5$" "$W/err" && "$T" info one_train.h5 >/dev/null 2>&1 \
  && pass "train prints the path of the store it wrote" || fail "train wrote" "rc=$rc $(cat "$W/err")"
