/* test_density.c: binning, KDE, bandwidths and bias metrics against exact
 * arithmetic and closed forms.
 *
 * Every random input comes from a fixed seed, so outcomes are deterministic.
 * Each tolerance is derived next to its check; the kinds are:
 *  - exact: dyadic inputs make every operation of the binning exact, so mass
 *    and first moment are compared with ==;
 *  - deterministic bounds: linear binning changes a KDE by at most
 *    dx^2 / 8 sup|K''| (the error of linear interpolation), quantiles by at
 *    most 1.5 dx, the parabolic vertex by dx^2 |p'''| / (6 |p''|) + ...;
 *  - Monte-Carlo bounds: 5 standard deviations of an estimator whose variance
 *    is known in closed form (a correct implementation fails one such check
 *    on a fresh seed with probability ~6e-7 per independent comparison);
 *  - quadrature bounds: trapezoid error on the grids used.
 * Negative controls show the statistical checks can fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_helpers.h"
#include "tailsweep/ts_density.h"
#include "tailsweep/ts_stable.h"

#define SQRT2PI 2.5066282746310002

static double npdf(double x, double mu, double sd)
{
    double z = (x - mu) / sd;
    return exp(-0.5 * z * z) / (sd * SQRT2PI);
}
static double ncdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* n draws of N(mu, sd^2): alpha = 2 stable with scale sd / sqrt(2), since
 * S(2, ., sigma) is N(0, 2 sigma^2). */
static double *gauss_draws(size_t n, double mu, double sd, uint64_t seed)
{
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    ts_stable law;
    ts_rng r;
    assert_int_equal(ts_stable_init(&law, 2.0, 0.0, sd / sqrt(2.0), mu, TS_S1, NULL), TS_OK);
    assert_int_equal(ts_rng_init(&r, seed, 0, 0, TS_PURPOSE_TEST, NULL), TS_OK);
    ts_stable_fill(&law, &r, n, x);
    return x;
}

static ts_bins *bins_of(double lo, double hi, size_t n)
{
    ts_grid1d g;
    ts_err err;
    assert_int_equal(ts_grid1d_init(&g, lo, hi, n, &err), TS_OK);
    ts_bins *b = ts_bins_alloc(&g, &err);
    assert_non_null(b);
    return b;
}

static double wsum(const ts_bins *b)
{
    double s = 0;
    for (size_t i = 0; i < b->grid.n; i++) s += b->w[i];
    return s;
}

#define EXPECT_ERR(call, code, word)                                                   \
    do {                                                                               \
        ts_err_clear(&err);                                                            \
        assert_int_equal((call), (code));                                              \
        if (!strstr(err.msg, (word))) print_message("message '%s' lacks '%s'\n", err.msg, (word)); \
        assert_non_null(strstr(err.msg, (word)));                                      \
    } while (0)

/* ---- arguments ------------------------------------------------------------ */

static void test_bad_arguments(void **state)
{
    (void)state;
    ts_err err;
    ts_grid1d g;
    EXPECT_ERR(ts_grid1d_init(&g, 1, 1, 10, &err), TS_EINVAL, "lo");
    EXPECT_ERR(ts_grid1d_init(&g, 2, 1, 10, &err), TS_EINVAL, "lo");
    EXPECT_ERR(ts_grid1d_init(&g, NAN, 1, 10, &err), TS_EINVAL, "lo");
    EXPECT_ERR(ts_grid1d_init(&g, 0, INFINITY, 10, &err), TS_EINVAL, "hi");
    EXPECT_ERR(ts_grid1d_init(&g, 0, 1, 1, &err), TS_EINVAL, "n = 1");
    EXPECT_ERR(ts_grid1d_init(&g, 0, 1, 0, &err), TS_EINVAL, "n = 0");
    EXPECT_ERR(ts_grid1d_init(&g, 0, 1, ((size_t)1 << 24) + 1, &err), TS_EINVAL, "n =");
    EXPECT_ERR(ts_grid1d_init(&g, -1e308, 1e308, 10, &err), TS_EINVAL, "dx");
    assert_int_equal(ts_grid1d_init(&g, 0, 1, 2, &err), TS_OK);
    assert_true(g.dx == 1.0 && ts_grid1d_x(&g, 1) == 1.0);

    ts_grid1d bad = { 0, 1, 0.5, 1 };   /* hand-filled, n < 2 */
    ts_err_clear(&err);
    assert_null(ts_bins_alloc(&bad, &err));
    assert_non_null(strstr(err.msg, "n = 1"));

    ts_bins *b = bins_of(-1, 1, 11), *c = bins_of(-1, 1.5, 11), *d = bins_of(-1, 1, 12);
    double out[12];
    EXPECT_ERR(ts_kde_binned(b, 0.1, out, &err), TS_EINVAL, "empty");
    ts_bins_add(b, 0.3);
    ts_bins_add(b, -0.2);
    EXPECT_ERR(ts_kde_binned(b, 0.0, out, &err), TS_EINVAL, "bw");
    EXPECT_ERR(ts_kde_binned(b, -1.0, out, &err), TS_EINVAL, "bw");
    EXPECT_ERR(ts_kde_binned(b, NAN, out, &err), TS_EINVAL, "bw");
    EXPECT_ERR(ts_bins_merge(b, c, &err), TS_EINVAL, "grid");
    EXPECT_ERR(ts_bins_merge(b, d, &err), TS_EINVAL, "grid");
    EXPECT_ERR(ts_bins_merge(b, NULL, &err), TS_EINVAL, "src");

    double x[3] = { 0.1, INFINITY, 0.2 };
    EXPECT_ERR(ts_kde_direct(x, 0, 0.1, &b->grid, out, &err), TS_EINVAL, "n = 0");
    EXPECT_ERR(ts_kde_direct(x, 3, 0.1, &b->grid, out, &err), TS_EINVAL, "x[1]");
    EXPECT_ERR(ts_kde_direct(x, 1, -0.1, &b->grid, out, &err), TS_EINVAL, "bw");
    EXPECT_ERR(ts_kde_direct(x, 1, 0.1, &bad, out, &err), TS_EINVAL, "n = 1");

    double bw;
    ts_bins_reset(c);
    EXPECT_ERR(ts_bw_silverman(c, &bw, &err), TS_EINVAL, "at least 2");
    ts_bins_add(c, 0.1);
    ts_bins_add(c, 7.0);   /* one sample in the window: too few for ISJ */
    EXPECT_ERR(ts_bw_isj(c, &bw, &err), TS_EINVAL, "at least 2");

    ts_bw_rule r;
    assert_int_equal(ts_bw_rule_parse("ISJ", &r, &err), TS_OK);
    assert_int_equal(r, TS_BW_ISJ);
    assert_int_equal(ts_bw_rule_parse("silverman", &r, &err), TS_OK);
    assert_int_equal(r, TS_BW_SILVERMAN);
    assert_int_equal(ts_bw_rule_parse("fixed", &r, &err), TS_OK);
    assert_int_equal(r, TS_BW_FIXED);
    EXPECT_ERR(ts_bw_rule_parse("scott", &r, &err), TS_EINVAL, "scott");
    assert_string_equal(ts_bw_rule_name(TS_BW_ISJ), "isj");
    assert_string_equal(ts_bw_rule_name(TS_BW_SILVERMAN), "silverman");
    assert_string_equal(ts_bw_rule_name(TS_BW_FIXED), "fixed");

    ts_metrics m;
    double p[11], q[11], mins[TS_MAX_MODES + 1] = { 0 };
    for (int i = 0; i < 11; i++) p[i] = q[i] = npdf(ts_grid1d_x(&b->grid, i), 0, 0.3);
    EXPECT_ERR(ts_metrics_compute(&b->grid, p, 0, q, 0, mins, TS_MAX_MODES + 1, &m, &err),
               TS_EINVAL, "n_min");
    EXPECT_ERR(ts_metrics_compute(&b->grid, p, 1.5, q, 0, mins, 1, &m, &err), TS_EINVAL, "p_out");
    EXPECT_ERR(ts_metrics_compute(&b->grid, p, 0, q, -0.1, mins, 1, &m, &err), TS_EINVAL, "q_out");
    EXPECT_ERR(ts_metrics_compute(&b->grid, p, 0, q, 0, NULL, 1, &m, &err), TS_EINVAL, "minima");
    p[4] = -1e-3;
    EXPECT_ERR(ts_metrics_compute(&b->grid, p, 0, q, 0, mins, 1, &m, &err), TS_EINVAL, "p[4]");
    ts_bins_free(b);
    ts_bins_free(c);
    ts_bins_free(d);
}

