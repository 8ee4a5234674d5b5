/* test_sde.c: the SDE engine's deterministic parts: the implicit solver,
 * the fractional weights against their closed form and Fourier symbol,
 * K = 0 reducing to gradient descent, Gibbs densities against closed forms,
 * stream identity per chain, blow-up detection, bad configurations.
 * The statistical checks (densities against Gibbs and the exact stable law)
 * run from tests/cli/test_sde_cli.sh and tests/oracle/sde_stationary.py on
 * the optimised binary, where long runs take seconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <complex.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "tailsweep/ts_sde.h"

/* The root must satisfy the cubic to rounding: the residual relative to the
 * largest term is a few ulp, over |r| from 1e-300 to 1e+30 and eta a from
 * -10 to 0.999. */
static void test_implicit_cubic_residual(void **state)
{
    (void)state;
    const double etas[] = { 1e-4, 1e-3, 0.1, 0.9 }, as[] = { -10, 0, 1, 0.999 };
    double worst = 0;
    for (size_t ie = 0; ie < 4; ie++)
        for (size_t ia = 0; ia < 4; ia++) {
            double eta = etas[ie], a = as[ia] / (ia == 3 ? eta : 1);
            if (!(eta * a < 1)) continue;
            for (double e10 = -300; e10 <= 30; e10 += 0.37)
                for (int sg = -1; sg <= 1; sg += 2) {
                    double r = sg * pow(10, e10), w = ts_sde_implicit_cubic(r, eta, a);
                    double t1 = eta * w * w * w, t2 = (1 - eta * a) * w;
                    double scale = fabs(t1) + fabs(t2) + fabs(r);
                    double res = fabs(t1 + t2 - r) / scale;
                    if (res > worst) worst = res;
                    assert_true(signbit(w) == signbit(r));
                }
        }
    assert_true(worst < 8e-16);
    assert_true(ts_sde_implicit_cubic(0, 1e-3, 1) == 0);
}

/* Closed form g_k = (-1)^k Gamma(g + 1) / (Gamma(A - k + 1) Gamma(B + k + 1)) (times
 * sqrt(1 + c^2)), evaluated with GSL's 1/Gamma for |k| small enough not to
 * overflow. Tolerance 1e-11 relative: GSL's Gamma at negative non-integer
 * arguments is good to ~1e-13 and the recurrence adds ~|k| ulp. */
static double closed_weight(double A, double B, double s, int k)
{
    return s * (k % 2 ? -1 : 1) * gsl_sf_gamma(A + B + 1) * gsl_sf_gammainv(A - k + 1) * gsl_sf_gammainv(B + k + 1);
}

static void test_frac_weights_closed_form(void **state)
{
    (void)state;
    const double alphas[] = { 1.1, 1.5, 1.9 }, thetas[] = { 0, 0.5, -1 };
    for (int ia = 0; ia < 3; ia++)
        for (int it = 0; it < 3; it++) {
            double al = alphas[ia], th = thetas[it];
            ts_frac_drift d;
            assert_int_equal(ts_frac_drift_init(&d, al, th, 1, 1, 0.1, 60, TS_FRAC_GRUNWALD, NULL), TS_OK);
            double c = th * tan(M_PI * al / 2), del = 2 / M_PI * atan(c), gam = al - 2;
            double A = (gam + del) / 2, B = (gam - del) / 2, s = sqrt(1 + c * c);
            /* |theta| = 1 makes A or B zero up to rounding: one side's
             * weights vanish, so the scale of the check is the largest weight */
            double gmax = 0;
            for (int k = -60; k <= 60; k++) gmax = fmax(gmax, fabs(d.g[60 + k]));
            for (int k = -60; k <= 60; k++) {
                double ref = closed_weight(A, B, s, k);
                assert_true(fabs(d.g[60 + k] - ref) <= 1e-11 * fabs(ref) + 1e-14 * gmax);
            }
            if (th == 0)   /* the symmetric weights are symmetric */
                for (int k = 1; k <= 60; k++) assert_true(d.g[60 + k] == d.g[60 - k]);
            ts_frac_drift_free(&d);
        }
}

