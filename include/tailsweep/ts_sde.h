/* ts_sde.h: SGD as a Levy-driven SDE (MATH.md sections 2 and 3).
 *
 *   dw_t = b(w_t) dt + eps dL_t^{alpha, theta},   b = -f'  or the fractional drift
 *
 * simulated by many independent chains, eight to a SIMD vector, each group of
 * eight on its own substream, binned onto a grid while it runs (memory O(grid),
 * no samples kept). Coordinates of the separable d-dimensional potential are
 * independent chains too, each with its own potential and skewness theta_i.
 *
 * Noise increments. Each step adds eps * (L_{t+eta} - L_t) with
 * L_{t+eta} - L_t ~ S1(eta^(1/alpha), theta, 0): exactly the paper's (4.4)
 * for alpha != 1. At alpha = 1 with theta != 0 a Levy increment over eta also
 * carries the drift (2/pi) theta eta log(eta) (MATH.md section 1): with
 * `noise = levy` (the default) it is included, so the chain approximates the
 * SDE; `noise = paper` drops it, reproducing (4.4) literally, whose drift
 * (2/pi) theta eps log(eta) per unit time does not vanish as eta -> 0. */
#ifndef TS_SDE_H
#define TS_SDE_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_density.h"
#include "tailsweep/ts_error.h"

/* ---- potentials ------------------------------------------------------- */

typedef enum {
    TS_POT_DOUBLE_WELL = 0,   /* f = w^4/4 - a w^2/2 + c w  (quartic: a = 1, c = 0) */
    TS_POT_HARMONIC = 1       /* f = k w^2 / 2, k > 0                               */
} ts_potential_kind;

typedef struct {
    ts_potential_kind kind;
    double a, c;              /* double well: curvature and tilt */
    double k;                 /* harmonic stiffness              */
} ts_potential;

ts_status ts_potential_double_well(ts_potential *p, double a, double tilt, ts_err *err);
ts_status ts_potential_harmonic(ts_potential *p, double k, ts_err *err);
double ts_potential_f(const ts_potential *p, double w);
double ts_potential_grad(const ts_potential *p, double w);
/* The local minima of f, ascending (1 or 2 of them). */
size_t ts_potential_minima(const ts_potential *p, double out[2]);
/* The local maximum of f between two minima (the barrier); only meaningful
 * when ts_potential_minima returns 2. */
double ts_potential_barrier(const ts_potential *p);
/* The Gibbs density exp(-eps^-alpha f) / Z on the grid, Z over the whole
 * line, and the Gibbs mass outside the grid window. */
ts_status ts_potential_gibbs(const ts_potential *p, double eps, double alpha,
                             const ts_grid1d *g, double *dens, double *out_mass, ts_err *err);

/* ---- the fractional Langevin drift (MATH.md section 3) ----------------- */

/* b_{h,K}(w) = -h^(2-alpha) sum_{k=-K..K} g_k f'(w - k h) exp(eps^-alpha (f(w) - f(w - k h)))
 * with the weights of the two-sided Grunwald form (1 - z)^A (1 - 1/z)^B,
 * A + B = alpha - 2, A - B = (2/pi) atan(c), c = sign * theta * tan(pi alpha / 2),
 * scaled by sqrt(1 + c^2) so that the symbol is |u|^(alpha-2) (1 + i c sgn u).
 * theta = 0 gives the symmetric weights of the paper. docs/fractional-drift.md
 * has the derivation and how `sign` was fixed. */
#define TS_FRAC_MAX_K 4096
typedef struct {
    double alpha, eps_pow;     /* eps^-alpha                      */
    double h, pref;            /* h^(2-alpha)                     */
    unsigned K;
    double *g;                 /* 2K + 1 weights, g[K + k] = g_k  */
} ts_frac_drift;

ts_status ts_frac_drift_init(ts_frac_drift *d, double alpha, double theta, double sign,
                             double eps, double h, unsigned K, ts_err *err);
void ts_frac_drift_free(ts_frac_drift *d);
/* h0 with h0^(2-alpha) g_0 = 1 (theta = 0): with K = 0 the drift is then -f'. */
double ts_frac_drift_h0(double alpha);
double ts_frac_drift_eval(const ts_frac_drift *d, const ts_potential *p, double w);

/* ---- schemes and runs -------------------------------------------------- */

