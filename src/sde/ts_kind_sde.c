/* ts_kind_sde.c: the SDE experiment as a sweep kind: its parameters, its
 * result arrays, and one task = one ts_sde_run plus its analysis. The same
 * table drives `tailsweep sde` flags and job-file keys. */
#include <assert.h>
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
    /* The potential fixes the basins, which label the basin axis of the
     * results: it cannot be swept (run one job per potential). */
    { "potential", TS_PARAM_CHOICE, 0, 0, 0, "quartic", ts_potential_names, "", "quartic w^4/4 - w^2/2, double_well w^4/4 - a w^2/2 + tilt w, harmonic k w^2/2, poly (see poly)", TS_PARAM_FIXED },
    { "a", TS_PARAM_REAL, -INF, INF, 0, "1", NULL, "", "double well curvature", TS_PARAM_FIXED },
    { "tilt", TS_PARAM_REAL, -INF, INF, 0, "0", NULL, "", "double well tilt c (adds c w)", TS_PARAM_FIXED },
    { "k", TS_PARAM_REAL, 0, INF, 1, "1", NULL, "", "harmonic stiffness", TS_PARAM_FIXED },
    { "poly", TS_PARAM_STRING, 0, 0, 0, "0, 0, -0.5, 0, 0.25", NULL, "", "potential poly: coefficients c0, c1, ..., cn of f = sum c_i w^i (even degree <= 12, cn > 0); ';' between coordinates", TS_PARAM_FIXED },
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
    { "frac_weights", TS_PARAM_CHOICE, 0, 0, 0, "grunwald", ts_frac_weights_names, "", "fractional drift: two-sided Grunwald weights or the paper's (4.8)", 0 },
    { "average", TS_PARAM_CHOICE, 0, 0, 0, "weighted", ts_average_names, "", "density and metrics: weighted by step sizes (the paper's nu_N) or the unweighted mean", 0 },
    { "test_functions", TS_PARAM_STRING, 0, 0, 0, "moment:1; moment:2; basin:0", NULL, "", "g averaged (nu_N) and compared with Gibbs: moment:K, basin:I, poly:c0,c1,...; ';' between them", TS_PARAM_FIXED },
    { "common_noise", TS_PARAM_INT, 0, 1, 0, "0", NULL, "", "1: every grid point draws the noise of point 0 (common random numbers: differences between points are not blurred by noise); replicates still differ", 0 },
    { "bound", TS_PARAM_REAL, 0, INF, 1, "1e6", NULL, "", "|w| beyond this counts as diverged", 0 },
    { "grid_lo", TS_PARAM_REAL, -INF, INF, 0, "-3", NULL, "", "density grid start", TS_PARAM_FIXED },
    { "grid_hi", TS_PARAM_REAL, -INF, INF, 0, "3", NULL, "", "density grid end", TS_PARAM_FIXED },
    { "grid_n", TS_PARAM_INT, 2, 1 << 20, 0, "512", NULL, "", "density grid points", TS_PARAM_FIXED },
    { "bw", TS_PARAM_CHOICE, 0, 0, 0, "isj", bw_names, "", "KDE bandwidth rule", 0 },
    { "bw_value", TS_PARAM_REAL, 0, INF, 1, "0.05", NULL, "", "bandwidth when bw = fixed", 0 },
};
enum { N_SDE_PARAMS = sizeof sde_params / sizeof sde_params[0] };

/* The poly text: one list for every coordinate, or one per coordinate
 * separated by ';'. */
static ts_status parse_polys(const char *text, ts_sde_config *c, ts_err *err)
{
    size_t n = 1;
    for (const char *q = text; *q; q++) n += *q == ';';
    if (n != 1 && n != c->dim)
        return ts_err_set(err, TS_EINVAL, "poly: %zu coefficient lists for dim = %zu coordinates "
                          "(give one list for all, or one per coordinate separated by ';')", n, c->dim);
    const char *q = text;
    for (size_t i = 0; i < c->dim; i++) {
        size_t len = strcspn(q, ";");
        char buf[TS_PARAM_STRING_MAX + 1], what[48];
        snprintf(buf, sizeof buf, "%.*s", (int)len, q);
        snprintf(what, sizeof what, n == 1 ? "poly" : "poly (coordinate %zu)", i);
        ts_status st = ts_potential_parse_poly(&c->pot[i], buf, what, err);
        if (st) return st;
        if (n > 1) q += len + 1;
    }
    return TS_OK;
}

