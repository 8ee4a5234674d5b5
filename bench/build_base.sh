#!/usr/bin/env bash
# bench/build_base.sh [REV]: an earlier tailsweep's stable toolkit as a
# shared library, for bench_density's --base (the before/after speed-up in
# one run): the core, rng and stable sources of git revision REV (default
# 6e22762, main before the faster integral), compiled with this Makefile's release
# flags into build/bench-base/REV/libtailsweep.so. Prints the library's path.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-6e22762}
out=build/bench-base/$rev
mkdir -p "$out/src"
git archive "$rev" include src/core src/rng src/stable | tar -x -C "$out/src"
flags=$(make -s -f Makefile --eval 'show-flags: ; @echo $(RELEASE_CFLAGS)' show-flags)
# shellcheck disable=SC2086
cc $flags -fPIC -I"$out/src/include" -shared -o "$out/libtailsweep.so" \
  "$out"/src/src/core/*.c "$out"/src/src/rng/*.c "$out"/src/src/stable/*.c $(pkg-config --libs gsl) -lm
echo "$PWD/$out/libtailsweep.so"
