/* ts_sde_analysis.c: from a run's bins to a density and its bias against Gibbs. */
#include <math.h>
#include <string.h>

#include "tailsweep/ts_sde.h"

/* argmax of p over grid indices [i0, i1], refined by the parabola through
 * the maximum and its neighbours when both lie inside the basin. */
static double basin_argmax(const ts_grid1d *g, const double *p, size_t i0, size_t i1)
{
    size_t k = i0;
    for (size_t i = i0; i <= i1; i++)
        if (p[i] > p[k]) k = i;
    double x = ts_grid1d_x(g, k);
    if (k > i0 && k < i1) {
        double den = p[k - 1] - 2 * p[k] + p[k + 1];
        if (den < 0) x += 0.5 * g->dx * (p[k - 1] - p[k + 1]) / den;
    }
    return x;
}

/* grid index of the last point below x, clamped to the grid */
static size_t grid_floor(const ts_grid1d *g, double x)
{
    double fi = (x - g->lo) / g->dx;
    return !(fi > 0) ? 0 : fi >= (double)(g->n - 1) ? g->n - 1 : (size_t)fi;
}

/* A basin that lies wholly outside the window has no mode on the grid: NaN. */
static void basin_modes(const ts_sde_config *c, const double *p, ts_sde_report *rep)
{
    const ts_grid1d *g = &c->grid;
    const ts_basins *b = &rep->basins;
    for (size_t i = 0; i < b->n; i++) {
        if (b->hi[i] <= g->lo || b->lo[i] >= g->hi) {
            rep->basin_mode[i] = NAN;
            continue;
        }
        size_t i0 = !(b->lo[i] >= g->lo) ? 0 : grid_floor(g, b->lo[i]) + 1;
        size_t i1 = !(b->hi[i] <= g->hi) ? g->n - 1 : grid_floor(g, b->hi[i]);
        if (i0 > i1) i0 = i1;
        rep->basin_mode[i] = basin_argmax(g, p, i0, i1);
    }
}

ts_status ts_sde_analyse(const ts_sde_config *c, const ts_sde_run_result *r, size_t coord,
                         ts_bw_rule rule, double bw_fixed, double *density, double *gibbs,
                         ts_sde_report *rep, ts_err *err)
{
    memset(rep, 0, sizeof *rep);
    const ts_bins *b = r->bins[coord];
    if (!b || !(b->total > 0))
        return ts_err_set(err, TS_ENUMERIC, "coordinate %zu: no samples were binned (all %llu chains "
                          "diverged before burn-in ended)", coord, (unsigned long long)c->chains);
    ts_status st = TS_OK;
    if (rule == TS_BW_FIXED) rep->bw = bw_fixed;
    else if (rule == TS_BW_ISJ) {
        /* no ISJ fixed point (it happens for near-degenerate data): ts_bw_isj
         * has already put Silverman's bandwidth in bw, which is the
         * documented fallback, so carry on with it */
        st = ts_bw_isj(b, &rep->bw, err);
        if (st == TS_ERANGE) st = TS_OK;
    }
    else st = ts_bw_silverman(b, &rep->bw, err);
    if (!st) st = ts_kde_binned(b, rep->bw, density, err);
    if (!st) st = ts_potential_gibbs(&c->pot[coord], c->eps, c->alpha, &c->grid, gibbs, &rep->gibbs_out_mass, err);
    if (st) return st;
    rep->out_mass = ts_bins_out_mass(b);
    rep->samples = b->total;
    st = ts_potential_basins(&c->pot[coord], &rep->basins, err);
    if (st) return st;
    basin_modes(c, density, rep);
    return ts_metrics_compute(&c->grid, density, rep->out_mass, gibbs, rep->gibbs_out_mass,
                              rep->basins.min, rep->basins.n, &rep->m, err);
}
