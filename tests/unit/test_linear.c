/* test_linear.c: the linear-model SGD kind.
 *  - GD from 0 on least squares converges to pinv(X) y: checked against an
 *    independent Cholesky solve of (X X^T) a = y in this file (d > n) and
 *    against the normal equations (d < n);
 *  - Noisy-SGD with sigma = 0 is SGD bit for bit: against a reference loop
 *    here that draws batches by the documented stream contract; and
 *    sigma > 0 adds exactly -eta sigma xi, xi from the noise stream;
 *  - the diagonal linear network from a small init recovers a sparse
 *    teacher where least squares from 0 does not;
 *  - heavy tails: in d = 1 with B = 1 the iterates follow a Kesten
 *    recursion w' = A w + b with (A, b) iid, whose tail index solves
 *    E|A|^alpha = 1 (Kesten 1973, Goldie 1991): both estimators are checked
 *    against that root; in d = 2 the index is clearly lower at large eta/B;
 *  - bad configurations are refused with the key named; a divergence is
 *    reported with finite results.
 * All seeds are fixed; each tolerance says where it comes from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tailsweep/ts_kind.h"
#include "tailsweep/ts_linear.h"
#include "tailsweep/ts_rng.h"

static ts_linear_data_config data_cfg(size_t n, size_t d, size_t k, double noise)
{
    return (ts_linear_data_config){ .n = n, .n_test = 200, .d = d, .k = k, .spectrum = TS_SPECTRUM_ISO,
                                    .kappa = 1, .decay = 1, .teacher_scale = 1, .label_noise = noise };
}

static ts_linear_opt_config opt_cfg(ts_linear_model m, ts_linear_optimizer o, size_t B, double eta, uint64_t steps)
{
    return (ts_linear_opt_config){ .model = m, .a0 = 0.1, .opt = o, .B = B, .eta = eta, .gamma = 0, .k0 = 1,
                                   .sigma = 0, .clip = 0, .steps = steps, .log_every = steps / 10,
                                   .burnin = steps / 2, .thin = 1, .bound = 1e8 };
}

static double norm2(const double *x, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i] * x[i];
    return sqrt(s);
}

static double dist2(const double *x, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
    return sqrt(s);
}

/* Solve the SPD system G a = b (m x m, row-major) by Cholesky, in place:
 * an implementation independent of the library's SVD route. */
static void cholesky_solve(double *G, double *b, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double s = G[j * m + j];
        for (size_t k = 0; k < j; k++) s -= G[j * m + k] * G[j * m + k];
        assert_true(s > 0);
        G[j * m + j] = sqrt(s);
        for (size_t i = j + 1; i < m; i++) {
            double t = G[i * m + j];
            for (size_t k = 0; k < j; k++) t -= G[i * m + k] * G[j * m + k];
            G[i * m + j] = t / G[j * m + j];
        }
    }
    for (size_t i = 0; i < m; i++) {      /* L z = b */
        for (size_t k = 0; k < i; k++) b[i] -= G[i * m + k] * b[k];
        b[i] /= G[i * m + i];
    }
    for (size_t i = m; i-- > 0;) {        /* L^T a = z */
        for (size_t k = i + 1; k < m; k++) b[i] -= G[k * m + i] * b[k];
        b[i] /= G[i * m + i];
    }
}

/* d > n: GD from w0 = 0 stays in the row space of X and converges to the
 * minimum-norm interpolator X^T (X X^T)^-1 y. With n = 30, d = 80 the
 * eigenvalues of X X^T / n lie in ~[0.4, 6.9] (Marchenko-Pastur), so at
 * eta = 0.1 the error contracts by <= 0.96 a step: 3000 steps reach
 * rounding. Tolerances: 1e-10 relative, a few hundred ulp of accumulated
 * rounding in condition ~20 problems. */
