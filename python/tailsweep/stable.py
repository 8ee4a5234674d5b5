"""levy_stable: alpha-stable laws with scipy.stats.levy_stable's names.

    from tailsweep import levy_stable
    levy_stable.pdf(x, alpha, beta, loc=0, scale=1)
    levy_stable.rvs(alpha, beta, loc=0, scale=1, size=None, random_state=None)
    levy_stable.fit(data)                      # -> (alpha, beta, loc, scale)

Parameterisation: S1 by default, as scipy's (its `parameterization`
attribute); every method also takes param="S0" or "S1". The numbers come
from tailsweep's C library (docs/stable-fitting.md): Nolan's integral by
Gauss-Kronrod panels, series near zeta and in the tails, a saddlepoint
expansion on the light side of |beta| = 1 laws, about 1e-13 relative;
Chambers-Mallows-Stuck draws; maximum likelihood, McCulloch and
Koutrouvelis fits.

Differences from scipy, on purpose:
  - rvs draws from tailsweep's own generator (Philox-seeded xoshiro256++),
    seeded from random_state: an int is the seed itself (the same draws as
    `tailsweep sample --seed`), a numpy Generator or RandomState (or None:
    numpy's global RandomState) gives a seed from its own stream, so
    results are reproducible but are not scipy's numbers;
  - fit(method=...) is "mle" (default), "mcculloch" or "koutrouvelis"
    (scipy's "MM" is not offered); starting guesses given as positional
    arguments are ignored (the MLE starts from Koutrouvelis's estimate), and
    fixed parameters (floc, fscale, f0, f1) are not supported;
    fit(..., return_se=True) also returns standard errors;
  - tail_index(data, method="blocksum" | "hill") has no scipy counterpart.
Invalid parameters give NaN, as in scipy.
"""
import ctypes
import operator
import warnings

import numpy as np

from . import _lib
from ._lib import lib

__all__ = ["levy_stable", "levy_stable_gen", "tail_index"]

_PARAMS = {"S0": 0, "S1": 1}
_FIT = {"mle": 0, "mcculloch": 1, "koutrouvelis": 2}
_TAIL = {"blocksum": 0, "hill": 1}


def _param_code(param):
    key = str(param).upper()
    if key not in _PARAMS:
        raise ValueError(f"param must be 'S0' or 'S1', not {param!r}")
    return _PARAMS[key]


def _raise(st, err, what):
    msg = f"{what}: {err.text}"
    if st == _lib.TS_ENOMEM:
        raise MemoryError(msg)
    if st == _lib.TS_EINVAL:
        raise ValueError(msg)
    raise RuntimeError(msg)


def _seed_from(random_state):
    """A 64-bit seed for tailsweep's generator from scipy's random_state."""
    if random_state is None:
        random_state = np.random.mtrand._rand
    if isinstance(random_state, (int, np.integer)):
        seed = operator.index(random_state)
        if not 0 <= seed < 2**64:
            raise ValueError(f"random_state = {seed} is outside [0, 2^64)")
        return seed
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**64, dtype=np.uint64))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**63, dtype=np.int64)) * 2 + int(random_state.randint(0, 2))
    raise TypeError(f"random_state must be None, an int, a numpy Generator or RandomState, "
                    f"not {type(random_state).__name__}")


