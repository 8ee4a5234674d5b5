/* ts_grid1d.c: the equally spaced 1-D grid every density lives on. */
#include "tailsweep/ts_density.h"

#include <math.h>

#define TS_GRID1D_MAX_N ((size_t)1 << 24)

ts_status ts_grid1d_init(ts_grid1d *g, double lo, double hi, size_t n, ts_err *err)
{
    if (!g) return ts_err_set(err, TS_EINVAL, "grid: g is NULL");
    if (!isfinite(lo)) return ts_err_set(err, TS_EINVAL, "grid: lo = %g is not finite", lo);
    if (!isfinite(hi)) return ts_err_set(err, TS_EINVAL, "grid: hi = %g is not finite", hi);
    if (!(lo < hi))
        return ts_err_set(err, TS_EINVAL, "grid: lo = %g must be below hi = %g", lo, hi);
    if (n < 2 || n > TS_GRID1D_MAX_N)
        return ts_err_set(err, TS_EINVAL, "grid: n = %zu is outside [2, %zu]", n,
                          TS_GRID1D_MAX_N);
    /* hi - lo overflows for windows wider than DBL_MAX, and a window a few
     * ulps wide gives dx = 0: neither can place a sample. */
    double dx = (hi - lo) / (double)(n - 1);
    if (!isfinite(dx) || !(dx > 0))
        return ts_err_set(err, TS_EINVAL, "grid: hi - lo = %g over n - 1 = %zu points gives "
                          "an unusable spacing dx = %g", hi - lo, n - 1, dx);
    g->lo = lo;
    g->hi = hi;
    g->n = n;
    g->dx = dx;
    return TS_OK;
}