static void test_gd_min_norm_interpolator(void **state)
{
    (void)state;
    size_t n = 30, d = 80;
    ts_linear_data_config dc = data_cfg(n, d, 0, 0.1);
    ts_linear_data *D;
    assert_int_equal(ts_linear_data_alloc(&dc, 11, 0, 0, &D, NULL), TS_OK);
    double *G = malloc(n * n * sizeof *G), *a = malloc(n * sizeof *a), *wref = calloc(d, sizeof *wref),
           *wmn = malloc(d * sizeof *wmn);
    for (size_t i = 0; i < n; i++) {
        a[i] = D->y[i];
        for (size_t j = 0; j < n; j++) {
            double s = 0;
            for (size_t k = 0; k < d; k++) s += D->X[i * d + k] * D->X[j * d + k];
            G[i * n + j] = s;
        }
    }
    cholesky_solve(G, a, n);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) wref[k] += D->X[i * d + k] * a[i];
    assert_int_equal(ts_linear_min_norm(D, wmn, NULL), TS_OK);
    assert_true(dist2(wmn, wref, d) <= 1e-10 * norm2(wref, d));

    ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_GD, 1, 0.1, 3000);
    ts_linear_trace tr;
    assert_int_equal(ts_linear_run(D, &oc, 11, 0, 0, NULL, NULL, &tr, NULL), TS_OK);
    assert_int_equal(tr.diverged, 0);
    assert_true(dist2(tr.beta, wref, d) <= 1e-10 * norm2(wref, d));
    assert_true(tr.train_loss[tr.n_log - 1] < 1e-20);           /* it interpolates */
    /* GD with eta < 2/L decreases the loss, until rounding (~1e-30) takes over */
    for (size_t i = 1; i < tr.n_log; i++) assert_true(tr.train_loss[i] <= tr.train_loss[i - 1] || tr.train_loss[i] < 1e-25);
    ts_linear_trace_free(&tr);
    ts_linear_data_free(D);
    free(G), free(a), free(wref), free(wmn);
}

/* d < n: pinv(X) y is the least squares solution: X^T (X w - y) = 0 to
 * rounding (relative to ||X||^2 ||w||, 1e-12: ~100 ulp over n = 80 terms),
 * and GD reaches it. */
static void test_gd_least_squares_underparameterised(void **state)
{
    (void)state;
    size_t n = 80, d = 30;
    ts_linear_data_config dc = data_cfg(n, d, 0, 0.5);
    ts_linear_data *D;
    assert_int_equal(ts_linear_data_alloc(&dc, 12, 0, 0, &D, NULL), TS_OK);
    double *wmn = malloc(d * sizeof *wmn), *g = calloc(d, sizeof *g), xf = 0;
    assert_int_equal(ts_linear_min_norm(D, wmn, NULL), TS_OK);
    for (size_t i = 0; i < n; i++) {
        double r = -D->y[i];
        for (size_t k = 0; k < d; k++) r += D->X[i * d + k] * wmn[k], xf += D->X[i * d + k] * D->X[i * d + k];
        for (size_t k = 0; k < d; k++) g[k] += D->X[i * d + k] * r;
    }
    assert_true(norm2(g, d) <= 1e-12 * xf * norm2(wmn, d));
    ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_GD, 1, 0.1, 3000);
    ts_linear_trace tr;
    assert_int_equal(ts_linear_run(D, &oc, 12, 0, 0, NULL, NULL, &tr, NULL), TS_OK);
    assert_true(dist2(tr.beta, wmn, d) <= 1e-10 * norm2(wmn, d));
    assert_true(tr.train_loss[tr.n_log - 1] > 0.05);   /* noise 0.5: no interpolation when d < n */
    ts_linear_trace_free(&tr);
    ts_linear_data_free(D);
    free(wmn), free(g);
}

/* The reference SGD: the update theta - eta grad, batches by the contract
 * in ts_linear.h (with replacement: floor(u n) per uniform; without: a
 * Fisher-Yates shuffle per epoch, j = i + floor(u (n - i))). */
static void reference_sgd(const ts_linear_data *D, const ts_linear_opt_config *c, uint64_t seed, double *beta)
{
    size_t n = D->n, d = D->d, B = c->B, P = ts_linear_n_params(c->model, d);
    ts_rng r;
    assert_int_equal(ts_rng_init(&r, seed, 3, 1, TS_PURPOSE_BATCH, NULL), TS_OK);
    double *theta = malloc(P * sizeof *theta), *grad = malloc(P * sizeof *grad), *res = malloc(B * sizeof *res),
           *gb = malloc(d * sizeof *gb), *Xb = malloc(B * d * sizeof *Xb), *yb = malloc(B * sizeof *yb);
    size_t *perm = malloc(n * sizeof *perm), pos = n;
    for (size_t i = 0; i < n; i++) perm[i] = i;
    ts_linear_init(c->model, d, c->a0, theta);
    ts_linear_beta(c->model, d, theta, beta);
    for (uint64_t k = 0; k < c->steps; k++) {
        for (size_t b = 0; b < B; b++) {
            size_t i;
            if (c->opt == TS_LINEAR_SGD) {
                i = (size_t)(ts_rng_uniform(&r) * (double)n);
            } else {
                if (pos + B > n) {
                    for (size_t s = 0; s + 1 < n; s++) {
                        size_t j = s + (size_t)(ts_rng_uniform(&r) * (double)(n - s)), t = perm[s];
                        perm[s] = perm[j], perm[j] = t;
                    }
                    pos = 0;
                }
                i = perm[pos + b];
            }
            memcpy(Xb + b * d, D->X + i * d, d * sizeof *Xb);
            yb[b] = D->y[i];
        }
        if (c->opt != TS_LINEAR_SGD) pos += B;
        ts_linear_grad(c->model, Xb, yb, B, d, theta, beta, c->clip, res, gb, grad);
        for (size_t j = 0; j < P; j++) theta[j] = theta[j] - c->eta * grad[j];
        ts_linear_beta(c->model, d, theta, beta);
    }
    free(theta), free(grad), free(res), free(gb), free(Xb), free(yb), free(perm);
}