/* Kind parameters -> an SDE configuration, unchecked. */
static ts_status from_params(const ts_params *p, ts_sde_config *c, ts_err *err)
{
    *c = (ts_sde_config){ .basin_stats = 1 };   /* the one setting that is not a parameter */
    c->dim = (size_t)ts_params_get(p, "dim");
    ts_status st = TS_OK;
    if (ts_params_choice(p, "potential") == 3) st = parse_polys(ts_params_str(p, "poly"), c, err);
    for (size_t i = 0; i < c->dim && !st; i++)
        switch (ts_params_choice(p, "potential")) {
        case 0: st = ts_potential_double_well(&c->pot[i], 1, 0, err); break;
        case 1: st = ts_potential_double_well(&c->pot[i], ts_params_get(p, "a"), ts_params_get(p, "tilt"), err); break;
        case 2: st = ts_potential_harmonic(&c->pot[i], ts_params_get(p, "k"), err); break;
        default: break;
        }
    if (st) return st;
    for (size_t i = 0; i < c->dim; i++) c->theta[i] = ts_params_get(p, "theta");
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
    c->average = (ts_average)ts_params_choice(p, "average");
    c->frac_h = ts_params_get(p, "h");
    c->frac_K = (unsigned)ts_params_get(p, "K");
    c->frac_sign = ts_params_get(p, "frac_sign");
    c->frac_weights = (ts_frac_weights)ts_params_choice(p, "frac_weights");
    c->bound = ts_params_get(p, "bound");
    st = ts_test_fns_parse(ts_params_str(p, "test_functions"), c->tests, &c->n_tests, err);
    if (!st) st = ts_grid1d_init(&c->grid, ts_params_get(p, "grid_lo"), ts_params_get(p, "grid_hi"),
                                 (size_t)ts_params_get(p, "grid_n"), err);
    return st;
}

/* Kind parameters -> a checked SDE configuration. */
static ts_status to_config(const ts_params *p, ts_sde_config *c, ts_err *err)
{
    ts_status st = from_params(p, c, err);
    return st ? st : ts_sde_config_check(c, err);
}

/* The defaults are the table's: written once, above. */
void ts_sde_config_default(ts_sde_config *c)
{
    ts_params p;
    ts_status st = ts_params_defaults(&p, sde_params, N_SDE_PARAMS, NULL);
    if (!st) st = from_params(&p, c, NULL);
    assert(st == TS_OK);   /* the table's own defaults parse: test_sde checks it */
    (void)st;
}

static ts_status sde_validate(const ts_params *p, ts_err *err)
{
    ts_sde_config c;
    return to_config(p, &c, err);
}

/* Result order; run() fills them by these indices. The test-function
 * results come last and exist only when test_functions names some. */
enum { R_DENSITY, R_GIBBS, R_BW, R_OUT, R_GOUT, R_SAMPLES, R_TV, R_KLPQ, R_KLQP, R_HELL, R_W1,
       R_NMIN, R_MINIMA, R_BLO, R_BHI, R_MODES, R_SHIFT, R_NMODES,
       R_OCC, R_OCC_SE, R_GOCC, R_OCC_LAW, R_EXITS, R_RATE, R_RATE_SE, R_RATE_LAW, R_ET, R_ET_SE, R_ET_N,
       R_DIVERGED, R_DIVAT, R_TMEAN, R_TMEAN_U, R_TSE, R_TGIBBS, R_TERR, R_COUNT };

/* A result per coordinate, of `n` values along `name` (n = 0: a scalar per
 * coordinate). With one coordinate the coord dimension is left out. */
static ts_result_spec *per_coord(ts_result_layout *l, size_t d, const char *name, const char *unit,
                                 const char *doc, size_t n, const char *dim)
{
    if (d > 1) return ts_result_layout_add(l, name, unit, doc, n ? 2 : 1, d, "coord", n, dim);
    return ts_result_layout_add(l, name, unit, doc, n ? 1 : 0, n, dim, 0, NULL);
}

