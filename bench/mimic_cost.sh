#!/usr/bin/env bash
# bench/mimic_cost.sh: the mimic experiment at the paper's fidelity (an
# unclipped MLE fit of every layer every step) against plain training of the
# same M = 16 run, side by side in one run, and every MLE route against the
# cold fit (bench/bench_mimic_fit.c). Issue 15's target: the mimic at most
# 3x plain training. Prints CPU seconds (the process's user time: what a run
# costs when a core is free) and the ratios; docs/gni.md records them.
#   bench/mimic_cost.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/release/tailsweep build/release/bench/bench_mimic_fit >/dev/null
ts=build/release/tailsweep
rounds=${1:-2}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
base=(train --data toy --depth 2 --width 48 --M 16 --steps 60 --log_every 60 --lr 0.01 --M_prime 16 --force)
mimic=(--mimic stable --fit mle --mimic_truncate 0)
declare -A name=([plain]="" [cold]="${mimic[*]} --mle_route cold" [table_fresh]="${mimic[*]} --mle_route table"
                 [table_training]="${mimic[*]} --mle_route table --mimic_mean training")
cpu() {   # user CPU seconds of one run
  /usr/bin/time -f "%U" "$ts" "${base[@]}" $1 -o "$out/run.h5" 2>&1 >/dev/null | tail -1
}
echo "| run | CPU s (rounds: $rounds) | / plain |"
echo "|---|---|---:|"
plain=()
for r in $(seq "$rounds"); do plain+=("$(cpu "")"); done
p=$(printf '%s\n' "${plain[@]}" | sort -g | head -1)
echo "| plain M = 16 | ${plain[*]} | 1 |"
for k in table_training table_fresh cold; do
  t=()
  n=$rounds
  [ "$k" = cold ] && n=1   # ~1 minute a run
  for r in $(seq "$n"); do t+=("$(cpu "${name[$k]}")"); done
  m=$(printf '%s\n' "${t[@]}" | sort -g | head -1)
  echo "| mimic, ${name[$k]} | ${t[*]} | $(awk -v a="$m" -v b="$p" 'BEGIN { printf "%.1f", a / b }') |"
done
echo
echo "MLE routes against the cold fit on a real mimic run (30 steps):"
build/release/bench/bench_mimic_fit 30