class levy_stable_gen:
    """The alpha-stable family (see the module's docstring)."""

    name = "levy_stable"

    def __init__(self):
        self.parameterization = "S1"

    def _pcode(self, param):
        return _param_code(self.parameterization if param is None else param)

    # -- evaluation ------------------------------------------------------------
    def _eval(self, fn, x, alpha, beta, loc, scale, param):
        pc = self._pcode(param)
        arrs = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in (x, alpha, beta, loc, scale)))
        shape = arrs[0].shape
        xs, al, be, lo, sc = (np.ascontiguousarray(a).ravel() for a in arrs)
        n = xs.size
        out = np.empty(n)
        if n:
            # runs of equal (alpha, beta) share the law's set-up in C: group them
            order = None
            if al.size > 1 and (np.any(al != al[0]) or np.any(be != be[0])):
                order = np.lexsort((be, al))
                xs, al, be, lo, sc = xs[order], al[order], be[order], lo[order], sc[order]
                xs, al, be, lo, sc = (np.ascontiguousarray(a) for a in (xs, al, be, lo, sc))
            status = np.zeros(n, dtype=np.intc)
            err = _lib.Err()
            res = np.empty(n)
            lib.ts_stable_eval_laws(fn, pc, n, xs, al, be, sc, lo, res, status, err)
            # NaN for bad parameters or points (scipy's convention); a numerical
            # failure, which the library does not expect anywhere, also warns
            if np.any(status == _lib.TS_ENUMERIC):
                warnings.warn(f"levy_stable: {int(np.sum(status == _lib.TS_ENUMERIC))} point(s) failed "
                              f"numerically and are NaN: {err.text}", RuntimeWarning, stacklevel=3)
            if order is not None:
                out[order] = res
            else:
                out = res
        out = out.reshape(shape)
        return out[()] if out.ndim == 0 else out

    def pdf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        """Probability density at x."""
        return self._eval(_lib.PDF, x, alpha, beta, loc, scale, param)

    def logpdf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        """Log of the density, accurate where the density underflows."""
        return self._eval(_lib.LOGPDF, x, alpha, beta, loc, scale, param)

    def cdf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        """P(X <= x)."""
        return self._eval(_lib.CDF, x, alpha, beta, loc, scale, param)

    def sf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        """P(X > x), computed directly (accurate in the upper tail)."""
        return self._eval(_lib.SF, x, alpha, beta, loc, scale, param)

    def logcdf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        with np.errstate(divide="ignore"):
            return np.log(self.cdf(x, alpha, beta, loc, scale, param=param))

    def logsf(self, x, alpha, beta, loc=0, scale=1, *, param=None):
        with np.errstate(divide="ignore"):
            return np.log(self.sf(x, alpha, beta, loc, scale, param=param))

    def _quantile(self, fn, q, alpha, beta, loc, scale, param):
        q = np.asarray(q, dtype=np.float64)
        out = np.asarray(self._eval(fn, q, alpha, beta, loc, scale, param), dtype=np.float64)
        # the ends: the support's bounds, as scipy gives them
        qb, al, be, lo, sc = np.broadcast_arrays(q, *(np.asarray(a, dtype=np.float64)
                                                      for a in (alpha, beta, loc, scale)))
        at0, at1 = (qb == 0), (qb == 1)
        if fn == _lib.ISF:
            at0, at1 = at1, at0
        if np.any(at0) or np.any(at1):
            a, b = self._support(al, be, lo, sc, self._pcode(param))
            out = np.array(out, dtype=np.float64, copy=True).reshape(qb.shape)
            out[at0] = a[at0]
            out[at1] = b[at1]
        return out[()] if out.ndim == 0 else out

    def ppf(self, q, alpha, beta, loc=0, scale=1, *, param=None):
        """The x with P(X <= x) = q."""
        return self._quantile(_lib.QUANTILE, q, alpha, beta, loc, scale, param)

    def isf(self, q, alpha, beta, loc=0, scale=1, *, param=None):
        """The x with P(X > x) = q, exact for small q."""
        return self._quantile(_lib.ISF, q, alpha, beta, loc, scale, param)

    @staticmethod
    def _support(alpha, beta, loc, scale, pcode):
        """Bounds of the support (arrays): a half-line for alpha < 1, |beta| = 1."""
        alpha, beta, loc, scale = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64)
                                                        for a in (alpha, beta, loc, scale)))
        lo = np.full(alpha.shape, -np.inf)
        hi = np.full(alpha.shape, np.inf)
        edge = alpha < 1
        # S1's edge is loc; S0's is loc - beta scale tan(pi alpha / 2)
        e = loc - (0.0 if pcode == 1 else 1.0) * beta * scale * np.tan(np.pi * alpha / 2)
        lo = np.where(edge & (beta == 1), e, lo)
        hi = np.where(edge & (beta == -1), e, hi)
        bad = ~((alpha > 0) & (alpha <= 2) & (np.abs(beta) <= 1) & (scale > 0))
        return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)

    def support(self, alpha, beta, loc=0, scale=1, *, param=None):
        a, b = self._support(alpha, beta, loc, scale, self._pcode(param))
        return (a[()], b[()]) if a.ndim == 0 else (a, b)

    def median(self, alpha, beta, loc=0, scale=1, *, param=None):
        return self.ppf(0.5, alpha, beta, loc, scale, param=param)

    def interval(self, confidence, alpha, beta, loc=0, scale=1, *, param=None):
        c = np.asarray(confidence, dtype=np.float64)
        return (self.ppf((1 - c) / 2, alpha, beta, loc, scale, param=param),
                self.isf((1 - c) / 2, alpha, beta, loc, scale, param=param))

    def mean(self, alpha, beta, loc=0, scale=1, *, param=None):
        """loc in S1 for alpha > 1 (S0: loc - beta scale tan(pi alpha / 2)); inf's NaN below."""
        alpha, beta, loc, scale = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64)
                                                        for a in (alpha, beta, loc, scale)))
        pc = self._pcode(param)
        with np.errstate(invalid="ignore"):
            m = loc - (0.0 if pc == 1 else 1.0) * beta * scale * np.tan(np.pi * alpha / 2)
        m = np.where(alpha > 1, np.where(alpha == 2, loc, m), np.nan)
        return m[()] if m.ndim == 0 else m

    def var(self, alpha, beta, loc=0, scale=1, *, param=None):
        """2 scale^2 at alpha = 2, infinite below."""
        alpha, scale = np.broadcast_arrays(np.asarray(alpha, dtype=np.float64), np.asarray(scale, dtype=np.float64))
        v = np.where(alpha == 2, 2 * scale**2, np.inf)
        return v[()] if v.ndim == 0 else v

    def std(self, alpha, beta, loc=0, scale=1, *, param=None):
        return np.sqrt(self.var(alpha, beta, loc, scale, param=param))

    # -- sampling --------------------------------------------------------------
    def rvs(self, alpha, beta, loc=0, scale=1, size=None, random_state=None, *, param=None):
        """Draws of the law (shape: size, or the parameters' broadcast shape)."""
        pc = self._pcode(param)
        seed = _seed_from(random_state)
        pars = [np.asarray(a, dtype=np.float64) for a in (alpha, beta, loc, scale)]
        pshape = np.broadcast_shapes(*(p.shape for p in pars))
        shape = pshape if size is None else ((size,) if np.isscalar(size) else tuple(size))
        n = int(np.prod(shape, dtype=np.int64))
        out = np.empty(n)
        err = _lib.Err()
        if all(p.ndim == 0 for p in pars):
            st = lib.ts_stable_flat_rvs(pc, float(pars[0]), float(pars[1]), float(pars[3]), float(pars[2]),
                                        seed, n, out, err)
        else:
            al, be, lo, sc = (np.ascontiguousarray(np.broadcast_to(p, shape)).ravel() for p in pars)
            st = lib.ts_stable_flat_rvs_laws(pc, n, al, be, sc, lo, seed, out, err)
        if st:
            _raise(st, err, "levy_stable.rvs")
        out = out.reshape(shape)
        return out[()] if out.ndim == 0 else out

    # -- fitting -----------------------------------------------------------------
    def fit(self, data, *args, method="mle", param=None, return_se=False, **kwds):
        """Estimate (alpha, beta, loc, scale) from data, in scipy's order.

        method: "mle" (maximum likelihood, the default; also "MLE"),
        "mcculloch" or "koutrouvelis". With return_se=True the result is
        ((alpha, beta, loc, scale), (se_alpha, se_beta, se_loc, se_scale)),
        the MLE's standard errors from the observed information (NaN where
        undefined, and for the other methods)."""
        fixed = [k for k in kwds if k in ("floc", "fscale", "f0", "f1", "fa", "fb", "fix_alpha", "fix_beta")]
        if fixed:
            raise NotImplementedError(f"levy_stable.fit: fixed parameters ({', '.join(fixed)}) are not supported")
        extra = [k for k in kwds if k not in ("optimizer",)]
        if extra:
            raise TypeError(f"levy_stable.fit: unexpected keyword argument(s) {', '.join(extra)}")
        m = str(method).lower()
        if m not in _FIT:
            raise ValueError(f"levy_stable.fit: method must be one of mle, mcculloch, koutrouvelis, not {method!r}")
        x = np.ascontiguousarray(np.asarray(data, dtype=np.float64).ravel())
        est = np.empty(4)
        se = np.full(4, np.nan)
        it = ctypes.c_int(0)
        err = _lib.Err()
        st = lib.ts_stable_flat_fit(_FIT[m], self._pcode(param), x.size, x, int(bool(return_se)), est, se, it, err)
        if st == _lib.TS_ERANGE:
            warnings.warn(f"levy_stable.fit: {err.text}", RuntimeWarning, stacklevel=2)
        elif st:
            _raise(st, err, "levy_stable.fit")
        a, b, s, l = (float(v) for v in est)
        params = (a, b, l, s)
        if return_se:
            return params, (float(se[0]), float(se[1]), float(se[3]), float(se[2]))
        return params

    # -- frozen laws ----------------------------------------------------------------
    def __call__(self, alpha, beta, loc=0, scale=1, *, param=None):
        return _frozen(self, alpha, beta, loc, scale, param)


