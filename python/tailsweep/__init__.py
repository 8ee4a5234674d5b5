"""tailsweep: alpha-stable laws from tailsweep's C library, for numpy users.

    from tailsweep import levy_stable, tail_index

levy_stable follows scipy.stats.levy_stable's names and argument order
(pdf, logpdf, cdf, sf, ppf, isf, rvs, fit; S1 by default, param="S0"
available); see tailsweep.stable's docstring for what differs.

tailsweep.store opens a store as an xarray Dataset (store.open, store.job,
store.status_counts, store.aggregate_is_stale).
"""
from .stable import levy_stable, levy_stable_gen, tail_index
from . import store

__version__ = "0.1.0"   # = TS_VERSION (include/tailsweep/ts_version.h)
__all__ = ["levy_stable", "levy_stable_gen", "tail_index", "store", "__version__"]
