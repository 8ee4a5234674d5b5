#!/usr/bin/env bash
# bench/check_scale.sh [REV]: `tailsweep check` on one-axis grids of 10^5,
# 10^6 and 10^7 values, this build against the binary of an earlier
# revision REV (default ebea9a2: main before check walked the grid once),
# side by side in one run: each size is timed on both binaries in turn,
# best of 3 (10^7: 1). Prints wall and CPU seconds, CPU microseconds per
# grid point, the ratio base/this and this build's 10x-size scaling (1 is
# linear). The base is built once into build/bench-base/check-REV/.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-ebea9a2}
base=build/bench-base/check-$rev
if [ ! -x "$base/build/release/tailsweep" ]; then
  mkdir -p "$base"
  git archive "$rev" | tar -x -C "$base"
  nice make -s -C "$base" -j2 build/release/tailsweep >&2
fi
this=build/release/tailsweep
[ -x "$this" ] || { echo "check_scale: build $this first (make)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best (least CPU) of n runs: "wall cpu"
best() {
  local bin=$1 job=$2 n=$3 b="" r
  for _ in $(seq 1 "$n"); do
    /usr/bin/time -o "$work/time" -f "%e %U" "$bin" check "$job" >/dev/null 2>&1
    r=$(tail -1 "$work/time")
    if [ -z "$b" ] || awk -v a="$r" -v b="$b" 'BEGIN { split(a, x); split(b, y); exit !(x[2] < y[2]) }'; then b=$r; fi
  done
  echo "$b"
}

echo "tailsweep check on an sde job with one theta axis (linspace); base = $rev"
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%10s  %22s  %22s  %12s  %10s\n' "values" "base wall/CPU s" "this wall/CPU s" "this us/pt" "base/this"
prev=""
for n in 100000 1000000 10000000; do
  printf 'kind: sde\nparams:\n  steps: 100000\naxes:\n  theta: {linspace: [-1, 1, %d]}\n' "$n" > "$work/g$n.yaml"
  reps=3; [ "$n" -ge 10000000 ] && reps=1
  b=$(best "$base/build/release/tailsweep" "$work/g$n.yaml" $reps)
  t=$(best "$this" "$work/g$n.yaml" $reps)
  awk -v n="$n" -v b="$b" -v t="$t" 'BEGIN { split(b, x); split(t, y);
    printf "%10d  %10.2f / %9.2f  %10.2f / %9.2f  %12.3f  %9.1fx\n", n, x[1], x[2], y[1], y[2],
           1e6 * y[2] / n, x[2] / (y[2] > 0 ? y[2] : 1e-3) }'
  if [ -n "$prev" ]; then
    awk -v a="$prev" -v b="$t" 'BEGIN { split(a, x); split(b, y);
      printf "%10s  this build: 10x the values took %.1fx the CPU\n", "", y[2] / (x[2] > 0 ? x[2] : 1e-3) }'
  fi
  prev=$t
done
