#!/usr/bin/env bash
# tests/cli/test_sde_cli.sh: `tailsweep sde` as a user meets it: bad input
# gives exit 2 and a message naming the argument; the HDF5 output is
# complete, labelled and reproducible; existing files are never replaced
# without --force. Runs the sanitizer build (short runs only).
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_sde_cli.sh
. "$(dirname "$0")/lib.sh"
bad_cmd=sde
short="--steps 2000 --burnin 100 --chains 8"

bad "eta = 0" eta --eta 0
bad "eta < 0" eta --eta -1e-3
bad "K < 0" K --drift fractional --K -1
bad "grid lo >= hi" grid --grid_lo 3 --grid_hi -3
bad "alpha > 2" alpha --alpha 2.5
bad "alpha = 0" alpha --alpha 0
bad "theta outside [-1, 1]" theta --theta 1.5
bad "burnin >= steps" burnin --burnin 5000
bad "unknown scheme" scheme --scheme rk4
bad "non-numeric eta" eta --eta fast
bad "implicit with eta a >= 1" "eta \* a < 1" --scheme implicit --eta 2
bad "unknown option" --bogus --bogus 1

run sde $short
[ $rc -eq 2 ] && grep -q "nothing to do" "$W/err" && pass "sde without -o or --print is a usage error" \
  || fail "sde no output" "rc=$rc"

run sde $short --alpha 1.7 --theta 0.3 --scheme tamed -o a.h5 --print
if [ $rc -eq 0 ] && grep -q "^coord 0: bw" "$W/out" && [ -s a.h5 ]; then pass "sde writes a.h5 and prints a summary"
else fail "sde run" "rc=$rc $(cat "$W/err")"; fi

run sde $short --alpha 1.7 --theta 0.3 --scheme tamed -o a.h5
[ $rc -eq 3 ] && grep -q "exists" "$W/err" && pass "sde refuses to overwrite without --force" \
  || fail "sde overwrite" "rc=$rc $(cat "$W/err")"

run sde $short --alpha 1.7 --theta 0.3 --scheme tamed -o b.h5
out=$("$PY" - <<'PY'
import h5py, numpy as np
a, b = h5py.File("a.h5", "r"), h5py.File("b.h5", "r")
# a store of one task: its results, status and metadata, no task dimensions
meta = {"wall_time", "end_time", "checksum", "host", "rank"}     # differ by design
same = all(np.array_equal(a[k][()], b[k][()], equal_nan=a[k].dtype.kind == "f")
           for k in a if isinstance(a[k], h5py.Dataset) and k not in meta)
d = a["density"]
# one coordinate: no coord axis; the basin axis is labelled by the minima
labelled = (d.dims[0][0].name == "/x" and len(a["x"]) == 512 and d.shape == (512,) and "coord" not in a
            and a["exit_rate"].dims[0][0].name == "/basin" and list(a["basin"][()]) == [-1.0, 1.0])
shapes = a["tv"].shape == () and a["occupancy"].shape == (2,) and a["test_mean"].shape == (3,)
# NaN means "does not exist", never a sentinel: no chain diverged here
nan_ok = np.isnan(a["diverged_at"][()]).all() and a["diverged"][()] == 0
# the outer basins have no barrier beyond them (NaN); every other value is finite
inf_ok = np.isnan(a["basin_lo"][0]) and np.isnan(a["basin_hi"][1]) and a["basin_hi"][0] == a["basin_lo"][1]
# a standard error needs two or more events; a short run may lack them (NaN)
skip = meta | {"diverged_at", "basin_lo", "basin_hi", "exit_rate_se", "exit_time_se", "exit_time"}
finite = all(np.isfinite(a[k][()]).all() for k in a
             if isinstance(a[k], h5py.Dataset) and k not in skip and a[k].dtype.kind == "f")
occ = abs(a["occupancy"][()].sum() - 1) < 1e-12 and abs(a["gibbs_occupancy"][()].sum() - 1) < 1e-9
attrs = (a.attrs["kind"] in (b"sde", "sde") and float(a.attrs["alpha"]) == 1.7 and a["status"][()] == 1
         and a.attrs["format_version"] == 2 and a["status"].shape == ())
ok = same and labelled and shapes and nan_ok and inf_ok and finite and occ and attrs
print("ok" if ok else "bad same=%s labelled=%s shapes=%s nan=%s inf=%s finite=%s occ=%s attrs=%s"
      % (same, labelled, shapes, nan_ok, inf_ok, finite, occ, attrs))
PY
)
[ "$out" = ok ] && pass "sde output is labelled (x, basin), NaN only where nothing exists, and bit-identical for the same seed" \
  || fail "sde output" "$out"