/* sum_k g_k exp(-i u k h) must approach |u h|^gam (1 + i c sgn u) as u h -> 0:
 * this is what makes b_{h,K} the fractional drift, and it fixes the phase
 * convention that docs/fractional-drift.md relies on. K is large so the
 * truncation (weights ~ |k|^(gam - 1)) is below the tolerance. */
static void test_frac_weights_symbol(void **state)
{
    (void)state;
    const unsigned K = 4000;
    const double al = 1.6, th = 0.5, h = 1;
    ts_frac_drift d;
    assert_int_equal(ts_frac_drift_init(&d, al, th, 1, 1, h, K, TS_FRAC_GRUNWALD, NULL), TS_OK);
    double c = th * tan(M_PI * al / 2), gam = al - 2;
    const double us[] = { 0.02, 0.05, -0.05 };
    for (int iu = 0; iu < 3; iu++) {
        double u = us[iu];
        double complex s = 0;
        for (int k = -(int)K; k <= (int)K; k++) s += d.g[K + k] * cexp(-I * u * k * h);
        double complex ref = pow(fabs(u * h), gam) * (1 + I * c * (u > 0 ? 1 : -1));
        /* relative agreement to O(u h) plus the truncation tail */
        assert_true(cabs(s - ref) / cabs(ref) < 0.05);
    }
    ts_frac_drift_free(&d);
}

/* K = 0, h = h0: the drift is -f' (docs/math.md section 2.7), for any alpha. */
static void test_frac_k0_is_gradient(void **state)
{
    (void)state;
    ts_potential p;
    ts_potential_double_well(&p, 1, 0.3, NULL);
    for (double al = 1.05; al <= 2.0; al += 0.15) {
        ts_frac_drift d;
        assert_int_equal(ts_frac_drift_init(&d, al, 0, 1, 1.3, ts_frac_drift_h0(al, TS_FRAC_GRUNWALD), 0, TS_FRAC_GRUNWALD, NULL), TS_OK);
        for (double w = -3; w <= 3; w += 0.25) {
            double b = ts_frac_drift_eval(&d, &p, w), g = ts_potential_grad(&p, w);
            assert_true(fabs(b + g) <= 1e-13 * (1 + fabs(g)));
        }
        ts_frac_drift_free(&d);
    }
}

/* A chain run with drift fractional, K = 0, h = h0 must follow the gradient
 * chain with the same noise: agreement to rounding over a short run (longer
 * runs would amplify the last-bit difference of h0^(2-alpha) g0 vs 1). */
static void test_frac_k0_run_matches_gradient(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.steps = 200;
    c.burnin = 0;
    c.chains = 16;
    c.alpha = 1.7;   /* theta = 0: h0 is defined by the symmetric g_0 */
    ts_sde_run_result a, b;
    assert_int_equal(ts_sde_run(&c, 7, 3, 0, &a, NULL), TS_OK);
    c.drift = TS_DRIFT_FRACTIONAL;
    c.frac_K = 0;
    c.frac_h = ts_frac_drift_h0(c.alpha, TS_FRAC_GRUNWALD);
    assert_int_equal(ts_sde_run(&c, 7, 3, 0, &b, NULL), TS_OK);
    for (size_t i = 0; i < c.grid.n; i++) assert_true(fabs(a.bins[0]->w[i] - b.bins[0]->w[i]) < 1e-9);
    assert_true(a.bins[0]->total == b.bins[0]->total);
    ts_sde_run_result_free(&a);
    ts_sde_run_result_free(&b);
}

static void test_gibbs_harmonic_closed_form(void **state)
{
    (void)state;
    ts_potential p;
    ts_potential_harmonic(&p, 2.5, NULL);
    ts_grid1d g;
    ts_grid1d_init(&g, -3, 3, 257, NULL);
    double dens[257], out;
    const double eps = 0.8, al = 1.5, var = pow(eps, al) / 2.5;
    assert_int_equal(ts_potential_gibbs(&p, eps, al, &g, dens, &out, NULL), TS_OK);
    for (size_t i = 0; i < g.n; i++) {
        double x = ts_grid1d_x(&g, i), ref = exp(-x * x / (2 * var)) / sqrt(2 * M_PI * var);
        assert_true(fabs(dens[i] - ref) < 1e-10 * ref + 1e-300);
    }
    assert_true(fabs(out - erfc(3 / sqrt(2 * var))) < 1e-10);
}

