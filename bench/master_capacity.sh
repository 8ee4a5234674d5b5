#!/usr/bin/env bash
# bench/master_capacity.sh: how many results rank 0 takes per second, with
# 2 .. 64 ranks (oversubscribed on this machine's cores), for tasks that
# compute nothing: empty ones (one value) and result-heavy ones (4096 values,
# 32 KiB), so all that is measured is scheduling, messaging, writing the
# store in place and journaling. Prints a markdown table: results/s, MB/s,
# and the store's share of rank 0's time. With N workers and a master that
# takes R results/s, the master is not the bottleneck once a task lasts
# longer than N / R seconds (docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=build/release/bench/bench_dispatch
make -s "$B"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
echo "| ranks | task | tasks | seconds | results/s | MB/s | store share of rank 0 |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for n in 2 4 8 16 32 64; do
  for kind in empty heavy; do
    if [ $kind = empty ]; then tasks=200000 vals=1; else tasks=20000 vals=4096; fi
    mpirun -n $n --oversubscribe --bind-to none "$B" $tasks "$W" $vals 2>/dev/null |
      awk -v k="$kind" '{printf "| %s | %s | %s | %.2f | %.0f | %.1f | %.1f%% |\n", $2, k, $4, $6, $8, $14, 100 * $12 / $6}'
    rm -f "$W"/noop_*.h5*
  done
done