/* ---- binning -------------------------------------------------------------- */

/* On a grid with dx = 1/4 every grid coordinate and fraction below is exact. */
static void test_binning_placement(void **state)
{
    (void)state;
    ts_bins *b = bins_of(-4, 4, 33);
    assert_true(b->grid.dx == 0.25);

    ts_bins_add(b, -2.75);               /* grid point 5: all on it */
    assert_true(b->w[5] == 1.0 && wsum(b) == 1.0);
    ts_bins_reset(b);
    ts_bins_add(b, -2.625);              /* midway between 5 and 6 */
    assert_true(b->w[5] == 0.5 && b->w[6] == 0.5);
    ts_bins_reset(b);
    ts_bins_add(b, -1.4375);             /* a quarter of the way from 10 to 11 */
    assert_true(b->w[10] == 0.75 && b->w[11] == 0.25 && wsum(b) == 1.0);
    ts_bins_reset(b);
    ts_bins_add(b, 4.0);                 /* exactly hi: last point */
    ts_bins_add(b, -4.0);                /* exactly lo: first point */
    assert_true(b->w[32] == 1.0 && b->w[0] == 1.0 && wsum(b) == 2.0);
    ts_bins_add(b, nextafter(4.0, 5.0)); /* one ulp outside either end */
    ts_bins_add(b, nextafter(-4.0, -5.0));
    ts_bins_add(b, -1e300);
    ts_bins_add(b, INFINITY);
    ts_bins_add(b, -INFINITY);
    assert_true(b->above == 2 && b->below == 3 && b->total == 7 && wsum(b) == 2.0);
    assert_true(ts_bins_out_mass(b) == 5.0 / 7.0);
    ts_bins_reset(b);
    assert_true(ts_bins_out_mass(b) == 0.0);

    /* A grid whose dx is not a binary fraction: x == hi still lands wholly
     * on the last point and nothing is written past it (ASan watches). */
    ts_bins *c = bins_of(-1.0 / 3, 0.7, 7);
    ts_bins_add(c, 0.7);
    assert_true(c->w[6] == 1.0 && wsum(c) == 1.0 && c->above == 0);

    /* add_n with a mask equals the corresponding single adds, bit for bit */
    enum { N = 5000 };
    double *x = gauss_draws(N, 0.0, 3.0, 7);
    unsigned char keep[N];
    for (size_t j = 0; j < N; j++) keep[j] = (unsigned char)(j % 3 != 0);
    ts_bins_reset(b);
    ts_bins_add_n(b, x, keep, N);
    ts_bins *s = bins_of(-4, 4, 33);
    for (size_t j = 0; j < N; j++)
        if (keep[j]) ts_bins_add(s, x[j]);
    assert_memory_equal(b->w, s->w, 33 * sizeof(double));
    assert_true(b->below == s->below && b->above == s->above && b->total == s->total);
    assert_true(b->below > 0 && b->above > 0);
    ts_bins_reset(b);
    ts_bins_add_n(b, x, NULL, N);
    assert_true(b->total == N);
    free(x);
    ts_bins_free(b);
    ts_bins_free(c);
    ts_bins_free(s);
}

/* Mass conservation and the first moment. With samples on multiples of 2^-10
 * and dx = 1/4, every fraction f, 1 - f, weight and partial sum is a multiple
 * of 2^-8 far below 2^45, so binning is exact arithmetic and both identities
 * must hold with ==. For arbitrary samples the only error is rounding:
 * recursive summation of m positive terms errs by at most (m - 1) u times
 * their sum (u = 2^-53), each 1 - f by u, so |sum w - n_in| <= u (2n + G) n. */
