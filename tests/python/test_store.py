"""tailsweep.store (python/tailsweep/store.py): a real store written by the
tailsweep binary beside the library under test (a 12-task SDE sweep, about
a second), read back through the module and checked against h5py's raw
datasets, NumPy's reductions and the job file. Comparisons are exact (the
same bytes) or 1e-12 relative (a mean over two replicates)."""
import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from tailsweep import store

JOB = """kind: sde
store: {store}
seed: 7
replicates: 2
params:
  potential: quartic
  eps: 1
  eta: 1.0e-3
  steps: 4000
  burnin: 500
  thin: 4
  chains: 8
  scheme: implicit
  grid_n: 64
axes:
  alpha: [1.9, 1.5]
  theta: {{linspace: [-0.5, 0.5, 3]}}
"""


def _binary():
    lib = os.environ.get("TAILSWEEP_LIB")
    root = Path(__file__).resolve().parents[2]
    cand = Path(lib).parent / "tailsweep" if lib else root / "build" / "release" / "tailsweep"
    if not cand.is_file():
        pytest.fail(f"no tailsweep binary at {cand}")
    return str(cand)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    d = tmp_path_factory.mktemp("store")
    path = d / "smoke.h5"
    (d / "smoke.yaml").write_text(JOB.format(store=path))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    subprocess.run([_binary(), "run", str(d / "smoke.yaml")], check=True,
                   capture_output=True, env=env, timeout=300)
    assert path.is_file(), "tailsweep run wrote no store"
    return d, path


def test_open_results_match_the_raw_datasets(made):
    _, path = made
    ds = store.open(path)
    assert dict(ds.sizes)["alpha"] == 2 and dict(ds.sizes)["theta"] == 3
    assert dict(ds.sizes)["replicate"] == 2
    np.testing.assert_array_equal(ds.alpha.values, [1.9, 1.5])
    np.testing.assert_allclose(ds.theta.values, [-0.5, 0.0, 0.5], rtol=0, atol=1e-15)
    with h5py.File(path, "r", locking=False) as f:
        raw = f["density"][...]
        tv = f["tv"][...]
    assert raw.shape == ds.density.shape and np.isfinite(raw).all()
    np.testing.assert_array_equal(ds.density.values, raw)
    np.testing.assert_array_equal(ds.tv.values, tv)
    ds.close()


def test_status_names_and_counts(made):
    _, path = made
    ds = store.open(path)
    assert set(np.unique(ds.status_name.values.astype(str))) == {"done"}
    assert store.status_counts(ds) == {"todo": 0, "done": 12, "failed": 0, "diverged": 0}
    ds.close()


def test_job_parameters_come_back_typed(made):
    _, path = made
    ds = store.open(path)
    job = store.job(ds)
    assert job["kind"] == "sde" and job["potential"] == "quartic"
    assert job["eta"] == 0.001
    assert job["steps"] == 4000 and isinstance(job["steps"], int)
    assert job["axes.alpha"] == [1.9, 1.5]
    assert job["seed"] == 7 and job["replicates"] == 2
    ds.close()


def test_done_only_masks_a_diverged_task(made, tmp_path):
    _, path = made
    copy = tmp_path / "copy.h5"
    shutil.copy(path, copy)
    with h5py.File(copy, "r+", locking=False) as f:
        st = f["status"][...]
        st[1, 2, 0] = 3                      # diverged: its values stay in the file
        f["status"][...] = st
    ds = store.open(copy)
    assert store.status_counts(ds)["diverged"] == 1
    assert str(ds.status_name.values[1, 2, 0]) == "diverged"
    assert np.isnan(ds.density.values[1, 2, 0]).all() and np.isnan(ds.tv.values[1, 2, 0])
    assert np.isfinite(ds.density.values[1, 2, 1]).all()
    ds.close()
    keep = store.open(copy, done_only=False)
    assert np.isfinite(keep.density.values[1, 2, 0]).all()
    keep.close()


def test_aggregate_group(made):
    d, path = made
    with pytest.raises(KeyError, match="tailsweep aggregate"):
        store.open(path, group="aggregate")
    assert store.aggregate_is_stale(path) is None
    subprocess.run([_binary(), "aggregate", str(path)], check=True, capture_output=True, timeout=300)
    ag = store.open(path, group="aggregate")
    ds = store.open(path)
    np.testing.assert_allclose(ag.density_mean.values, ds.density.mean("replicate").values,
                               rtol=1e-12, atol=0)
    assert ag.attrs["reduced_over"] == "replicate"
    assert store.aggregate_is_stale(path) is False
    ag.close()
    ds.close()


def test_a_task_ending_after_the_aggregate_makes_it_stale(made, tmp_path):
    _, path = made
    if store.aggregate_is_stale(path) is None:
        subprocess.run([_binary(), "aggregate", str(path)], check=True, capture_output=True)
    copy = tmp_path / "stale.h5"
    shutil.copy(path, copy)
    with h5py.File(copy, "r+", locking=False) as f:
        created = f["aggregate"].attrs["created"]
        created = created.decode() if isinstance(created, bytes) else str(created)
        since_epoch = (np.datetime64(created.rstrip("Z"), "s") - np.datetime64(0, "s")) / np.timedelta64(1, "s")
        end = f["end_time"][...]                 # seconds since 1970 (CF units attribute)
        end.flat[0] = since_epoch + 60.0
        f["end_time"][...] = end
    assert store.aggregate_is_stale(copy) is True


def test_not_a_store_is_refused(tmp_path):
    p = tmp_path / "plain.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.arange(3.0)
    with pytest.raises(ValueError, match="not a tailsweep store"):
        store.open(p)
    with pytest.raises(OSError, match="cannot open"):
        store.open(tmp_path / "missing.h5")
