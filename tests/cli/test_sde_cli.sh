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
skip = {"wall_time", "end_time", "checksum", "host", "rank"}     # differ by design
same = all(np.array_equal(a[k][()], b[k][()]) for k in a if isinstance(a[k], h5py.Dataset) and k not in skip)
d = a["density"]
labelled = d.dims[1][0].name == "/x" and len(a["x"]) == 512 and d.shape == (1, 512)
finite = all(np.isfinite(a[k][()]).all() for k in a if isinstance(a[k], h5py.Dataset) and a[k].dtype.kind == "f")
attrs = (a.attrs["kind"] in (b"sde", "sde") and float(a.attrs["alpha"]) == 1.7 and a["status"][()] == 1
         and a.attrs["format_version"] == 2 and a["status"].shape == ())
print("ok" if same and labelled and finite and attrs else "bad %s %s %s %s" % (same, labelled, finite, attrs))
PY
)
[ "$out" = ok ] && pass "sde output is labelled (x scale), finite, and bit-identical for the same seed" \
  || fail "sde output" "$out"

run sde $short --alpha 1.7 --dim 3 --potential harmonic --k 2 --print
[ $rc -eq 0 ] && [ "$(grep -c '^coord' "$W/out")" = 3 ] && pass "sde --dim 3 reports three coordinates" \
  || fail "sde dim 3" "rc=$rc $(cat "$W/out" "$W/err")"