/* The quartic's Gibbs density integrates to 1 over a wide grid and its
 * minima of the tilted well are the stable roots of w^3 - a w + c. */
static void test_gibbs_quartic_and_minima(void **state)
{
    (void)state;
    ts_potential p;
    ts_potential_double_well(&p, 1.5, 0.2, NULL);
    ts_basins b;
    assert_int_equal(ts_potential_basins(&p, &b, NULL), TS_OK);
    assert_int_equal(b.n, 2);
    const double *m = b.min;
    for (int i = 0; i < 2; i++) {
        assert_true(fabs(ts_potential_grad(&p, m[i])) < 1e-12);
        assert_true(3 * m[i] * m[i] - 1.5 > 0);
    }
    assert_true(m[0] < b.hi[0] && b.hi[0] < m[1] && b.lo[1] == b.hi[0]);
    assert_true(fabs(ts_potential_grad(&p, b.hi[0])) < 1e-12 && ts_potential_hess(&p, b.hi[0]) < 0);
    assert_true(isinf(b.lo[0]) && b.lo[0] < 0 && isinf(b.hi[1]) && b.hi[1] > 0);
    ts_potential_double_well(&p, 1, 2, NULL);   /* tilt large enough for one well */
    assert_int_equal(ts_potential_basins(&p, &b, NULL), TS_OK);
    assert_int_equal(b.n, 1);
    ts_grid1d g;
    ts_grid1d_init(&g, -6, 6, 4001, NULL);
    static double dens[4001];
    double out;
    ts_potential_double_well(&p, 1, 0, NULL);
    assert_int_equal(ts_potential_gibbs(&p, 1, 1.3, &g, dens, &out, NULL), TS_OK);
    double s = 0;
    for (size_t i = 0; i < g.n; i++) s += dens[i] * g.dx * (i == 0 || i == g.n - 1 ? 0.5 : 1);
    assert_true(fabs(s - 1) < 1e-9);
    assert_true(out < 1e-30);
}

/* A chain's path depends on (seed, task, replicate, its index) only: with a
 * bound that makes chains diverge, the divergence steps of chains 0..15 are
 * the same whether the task has 16 or 40 chains, and change with the seed. */
static void test_chain_streams_independent_of_count(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = 1.2;
    c.bound = 4;
    c.steps = 3000;
    c.burnin = 0;
    c.chains = 16;
    ts_sde_run_result a, b, s;
    assert_int_equal(ts_sde_run(&c, 11, 5, 2, &a, NULL), TS_OK);
    c.chains = 40;
    assert_int_equal(ts_sde_run(&c, 11, 5, 2, &b, NULL), TS_OK);
    assert_int_equal(ts_sde_run(&c, 12, 5, 2, &s, NULL), TS_OK);
    assert_true(a.diverged > 0);
    int differ = 0;
    for (int j = 0; j < 16; j++) {
        assert_true(a.diverged_at[j] == b.diverged_at[j] || (isnan(a.diverged_at[j]) && isnan(b.diverged_at[j])));
        differ |= !(a.diverged_at[j] == s.diverged_at[j]) && !(isnan(a.diverged_at[j]) && isnan(s.diverged_at[j]));
    }
    assert_true(differ);
    ts_sde_run_result_free(&a);
    ts_sde_run_result_free(&b);
    ts_sde_run_result_free(&s);
}

/* Explicit Euler on the quartic with alpha = 1.1 blows up (a jump past
 * ~sqrt(2/eta) makes w^3 eta overshoot); the run must say so, never bin a
 * non-finite value, and the implicit scheme on the same noise must not. */
static void test_blowup_detected_euler_not_implicit(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.alpha = 1.1;
    c.eta0 = 1e-2;
    c.steps = 20000;
    c.chains = 24;
    c.bound = 1e100;
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(&c, 1, 0, 0, &r, NULL), TS_OK);
    assert_true(r.diverged > 0);
    for (uint64_t j = 0; j < c.chains; j++)
        assert_true(isnan(r.diverged_at[j]) || (r.diverged_at[j] >= 0 && r.diverged_at[j] < (double)c.steps));
    for (size_t i = 0; i < c.grid.n; i++) assert_true(isfinite(r.bins[0]->w[i]));
    assert_true(isfinite(r.bins[0]->total) && r.bins[0]->total > 0);
    ts_sde_run_result_free(&r);
    c.scheme = TS_SCHEME_IMPLICIT;
    assert_int_equal(ts_sde_run(&c, 1, 0, 0, &r, NULL), TS_OK);
    assert_int_equal(r.diverged, 0);
    ts_sde_run_result_free(&r);
}