run sde $short --alpha 1.7 --dim 3 --potential harmonic --k 2 --print
[ $rc -eq 0 ] && [ "$(grep -c '^coord' "$W/out")" = 3 ] && pass "sde --dim 3 reports three coordinates" \
  || fail "sde dim 3" "rc=$rc $(cat "$W/out" "$W/err")"

# Per-coordinate polynomials: a double well and a single well. The basin axis
# has the larger count (2), padded with NaN (never 0) for the single well, and
# is labelled by index because the coordinates' minima differ.
run sde $short --dim 2 --potential poly --poly "0, 0, -0.5, 0, 0.25; 0, 0, 1" --scheme implicit -o p.h5
out=$("$PY" - <<'PY'
import h5py, numpy as np
f = h5py.File("p.h5", "r")
m = f["minima"][()]
ok = (f["minima"].shape == (2, 2) and np.allclose(m[0], [-1, 1], atol=1e-12) and m[1][0] == 0
      and np.isnan(m[1][1]) and np.isnan(f["occupancy"][1, 1]) and f["occupancy"][1, 0] == 1
      and list(f["basin"][()]) == [0.0, 1.0] and list(f["n_minima"][()]) == [2, 1]
      and f["density"].shape == (2, 512))
print("ok" if ok else "bad %s %s" % (m, f["occupancy"][()]))
PY
)
[ "$out" = ok ] && pass "poly per coordinate: basins found, the basin axis padded with NaN" || fail "poly per coordinate" "$out"

bad "poly of odd degree" "even degree" --potential poly --poly "0, 1, 0, 1"
bad "poly with a negative leading coefficient" "positive leading" --potential poly --poly "0, 0, -1"
bad "poly that is not a number" "'x' is not a number" --potential poly --poly "0, x, 1"
bad "poly lists that do not match dim" "coefficient lists" --potential poly --dim 3 --poly "0,0,1; 0,0,1"
bad "a test function on a basin that does not exist" "basin:2 does not exist" --test_functions "basin:2"
bad "an unknown test function" "unknown function 'cosine'" --test_functions "moment:1; cosine"
bad "implicit on a poly too stiff for eta" "min f''" --potential poly --poly "0,0,-600,0,1" --scheme implicit

# The metastability figure from a tiny sweep over eps (one process, no
# mpirun): a PNG with content; a store without exit rates is refused.
mpi_env
cat > meta.yaml <<'YAML'
kind: sde
store: meta.h5
seed: 3
params: {eta: 1.0e-2, steps: 4000, burnin: 100, chains: 8, scheme: implicit, w0: -1, test_functions: ""}
axes:
  eps: [0.6, 0.4]
  theta: [0, 0.5]
YAML
run run meta.yaml
run plot meta.h5 --figure metastability -o meta.png
if [ $rc -eq 0 ] && out=$("$PY" - <<'PY'
import matplotlib.image as mpimg, numpy as np
img = mpimg.imread("meta.png")
print("ok" if img.shape[0] > 250 and img.shape[1] > 400 and np.std(img[..., :3]) > 0.01 else "blank")
PY
) && [ "$out" = ok ]; then pass "plot --figure metastability draws eps^-alpha exit_rate per basin"
else fail "plot metastability" "rc=$rc $(cat "$W/err") ${out:-}"; fi
run plot a.h5 --figure metastability -o m2.png
[ $rc -eq 2 ] && grep -q "over 'eps'\|not a tailsweep store" "$W/err" && pass "plot --figure metastability refuses a store without an eps axis" \
  || fail "plot metastability without eps" "rc=$rc $(cat "$W/err")"
