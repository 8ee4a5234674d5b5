#!/usr/bin/env bash
# Installs the Debian packages tailsweep needs, and nothing when they are all present.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also what only benchmarks use (hyperfine)
# Idempotent: it asks dpkg first and only calls apt-get for what is missing.
set -euo pipefail

# What each group is for:
#   libmatio-dev: SVHN's .mat files (src/data/ts_data_svhn.c)
#   python3-torch: the network and optimiser oracles (tests/oracle/*torch*.py)
#   python3-pytest, -venv, -setuptools, -wheel: the Python module's tests and install
#   slurmctld slurmd slurm-client munge: the SLURM scripts are tested on a real SLURM
#   dataset-fashion-mnist: the real image set of the GNI jobs
#   chromium: `tailsweep report`'s page is tested in a headless browser
core=(build-essential pkg-config openmpi-bin libopenmpi-dev libhdf5-openmpi-dev hdf5-tools
      libgsl-dev libopenblas-dev libdnnl-dev libyaml-dev zlib1g-dev libxxhash-dev libcmocka-dev
      python3-scipy python3-numpy python3-h5py python3-matplotlib python3-sklearn
      python3-xarray python3-h5netcdf python3-pandas python3-mpmath
      libmatio-dev python3-torch python3-pytest python3-venv python3-setuptools python3-wheel
      slurmctld slurmd slurm-client munge dataset-fashion-mnist chromium)
bench=(hyperfine)

want=("${core[@]}")
[ "${1:-}" = "--bench" ] && want+=("${bench[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300 -y -q --no-install-recommends)
$sudo apt-get -o DPkg::Lock::Timeout=300 -q update >&2
$sudo apt-get "${apt_opts[@]}" install "${missing[@]}" >&2
