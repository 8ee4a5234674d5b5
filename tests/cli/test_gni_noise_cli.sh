#!/usr/bin/env bash
# tests/cli/test_gni_noise_cli.sh: the gni kind's gradient-noise studies
# through `tailsweep run`, on the optimised binary and mpirun:
#   - paired grids: with shared_init 1 the step-0 losses of a replicate are
#     the same at every M, with 0 they differ;
#   - the minibatch noise of the full batch is missing (NaN, valid 0) in the
#     store, and measured with minibatches;
#   - raw noise values (gradnoise_raw) are stored over (raw_step,
#     raw_weight), NaN-padded past the layer's weights, and `plot --figure
#     gradnoise_pdf` draws them (paper figure 2);
#   - an MNIST folder written here in the real IDX format trains through a
#     job's data_dir, and a folder without the files fails `check` naming
#     them.
#   TAILSWEEP=build/release/tailsweep bash tests/cli/test_gni_noise_cli.sh
. "$(dirname "$0")/lib.sh"
mpi_env
export MPLCONFIGDIR="$W/mpl"

cat > paired.yaml <<'YAML'
kind: gni
store: paired.h5
seed: 7
replicates: 2
params:
  depth: 2
  width: 16
  n_train: 64
  n_test: 32
  batch: 16
  lr: 0.01
  steps: 40
  log_every: 20
  M_prime: 8
  gradnoise_source: batch
  raw_layer: 1
  raw_steps: "0,40"
  raw_max: 300
axes:
  M: [1, 4, 16]
  shared_init: [0, 1]
YAML
mpirun -n 3 --oversubscribe --bind-to none "$TAILSWEEP" run paired.yaml >log 2>&1
rc=$?
why=$("$PY" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File("paired.h5", "r")
def names(d):
    return [x[0].name.rsplit("/", 1)[-1] for x in d.dims]
tl = f["train_loss"]
n = names(tl)
x = np.moveaxis(tl[()], [n.index("M"), n.index("shared_init"), n.index("replicate"), n.index("step")], [0, 1, 2, 3])
st = f["status"][()]
assert (st == 1).all(), f"status {st}"
shared, own = x[:, 1, :, 0], x[:, 0, :, 0]   # step 0, [M, replicate]
assert (shared == shared[0]).all(), f"shared_init 1: step-0 losses differ across M: {shared}"
assert len(np.unique(own[:, 0])) == 3, f"shared_init 0: step-0 losses should differ across M: {own}"
assert (shared[:, 0] != shared[:, 1]).all(), "replicates share weights"
print(f"step-0 train loss, replicate 0: shared {shared[:, 0]}, own {own[:, 0]}")
PY
)
prc=$?
if [ $rc -eq 0 ] && [ $prc -eq 0 ]; then pass "shared_init: identical step-0 losses across M ($why)"
else fail "shared_init" "rc=$rc $why $(tail -3 log)"; fi

why=$("$PY" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File("paired.h5", "r")
def names(d):
    return [x[0].name.rsplit("/", 1)[-1] for x in d.dims]
r = f["gradnoise_raw"]
n = names(r)
assert n[-2:] == ["raw_step", "raw_weight"] and r.shape[-1] == 300, (n, r.shape)
assert list(f["raw_step"][()]) == [0, 40], f["raw_step"][()]
v = r[()]
assert np.isfinite(v[..., :256]).all() and np.isnan(v[..., 256:]).all(), "16 x 16 = 256 values, then NaN"
valid, alpha = f["gradnoise_valid"][()], f["gradnoise_alpha"][()]
assert ((valid == 0) == np.isnan(f["gradnoise_mean"][()])).all()
# the 16 x 16 layer's minibatch noise is measured at every log (moments and
# fit; the tail index of 128 differences is undefined when its block sums
# do not grow, which happens at this size)
mid = valid[..., 1, :].astype(int)
assert ((mid & 5) == 5).all() and ((mid & 2) != 0).mean() > 0.8, mid
assert r.attrs.get("_FillValue") is None or np.isnan(r.attrs["_FillValue"])
print("gradnoise_raw", r.shape)
PY
)
[ $? -eq 0 ] && pass "raw values stored over raw_step x raw_weight, NaN-padded ($why)" || fail "gradnoise_raw" "$why"