/* Weighted median of the binned samples (out-of-window counts included). */
static double bins_median(const ts_bins *b)
{
    double acc = b->below, half = 0.5 * b->total;
    for (size_t i = 0; i < b->grid.n; i++) {
        acc += b->w[i];
        if (acc >= half) return ts_grid1d_x(&b->grid, i);
    }
    return b->grid.hi;
}

/* Separable d = 2 harmonic potential with theta = (+0.8, -0.8): each
 * coordinate's stationary law is S1((k alpha)^(-1/alpha), theta_i, 0)
 * (tests/oracle/sde_stationary.py), whose median is -0.4418 for theta = 0.8
 * (scipy.stats.levy_stable.median(1.5, 0.8, scale=1.5**(-1/1.5))) and
 * +0.4418 for -0.8. 32 chains x 60 time units: the medians of five seeds
 * scattered by ~0.05, so the tolerance is 0.15 (3 sd), far below the 0.88
 * that separates the two signs. */
static void test_per_coordinate_theta(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.dim = 2;
    c.alpha = 1.5;
    c.theta[0] = 0.8;
    c.theta[1] = -0.8;
    for (int i = 0; i < 2; i++) ts_potential_harmonic(&c.pot[i], 1, NULL);
    c.steps = 60000;
    c.thin = 10;
    c.chains = 32;
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(&c, 3, 0, 0, &r, NULL), TS_OK);
    double m0 = bins_median(r.bins[0]), m1 = bins_median(r.bins[1]);
    assert_true(fabs(m0 + 0.4418) < 0.15);
    assert_true(fabs(m1 - 0.4418) < 0.15);
    ts_sde_run_result_free(&r);
}

/* The decreasing schedule eta_k = eta0 / (1 + k/k0)^gamma reaches exactly
 * its closed-form value at the last step. */
static void test_decreasing_schedule(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.steps = 5000;
    c.chains = 8;
    c.gamma = 0.6;
    c.k0 = 100;
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(&c, 1, 0, 0, &r, NULL), TS_OK);
    double want = c.eta0 / pow(1 + 4999.0 / 100, 0.6);
    assert_true(fabs(r.final_eta - want) < 1e-15 * want);
    ts_sde_run_result_free(&r);
    c.gamma = 0;
    assert_int_equal(ts_sde_run(&c, 1, 0, 0, &r, NULL), TS_OK);
    assert_true(r.final_eta == c.eta0);
    ts_sde_run_result_free(&r);
}


/* The chains' implicit step: a series start and one Halley step where
 * s = eta q^2 / c <= 1/32 (q = r / c), the iteration beyond. Against the
 * iteration (4 ulp): the start's error 55 s^4 cubed by Halley times ~s
 * gives ~1.7e5 s^13 relative, 6e-15 at the bound, plus a few ulp of
 * rounding; the tolerance is 1e-14 over s from 1e-12 to the bound and
 * beyond it (where the iteration takes over) up to |r| = 1e6. */
static void test_implicit_fast_matches_iteration(void **state)
{
    (void)state;
    const double etas[] = { 1e-4, 1e-3, 1e-2 }, as[] = { 1, -2, 0.5 };
    double worst = 0;
    for (int ie = 0; ie < 3; ie++)
        for (int ia = 0; ia < 3; ia++) {
            double eta = etas[ie], a = as[ia] * (ia == 2 ? 1 / eta : 1), c = 1 - eta * a;
            for (double e10 = -6; e10 <= 6; e10 += 0.01)
                for (int sg = -1; sg <= 1; sg += 2) {
                    double r = sg * pow(10, e10);
                    double f = ts_sde_implicit_cubic_fast(r, eta, a), it = ts_sde_implicit_cubic(r, eta, a);
                    double rel = fabs(f - it) / fabs(it);
                    if (rel > worst) worst = rel;
                    (void)c;
                }
        }
    assert_true(worst < 1e-14);
    assert_true(ts_sde_implicit_cubic_fast(0, 1e-3, 1) == 0);
}