/* Noisy-SGD at sigma = 0 equals SGD to the bit, both samplings, both
 * models, with and without clipping. Then sigma > 0: after one step the
 * difference from SGD is exactly -eta sigma xi, xi the first draws of the
 * noise stream (rounding only: 1e-15 relative). */
static void test_noisy_sigma0_is_sgd(void **state)
{
    (void)state;
    size_t n = 50, d = 20;
    ts_linear_data_config dc = data_cfg(n, d, 4, 0.3);
    ts_linear_data *D;
    assert_int_equal(ts_linear_data_alloc(&dc, 5, 0, 1, &D, NULL), TS_OK);
    const struct { ts_linear_model m; ts_linear_optimizer o; double clip; } cases[] = {
        { TS_LINEAR_LS, TS_LINEAR_SGD, 0 }, { TS_LINEAR_LS, TS_LINEAR_SGD_NOREPLACE, 0 },
        { TS_LINEAR_DLN, TS_LINEAR_SGD, 0.5 }, { TS_LINEAR_DLN, TS_LINEAR_SGD_NOREPLACE, 0 },
        { TS_LINEAR_LS, TS_LINEAR_SGD_NOREPLACE, 1.0 },
    };
    double *ref = malloc(d * sizeof *ref);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        ts_linear_opt_config oc = opt_cfg(cases[c].m, cases[c].o, 7, 0.05, 400);
        oc.clip = cases[c].clip;
        ts_linear_trace tr;
        assert_int_equal(ts_linear_run(D, &oc, 9, 3, 1, NULL, NULL, &tr, NULL), TS_OK);
        reference_sgd(D, &oc, 9, ref);
        assert_memory_equal(tr.beta, ref, d * sizeof *ref);
        if (oc.clip > 0) assert_true(tr.clipped > 0);     /* the clipping path ran */
        ts_linear_trace_free(&tr);
    }
    /* one step, least squares: theta1(sigma) - theta1(0) = -eta sigma xi */
    ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_SGD, 7, 0.05, 1);
    oc.log_every = 1, oc.burnin = 0;
    size_t d2 = 1000;                                         /* a window of 1000 values */
    ts_linear_data_config dc2 = data_cfg(n, d2, 0, 0.3);
    ts_linear_data *D2;
    assert_int_equal(ts_linear_data_alloc(&dc2, 5, 0, 1, &D2, NULL), TS_OK);
    ts_linear_trace t0, t1;
    assert_int_equal(ts_linear_run(D2, &oc, 9, 3, 1, NULL, NULL, &t0, NULL), TS_OK);
    oc.sigma = 0.7;
    assert_int_equal(ts_linear_run(D2, &oc, 9, 3, 1, NULL, NULL, &t1, NULL), TS_OK);
    double *xi = malloc(d2 * sizeof *xi);
    ts_rng rn;
    assert_int_equal(ts_rng_init(&rn, 9, 3, 1, TS_PURPOSE_NOISE, NULL), TS_OK);
    ts_rng_normal_block(&rn, d2, xi);
    for (size_t j = 0; j < d2; j++)
        assert_true(fabs((t1.beta[j] - t0.beta[j]) - (-0.05 * 0.7 * xi[j])) <= 1e-15 * (1 + fabs(t0.beta[j])));
    ts_linear_trace_free(&t0);
    ts_linear_trace_free(&t1);
    ts_linear_data_free(D2);
    ts_linear_data_free(D);
    free(ref), free(xi);
}

