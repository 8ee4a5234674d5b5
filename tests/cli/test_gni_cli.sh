#!/usr/bin/env bash
# tests/cli/test_gni_cli.sh: `tailsweep train` (one task of the gni kind) as
# a user meets it: bad configurations give exit 2 and a message naming the
# key; -o writes a labelled HDF5 file whose results are bit-identical for
# a seed; --print summarises. Short runs: made for the sanitizer build.
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_gni_cli.sh
. "$(dirname "$0")/lib.sh"
bad_cmd=train
short="--depth 2 --width 8 --n_train 64 --n_test 32 --steps 30 --log_every 10 --M_prime 8"

bad "width 0" width --width 0
bad "unknown activation" act --act swish
bad "sigma2 < 0" sigma2 --sigma2 -0.1
bad "M = 0" "'M'\|--M" --M 0
bad "depth above the maximum" depth --depth 17
bad "xent on the regression toy data" loss --loss xent
bad "batch above n_train" batch --batch 65
bad "gradnoise_every not a multiple of log_every" gradnoise_every --gradnoise_every 15
bad "mimic with minibatches" batch --mimic stable --batch 8
bad "unknown data set" data --data imagenet
bad "svhn without data_dir" "needs data_dir" --data svhn
bad "cifar10 from a folder without its files" "data_batch_1.bin" --data cifar10 --data_dir "$W"
bad "data_dir for the generated toy data" data_dir --data_dir /tmp
bad "raw_steps at a step not measured" raw_steps --raw_steps 15
bad "raw_layer beyond the network" raw_layer --raw_layer 3
bad "unknown gradnoise_source" gradnoise_source --gradnoise_source minibatch
bad "dp_sgd with clip_norm 0" clip_norm --optimizer dp_sgd --clip_norm 0
bad "non-numeric lr" lr --lr fast

run train $short
[ $rc -eq 2 ] && grep -q "nothing to do" "$W/err" && pass "train without -o or --print is a usage error" \
  || fail "train no output" "rc=$rc"

run train $short --sigma2 0.2 -o a.h5 --print
if [ $rc -eq 0 ] && grep -q "implicit-effect gradient noise at step 30" "$W/out" && grep -q "final train loss" "$W/out" \
   && [ -s a.h5 ]; then pass "train writes a.h5 and prints a summary"
else fail "train run" "rc=$rc $(cat "$W/err")"; fi

run train $short --sigma2 0.2 -o a.h5
[ $rc -eq 3 ] && grep -q "exists" "$W/err" && pass "train refuses to overwrite without --force" \
  || fail "train overwrite" "rc=$rc $(cat "$W/err")"