class _frozen:
    """levy_stable(alpha, beta, loc, scale): the law with its parameters bound."""

    def __init__(self, gen, alpha, beta, loc, scale, param):
        self.dist = gen
        self.args = (alpha, beta)
        self.kwds = {"loc": loc, "scale": scale}
        self._param = gen.parameterization if param is None else param

    def _k(self):
        return dict(self.kwds, param=self._param)

    def pdf(self, x): return self.dist.pdf(x, *self.args, **self._k())
    def logpdf(self, x): return self.dist.logpdf(x, *self.args, **self._k())
    def cdf(self, x): return self.dist.cdf(x, *self.args, **self._k())
    def sf(self, x): return self.dist.sf(x, *self.args, **self._k())
    def logcdf(self, x): return self.dist.logcdf(x, *self.args, **self._k())
    def logsf(self, x): return self.dist.logsf(x, *self.args, **self._k())
    def ppf(self, q): return self.dist.ppf(q, *self.args, **self._k())
    def isf(self, q): return self.dist.isf(q, *self.args, **self._k())
    def median(self): return self.dist.median(*self.args, **self._k())
    def mean(self): return self.dist.mean(*self.args, **self._k())
    def var(self): return self.dist.var(*self.args, **self._k())
    def std(self): return self.dist.std(*self.args, **self._k())
    def support(self): return self.dist.support(*self.args, **self._k())
    def interval(self, confidence): return self.dist.interval(confidence, *self.args, **self._k())

    def rvs(self, size=None, random_state=None):
        return self.dist.rvs(*self.args, size=size, random_state=random_state, **self._k())


levy_stable = levy_stable_gen()


def tail_index(data, method="blocksum"):
    """Tail index alpha of (roughly centred) data: "blocksum" (Mohammadi,
    Mohammadpour and Ogata 2015; clamped to (0, 2]) or "hill" (Hill's
    estimator on the largest |x - median|, k chosen where its plot is
    flattest). See docs/stable-fitting.md for when each applies."""
    m = str(method).lower()
    if m not in _TAIL:
        raise ValueError(f"tail_index: method must be blocksum or hill, not {method!r}")
    x = np.ascontiguousarray(np.asarray(data, dtype=np.float64).ravel())
    a = ctypes.c_double(np.nan)
    k = ctypes.c_size_t(0)
    err = _lib.Err()
    st = lib.ts_stable_flat_tail_index(_TAIL[m], x.size, x, a, k, err)
    if st:
        _raise(st, err, "tail_index")
    return float(a.value)