static void test_binning_mass_and_moment(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *x = gauss_draws(N, 0.3, 2.5, 11);
    ts_bins *b = bins_of(-4, 4, 33);
    double in_sum = 0, n_in = 0;
    for (size_t j = 0; j < N; j++) {
        x[j] = ldexp(nearbyint(ldexp(x[j], 10)), -10);   /* a multiple of 2^-10 */
        ts_bins_add(b, x[j]);
        if (x[j] >= -4 && x[j] <= 4) {
            in_sum += x[j];
            n_in += 1;
        }
    }
    double m1 = 0;
    for (size_t i = 0; i < 33; i++) m1 += b->w[i] * ts_grid1d_x(&b->grid, i);
    assert_true(b->below > 1000 && b->above > 1000);   /* both tails exercised */
    assert_true(wsum(b) + b->below + b->above == b->total);
    assert_true(b->total == N && wsum(b) == n_in);
    assert_true(m1 == in_sum);

    /* arbitrary samples on a grid with an inexact dx */
    double *y = gauss_draws(N, 0.3, 2.5, 12);
    ts_bins *c = bins_of(-4.1, 3.9, 101);
    in_sum = n_in = 0;
    double xmax = 0;
    for (size_t j = 0; j < N; j++) {
        ts_bins_add(c, y[j]);
        if (y[j] >= -4.1 && y[j] <= 3.9) {
            in_sum += y[j];
            n_in += 1;
            xmax = fmax(xmax, fabs(y[j]));
        }
    }
    double u = 0x1p-53, tol = u * (2.0 * N + 101) * N;
    assert_true(fabs(wsum(c) + c->below + c->above - c->total) <= tol);
    m1 = 0;
    for (size_t i = 0; i < 101; i++) m1 += c->w[i] * ts_grid1d_x(&c->grid, i);
    /* same rounding budget on values up to max|x|, plus x_i = lo + i dx (2u each) */
    assert_true(fabs(m1 - in_sum) <= (tol + 2 * u * N) * fmax(xmax, 4.1));
    print_message("mass error %.3g (bound %.3g), moment error %.3g\n",
                  fabs(wsum(c) + c->below + c->above - c->total), tol, fabs(m1 - in_sum));
    free(x);
    free(y);
    ts_bins_free(b);
    ts_bins_free(c);
}

/* Merging the bins of two halves gives the bins of the whole (exact on
 * dyadic samples, where every sum is exact whatever its order). */
static void test_merge_and_reset(void **state)
{
    (void)state;
    enum { N = 20000 };
    double *x = gauss_draws(N, 0.0, 3.0, 13);
    for (size_t j = 0; j < N; j++) x[j] = ldexp(nearbyint(ldexp(x[j], 10)), -10);
    ts_bins *all = bins_of(-4, 4, 33), *a = bins_of(-4, 4, 33), *b = bins_of(-4, 4, 33);
    ts_bins_add_n(all, x, NULL, N);
    ts_bins_add_n(a, x, NULL, N / 3);
    ts_bins_add_n(b, x + N / 3, NULL, N - N / 3);
    ts_err err;
    assert_int_equal(ts_bins_merge(a, b, &err), TS_OK);
    assert_memory_equal(a->w, all->w, 33 * sizeof(double));
    assert_true(a->below == all->below && a->above == all->above && a->total == N);
    /* src untouched */
    assert_true(b->total == N - N / 3);
    ts_bins_reset(a);
    for (size_t i = 0; i < 33; i++) assert_true(a->w[i] == 0.0);
    assert_true(a->below == 0 && a->above == 0 && a->total == 0);
    assert_true(a->grid.n == 33 && a->grid.lo == -4 && a->grid.hi == 4);
    free(x);
    ts_bins_free(all);
    ts_bins_free(a);
    ts_bins_free(b);
}

/* ---- KDE ------------------------------------------------------------------ */

/* The binned KDE at x_i replaces each sample's K(x_i - X) by the linear
 * interpolation of K between the two grid points around X, which errs by at
 * most dx^2 / 8 sup|K''|; for K(u) = phi(u / h) / h, sup|K''| = phi(0) / h^3.
 * So |binned - direct| <= dx^2 / (8 sqrt(2 pi) h^3) for in-window samples,
 * with no statistics involved. Kernel truncation at 8h (exp(-32)/h) and FFT
 * rounding (~1e-16 of the peak) add the 1e-12 slack. */
static double binning_bound(double dx, double h) { return dx * dx / (8 * SQRT2PI * h * h * h) + 1e-12; }

