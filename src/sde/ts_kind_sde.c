/* ts_kind_sde.c: the SDE experiment as a sweep kind: its parameters, its
 * result arrays, and one task = one ts_sde_run plus its analysis. The same
 * table drives `tailsweep sde` flags and job-file keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_sde.h"

static const char *const bw_names[] = { "silverman", "isj", "fixed", NULL };
#define INF HUGE_VAL
#define BIG 1e15   /* step counts: exact in a double */

static const ts_param_spec sde_params[] = {
    { "potential", TS_PARAM_CHOICE, 0, 0, 0, "quartic", ts_potential_names, "", "quartic w^4/4 - w^2/2, double_well w^4/4 - a w^2/2 + tilt w, harmonic k w^2/2", 0 },
    { "a", TS_PARAM_REAL, -INF, INF, 0, "1", NULL, "", "double well curvature", 0 },
    { "tilt", TS_PARAM_REAL, -INF, INF, 0, "0", NULL, "", "double well tilt c (adds c w)", 0 },
    { "k", TS_PARAM_REAL, 0, INF, 1, "1", NULL, "", "harmonic stiffness", 0 },
    { "dim", TS_PARAM_INT, 1, TS_SDE_MAX_DIM, 0, "1", NULL, "", "coordinates of the separable potential", TS_PARAM_FIXED },
    { "alpha", TS_PARAM_REAL, 0, 2, 1, "1.5", NULL, "", "stability index of the noise", 0 },
    { "theta", TS_PARAM_REAL, -1, 1, 0, "0", NULL, "", "skewness of the noise (S1 beta), every coordinate", 0 },
    { "eps", TS_PARAM_REAL, 0, INF, 1, "1", NULL, "", "noise scale", 0 },
    { "eta", TS_PARAM_REAL, 0, INF, 1, "1e-3", NULL, "", "step size eta0", 0 },
    { "gamma", TS_PARAM_REAL, 0, 10, 0, "0", NULL, "", "schedule eta_k = eta0 / (1 + k/k0)^gamma; 0: constant", 0 },
    { "k0", TS_PARAM_REAL, 0, INF, 1, "1000", NULL, "steps", "schedule time scale", 0 },
    { "steps", TS_PARAM_INT, 1, BIG, 0, "100000", NULL, "steps", "steps per chain, burn-in included", 0 },
    { "burnin", TS_PARAM_INT, 0, BIG, 0, "1000", NULL, "steps", "steps before binning starts", 0 },
    { "thin", TS_PARAM_INT, 1, BIG, 0, "1", NULL, "steps", "bin every thin-th step", 0 },
    { "chains", TS_PARAM_INT, 1, 1 << 24, 0, "64", NULL, "", "independent chains per task", TS_PARAM_FIXED },
    { "w0", TS_PARAM_REAL, -INF, INF, 0, "0", NULL, "", "initial state of every chain", 0 },
    { "scheme", TS_PARAM_CHOICE, 0, 0, 0, "euler", ts_scheme_names, "", "euler (the paper's 4.4), implicit, tamed", 0 },
    { "drift", TS_PARAM_CHOICE, 0, 0, 0, "gradient", ts_drift_names, "", "gradient -f' or the fractional Langevin drift", 0 },
    { "noise", TS_PARAM_CHOICE, 0, 0, 0, "levy", ts_noise_names, "", "alpha = 1 increments: levy (exact) or paper (4.4 literally)", 0 },
    { "h", TS_PARAM_REAL, 0, INF, 1, "0.05", NULL, "", "fractional drift: difference step", 0 },
    { "K", TS_PARAM_INT, 0, TS_FRAC_MAX_K, 0, "100", NULL, "", "fractional drift: terms each side", 0 },
    { "frac_sign", TS_PARAM_INT, -1, 1, 0, "1", NULL, "", "fractional drift: skewness convention (docs/fractional-drift.md)", 0 },
    { "bound", TS_PARAM_REAL, 0, INF, 1, "1e6", NULL, "", "|w| beyond this counts as diverged", 0 },
    { "grid_lo", TS_PARAM_REAL, -INF, INF, 0, "-3", NULL, "", "density grid start", TS_PARAM_FIXED },
    { "grid_hi", TS_PARAM_REAL, -INF, INF, 0, "3", NULL, "", "density grid end", TS_PARAM_FIXED },
    { "grid_n", TS_PARAM_INT, 2, 1 << 20, 0, "512", NULL, "", "density grid points", TS_PARAM_FIXED },
    { "bw", TS_PARAM_CHOICE, 0, 0, 0, "isj", bw_names, "", "KDE bandwidth rule", 0 },
    { "bw_value", TS_PARAM_REAL, 0, INF, 1, "0.05", NULL, "", "bandwidth when bw = fixed", 0 },
};
enum { N_SDE_PARAMS = sizeof sde_params / sizeof sde_params[0] };