typedef enum { TS_SCHEME_EULER = 0, TS_SCHEME_IMPLICIT = 1, TS_SCHEME_TAMED = 2 } ts_scheme;
typedef enum { TS_DRIFT_GRADIENT = 0, TS_DRIFT_FRACTIONAL = 1 } ts_drift;
typedef enum { TS_NOISE_LEVY = 0, TS_NOISE_PAPER = 1 } ts_noise;

extern const char *const ts_scheme_names[];   /* "euler", "implicit", "tamed", NULL */
extern const char *const ts_drift_names[];    /* "gradient", "fractional", NULL     */
extern const char *const ts_noise_names[];    /* "levy", "paper", NULL              */
extern const char *const ts_potential_names[];/* "quartic", "double_well", "harmonic", NULL */

#define TS_SDE_MAX_DIM 16
typedef struct {
    size_t dim;
    ts_potential pot[TS_SDE_MAX_DIM];
    double theta[TS_SDE_MAX_DIM];   /* skewness (S1 beta) of each coordinate's noise */
    double alpha, eps;
    /* eta_k = eta0 / (1 + k / k0)^gamma; gamma = 0 is a constant step */
    double eta0, k0, gamma;
    uint64_t steps, burnin, thin;   /* bin every thin-th step after burn-in */
    uint64_t chains;
    double w0;                      /* every chain starts here              */
    ts_scheme scheme;
    ts_drift drift;
    ts_noise noise;
    double frac_h, frac_sign;
    unsigned frac_K;
    double bound;                   /* |w| > bound (or non-finite): diverged */
    ts_grid1d grid;
} ts_sde_config;

/* Defaults: the paper's figure 6 setting on one coordinate (quartic, alpha 1.5,
 * theta 0, eps 1, eta 1e-3 constant, euler, 10^5 steps, 1000 burn-in, 64
 * chains, grid 512 points on [-3, 3], bound 1e6). */
void ts_sde_config_default(ts_sde_config *c);
/* Every check, with messages naming the parameter (eta0 > 0, K >= 0, ...). */
ts_status ts_sde_config_check(const ts_sde_config *c, ts_err *err);

typedef struct {
    size_t dim;
    ts_bins *bins[TS_SDE_MAX_DIM];  /* one per coordinate, all chains pooled   */
    uint64_t diverged;              /* chains (over all coordinates) stopped   */
    int64_t *diverged_at;           /* per chain: first step it diverged, or -1 */
    double final_eta;
} ts_sde_run_result;

/* Run all chains of one task. The streams are (seed, task, replicate) with
 * purpose TS_PURPOSE_SDE_NOISE; chain group q (chains 8q..8q+7) of coordinate i
 * uses substream q * dim + i, so a chain's path depends on the seed, the task
 * and its own index only. Returns TS_OK even when chains diverged (the result
 * counts them); errors are for bad configurations and allocation failures. */
ts_status ts_sde_run(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_sde_run_result *res, ts_err *err);
/* The same, polling cancelled(ctx) between chunks of steps (every ~256
 * steps of all chains); returns TS_ECANCEL when it fires. */
ts_status ts_sde_run_cancellable(const ts_sde_config *c, uint64_t seed, uint64_t task,
                                 uint64_t replicate, int (*cancelled)(void *), void *ctx,
                                 ts_sde_run_result *res, ts_err *err);
void ts_sde_run_result_free(ts_sde_run_result *res);

/* Density and bias metrics of one coordinate after a run: the KDE of its
 * bins (bandwidth by `rule`, or bw_fixed), the Gibbs density on the same
 * grid and ts_metrics against it. Fails with TS_ENUMERIC when nothing was
 * binned (every chain diverged before burn-in ended): no density is made up. */
typedef struct {
    double bw, out_mass, gibbs_out_mass, samples;
    size_t n_minima;
    double minima[2];
    /* The density's highest point within each minimum's basin of attraction
     * (split at the barrier), refined by a parabola. Unlike "nearest local
     * maximum" this is defined even when a well's mode has melted into a
     * tail (alpha = 1.1, |theta| = 1) and is not fooled by noise bumps. */
    double basin_mode[2];
    ts_metrics m;
} ts_sde_report;

ts_status ts_sde_analyse(const ts_sde_config *c, const ts_sde_run_result *r, size_t coord,
                         ts_bw_rule rule, double bw_fixed, double *density, double *gibbs,
                         ts_sde_report *rep, ts_err *err);

/* Solve w' + eta (w'^3 - a w') = r for w' (the implicit step of the double
 * well, tilt folded into r); needs eta a < 1 so that the cubic is monotone.
 * Exposed for tests. */
double ts_sde_implicit_cubic(double r, double eta, double a);

#endif
