#!/usr/bin/env bash
# tests/python/run_pytest.sh LIBRARY: the Python module's pytest suite
# (tests/python) against the given libtailsweep.so, one line per test:
# "PASS: pytest NAME" or "FAIL: pytest NAME: outcome", for tests/run.sh to
# count. Exits 0 (run.sh counts the lines); a suite that cannot even be
# collected prints one FAIL line.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
lib=${1:-$repo/build/release/libtailsweep.so}
case $lib in /*) ;; *) lib=$PWD/$lib ;; esac
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cd "$repo" || exit 0
TAILSWEEP_LIB=$lib /usr/bin/python3 -m pytest -v -p no:cacheprovider -o console_output_style=classic \
  tests/python >"$out" 2>&1
rc=$?
n=0
while IFS= read -r line; do
  case $line in
    tests/python/*::*" PASSED"*)  echo "PASS: pytest ${line%% PASSED*}"; n=$((n + 1)) ;;
    tests/python/*::*" FAILED"*|tests/python/*::*" ERROR"*|tests/python/*::*" SKIPPED"*)
      echo "FAIL: pytest ${line%% *}: ${line#* }"; n=$((n + 1)) ;;
  esac
done <"$out"
if [ "$rc" -ne 0 ] || [ "$n" -eq 0 ]; then
  grep -E "^(E |FAILED|ERROR)" "$out" | head -40
  [ "$n" -eq 0 ] && echo "FAIL: pytest: no test ran (exit $rc)"
fi
exit 0
