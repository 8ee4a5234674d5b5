#!/usr/bin/env bash
# slurm/submit_array.sh [JOB.yaml] [sbatch options for the array...]
#
# Submits slurm/array_seeds.sbatch (one run of JOB per seed) and then
# slurm/aggregate.sbatch with --dependency=afterok:<array job id>, which
# stacks the per-seed stores into results/<stem>_seeds.h5 once every seed
# has finished with exit 0 (if one fails, the aggregation job stays pending
# with reason DependencyNeverSatisfied: scancel it, fix, resubmit).
#
#   slurm/submit_array.sh jobs/fig6.yaml
#   ARRAY=1-16%4 slurm/submit_array.sh jobs/fig6.yaml --ntasks=32 --time=2:00:00
#
# Run it from the repository root (the jobs' working directory). Environment:
#   JOB        the job file when not given as argument     [jobs/fig6.yaml]
#   ARRAY      the seeds, an sbatch --array spec: 1-4, 1,3,5, 1-9:2, 1-16%4 [1-4]
#   AGG_ARGS   sbatch options for the aggregation job only
# and everything array_seeds.sbatch and aggregate.sbatch read (TAILSWEEP,
# STORE_DIR, RUN_ARGS, RANKS, ...), passed on through the environment.
# Prints "array job ID" and "aggregate job ID"; exit 0 when both were submitted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then JOB=$1; shift; fi
export JOB=${JOB:-jobs/fig6.yaml}
ARRAY=${ARRAY:-1-4}
[ -r "$JOB" ] || { echo "submit_array: cannot read job file $JOB" >&2; exit 2; }

# The seeds an --array spec names (ranges, steps, lists; a %N limit ignored).
seeds=()
IFS=, read -r -a parts <<<"${ARRAY%\%*}"
for p in "${parts[@]}"; do
  if [[ $p =~ ^([0-9]+)-([0-9]+)(:([0-9]+))?$ ]]; then
    step=${BASH_REMATCH[4]:-1}
    for ((s = BASH_REMATCH[1]; s <= BASH_REMATCH[2]; s += step)); do seeds+=("$s"); done
  elif [[ $p =~ ^[0-9]+$ ]]; then
    seeds+=("$p")
  else
    echo "submit_array: cannot read ARRAY=$ARRAY" >&2; exit 2
  fi
done
export SEEDS="${seeds[*]}"

array_id=$(sbatch --parsable --array="$ARRAY" "$@" "$here/array_seeds.sbatch")
array_id=${array_id%%;*}   # "ID;cluster" on multi-cluster setups
echo "array job $array_id (seeds $SEEDS)"
# shellcheck disable=SC2086
agg_id=$(sbatch --parsable --dependency="afterok:$array_id" ${AGG_ARGS:-} "$here/aggregate.sbatch")
agg_id=${agg_id%%;*}
echo "aggregate job $agg_id"