/* A polynomial's implicit step solves w + eta f'(w) = r to rounding, for
 * small and large r (large ones take the bracketed iteration), and the
 * quartic written as a polynomial agrees with the double well's solver. */
static void test_implicit_poly(void **state)
{
    (void)state;
    ts_potential p, q;
    assert_int_equal(ts_potential_parse_poly(&p, "0, 0, -0.585, 0.305, 0.20875, -0.2, 0.0416666666666667", "poly", NULL), TS_OK);
    assert_int_equal(ts_potential_parse_poly(&q, "0, 0, -0.5, 0, 0.25", "poly", NULL), TS_OK);
    for (double e10 = -8; e10 <= 8; e10 += 0.05)
        for (int sg = -1; sg <= 1; sg += 2) {
            double r = sg * pow(10, e10), eta = 1e-2;
            double w = ts_sde_implicit_poly(&p, r, eta);
            double g = eta * ts_potential_grad(&p, w);
            /* Horner's rounding of f' at large |w| is a few ulp of its largest term */
            assert_true(fabs(w + g - r) <= 4e-15 * (fabs(w) + fabs(g) + fabs(r)));
            double wq = ts_sde_implicit_poly(&q, r, 1e-3), wc = ts_sde_implicit_cubic(r, 1e-3, 1);
            assert_true(fabs(wq - wc) <= 4e-15 * fabs(wc));
        }
}

/* The paper's weights (4.8): c_gam (1 + theta sgn k) Gamma(|k| - gam) /
 * (Gamma(|k| + 1) Gamma(-gam)) against GSL's Gamma (1e-11 relative), and
 * K = 0 at the paper's h0 = (2 cos(gam pi / 2))^(1/(2 - alpha)) is -f'. */
static void test_paper_weights(void **state)
{
    (void)state;
    const double al = 1.4, th = -0.6, gam = al - 2, cg = 1 / (2 * cos(gam * M_PI / 2));
    ts_frac_drift d;
    assert_int_equal(ts_frac_drift_init(&d, al, th, 1, 1, 0.1, 80, TS_FRAC_PAPER, NULL), TS_OK);
    for (int k = -80; k <= 80; k++) {
        int j = abs(k);
        double ref = cg * (1 + th * (k > 0) - th * (k < 0)) * gsl_sf_gamma(j - gam) / (gsl_sf_gamma(j + 1) * gsl_sf_gamma(-gam));
        assert_true(fabs(d.g[80 + k] - ref) <= 1e-11 * fabs(ref));
    }
    ts_frac_drift_free(&d);
    ts_potential p;
    ts_potential_double_well(&p, 1, 0.3, NULL);
    for (double a2 = 1.05; a2 <= 1.96; a2 += 0.15) {
        double h0 = ts_frac_drift_h0(a2, TS_FRAC_PAPER);
        assert_true(fabs(h0 - pow(2 * cos((a2 - 2) * M_PI / 2), 1 / (2 - a2))) < 1e-14 * h0);
        assert_int_equal(ts_frac_drift_init(&d, a2, 0, 1, 1.3, h0, 0, TS_FRAC_PAPER, NULL), TS_OK);
        for (double w = -3; w <= 3; w += 0.25) {
            double b = ts_frac_drift_eval(&d, &p, w), g = ts_potential_grad(&p, w);
            assert_true(fabs(b + g) <= 1e-13 * (1 + fabs(g)));
        }
        ts_frac_drift_free(&d);
    }
}

/* The symbol of (4.8) as printed: its centre weight counts once where the
 * two one-sided Grunwald operators have it twice, so
 *   sum_k g_k e^{-iukh} = |uh|^gam (1 + i theta tan(pi alpha/2) sgn u) - c_gam + O(|uh|^(gam+1)),
 * the same skewness as the two-sided weights with frac_sign = +1 and an
 * extra constant -c_gam. Checked at small u h with K large. */