/* Sparse recovery (Woodworth et al. 2020; the setting of Durmus, Sylvestre and Sander 2024): n = 40,
 * d = 100, a 3-sparse teacher, noiseless labels. Least squares from 0 ends
 * at the min-norm interpolator, whose excess risk is ~(1 - n/d)/2 = 0.3;
 * the network from a0 = 1e-3 is biased towards small l1 norm and finds the
 * teacher. Measured (seed 21): 2.8e-6 vs 0.28; thresholds 1e-3 and 0.1
 * leave two orders of magnitude and a factor 2.8. */
static void test_dln_recovers_sparse_teacher(void **state)
{
    (void)state;
    ts_linear_data_config dc = data_cfg(40, 100, 3, 0);
    dc.n_test = 1000;
    ts_linear_data *D;
    assert_int_equal(ts_linear_data_alloc(&dc, 21, 0, 0, &D, NULL), TS_OK);
    ts_linear_opt_config ls = opt_cfg(TS_LINEAR_LS, TS_LINEAR_GD, 1, 0.1, 10000), dln = ls;
    dln.model = TS_LINEAR_DLN;
    dln.a0 = 1e-3;
    ts_linear_trace tl, td;
    assert_int_equal(ts_linear_run(D, &ls, 21, 0, 0, NULL, NULL, &tl, NULL), TS_OK);
    assert_int_equal(ts_linear_run(D, &dln, 21, 0, 0, NULL, NULL, &td, NULL), TS_OK);
    double test_ls = tl.test_loss[tl.n_log - 1], test_dln = td.test_loss[td.n_log - 1];
    assert_true(test_dln < 1e-3);
    assert_true(test_ls > 0.1);
    assert_true(td.beta_l1[td.n_log - 1] < tl.beta_l1[tl.n_log - 1]);   /* the l1 bias itself */
    assert_true(td.beta_err[td.n_log - 1] < 0.05);
    ts_linear_trace_free(&tl);
    ts_linear_trace_free(&td);
    ts_linear_data_free(D);
}

static double kesten_moment(const ts_linear_data *D, double eta, double s)
{
    double m = 0;
    for (size_t i = 0; i < D->n; i++) m += pow(fabs(1 - eta * D->X[i] * D->X[i]), s);
    return m / (double)D->n - 1;
}

/* The positive root of E|1 - eta x^2|^s = 1 over the empirical law of x
 * (SGD with replacement draws x from exactly that law), by bisection. */
static double kesten_alpha(const ts_linear_data *D, double eta)
{
    double lo = 0.05, hi = 20;
    assert_true(kesten_moment(D, eta, lo) < 0 && kesten_moment(D, eta, hi) > 0);
    for (int i = 0; i < 80; i++) {
        double mid = 0.5 * (lo + hi);
        if (kesten_moment(D, eta, mid) < 0) lo = mid; else hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* d = 1, B = 1: w' = (1 - eta x^2) w + eta x y, (x, y) drawn iid from the
 * training set: a Kesten recursion with tail index alpha solving
 * E|1 - eta x^2|^alpha = 1. At eta = 0.9 and 1.0 (alpha ~1.1-1.6), seeds
 * 1-4, 2 10^5 steps thinned by 10: both estimators measured within 15% of
 * the root (worst: Hill 1.49 vs 1.30); the tolerance is 25%. */
static void test_heavy_tails_kesten(void **state)
{
    (void)state;
    const double etas[] = { 0.9, 1.0 };
    for (uint64_t seed = 1; seed <= 4; seed++) {
        ts_linear_data_config dc = data_cfg(1000, 1, 0, 1);
        ts_linear_data *D;
        assert_int_equal(ts_linear_data_alloc(&dc, seed, 0, 0, &D, NULL), TS_OK);
        for (size_t e = 0; e < 2; e++) {
            ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_SGD, 1, etas[e], 200000);
            oc.burnin = 10000, oc.thin = 10;
            ts_linear_trace tr;
            assert_int_equal(ts_linear_run(D, &oc, seed, 0, 0, NULL, NULL, &tr, NULL), TS_OK);
            assert_int_equal(tr.diverged, 0);
            double ab, ah, alpha = kesten_alpha(D, etas[e]);
            size_t k;
            assert_int_equal(ts_linear_tail_index(&tr, seed, 0, 0, &ab, &ah, &k, NULL), TS_OK);
            assert_true(alpha < 2);
            assert_true(fabs(ab - alpha) < 0.25 * alpha);
            assert_true(fabs(ah - alpha) < 0.25 * alpha);
            ts_linear_trace_free(&tr);
        }
        ts_linear_data_free(D);
    }
}

/* d = 2, B = 4: eta/B = 0.075 against 0.3, seeds 1-4. Measured: Hill
 * 7.8-10.5 against 1.6-2.3, block-sum 1.95-2.0 against 1.42-1.72. Asserted:
 * every large-eta/B Hill index below half of every small-eta/B one, and
 * block-sum lower by at least 0.1 seed for seed. */
static void test_heavy_tails_grow_with_eta_over_B(void **state)
{
    (void)state;
    double hill_small = INFINITY, hill_large = 0;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        ts_linear_data_config dc = data_cfg(1000, 2, 0, 1);
        ts_linear_data *D;
        assert_int_equal(ts_linear_data_alloc(&dc, seed, 0, 0, &D, NULL), TS_OK);
        double ab[2], ah[2];
        const double etas[] = { 0.3, 1.2 };
        for (size_t e = 0; e < 2; e++) {
            ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_SGD, 4, etas[e], 200000);
            oc.burnin = 10000, oc.thin = 10;
            ts_linear_trace tr;
            size_t k;
            assert_int_equal(ts_linear_run(D, &oc, seed, 0, 0, NULL, NULL, &tr, NULL), TS_OK);
            assert_int_equal(tr.diverged, 0);
            assert_int_equal(ts_linear_tail_index(&tr, seed, 0, 0, &ab[e], &ah[e], &k, NULL), TS_OK);
            ts_linear_trace_free(&tr);
        }
        assert_true(ab[1] < ab[0] - 0.1);
        if (ah[0] < hill_small) hill_small = ah[0];
        if (ah[1] > hill_large) hill_large = ah[1];
        ts_linear_data_free(D);
    }
    assert_true(hill_large < 0.5 * hill_small);
}