/* The basin axis: the positions of the minima when every coordinate has
 * the same ones, else the basin numbers 0, 1, ... (left to right). */
static double *basin_coords(const ts_sde_config *c, size_t nb)
{
    double *v = malloc(nb * sizeof *v);
    if (!v) return NULL;
    ts_basins b0, b;
    int same = ts_potential_basins(&c->pot[0], &b0, NULL) == TS_OK && b0.n == nb;
    for (size_t i = 1; i < c->dim && same; i++) {
        same = ts_potential_basins(&c->pot[i], &b, NULL) == TS_OK && b.n == nb;
        for (size_t k = 0; k < nb && same; k++) same = b.min[k] == b0.min[k];
    }
    for (size_t k = 0; k < nb; k++) v[k] = same ? b0.min[k] : (double)k;
    return v;
}

static size_t max_basins(const ts_sde_config *c)
{
    size_t m = 1;
    ts_basins b;
    for (size_t i = 0; i < c->dim; i++)
        if (ts_potential_basins(&c->pot[i], &b, NULL) == TS_OK && b.n > m) m = b.n;
    return m;
}

static ts_status sde_layout(const ts_params *p, ts_result_layout *l, ts_err *err)
{
    ts_sde_config c;
    ts_status st = to_config(p, &c, err);
    if (st) return st;
    const size_t d = c.dim, g = c.grid.n, ch = (size_t)c.chains, B = max_basins(&c);
    per_coord(l, d, "density", "", "KDE of the chains' stationary density (integrates to 1 - out_mass); weighted by step sizes unless average = unweighted", g, "x");
    per_coord(l, d, "gibbs", "", "Gibbs density exp(-eps^-alpha f)/Z on the same grid", g, "x");
    per_coord(l, d, "bandwidth", "", "KDE bandwidth", 0, NULL);
    per_coord(l, d, "out_mass", "", "share of binned samples outside the grid window", 0, NULL);
    per_coord(l, d, "gibbs_out_mass", "", "Gibbs mass outside the grid window", 0, NULL);
    per_coord(l, d, "samples", "", "samples binned (chains x kept steps)", 0, NULL);
    per_coord(l, d, "tv", "", "total variation to Gibbs", 0, NULL);
    per_coord(l, d, "kl_est_gibbs", "nat", "KL(density || gibbs), in-window conditionals", 0, NULL);
    per_coord(l, d, "kl_gibbs_est", "nat", "KL(gibbs || density), in-window conditionals", 0, NULL);
    per_coord(l, d, "hellinger", "", "Hellinger distance to Gibbs", 0, NULL);
    per_coord(l, d, "w1", "", "Wasserstein-1 distance to Gibbs (in-window)", 0, NULL);
    per_coord(l, d, "n_minima", "", "local minima of f (= basins)", 0, NULL);
    per_coord(l, d, "minima", "", "local minima of f, ascending; NaN past n_minima", B, "basin");
    per_coord(l, d, "basin_lo", "", "left edge of the basin: the maximum of f between it and the basin to its left (NaN for the first: none)", B, "basin");
    per_coord(l, d, "basin_hi", "", "right edge of the basin: the maximum of f between it and the basin to its right (NaN for the last: none)", B, "basin");
    per_coord(l, d, "mode", "", "the density maximum within each basin; NaN past n_minima or off the grid", B, "basin");
    per_coord(l, d, "mode_shift", "", "mode minus minimum; NaN past n_minima", B, "basin");
    per_coord(l, d, "n_modes", "", "local maxima of the density (above 1% of the peak)", 0, NULL);
    per_coord(l, d, "occupancy", "", "fraction of time (after burn-in, all chains) spent in the basin", B, "basin");
    per_coord(l, d, "occupancy_se", "", "standard error of occupancy, between chains", B, "basin");
    per_coord(l, d, "gibbs_occupancy", "", "Gibbs mass of the basin", B, "basin");
    per_coord(l, d, "occupancy_law", "", "occupancy of the small-noise limit's jump chain between minima (NaN at alpha = 2)", B, "basin");
    per_coord(l, d, "exits", "", "exits from the basin, all chains", B, "basin");
    per_coord(l, d, "exit_rate", "1/time", "exits per unit time spent in the basin", B, "basin");
    per_coord(l, d, "exit_rate_se", "1/time", "standard error of exit_rate, between chains (NaN without exits)", B, "basin");
    per_coord(l, d, "exit_rate_law", "1/time", "small-noise law eps^alpha C_alpha [(1+theta)/2 d+^-alpha + (1-theta)/2 d-^-alpha]", B, "basin");
    per_coord(l, d, "exit_time", "time", "mean first exit time from the minimum (from its first crossing after entry to the exit)", B, "basin");
    per_coord(l, d, "exit_time_se", "time", "standard error of exit_time", B, "basin");
    per_coord(l, d, "exit_time_count", "", "exit times averaged in exit_time", B, "basin");
    ts_result_layout_add(l, "diverged", "", "chains stopped by the blow-up detector", 0, 0, NULL, 0, NULL);
    ts_result_layout_add(l, "diverged_at", "steps", "step at which each chain diverged, NaN if never", 1, ch, "chain", 0, NULL);
    if (c.n_tests) {
        per_coord(l, d, "test_mean", "", "nu_N(g): step-size-weighted average of each test function over the binned samples", c.n_tests, "test_function");
        per_coord(l, d, "test_mean_unweighted", "", "unweighted average of each test function over the binned samples", c.n_tests, "test_function");
        per_coord(l, d, "test_mean_se", "", "standard error of test_mean, between chains", c.n_tests, "test_function");
        per_coord(l, d, "test_gibbs", "", "Gibbs expectation of each test function (quadrature)", c.n_tests, "test_function");
        per_coord(l, d, "test_error", "", "test_mean - test_gibbs: theorem 4.2's weak error", c.n_tests, "test_function");
    }
    /* density and gibbs carry the grid as their x, the minima the basin axis */
    const size_t xd = d > 1 ? 1 : 0;
    for (int i = 0; i < 2; i++) {
        l->r[i].coords[xd] = malloc(g * sizeof(double));
        if (!l->r[i].coords[xd]) goto nomem;
        for (size_t j = 0; j < g; j++) l->r[i].coords[xd][j] = ts_grid1d_x(&c.grid, j);
    }
    /* every result over basins carries the labels (a task file attaches a
     * scale only where a result has them) */
    for (size_t r = 0; r < l->n; r++)
        if (l->r[r].rank > xd && strcmp(l->r[r].dim_names[xd], "basin") == 0 &&
            !(l->r[r].coords[xd] = basin_coords(&c, B)))
            goto nomem;
    return TS_OK;
nomem:
    return ts_err_set(err, TS_ENOMEM, "sde: out of memory");
}