static void test_paper_symbol(void **state)
{
    (void)state;
    const unsigned K = 4000;
    const double al = 1.6, th = 0.5, gam = al - 2, cg = 1 / (2 * cos(gam * M_PI / 2));
    ts_frac_drift d;
    assert_int_equal(ts_frac_drift_init(&d, al, th, 1, 1, 1, K, TS_FRAC_PAPER, NULL), TS_OK);
    const double us[] = { 0.02, 0.05, -0.05 };
    for (int iu = 0; iu < 3; iu++) {
        double u = us[iu];
        double complex s = 0;
        for (int k = -(int)K; k <= (int)K; k++) s += d.g[K + k] * cexp(-I * u * k);
        double complex ref = pow(fabs(u), gam) * (1 + I * th * tan(M_PI * al / 2) * (u > 0 ? 1 : -1)) - cg;
        /* O(u h) plus the truncation tail (weights ~ |k|^(gam - 1)), as for the two-sided weights */
        assert_true(cabs(s - ref) / cabs(ref) < 0.05);
        /* without the constant it would be off by c_gam / |ref| = 16-22% */
        assert_true(cabs(s - ref - cg) / cabs(ref) > 0.12);
    }
    ts_frac_drift_free(&d);
}

/* The exact fractional drift of the harmonic potential f = w^2 / 2 (Gibbs
 * N(0, s2), s2 = eps^alpha): from F[b phi](u) = -|u|^gam (1 + i c sgn u) F[f' phi](u),
 *   b(w) = -(s^3 sqrt(2 pi) / pi) e^{w^2 / (2 s2)} int_0^inf u^(1+gam) e^{-s2 u^2 / 2} (sin uw + c cos uw) du
 * (docs/fractional-drift.md; at alpha = 2 it is -w). Both discretisations
 * approach it as h falls; the paper's carries the extra + c_gam h^(2-alpha) f'
 * of its centre weight, so it converges like h^(2-alpha), the two-sided
 * Grunwald weights like h. K h = 12 s covers the Gaussian. */
typedef struct {
    double s2, gam, w, c;
} exact_arg;

static double exact_integrand(double u, void *v)
{
    const exact_arg *e = v;
    return pow(u, 1 + e->gam) * exp(-e->s2 * u * u / 2) * (sin(u * e->w) + e->c * cos(u * e->w));
}

static double exact_drift(double al, double th, double eps, double w)
{
    double s2 = pow(eps, al), s = sqrt(s2), c = th * tan(M_PI * al / 2);
    exact_arg e = { s2, al - 2, w, c };
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    gsl_function F = { exact_integrand, &e };
    double v, abserr;
    gsl_integration_qags(&F, 0, 40 / s, 0, 1e-12, 2000, ws, &v, &abserr);
    gsl_integration_workspace_free(ws);
    return -(s2 * s * sqrt(2 * M_PI) / M_PI) * exp(w * w / (2 * s2)) * v;
}