static ts_params defaults(const ts_kind *k)
{
    ts_params p = { .spec = k->params, .n = k->n_params };
    for (size_t i = 0; i < k->n_params; i++)
        assert_int_equal(ts_param_parse(&k->params[i], k->params[i].def, &p.v[i], "default", NULL), TS_OK);
    return p;
}

static void set(ts_params *p, const char *name, double v)
{
    int i = ts_params_index(p->spec, p->n, name);
    assert_true(i >= 0);
    p->v[i] = v;
}

static void expect_bad(const ts_params *p, const char *word)
{
    ts_err err = { 0 };
    assert_int_not_equal(ts_kind_linear.validate(p, &err), TS_OK);
    if (!strstr(err.msg, word)) fail_msg("message '%s' does not name '%s'", err.msg, word);
}

/* B > n, k > d, sigma < 0 and friends are refused naming the key. */
static void test_bad_configurations(void **state)
{
    (void)state;
    ts_params p0 = defaults(&ts_kind_linear), p;
    ts_err err = { 0 };
    assert_int_equal(ts_kind_linear.validate(&p0, &err), TS_OK);
    p = p0; set(&p, "B", 101); expect_bad(&p, "B = 101");
    p = p0; set(&p, "k", 201); expect_bad(&p, "k = 201");
    p = p0; set(&p, "burnin", 10000); expect_bad(&p, "burnin");
    p = p0; set(&p, "log_every", 20000); expect_bad(&p, "log_every");
    p = p0; set(&p, "steps", 1000); set(&p, "burnin", 999); set(&p, "d", 1); expect_bad(&p, "tail window");
    /* sigma < 0 is outside the parameter's range: the check names it */
    int i = ts_params_index(p0.spec, p0.n, "sigma");
    assert_int_not_equal(ts_param_check(&p0.spec[i], -1, "key 'sigma'", &err), TS_OK);
    assert_non_null(strstr(err.msg, "sigma"));
    ts_linear_opt_config oc = opt_cfg(TS_LINEAR_LS, TS_LINEAR_SGD, 5, 0.1, 1000);
    oc.sigma = -1;
    assert_int_equal(ts_linear_opt_config_check(&oc, 100, 10, &err), TS_EINVAL);
    assert_non_null(strstr(err.msg, "sigma"));
    ts_linear_data_config dc = data_cfg(10, 5, 6, 0);
    ts_linear_data *D = (ts_linear_data *)&dc;   /* must be reset to NULL on failure */
    assert_int_equal(ts_linear_data_alloc(&dc, 1, 0, 0, &D, &err), TS_EINVAL);
    assert_null(D);
    assert_non_null(strstr(err.msg, "k = 6"));
}

