#!/usr/bin/env bash
# tests/cli/test_dist_cli.sh [TAILSWEEP]: black-box checks of `tailsweep pdf`,
# `cdf` and `quantile`: output format, negative points, exit codes, and error
# messages that name the offending argument.
#
#   bash tests/cli/test_dist_cli.sh build/asan/tailsweep
#
# The binary comes from the first argument, else $TAILSWEEP, else
# build/release/tailsweep. Prints one line per check, "PASS: name" or
# "FAIL: name: why", and always exits 0: tests/run.sh counts the lines.
[ $# -ge 1 ] && TAILSWEEP=$1
. "$(dirname "$0")/lib.sh"

# names_arg WORD: does stderr mention WORD as a whole word?
names_arg() {
  grep -qE -e "(^|[^[:alnum:]])$1([^[:alnum:]]|\$)" "$W/err"
}

# expect_usage NAME WORD ARGS...: exit 2, WORD named on stderr, nothing on stdout.
expect_usage() {
  local name=$1 word=$2
  shift 2
  run "$@"
  if [ "$rc" -eq 2 ] && names_arg "$word" && [ ! -s "$W/out" ]; then
    pass "$name"
  else
    fail "$name" "rc=$rc (want 2), stderr '$(cat "$W/err")', stdout '$(cat "$W/out")'"
  fi
}

# value_near GOT WANT RELTOL (GOT must be a number: an empty output fails)
value_near() {
  awk -v g="$1" -v w="$2" -v t="$3" 'BEGIN {
    if (g !~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/) exit 1
    d = g - w; if (d < 0) d = -d; s = w < 0 ? -w : w; exit !(d <= t * s + 1e-300) }'
}

# --- results ------------------------------------------------------------------

run pdf --alpha 1 --beta 0 0 1 -3
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$W/out")" -eq 3 ] \
   && [ "$(awk 'NR==1 {print $1}' "$W/out")" = 0 ] \
   && value_near "$(awk 'NR==1 {print $2}' "$W/out")" 0.31830988618379067 1e-14 \
   && [ "$(awk 'NR==3 {print $1}' "$W/out")" = -3 ] \
   && value_near "$(awk 'NR==3 {print $2}' "$W/out")" 0.031830988618379068 1e-14; then
  pass "pdf: Cauchy values, one 'X value' line per point, negative X as written"
else
  fail "pdf: Cauchy" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

run pdf --alpha 1.5 --beta 0.5 --param S0 -- -1 2
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$W/out")" -eq 2 ] && [ "$(awk 'NR==1 {print $1}' "$W/out")" = -1 ]; then
  pass "pdf: points after --"
else
  fail "pdf: points after --" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

# Gauss: alpha = 2 is N(loc, 2 scale^2); cdf at loc + scale sqrt(2) is Phi(1)
run cdf --alpha 2 --scale 3 --loc 1 5.242640687119285
if [ "$rc" -eq 0 ] && value_near "$(awk '{print $2}' "$W/out")" 0.84134474606854293 1e-13; then
  pass "cdf: Gauss with scale and loc"
else
  fail "cdf: Gauss" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

run cdf --upper --alpha 1.5 --beta 0.3 1e6
up=$(awk '{print $2}' "$W/out")
run cdf --alpha 1.5 --beta 0.3 1e6
lo=$(awk '{print $2}' "$W/out")
# upper tail ~ c_alpha (1 + beta) x^-alpha = 0.19947 * 1.3 * 1e-9
if value_near "$up" 2.59312e-10 1e-3 && awk -v l="$lo" 'BEGIN { exit !(l > 0.999999999 && l < 1) }'; then
  pass "cdf --upper: the tail probability, not 1 - cdf rounded"
else
  fail "cdf --upper" "upper '$up' lower '$lo'"
fi

run pdf --log --alpha 1.2 --beta -0.4 1e200
if [ "$rc" -eq 0 ] && awk -v v="$(awk '{print $2}' "$W/out")" 'BEGIN { exit !(v < -1000 && v > -1020) }'; then
  pass "pdf --log: finite far beyond the double range of the density"
else
  fail "pdf --log" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

run quantile --alpha 1.3 --beta 0 --loc 2 0.5 0.9
if [ "$rc" -eq 0 ] && [ "$(awk 'NR==1 {print $1}' "$W/out")" = 0.5 ] \
   && value_near "$(awk 'NR==1 {print $2}' "$W/out")" 2 1e-13; then
  pass "quantile: median of a symmetric law is its location"
else
  fail "quantile: median" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

