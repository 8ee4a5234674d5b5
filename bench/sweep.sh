#!/usr/bin/env bash
# bench/sweep.sh: the sweep engine's own costs, printed as markdown rows.
#  1. dispatch overhead: empty tasks (build/release/bench/bench_dispatch, a no-op kind) at
#     2 and 3 ranks: tasks per second and microseconds per task, store
#     write included;
#  2. parallel efficiency of jobs/fig6.yaml on this machine's cores:
#     1 rank (serial) against nproc + 1 ranks, speedup / cores;
#  3. the share of wall time spent writing the store, from the run summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=build/release/tailsweep
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
MPIRUN="mpirun --oversubscribe --bind-to none"
cores=$(nproc)

echo "| ranks | empty tasks | seconds | tasks/s | us/task | store write s |"
echo "|---:|---:|---:|---:|---:|---:|"
for n in 2 3; do
  $MPIRUN -n $n build/release/bench/bench_dispatch 200000 "$W" | awk '{printf "| %s | %s | %.3f | %.0f | %.2f | %.3f |\n", $2, $4, $6, $8, $10, $12}'
done

# seconds and store seconds from "ran N in S s (store writes W s; ...)"
summ() { sed -n "s/.*ran [0-9]* in \\([0-9.]*\\) s (store writes \\([0-9.]*\\) s,.*/\\1 \\2/p" "$1"; }
$T run jobs/fig6.yaml --store "$W/serial.h5" --no-progress 2>"$W/s.log"
$MPIRUN -n $((cores + 1)) $T run jobs/fig6.yaml --store "$W/par.h5" --no-progress 2>"$W/p.log"
read -r ts ss < <(summ "$W/s.log")
read -r tp sp < <(summ "$W/p.log")
echo
echo "| fig6.yaml | wall s | store write s | store share |"
echo "|---|---:|---:|---:|"
awk -v t="$ts" -v s="$ss" 'BEGIN{printf "| 1 rank (serial) | %.1f | %.2f | %.2f%% |\n", t, s, 100*s/t}'
awk -v t="$tp" -v s="$sp" -v n=$((cores + 1)) 'BEGIN{printf "| %d ranks on the cores | %.1f | %.2f | %.2f%% |\n", n, t, s, 100*s/t}'
awk -v a="$ts" -v b="$tp" -v c="$cores" 'BEGIN{printf "\nspeedup %.2fx on %d cores: parallel efficiency %.0f%%\n", a/b, c, 100*a/b/c}'
