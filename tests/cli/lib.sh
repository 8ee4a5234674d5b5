# tests/cli/lib.sh: what every CLI test script shares. Source it first:
#   . "$(dirname "$0")/lib.sh"
# It sets repo, TAILSWEEP (absolute; default the release build) and PY
# (Debian's interpreter, which has numpy, h5py and xarray); defines pass and
# fail (one "PASS: name" / "FAIL: name: why" line per check, counted by
# tests/run.sh); makes a scratch directory W, cd's there and removes it at
# exit (killing any background jobs first); and defines:
#   run ARGS...       tailsweep ARGS, stdout in $W/out, stderr in $W/err, rc
#   bad NAME WORD ARGS...
#                     `tailsweep $bad_cmd $short ARGS --print` exits 2 and
#                     stderr names WORD (scripts set bad_cmd and short; a
#                     flag of $short that ARGS gives again is left out of
#                     $short, since a repeated flag is itself an error)
#   expect NAME CODE WORD ARGS...
#                     `tailsweep ARGS` exits CODE and stderr names WORD
#   lt A B            true when A and B are numbers and A < B: an empty or
#                     non-numeric value (a binary that printed nothing, "nan")
#                     is never less, so such a check fails
#   mpi_env           the environment mpirun needs here (root; ASan without
#                     leak checks: Open MPI's plugins leak at exit in ways
#                     LeakSanitizer cannot attribute)
set -u
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TAILSWEEP=${TAILSWEEP:-$repo/build/release/tailsweep}
case $TAILSWEEP in /*) ;; *) TAILSWEEP=$PWD/$TAILSWEEP ;; esac
PY=/usr/bin/python3
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c1-400)"; }
[ -x "$TAILSWEEP" ] || { fail binary "$TAILSWEEP missing"; exit 0; }
W=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$W"' EXIT; cd "$W" || exit 0
run() { "$TAILSWEEP" "$@" >"$W/out" 2>"$W/err"; rc=$?; }
bad() {
  local name=$1 word=$2; shift 2
  local base=() given=" $* " i
  # shellcheck disable=SC2206  # $short is a list of --flag value pairs
  local s=($short)
  for ((i = 0; i < ${#s[@]}; i += 2)); do
    case $given in *" ${s[i]} "*) ;; *) base+=("${s[i]}" "${s[i + 1]}") ;; esac
  done
  run "$bad_cmd" "${base[@]}" "$@" --print
  if [ $rc -eq 2 ] && grep -q -- "$word" "$W/err"; then pass "$bad_cmd rejects $name"
  else fail "$bad_cmd rejects $name" "rc=$rc err=$(cat "$W/err")"; fi
}
expect() {
  local name=$1 code=$2 word=$3; shift 3
  run "$@"
  if [ $rc -eq "$code" ] && grep -q -- "$word" "$W/err"; then pass "$name"
  else fail "$name" "rc=$rc (want $code) err=$(cat "$W/err")"; fi
}
lt() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    num = "^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
    exit !(a ~ num && b ~ num && a + 0 < b + 0) }'
}
mpi_env() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
}
