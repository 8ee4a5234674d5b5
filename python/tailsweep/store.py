"""Reading a tailsweep store as an xarray Dataset.

    from tailsweep import store
    ds = store.open("results/fig6.h5")                  # every task's results
    ds.density.sel(alpha=1.5, theta=0.5).mean("replicate")
    ag = store.open("results/fig6.h5", group="aggregate")  # seed statistics
    store.job(ds)["eta"], store.status_counts(ds)

A store is already a CF/netCDF-4 file (docs/architecture.md, "The store"):
the axes and trailing dimensions are dimension scales, results are NaN
where a task is todo or failed, and `status` carries CF `flag_values` /
`flag_meanings`. This module adds what a reader would otherwise repeat:

- it opens the file read-only with HDF5's file locking off, like tailsweep
  itself, so a store a sweep is writing (or one on a cluster file system
  without flock) opens at any moment;
- `done_only=True` (the default) also masks the results of diverged tasks,
  which keep their values in the store up to the blow-up: what is left is
  exactly the tasks whose status is done;
- `status` becomes a labelled variable `status_name` ("todo", "done",
  "failed", "diverged") beside the integer codes;
- the job's parameters, stored as `key = value` lines in the `job`
  attribute, come back as a dict (`job(ds)`);
- `/aggregate` opens with `group="aggregate"`; `aggregate_is_stale` says
  when tasks finished after it was made (`tailsweep info` is the authority:
  it compares the hash of every task's status and checksum).

Nothing here loads libtailsweep: h5py, h5netcdf and xarray suffice.
"""
import numpy as np

STATUS_NAMES = ("todo", "done", "failed", "diverged")
# Per-task bookkeeping datasets: never masked, never treated as results.
BOOKKEEPING = ("status", "attempt", "rank", "wall_time", "end_time", "host",
               "message", "checksum")


def _h5file(path):
    import h5netcdf
    try:
        return h5netcdf.File(str(path), "r", locking=False)
    except OSError as e:
        raise OSError(f"{path}: cannot open as a tailsweep store: {e}") from None


def open(path, group=None, done_only=True):  # noqa: A001 - mirrors xr.open_dataset
    """The store at `path` as an xarray Dataset.

    group: None for the task results (the root), "aggregate" for the seed
    statistics written by `tailsweep aggregate`.
    done_only: mask (NaN) the results of tasks that are not done, diverged
    ones included. Only the root group has per-task statuses.
    """
    import xarray as xr
    f = _h5file(path)
    if group is not None and group.strip("/") not in f.groups:
        have = ", ".join(sorted(f.groups)) or "none"
        f.close()
        hint = "; run `tailsweep aggregate` first" if group.strip("/") == "aggregate" else ""
        raise KeyError(f"{path}: no group /{group.strip('/')} (groups: {have}){hint}")
    if "format_version" not in f.attrs or "status" not in f.variables:
        f.close()
        raise ValueError(f"{path}: not a tailsweep store (no format_version attribute "
                         "or status dataset)")
    ds = xr.open_dataset(xr.backends.H5NetCDFStore(f, group=group))
    if group is not None:
        return ds
    status = ds["status"].load()
    codes = np.asarray(status.attrs.get("flag_values", np.arange(len(STATUS_NAMES))))
    names = str(status.attrs.get("flag_meanings", " ".join(STATUS_NAMES))).split()
    lookup = np.full(int(codes.max()) + 1, "unknown", dtype=object)
    lookup[codes] = names
    ds["status_name"] = (status.dims, lookup[status.values.astype(np.int64)])
    ds["status_name"].attrs["long_name"] = "task status by name"
    if done_only:
        done = status == names.index("done")
        for name, var in ds.data_vars.items():
            if name in BOOKKEEPING or name == "status_name":
                continue
            if set(status.dims) <= set(var.dims) and np.issubdtype(var.dtype, np.floating):
                ds[name] = var.where(done)
    return ds


def job(ds):
    """The job's parameters as a dict: numbers as float or int, lists as
    lists, strings as str (from the `job` attribute, one `key = value` per
    line, as `tailsweep info` prints them). Keys keep their section prefix
    for axes (`axes.alpha`); `params.` is dropped."""
    text = ds.attrs.get("job")
    if text is None:
        raise KeyError("no `job` attribute: open the store's root group, not /aggregate")
    out = {}
    for line in str(text).splitlines():
        if " = " not in line:
            continue
        key, value = line.split(" = ", 1)
        if key.startswith("params."):
            key = key[len("params."):]
        out[key] = _value(value.strip())
    return out


def _value(v):
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1]
    if v.startswith("[") and v.endswith("]"):
        return [_value(x.strip()) for x in v[1:-1].split(",") if x.strip()]
    for conv in (int, float):
        try:
            return conv(v)
        except ValueError:
            pass
    return v


def status_counts(ds):
    """{"todo": n, "done": n, "failed": n, "diverged": n} over every task."""
    names, counts = np.unique(np.asarray(ds["status_name"].values, dtype=str), return_counts=True)
    out = {name: 0 for name in STATUS_NAMES}
    out.update({str(n): int(c) for n, c in zip(names, counts)})
    return out


def aggregate_is_stale(path):
    """True when a task of the store ended after its /aggregate was made
    (a resumed or rerun sweep), False when not, None when there is no
    /aggregate. Times are compared at the second (the resolution of the
    aggregate's `created`), so a task that ended in the same second as the
    aggregate counts as fresh; `tailsweep info` settles such a tie exactly."""
    import xarray as xr
    f = _h5file(path)
    try:
        if "aggregate" not in f.groups:
            return None
        created = np.datetime64(str(f.groups["aggregate"].attrs["created"]).rstrip("Z"), "s")
        ds = xr.open_dataset(xr.backends.H5NetCDFStore(f))
        ended = ds["end_time"].values
        ended = ended[~np.isnat(ended)]
        return bool(ended.size and ended.max().astype("datetime64[s]") > created)
    finally:
        f.close()