run plot paired.h5 --figure gradnoise_pdf -o pdf.png
if [ $rc -eq 0 ] && [ -s pdf.png ]; then pass "plot --figure gradnoise_pdf -> PNG"
else fail "plot gradnoise_pdf" "rc=$rc $(cat "$W/err")"; fi

# full batch: the minibatch noise is 0 by definition, stored as missing
sed -e 's/store: paired.h5/store: full.h5/' -e 's/  batch: 16/  batch: 0/' -e '/raw_/d' \
    -e 's/  M: \[1, 4, 16\]/  M: [1]/' paired.yaml > full.yaml
"$TAILSWEEP" run full.yaml >log 2>&1
rc=$?
why=$("$PY" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File("full.h5", "r")
assert (f["status"][()] == 1).all()
for k in ("gradnoise_mean", "gradnoise_alpha", "gradnoise_tail_index"):
    assert np.isnan(f[k][()]).all(), k
assert (f["gradnoise_valid"][()] == 0).all()
assert np.isfinite(f["actnoise_skew"][()]).all(), "the forward-pass noise is still measured"
print("all missing")
PY
)
[ $rc -eq 0 ] && [ "$why" = "all missing" ] && pass "full-batch minibatch noise is missing (NaN), tasks done" \
  || fail "full batch noise" "rc=$rc $why $(tail -3 log)"
run plot full.h5 --figure gradnoise_pdf -o none.png
[ $rc -eq 2 ] && grep -q "gradnoise_raw" "$W/err" && pass "plot gradnoise_pdf without raw values -> 2" \
  || fail "plot gradnoise_pdf without raw" "rc=$rc $(cat "$W/err")"

# depth swept under max_depth: the store has max_depth + 1 weight layers,
# the output layer last, NaN (valid 0) between; without max_depth the
# tasks of another depth than the first fail, saying to set it
cat > depth.yaml <<'YAML'
kind: gni
store: depth.h5
seed: 7
replicates: 1
params:
  max_depth: 3
  width: 16
  n_train: 64
  n_test: 32
  batch: 16
  steps: 20
  log_every: 10
  M_prime: 8
axes:
  depth: [1, 3]
YAML
"$TAILSWEEP" run depth.yaml >log 2>&1
rc=$?
why=$("$PY" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File("depth.h5", "r")
m, v = f["gradnoise_mean"][()], f["gradnoise_valid"][()]   # [depth, replicate, layer, step]
assert m.shape[2] == 4, m.shape
assert np.isfinite(m[0, :, [0, 3]]).all() and np.isnan(m[0, :, 1:3]).all() and (v[0, :, 1:3] == 0).all()
assert np.isfinite(m[1]).all()
a = f["actnoise_skew"][()]                                 # [depth, replicate, hidden, step]
assert np.isfinite(a[0, :, 0]).all() and np.isnan(a[0, :, 1:]).all()
print("layers 0 and 3 of depth 1, all 4 of depth 3")
PY
)
[ $rc -eq 0 ] && [ "$why" = "layers 0 and 3 of depth 1, all 4 of depth 3" ] && pass "depth swept under max_depth: $why" \
  || fail "depth sweep" "rc=$rc $why $(tail -3 log)"
sed -e '/max_depth/d' -e 's/depth.h5/d2.h5/' depth.yaml > d2.yaml
"$TAILSWEEP" run d2.yaml >log 2>&1
rrc=$?
run status d2.h5
[ $rrc -eq 1 ] && grep -q "set max_depth" "$W/out" && pass "depth swept without max_depth: its task fails, saying to set max_depth" \
  || fail "depth without max_depth" "rc=$rrc $(cat log "$W/out")"

