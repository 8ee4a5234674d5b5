/* ts_sde.h: SGD as a Levy-driven SDE (docs/math.md section 2).
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
 * carries the drift (2/pi) theta eta log(eta) (docs/math.md section 1.4): with
 * `noise = levy` (the default) it is included, so the chain approximates the
 * SDE; `noise = paper` drops it, reproducing (4.4) literally, whose drift
 * (2/pi) theta eps log(eta) per unit time does not vanish as eta -> 0.
 *
 * Averages. Step k's state w_k carries the weight eta_k, as in the paper's
 * nu_N(g) = sum_k eta_k g(w_k) / sum_k eta_k (theorem 4.2): the density, its
 * metrics and the test-function averages are nu_N unless the plain average
 * is asked for. Basin statistics (occupancy, exits, exit times) count time,
 * i.e. the same weights, over every step after burn-in. docs/sde.md. */
#ifndef TS_SDE_H
#define TS_SDE_H

#include <stddef.h>
#include <stdint.h>

#include "tailsweep/ts_ckpt.h"
#include "tailsweep/ts_density.h"
#include "tailsweep/ts_error.h"
#include "tailsweep/ts_poll.h"

/* ---- potentials ------------------------------------------------------- */

typedef enum {
    TS_POT_DOUBLE_WELL = 0,   /* f = w^4/4 - a w^2/2 + c w  (quartic: a = 1, c = 0) */
    TS_POT_HARMONIC = 1,      /* f = k w^2 / 2, k > 0                               */
    TS_POT_POLY = 2           /* f = sum_i coef[i] w^i, even degree, leading > 0     */
} ts_potential_kind;

/* A polynomial potential has even degree 2..TS_POLY_MAX_DEGREE and a
 * positive leading coefficient, so f -> +inf both ways and the Gibbs
 * density exists; it has at most TS_SDE_MAX_BASINS minima. */
#define TS_POLY_MAX_DEGREE 12
#define TS_SDE_MAX_BASINS (TS_POLY_MAX_DEGREE / 2)

typedef struct {
    ts_potential_kind kind;
    double a, c;              /* double well: curvature and tilt */
    double k;                 /* harmonic stiffness              */
    unsigned deg;             /* poly: degree                    */
    double coef[TS_POLY_MAX_DEGREE + 1];   /* poly: f             */
    double dcoef[TS_POLY_MAX_DEGREE];      /* poly: f'            */
    double d2coef[TS_POLY_MAX_DEGREE - 1]; /* poly: f''           */
} ts_potential;

ts_status ts_potential_double_well(ts_potential *p, double a, double tilt, ts_err *err);
ts_status ts_potential_harmonic(ts_potential *p, double k, ts_err *err);
/* coef[0..n-1] ascending (trailing zeros are dropped before the checks). */
ts_status ts_potential_poly(ts_potential *p, const double *coef, size_t n, ts_err *err);
/* Parse "c0, c1, ..., cn" (commas or blanks) into a poly potential;
 * `what` names the source in messages. */
ts_status ts_potential_parse_poly(ts_potential *p, const char *text, const char *what, ts_err *err);
double ts_potential_f(const ts_potential *p, double w);
double ts_potential_grad(const ts_potential *p, double w);
double ts_potential_hess(const ts_potential *p, double w);
/* inf over w of f''(w): the implicit step is uniquely solvable iff
 * 1 + eta inf f'' > 0. */
double ts_potential_min_hess(const ts_potential *p);

/* The basins of f: one per local minimum, ascending, split at the local
 * maxima between them. lo[0] = -inf and hi[n-1] = +inf; hi[i] = lo[i + 1]
 * is the maximum (the barrier) between minima i and i + 1. Critical points
 * are found numerically for poly (the real roots of f', bracketed between
 * the real parts of its complex roots and refined by Brent's method), in
 * closed form for the others; a degenerate critical point where f' does
 * not change sign (an inflection) is neither. */
typedef struct {
    size_t n;
    double min[TS_SDE_MAX_BASINS];
    double lo[TS_SDE_MAX_BASINS], hi[TS_SDE_MAX_BASINS];
} ts_basins;
ts_status ts_potential_basins(const ts_potential *p, ts_basins *b, ts_err *err);