static void test_drift_discretisations_vs_exact(void **state)
{
    (void)state;
    const double al = 1.5, th = 0.5, eps = 1, cg = 1 / (2 * cos((al - 2) * M_PI / 2));
    ts_potential p;
    ts_potential_harmonic(&p, 1, NULL);
    const double hs[] = { 0.1, 0.05, 0.025 }, ws[] = { -1.2, -0.5, 0.3, 1.0 };
    double err_g[3] = { 0 }, err_p[3] = { 0 }, resid_p[3] = { 0 };
    for (int ih = 0; ih < 3; ih++) {
        unsigned K = (unsigned)lround(12 / hs[ih]);
        ts_frac_drift dg, dp;
        assert_int_equal(ts_frac_drift_init(&dg, al, th, 1, eps, hs[ih], K, TS_FRAC_GRUNWALD, NULL), TS_OK);
        assert_int_equal(ts_frac_drift_init(&dp, al, th, 1, eps, hs[ih], K, TS_FRAC_PAPER, NULL), TS_OK);
        for (int iw = 0; iw < 4; iw++) {
            double w = ws[iw], ex = exact_drift(al, th, eps, w);
            double bg = ts_frac_drift_eval(&dg, &p, w), bp = ts_frac_drift_eval(&dp, &p, w);
            err_g[ih] = fmax(err_g[ih], fabs(bg - ex));
            err_p[ih] = fmax(err_p[ih], fabs(bp - ex));
            /* what is left of the paper's error after its centre term */
            resid_p[ih] = fmax(resid_p[ih], fabs(bp - ex - cg * pow(hs[ih], 2 - al) * w));
        }
        ts_frac_drift_free(&dg);
        ts_frac_drift_free(&dp);
    }
    /* the exact drift itself: at alpha = 2 the formula gives -w */
    assert_true(fabs(exact_drift(2, 0, 0.8, 0.7) + 0.7) < 1e-9);
    for (int ih = 0; ih < 3; ih++) print_message("h %.3f: |grunwald - exact| %.2e  |paper - exact| %.2e  after its centre term %.2e\n",
                                                 hs[ih], err_g[ih], err_p[ih], resid_p[ih]);
    /* Grunwald: first order, halving h at least 1.6x smaller, and 1% at h = 0.025 */
    assert_true(err_g[1] < err_g[0] / 1.6 && err_g[2] < err_g[1] / 1.6 && err_g[2] < 0.01);
    /* the paper's: dominated by c_gam h^(2-alpha) w, which explains >= 80% of it */
    for (int ih = 0; ih < 3; ih++) assert_true(resid_p[ih] < 0.2 * err_p[ih] && err_p[ih] > 3 * err_g[ih]);
}

static void expect_bad(ts_sde_config *c, const char *word)
{
    ts_err err = { 0 };
    ts_sde_run_result r;
    assert_int_equal(ts_sde_run(c, 1, 0, 0, &r, &err), TS_EINVAL);
    if (!strstr(err.msg, word)) fail_msg("message '%s' lacks '%s'", err.msg, word);
    ts_sde_config_default(c);
}

static void test_bad_configurations(void **state)
{
    (void)state;
    ts_sde_config c;
    ts_sde_config_default(&c);
    c.eta0 = 0; expect_bad(&c, "eta");
    c.eta0 = -1; expect_bad(&c, "eta");
    c.alpha = 2.5; expect_bad(&c, "alpha");
    c.alpha = 0; expect_bad(&c, "alpha");
    c.theta[0] = 1.5; expect_bad(&c, "theta");
    c.eps = 0; expect_bad(&c, "eps");
    c.burnin = c.steps; expect_bad(&c, "burnin");
    c.chains = 0; expect_bad(&c, "chains");
    c.scheme = TS_SCHEME_IMPLICIT; c.eta0 = 2; expect_bad(&c, "eta * a < 1");
    c.drift = TS_DRIFT_FRACTIONAL; c.alpha = 0.9; expect_bad(&c, "alpha");
    c.drift = TS_DRIFT_FRACTIONAL; c.frac_h = 0; expect_bad(&c, "h = 0 must be > 0");
    c.drift = TS_DRIFT_FRACTIONAL; c.frac_K = TS_FRAC_MAX_K + 1; expect_bad(&c, "K");
    c.drift = TS_DRIFT_FRACTIONAL; c.scheme = TS_SCHEME_IMPLICIT; expect_bad(&c, "implicit");
    c.grid.lo = 3; expect_bad(&c, "grid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_implicit_cubic_residual),
        cmocka_unit_test(test_frac_weights_closed_form),
        cmocka_unit_test(test_frac_weights_symbol),
        cmocka_unit_test(test_frac_k0_is_gradient),
        cmocka_unit_test(test_frac_k0_run_matches_gradient),
        cmocka_unit_test(test_gibbs_harmonic_closed_form),
        cmocka_unit_test(test_gibbs_quartic_and_minima),
        cmocka_unit_test(test_chain_streams_independent_of_count),
        cmocka_unit_test(test_blowup_detected_euler_not_implicit),
        cmocka_unit_test(test_per_coordinate_theta),
        cmocka_unit_test(test_decreasing_schedule),
        cmocka_unit_test(test_bad_configurations),
        cmocka_unit_test(test_implicit_fast_matches_iteration),
        cmocka_unit_test(test_implicit_poly),
        cmocka_unit_test(test_paper_weights),
        cmocka_unit_test(test_paper_symbol),
        cmocka_unit_test(test_drift_discretisations_vs_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
