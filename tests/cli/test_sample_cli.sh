#!/usr/bin/env bash
# tests/cli/test_sample_cli.sh: black-box checks of `tailsweep sample` and the
# top-level commands: exit codes, error messages, reproducibility, and the
# text / CSV / HDF5 outputs.
#
#   TAILSWEEP=path/to/tailsweep bash tests/cli/test_sample_cli.sh
#
# TAILSWEEP defaults to build/release/tailsweep under the repository root.
# Prints one line per check, "PASS: name" or "FAIL: name: why", and always
# exits 0: tests/run.sh counts the lines.
. "$(dirname "$0")/lib.sh"

# names_arg NAME: does stderr mention NAME as a whole word? ("-n" must not be
# found inside "non-negative", nor "alpha" inside "--alpha".)
names_arg() {
  grep -qE -e "(^|[^[:alnum:]-])$1([^[:alnum:]]|\$)" "$W/err"
}

# --- help and version ---------------------------------------------------------

run help
if [ "$rc" -eq 0 ] && grep -qi usage "$W/out" && grep -q sample "$W/out"; then
  pass "help"
else
  fail "help" "rc=$rc, want 0 and a usage text listing 'sample'"
fi

run --version
if [ "$rc" -eq 0 ] && grep -qE '^tailsweep [0-9]+\.[0-9]+' "$W/out"; then
  pass "--version"
else
  fail "--version" "rc=$rc, stdout '$(cat "$W/out")'"
fi
version=$(sed -n 's/^tailsweep \([^ ]*\).*/\1/p' "$W/out")

run sample --help
if [ "$rc" -eq 0 ] && grep -qi usage "$W/out" && grep -q -e --alpha "$W/out"; then
  pass "sample --help"
else
  fail "sample --help" "rc=$rc, want 0 and a usage text naming --alpha"
fi

# --- usage errors: exit 2 and a message naming the argument -------------------

# usage_error CHECK_NAME ARG_NAME ARGS...: expects exit 2 and ARG_NAME on stderr.
usage_error() {
  local name=$1 arg=$2
  shift 2
  run "$@"
  if [ "$rc" -ne 2 ]; then
    fail "$name" "rc=$rc, want 2"
  elif ! names_arg "$arg"; then
    fail "$name" "stderr does not name '$arg': $(cat "$W/err")"
  else
    pass "$name"
  fi
}

usage_error "alpha=0 rejected"          alpha     sample --alpha 0
usage_error "alpha=2.5 rejected"        alpha     sample --alpha 2.5
usage_error "beta=1.5 rejected"         beta      sample --alpha 1.5 --beta 1.5
usage_error "-n -1 rejected"            -n        sample --alpha 1.5 -n -1
usage_error "--alpha abc rejected"      --alpha   sample --alpha abc
usage_error "--beta xyz rejected"       --beta    sample --alpha 1.5 --beta xyz
usage_error "scale=0 rejected"          scale     sample --alpha 1.5 --scale 0
usage_error "scale=-1 rejected"         scale     sample --alpha 1.5 --scale -1
usage_error "--param S7 rejected"       --param   sample --alpha 1.5 --param S7
usage_error "unknown option rejected"   --bogus   sample --alpha 1.5 --bogus
usage_error "missing --alpha rejected"  --alpha   sample -n 5
usage_error "--seed -3 rejected"        --seed    sample --alpha 1.5 --seed -3
usage_error "-n 1.5e0 rejected"         -n        sample --alpha 1.5 -n 1.5e0
usage_error "-n twice rejected"         twice     sample --alpha 1.5 -n 3 -n 4
usage_error "-n without a value"        "needs a value" sample --alpha 1.5 -n
usage_error "unknown command rejected"  frobnicate frobnicate

# --- reproducibility and text output ------------------------------------------

n=1000
args=(sample --alpha 1.3 --beta -0.6 --scale 2 --loc 1 -n "$n")
run "${args[@]}" --seed 7
cp "$W/out" a.txt
run "${args[@]}" --seed 7
cp "$W/out" b.txt
run "${args[@]}" --seed 8
cp "$W/out" c.txt

# Every line must be a number that %.17g could have printed (finite).
bad=$(grep -cvE '^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$' a.txt)
if [ "$(wc -l <a.txt)" -eq "$n" ] && [ "$bad" -eq 0 ]; then
  pass "text output has N finite values"
else
  fail "text output has N finite values" "$(wc -l <a.txt) lines, $bad not numbers"
fi

if [ -s a.txt ] && cmp -s a.txt b.txt; then
  pass "same seed gives identical output"
else
  fail "same seed gives identical output" "outputs of two --seed 7 runs differ"
fi

if ! cmp -s a.txt c.txt; then
  pass "different seeds give different output"
else
  fail "different seeds give different output" "--seed 7 and --seed 8 agree"
fi

run sample --alpha 1.3 -n 1
one=$(wc -l <"$W/out")
run sample --alpha 1.3 -n 0
if [ "$rc" -eq 0 ] && [ ! -s "$W/out" ] && [ "$one" -eq 1 ]; then
  pass "-n 0 gives empty output (and -n 1 one line)"
