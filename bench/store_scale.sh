#!/usr/bin/env bash
# bench/store_scale.sh [TASKS...]: the store at scale. For each size (default
# 10000 100000), a sweep of short SDE tasks, each recording a 512-point
# density (and its Gibbs reference: ~1060 values a task), 4 replicates per
# grid point, on 3 ranks (rank 0 schedules and writes, 2 compute), then:
#   tasks/s and us/task          from the run's summary
#   store share                  store + journal write time / wall time
#   rank 0 peak                  its maximum resident memory (getrusage)
#   status                       wall time and peak memory, after the run and
#                                while a run writes (GNU time)
#   aggregate                    wall time and peak memory (over the replicates:
#                                9 statistics per density cell, 2.25x the data)
#   disk                         store + journal against the store, at the end
#                                and at its largest during the run
# With PEER=/path/to/another/tailsweep (the build before the in-place store),
# the same jobs also run through it, side by side, for the wall time and store
# share of both in one session.
# Prints a markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$PWD/build/release/tailsweep
[ -x "$T" ] || make -s build/release/tailsweep
W=${SCALE_DIR:-$(mktemp -d)}
mkdir -p "$W"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
MPIRUN="mpirun -n 3 --oversubscribe --bind-to none"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

job() {  # job N: N tasks as 25 alpha x N/100 theta x 4 replicates
  cat > "$W/scale_$1.yaml" <<EOF2
kind: sde
seed: 1
replicates: 4
params: {eta: 1.0e-3, steps: 1500, burnin: 500, chains: 8, scheme: implicit, grid_n: 512}
axes:
  alpha: {linspace: [1.1, 1.9, 25]}
  theta: {linspace: [-1, 1, $(( $1 / 100 ))]}
EOF2
}

timed() {  # timed OUT CMD...: "seconds peak_kB" of CMD into OUT
  /usr/bin/time -f "%e %M" -o "$1" "${@:2}" >/dev/null 2>&1 || true
}

echo "| tasks | wall s | tasks/s | us/task (2 workers) | store writes s (CPU s) | store share (CPU) | store set-up s | rank 0 peak MB | status s / MB (idle) | status s / MB (running) | resume check s | aggregate s / MB | disk end: store + journal / store | disk peak during run |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  job "$n"
  s="$W/s_$n.h5"
  rm -f "$s" "$s".*
  # sample disk use while the run writes; status too, half way
  $MPIRUN "$T" run "$W/scale_$n.yaml" --store "$s" --no-progress 2>"$W/run_$n.log" &
  pid=$!
  peak_ratio=0 status_run="-"
  while kill -0 $pid 2>/dev/null; do
    if [ -f "$s" ] && [ -f "$s.journal" ]; then
      r=$(awk -v a="$(stat -c %s "$s")" -v b="$(stat -c %s "$s.journal")" 'BEGIN{printf "%.4f", (a + b) / a}')
      peak_ratio=$(awk -v a="$r" -v b="$peak_ratio" 'BEGIN{print (a > b) ? a : b}')
      if [ "$status_run" = "-" ] && [ "$(stat -c %s "$s.journal")" -gt 200000 ]; then
        timed "$W/st_run" "$T" status "$s"
        status_run=$(awk '{printf "%.3f / %.0f", $1, $2 / 1024}' "$W/st_run")
      fi
    fi
    sleep 0.5
  done
  wait $pid
  line=$(grep "ran [0-9]* in" "$W/run_$n.log")
  wall=$(echo "$line" | sed -n 's/.*ran [0-9]* in \([0-9.]*\) s.*/\1/p')
  store_s=$(echo "$line" | sed -n 's/.*store writes \([0-9.]*\) s,.*/\1/p')
  store_cpu=$(echo "$line" | sed -n 's/.*store writes [0-9.]* s, \([0-9.]*\) s CPU.*/\1/p')
  peak=$(echo "$line" | sed -n 's/.*rank 0 peak memory \([0-9]*\) MB.*/\1/p')
  setup=$(echo "$line" | sed -n 's/.*store set-up \([0-9.]*\) s.*/\1/p')
  # the finished job run again: every record read back and checked
  $MPIRUN "$T" run "$W/scale_$n.yaml" --store "$s" --no-progress 2>"$W/again_$n.log"
  check=$(sed -n 's/.*store set-up \([0-9.]*\) s.*/\1/p' "$W/again_$n.log")
  timed "$W/st_idle" "$T" status "$s"
  end_ratio=$(awk -v a="$(stat -c %s "$s")" -v b="$(stat -c %s "$s.journal")" 'BEGIN{printf "%.3f", (a + b) / a}')
  store_mb=$(awk -v a="$(stat -c %s "$s")" 'BEGIN{printf "%.0f", a / 1e6}')
  timed "$W/agg" "$T" aggregate "$s"
  awk -v n="$n" -v w="$wall" -v ss="$store_s" -v sc="$store_cpu" -v su="$setup" -v ck="$check" -v pk="$peak" -v si="$(awk '{printf "%.3f / %.0f", $1, $2 / 1024}' "$W/st_idle")" \
      -v sr="$status_run" -v ag="$(awk '{printf "%.2f / %.0f", $1, $2 / 1024}' "$W/agg")" -v de="$end_ratio" -v dp="$peak_ratio" \
      -v mb="$store_mb" \
      'BEGIN{printf "| %d | %.1f | %.0f | %.0f | %.2f (%.2f) | %.2f%% (%.2f%%) | %.2f | %s | %s | %s | %.2f | %s | %.3f (store %s MB) | %.3f |\n",
             n, w, n / w, 2e6 * w / n, ss, sc, 100 * ss / w, 100 * sc / w, su, pk, si, sr, ck, ag, de, mb, dp}'
  rm -f "$s" "$s".*
  if [ -n "${PEER:-}" ]; then
    p="$W/p_$n.h5"
    $MPIRUN "$PEER" run "$W/scale_$n.yaml" --store "$p" --no-progress 2>"$W/peer_$n.log" || true
    line=$(grep "ran [0-9]* in" "$W/peer_$n.log")
    pw=$(echo "$line" | sed -n 's/.*ran [0-9]* in \([0-9.]*\) s.*/\1/p')
    ps=$(echo "$line" | sed -n 's/.*store writes \([0-9.]*\) s.*/\1/p')
    pd=$(awk -v a="$(stat -c %s "$p")" -v b="$(stat -c %s "$p.journal")" 'BEGIN{printf "%.3f", (a + b) / a}')
    awk -v n="$n" -v w="$pw" -v ss="$ps" -v pd="$pd" \
      'BEGIN{printf "| %d (peer: whole rewrites) | %.1f | %.0f | %.0f | %.2f | %.2f%% | | | | | | | %s | |\n",
             n, w, n / w, 2e6 * w / n, ss, 100 * ss / w, pd}'
    rm -f "$p" "$p".*
  fi
done