# MNIST from a folder (the real IDX format, gzipped): ten classes marked by
# a bright patch; a 1 x 32 network reaches > 90% on them in 200 steps
mkdir mnist
"$PY" - <<'PY'
import gzip, struct, numpy as np
rng = np.random.default_rng(3)
def write(prefix, n):
    y = (np.arange(n) % 10).astype(np.uint8)
    x = rng.integers(0, 96, (n, 28, 28)).astype(np.int32)
    for i, k in enumerate(y):
        r, c = 2 + (k // 5) * 14, 2 + (k % 5) * 4
        x[i, r:r + 4, c:c + 4] += 150
    x = x.astype(np.uint8)
    gzip.open(f"mnist/{prefix}-images-idx3-ubyte.gz", "wb").write(struct.pack(">4B3I", 0, 0, 8, 3, n, 28, 28) + x.tobytes())
    gzip.open(f"mnist/{prefix}-labels-idx1-ubyte.gz", "wb").write(struct.pack(">4BI", 0, 0, 8, 1, n) + y.tobytes())
write("train", 500)
write("t10k", 200)
PY
cat > mnist.yaml <<YAML
kind: gni
store: mnist.h5
seed: 3
replicates: 1
params:
  data: mnist
  data_dir: "$W/mnist"
  shared_init: 1
  n_train: 0
  n_test: 0
  standardise: 1
  depth: 1
  width: 32
  act: relu
  noise: none
  sigma2: 0
  batch: 25
  lr: 0.05
  steps: 200
  log_every: 100
  M_prime: 4
YAML
"$TAILSWEEP" run mnist.yaml >log 2>&1
acc=$("$PY" -c "import h5py; print(float(h5py.File('mnist.h5','r')['final_test_accuracy'][()].ravel()[0]))" 2>&1)
if lt 0.9 "$acc"; then pass "mnist from data_dir: test accuracy $acc"
else fail "mnist from data_dir" "$acc $(tail -3 log)"; fi
sed -e "s|$W/mnist|$W/nowhere|" -e 's/mnist.h5/m2.h5/' mnist.yaml > m2.yaml
run check m2.yaml
[ $rc -eq 3 ] && grep -q "train-images-idx3-ubyte" "$W/err" && grep -q "$W/nowhere" "$W/err" \
  && pass "check: a data_dir without the files -> 3 (unreadable), naming them" || fail "check missing data" "rc=$rc $(cat "$W/err")"

# A CNN on the same folder, its dense depth swept under max_depth:
# the store's layers are the convolution block, then max_depth + 1 (the
# output last); depth 0 leaves the dense rows between missing
cat > cnn.yaml <<YAML
kind: gni
store: cnn.h5
seed: 3
replicates: 1
params:
  data: mnist
  data_dir: "$W/mnist"
  shared_init: 1
  n_train: 100
  n_test: 50
  arch: cnn
  conv: "4"
  max_depth: 1
  width: 8
  batch: 20
  steps: 10
  log_every: 5
  M_prime: 4
axes:
  depth: [0, 1]
YAML
"$TAILSWEEP" run cnn.yaml >log 2>&1
rc=$?
why=$("$PY" - <<'PY' 2>&1
import h5py, numpy as np
f = h5py.File("cnn.h5", "r")
m = f["gradnoise_mean"][()]                                # [depth, replicate, layer, step]
assert m.shape[2] == 3, m.shape
assert np.isfinite(m[0, :, [0, 2]]).all() and np.isnan(m[0, :, 1]).all() and np.isfinite(m[1]).all()
a = f["actnoise_skew"][()]                                 # [depth, replicate, hidden, step]
assert a.shape[2] == 2 and np.isfinite(a[0, :, 0]).all() and np.isnan(a[0, :, 1]).all() and np.isfinite(a[1]).all()
l = f["train_loss"][()]
assert np.isfinite(l).all()
print("conv, dense, output rows; depth 0 misses the dense one")
PY
)
[ $rc -eq 0 ] && [ "$why" = "conv, dense, output rows; depth 0 misses the dense one" ] && pass "cnn depth swept under max_depth: $why" \
  || fail "cnn depth sweep" "rc=$rc $why $(tail -3 log)"
exit 0