/* The Gibbs density exp(-eps^-alpha f) / Z on the grid, Z over the whole
 * line, and the Gibbs mass outside the grid window. */
ts_status ts_potential_gibbs(const ts_potential *p, double eps, double alpha,
                             const ts_grid1d *g, double *dens, double *out_mass, ts_err *err);
/* Gibbs expectation of g (NULL: g = 1) over [lo, hi] (infinite ends allowed):
 * int_lo^hi g exp(-eps^-alpha f) / Z, by adaptive quadrature split at the
 * critical points of f (GSL QAGS/QAGI, relative 1e-12). */
ts_status ts_potential_gibbs_expect(const ts_potential *p, double eps, double alpha,
                                    double (*g)(double, void *), void *gctx, double lo, double hi,
                                    double *out, ts_err *err);

/* ---- the small-noise law of exits (Imkeller and Pavlyukevich) ----------- */

/* For dw = -f' dt + eps dL with L_1 ~ S1(alpha, theta, 0), alpha < 2, the
 * first exit time tau from basin i satisfies eps^alpha tau -> Exp(lambda_i),
 *   lambda_i = C_alpha [(1 + theta)/2 d+^-alpha + (1 - theta)/2 d-^-alpha],
 * d+- the distances from the minimum to the basin's edges (an infinite one
 * adds nothing), C_alpha = (1 - alpha) / (Gamma(2 - alpha) cos(pi alpha / 2))
 * (2/pi at alpha = 1): the Levy measure's mass beyond the barriers. */
double ts_sde_law_c_alpha(double alpha);
/* rate[i] = eps^alpha lambda_i (exits per unit time); occ[i] the stationary
 * law of the limiting jump chain between the minima, whose rate from i to j
 * is eps^alpha times the Levy measure of the jumps from min[i] that land in
 * basin j. At alpha = 2 the rates are 0 and occ is NaN (no such limit). */
void ts_sde_law(const ts_basins *b, double alpha, double theta, double eps, double *rate, double *occ);

/* ---- the fractional Langevin drift (docs/math.md sections 2.6-2.8) ----------------- */

/* b_{h,K}(w) = -h^(2-alpha) sum_{k=-K..K} g_k f'(w - k h) exp(eps^-alpha (f(w) - f(w - k h)))
 * Two choices of weights (docs/fractional-drift.md):
 *  - grunwald: the two-sided Grunwald form (1 - z)^A (1 - 1/z)^B,
 *    A + B = alpha - 2, A - B = (2/pi) atan(c), c = sign * theta * tan(pi alpha / 2),
 *    scaled by sqrt(1 + c^2) so that the symbol is |u|^(alpha-2) (1 + i c sgn u);
 *  - paper: Camuto et al. (4.8) as printed, g_k = c_gam (1 + sign theta sgn k) gt_|k|,
 *    c_gam = 1 / (2 cos(gam pi / 2)), gt_j = Gamma(j - gam) / (Gamma(j + 1) Gamma(-gam)),
 *    the centre term counted once. */
#define TS_FRAC_MAX_K 4096
typedef enum { TS_FRAC_GRUNWALD = 0, TS_FRAC_PAPER = 1 } ts_frac_weights;
extern const char *const ts_frac_weights_names[];   /* "grunwald", "paper", NULL */

typedef struct {
    double alpha, eps_pow;     /* eps^-alpha                      */
    double h, pref;            /* h^(2-alpha)                     */
    unsigned K;
    double *g;                 /* 2K + 1 weights, g[K + k] = g_k  */
} ts_frac_drift;

ts_status ts_frac_drift_init(ts_frac_drift *d, double alpha, double theta, double sign,
                             double eps, double h, unsigned K, ts_frac_weights weights, ts_err *err);
void ts_frac_drift_free(ts_frac_drift *d);
/* h0 with h0^(2-alpha) g_0 = 1 (theta = 0): with K = 0 the drift is then -f'. */
double ts_frac_drift_h0(double alpha, ts_frac_weights weights);
double ts_frac_drift_eval(const ts_frac_drift *d, const ts_potential *p, double w);

/* ---- test functions ---------------------------------------------------- */

/* g(w) for the weak error of theorem 4.2: a moment w^k, the indicator of
 * basin i of the coordinate's potential, or a polynomial. Parsed from
 * "moment:1; moment:2; basin:0; poly:0,1,0,-0.5" (';' between functions). */