static double mean_or_nan(double s, double n) { return n > 0 ? s / n : NAN; }

/* One coordinate's basin results, NaN past its own basins. */
static ts_status fill_basins(const ts_sde_config *c, const ts_sde_run_result *r, const ts_sde_report *rep,
                             size_t i, size_t B, double *const *out, ts_err *err)
{
    const ts_basins *b = &rep->basins;
    const ts_basin_stats *s = &r->stats[i];
    double law_rate[TS_SDE_MAX_BASINS], law_occ[TS_SDE_MAX_BASINS];
    ts_sde_law(b, c->alpha, c->theta[i], c->eps, law_rate, law_occ);
    for (size_t k = 0; k < B; k++) {
        const size_t o = i * B + k;
        if (k >= b->n) {
            for (int rr = R_MINIMA; rr <= R_ET_N; rr++)
                if (rr != R_NMODES) out[rr][o] = NAN;
            continue;
        }
        double gocc;
        ts_status st = ts_potential_gibbs_expect(&c->pot[i], c->eps, c->alpha, NULL, NULL, b->lo[k], b->hi[k], &gocc, err);
        if (st) return st;
        out[R_MINIMA][o] = b->min[k];
        /* the outer basins have no maximum beyond them: NaN, not an infinity */
        out[R_BLO][o] = isinf(b->lo[k]) ? NAN : b->lo[k];
        out[R_BHI][o] = isinf(b->hi[k]) ? NAN : b->hi[k];
        out[R_MODES][o] = rep->basin_mode[k];
        out[R_SHIFT][o] = rep->basin_mode[k] - b->min[k];
        out[R_OCC][o] = mean_or_nan(s->time[k], s->total_time);
        out[R_OCC_SE][o] = s->occupancy_se[k];
        out[R_GOCC][o] = gocc;
        out[R_OCC_LAW][o] = law_occ[k];
        out[R_EXITS][o] = s->exits[k];
        out[R_RATE][o] = mean_or_nan(s->exits[k], s->time[k]);
        out[R_RATE_SE][o] = s->exit_rate_se[k];
        out[R_RATE_LAW][o] = law_rate[k];
        double n = s->exit_time_n[k], m = mean_or_nan(s->exit_time_sum[k], n);
        double var = n > 1 ? (s->exit_time_sumsq[k] - n * m * m) / (n - 1) : NAN;
        out[R_ET][o] = m;
        out[R_ET_SE][o] = n > 1 ? sqrt(fmax(var, 0) / n) : NAN;
        out[R_ET_N][o] = n;
    }
    return TS_OK;
}