/* Kind parameters -> an SDE configuration (every coordinate alike). */
static ts_status to_config(const ts_params *p, ts_sde_config *c, ts_err *err)
{
    ts_sde_config_default(c);
    c->dim = (size_t)ts_params_get(p, "dim");
    for (size_t i = 0; i < c->dim; i++) {
        ts_status st;
        switch (ts_params_choice(p, "potential")) {
        case 0: st = ts_potential_double_well(&c->pot[i], 1, 0, err); break;
        case 1: st = ts_potential_double_well(&c->pot[i], ts_params_get(p, "a"), ts_params_get(p, "tilt"), err); break;
        default: st = ts_potential_harmonic(&c->pot[i], ts_params_get(p, "k"), err); break;
        }
        if (st) return st;
        c->theta[i] = ts_params_get(p, "theta");
    }
    c->alpha = ts_params_get(p, "alpha");
    c->eps = ts_params_get(p, "eps");
    c->eta0 = ts_params_get(p, "eta");
    c->gamma = ts_params_get(p, "gamma");
    c->k0 = ts_params_get(p, "k0");
    c->steps = (uint64_t)ts_params_get(p, "steps");
    c->burnin = (uint64_t)ts_params_get(p, "burnin");
    c->thin = (uint64_t)ts_params_get(p, "thin");
    c->chains = (uint64_t)ts_params_get(p, "chains");
    c->w0 = ts_params_get(p, "w0");
    c->scheme = (ts_scheme)ts_params_choice(p, "scheme");
    c->drift = (ts_drift)ts_params_choice(p, "drift");
    c->noise = (ts_noise)ts_params_choice(p, "noise");
    c->frac_h = ts_params_get(p, "h");
    c->frac_K = (unsigned)ts_params_get(p, "K");
    c->frac_sign = ts_params_get(p, "frac_sign");
    c->bound = ts_params_get(p, "bound");
    ts_status st = ts_grid1d_init(&c->grid, ts_params_get(p, "grid_lo"), ts_params_get(p, "grid_hi"),
                                  (size_t)ts_params_get(p, "grid_n"), err);
    return st ? st : ts_sde_config_check(c, err);
}

static ts_status sde_validate(const ts_params *p, ts_err *err)
{
    ts_sde_config c;
    return to_config(p, &c, err);
}

/* Result order; run() fills them by these indices. */
enum { R_DENSITY, R_GIBBS, R_BW, R_OUT, R_GOUT, R_SAMPLES, R_TV, R_KLPQ, R_KLQP, R_HELL, R_W1,
       R_NMIN, R_MINIMA, R_MODES, R_SHIFT, R_NMODES, R_DIVERGED, R_DIVAT, R_COUNT };

static ts_status sde_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    size_t d = (size_t)ts_params_get(p, "dim"), g = (size_t)ts_params_get(p, "grid_n");
    size_t ch = (size_t)ts_params_get(p, "chains");
    ts_grid1d grid;
    ts_status st = ts_grid1d_init(&grid, ts_params_get(p, "grid_lo"), ts_params_get(p, "grid_hi"), g, err);
    if (st) return st;
    memset(l, 0, sizeof *l);
    ts_result_layout_add(l, "density", "", "KDE of the chains' stationary density (integrates to 1 - out_mass)", 2, d, "coord", g, "x");
    ts_result_layout_add(l, "gibbs", "", "Gibbs density exp(-eps^-alpha f)/Z on the same grid", 2, d, "coord", g, "x");
    ts_result_layout_add(l, "bandwidth", "", "KDE bandwidth", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "out_mass", "", "share of binned samples outside the grid window", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "gibbs_out_mass", "", "Gibbs mass outside the grid window", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "samples", "", "samples binned (chains x kept steps)", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "tv", "", "total variation to Gibbs", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "kl_est_gibbs", "nat", "KL(density || gibbs), in-window conditionals", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "kl_gibbs_est", "nat", "KL(gibbs || density), in-window conditionals", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "hellinger", "", "Hellinger distance to Gibbs", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "w1", "", "Wasserstein-1 distance to Gibbs (in-window)", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "n_minima", "", "local minima of f (1 or 2)", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "minima", "", "local minima of f, ascending; entries past n_minima are 0", 2, d, "coord", 2, "minimum");
    ts_result_layout_add(l, "mode", "", "the density maximum within each minimum's basin (split at the barrier of f); entries past n_minima are 0", 2, d, "coord", 2, "minimum");
    ts_result_layout_add(l, "mode_shift", "", "mode minus minimum; entries past n_minima are 0", 2, d, "coord", 2, "minimum");
    ts_result_layout_add(l, "n_modes", "", "local maxima of the density (above 1% of the peak)", 1, d, "coord", 0, NULL);
    ts_result_layout_add(l, "diverged", "", "chains stopped by the blow-up detector", 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "diverged_at", "steps", "step at which each chain diverged, -1 if never", 1, ch, "chain", 0, NULL);
    for (int i = 0; i < 2; i++) {      /* density and gibbs carry the grid as their x */
        l->r[i].coords[1] = malloc(g * sizeof(double));
        if (!l->r[i].coords[1]) {
            ts_result_layout_free(l);
            return ts_err_set(err, TS_ENOMEM, "sde: out of memory");
        }
        for (size_t j = 0; j < g; j++) l->r[i].coords[1][j] = ts_grid1d_x(&grid, j);
    }
    return TS_OK;
}

