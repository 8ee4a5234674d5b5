#!/usr/bin/env bash
# tests/slurm/slurm_down.sh DIR: tear down what slurm_up.sh DIR started.
#
# Cancels every job of that cluster (bounded wait), stops slurmd, slurmctld
# and munged by the PIDs slurm_up.sh recorded (TERM, then KILL after 10 s),
# kills by PID whatever they left behind (slurmstepd and job processes,
# recognised by their environment pointing at DIR), and removes DIR.
# Never kills by name. Safe to call twice or on a half-started DIR.
set -u
dir=${1:?usage: slurm_down.sh DIR}
[ -d "$dir" ] || exit 0
dir=$(cd "$dir" && pwd)
KEEP=${KEEP_SLURM_DIR:-0}   # 1: leave DIR (logs) in place for debugging

pid_of() { local f=$dir/pids/$1.pid; [ -s "$f" ] && cat "$f"; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

stop_pid() {  # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do alive "$pid" || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  for _ in $(seq 1 20); do alive "$pid" || return 0; sleep 0.1; done
}

# 1. cancel the cluster's jobs while the daemons can still clean them up
if [ -f "$dir/slurm.conf" ] && alive "$(pid_of slurmctld)"; then
  export SLURM_CONF=$dir/slurm.conf
  ids=$(squeue -h -o '%i' 2>/dev/null | tr '\n' ' ')
  if [ -n "${ids// }" ]; then
    # shellcheck disable=SC2086
    scancel $ids 2>/dev/null
    for _ in $(seq 1 150); do   # 15 s: KillWait is 5 s
      [ -z "$(squeue -h -o '%i' 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
fi

# 2. the daemons, slurmd first (it reports to slurmctld), munged last
for name in slurmd slurmctld munged; do
  stop_pid "$(pid_of "$name")"
done

# 3. anything left behind: slurmstepd inherits slurmd's environment (the
# TS_SLURM_TEST_DIR marker); job processes carry SLURM_CONF=DIR/slurm.conf
# and SLURM_JOB_ID. This shell and its ancestors are spared.
spare=" "
p=$$
while [ -n "$p" ] && [ "$p" -gt 1 ] 2>/dev/null; do
  spare="$spare$p "
  p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
done
left=()
for e in /proc/[0-9]*/environ; do
  p=${e#/proc/}; p=${p%/environ}
  case "$spare" in *" $p "*) continue ;; esac
  env=$( { tr '\0' '\n' <"$e"; } 2>/dev/null) || continue
  if grep -qxF "TS_SLURM_TEST_DIR=$dir" <<<"$env" ||
     { grep -qxF "SLURM_CONF=$dir/slurm.conf" <<<"$env" && grep -q '^SLURM_JOB_ID=' <<<"$env"; }; then
    left+=("$p")
  fi
done
if [ "${#left[@]}" -gt 0 ]; then
  echo "slurm_down: killing leftover PIDs ${left[*]}" >&2
  kill -KILL "${left[@]}" 2>/dev/null
fi

if [ "$KEEP" = 1 ]; then
  echo "slurm_down: kept $dir" >&2
else
  rm -rf "$dir"
fi
exit 0
