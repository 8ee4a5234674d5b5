"""tests/oracle/store_xarray.py: the HDF5 store as its users read it.

    /usr/bin/python3 tests/oracle/store_xarray.py

Builds tests/oracle/store_writer.c against build/asan/libtailsweep.a, has it
write the store of tests/unit/store_fixture.h, then reads that store with
h5py (shapes, dimension labels and scales), xarray with the h5netcdf engine
(dimension order, coordinates including the CHOICE axis as strings and the
zip members, sel() by coordinate value, NaN where a task is not done,
per-task metadata, attributes) and h5dump. Prints "PASS: name" or
"FAIL: name: why" per check and exits non-zero on any failure.

The expected values are recomputed here from the fixture's rules (see
store_fixture.h), not read from the writer, so the two sides agree only if
the store put every value where its coordinates say it is.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
import warnings

from oracle_report import Report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKS = Report()
report = CHECKS.check


def check(name, fn):
    """Run fn; an exception or a false result is a failure."""
    try:
        r = fn()
        report(name, r is None or r is True, "" if r in (None, True) else str(r))
    except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
        tb = traceback.format_exc().strip().splitlines()
        report(name, False, f"{type(e).__name__}: {e} ({tb[-3].strip() if len(tb) > 2 else ''})")


try:
    import h5py
    import numpy as np
    import xarray as xr
    import h5netcdf  # noqa: F401 - the engine must be importable
except ImportError as e:
    print(f"FAIL: store import: {e}")
    sys.exit(1)

# ---- the fixture, as store_fixture.h defines it ----
ALPHA = [1.1, 1.5, 1.9]
SCHEME = ["tamed", "euler"]
ETA = [1e-3, 1e-4]
STEPS = [100, 1000]
REPLICATES = 3
NX = 8
X = [-2.0 + 0.5 * i for i in range(NX)]
SHAPE = (3, 2, 2, REPLICATES)
NTASKS = int(np.prod(SHAPE))
TASK_DIMS = ("alpha", "scheme", "zip0", "replicate")
RESULTS = {  # name: (index in the layout, trailing dims, trailing shape)
    "tail": (0, (), ()),
    "density": (1, ("x",), (NX,)),
    "moments": (2, ("coord", "x"), (2, NX)),
}
TODO, DONE, FAILED, DIVERGED = 0, 1, 2, 3
PER_TASK = ("status", "attempt", "rank", "wall_time", "end_time", "host", "message", "checksum")
FAIL_MSG = "kind failed: \u00fcnicode \u2713"


def status_of(t):
    if t == 1:
        return FAILED
    if t == 2:
        return DIVERGED
    if t % 4 == 3:
        return TODO
    return DONE


def value(r, t, k):
    return r * 100000 + t * 100 + k + 0.25


def expected(name):
    """The full array a reader should see, NaN where a task is not stored."""
    r, _, tshape = RESULTS[name]
    size = int(np.prod(tshape)) if tshape else 1
    v = np.empty((NTASKS, size))
    for t in range(NTASKS):
        stored = status_of(t) in (DONE, DIVERGED)
        v[t] = [value(r, t, k) if stored else np.nan for k in range(size)]
    return v.reshape(SHAPE + tshape)


def main():
    tmp = tempfile.mkdtemp(prefix="store_xarray.")
    try:
        run_checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_checks(tmp):
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/asan/oracle/store_writer")
    if not os.path.exists(exe):
        report("store writer", False, f"{exe} is missing (make builds it)")
        return
    path = os.path.join(tmp, "fixture.h5")
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=1"))
    run = subprocess.run([exe, path], capture_output=True, text=True, env=env)
    report("store writer runs", run.returncode == 0 and os.path.exists(path),
           f"exit {run.returncode}: {run.stderr.strip()[-800:]}")
    if run.returncode != 0:
        return
    left = sorted(os.listdir(tmp))
    report("no temporary file left", left == ["fixture.h5"], f"directory holds {left}")

    # ---- h5py ----
    def h5py_shapes_and_labels():
        with h5py.File(path, "r") as f:
            for name, (_, tdims, tshape) in RESULTS.items():
                want_dims = TASK_DIMS + tdims
                if f[name].shape != SHAPE + tshape:
                    return f"{name} has shape {f[name].shape}, want {SHAPE + tshape}"
                labels = tuple(d.label for d in f[name].dims)
                if labels != want_dims:
                    return f"{name} dims labels {labels}, want {want_dims}"
                for k, d in enumerate(f[name].dims):
                    if len(d) != 1 or d[0].name != "/" + want_dims[k]:
                        return f"{name} dim {k} has scales {[s.name for s in d.values()]}"
            for name in PER_TASK:
                if f[name].shape != SHAPE:
                    return f"{name} has shape {f[name].shape}, want {SHAPE}"
                labels = tuple(d.label for d in f[name].dims)
                if labels != TASK_DIMS:
                    return f"{name} dims labels {labels}"
            for name in ("eta", "steps"):
                if tuple(d.label for d in f[name].dims) != ("zip0",):
                    return f"{name} is not over zip0"
        return True

    check("h5py shapes and dimension labels", h5py_shapes_and_labels)

    def h5py_strings():
        with h5py.File(path, "r") as f:
            scheme = [s.decode() if isinstance(s, bytes) else s for s in f["scheme"].asstr()[()]]
            if scheme != SCHEME:
                return f"scheme holds {scheme}"
            msg = f["message"].asstr()[()]
            if msg[0, 0, 0, 1] != FAIL_MSG:
                return f"message of task 1 is {msg[0, 0, 0, 1]!r}"
            if f.attrs["kind"] != "fixture" or int(f.attrs["seed"]) != 7:
                return f"root attrs kind={f.attrs['kind']!r} seed={f.attrs['seed']!r}"
        return True

    check("h5py strings and root attributes", h5py_strings)

    def h5py_values():
        with h5py.File(path, "r") as f:
            for name in RESULTS:
                np.testing.assert_array_equal(f[name][()], expected(name), err_msg=name)
        return True

    check("h5py values, NaN where not done", h5py_values)

    # ---- xarray ----
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = xr.open_dataset(path, engine="h5netcdf")
            ds.load()
        report("xarray opens the store (h5netcdf)", True)
        for w in caught:
            print(f"  note: xarray warned: {w.category.__name__}: {w.message}")
    except Exception as e:  # noqa: BLE001
        report("xarray opens the store (h5netcdf)", False, f"{type(e).__name__}: {e}")
        return

    def xr_dims():
        for name, (_, tdims, _) in RESULTS.items():
            if ds[name].dims != TASK_DIMS + tdims:
                return f"{name} dims {ds[name].dims}"
        for name in PER_TASK:
            if ds[name].dims != TASK_DIMS:
                return f"{name} dims {ds[name].dims}"
        return True

    check("xarray dimensions in order", xr_dims)

    def xr_coords():
        np.testing.assert_array_equal(ds["alpha"].values, ALPHA)
        if [str(s) for s in ds["scheme"].values] != SCHEME:
            return f"scheme coordinate {ds['scheme'].values!r}"
        if ds["scheme"].dtype.kind not in "OU":
            return f"scheme coordinate has dtype {ds['scheme'].dtype}, not strings"
        np.testing.assert_array_equal(ds["zip0"].values, [0, 1])
        np.testing.assert_array_equal(ds["replicate"].values, range(REPLICATES))
        np.testing.assert_array_equal(ds["x"].values, X)
        np.testing.assert_array_equal(ds["coord"].values, [0, 1])
        for m, want in (("eta", ETA), ("steps", STEPS)):
            if m not in ds.coords:
                return f"zip member {m} is not a coordinate (coords: {list(ds.coords)})"
            if ds[m].dims != ("zip0",):
                return f"{m} dims {ds[m].dims}"
            np.testing.assert_array_equal(ds[m].values, want)
            for name in RESULTS:
                if m not in ds[name].coords:
                    return f"{m} is not a coordinate of {name}"
        if ds["steps"].dtype.kind != "i":
            return f"steps has dtype {ds['steps'].dtype}"
        return True

    check("xarray coordinates (CHOICE as strings, zip members)", xr_coords)

    def xr_sel():
        # alpha 1.5, scheme tamed, eta 1e-4 (zip0 = 1), replicate 2: task 17
        d = ds["density"].sel(alpha=1.5, scheme="tamed", zip0=1, replicate=2)
        np.testing.assert_array_equal(d.values, [value(1, 17, k) for k in range(NX)])
        if d.sel(x=-0.5).item() != value(1, 17, 3):
            return f"density at x=-0.5 is {d.sel(x=-0.5).item()}"
        by_eta = ds["density"].swap_dims(zip0="eta").sel(alpha=1.5, scheme="tamed", eta=1e-4,
                                                         replicate=2)
        np.testing.assert_array_equal(by_eta.values, d.values)
        m = ds["moments"].sel(alpha=1.9, scheme="euler", zip0=0, replicate=2, coord=1, x=1.5)
        if m.item() != value(2, 32, NX + 7):
            return f"moments at task 32 is {m.item()}"
        t = ds["tail"].sel(alpha=1.1, scheme="tamed", zip0=0)
        want = [value(0, 0, 0), np.nan, value(0, 2, 0)]   # done, failed, diverged
        np.testing.assert_array_equal(t.values, want)
        if not np.isnan(ds["tail"].sel(alpha=1.1, scheme="tamed", zip0=1, replicate=0).item()):
            return "task 3 (never run) is not NaN"
        return True

    check("xarray sel() by coordinate value", xr_sel)

    def xr_values():
        for name in RESULTS:
            np.testing.assert_array_equal(ds[name].values, expected(name), err_msg=name)
            fv = ds[name].encoding.get("_FillValue")
            if fv is None or not np.isnan(fv):
                return f"{name} _FillValue encoding is {fv!r}"
        return True

    check("xarray values, NaN where not done", xr_values)

    def xr_meta():
        want = np.array([status_of(t) for t in range(NTASKS)]).reshape(SHAPE)
        np.testing.assert_array_equal(ds["status"].values, want)
        if ds["status"].attrs.get("flag_meanings") != "todo done failed diverged":
            return f"flag_meanings {ds['status'].attrs.get('flag_meanings')!r}"
        np.testing.assert_array_equal(ds["status"].attrs.get("flag_values"), [0, 1, 2, 3])
        msg = ds["message"].sel(alpha=1.1, scheme="tamed", zip0=0)
        if [str(s) for s in msg.values] != ["", FAIL_MSG, "blow-up at step 42"]:
            return f"messages {msg.values!r}"
        host = ds["host"].sel(alpha=1.1, scheme="tamed", zip0=0, replicate=0).item()
        if host != "node00":
            return f"host {host!r}"
        # a task never run has no rank: its _FillValue (-1), which xarray masks to NaN
        if not np.isnan(ds["rank"].sel(alpha=1.1, scheme="tamed", zip0=1, replicate=0).item()):
            return "rank of a task never run is not missing"
        if ds["rank"].sel(alpha=1.1, scheme="tamed", zip0=0, replicate=0).item() != 1:
            return "rank of task 0 is not 1"
        if not np.isnan(ds["wall_time"].sel(alpha=1.1, scheme="tamed", zip0=1, replicate=0).item()):
            return "wall_time of a task never run is not NaN"
        if ds["wall_time"].attrs.get("units") != "s":
            return f"wall_time units {ds['wall_time'].attrs.get('units')!r}"
        return True

    check("xarray per-task metadata", xr_meta)

    def xr_attrs():
        a = ds.attrs
        want = {"kind": "fixture", "job_file": "jobs/fixture.yaml", "created": "2023-11-14T22:13:20Z",
                "Conventions": "CF-1.8"}
        for k, v in want.items():
            if a.get(k) != v:
                return f"root attribute {k} = {a.get(k)!r}, want {v!r}"
        if int(a.get("seed", -1)) != 7 or int(a.get("replicates", -1)) != 3:
            return f"seed {a.get('seed')!r} replicates {a.get('replicates')!r}"
        if not str(a.get("job_text", "")).startswith("kind: fixture\n"):
            return f"job_text {a.get('job_text')!r}"
        if ds["density"].attrs.get("units") != "1/m":
            return f"density units {ds['density'].attrs.get('units')!r}"
        if ds["density"].attrs.get("long_name") != "stationary density":
            return f"density long_name {ds['density'].attrs.get('description')!r}"
        if ds["alpha"].attrs.get("long_name") != "stability index of the noise":
            return f"alpha long_name {ds['alpha'].attrs.get('description')!r}"
        return True

    check("xarray attributes", xr_attrs)
    ds.close()

    # ---- h5dump ----
    def h5dump():
        for args in (["-H"], ["-d", "/density"], ["-d", "/message"]):
            run = subprocess.run(["h5dump"] + args + [path], capture_output=True, text=True)
            if run.returncode != 0:
                return f"h5dump {' '.join(args)} exit {run.returncode}: {run.stderr.strip()[-400:]}"
        return True

    check("h5dump reads the store", h5dump)


if __name__ == "__main__":
    main()
    sys.exit(CHECKS.exit_code())