static void fill_report(const ts_sde_report *rep, size_t i, double *const *out)
{
    out[R_BW][i] = rep->bw;
    out[R_OUT][i] = rep->out_mass;
    out[R_GOUT][i] = rep->gibbs_out_mass;
    out[R_SAMPLES][i] = rep->samples;
    out[R_TV][i] = rep->m.tv;
    out[R_KLPQ][i] = rep->m.kl_pq;
    out[R_KLQP][i] = rep->m.kl_qp;
    out[R_HELL][i] = rep->m.hellinger;
    out[R_W1][i] = rep->m.w1;
    out[R_NMIN][i] = (double)rep->n_minima;
    out[R_NMODES][i] = (double)rep->m.n_modes;
    for (size_t k = 0; k < 2; k++) {
        int have = k < rep->n_minima;
        out[R_MINIMA][2 * i + k] = have ? rep->minima[k] : 0;
        out[R_SHIFT][2 * i + k] = have ? rep->basin_mode[k] - rep->minima[k] : 0;
        out[R_MODES][2 * i + k] = have ? rep->basin_mode[k] : 0;
    }
}

static ts_status sde_run_task(const ts_task *t, const ts_result_layout *l, double *const *out,
                              ts_task_status *status, ts_err *err)
{
    (void)l;
    ts_sde_config c;
    ts_sde_run_result r;
    ts_status st = to_config(&t->params, &c, err);
    if (!st) st = ts_sde_run_cancellable(&c, t->seed, t->point, t->replicate, t->cancelled, t->cancel_ctx, &r, err);
    if (st) return st;
    ts_bw_rule rule = (ts_bw_rule)ts_params_choice(&t->params, "bw");
    double bwv = ts_params_get(&t->params, "bw_value");
    for (size_t i = 0; i < c.dim && !st; i++) {
        ts_sde_report rep;
        st = ts_sde_analyse(&c, &r, i, rule, bwv, out[R_DENSITY] + i * c.grid.n,
                            out[R_GIBBS] + i * c.grid.n, &rep, err);
        if (!st) fill_report(&rep, i, out);
    }
    if (!st) {
        out[R_DIVERGED][0] = (double)r.diverged;
        for (uint64_t j = 0; j < c.chains; j++) out[R_DIVAT][j] = (double)r.diverged_at[j];
        *status = r.diverged ? TS_TASK_DIVERGED : TS_TASK_DONE;
    }
    ts_sde_run_result_free(&r);
    return st;
}

/* Measured on the machine in docs/benchmarks.md: ~20 ns a chain-step for
 * euler and tamed, ~40 ns for implicit; the fractional drift adds ~2.5 ns
 * per term. */
static double sde_cost(const ts_params *p)
{
    double per = ts_params_choice(p, "drift") == TS_DRIFT_FRACTIONAL ? 2.5e-9 * (2 * ts_params_get(p, "K") + 1) : 0;
    double step = ts_params_choice(p, "scheme") == TS_SCHEME_IMPLICIT ? 40e-9 : 20e-9;
    return ts_params_get(p, "steps") * ts_params_get(p, "chains") * ts_params_get(p, "dim") * (step + per);
}

const ts_kind ts_kind_sde = {
    .name = "sde",
    .summary = "Levy-driven SGD dynamics: stationary density and its bias against Gibbs",
    .params = sde_params,
    .n_params = N_SDE_PARAMS,
    .validate = sde_validate,
    .layout = sde_layout,
    .run = sde_run_task,
    .cost = sde_cost,
};