q=$("$TAILSWEEP" quantile --alpha 0.8 --beta 0.6 --param S0 0.3 2>/dev/null | awk '{print $2}')
back=$("$TAILSWEEP" cdf --alpha 0.8 --beta 0.6 --param S0 -- "$q" 2>/dev/null | awk '{print $2}')
if [ -n "$q" ] && value_near "$back" 0.3 1e-12; then
  pass "quantile then cdf gives P back"
else
  fail "quantile round trip" "q '$q' cdf(q) '$back'"
fi

# a point the earlier code failed on (the light side of S0(1.5, -1) at x =
# 6309.57) is 0 with exit 0, its log-density ~ -x^3/13.5 (leading order of
# the saddlepoint), and the far tails answer to |x| = 1e8 in one call
run pdf --alpha 1.5 --beta -1 --param S0 6309.5734448019366
if [ "$rc" -eq 0 ] && [ "$(cat "$W/out")" = "6309.5734448019366 0" ] && [ ! -s "$W/err" ]; then
  pass "pdf: S0(1.5, -1) at 6309.57 is 0, exit 0 (the earlier code's quadrature failed there)"
else
  fail "pdf: S0(1.5, -1) at 6309.57" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi
run pdf --log --alpha 1.5 --beta -1 --param S0 6309.5734448019366
if [ "$rc" -eq 0 ] && value_near "$(awk '{print $2}' "$W/out")" \
     "$(awk 'BEGIN { printf "%.17g", -(6310.5734448019366 ^ 3) / 13.5 }')" 1e-3; then
  pass "pdf --log: the light side's log-density of S0(1.5, -1) at 6309.57"
else
  fail "pdf --log: S0(1.5, -1) at 6309.57" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi
run pdf --alpha 1.3 --beta -0.999999999 -- -1e8 -1e4 -30 -1 0 1 30 1e4 1e8
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$W/out")" -eq 9 ] && ! grep -q nan "$W/out" && [ ! -s "$W/err" ]; then
  pass "pdf: nearly totally skewed law out to |x| = 1e8, every point"
else
  fail "pdf: far tails" "rc=$rc stdout '$(cat "$W/out")' stderr '$(cat "$W/err")'"
fi

run pdf --help
if [ "$rc" -eq 0 ] && grep -qi usage "$W/out" && grep -q -- --alpha "$W/out"; then
  pass "pdf --help"
else
  fail "pdf --help" "rc=$rc"
fi

run help quantile
if [ "$rc" -eq 0 ] && grep -qi usage "$W/out"; then
  pass "help quantile (listed in the command table)"
else
  fail "help quantile" "rc=$rc stderr '$(cat "$W/err")'"
fi

# --- bad input: exit 2, the argument named, nothing printed -----------------

expect_usage "pdf: non-numeric X"          X        pdf --alpha 1.5 0.3 abc
expect_usage "pdf: X = nan"                X        pdf --alpha 1.5 nan
expect_usage "cdf: X = -inf"               X        cdf --alpha 1.5 -inf
expect_usage "pdf: no X"                   X        pdf --alpha 1.5
expect_usage "quantile: no P"              P        quantile --alpha 1.5
expect_usage "pdf: alpha above 2"          alpha    pdf --alpha 2.5 0
expect_usage "pdf: alpha 0"                alpha    pdf --alpha 0 0
expect_usage "cdf: alpha negative"         alpha    cdf --alpha -1 0
expect_usage "pdf: alpha missing"          --alpha  pdf --beta 0.5 0
expect_usage "pdf: alpha not a number"     --alpha  pdf --alpha x1 0
expect_usage "cdf: beta outside [-1, 1]"   beta     cdf --alpha 1.5 --beta 1.2 0
expect_usage "pdf: scale 0"                scale    pdf --alpha 1.5 --scale 0 0
expect_usage "pdf: --param S2"             --param  pdf --alpha 1.5 --param S2 0
expect_usage "quantile: P = 1.5"           P        quantile --alpha 1.5 0.2 1.5
expect_usage "quantile: P = 0"             P        quantile --alpha 1.5 0
expect_usage "quantile: P = 1"             P        quantile --alpha 1.5 1
expect_usage "quantile: P = -0.2"          P        quantile --alpha 1.5 -0.2
expect_usage "quantile: P not a number"    P        quantile --alpha 1.5 half
expect_usage "pdf: unknown option"         --foo    pdf --alpha 1.5 --foo 0
expect_usage "cdf: --log belongs to pdf"   --log    cdf --alpha 1.5 --log 0
expect_usage "pdf: --alpha without value"  --alpha  pdf 0 --alpha

exit 0
