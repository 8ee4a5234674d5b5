#!/usr/bin/env bash
# scripts/first-run.sh TAILSWEEP JOB.yaml FIGURE OTHER_FIGURE BIGGER_JOB.yaml:
# what `make run` does, from a job file to a figure a new user can open:
#   run the job (under $MPIRUN when set, e.g. "mpirun -n 3 --oversubscribe"),
#   show its status, aggregate it, draw FIGURE next to the store (STORE.png),
#   then say where the figure is and the three commands to try next:
#   status, OTHER_FIGURE of the same store, and BIGGER_JOB with its cost on
#   this machine.
# Rerunning resumes the job (or leaves a complete one alone) and redraws.
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 TAILSWEEP JOB.yaml FIGURE OTHER_FIGURE BIGGER_JOB.yaml" >&2; exit 2; }
T=$1 job=$2 figure=$3 other=$4 bigger=$5

# the store as the job names it (check validates the job first)
store=$("$T" check "$job" | sed -n 's/^store \(.*\) (+ \.journal.*$/\1/p')
[ -n "$store" ] || { echo "first-run: $T check $job named no store" >&2; exit 1; }
# MPIRUN is a command line, maybe with VAR=value settings first: env runs it
# shellcheck disable=SC2086
env ${MPIRUN:-} "$T" run "$job"
"$T" status "$store"
"$T" aggregate "$store"
png=${store%.h5}.png
"$T" plot "$store" --figure "$figure" -o "$png"
[ -s "$png" ] || { echo "first-run: $png was not written" >&2; exit 1; }

# how to launch a job here, as the user would type it
cores=$(nproc 2>/dev/null || echo 2)
launch="mpirun -n $((cores + 1)) --oversubscribe"
[ "$(id -u)" -eq 0 ] && launch="OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 $launch"
check=$("$T" check "$bigger")
tasks=$(printf '%s\n' "$check" | sed -n 's/^grid: .* = \([0-9]*\) tasks$/\1/p')
here=$(printf '%s\n' "$check" | sed -n "s/^cost estimate: .*; \(.*\) on this machine's.*/\1/p")
abs=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")

cat <<EOF

The figure is $abs
  ($figure, drawn from $store: open it in any image viewer)

Three things to try next:
  1. how the job went: tasks done, diverged, failed (safe while it runs):
       $T status $store
  2. another figure of the same results ($T plot --help lists them;
     $T aggregate $store recomputes the statistics they draw):
       $T plot $store --figure $other -o ${store%.h5}_$other.png
  3. a bigger job, $bigger: ${tasks:-?} tasks, about ${here:-?} on this machine's $cores cores:
       $T check $bigger
       $launch $T run $bigger
     (on a cluster: JOB=$bigger sbatch --ntasks=64 slurm/run_srun.sbatch)
EOF
