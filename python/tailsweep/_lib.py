"""Loading libtailsweep.so and declaring the C functions the module calls.

The library is the stable toolkit of tailsweep (src/core, src/rng,
src/stable) built with -fPIC by `make python`: it needs GSL and libm, not
MPI, HDF5 or oneDNN, and nothing has to be initialised before a call.
It is looked for, in order, at $TAILSWEEP_LIB, next to this file (where
`make python` and `pip install` put it), and at build/release/ of the
source tree this package sits in.
"""
import ctypes
import os
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent


def _candidates():
    env = os.environ.get("TAILSWEEP_LIB")
    if env:
        yield Path(env)
    yield _HERE / "libtailsweep.so"
    yield _HERE.parent.parent / "build" / "release" / "libtailsweep.so"


def _load():
    tried = []
    for p in _candidates():
        if p.is_file():
            return ctypes.CDLL(str(p))
        tried.append(str(p))
    raise ImportError("tailsweep: libtailsweep.so not found (run `make python` in the tailsweep "
                      "source tree, or set TAILSWEEP_LIB); looked at: " + ", ".join(tried))


lib = _load()

# ts_error.h: typedef struct { ts_status code; char msg[TS_ERR_MSG_MAX]; } ts_err;
TS_ERR_MSG_MAX = 512


class Err(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("msg", ctypes.c_char * TS_ERR_MSG_MAX)]

    @property
    def text(self):
        return self.msg.decode("utf-8", "replace")


# ts_status codes (ts_error.h)
TS_OK, TS_EINVAL, TS_ENOMEM, TS_EIO, TS_ERANGE, TS_ENUMERIC = 0, 1, 2, 3, 4, 5

# ts_stable_fn (ts_stable_dist.h)
PDF, LOGPDF, CDF, SF, QUANTILE, ISF = range(6)

_dp = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
_ip = np.ctypeslib.ndpointer(dtype=np.intc, flags="C_CONTIGUOUS")
_size = ctypes.c_size_t
_errp = ctypes.POINTER(Err)

lib.ts_stable_eval_laws.restype = ctypes.c_int
lib.ts_stable_eval_laws.argtypes = [ctypes.c_int, ctypes.c_int, _size, _dp, _dp, _dp, _dp, _dp, _dp, _ip, _errp]

lib.ts_stable_flat_rvs.restype = ctypes.c_int
lib.ts_stable_flat_rvs.argtypes = [ctypes.c_int, ctypes.c_double, ctypes.c_double, ctypes.c_double,
                                   ctypes.c_double, ctypes.c_uint64, _size, _dp, _errp]

lib.ts_stable_flat_rvs_laws.restype = ctypes.c_int
lib.ts_stable_flat_rvs_laws.argtypes = [ctypes.c_int, _size, _dp, _dp, _dp, _dp, ctypes.c_uint64, _dp, _errp]

lib.ts_stable_flat_fit.restype = ctypes.c_int
lib.ts_stable_flat_fit.argtypes = [ctypes.c_int, ctypes.c_int, _size, _dp, ctypes.c_int, _dp, _dp,
                                   ctypes.POINTER(ctypes.c_int), _errp]

lib.ts_stable_flat_tail_index.restype = ctypes.c_int
lib.ts_stable_flat_tail_index.argtypes = [ctypes.c_int, _size, _dp, ctypes.POINTER(ctypes.c_double),
                                          ctypes.POINTER(_size), _errp]
