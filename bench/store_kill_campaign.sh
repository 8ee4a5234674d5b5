#!/usr/bin/env bash
# bench/store_kill_campaign.sh [KILLS] [TORN]: the full kill campaign behind
# docs/architecture.md's promise (tests/cli/test_store_kill.sh runs a small
# one in CI). A job of 10^4 SDE tasks, each recording a 512-point density, on
# 3 ranks:
#   KILLS (default 50) kill -9 of the whole job at random moments (0.3-3 s
#   into each run), and TORN (default 30) kills of rank 0 half way through its
#   Nth write to the store (build/release/tests/libkillwrite.so), N spread
#   over a run's writes. After every kill h5py and xarray read the whole
#   store; at the end the job resumes to completion and is compared with an
#   uninterrupted run: bit-identical results, every task recorded once.
set -uo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
KILLS=${1:-50}
TORN=${2:-30}
T=$PWD/build/release/tailsweep
SHIM=$PWD/build/release/tests/libkillwrite.so
make -s build/release/tailsweep "$SHIM"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
MPIRUN="mpirun -n 3 --oversubscribe --bind-to none"
cat > job.yaml <<'EOF2'
kind: sde
seed: 21
replicates: 4
params: {eta: 1.0e-3, steps: 1500, burnin: 500, chains: 8, scheme: implicit, grid_n: 512}
axes:
  alpha: {linspace: [1.1, 1.9, 25]}
  theta: {linspace: [-1, 1, 100]}
EOF2
readable() {
  /usr/bin/python3 - "$1" <<'PY' >/dev/null 2>&1
import sys, h5py, numpy as np, xarray as xr
f = h5py.File(sys.argv[1], "r")
s = f["status"][()]
d = f["density"][()]
assert d.shape[-1] == 512 and s.min() >= 0 and s.max() <= 3
xr.open_dataset(sys.argv[1], engine="h5netcdf").load()
PY
}
t0=$(date +%s)
$MPIRUN "$T" run job.yaml --store ref.h5 --no-progress 2>ref.log
ref_s=$(sed -n 's/.*ran [0-9]* in \([0-9.]*\) s.*/\1/p' ref.log)
kills=0 unreadable=0 done_at_kill=""
for i in $(seq 1 "$KILLS"); do
  $MPIRUN "$T" run job.yaml --store k.h5 --no-progress >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s=$RANDOM 'BEGIN{printf "%.2f", 0.3 + (s % 270) / 100}')"
  pkill -9 -P $pid 2>/dev/null; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  pkill -9 -f "run job.yaml --store k.h5" 2>/dev/null
  sleep 0.2
  kills=$((kills + 1))
  if [ -e k.h5 ]; then
    readable k.h5 || unreadable=$((unreadable + 1))
    done_at_kill="$done_at_kill $("$T" status k.h5 2>/dev/null | sed -n 's/.*done \([0-9]*\),.*/\1/p')"
  fi
  # once complete, start over so every kill meets a running job
  if "$T" status k.h5 2>/dev/null | grep -q "todo 0"; then mv k.h5 k_done_$i.h5; rm -f k.h5.journal; fi
done
torn=0
for i in $(seq 1 "$TORN"); do
  n=$(( 1 + (i * 37) % 300 ))
  (KILLWRITE_AT=$n LD_PRELOAD=$SHIM exec "$T" run job.yaml --store t.h5 --no-progress >/dev/null 2>>torn.log) 2>/dev/null
  [ $? -eq 137 ] && torn=$((torn + 1))
  [ -e t.h5 ] && { readable t.h5 || unreadable=$((unreadable + 1)); }
  if "$T" status t.h5 2>/dev/null | grep -q "todo 0"; then mv t.h5 t_done_$i.h5; rm -f t.h5.journal; fi
done
$MPIRUN "$T" run job.yaml --store k.h5 --no-progress >/dev/null 2>&1
"$T" run job.yaml --store t.h5 --no-progress >/dev/null 2>&1
result=$(/usr/bin/python3 - <<'PY'
import glob, h5py, numpy as np
skip = {"rank", "host", "wall_time", "end_time", "checksum", "attempt", "message"}
ref = h5py.File("ref.h5", "r")
bad = []
for p in ["k.h5", "t.h5"] + sorted(glob.glob("k_done_*.h5")) + sorted(glob.glob("t_done_*.h5")):
    f = h5py.File(p, "r")
    for k in ref:
        if isinstance(ref[k], h5py.Dataset) and k not in skip and not np.array_equal(
                ref[k][()], f[k][()], equal_nan=ref[k].dtype.kind == "f"):
            bad.append(f"{p}:{k}")
print("identical" if not bad else "DIFFER " + " ".join(bad[:5]))
PY
)
twice=$("$T" status k.h5 | sed -n 's/.*more than once: \([0-9]*\).*/\1/p')
echo "tasks 10000 (reference run ${ref_s} s on 3 ranks); kill -9 of the whole job: $kills; torn writes (rank 0 killed half way through its Nth write): $torn"
echo "store unreadable by h5py/xarray after a kill: $unreadable"
echo "tasks done at each kill:$done_at_kill"
echo "resumed stores vs the uninterrupted run: $result; tasks recorded twice in the journal: ${twice:-?}"
echo "campaign wall time: $(( $(date +%s) - t0 )) s"
