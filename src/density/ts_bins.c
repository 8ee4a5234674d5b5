/* ts_bins.c: streaming linear binning (Wand 1994).
 *
 * A sample at x = x_i + f dx (0 <= f < 1) puts 1 - f on grid point i and f
 * on i + 1. This moves no sample's mean (sum w_i x_i = sum x over in-window
 * samples, exactly in real arithmetic), and a KDE of the weights differs from
 * the KDE of the samples by at most dx^2 / 8 sup|K''| (the error of linear
 * interpolation of the kernel), where simple (nearest-point) binning errs by
 * up to dx / 2 sup|K'|: O(dx^2) instead of O(dx).
 *
 * ts_bins_add runs once per chain step, so it is a handful of flops with one
 * well-predicted branch; the window test uses x itself, not the rounded grid
 * coordinate, so "outside" means outside [lo, hi] exactly. */
#include "tailsweep/ts_density.h"

#include <stdlib.h>
#include <string.h>

ts_bins *ts_bins_alloc(const ts_grid1d *g, ts_err *err)
{
    if (!g) {
        ts_err_set(err, TS_EINVAL, "bins: grid is NULL");
        return NULL;
    }
    /* Re-validate: a hand-filled ts_grid1d would otherwise index out of bounds. */
    ts_grid1d chk;
    if (ts_grid1d_init(&chk, g->lo, g->hi, g->n, err) != TS_OK) return NULL;
    ts_bins *b = calloc(1, sizeof *b);
    if (!b) {
        ts_err_set(err, TS_ENOMEM, "bins: out of memory");
        return NULL;
    }
    b->w = calloc(chk.n, sizeof *b->w);
    if (!b->w) {
        free(b);
        ts_err_set(err, TS_ENOMEM, "bins: out of memory for %zu weights", chk.n);
        return NULL;
    }
    b->grid = chk;
    b->inv_dx = 1.0 / chk.dx;
    return b;
}

void ts_bins_free(ts_bins *b)
{
    if (!b) return;
    free(b->w);
    free(b);
}

void ts_bins_reset(ts_bins *b)
{
    memset(b->w, 0, b->grid.n * sizeof *b->w);
    b->below = b->above = b->total = 0;
}

/* The in-window case. x in [lo, hi] makes t in [0, (n - 1)(1 + a few ulps)],
 * so i <= n - 1; i == n - 1 (x == hi, or rounding just below it) puts the
 * whole weight on the last point, never on w[n]. */
static inline void add_in(double *w, size_t last, double lo, double inv_dx, double x)
{
    double t = (x - lo) * inv_dx;
    size_t i = (size_t)t;
    if (i >= last) {
        w[last] += 1.0;
        return;
    }
    double f = t - (double)i;
    w[i] += 1.0 - f;
    w[i + 1] += f;
}

/* NaN is outside the contract, but it must not reach the cast to size_t:
 * both comparisons fail for it and it is counted in above. */
void ts_bins_add(ts_bins *b, double x)
{
    b->total += 1.0;
    if (x >= b->grid.lo && x <= b->grid.hi)
        add_in(b->w, b->grid.n - 1, b->grid.lo, b->inv_dx, x);
    else if (x < b->grid.lo)
        b->below += 1.0;
    else
        b->above += 1.0;
}

/* add_in with weight wt: the same split, scaled (wt = 1 folds away: the
 * products by 1.0 are exact, so ts_bins_add_n gives add_in's bits) */
static inline __attribute__((always_inline)) void add_in_w(double *w, size_t last, double lo, double inv_dx,
                                                           double x, double wt)
{
    double t = (x - lo) * inv_dx;
    size_t i = (size_t)t;
    if (i >= last) {
        w[last] += wt;
        return;
    }
    double f = t - (double)i;
    w[i] += wt * (1.0 - f);
    w[i + 1] += wt * f;
}

static inline __attribute__((always_inline)) void add_block(ts_bins *b, const double *x, const unsigned char *keep,
                                                            size_t n, double wt)
{
    /* Locals let the compiler keep the grid in registers: through b it must
     * assume the stores to w may alias them. */
    double *w = b->w, lo = b->grid.lo, hi = b->grid.hi, inv_dx = b->inv_dx;
    double below = 0, above = 0, total = 0;
    size_t last = b->grid.n - 1;
    for (size_t j = 0; j < n; j++) {
        if (keep && !keep[j]) continue;
        double v = x[j];
        total += wt;
        if (v >= lo && v <= hi)
            add_in_w(w, last, lo, inv_dx, v, wt);
        else if (v < lo)
            below += wt;
        else
            above += wt;
    }
    b->below += below;
    b->above += above;
    b->total += total;
}

void ts_bins_add_n(ts_bins *b, const double *x, const unsigned char *keep, size_t n) { add_block(b, x, keep, n, 1.0); }

void ts_bins_add_nw(ts_bins *b, const double *x, const unsigned char *keep, size_t n, double wt)
{
    add_block(b, x, keep, n, wt);
}

ts_status ts_bins_merge(ts_bins *dst, const ts_bins *src, ts_err *err)
{
    if (!dst || !src)
        return ts_err_set(err, TS_EINVAL, "bins merge: %s is NULL", dst ? "src" : "dst");
    /* Exact comparison on purpose: grids that differ in the last bit put the
     * same sample on different points, and their weights must not be added. */
    if (dst->grid.n != src->grid.n || dst->grid.lo != src->grid.lo ||
        dst->grid.hi != src->grid.hi)
        return ts_err_set(err, TS_EINVAL,
                          "bins merge: src grid [%.17g, %.17g] x %zu differs from "
                          "dst grid [%.17g, %.17g] x %zu", src->grid.lo, src->grid.hi,
                          src->grid.n, dst->grid.lo, dst->grid.hi, dst->grid.n);
    for (size_t i = 0; i < dst->grid.n; i++) dst->w[i] += src->w[i];
    dst->below += src->below;
    dst->above += src->above;
    dst->total += src->total;
    return TS_OK;
}

double ts_bins_out_mass(const ts_bins *b)
{
    return b->total > 0 ? (b->below + b->above) / b->total : 0.0;
}