#define TS_SDE_MAX_TESTS 8
typedef enum { TS_TEST_MOMENT = 0, TS_TEST_BASIN = 1, TS_TEST_POLY = 2 } ts_test_kind;
typedef struct {
    ts_test_kind kind;
    unsigned index;                       /* moment order or basin number */
    unsigned deg;                         /* poly                         */
    double coef[TS_POLY_MAX_DEGREE + 1];  /* poly                         */
} ts_test_fn;
ts_status ts_test_fns_parse(const char *text, ts_test_fn *out, size_t *n, ts_err *err);
/* g(w) of a test function on a coordinate with these basins. */
double ts_test_fn_eval(const ts_test_fn *t, const ts_basins *b, double w);

/* ---- schemes and runs -------------------------------------------------- */

typedef enum { TS_SCHEME_EULER = 0, TS_SCHEME_IMPLICIT = 1, TS_SCHEME_TAMED = 2 } ts_scheme;
typedef enum { TS_DRIFT_GRADIENT = 0, TS_DRIFT_FRACTIONAL = 1 } ts_drift;
typedef enum { TS_NOISE_LEVY = 0, TS_NOISE_PAPER = 1 } ts_noise;
typedef enum { TS_AVG_WEIGHTED = 0, TS_AVG_UNWEIGHTED = 1 } ts_average;

extern const char *const ts_scheme_names[];   /* "euler", "implicit", "tamed", NULL */
extern const char *const ts_drift_names[];    /* "gradient", "fractional", NULL     */
extern const char *const ts_noise_names[];    /* "levy", "paper", NULL              */
extern const char *const ts_average_names[];  /* "weighted", "unweighted", NULL     */
extern const char *const ts_potential_names[];/* "quartic", "double_well", "harmonic", "poly", NULL */

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
    ts_average average;             /* density and metrics: nu_N or plain   */
    double frac_h, frac_sign;
    unsigned frac_K;
    ts_frac_weights frac_weights;
    double bound;                   /* |w| > bound (or non-finite): diverged */
    ts_grid1d grid;
    int basin_stats;                /* count exits and occupancy (default 1) */
    size_t n_tests;                 /* test functions averaged on the binned samples */
    ts_test_fn tests[TS_SDE_MAX_TESTS];
} ts_sde_config;

/* Defaults: the sde kind's parameter table (src/sde/ts_kind_sde.c, the one
 * place they are written; `tailsweep sde --help` lists them): the paper's
 * figure 6 setting on one coordinate (quartic, alpha 1.5, theta 0, eps 1,
 * eta 1e-3 constant, euler, 10^5 steps, 1000 burn-in, 64 chains, grid 512
 * points on [-3, 3], bound 1e6), basin statistics on. */
void ts_sde_config_default(ts_sde_config *c);
/* Every check, with messages naming the parameter (eta0 > 0, K >= 0, ...). */
ts_status ts_sde_config_check(const ts_sde_config *c, ts_err *err);

/* Per coordinate and basin, over every step after burn-in (time = the sum
 * of the step sizes). Occupancy is the time in the basin (between its
 * barriers). An exit from basin i is a transition: the chain crosses the
 * minimum of another basin after it last crossed minimum i. (Counting every
 * crossing of a barrier instead would count the jitter of a chain that sits
 * near it: infinitely many crossings as eta -> 0 for a Levy path.) Exit
 * times run from a crossing of the basin's minimum to the next crossing of
 * a barrier: by the strong Markov property each is a draw of the first exit
 * time from the minimum, the time Imkeller and Pavlyukevich's law is about.
 * docs/sde.md. */
typedef struct {
    double time[TS_SDE_MAX_BASINS];       /* total over chains                  */
    double exits[TS_SDE_MAX_BASINS];
    double exit_rate_se[TS_SDE_MAX_BASINS];  /* ratio estimator over chains; NaN if no exit */
    double occupancy_se[TS_SDE_MAX_BASINS];
    double exit_time_sum[TS_SDE_MAX_BASINS], exit_time_sumsq[TS_SDE_MAX_BASINS];
    double exit_time_n[TS_SDE_MAX_BASINS];
    double total_time;                    /* all chains, all basins             */
} ts_basin_stats;

