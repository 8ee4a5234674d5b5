#!/usr/bin/env bash
# tests/repo/test_library_quiet.sh LIB.a...: the library never prints and
# never ends the process. Progress and notices go through callbacks and
# errors through ts_err (docs/architecture.md); only the CLI decides what a
# user sees. So no object of the library may refer to stdout or stderr, to
# a function that prints to them, or to MPI_Abort or exit. (fprintf and
# fwrite to a FILE * the caller passes in, as the CSV export does, are fine.)
set -u
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c1-400)"; }
forbidden='stdout|stderr|printf|vprintf|__printf_chk|__vprintf_chk|puts|putchar|perror|MPI_Abort|exit|_exit|quick_exit'
[ $# -ge 1 ] || { fail "library quiet" "usage: test_library_quiet.sh LIB.a..."; exit 0; }
for lib in "$@"; do
  if [ ! -s "$lib" ]; then fail "$lib prints nothing" "missing (run make)"; continue; fi
  objects=$(nm -A "$lib" 2>/dev/null | grep -c ' T ')
  bad=$(nm -A "$lib" 2>/dev/null | awk -v re="^($forbidden)\$" '$(NF-1) == "U" && $NF ~ re { print $1 $NF }')
  if [ "$objects" -gt 100 ] && [ -z "$bad" ]; then
    pass "$(basename "$(dirname "$lib")") library: no object refers to stdout, stderr, printing, MPI_Abort or exit ($objects functions)"
  else
    fail "$lib prints nothing" "${bad:-only $objects functions: not the library}"
  fi
done