static double max_diff(const double *a, const double *b, size_t n)
{
    double d = 0;
    for (size_t i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
    return d;
}

static void test_kde_binned_vs_direct(void **state)
{
    (void)state;
    enum { N = 2000, G = 401 };
    double *x = gauss_draws(N, 0.0, 1.0, 21);
    ts_bins *b = bins_of(-6, 6, G);
    ts_bins_add_n(b, x, NULL, N);
    assert_true(b->below == 0 && b->above == 0);
    ts_err err;
    double fb[G], fd[G], bw;
    assert_int_equal(ts_bw_silverman(b, &bw, &err), TS_OK);
    /* Silverman's h, a narrow one (3 dx), and one wider than the window
     * (every lag of the kernel is needed, the FFT length is capped) */
    const double hs[] = { bw, 3 * b->grid.dx, 20.0 };
    for (size_t k = 0; k < 3; k++) {
        double h = hs[k];
        assert_int_equal(ts_kde_binned(b, h, fb, &err), TS_OK);
        assert_int_equal(ts_kde_direct(x, N, h, &b->grid, fd, &err), TS_OK);
        double d = max_diff(fb, fd, G), bound = binning_bound(b->grid.dx, h);
        print_message("h = %.4f: max |binned - direct| = %.3g, bound %.3g\n", h, d, bound);
        assert_true(d <= bound);
    }

    /* Heavy tails with mass outside the window: the binned KDE equals the
     * direct KDE of the in-window samples scaled by n_in / total (the
     * normalisation convention), within the same bound scaled likewise. */
    ts_stable law;
    ts_rng r;
    ts_stable_init(&law, 1.5, 0.5, 1.0, 0.0, TS_S1, NULL);
    ts_rng_init(&r, 22, 0, 0, TS_PURPOSE_TEST, NULL);
    enum { M = 3000 };
    double *y = malloc(M * sizeof *y), *yin = malloc(M * sizeof *y);
    assert_non_null(y);
    assert_non_null(yin);
    ts_stable_fill(&law, &r, M, y);
    ts_bins *c = bins_of(-3, 3, G);
    ts_bins_add_n(c, y, NULL, M);
    size_t n_in = 0;
    for (size_t j = 0; j < M; j++)
        if (y[j] >= -3 && y[j] <= 3) yin[n_in++] = y[j];
    assert_true(c->below + c->above > 100);
    double h = 0.2;
    assert_int_equal(ts_kde_binned(c, h, fb, &err), TS_OK);
    assert_int_equal(ts_kde_direct(yin, n_in, h, &c->grid, fd, &err), TS_OK);
    double s = (double)n_in / M;
    for (size_t i = 0; i < G; i++) fd[i] *= s;
    double d = max_diff(fb, fd, G), bound = s * binning_bound(c->grid.dx, h);
    print_message("heavy tails, out mass %.3f: max diff %.3g, bound %.3g\n",
                  ts_bins_out_mass(c), d, bound);
    assert_true(d <= bound);
    /* it integrates to the in-window mass less the kernel spill at the
     * edges, which cannot exceed the in-window mass */
    double integ = 0;
    for (size_t i = 0; i < G; i++) integ += (i == 0 || i == G - 1 ? 0.5 : 1.0) * fb[i];
    integ *= c->grid.dx;
    assert_true(integ <= 1 - ts_bins_out_mass(c) + 1e-12 && integ > 0.9 * (1 - ts_bins_out_mass(c)));
    free(x);
    free(y);
    free(yin);
    ts_bins_free(b);
    ts_bins_free(c);
}

/* Small and degenerate cases: a two-point grid, a kernel narrower than dx
 * (sampled at the grid points only: the bins divided by total bw sqrt(2 pi)),
 * bins whose samples all fell outside (a zero density, not an error), and a
 * bandwidth too small to represent (TS_ERANGE, never inf or NaN). */
static void test_kde_edge_cases(void **state)
{
    (void)state;
    ts_err err;
    ts_bins *b = bins_of(0, 1, 2);
    double f[2], d[2], x[3] = { 0.25, 0.5, 1.0 };
    ts_bins_add_n(b, x, NULL, 3);
    assert_true(b->w[0] == 0.75 + 0.5 && b->w[1] == 0.25 + 0.5 + 1.0);
    assert_int_equal(ts_kde_binned(b, 0.7, f, &err), TS_OK);
    assert_int_equal(ts_kde_direct(x, 3, 0.7, &b->grid, d, &err), TS_OK);
    assert_true(max_diff(f, d, 2) <= binning_bound(1.0, 0.7));
    double h = 1e-3;   /* exp(-0.5 (1/h)^2) underflows to 0: no neighbour term */
    assert_int_equal(ts_kde_binned(b, h, f, &err), TS_OK);
    for (int i = 0; i < 2; i++)
        assert_true(fabs(f[i] - b->w[i] / (3 * h * SQRT2PI)) <= 1e-12 * f[i]);
    double bw;
    assert_int_equal(ts_bw_isj(b, &bw, &err) == TS_OK || err.code == TS_ERANGE, 1);
    assert_true(isfinite(bw) && bw >= b->grid.dx);

    ts_bins *c = bins_of(-1, 1, 64);
    ts_bins_add(c, 5.0);
    ts_bins_add(c, -5.0);
    double g[64];
    assert_int_equal(ts_kde_binned(c, 0.1, g, &err), TS_OK);
    for (int i = 0; i < 64; i++) assert_true(g[i] == 0.0);
    EXPECT_ERR(ts_kde_binned(b, 1e-320, f, &err), TS_ERANGE, "bw");
    ts_bins_free(b);
    ts_bins_free(c);
}

/* The KDE of N(0,1) samples estimates N(0,1) convolved with the kernel,
 * N(0, 1 + h^2). At a point x the estimator's variance is exactly
 *   (1/N) [ int K_h(x-y)^2 phi(y) dy - g(x)^2 ]
 *   = (1/N) [ pdf_{N(0, 1 + h^2/2)}(x) / (2 sqrt(pi) h) - g(x)^2 ],
 * so each grid point is checked at 5 sd, plus the deterministic binning bound.
 * Errors are correlated over ~h, so the 2049 points are ~16/0.3 ~ 50
 * independent checks: P(false failure) ~ 50 * 5.7e-7 = 3e-5. */
static void test_kde_gaussian_limit(void **state)
{
    (void)state;
    enum { N = 2000000, G = 2049 };
    double *x = gauss_draws(N, 0.0, 1.0, 31);
    ts_bins *b = bins_of(-8, 8, G);
    ts_bins_add_n(b, x, NULL, N);
    double *f = malloc(G * sizeof *f), h = 0.3, worst = 0, ctl = 0;
    assert_non_null(f);
    ts_err err;
    assert_int_equal(ts_kde_binned(b, h, f, &err), TS_OK);
    double sdk = sqrt(1 + h * h), bin = binning_bound(b->grid.dx, h);
    for (size_t i = 0; i < G; i++) {
        double xi = ts_grid1d_x(&b->grid, i), g = npdf(xi, 0, sdk);
        double var = (npdf(xi, 0, sqrt(1 + h * h / 2)) / (2 * sqrt(M_PI) * h) - g * g) / N;
        double tol = 5 * sqrt(fmax(var, 0)) + bin;
        worst = fmax(worst, fabs(f[i] - g) / tol);
        /* negative control: forgetting the kernel's h^2 in the variance */
        ctl = fmax(ctl, fabs(f[i] - npdf(xi, 0, 1)) / tol);
    }
    print_message("KDE vs N(0, 1 + h^2): worst |error| / tolerance = %.3f; "
                  "against N(0, 1): %.1f\n", worst, ctl);
    assert_true(worst <= 1.0);
    assert_true(ctl > 1.0);
    free(f);
    free(x);
    ts_bins_free(b);
}

/* ---- bandwidths ----------------------------------------------------------- */

/* The binned quartile q_b satisfies F_n(q_b - 1.5 dx) <= p <= F_n(q_b + 1.5 dx)
 * (linear binning moves a sample < dx, spreading a weight over its cell
 * dx / 2 more), so with r = p n an integer, q_b lies in
 * [x_(r) - 1.5 dx, x_(r+1) + 1.5 dx]: an exact interval for Silverman's bw. */
static void test_silverman(void **state)
{
    (void)state;
    enum { N = 100000, G = 1024 };
    double *x = gauss_draws(N, 0.0, 1.0, 41);
    ts_bins *b = bins_of(-6, 6, G);
    ts_bins_add_n(b, x, NULL, N);
    qsort(x, N, sizeof *x, cmp_double);
    ts_err err;
    double bw;
    assert_int_equal(ts_bw_silverman(b, &bw, &err), TS_OK);
    size_t r1 = N / 4, r3 = 3 * N / 4;   /* order statistic x_(r) is x[r - 1] */
    double dx = b->grid.dx, c = 0.9 / 1.34 * pow(N, -0.2);
    double iqr_lo = x[r3 - 1] - x[r1] - 3 * dx, iqr_hi = x[r3] - x[r1 - 1] + 3 * dx;
    print_message("silverman %.6f in [%.6f, %.6f]\n", bw, c * iqr_lo, c * iqr_hi);
    assert_true(bw >= c * iqr_lo && bw <= c * iqr_hi);
    /* The IQR of N(0,1) is 1.34898; the sample IQR has sd 0.5 / (sqrt(n)
     * phi(0.6745)) = 1.573 / sqrt(n) (quartile covariance p1 (1 - p2) / (n f1 f2)). */
    double iqr = bw / c, sd = 1.573 / sqrt(N);
    assert_true(fabs(iqr - 1.34898) < 5 * sd + 3 * dx);

    /* Out-of-window samples count in the ranks: adding 10% far below and
     * above moves both quartiles inward exactly as for the raw samples. */
    ts_bins *t = bins_of(-6, 6, G);
    ts_bins_add_n(t, x, NULL, N);
    for (int j = 0; j < N / 10; j++) {
        ts_bins_add(t, -100.0);
        ts_bins_add(t, 100.0);
    }
    assert_int_equal(ts_bw_silverman(t, &bw, &err), TS_OK);
    double nt = 1.2 * N, ct = 0.9 / 1.34 * pow(nt, -0.2);
    size_t s1 = (size_t)(nt / 4) - N / 10, s3 = (size_t)(3 * nt / 4) - N / 10;  /* ranks among x */
    assert_true(bw >= ct * (x[s3 - 1] - x[s1] - 3 * dx) && bw <= ct * (x[s3] - x[s1 - 1] + 3 * dx));

    /* Quartiles outside the window: TS_ERANGE naming the side. */
    ts_bins *u = bins_of(-6, -2, 64);
    ts_bins_add_n(u, x, NULL, N);
    ts_err_clear(&err);
    assert_int_equal(ts_bw_silverman(u, &bw, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "above"));

    /* A point mass: the formula gives < dx; the floor returns dx. */
    ts_bins_reset(u);
    for (int j = 0; j < 100; j++) ts_bins_add(u, -4.0);
    assert_int_equal(ts_bw_silverman(u, &bw, &err), TS_OK);
    assert_true(bw == u->grid.dx);
    free(x);
    ts_bins_free(b);
    ts_bins_free(t);
    ts_bins_free(u);
}

/* For N(0,1) the AMISE-optimal h is (4/3)^(1/5) n^(-1/5) = 0.10592 at n = 1e5.
 * ISJ estimates it with relative error O(n^(-5/14)), 1.6% times a constant of
 * order one at this n (Botev et al. 2010, section 4), and the binning on
 * dx = 0.0117 ~ h / 9 perturbs the functional estimates by O(dx^2 / h^2) ~ 1%:
 * a 10% band is several standard errors wide. */
static void test_isj_gaussian(void **state)
{
    (void)state;
    enum { N = 100000, G = 1024 };
    double *x = gauss_draws(N, 0.0, 1.0, 51);
    ts_bins *b = bins_of(-6, 6, G);
    ts_bins_add_n(b, x, NULL, N);
    ts_err err;
    double bw;
    assert_int_equal(ts_bw_isj(b, &bw, &err), TS_OK);
    double h_amise = pow(4.0 / 3.0, 0.2) * pow(N, -0.2);
    print_message("isj %.5f, AMISE optimum %.5f, ratio %.4f\n", bw, h_amise, bw / h_amise);
    assert_true(bw / h_amise > 1 / 1.1 && bw / h_amise < 1.1);
    /* the same with a non-power-of-two grid (prime G - 1: GSL's general radix) */
    ts_bins *c = bins_of(-6, 6, 1020);   /* G - 1 = 1019, prime */
    ts_bins_add_n(c, x, NULL, N);
    double bw2;
    assert_int_equal(ts_bw_isj(c, &bw2, &err), TS_OK);
    print_message("isj on G = 1020: %.5f\n", bw2);
    assert_true(bw2 / h_amise > 1 / 1.1 && bw2 / h_amise < 1.1);
    free(x);
    ts_bins_free(b);
    ts_bins_free(c);
}

/* Botev et al.'s motivating property: on a well-separated bimodal mixture,
 * Silverman's rule (a single Gaussian's optimum, scaled by the IQR, which
 * here spans the gap between the modes) oversmooths; ISJ assumes no shape.
 * For 0.5 N(-3,1) + 0.5 N(3,1), n = 1e4, R(f'') is half that of N(0,1), so
 * the AMISE optimum is 2^(1/5) (4/3)^(1/5) n^(-1/5) ~ 0.19, while the IQR ~ 6
 * makes Silverman's 0.9 * 6/1.34 * n^(-1/5) ~ 0.64. */
static void test_isj_bimodal(void **state)
{
    (void)state;
    enum { N = 10000 };
    double *x = gauss_draws(N, 0.0, 1.0, 61);
    ts_rng r;
    ts_rng_init(&r, 62, 0, 0, TS_PURPOSE_TEST, NULL);
    for (size_t j = 0; j < N; j++) x[j] += ts_rng_uniform(&r) < 0.5 ? -3.0 : 3.0;
    ts_bins *b = bins_of(-9, 9, 1024);
    ts_bins_add_n(b, x, NULL, N);
    ts_err err;
    double hs, hi;
    assert_int_equal(ts_bw_silverman(b, &hs, &err), TS_OK);
    assert_int_equal(ts_bw_isj(b, &hi, &err), TS_OK);
    print_message("bimodal: silverman %.4f, isj %.4f\n", hs, hi);
    assert_true(hi < hs);
    /* a point mass: the root lies below one grid spacing; floored to dx */
    ts_bins_reset(b);
    for (int j = 0; j < 1000; j++) ts_bins_add(b, 0.5 * b->grid.dx * 7);
    assert_int_equal(ts_bw_isj(b, &hi, &err), TS_OK);
    assert_true(hi >= b->grid.dx);
    /* Evenly spread samples filling the window: with reflecting edges the
     * density is flat, every ||f^(s)||^2 vanishes, the optimal bandwidth is
     * unbounded and the fixed point has no root. ISJ must say so and hand
     * back Silverman's bandwidth. */
    ts_bins_reset(b);
    for (int j = 0; j < 1000; j++) ts_bins_add(b, -9 + 18.0 * j / 999);
    ts_err_clear(&err);
    assert_int_equal(ts_bw_isj(b, &hi, &err), TS_ERANGE);
    assert_non_null(strstr(err.msg, "Silverman"));
    assert_int_equal(ts_bw_silverman(b, &hs, NULL), TS_OK);
    assert_true(hi == hs);
    free(x);
    ts_bins_free(b);
}

/* ---- metrics -------------------------------------------------------------- */

static void fill_normal(const ts_grid1d *g, double *f, double mu, double sd, double scale)
{
    for (size_t i = 0; i < g->n; i++) f[i] = scale * npdf(ts_grid1d_x(g, i), mu, sd);
}

/* N(0,1) against N(mu,1) on [-12, 12 + mu], dx = 0.005.
 * Quadrature: the trapezoid rule on a smooth integrand that is negligible at
 * both ends (12 sd out) is spectrally accurate; what remains is
 *  - TV: |p - q| has one kink at mu/2; Euler-Maclaurin on each side leaves
 *    dx^2 / 12 times the derivative jump (2 |phi'(mu/2)| < 0.5) ~ 1e-6;
 *  - W1: the trapezoid CDFs err by dx^2/12 sup|phi'| ~ 5e-7 each, over a
 *    length of 26: < 3e-5;
 *  - KL: the floor (1e-12 of the peak) replaces q where |x - mu| > 7.43; p
 *    puts Phi(7.43 - mu) mass there (2.8e-8 at mu = 2) where the log ratio is
 *    off by less than (12 + mu)^2 / 2 = 98: < 3e-6 (and symmetrically).
 * Tolerances: 1e-5 for TV, KL and Hellinger^2, 5e-5 for W1. */
static void test_metrics_gaussian_shift(void **state)
{
    (void)state;
    const double mus[] = { 0.5, 2.0 };
    for (size_t k = 0; k < 2; k++) {
        double mu = mus[k];
        ts_grid1d g;
        ts_err err;
        assert_int_equal(ts_grid1d_init(&g, -12, 12 + mu, (size_t)((24 + mu) / 0.005) + 1, &err), TS_OK);
        double *p = malloc(g.n * sizeof *p), *q = malloc(g.n * sizeof *q);
        assert_non_null(p);
        assert_non_null(q);
        fill_normal(&g, p, 0, 1, 1);
        fill_normal(&g, q, mu, 1, 1);
        ts_metrics m;
        double minimum = mu;
        assert_int_equal(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_OK);
        double tv = 2 * ncdf(mu / 2) - 1, kl = mu * mu / 2, h2 = 1 - exp(-mu * mu / 8);
        print_message("mu %.1f: tv %.3g kl %.3g %.3g h2 %.3g w1 %.3g (errors)\n", mu,
                      m.tv - tv, m.kl_pq - kl, m.kl_qp - kl,
                      m.hellinger * m.hellinger - h2, m.w1 - mu);
        assert_true(fabs(m.tv - tv) < 1e-5);
        assert_true(fabs(m.kl_pq - kl) < 1e-5);
        assert_true(fabs(m.kl_qp - kl) < 1e-5);
        assert_true(fabs(m.hellinger * m.hellinger - h2) < 1e-5);
        assert_true(fabs(m.w1 - mu) < 5e-5);
        assert_true(m.out_mass == 0);
        /* the single mode of p is at 0; the vertex of a symmetric peak sampled
         * on a grid point is exact up to rounding */
        assert_int_equal(m.n_modes, 1);
        assert_true(fabs(m.modes[0]) < 1e-9);
        assert_int_equal(m.n_shift, 1);
        assert_true(fabs(m.shift[0] - (0 - mu)) < 1e-9);
        free(p);
        free(q);
    }
}

/* KL between N(0, 1) and N(0, s^2), s = 1.25:
 *   KL(N(0,1) || N(0,s^2)) = log s + 1 / (2 s^2) - 1/2,
 *   KL(N(0,s^2) || N(0,1)) = -log s + s^2 / 2 - 1/2.
 * On [-7.4, 7.4] no density falls under the floor (that needs |x| > 7.43 sd
 * of the narrow one) and q leaves 2 Phi(-5.92) = 3e-9 of its mass outside, so
 * the conditionals differ from the full laws by ~1e-8 in KL; the trapezoid
 * error is spectrally small. Tolerance 1e-6. */
static void test_metrics_kl_scale(void **state)
{
    (void)state;
    ts_grid1d g;
    ts_err err;
    assert_int_equal(ts_grid1d_init(&g, -7.4, 7.4, 2961, &err), TS_OK);
    double *p = malloc(g.n * sizeof *p), *q = malloc(g.n * sizeof *q), s = 1.25;
    assert_non_null(p);
    assert_non_null(q);
    fill_normal(&g, p, 0, 1, 1);
    fill_normal(&g, q, 0, s, 1);
    ts_metrics m;
    assert_int_equal(ts_metrics_compute(&g, p, 0, q, 0, NULL, 0, &m, &err), TS_OK);
    double kpq = log(s) + 1 / (2 * s * s) - 0.5, kqp = -log(s) + s * s / 2 - 0.5;
    print_message("kl errors %.3g %.3g\n", m.kl_pq - kpq, m.kl_qp - kqp);
    assert_true(fabs(m.kl_pq - kpq) < 1e-6);
    assert_true(fabs(m.kl_qp - kqp) < 1e-6);
    assert_int_equal(m.n_shift, 0);

    /* Where q vanishes on half the window the regularised KL is finite and
     * has a closed form. q's conditional is 2 n_s on x < 0, eps = 1e-12 *
     * 2 n_s(0) (the larger peak), and p = phi is above eps on all of x > 0
     * inside the window, so
     *   KL(p || q) = int_{x<0} phi log(phi / 2 n_s) + int_{x>0} phi log(phi / eps)
     *              = -log(2)/2 + kpq/2 - log(eps)/2 - (log(2 pi) + 1)/4,
     *   KL(q || p) = log 2 + kqp   (p is never floored inside the window).
     * Quadrature: the integrands jump at x = 0 (a grid point), by J = 11 and
     * 0.3; the trapezoid rule errs by up to J dx / 2 there (0.028, 8e-4) and
     * its q-normalisation by q(0) dx / 2 of 0.5 (0.16% in log q, so ~0.002
     * in either KL). Tolerances: 0.04 and 0.005. */
    for (size_t i = 0; i < g.n; i++)
        if (ts_grid1d_x(&g, i) > 0) q[i] = 0;
    assert_int_equal(ts_metrics_compute(&g, p, 0, q, 0, NULL, 0, &m, &err), TS_OK);
    double eps = TS_KL_FLOOR * 2 * npdf(0, 0, s);
    double kpq_t = -log(2) / 2 + kpq / 2 - log(eps) / 2 - (log(2 * M_PI) + 1) / 4;
    double kqp_t = log(2) + kqp;
    print_message("q = 0 on x > 0: kl %.4f (closed form %.4f), reverse %.4f (%.4f)\n",
                  m.kl_pq, kpq_t, m.kl_qp, kqp_t);
    assert_true(fabs(m.kl_pq - kpq_t) < 0.04);
    assert_true(fabs(m.kl_qp - kqp_t) < 0.005);
    free(p);
    free(q);
}

/* k-th derivative of the N(mu, s^2) density: (-1)^k He_k(z) phi(z) / s^(k+1). */
static double nderiv(double x, double mu, double s, int k)
{
    double z = (x - mu) / s, he[5] = { 1, z, z * z - 1, z * z * z - 3 * z, z * z * z * z - 6 * z * z + 3 };
    return ((k & 1) ? -1 : 1) * he[k] * npdf(x, mu, s) / pow(s, k);
}

typedef struct { double w[3], mu[3], s[3]; } mix3;

static double mixd(const mix3 *m, double x, int k)
{
    double v = 0;
    for (int j = 0; j < 3; j++) v += m->w[j] * nderiv(x, m->mu[j], m->s[j], k);
    return v;
}

/* Modes of 0.6 N(-2, 0.7^2) + 0.4 N(1.5, 0.5^2) + eps N(4.5, 0.3^2) on a
 * coarse grid (dx = 0.06). The parabola through three samples around a
 * maximum x* with p = p* + a u^2/2 + b u^3/6 + c u^4/24 has its vertex at
 *   x* + dx^2 (b / 2a) (d^2 - 1/3) + dx^3 (c / a) (4 d^3 - d) / 12 + O(dx^4)
 * (d in [-1/2, 1/2]: the offset of the nearest grid point, in units of dx),
 * so |error| <= dx^2 |b| / (6 |a|) + 0.0161 dx^3 |c / a|; the check allows
 * twice that, the O(dx^4) remainder being (dx |b / a|, dx^2 |c / a|) < 0.1
 * times the kept terms here. True maxima: Newton on the exact p'. */
static void test_metrics_modes(void **state)
{
    (void)state;
    ts_grid1d g;
    ts_err err;
    assert_int_equal(ts_grid1d_init(&g, -6, 7, 217, &err), TS_OK);
    double *p = malloc(g.n * sizeof *p);
    assert_non_null(p);
    /* eps = 0.002: the third bump's peak is 0.8% of the global max (ignored);
     * eps = 0.02: 7.8% (a mode) */
    const double eps[] = { 0.002, 0.02 };
    for (int e = 0; e < 2; e++) {
        mix3 mx = { { 0.6, 0.4, eps[e] }, { -2, 1.5, 4.5 }, { 0.7, 0.5, 0.3 } };
        for (size_t i = 0; i < g.n; i++) p[i] = mixd(&mx, ts_grid1d_x(&g, i), 0);
        double minima[2] = { -2.1, 1.4 };
        ts_metrics m;
        assert_int_equal(ts_metrics_compute(&g, p, 0, p, 0, minima, 2, &m, &err), TS_OK);
        size_t want = e ? 3 : 2;
        assert_int_equal(m.n_modes, want);
        for (size_t k = 0; k < want; k++) {
            double x = mx.mu[k];
            for (int it = 0; it < 50; it++) x -= mixd(&mx, x, 1) / mixd(&mx, x, 2);
            double a = mixd(&mx, x, 2), b = mixd(&mx, x, 3), c = mixd(&mx, x, 4), dx = g.dx;
            double bound = 2 * (dx * dx * fabs(b) / (6 * fabs(a)) + 0.0161 * dx * dx * dx * fabs(c / a));
            print_message("mode %zu: %.8f true %.8f error %.2e bound %.2e\n", k, m.modes[k], x,
                          m.modes[k] - x, bound);
            assert_true(fabs(m.modes[k] - x) <= bound + 1e-12);
            if (k) assert_true(m.modes[k] > m.modes[k - 1]);
        }
        assert_int_equal(m.n_shift, 2);
        assert_true(m.shift[0] == m.modes[0] - minima[0]);
        assert_true(m.shift[1] == m.modes[1] - minima[1]);
        assert_true(m.tv == 0 && m.kl_pq == 0 && m.hellinger == 0 && m.w1 == 0);
        for (size_t k = want; k < TS_MAX_MODES; k++) assert_true(m.modes[k] == 0);
    }

    /* 20 bumps of rising height: the 16 highest are kept, ascending. Bump j
     * sits at -5 + 0.55 j (a grid point is 1/16.6 away at most) with
     * height 1 + 0.05 j, so bumps 4..19 survive. */
    for (size_t i = 0; i < g.n; i++) {
        double xi = ts_grid1d_x(&g, i), v = 0;
        for (int j = 0; j < 20; j++) v += (1 + 0.05 * j) * npdf(xi, -5 + 0.55 * j, 0.1);
        p[i] = v;
    }
    {
        ts_metrics mm;
        assert_int_equal(ts_metrics_compute(&g, p, 0, p, 0, NULL, 0, &mm, &err), TS_OK);
        assert_int_equal(mm.n_modes, TS_MAX_MODES);
        for (size_t k = 0; k < TS_MAX_MODES; k++)
            assert_true(fabs(mm.modes[k] - (-5 + 0.55 * (k + 4))) < g.dx / 2);
    }

    /* no interior maximum: TS_ENUMERIC, never a NaN shift */
    for (size_t i = 0; i < g.n; i++) p[i] = exp(-ts_grid1d_x(&g, i));
    ts_metrics m;
    double minimum = 0;
    ts_err_clear(&err);
    assert_int_equal(ts_metrics_compute(&g, p, 0, p, 0, &minimum, 1, &m, &err), TS_ENUMERIC);
    assert_non_null(strstr(err.msg, "mode"));
    free(p);
}

/* Mass outside the window enters TV (and only TV): p = 0.9 phi with 0.1
 * outside against q = phi: TV = 0.5 * 0.1 + 0.5 * 0.1, the conditionals are
 * equal. phi leaves 2 Phi(-8) = 1e-15 outside [-8, 8], hence 1e-12. */
static void test_metrics_out_of_window(void **state)
{
    (void)state;
    ts_grid1d g;
    ts_err err;
    assert_int_equal(ts_grid1d_init(&g, -8, 8, 1601, &err), TS_OK);
    double *p = malloc(g.n * sizeof *p), *q = malloc(g.n * sizeof *q);
    assert_non_null(p);
    assert_non_null(q);
    fill_normal(&g, p, 0, 1, 0.9);
    fill_normal(&g, q, 0, 1, 1.0);
    ts_metrics m;
    assert_int_equal(ts_metrics_compute(&g, p, 0.1, q, 0, NULL, 0, &m, &err), TS_OK);
    assert_true(fabs(m.tv - 0.1) < 1e-12);
    assert_true(fabs(m.kl_pq) < 1e-12 && fabs(m.kl_qp) < 1e-12);
    assert_true(m.hellinger < 1e-12);
    assert_true(m.w1 < 1e-12);
    assert_true(m.out_mass == 0.1);
    /* equal shapes, different out masses: TV is only the mass term */
    assert_int_equal(ts_metrics_compute(&g, q, 0.3, q, 0.1, NULL, 0, &m, &err), TS_OK);
    assert_true(fabs(m.tv - 0.1) < 1e-15);
    free(p);
    free(q);
}

static void test_metrics_nonfinite(void **state)
{
    (void)state;
    ts_grid1d g;
    ts_err err;
    assert_int_equal(ts_grid1d_init(&g, -5, 5, 101, &err), TS_OK);
    double p[101], q[101], minimum = 0;
    fill_normal(&g, p, 0, 1, 1);
    fill_normal(&g, q, 0, 1, 1);
    ts_metrics m;
    p[17] = NAN;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_ENUMERIC, "p[17]");
    p[17] = 0;
    q[3] = INFINITY;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_ENUMERIC, "q[3]");
    q[3] = -INFINITY;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_ENUMERIC, "q[3]");
    q[3] = 0;
    EXPECT_ERR(ts_metrics_compute(&g, p, NAN, q, 0, &minimum, 1, &m, &err), TS_EINVAL, "p_out");
    minimum = NAN;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_EINVAL, "minima[0]");
    minimum = 0;
    q[50] = 1e308;   /* finite, but its integral is not */
    q[51] = 1e308;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_ERANGE, "q");
    for (int i = 0; i < 101; i++) q[i] = 0;
    minimum = 0;
    EXPECT_ERR(ts_metrics_compute(&g, p, 0, q, 0, &minimum, 1, &m, &err), TS_EINVAL, "q integrates");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_binning_placement),
        cmocka_unit_test(test_binning_mass_and_moment),
        cmocka_unit_test(test_merge_and_reset),
        cmocka_unit_test(test_kde_binned_vs_direct),
        cmocka_unit_test(test_kde_edge_cases),
        cmocka_unit_test(test_kde_gaussian_limit),
        cmocka_unit_test(test_silverman),
        cmocka_unit_test(test_isj_gaussian),
        cmocka_unit_test(test_isj_bimodal),
        cmocka_unit_test(test_metrics_gaussian_shift),
        cmocka_unit_test(test_metrics_kl_scale),
        cmocka_unit_test(test_metrics_modes),
        cmocka_unit_test(test_metrics_out_of_window),
        cmocka_unit_test(test_metrics_nonfinite),
    };
    return cmocka_run_group_tests_name("density", tests, NULL, NULL);
}