/* Test-function averages of one coordinate, over the binned samples. */
typedef struct {
    double weighted[TS_SDE_MAX_TESTS];    /* nu_N(g)                            */
    double unweighted[TS_SDE_MAX_TESTS];  /* plain mean                         */
    double se[TS_SDE_MAX_TESTS];          /* of nu_N(g), between chains         */
} ts_test_stats;

typedef struct {
    size_t dim;
    ts_bins *bins[TS_SDE_MAX_DIM];  /* one per coordinate, all chains pooled   */
    ts_basins basins[TS_SDE_MAX_DIM];
    ts_basin_stats stats[TS_SDE_MAX_DIM];
    ts_test_stats tests[TS_SDE_MAX_DIM];
    uint64_t diverged;              /* chains (over all coordinates) stopped   */
    double *diverged_at;            /* per chain: first step it diverged, NaN if never */
    double final_eta;
} ts_sde_run_result;

/* Run all chains of one task. The streams are (seed, task, replicate) with
 * purpose TS_PURPOSE_SDE_NOISE; chain group q (chains 8q..8q+7) of coordinate i
 * uses substream q * dim + i, so a chain's path depends on the seed, the task
 * and its own index only. Returns TS_OK even when chains diverged (the result
 * counts them); errors are for bad configurations and allocation failures. */
ts_status ts_sde_run(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                     ts_sde_run_result *res, ts_err *err);
/* The same, calling poll(ctx, done) between chunks of steps (every ~256
 * steps of all chains); returns TS_ECANCEL when it fires. */
ts_status ts_sde_run_cancellable(const ts_sde_config *c, uint64_t seed, uint64_t task,
                                 uint64_t replicate, ts_poll_fn poll, void *ctx,
                                 ts_sde_run_result *res, ts_err *err);
/* The same with checkpoints (ts_ckpt.h; ck may be NULL): with ck->state
 * set the run goes on from that state, and a poll answering TS_POLL_SAVE
 * hands the run's whole state to ck (between chunks, so every ~256 steps).
 * A resumed run ends bit-identical to an uninterrupted one. A state made
 * for other sizes is refused (ts_ckpt_reject). */
ts_status ts_sde_run_ckpt(const ts_sde_config *c, uint64_t seed, uint64_t task, uint64_t replicate,
                          ts_poll_fn poll, void *ctx, ts_ckpt *ck, ts_sde_run_result *res, ts_err *err);
void ts_sde_run_result_free(ts_sde_run_result *res);

/* Density and bias metrics of one coordinate after a run: the KDE of its
 * bins (bandwidth by `rule`, or bw_fixed), the Gibbs density on the same
 * grid and ts_metrics against it. Fails with TS_ENUMERIC when nothing was
 * binned (every chain diverged before burn-in ended): no density is made up. */
typedef struct {
    double bw, out_mass, gibbs_out_mass, samples;
    ts_basins basins;
    /* The density's highest point within each basin, refined by a
     * parabola. Unlike "nearest local maximum" this is defined even when a
     * well's mode has melted into a tail (alpha = 1.1, |theta| = 1) and is
     * not fooled by noise bumps. */
    double basin_mode[TS_SDE_MAX_BASINS];
    ts_metrics m;
} ts_sde_report;

ts_status ts_sde_analyse(const ts_sde_config *c, const ts_sde_run_result *r, size_t coord,
                         ts_bw_rule rule, double bw_fixed, double *density, double *gibbs,
                         ts_sde_report *rep, ts_err *err);

/* Solve w' + eta (w'^3 - a w') = r for w' (the implicit step of the double
 * well, tilt folded into r); needs eta a < 1 so that the cubic is monotone.
 * ts_sde_implicit_cubic iterates to 4 ulp from any r; the _fast one is what
 * the chains use: a series start and one Newton step where
 * s = eta r^2 / (1 - eta a)^3 <= TS_IMPLICIT_FAST_S (relative error below
 * 2^-46, tests/unit/test_sde.c), the iteration elsewhere. Exposed for tests. */
double ts_sde_implicit_cubic(double r, double eta, double a);
double ts_sde_implicit_cubic_fast(double r, double eta, double a);
/* Solve w' + eta f'(w') = r for a poly potential (1 + eta inf f'' > 0). */
double ts_sde_implicit_poly(const ts_potential *p, double r, double eta);

#endif
