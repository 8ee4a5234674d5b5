#!/usr/bin/env bash
# tests/cli/test_fit_cli.sh: `tailsweep fit` on text, CSV and HDF5 inputs,
# and its errors on bad data (empty, NaN, constant, non-numeric, missing).
#   TAILSWEEP=build/asan/tailsweep bash tests/cli/test_fit_cli.sh
. "$(dirname "$0")/lib.sh"
T=$TAILSWEEP

# n = 20000 of S1(1.5, 0.5): Koutrouvelis's RMSE is ~0.012 in alpha and
# ~0.03 in beta at this size (docs/stable-fitting.md); bounds 0.06 and 0.15.
"$T" sample --alpha 1.5 --beta 0.5 -n 20000 --seed 3 -o x.csv >/dev/null
"$T" sample --alpha 1.5 --beta 0.5 -n 20000 --seed 3 -o x.h5 >/dev/null
"$T" sample --alpha 1.5 --beta 0.5 -n 20000 --seed 3 -o x.txt >/dev/null
for f in x.csv x.txt x.h5:/samples; do
  "$T" fit "$f" >out 2>err; rc=$?
  a=$(awk '$1 == "alpha" {print $2}' out); b=$(awk '$1 == "beta" {print $2}' out)
  if [ $rc -eq 0 ] && awk -v a="$a" -v b="$b" 'BEGIN{exit !(a > 1.44 && a < 1.56 && b > 0.35 && b < 0.65)}' \
     && grep -q "tail_index_blocksum" out && grep -q "tail_index_hill" out; then
    pass "fit $f: alpha $a beta $b"
  else fail "fit $f" "rc=$rc $(cat out err)"; fi
done
# The block-sum tail index of a skewed law: 4 10^5 draws of
# S1(1.5, 0.7), where median-centred block sums read 1.09; the symmetrised
# estimate's spread at this size is ~0.02 (tests/unit/test_stable_fit.c).
"$T" sample --alpha 1.5 --beta 0.7 -n 400000 --seed 4 -o skew.txt >/dev/null
"$T" fit skew.txt >out 2>err; rc=$?
t=$(awk '$1 == "tail_index_blocksum" {print $2}' out)
if [ $rc -eq 0 ] && awk -v t="$t" 'BEGIN{exit !(t > 1.4 && t < 1.6)}'; then pass "fit: block-sum tail index of S1(1.5, 0.7) is $t"
else fail "fit skewed tail index" "rc=$rc $(cat out err)"; fi
"$T" fit x.csv >a.out 2>/dev/null; "$T" fit x.h5:/samples >b.out 2>/dev/null
# equal, and not equal because both are empty
if grep -q "^alpha 1\.[0-9]" a.out && cmp a.out b.out >/dev/null; then pass "fit: CSV and HDF5 inputs give identical output"
else fail "fit csv vs h5" "outputs differ or are empty: $(head -c 200 a.out) | $(head -c 200 b.out)"; fi

bad() {  # bad NAME RC WORD FILE-CONTENT [ARGS...]
  local name=$1 want=$2 word=$3
  shift 3
  "$T" fit "$@" >out 2>err; rc=$?
  if [ $rc -eq "$want" ] && grep -q -- "$word" err; then pass "fit rejects $name"
  else fail "fit rejects $name" "rc=$rc $(cat err)"; fi
}
: > empty.txt
bad "an empty file" 2 "no values" empty.txt
printf '1\n2\nnan\n4\n' > nan.txt
bad "NaN" 2 "nan.txt:3" nan.txt
for i in $(seq 1 100); do echo 4.0; done > const.txt
bad "constant data" 2 "constant" const.txt
printf 'value\n1.0\nabc\n' > words.csv
bad "a non-numeric line" 2 "words.csv:3" words.csv
bad "a missing file" 3 "missing.txt" missing.txt
bad "a missing dataset" 3 "nosuch" x.h5:/nosuch
bad "an unknown method" 2 "method" x.csv --method bogus
bad "too few values" 2 "at least" <(printf '1\n2\n3\n')
"$T" fit x.csv --method mcculloch >out 2>err; rc=$?
a=$(awk '$1 == "alpha" {print $2}' out)
[ $rc -eq 0 ] && grep -q "method mcculloch" out && awk -v a="$a" 'BEGIN{exit !(a > 1.4 && a < 1.6)}' \
  && pass "fit --method mcculloch: alpha $a" || fail "fit mcculloch" "rc=$rc $(cat out err)"
"$T" fit x.csv --method mle >out 2>err; rc=$?
a=$(awk '$1 == "alpha" {print $2}' out)
[ $rc -eq 0 ] && grep -q "^se alpha" out && awk -v a="$a" 'BEGIN{exit !(a > 1.44 && a < 1.56)}' \
  && pass "fit --method mle: alpha $a with standard errors" || fail "fit mle" "rc=$rc $(cat out err)"