typedef struct {
    const ts_test_fn *t;
    const ts_basins *b;
} test_ctx;

static double test_g(double w, void *v)
{
    const test_ctx *tc = v;
    return ts_test_fn_eval(tc->t, tc->b, w);
}

static ts_status fill_tests(const ts_sde_config *c, const ts_sde_run_result *r, size_t i, double *const *out, ts_err *err)
{
    const size_t nt = c->n_tests;
    const ts_basins *b = &r->basins[i];
    for (size_t t = 0; t < nt; t++) {
        const ts_test_fn *f = &c->tests[t];
        double gib;
        test_ctx tc = { f, b };
        /* an indicator is integrated as 1 over its basin, not as a step */
        ts_status st = f->kind == TS_TEST_BASIN
            ? ts_potential_gibbs_expect(&c->pot[i], c->eps, c->alpha, NULL, NULL, b->lo[f->index], b->hi[f->index], &gib, err)
            : ts_potential_gibbs_expect(&c->pot[i], c->eps, c->alpha, test_g, &tc, -INFINITY, INFINITY, &gib, err);
        if (st) return st;
        const size_t o = i * nt + t;
        out[R_TMEAN][o] = r->tests[i].weighted[t];
        out[R_TMEAN_U][o] = r->tests[i].unweighted[t];
        out[R_TSE][o] = r->tests[i].se[t];
        out[R_TGIBBS][o] = gib;
        out[R_TERR][o] = r->tests[i].weighted[t] - gib;
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
    out[R_NMIN][i] = (double)rep->basins.n;
    out[R_NMODES][i] = (double)rep->m.n_modes;
}

static ts_status sde_run_task(const ts_task *t, const ts_result_layout *l, double *const *out,
                              ts_task_status *status, ts_err *err)
{
    ts_sde_config c;
    ts_sde_run_result r;
    ts_status st = to_config(&t->params, &c, err);
    /* common random numbers: the streams of grid point 0 for every point */
    const uint64_t stream = ts_params_get(&t->params, "common_noise") != 0 ? 0 : t->point;
    if (!st) st = ts_sde_run_ckpt(&c, t->seed, stream, t->replicate, t->poll, t->poll_ctx, t->ckpt, &r, err);
    if (st) return st;
    ts_bw_rule rule = (ts_bw_rule)ts_params_choice(&t->params, "bw");
    double bwv = ts_params_get(&t->params, "bw_value");
    /* the basin axis's length, from the layout (the most basins of any coordinate) */
    const size_t B = ts_result_size(&l->r[R_MINIMA]) / c.dim;
    for (size_t i = 0; i < c.dim && !st; i++) {
        ts_sde_report rep;
        st = ts_sde_analyse(&c, &r, i, rule, bwv, out[R_DENSITY] + i * c.grid.n,
                            out[R_GIBBS] + i * c.grid.n, &rep, err);
        if (!st) fill_report(&rep, i, out);
        if (!st) st = fill_basins(&c, &r, &rep, i, B, out, err);
        if (!st && c.n_tests) st = fill_tests(&c, &r, i, out, err);
    }
    if (!st) {
        out[R_DIVERGED][0] = (double)r.diverged;
        for (uint64_t j = 0; j < c.chains; j++) out[R_DIVAT][j] = r.diverged_at[j];
        *status = r.diverged ? TS_TASK_DIVERGED : TS_TASK_DONE;
    }
    ts_sde_run_result_free(&r);
    return st;
}

/* Measured on the machine in docs/benchmarks.md: ~20 ns a chain-step for
 * euler and tamed, ~22 ns for implicit (the double well's one-division
 * step); a user's polynomial costs ~2 ns per degree more (Horner), the
 * fractional drift ~2.5 ns per term. */
static double sde_cost(const ts_params *p)
{
    double per = ts_params_choice(p, "drift") == TS_DRIFT_FRACTIONAL ? 2.5e-9 * (2 * ts_params_get(p, "K") + 1) : 0;
    double step = ts_params_choice(p, "scheme") == TS_SCHEME_IMPLICIT ? 22e-9 : 20e-9;
    if (ts_params_choice(p, "potential") == 3) step += 2e-9 * TS_POLY_MAX_DEGREE / 2;
    return ts_params_get(p, "steps") * ts_params_get(p, "chains") * ts_params_get(p, "dim") * (step + per);
}

/* The shift maps (the paper's figure 5): per task, the mode shift at the
 * left and right minimum (basins ascend), the distances to Gibbs, and the
 * share of chains that diverged. */
static const ts_derived sde_derived[] = {
    { "shift_left", "mode minus minimum, left (lower) minimum of f", TS_DERIVE_PICK, "mode_shift", 0, 2, NULL, NULL },
    { "shift_right", "mode minus minimum, right (upper) minimum of f", TS_DERIVE_PICK, "mode_shift", 1, 2, NULL, NULL },
    { "tv", "total variation to Gibbs", TS_DERIVE_COPY, "tv", 0, 0, NULL, NULL },
    { "kl", "KL(density || Gibbs), in-window conditionals", TS_DERIVE_COPY, "kl_est_gibbs", 0, 0, NULL, NULL },
    { "w1", "Wasserstein-1 distance to Gibbs (in-window)", TS_DERIVE_COPY, "w1", 0, 0, NULL, NULL },
    { "diverged_frac", "share of chains stopped by the blow-up detector", TS_DERIVE_SHARE, "diverged", 0, 0,
      "diverged_at", "chains" },
    { 0 } };

static const char *const fig6_needs[] = { "density", "gibbs", NULL };
static const char *const shiftmap_needs[] = { "shift_left", "tv", NULL };
static const char *const metastability_needs[] = { "exit_rate", "exit_rate_law", NULL };
static const ts_figure sde_figures[] = {
    { "fig6", "density against Gibbs, a panel per alpha, a curve per theta\n"
              "(the paper's figure 6; mean over seeds with a seed band)", fig6_needs, 0, NULL, 1 },
    { "shiftmap", "heatmaps over (alpha, theta) of the mode shifts, TV, KL, W1 and\n"
                  "the diverged fraction, annotated with mean and CI half-width", shiftmap_needs, 1, NULL, 1 },
    { "metastability", "eps^-alpha x exit_rate (the rate of eps^alpha tau) against eps, a\n"
                       "panel per basin, a curve per other axis value, with the small-noise\n"
                       "law's limit drawn dashed (the replicates' rates are averaged)",
      metastability_needs, 0, "eps", 0 },
    { 0 } };

const ts_kind ts_kind_sde = {
    .name = "sde",
    .summary = "Levy-driven SGD dynamics: stationary density and its bias against Gibbs",
    .params = sde_params,
    .n_params = N_SDE_PARAMS,
    .validate = sde_validate,
    .layout = sde_layout,
    .run = sde_run_task,
    .cost = sde_cost,
    .derived = sde_derived,
    .figures = sde_figures,
    .checkpoints = 1,
};
