#!/usr/bin/env bash
# tests/cli/test_aggregate_cli.sh WRITER: `tailsweep aggregate / export / info
# / plot` as a user meets them: bad input gets a clear message and the exit
# code the README documents (missing store 3, newer format 2, unknown axis
# 2, unknown figure 2, a held store 3); a failed aggregate leaves the store
# untouched; every figure is a PNG of sensible size that is not blank, from
# a real tiny SDE sweep (fig6, shiftmap), from the GNI-like store that
# WRITER (tests/oracle/agg_store_writer.c) writes (loss, gradnoise), and
# from a real tiny linear sweep (curve, map, and their argument errors).
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_aggregate_cli.sh build/asan/oracle/agg_store_writer
WRITER=${1:-}
. "$(dirname "$0")/lib.sh"
[ -n "$WRITER" ] || WRITER=$repo/build/asan/oracle/agg_store_writer
case $WRITER in /*) ;; *) WRITER=$OLDPWD/$WRITER ;; esac
[ -x "$WRITER" ] || { fail writer "$WRITER missing"; exit 0; }

"$WRITER" gni.h5 || { fail writer "agg_store_writer failed"; exit 0; }
cat >tiny.yaml <<'EOF'
kind: sde
store: sde.h5
seed: 3
replicates: 3
params: {potential: quartic, eta: 1.0e-3, steps: 6000, burnin: 500, chains: 8, scheme: implicit, grid_n: 64}
axes:
  alpha: [1.9, 1.3]
  theta: [-0.5, 0, 0.5]
EOF
# the sweep initialises Open MPI, which leaks at exit
ASAN_OPTIONS=detect_leaks=0 "$TAILSWEEP" run tiny.yaml >/dev/null 2>"$W/err" ||
  fail "tiny sde sweep" "$(cat "$W/err")"

# --- bad input -----------------------------------------------------------------
expect "aggregate: missing store -> 3" 3 "nope.h5" aggregate nope.h5
expect "aggregate: unknown axis -> 2, naming it and the axes" 2 "no axis 'eta'.*sigma2" aggregate gni.h5 --over eta
expect "aggregate: quantile outside [0, 1] -> 2" 2 "1.5" aggregate gni.h5 --quantiles 0.5,1.5
expect "aggregate: two stores -> 2" 2 "one store" aggregate gni.h5 sde.h5
echo "kind: sde" >text.h5
expect "aggregate: not an HDF5 file -> 2" 2 "not an HDF5 file" aggregate text.h5
cp gni.h5 newer.h5
"$PY" -c 'import h5py, numpy as np, sys; h5py.File(sys.argv[1], "a").attrs["format_version"] = np.int32(7)' newer.h5
expect "aggregate: newer store format -> 2" 2 "format 7; this tailsweep reads format 2" aggregate newer.h5
expect "info: newer store format -> 2" 2 "newer format" info newer.h5
expect "plot: unknown figure -> 2" 2 "unknown figure 'fig99'" plot sde.h5 --figure fig99 -o x.png
expect "plot: missing store -> 3" 3 "nope.h5" plot nope.h5 --figure fig6 -o x.png
expect "plot: not a png, pdf or svg -> 2" 2 "a .png, .pdf or .svg file" plot sde.h5 --figure fig6 -o x.jpg
expect "export: no format -> 2" 2 "--csv" export gni.h5
expect "export: unknown dataset -> 2" 2 "no dataset 'nope'" export gni.h5 --csv --dataset nope
expect "export: --aggregate before aggregate -> 2" 2 "tailsweep aggregate" export gni.h5 --csv --aggregate

# a failed aggregate leaves the store as it was, with no temporary file
before=$(md5sum gni.h5)
run aggregate gni.h5 --over nope
if [ $rc -eq 2 ] && grep -q "nope" "$W/err" && [ "$before" = "$(md5sum gni.h5)" ] && ! ls gni.h5.agg.* >/dev/null 2>&1; then
  pass "a failed aggregate leaves the store untouched"
else fail "failed aggregate" "store changed or temp left: $(ls)"; fi

# a store a sweep holds is not replaced under it
( exec 9>gni.h5.lock; flock -x 9; sleep 3 ) &
holder=$!
sleep 0.5
expect "aggregate: store locked by a running sweep -> 3" 3 "sweep is running" aggregate gni.h5
locked_rc=$rc
wait "$holder"
[ $locked_rc -eq 3 ] && [ "$before" = "$(md5sum gni.h5)" ] && pass "the locked store was not touched" \
  || fail "locked store" "rc=$locked_rc, or changed"

# --- aggregate, info, export -----------------------------------------------------
run aggregate sde.h5
if [ $rc -eq 0 ] && grep -q "6 derived maps" "$W/err" && [ ! -s "$W/out" ]; then
  pass "aggregate sde.h5 writes the 6 shift maps the sde kind derives; its summary goes to stderr"
else fail "aggregate sde.h5" "rc=$rc $(cat "$W/out" "$W/err")"; fi
run aggregate gni.h5
if [ $rc -eq 0 ] && grep -q "5 results over replicate; 12 cells, 1 without any value" "$W/err"; then
  pass "aggregate reports the empty cell of a partial store"
else fail "aggregate gni.h5" "rc=$rc $(cat "$W/out" "$W/err")"; fi

run info gni.h5
if [ $rc -eq 0 ] && grep -q "kind gnitest, job agg_test.yaml, seed 11, replicates 5" "$W/out" &&
   grep -q "tasks 60: done 39, diverged 4, failed 4, todo 13 (partial)" "$W/out" &&
   grep -q "train_loss .*\[sigma2=3, M=2, optimizer=2, replicate=5, step=6\]  (nat)" "$W/out" &&
   grep -q "optimizer .* sgd adam" "$W/out" && grep -q "aggregate/train_loss_quantile" "$W/out" &&
   grep -q "^      optimizer: \[sgd, adam\]" "$W/out" && grep -q "^/aggregate: over replicate, written" "$W/out"; then
  pass "info: job and its settings, completion, axes with values, datasets with shapes and units"
else fail "info" "rc=$rc $(cat "$W/out")"; fi

run export sde.h5 --csv -o sde.csv --vars tv,density
if [ $rc -eq 0 ] && head -1 sde.csv | grep -q "^variable,alpha,theta,replicate" &&
   grep -q "^tv,1.9,-0.5,0," sde.csv && grep -q "^density,1.9,-0.5,0," sde.csv; then
  pass "export --csv --vars: tidy header and coordinates as stored"
else fail "export" "rc=$rc $(head -2 sde.csv) $(cat "$W/err")"; fi
run export sde.h5 --csv
if [ $rc -eq 0 ] && ! grep -q "^density," "$W/out" && grep -q "^diverged," "$W/out"; then
  pass "export --csv: scalar results by default, arrays (density) only when asked"
else fail "export default" "rc=$rc $(head -3 "$W/out") $(cat "$W/err")"; fi
expect "export: an existing file needs --force -> 3" 3 "exists" export sde.h5 --csv -o sde.csv
run export sde.h5 --csv -o sde.csv --force --aggregate
if [ $rc -eq 0 ] && grep -q "^aggregate/map_tv_ci_hi," sde.csv && ! grep -q "^aggregate/alpha," sde.csv; then
  pass "export --aggregate: the statistics and maps"
else fail "export --aggregate" "rc=$rc $(cat "$W/err")"; fi

# --- figures -------------------------------------------------------------------
png_ok() {   # png_ok FILE: prints "WxH std" or fails
  "$PY" - "$1" <<'EOF'
import sys
import matplotlib.image as mpimg
import numpy as np
img = mpimg.imread(sys.argv[1])
h, w = img.shape[:2]
std = float(np.std(img[..., :3]))
# at least 400 x 250 pixels, at most 4000 x 3000; a blank image has std 0
if not (400 <= w <= 4000 and 250 <= h <= 3000) or std < 0.02:
    sys.exit(f"{w}x{h}, pixel std {std:.3f}")
print(f"{w}x{h}, pixel std {std:.2f}")
EOF
}
for fig in "sde.h5 fig6" "sde.h5 shiftmap" "gni.h5 loss" "gni.h5 gradnoise" "gni.h5 loss --by M"; do
  set -- $fig
  store=$1 name=$2; shift 2
  rm -f "$name.png"
  run plot "$store" --figure "$name" -o "$name.png" "$@"
  if [ $rc -eq 0 ] && [ -s "$name.png" ] && why=$(png_ok "$name.png" 2>&1); then pass "plot $name $* -> PNG $why"
  else fail "plot $name $*" "rc=$rc $(cat "$W/err") ${why:-}"; fi
done

# --- curve and map of a scalar result, from a tiny real linear sweep ----------------
# 2 x 3 x 2 points x 2 seeds of 4000 SGD steps on d = 2 least squares: seconds.
cat >lin.yaml <<'EOF'
kind: linear
store: lin.h5
seed: 5
replicates: 2
params: {model: ls, n: 200, d: 2, n_test: 200, label_noise: 1, optimizer: sgd, steps: 4000, log_every: 1000, burnin: 1000, thin: 5}
axes:
  eta: [0.05, 0.2]
  B: [1, 2, 4]
  sigma: [0, 0.1]
EOF
ASAN_OPTIONS=detect_leaks=0 "$TAILSWEEP" run lin.yaml >/dev/null 2>"$W/err" || fail "tiny linear sweep" "$(cat "$W/err")"
# plot on a store without /aggregate aggregates it first, as aggregate would
run plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta=0.2 -o first.png
if [ $rc -eq 0 ] && grep -q "lin.h5 had no /aggregate: aggregated it first" "$W/err" && [ -s first.png ] &&
   "$PY" -c 'import h5py, sys; sys.exit("aggregate/final_test_loss_mean" not in h5py.File("lin.h5", "r"))'; then
  pass "plot curve before aggregate: aggregates the store first (as aggregate would), then draws"
else fail "plot curve before aggregate" "rc=$rc $(cat "$W/err")"; fi
run aggregate lin.h5
for fig in "curve --value final_test_loss --x B --by sigma --at eta=0.2" \
           "curve --value tail_index_hill --x eta --at B=2 --at sigma=0.1" \
           "map --value tail_index_hill --x B --y eta --at sigma=0"; do
  set -- $fig
  rm -f g.png
  run plot lin.h5 --figure "$@" -o g.png
  if [ $rc -eq 0 ] && [ -s g.png ] && why=$(png_ok g.png 2>&1); then pass "plot $* -> PNG $why"
  else fail "plot $*" "rc=$rc $(cat "$W/err") ${why:-}"; fi
done
expect "plot curve: unknown --value -> 2, listing the results" 2 "--value: lin.h5 has no result 'nope' (results: .*final_test_loss" \
  plot lin.h5 --figure curve --value nope --x B -o c.png
expect "plot curve: --value a per-task dataset -> 2" 2 "--value: lin.h5 has no result 'wall_time'" \
  plot lin.h5 --figure curve --value wall_time --x B --by eta --at sigma=0 -o c.png
expect "plot curve: unknown --x -> 2, listing the dimensions" 2 "--x: lin.h5 has no dimension 'batch' (.* eta, B, sigma)" \
  plot lin.h5 --figure curve --value final_test_loss --x batch -o c.png
expect "plot map: unknown --y -> 2" 2 "--y: lin.h5 has no dimension 'lr'" \
  plot lin.h5 --figure map --value final_test_loss --x B --y lr -o c.png
expect "plot map: --y missing -> 2" 2 "needs --y" plot lin.h5 --figure map --value final_test_loss --x B -o c.png
expect "plot map: --x equal to --y -> 2" 2 "--y B: that dimension is already drawn" \
  plot lin.h5 --figure map --value final_test_loss --x B --y B -o c.png
expect "plot curve: an axis left over -> 2, naming it and the ways out" 2 "dimension 'sigma' (2 values) is left over: fix it with --at sigma=VALUE" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by eta -o c.png
expect "plot curve: --at a value the axis lacks -> 2, listing its values" 2 "--at eta=0.3: eta has no value '0.3' (its values: 0.05, 0.2)" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta=0.3 -o c.png
expect "plot curve: --at without = -> 2" 2 "--at eta: expected AXIS=VALUE" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta -o c.png
expect "plot curve: --at an unknown axis -> 2" 2 "--at: lin.h5 has no dimension 'gamma'" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at gamma=1 -o c.png
expect "plot curve: --at the --x axis -> 2" 2 "--at B=1: B is already drawn or fixed" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta=0.2 --at B=1 -o c.png
expect "plot curve: a curve over step needs step fixed -> 2" 2 "dimension 'step' .* left over" \
  plot lin.h5 --figure curve --value test_loss --x B --by sigma --at eta=0.2 -o c.png
expect "plot: --value belongs to curve and map -> 2" 2 "belong to --figure curve and map" \
  plot lin.h5 --figure loss --value test_loss -o c.png
run plot lin.h5 --figure map --value final_test_loss --x B --y sigma --at eta=0.05 --diff-from B=1 -o d.png
if [ $rc -eq 0 ] && why=$(png_ok d.png 2>&1); then pass "plot map --diff-from B=1 -> PNG $why"
else fail "plot map --diff-from" "rc=$rc $(cat "$W/err") ${why:-}"; fi
expect "plot curve: --diff-from an axis not drawn -> 2" 2 "--diff-from eta=0.2: the reference axis must be drawn" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta=0.2 --diff-from eta=0.2 -o c.png
expect "plot curve: --diff-from a value the axis lacks -> 2" 2 "--diff-from B=3: B has no value '3'" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma --at eta=0.2 --diff-from B=3 -o c.png
# the paired differences and their t half-widths against a plain per-seed
# loop with NumPy and SciPy (same arithmetic up to summation order: 1e-12)
why=$("$PY" - lin.h5 "$repo/tools" <<'EOF' 2>&1
import sys
import h5py, numpy as np
from scipy import stats
sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[2])
import plot_store as ps
f = h5py.File(sys.argv[1], "r")
mean, half, count, div, level = ps.paired_stats(f, "final_test_loss", ["sigma", "B"], {"eta": 1}, ("B", 0))
raw = f["final_test_loss"][()]          # [eta, B, sigma, replicate]
assert ps.dim_names(f["final_test_loss"]) == ["eta", "B", "sigma", "replicate"]
worst = 0.0
for si in range(2):
    for bi in range(3):
        d = [raw[1, bi, si, r] - raw[1, 0, si, r] for r in range(raw.shape[3])]
        m = sum(d) / len(d)
        h = stats.t.ppf(0.975, len(d) - 1) * np.std(d, ddof=1) / np.sqrt(len(d))
        assert count[si, bi] == len(d) and div[si, bi] == 0
        worst = max(worst, abs(mean[si, bi] - m), 0 if bi == 0 else abs(half[si, bi] - h) / h)
        assert bi > 0 or (mean[si, bi] == 0 and half[si, bi] == 0)
assert worst < 1e-12, worst
print(f"worst {worst:.1e}")
EOF
) && pass "paired differences and t half-widths match a per-seed NumPy/SciPy loop ($why)" || fail "paired differences" "$why"
# an axis reduced by `aggregate --over` is gone from the means, and said so
run aggregate lin.h5 --over sigma
run plot lin.h5 --figure curve --value final_test_loss --x B --by eta -o r.png
if [ $rc -eq 0 ] && png_ok r.png >/dev/null 2>&1; then pass "plot curve after aggregate --over sigma: nothing left over"
else fail "plot curve after --over" "rc=$rc $(cat "$W/err")"; fi
expect "plot curve: --diff-from after --over -> 2, saying why" 2 "--diff-from: pairs seeds in the raw results, but /aggregate was reduced over 'sigma'" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by eta --diff-from B=1 -o c.png
expect "plot curve: --by an axis aggregated over -> 2" 2 "--by sigma: lin.h5 was aggregated over 'sigma'" \
  plot lin.h5 --figure curve --value final_test_loss --x B --by sigma -o c.png

# gradnoise on a store with the gni kind's missing values: NaN and a clear
# bit 4 of gradnoise_valid are left out, never drawn as values
cp gni.h5 gnisent.h5
why=$("$PY" - gnisent.h5 "$repo/tools" <<'EOF' 2>&1
import sys
import h5py, numpy as np
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
import plot_store as ps
with h5py.File(sys.argv[1], "a") as f:
    a = f["gradnoise_alpha"][()]
    rng = np.random.default_rng(1)
    sent = rng.random(a.shape) < 0.3            # not measured: NaN, valid 0
    unfit = ~sent & (rng.random(a.shape) < 0.2)  # moments only: valid 1, alpha kept but not a fit
    a[sent] = np.nan
    f["gradnoise_alpha"][...] = a
    valid = np.where(sent, 0, np.where(unfit, 1, 7)).astype(np.int8)
    d = f.create_dataset("gradnoise_valid", data=valid)
    for k, dim in enumerate(f["gradnoise_alpha"].dims):
        d.dims[k].attach_scale(dim[0])
with h5py.File(sys.argv[1], "r") as f:
    vals, groups = ps.gradnoise_groups(f, "gradnoise_alpha", "sigma2")
    x = np.concatenate(groups)
    want = np.isfinite(a) & ~sent & ~unfit
    assert len(vals) == 3 and x.size == want.sum(), (x.size, want.sum())
    assert np.isfinite(x).all() and np.array_equal(np.sort(x), np.sort(a[want])), "missing or unfit value kept"
print(f"{x.size} of {a.size} kept")
EOF
); masked=$?
run plot gnisent.h5 --figure gradnoise -o gs.png
# one check: the figure is drawn, and what it draws leaves the NaN and unfit values out
if [ $masked -eq 0 ] && [ $rc -eq 0 ] && png_ok gs.png >/dev/null 2>&1; then
  pass "plot gradnoise of a store with missing values -> PNG, leaving out NaN and fits without gradnoise_valid bit 4 ($why)"
else fail "plot gradnoise with missing values" "rc=$rc masking: $why $(cat "$W/err")"; fi

expect "plot: --by an axis the store lacks -> 2" 2 "no axis 'sigma2'" plot sde.h5 --figure shiftmap --by sigma2 -o y.png
expect "plot: fig6 of a store without densities -> 2" 2 "density" plot gni.h5 --figure fig6 -o y.png
exit 0