else
  fail "-n 0 gives empty output" "rc=$rc, $(wc -c <"$W/out") bytes"
fi

# --- CSV ------------------------------------------------------------------------

run "${args[@]}" --seed 7 -o f.csv
if [ "$rc" -ne 0 ]; then
  fail "csv output" "rc=$rc: $(cat "$W/err")"
elif [ "$(head -n 1 f.csv)" != samples ]; then
  fail "csv output" "header is '$(head -n 1 f.csv)', want 'samples'"
elif [ "$(wc -l <f.csv)" -ne $((n + 1)) ]; then
  fail "csv output" "$(wc -l <f.csv) lines, want header + $n"
elif ! tail -n +2 f.csv | cmp -s - a.txt; then
  fail "csv output" "rows differ from the text output"
else
  pass "csv output: header + N rows equal to the text output"
fi

# --- HDF5 -----------------------------------------------------------------------

# Non-default values everywhere, so that an attribute stuck at its default
# would show.
h5args=(sample --alpha 1.7 --beta 0.4 --scale 0.5 --loc -2.25 --param S0 --seed 99 -n 500)
run "${h5args[@]}"
cp "$W/out" h5.txt
run "${h5args[@]}" -o f.h5
if [ "$rc" -ne 0 ]; then
  fail "hdf5 output" "rc=$rc: $(cat "$W/err")"
elif why=$("$PY" - f.h5 h5.txt "$version" 2>&1 <<'EOF'
import sys
import h5py

path, text, version = sys.argv[1:4]
want_d = {"alpha": 1.7, "beta": 0.4, "scale": 0.5, "loc": -2.25}
want_s = {"param": "S0", "seed": "99", "tailsweep_version": version}
with h5py.File(path, "r") as f:
    if "samples" not in f:
        sys.exit(f"no dataset /samples (keys {list(f)})")
    d = f["samples"]
    if d.shape != (500,):
        sys.exit(f"/samples has shape {d.shape}, want (500,)")
    for k, v in want_d.items():
        if k not in d.attrs or float(d.attrs[k]) != v:
            sys.exit(f"attribute {k} = {d.attrs.get(k)!r}, want {v}")
    for k in list(want_s) + ["rng"]:
        v = d.attrs.get(k)
        if isinstance(v, bytes):
            v = v.decode()
        if not isinstance(v, str) or not v or (k in want_s and v != want_s[k]):
            sys.exit(f"attribute {k} = {d.attrs.get(k)!r}, want the string {want_s.get(k, '(any)')!r}")
    values = d[:].tolist()
# %.17g round-trips a double, so the text and the file must agree exactly.
with open(text) as t:
    expected = [float(line) for line in t]
if values != expected:
    bad = next(i for i, (a, b) in enumerate(zip(values, expected)) if a != b)
    sys.exit(f"value {bad}: {values[bad]!r} in the file, {expected[bad]!r} in the text output")
EOF
); then
  pass "hdf5 output: /samples, attributes, values equal to the text output"
else
  fail "hdf5 output" "$why"
fi

# --- existing files and bad paths -----------------------------------------------

for f in old.csv old.h5; do
  echo "precious" >"$f"
  before=$(sha256sum <"$f")
  run sample --alpha 1.5 -n 10 -o "$f"
  if [ "$rc" -ne 3 ]; then
    fail "existing $f kept without --force" "rc=$rc, want 3"
  elif [ "$(sha256sum <"$f")" != "$before" ]; then
    fail "existing $f kept without --force" "the file changed"
  elif ! grep -qF "$f" "$W/err"; then
    fail "existing $f kept without --force" "stderr does not name the file: $(cat "$W/err")"
  else
    pass "existing $f kept without --force"
  fi

  run sample --alpha 1.5 -n 10 -o "$f" --force
  if [ "$rc" -eq 0 ] && [ "$(sha256sum <"$f")" != "$before" ]; then
    pass "existing $f overwritten with --force"
  else
    fail "existing $f overwritten with --force" "rc=$rc: $(cat "$W/err")"
  fi
done

for f in nodir/x.csv nodir/x.h5; do
  run sample --alpha 1.5 -n 10 -o "$f"
  if [ "$rc" -ne 3 ]; then
    fail "-o $f in a missing directory" "rc=$rc, want 3"
  elif ! grep -qF "$f" "$W/err"; then
    fail "-o $f in a missing directory" "stderr does not name the path: $(cat "$W/err")"
  else
    pass "-o $f in a missing directory"
  fi
done

# Files are written under a temporary name and renamed when complete; none of
# those may survive the runs above, failed or not.
leftover=$(find . -name '*.tmp.*')
written=$(grep -c '^samples$' old.csv 2>/dev/null)   # the --force run above wrote it
if [ -z "$leftover" ] && [ "${written:-0}" -eq 1 ]; then
  pass "no temporary files left behind"
else
  fail "no temporary files left behind" "$leftover"
fi

exit 0
