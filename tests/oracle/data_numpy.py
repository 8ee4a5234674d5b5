"""tests/oracle/data_numpy.py DATA_DRIVER: tailsweep's image-set loaders
(src/data/) against files written independently, by numpy, gzip and
scipy.io.savemat, in each real format:

  - MNIST: IDX files (big-endian header, one byte a pixel), gzipped and not;
  - CIFAR-10: binary batches (a label byte, then the red, green and blue
    32 x 32 planes), in the tarball's cifar-10-batches-bin subfolder;
  - SVHN: X as a 32 x 32 x 3 x n uint8 MATLAB array and y as n x 1 doubles
    1..10 (10 = the digit 0), written by scipy.io.savemat (MAT v5, with
    and without compression), which lays arrays out in MATLAB's order on
    its own: an independent check of the reader's index arithmetic.

Every pixel and label must come back exactly, channels last (n, H, W, C),
and the SVHN labels mapped to 0..9.

    /usr/bin/python3 tests/oracle/data_numpy.py build/asan/oracle/data_driver
"""
import gzip
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.io

from oracle_report import Report


def load(driver, name, folder, split):
    p = subprocess.run([driver, name, str(folder), split], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    lines = p.stdout.splitlines()
    n, h, w, c, k = (int(v) for v in lines[0].split())
    rows = np.array([[int(v) for v in line.split()] for line in lines[1:]], dtype=np.int64)
    return (n, h, w, c, k), rows[:, 0], rows[:, 1:].reshape(n, h, w, c)


def idx(path, arr, gz):
    data = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()
    (gzip.open if gz else open)(path, "wb").write(data)


def main():
    driver = sys.argv[1]
    rep = Report()
    rng = np.random.default_rng(14)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        # MNIST: training files gzipped, test files plain
        (d / "mnist").mkdir()
        sets = {}
        for split, pre, gz, n in (("train", "train", True, 7), ("test", "t10k", False, 4)):
            x = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
            y = rng.integers(0, 10, n, dtype=np.uint8)
            suf = ".gz" if gz else ""
            idx(d / "mnist" / f"{pre}-images-idx3-ubyte{suf}", x, gz)
            idx(d / "mnist" / f"{pre}-labels-idx1-ubyte{suf}", y, gz)
            sets[("mnist", split)] = (x[..., None], y)
        # CIFAR-10: five training batches and the test batch, planes per record
        sub = d / "cifar" / "cifar-10-batches-bin"
        sub.mkdir(parents=True)
        for split, names in (("train", [f"data_batch_{b}.bin" for b in range(1, 6)]), ("test", ["test_batch.bin"])):
            xs, ys = [], []
            for name in names:
                n = 2
                x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
                y = rng.integers(0, 10, n, dtype=np.uint8)
                rec = np.concatenate([y[:, None], x.transpose(0, 3, 1, 2).reshape(n, 3072)], axis=1)
                (sub / name).write_bytes(rec.astype(np.uint8).tobytes())
                xs.append(x)
                ys.append(y)
            sets[("cifar10", split)] = (np.concatenate(xs), np.concatenate(ys))
        # SVHN: scipy writes X (H, W, C, n) in MATLAB's column-major order itself
        (d / "svhn").mkdir()
        for split, n, comp in (("train", 6, False), ("test", 3, True)):
            x = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
            y = rng.integers(0, 10, n)
            y[0] = 0   # the digit 0 is label 10 in the file
            scipy.io.savemat(d / "svhn" / f"{split}_32x32.mat",
                             {"X": np.ascontiguousarray(x.transpose(1, 2, 3, 0)), "y": np.where(y == 0, 10, y).reshape(-1, 1).astype(float)},
                             do_compression=comp)
            sets[("svhn", split)] = (x, y)
        folders = {"mnist": d / "mnist", "cifar10": d / "cifar", "svhn": d / "svhn"}
        for (name, split), (x, y) in sets.items():
            try:
                (n, h, w, c, k), lab, px = load(driver, name, folders[name], split)
            except RuntimeError as e:
                rep.check(f"{name} {split}: loads", False, str(e))
                continue
            rep.check(f"{name} {split}: {n} images of {h} x {w} x {c}, {k} classes",
                      (n, h, w, c, k) == (x.shape[0],) + x.shape[1:] + (10,), f"{(n, h, w, c, k)} vs {x.shape}")
            rep.check(f"{name} {split}: every pixel, channels last", px.shape == x.shape and np.array_equal(px, x),
                      "pixels differ")
            rep.check(f"{name} {split}: labels", np.array_equal(lab, y), f"{lab} vs {y}")
    return rep.exit_code()


if __name__ == "__main__":
    sys.exit(main())