run train $short --sigma2 0.2 -o b.h5
run train $short --sigma2 0.2 --seed 2 -o c.h5
"$PY" - <<'PY' && pass "train: the HDF5 file is labelled and bit-identical for a seed" || fail "train h5" "see above"
import sys, h5py, numpy as np
a, b, c = (h5py.File(f, "r") for f in ("a.h5", "b.h5", "c.h5"))
def results(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
ra, rb, rc = results(a), results(b), results(c)
keys = [k for k in ra if k.split("/")[-1] in ("train_loss", "gradnoise_kurt", "explicit_reg", "actnoise_skew")]
def same(x, y):  # NaN marks the same missing value in both
    x, y = np.asarray(x), np.asarray(y)
    return np.array_equal(x, y, equal_nan=x.dtype.kind == "f" and y.dtype.kind == "f")
ok = len(keys) == 4
ok &= all(same(ra[k], rb[k]) for k in ra if "wall" not in k and "time" not in k and k != "checksum")
ok &= any(not same(ra[k], rc[k]) for k in keys)
tl = [k for k in ra if k.split("/")[-1] == "train_loss"][0]
ok &= np.all(np.isfinite(ra[tl])) and ra[tl].shape[-1] == 4
steps = [k for k in ra if k.split("/")[-1] == "step"]
ok &= bool(steps) and list(ra[steps[0]]) == [0, 10, 20, 30]
attrs = {}
a.visititems(lambda n, o: attrs.update({f"{n}@{k}": v for k, v in o.attrs.items()}))
attrs.update({f"@{k}": v for k, v in a.attrs.items()})
txt = " ".join(f"{k}={v}" for k, v in attrs.items())
nv = [k for k in ra if k.split("/")[-1] == "noise_variance"]
ok &= bool(nv) and float(ra[nv[0]]) == 0.2 and "variance" in txt.lower()
if not ok:
    print("keys", sorted(ra)[:40], "attrs", txt[:600])
sys.exit(0 if ok else 1)
PY

# a blow-up is reported (exit 1, status diverged); what was not measured
# after it is NaN (missing), never infinite or a magic number
run train $short --lr 50 -o d.h5
if [ $rc -eq 1 ] && [ -s d.h5 ] && "$PY" -c "
import h5py, numpy as np, sys
f = h5py.File('d.h5', 'r'); vals = {}
f.visititems(lambda n, o: vals.__setitem__(n.split('/')[-1], np.asarray(o[()], dtype=float)) if isinstance(o, h5py.Dataset) and o.dtype.kind == 'f' else None)
tl = vals['train_loss'].ravel()
ok = not any(np.isinf(v).any() or (v == -1e6).any() for v in vals.values())
ok &= np.isfinite(tl[0]) and np.isnan(tl[-1]) and np.isnan(vals['final_train_loss']).all()
ok &= np.isfinite(vals['diverged_at']).all()
sys.exit(0 if ok else 1)"; then pass "train: divergence exits 1, NaN after the blow-up"
else fail "train divergence" "rc=$rc $(cat "$W/err")"; fi

# figure 7: a tiny sweep over the three trainings (baseline,
# noise, L + R) on the toy signal, 2 seeds; plot --figure fig7 draws it.
# `run` is an MPI program: MPI and OpenBLAS keep allocations to exit (mpi_env).
mpi_env
cat > fig7.yaml <<'YAML'
kind: gni
store: fig7.h5
seed: 3
replicates: 2
params:
  depth: 1
  width: 6
  n_train: 32
  n_test: 32
  steps: 20
  log_every: 10
  M_prime: 4
zip:
  - {noise: [none, additive, additive], objective: [loss, loss, explicit_reg]}
YAML
# sweep_and_plot NAME WHAT: runs NAME.yaml (store NAME.h5), then plot
# --figure NAME draws NAME.png; WHAT names the check.
sweep_and_plot() {
  run run "$1.yaml"
  if [ $rc -eq 0 ] && [ -s "$1.h5" ]; then
    run plot "$1.h5" --figure "$1" -o "$1.png"
    if [ $rc -eq 0 ] && [ -s "$1.png" ]; then pass "plot --figure $1 draws $2"
    else fail "plot $1" "rc=$rc $(cat "$W/err")"; fi
  else fail "$1 sweep" "rc=$rc $(cat "$W/err")"; fi
}
sweep_and_plot fig7 "a baseline / noise / L + R sweep"

# figure 4: M = 1, M = 4 and M = 4 plus the clipped stable and the Gaussian
# mimic, full batch, 3 seeds; plot --figure fig4 draws it, and refuses a
# store without mimic trainings (the fig7 sweep) naming what it needs.
cat > fig4.yaml <<'YAML'
kind: gni
store: fig4.h5
seed: 5
replicates: 3
params:
  shared_init: 1
  depth: 2
  width: 8
  n_train: 16
  n_test: 32
  on_input: 0
  steps: 30
  log_every: 10
  M_prime: 4
zip:
  - {M: [1, 4, 4, 4], mimic: [none, none, stable, gaussian]}
YAML
sweep_and_plot fig4 "an M = 1 / M = 4 / mimic sweep"
if [ -s fig7.h5 ]; then
  run plot fig7.h5 --figure fig4 -o f4b.png
  if [ $rc -eq 2 ] && grep -q "mimic" "$W/err" && [ ! -e f4b.png ]; then pass "plot --figure fig4 refuses a store without mimic trainings (exit 2)"
  else fail "plot fig4 refusal" "rc=$rc $(cat "$W/err")"; fi
else fail "plot fig4 refusal" "no fig7.h5"; fi
exit 0
