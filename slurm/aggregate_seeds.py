#!/usr/bin/python3
"""slurm/aggregate_seeds.py OUT.h5 IN1.h5 IN2.h5 ...

Stack the stores of one job run with different seeds (slurm/array_seeds.sbatch)
into one file with a new leading dimension "seed", whose values are each
store's root attribute `seed`. Every variable (results, /status, /attempt,
...) gains the seed dimension; coordinates shared by all stores (the axes,
replicate, trailing dimensions) stay as they are and must agree.

Reads and writes with xarray's h5netcdf engine. OUT is written under a
temporary name and renamed into place, so it is never left half-written; an
existing OUT is replaced (it is derived from the inputs). Root attributes of
the first store are kept, except `seed`; `seeds` and `aggregated_from` are
added.

Exit status: 0 ok; 2 usage or inconsistent inputs; 3 a file could not be
read or written. A stopgap until `tailsweep aggregate` exists.
"""
import os
import sys


def fail(code, msg):
    print(f"aggregate_seeds: {msg}", file=sys.stderr)
    sys.exit(code)


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    out, inputs = argv[1], argv[2:]
    if out in inputs:
        fail(2, f"{out}: the output is also an input")
    try:
        import numpy as np
        import pandas as pd
        import xarray as xr
    except ImportError as e:
        fail(3, f"needs numpy, pandas, xarray and h5netcdf ({e}); Debian: python3-xarray python3-h5netcdf")

    datasets, seeds = [], []
    for path in inputs:
        try:
            ds = xr.open_dataset(path, engine="h5netcdf")
        except Exception as e:  # noqa: BLE001 - any reader error is a file error here
            fail(3, f"{path}: cannot open with xarray/h5netcdf: {e}")
        if "seed" not in ds.attrs:
            fail(2, f"{path}: no root attribute 'seed'")
        if "seed" in ds.dims or "seed" in ds.variables:
            fail(2, f"{path}: already has a 'seed' dimension or variable")
        seed = int(np.asarray(ds.attrs["seed"]).item())
        if seed in seeds:
            fail(2, f"{path}: seed {seed} also in {inputs[seeds.index(seed)]}")
        datasets.append(ds)
        seeds.append(seed)

    attrs = {k: v for k, v in datasets[0].attrs.items() if k != "seed"}
    try:
        combined = xr.concat(
            datasets,
            dim=pd.Index(np.array(seeds, dtype=np.int64), name="seed"),
            data_vars="all",
            coords="minimal",
            compat="equals",
            join="exact",
            combine_attrs="drop",
        )
    except (ValueError, KeyError) as e:
        fail(2, f"the stores do not line up (different grids or layouts?): {e}")
    combined.attrs = attrs
    combined.attrs["seeds"] = np.array(seeds, dtype=np.int64)
    combined.attrs["aggregated_from"] = "\n".join(os.path.abspath(p) for p in inputs)

    tmp = f"{out}.tmp{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        combined.to_netcdf(tmp, engine="h5netcdf")
        for ds in datasets:
            ds.close()
        os.replace(tmp, out)
    except Exception as e:  # noqa: BLE001
        try:
            os.unlink(tmp)
        except OSError:
            pass
        fail(3, f"{out}: cannot write: {e}")
    print(f"aggregate_seeds: {out}: {len(seeds)} seeds {seeds}, dims {dict(combined.sizes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
