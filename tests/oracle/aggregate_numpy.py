"""tests/oracle/aggregate_numpy.py TAILSWEEP AGG_STORE_WRITER: `tailsweep
aggregate` and `tailsweep export --csv` against NumPy, SciPy, xarray and
pandas/csv on the same stores.

Store 1 is written by tests/oracle/agg_store_writer.c (a GNI-like partial
sweep: one grid point without any finished task, others with todo, failed
and diverged replicates). Store 2 is a real, tiny SDE sweep run here.

Tolerances, and why:
- mean: exact. The oracle sums in the same order as the C code (replicate
  order; with --over, row-major over the reduced axes) and divides by the
  count, so the bits must agree; np.nanmean (pairwise summation, another
  order) is also checked, to 1e-15 x n x max|x| absolute (the rounding bound
  of a sum of n terms; a relative bound fails where values cancel).
- sd, se: 1e-12 relative to np.nanstd(ddof=1) (both two-pass; summation
  order may differ by a few ulps).
- median, quantiles: 1e-12 absolute against np.nanmedian and
  np.nanquantile(method="linear") (NumPy's default, Hyndman-Fan 7).
- shift-map CIs: half-widths 1e-10 relative against scipy.stats.t.ppf (SciPy's
  t quantile is itself only good to ~1e-11: t.ppf(0.975, 1) is 2e-11 off
  tan(0.475 pi); GSL's is checked against closed forms in
  tests/unit/test_aggregate.c), the ends 1e-10 absolute.
- counts, NaN positions, CSV values: exact.
Prints PASS/FAIL lines (tests/run.sh counts them).
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

import h5py
import numpy as np

from oracle_report import Report

CHECKS = Report()
Q = [0.05, 0.25, 0.75, 0.95]


def check(name, fn):
    try:
        r = fn()
        CHECKS.check(name, r is None or r is True, "" if r in (None, True) else str(r))
    except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
        tb = traceback.format_exc().strip().splitlines()
        CHECKS.check(name, False, f"{type(e).__name__}: {e} ({tb[-3].strip() if len(tb) > 2 else ''})")


def run(*args, ok=True):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
    if ok and p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def dims(d):
    return [x[0].name.rsplit("/", 1)[-1] for x in d.dims]


def seq_mean(x, axis):
    """Sum in index order along the (already flattened, last) axis, skip NaN."""
    out = np.full(x.shape[:-1], np.nan)
    for idx in np.ndindex(*x.shape[:-1]):
        s, n = 0.0, 0
        for v in x[idx]:
            if not math.isnan(v):
                s += v
                n += 1
        if n:
            out[idx] = s / n
    return out


def flatten_reduced(x, names, reduce):
    """Move the reduced axes last (in their order) and flatten them."""
    red = [names.index(r) for r in names if r in reduce]
    keep = [i for i in range(len(names)) if i not in red]
    y = np.transpose(x, keep + red)
    return y.reshape(y.shape[: len(keep)] + (-1,)), [names[i] for i in keep]


def same_nan(a, b):
    return np.array_equal(np.isnan(a), np.isnan(b))


def close(a, b, rel=None, abs_=None):
    if a.shape != b.shape:
        return f"shape {a.shape} vs {b.shape}"
    if not same_nan(a, b):
        return f"NaN at different places: {np.argwhere(np.isnan(a) != np.isnan(b))[:3].tolist()}"
    m = ~np.isnan(a)
    if rel is not None:
        err = np.max(np.abs(a[m] - b[m]) / np.maximum(np.abs(b[m]), 1e-300), initial=0)
        if err > rel:
            return f"relative error {err:.3g} > {rel}"
    if abs_ is not None:
        err = np.max(np.abs(a[m] - b[m]), initial=0)
        if err > abs_:
            return f"absolute error {err:.3g} > {abs_}"
    return True


def check_reduction(path, reduce, tag):
    with h5py.File(path, "r") as f:
        g = f["aggregate"]
        results = [n for n in f if isinstance(f[n], h5py.Dataset) and n not in
                   ("status", "attempt", "rank", "wall_time", "end_time", "host", "message", "checksum")
                   and not h5py.h5ds.is_scale(f[n].id) and "replicate" in dims(f[n])]
        if not results:
            return "no results found"
        for r in results:
            x, names = f[r][()], dims(f[r])
            y, kept = flatten_reduced(x, names, reduce)
            if dims(g[f"{r}_mean"]) != kept:
                return f"{r}_mean dims {dims(g[r + '_mean'])}, expected {kept}"
            cnt = np.sum(~np.isnan(y), axis=-1)
            if not np.array_equal(g[f"{r}_count"][()], cnt):
                return f"{r}_count differs"
            mean = g[f"{r}_mean"][()]
            sm = seq_mean(y, -1)
            if not (same_nan(mean, sm) and np.array_equal(mean[~np.isnan(mean)], sm[~np.isnan(sm)])):
                return f"{r}_mean is not bit-identical to the in-order mean"
            with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
                __import__("warnings").simplefilter("ignore")
                ref = {
                    "nanmean": np.nanmean(y, axis=-1),
                    "sd": np.where(cnt >= 2, np.nanstd(y, axis=-1, ddof=1), np.nan),
                    "median": np.nanmedian(y, axis=-1),
                    "quantile": np.moveaxis(np.nanquantile(y, Q, axis=-1, method="linear"), 0, -1),
                }
            for what, got, want, kw in (
                ("mean vs nanmean", mean, ref["nanmean"], {"abs_": 1e-15 * max(1.0, float(np.nanmax(np.abs(y), initial=0)) * y.shape[-1])}),
                ("sd", g[f"{r}_sd"][()], ref["sd"], {"rel": 1e-12}),
                ("se", g[f"{r}_se"][()], ref["sd"] / np.sqrt(cnt), {"rel": 1e-12}),
                ("median", g[f"{r}_median"][()], ref["median"], {"abs_": 1e-12}),
                ("quantile", g[f"{r}_quantile"][()], ref["quantile"], {"abs_": 1e-12}),
            ):
                res = close(got, want, **kw)
                if res is not True:
                    return f"{tag}: {r} {what}: {res}"
        if not np.allclose(g["quantile"][()], Q):
            return f"quantile coordinate {g['quantile'][()]}"
    return True


def main():
    tailsweep, writer = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="ts_agg_")
    store = os.path.join(tmp, "agg.h5")
    run(writer, store)
    run(tailsweep, "aggregate", store)

    check("aggregate over replicate vs numpy (partial GNI-like store)",
          lambda: check_reduction(store, ["replicate"], "replicate"))

    def partial():
        with h5py.File(store, "r") as f:
            st = f["status"][()]
            g = f["aggregate"]
            for k, name in enumerate(("tasks_todo", "tasks_done", "tasks_failed", "tasks_diverged")):
                if not np.array_equal(g[name][()], np.sum(st == k, axis=-1)):
                    return f"{name} differs from /status"
            # the writer leaves grid point 0 without any finished task
            if st[0, 0, 0].tolist() != [0] * 5:
                return f"point 0 statuses {st[0, 0, 0].tolist()}"
            if g["train_loss_count"][0, 0, 0].tolist() != [0] * 6 or not np.all(np.isnan(g["train_loss_mean"][0, 0, 0])):
                return "the empty cell is not count 0 / NaN"
            if not np.all(np.isnan(g["train_loss_quantile"][0, 0, 0])) or not np.isnan(g["accuracy_sd"][0, 0, 0]):
                return "the empty cell's quantiles or sd are not NaN"
            done = (st == 1) | (st == 3)
            if not np.array_equal(g["accuracy_count"][()], done.sum(axis=-1)):
                return "accuracy_count != tasks done + diverged"
            one = np.argwhere(done.sum(axis=-1) == 1)
            for idx in one:   # a single value: sd and se NaN, mean = median = the value
                idx = tuple(idx)
                if not (np.isnan(g["accuracy_sd"][idx]) and g["accuracy_mean"][idx] == g["accuracy_median"][idx]):
                    return f"cell {idx} with one value"
        return True

    check("partial store: counts from /status, NaN for empty cells, sd NaN below 2", partial)

    def over_axis():
        run(tailsweep, "aggregate", store, "--over", "M", "--over", "optimizer")
        r = check_reduction(store, ["M", "optimizer", "replicate"], "--over M optimizer")
        if r is not True:
            return r
        with h5py.File(store, "r") as f:
            # fixed-length strings (docs/aggregate.md): h5py gives bytes
            over = f["aggregate"].attrs["reduced_over"]
            over = over.decode() if isinstance(over, bytes) else over
            if over != "M optimizer replicate":
                return f"reduced_over = {over!r}"
        return True

    check("--over M --over optimizer vs numpy", over_axis)

    def idempotent():
        run(tailsweep, "aggregate", store)
        with h5py.File(store, "r") as f:
            a = {n: f["aggregate"][n][()] for n in f["aggregate"]}
        # the new /aggregate is written before the old one goes (a kill leaves
        # the old one whole), so a rerun reuses the space of the one before:
        # from the second rerun on, the store stays the same size
        run(tailsweep, "aggregate", store)
        size1 = os.path.getsize(store)
        run(tailsweep, "aggregate", store)
        size2 = os.path.getsize(store)
        with h5py.File(store, "r") as f:
            b = {n: f["aggregate"][n][()] for n in f["aggregate"]}
            raw_ok = "train_loss" in f and f["train_loss"].shape == (3, 2, 2, 5, 6)
        if set(a) != set(b):
            return f"datasets differ between runs: {set(a) ^ set(b)}"
        for n in a:
            if not np.array_equal(np.asarray(a[n]), np.asarray(b[n]), equal_nan=a[n].dtype.kind == "f"):
                return f"{n} differs between runs"
        if not raw_ok:
            return "the results were touched"
        # the dimension lists' heap is not reclaimed by HDF5: a little growth
        # (about 13 kB a rerun here, whatever the store's size)
        if size2 > size1 * 1.15:
            return f"the store grew from {size1} to {size2} bytes on a rerun"
        r = check_reduction(store, ["replicate"], "after --over and rerun")
        return r if r is not True else True

    check("rerun replaces /aggregate (no stale datasets, same values, bounded size)", idempotent)

    def xarray_view():
        import xarray as xr
        with xr.open_dataset(store, engine="h5netcdf", group="aggregate") as ds:
            m = ds["train_loss_mean"]
            if list(m.dims) != ["sigma2", "M", "optimizer", "step"]:
                return f"dims {m.dims}"
            if list(ds["optimizer"].values) != ["sgd", "adam"] or list(ds["step"].values) != [0, 100, 200, 300, 400, 500]:
                return f"coordinates {ds['optimizer'].values} {ds['step'].values}"
            v = float(m.sel(sigma2=1.0, M=4, optimizer="adam", step=300))
            with h5py.File(store, "r") as f:
                if v != f["aggregate/train_loss_mean"][2, 1, 1, 3]:
                    return "sel() picks a different value"
        return True

    check("xarray opens /aggregate with labelled coordinates", xarray_view)

    def csv_roundtrip():
        out = os.path.join(tmp, "all.csv")
        # scalar results alone by default; arrays when named
        run(tailsweep, "export", store, "--csv", "-o", os.path.join(tmp, "scalars.csv"))
        with open(os.path.join(tmp, "scalars.csv"), newline="") as fh:
            names = {row[0] for row in csv.reader(fh)} - {"variable"}
        if names != {"accuracy"}:
            return f"the default export holds {sorted(names)}, not the scalar results ['accuracy']"
        run(tailsweep, "export", store, "--csv", "-o", out,
            "--vars", "accuracy,train_loss,test_loss,gradnoise_alpha,gradnoise_beta")
        with h5py.File(store, "r") as f:
            want = {}
            for r in ("accuracy", "train_loss", "test_loss", "gradnoise_alpha", "gradnoise_beta"):
                names = dims(f[r])
                coords = {}
                for n in names:
                    v = f[n][()]
                    coords[n] = [x.decode() if isinstance(x, bytes) else x for x in v]
                for idx in np.ndindex(*f[r].shape):
                    key = (r, frozenset((n, str(coords[n][i]) if isinstance(coords[n][i], str) else float(coords[n][i]))
                                        for n, i in zip(names, idx)))
                    want[key] = f[r][idx]
        got = {}
        with open(out, newline="") as fh:
            rd = csv.reader(fh)
            header = next(rd)
            if header[0] != "variable" or header[-1] != "value":
                return f"header {header}"
            for row in rd:
                # columns come in the order the datasets were named: compare as sets
                key = frozenset((n, c if n == "optimizer" else float(c))
                                for n, c in zip(header[1:-1], row[1:-1]) if c != "")
                got[(row[0], key)] = float(row[-1])
        if len(got) != len(want):
            return f"{len(got)} rows, expected {len(want)}"
        for k, v in want.items():
            if k not in got:
                return f"missing row {k}"
            g = got[k]
            if not ((math.isnan(v) and math.isnan(g)) or v == g):
                return f"{k}: {g!r} != {v!r}"
        try:
            import pandas as pd
        except ImportError:
            return True
        # pandas' default parser may be 1 ulp off; round_trip is exact
        df = pd.read_csv(out, float_precision="round_trip")
        sub = df[(df.variable == "train_loss") & (df.optimizer == "adam")]
        with h5py.File(store, "r") as f:
            ref = f["train_loss"][:, :, 1]
        vals = sub.sort_values(["sigma2", "M", "replicate", "step"]).value.to_numpy()
        ref = np.transpose(ref, (0, 1, 2, 3)).ravel()   # sigma2, M ascending already
        if not np.array_equal(vals, ref, equal_nan=True):
            return "pandas read different values"
        return True

    check("export --csv round-trips through Python's csv module and pandas", csv_roundtrip)

    def csv_aggregate():
        out = os.path.join(tmp, "agg.csv")
        run(tailsweep, "export", store, "--csv", "--dataset", "aggregate/accuracy_quantile", "-o", out)
        with open(out, newline="") as fh:
            rows = list(csv.DictReader(fh))
        with h5py.File(store, "r") as f:
            q = f["aggregate/accuracy_quantile"][()]
        if len(rows) != q.size or set(rows[0]) != {"variable", "sigma2", "M", "optimizer", "quantile", "value"}:
            return f"{len(rows)} rows, columns {list(rows[0])}"
        got = np.array([float(r["value"]) for r in rows]).reshape(q.shape)
        return True if np.array_equal(got, q, equal_nan=True) else "values differ"

    check("export of one /aggregate dataset (quantile axis as a column)", csv_aggregate)

    def stacked():
        parts = []
        for seed in (11, 12, 13):
            parts.append(os.path.join(tmp, f"s{seed}.h5"))
            run(writer, parts[-1], str(seed))
        out = os.path.join(tmp, "stacked.h5")
        run(tailsweep, "aggregate", "-o", out, *parts)
        with h5py.File(out, "r") as f:
            if list(f["seed"][()]) != [11, 12, 13] or dims(f["train_loss"])[0] != "seed":
                return f"seed coordinate {f['seed'][()]} / dims {dims(f['train_loss'])}"
            for k, p in enumerate(parts):
                with h5py.File(p, "r") as g:
                    if not np.array_equal(f["train_loss"][k], g["train_loss"][()], equal_nan=True):
                        return f"stacked train_loss[{k}] differs from {p}"
                    if not np.array_equal(f["status"][k], g["status"][()]):
                        return f"stacked status[{k}] differs"
        r = check_reduction(out, ["seed", "replicate"], "stacked")
        if r is not True:
            return r
        bad = run(tailsweep, "aggregate", "-o", out, parts[0], parts[0], ok=False)
        if bad.returncode != 2 or "the same as" not in bad.stderr:
            return f"two stores of one seed: exit {bad.returncode}: {bad.stderr.strip()}"
        return True

    check("aggregate -o stacks stores of 3 seeds; statistics over (seed, replicate) vs numpy", stacked)

    # --- a real, tiny SDE sweep: shift maps against NumPy and SciPy ---------------
    job = os.path.join(tmp, "tiny.yaml")
    with open(job, "w") as fh:
        fh.write("kind: sde\nstore: %s\nseed: 5\nreplicates: 3\n"
                 "params: {potential: quartic, eta: 1.0e-3, steps: 6000, burnin: 500, chains: 8,\n"
                 "         scheme: implicit, grid_n: 64}\n"
                 "axes:\n  alpha: [1.9, 1.3]\n  theta: [-0.5, 0.5]\n" % os.path.join(tmp, "sde.h5"))
    sde = os.path.join(tmp, "sde.h5")
    try:
        # the sweep initialises Open MPI, which leaks at exit
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        p = subprocess.run([tailsweep, "run", job], capture_output=True, text=True, timeout=300, env=env)
        if p.returncode != 0:
            raise RuntimeError(f"tailsweep run exited {p.returncode}: {p.stderr.strip()[-500:]}")
        run(tailsweep, "aggregate", sde, "--level", "0.9")
        ran = True
    except Exception as e:  # noqa: BLE001
        CHECKS.check("tiny sde sweep and aggregate", False, str(e))
        ran = False

    def shiftmaps():
        from scipy import stats
        with h5py.File(sde, "r") as f:
            g = f["aggregate"]
            ms = f["mode_shift"][()]          # alpha, theta, replicate, basin (one coordinate: no coord axis)
            nmin = f["n_minima"][()]
            chains = 8
            src = {
                "shift_left": np.where(nmin > 0, ms[..., 0], np.nan),
                "shift_right": np.where(nmin > 1, ms[..., 1], np.nan),
                "tv": f["tv"][()], "kl": f["kl_est_gibbs"][()], "w1": f["w1"][()],
                "diverged_frac": f["diverged"][()] / chains,
            }
            for m, x in src.items():
                y = np.moveaxis(x, 2, -1)
                n = np.sum(~np.isnan(y), axis=-1)
                mean = seq_mean(y, -1)
                got = g[f"map_{m}"][()]
                if not np.array_equal(got, mean, equal_nan=True):
                    return f"map_{m} is not the in-order mean"
                sd = np.nanstd(y, axis=-1, ddof=1)
                half = stats.t.ppf(0.95, n - 1) * sd / np.sqrt(n)
                lo, hi = g[f"map_{m}_ci_lo"][()], g[f"map_{m}_ci_hi"][()]
                # the half-width relative; the ends absolute (mean - half may cancel to ~0)
                r = close((hi - lo) / 2, half, rel=1e-10)
                if r is True:
                    r = close(lo, mean - half, abs_=1e-10 * max(1.0, np.nanmax(np.abs(half))))
                if r is not True:
                    return f"map_{m} CI: {r}"
                if dims(g[f"map_{m}"]) != ["alpha", "theta"]:
                    return f"map_{m} dims {dims(g['map_' + m])}"
            if abs(g.attrs["ci_level"] - 0.9) > 0:
                return f"ci_level {g.attrs['ci_level']}"
        return True

    if ran:
        check("sde shift maps (shifts, TV, KL, W1, diverged fraction) and 90% t CIs vs numpy/scipy", shiftmaps)
        check("aggregate over replicate vs numpy (real sde store)", lambda: check_reduction(sde, ["replicate"], "sde"))
    shutil.rmtree(tmp, ignore_errors=True)
    return CHECKS.exit_code()


if __name__ == "__main__":
    sys.exit(main())