/* eta far beyond stability: status diverged, every result finite, curves
 * -1 past the divergence, tail indices the -1 sentinel. */
static void test_divergence_reported(void **state)
{
    (void)state;
    ts_params p = defaults(&ts_kind_linear);
    set(&p, "eta", 5);
    set(&p, "steps", 2000);
    set(&p, "burnin", 1000);
    ts_result_layout *l = ts_result_layout_alloc();
    assert_int_equal(ts_kind_linear.layout(&p, l, NULL), TS_OK);
    assert_int_equal(l->n, 15);
    assert_int_equal(l->r[0].dims[0], 21);
    assert_string_equal(l->r[0].dim_names[0], "step");
    assert_true(l->r[0].coords[0][20] == 2000);
    double *out[TS_MAX_RESULTS];
    for (size_t i = 0; i < l->n; i++) out[i] = calloc(ts_result_size(&l->r[i]), sizeof(double));
    ts_task t = { .point = 2, .replicate = 1, .seed = 3, .params = p };
    ts_task_status st = TS_TASK_TODO;
    assert_int_equal(ts_kind_linear.run(&t, l, out, &st, NULL), TS_OK);
    assert_int_equal(st, TS_TASK_DIVERGED);
    /* never an infinity; what was not measured is NaN, never a sentinel */
    for (size_t i = 0; i < l->n; i++)
        for (size_t j = 0; j < ts_result_size(&l->r[i]); j++) assert_false(isinf(out[i][j]) || out[i][j] == -1);
    assert_true(out[ts_result_find(l, "diverged")][0] == 1);
    double at = out[ts_result_find(l, "diverged_at")][0];
    assert_true(at > 0 && at < 100);
    assert_true(isnan(out[0][20]) && out[0][0] > 0);
    assert_true(isnan(out[ts_result_find(l, "tail_index_hill")][0]));
    for (size_t i = 0; i < l->n; i++) free(out[i]);
    ts_result_layout_free(l);
}

/* The same task twice gives the same bits; shared_data = 1 gives every
 * grid point the same data (the same min-norm solution), 0 does not. */
static void test_reproducible_and_shared_data(void **state)
{
    (void)state;
    ts_params p = defaults(&ts_kind_linear);
    set(&p, "steps", 2000);
    set(&p, "burnin", 1000);
    set(&p, "n", 30);
    set(&p, "d", 40);
    set(&p, "B", 5);
    ts_result_layout *l = ts_result_layout_alloc();
    assert_int_equal(ts_kind_linear.layout(&p, l, NULL), TS_OK);
    double *o[4][TS_MAX_RESULTS];
    int fin = ts_result_find(l, "final_train_loss");
    for (int r = 0; r < 4; r++) {
        ts_task t = { .point = r < 2 ? 0 : 5, .replicate = 0, .seed = 8, .params = p };
        if (r == 3) set(&t.params, "shared_data", 0);
        for (size_t i = 0; i < l->n; i++) o[r][i] = calloc(ts_result_size(&l->r[i]), sizeof(double));
        ts_task_status st;
        assert_int_equal(ts_kind_linear.run(&t, l, o[r], &st, NULL), TS_OK);
        assert_int_equal(st, TS_TASK_DONE);
    }
    for (size_t i = 0; i < l->n; i++) assert_memory_equal(o[0][i], o[1][i], ts_result_size(&l->r[i]) * sizeof(double));
    /* at the start (step 0, beta = 0) the train loss is ||y||^2/2n: data alone */
    assert_true(o[0][0][0] == o[2][0][0]);
    assert_true(o[0][0][0] != o[3][0][0]);
    assert_true(o[0][fin][0] != o[2][fin][0]);    /* different batches at point 5 */
    for (int r = 0; r < 4; r++)
        for (size_t i = 0; i < l->n; i++) free(o[r][i]);
    ts_result_layout_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gd_min_norm_interpolator),
        cmocka_unit_test(test_gd_least_squares_underparameterised),
        cmocka_unit_test(test_noisy_sigma0_is_sgd),
        cmocka_unit_test(test_dln_recovers_sparse_teacher),
        cmocka_unit_test(test_heavy_tails_kesten),
        cmocka_unit_test(test_heavy_tails_grow_with_eta_over_B),
        cmocka_unit_test(test_bad_configurations),
        cmocka_unit_test(test_divergence_reported),
        cmocka_unit_test(test_reproducible_and_shared_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
