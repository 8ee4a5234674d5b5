#!/usr/bin/env bash
# tests/cli/test_linear_cli.sh: `tailsweep linear` and the linear kind in a
# sweep, as a user meets them: bad configurations give exit 2 and a message
# naming the key; a small run writes a labelled, finite, reproducible file;
# a divergence is reported (exit 1, status diverged, no NaN); a job file
# runs through `tailsweep run` on 3 ranks into a store whose curves carry
# their step numbers, bit-identical to the same job run alone. Runs the
# sanitizer build (short runs only).
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_linear_cli.sh
. "$(dirname "$0")/lib.sh"
bad_cmd=linear
short="--n 30 --d 40 --steps 2000 --burnin 1000 --log_every 100"

bad "B > n" "B = 31" --B 31
bad "k > d" "k = 41" --k 41
bad "sigma < 0" sigma --sigma -0.5
bad "eta = 0" eta --eta 0
bad "clip < 0" clip --clip -1
bad "a0 = 0" a0 --model dln --a0 0
bad "unknown model" model --model mlp
bad "unknown optimizer" optimizer --optimizer adam
bad "burnin >= steps" burnin --burnin 2000
bad "log_every > steps" log_every --log_every 5000
bad "a tail window under 1000 values" "tail window" --d 1 --burnin 1500
bad "non-numeric B" B --B many
bad "fractional n" "n" --n 30.5

run linear $short --model dln --k 3 --sigma 0.01 --clip 1 -o a.h5 --print
if [ $rc -eq 0 ] && grep -q "^final: train_loss" "$W/out" && grep -q "^tail index" "$W/out" && [ -s a.h5 ]; then
  pass "linear writes a.h5 and prints a summary"
else fail "linear run" "rc=$rc $(cat "$W/err")"; fi

run linear $short --model dln --k 3 --sigma 0.01 --clip 1 -o b.h5
out=$("$PY" - <<'PY'
import h5py, numpy as np
a, b = h5py.File("a.h5", "r"), h5py.File("b.h5", "r")
skip = {"wall_time", "end_time", "checksum", "host", "rank"}     # differ by design
same = all(np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f") for k in a
           if isinstance(a[k], h5py.Dataset) and k not in skip)
t = a["train_loss"]
labelled = (t.dims[0][0].name == "/step" and t.shape == (21,)
            and np.array_equal(a["step"][()], np.arange(0, 2001, 100)))
names = all(k in a for k in ["test_loss", "beta_err", "beta_l1", "final_test_loss", "dist_min_norm",
                             "tail_index_blocksum", "tail_index_hill"])
finite = all(np.isfinite(a[k][()]).all() for k in a if isinstance(a[k], h5py.Dataset) and a[k].dtype.kind == "f"
             and k != "diverged_at")
attrs = a.attrs["kind"] in (b"linear", "linear") and float(a.attrs["sigma"]) == 0.01 and np.isnan(a["diverged_at"][()])
falls = a["train_loss"][-1] < a["train_loss"][0]
print("ok" if same and labelled and names and finite and attrs and falls
      else "bad %s %s %s %s %s %s" % (same, labelled, names, finite, attrs, falls))
PY
)
[ "$out" = ok ] && pass "linear output is labelled (step scale), finite, complete and bit-identical for the same seed" \
  || fail "linear output" "$out"

run linear $short --eta 20 -o div.h5
st=$("$PY" -c "import h5py, numpy as np; f = h5py.File('div.h5'); s = int(f['status'][()]); tl = f['train_loss'][()]; print(s, int(f['diverged'][()]), np.isfinite(tl[0]), np.isnan(tl[-1]), np.isfinite(f['diverged_at'][()]))" 2>&1)
if [ $rc -eq 1 ] && grep -q "diverged" "$W/err" && [ "$st" = "3 1 True True True" ]; then
  pass "a divergence exits 1 and is stored as status diverged, the curve NaN (not measured) after it"
else fail "linear divergence" "rc=$rc st=$st $(cat "$W/err")"; fi

# --- a job through the sweep engine on 3 ranks ------------------------------
cat > job.yaml <<'YAML'
kind: linear
store: lin.h5
seed: 5
replicates: 2
params:
  model: ls
  n: 30
  d: 60
  steps: 2000
  burnin: 1000
  log_every: 200
  sigma: 0.01
axes:
  B: [1, 5, 30]
  eta: [0.01, 50]
YAML
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
run check job.yaml
[ $rc -eq 0 ] && grep -q "12 tasks" "$W/out" && pass "tailsweep check accepts a linear job" \
  || fail "linear check" "rc=$rc $(cat "$W/out" "$W/err")"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 mpirun -n 3 --oversubscribe --bind-to none \
  "$TAILSWEEP" run job.yaml --no-progress >"$W/out" 2>"$W/err"; rc=$?
out=$("$PY" - <<'PY'
import h5py, numpy as np
f = h5py.File("lin.h5", "r")
t = f["test_loss"]
shape = t.shape == (3, 2, 2, 11) and t.dims[3][0].name == "/step" and f["step"][-1] == 2000
status = f["status"][()]                       # 1 done, 3 diverged
div = (status[:, 1] == 3).all() and (status[:, 0] == 1).all()
# the points that ran to the end have every value; the diverged ones have a
# final loss, and no tail index (NaN: not estimable), never a sentinel
done = status == 1
finite = all(np.isfinite(f[k][()][done]).all() for k in ["test_loss", "final_test_loss", "tail_index_hill"])
finite = finite and np.isnan(f["tail_index_hill"][()][~done]).all() and (f["tail_index_hill"][()] != -1).all()
print("ok" if shape and div and finite else "bad %s %s %s %s" % (shape, div, finite, status.tolist()))
PY
)
if [ $rc -eq 0 ] && [ "$out" = ok ]; then   # diverged tasks count as done: exit 0
  pass "a linear job runs on 3 ranks: eta 50 points diverge, the others finish, curves over step"
else fail "linear sweep" "rc=$rc $out $(tail -n 3 "$W/err")"; fi

# Open MPI leaks at exit (MPI_Init runs even alone): leak checks off, as for mpirun
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "$TAILSWEEP" run job.yaml --store lin1.h5 --no-progress >"$W/out" 2>"$W/err"; rc=$?
same=$("$PY" - <<'PY'
import h5py, numpy as np
a, b = h5py.File("lin.h5", "r"), h5py.File("lin1.h5", "r")
skip = {"wall_time", "end_time", "rank", "host", "checksum"}          # differ by design
ok = all(np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f") for k in a
         if isinstance(a[k], h5py.Dataset) and k not in skip)
print("same" if ok else "differ")
PY
)
[ $rc -eq 0 ] && [ "$same" = same ] && pass "the same linear job alone and on 3 ranks gives bit-identical results" \
  || fail "linear ranks" "rc=$rc $same $(tail -n 3 "$W/err")"
