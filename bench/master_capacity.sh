#!/usr/bin/env bash
# bench/master_capacity.sh: how many results rank 0 takes per second, with
# 2 .. 64 ranks (oversubscribed on this machine's cores), for tasks that
# compute nothing: empty ones (one value) and result-heavy ones (4096 values,
# 32 KiB), so all that is measured is scheduling, messaging, writing the
# store in place and journaling. Prints a markdown table: results/s and MB/s
# (wall: on a shared, oversubscribed machine rank 0 gets a fraction of a
# core), and results per CPU second of rank 0 (its capacity on a core of its
# own), with the store's share of that CPU time. With N workers and a master that
# takes R results/s, the master is not the bottleneck once a task lasts
# longer than N / R seconds (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=build/release/bench/bench_dispatch
make -s "$B"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "| ranks | task | tasks | seconds | results/s | MB/s | rank 0 CPU s | results per rank-0 CPU s | MB per rank-0 CPU s | store CPU share of rank 0 |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in 2 4 8 16 32 64; do
  for kind in empty heavy; do
    if [ $kind = empty ]; then tasks=100000 vals=1; else tasks=10000 vals=4096; fi
    mpirun -n $n --oversubscribe --bind-to none "$B" $tasks "$W" $vals 2>/dev/null |
      awk -v k="$kind" -v v=$vals '{printf "| %s | %s | %s | %.2f | %.0f | %.1f | %.2f | %.0f | %.0f | %.0f%% |\n",
        $2, k, $4, $6, $8, $14, $16, $18, $18 * v * 8 / 1e6, 100 * $20 / $16}'
    rm -f "$W"/noop_*.h5*
  done
done
